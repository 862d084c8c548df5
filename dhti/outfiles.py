"""Writing output files atomically, never over an existing file unless asked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dhti.errors import OutputError


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, data: str | bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A reader never sees half a file, and an existing file is replaced only with ``force``.
    """
    if path.exists() and not force:
        msg = f"{path} exists already; use --force to overwrite it"
        raise OutputError(msg)
    if path.is_dir():
        msg = f"{path} is a folder; give a file name"
        raise OutputError(msg)
    folder = path.parent
    if not folder.is_dir():
        msg = f"cannot write {path}: folder {folder} does not exist"
        raise OutputError(msg)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
        Path(temporary).chmod(0o666 & ~_umask())  # mkstemp makes it private; give it a normal file's mode
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
