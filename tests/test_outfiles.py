"""Output files: only regular files are written, never over one without --force, and never half."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from dhti import outfiles
from dhti.errors import OutputError
from dhti.outfiles import TEMPORARY_SUFFIX, check_target, remove_stale_temporaries, write_atomic


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_new_file_is_written_and_an_existing_one_only_with_force(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    write_atomic(target, "one")
    with pytest.raises(OutputError, match=r"r.html exists already; use --force to overwrite it"):
        write_atomic(target, "two")
    write_atomic(target, b"three", force=True)
    assert target.read_text() == "three"
    assert _temporaries(tmp_path) == []


def test_a_symlink_is_refused_and_left_alone_even_with_force(tmp_path: Path) -> None:
    aim = tmp_path / "aim.txt"
    aim.write_text("keep")
    link = tmp_path / "link.html"
    link.symlink_to(aim)
    dangling = tmp_path / "dangling.html"
    dangling.symlink_to(tmp_path / "nowhere")
    for path in (link, dangling):
        with pytest.raises(OutputError, match=r"is a symbolic link; dhti writes only regular files"):
            write_atomic(path, "x", force=True)
        assert path.is_symlink()
    assert aim.read_text() == "keep"
    assert not (tmp_path / "nowhere").exists()


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match=r"pipe.html is not a regular file \(a FIFO\)"):
        write_atomic(fifo, "x", force=True)
    with pytest.raises(OutputError, match=r"not a regular file"):
        check_target(fifo, force=False)
    assert fifo.is_fifo()
    assert _temporaries(tmp_path) == []


def test_a_folder_that_is_a_file_is_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with pytest.raises(OutputError, match=r"cannot write .*plain/r.html: folder .*plain is not a folder"):
        write_atomic(tmp_path / "plain" / "r.html", "x")


@pytest.mark.parametrize("failing", ["write", "replace"])
def test_a_full_disk_is_an_output_error_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    def no_space(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outfiles.os, failing, no_space)
    target = tmp_path / "r.html"
    with pytest.raises(OutputError, match=rf"cannot write {target}: No space left on device"):
        write_atomic(target, "x")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_stale_temporaries_of_the_target_go_on_the_next_write(tmp_path: Path) -> None:
    stale = tmp_path / f".r.pdf.abcd1234{TEMPORARY_SUFFIX}"  # what a killed writer leaves
    stale.write_bytes(b"%PDF-half")
    other = tmp_path / f".other.pdf.abcd1234{TEMPORARY_SUFFIX}"
    other.write_bytes(b"%PDF-half")
    foreign = tmp_path / ".r.pdf.notes.tmp"  # not a name dhti makes
    foreign.write_text("someone else's")
    write_atomic(tmp_path / "r.pdf", b"%PDF-whole")
    assert not stale.exists()
    assert other.exists()
    assert foreign.exists()
    remove_stale_temporaries(tmp_path)
    assert not other.exists()
    assert foreign.exists()


def test_a_temporary_a_live_writer_holds_is_kept(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    busy = tmp_path / f".r.pdf.live0001{TEMPORARY_SUFFIX}"
    with busy.open("wb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        write_atomic(tmp_path / "r.pdf", b"%PDF-whole")
        assert busy.exists()
    remove_stale_temporaries(tmp_path, target="r.pdf")
    assert not busy.exists()


def test_without_locks_only_old_temporaries_are_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outfiles, "fcntl", None)
    young = tmp_path / f".r.pdf.young001{TEMPORARY_SUFFIX}"
    old = tmp_path / f".r.pdf.old00001{TEMPORARY_SUFFIX}"
    young.write_bytes(b"x")
    old.write_bytes(b"x")
    long_ago = time.time() - 2 * outfiles.STALE_AFTER_SECONDS
    os.utime(old, (long_ago, long_ago))
    remove_stale_temporaries(tmp_path, target="r.pdf")
    assert young.exists()
    assert not old.exists()
