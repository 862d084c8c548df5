"""Writing output files atomically: only regular files, never over one unless asked, never half.

A file is written to a temporary file beside it (``.NAME.XXXXXXXX.dhti.tmp``), locked while it is
written, then renamed over the target. A writer killed midway leaves only that temporary file, and
the next write of the same target removes it: a temporary file nobody holds the lock of is stale.
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
import time
from pathlib import Path
from types import ModuleType

from dhti.errors import OutputError
from dhti.messages import L_, plain

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: stale files are told by their age
    fcntl = None

TEMPORARY_SUFFIX = ".dhti.tmp"
STALE_AFTER_SECONDS = 600  # without locks, a temporary file this old is a killed writer's
_KINDS = {stat.S_ISFIFO: "a FIFO", stat.S_ISCHR: "a device", stat.S_ISBLK: "a device", stat.S_ISSOCK: "a socket"}


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def cannot_write(path: Path, err: OSError) -> OutputError:
    """The error for an OSError while writing ``path``, naming the file and the reason."""
    return OutputError(L_("cannot write %(path)s: %(reason)s", path=str(path), reason=plain(err.strerror or str(err))))


def check_target(path: Path, *, force: bool) -> None:
    """Refuse a target that is not a regular file, and an existing one without ``force``.

    A symlink, device or FIFO is never replaced, even with ``force``: renaming over
    ``/dev/null`` or a link would destroy what is there rather than write to it.
    """
    try:
        mode = path.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    except OSError as err:
        raise cannot_write(path, err) from err
    if mode is not None:
        _check_existing(path, mode, force=force)
    folder = path.parent
    if not folder.is_dir():
        if folder.exists():
            raise OutputError(
                L_("cannot write %(path)s: folder %(folder)s is not a folder", path=str(path), folder=str(folder))
            )
        raise OutputError(
            L_("cannot write %(path)s: folder %(folder)s does not exist", path=str(path), folder=str(folder))
        )


def _check_existing(path: Path, mode: int, *, force: bool) -> None:
    if stat.S_ISLNK(mode):
        message = L_(
            "%(path)s is a symbolic link; dhti writes only regular files (remove the link or name another file)",
            path=str(path),
        )
        raise OutputError(message)
    if stat.S_ISDIR(mode):
        raise OutputError(L_("%(path)s is a folder; give a file name", path=str(path)))
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS.items() if test(mode)), "a special file")
        message = L_(
            "%(path)s is not a regular file (%(kind)s); dhti writes only regular files", path=str(path), kind=kind
        )
        raise OutputError(message)
    if not force:
        raise OutputError(L_("%(path)s exists already; use --force to overwrite it", path=str(path)))


def make_folder(path: Path, *, parents: bool = False) -> None:
    """Create the output folder ``path`` if it is missing; any OSError is an :class:`OutputError`."""
    try:
        path.mkdir(parents=parents, exist_ok=True)
    except FileExistsError as err:
        msg = f"cannot write into {path}: it is a file, not a folder"
        raise OutputError(msg) from err
    except OSError as err:
        msg = f"cannot create folder {path}: {err.strerror or err}"
        raise OutputError(msg) from err


def write_atomic(path: Path, data: str | bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` through a locked temporary file and a rename.

    A reader never sees half a file, and an existing file is replaced only with ``force``.
    Any OSError (read-only folder, disk full) is an :class:`OutputError` naming ``path``.
    """
    check_target(path, force=force)
    remove_stale_temporaries(path.parent, target=path.name)
    content = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = _locked_temporary(path)
    try:
        _fill(handle, temporary, content=content, path=path)
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise cannot_write(path, err) from err
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _fill(handle: int, temporary: str, *, content: bytes, path: Path) -> None:
    """Write the temporary file whole, then rename it over ``path``; the lock holds until then."""
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(handle, view) :]
        Path(temporary).chmod(0o666 & ~_umask())  # mkstemp makes it private; give it a normal file's mode
        Path(temporary).replace(path)
    finally:
        os.close(handle)  # releases the lock


def _locked_temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path``, locked; retried if a cleaner took it before the lock."""
    for _attempt in range(5):
        try:
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
        except OSError as err:
            raise cannot_write(path, err) from err
        if fcntl is None:
            return handle, temporary
        fcntl.flock(handle, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):
            if Path(temporary).lstat().st_ino == os.fstat(handle).st_ino:
                return handle, temporary
        os.close(handle)  # a cleaner removed it between mkstemp and flock
    msg = f"cannot write {path}: its temporary file keeps disappearing"
    raise OutputError(msg)


def remove_stale_temporaries(folder: Path, *, target: str | None = None) -> None:
    """Remove the temporary files killed writers left in ``folder`` (of ``target`` only, if given)."""
    pattern = f".{glob.escape(target)}.*{TEMPORARY_SUFFIX}" if target else f".*{TEMPORARY_SUFFIX}"
    for leftover in folder.glob(pattern):
        with contextlib.suppress(OSError):  # gone already, or not ours to remove: never a reason to fail
            _remove_if_stale(leftover)


def _remove_if_stale(leftover: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    handle = os.open(leftover, flags)
    try:
        found = os.fstat(handle)
        if not stat.S_ISREG(found.st_mode):
            return
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # OSError while a writer holds it
        elif time.time() - found.st_mtime < STALE_AFTER_SECONDS:
            return
        if leftover.lstat().st_ino == found.st_ino:
            leftover.unlink()
    finally:
        os.close(handle)
