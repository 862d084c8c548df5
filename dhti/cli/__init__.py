"""The ``dhti`` command line: the click group in ``main`` and one module per command family."""

from dhti.cli.main import main

__all__ = ["main"]
