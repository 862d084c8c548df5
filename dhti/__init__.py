"""dhti: the Digital Health Transformation Index for health facilities and agencies."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dhti")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
