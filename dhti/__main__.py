"""``python -m dhti``."""

from dhti.cli import main

main()
