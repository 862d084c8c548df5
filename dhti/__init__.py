"""dhti: the Digital Health Transformation Index for health facilities and agencies."""

# Written here rather than read from the installed package's metadata: importlib.metadata alone
# costs every command tens of milliseconds at start-up. pyproject.toml takes the version from here.
__version__ = "0.1.0"

__all__ = ["__version__"]
