"""Every command that writes files, as a user runs it: what it refuses, and what it says when writing fails."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from dhti import outfiles

DATA = Path(__file__).parent / "data"
COMPLETE = str(DATA / "responses" / "mini-complete.yaml")
STORE_DATA = DATA / "store"
CENTRAL = DATA / "interop" / "odk-central-station.csv"


def _clean_failure(result, *expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.stderr


@pytest.fixture
def store(dhti, tmp_path: Path) -> str:
    db = str(tmp_path / "store.sqlite")
    files = [STORE_DATA / name for name in ("hospital-2026.yaml", "centre-2026.yaml")]
    assert dhti("db", "ingest", *files, "--db", db).exit_code == 0
    return db


@pytest.mark.parametrize("command", ["report", "aggregate"])
def test_reports_replace_an_existing_file_only_with_force(dhti, tmp_path: Path, store: str, command: str) -> None:
    target = tmp_path / "r.html"
    target.write_text("mine")
    args = ["report", COMPLETE] if command == "report" else ["aggregate", "--db", store]
    refused = dhti(*args, "-o", target)
    _clean_failure(refused, f"{target} exists already; use --force to overwrite it")
    assert target.read_text() == "mine"
    forced = dhti(*args, "-o", target, "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    "command",
    [
        ["report", COMPLETE, "--force"],
        ["db", "export", "--force"],
        ["init", "mini", "--force"],
        ["export", "schema", "mini", "--force"],
    ],
)
def test_writers_refuse_symlinks_and_fifos_even_with_force(
    dhti, tmp_path: Path, store: str, command: list[str]
) -> None:
    aim = tmp_path / "aim"
    aim.write_text("keep")
    link, fifo = tmp_path / "link.html", tmp_path / "fifo.html"
    link.symlink_to(aim)
    os.mkfifo(fifo)
    extra = ["--db", store] if command[0] == "db" else []
    _clean_failure(dhti(*command, *extra, "-o", link), f"{link} is a symbolic link")
    _clean_failure(dhti(*command, *extra, "-o", fifo), f"{fifo} is not a regular file (a FIFO)")
    assert link.is_symlink()
    assert fifo.is_fifo()
    assert aim.read_text() == "keep"


def _commands(tmp_path: Path, store: str) -> dict[str, list[object]]:
    out = tmp_path / "out"
    return {
        "report": ["report", COMPLETE, "-o", out / "r.pdf"],
        "db export": ["db", "export", "--db", store, "-o", out / "e.csv"],
        "db export xlsx": ["db", "export", "--db", store, "--format", "xlsx", "-o", out / "e.xlsx"],
        "init": ["init", "mini", "-o", out / "r.yaml"],
        "export xlsform": ["export", "xlsform", "mini", "-o", out / "f.xlsx"],
        "export fhir": ["export", "fhir", "mini", "-o", out / "f.json"],
        "export schema": ["export", "schema", "mini", "-o", out / "s.json"],
        "export fhir-response": ["export", "fhir-response", COMPLETE, "-o", out / "f.json"],
        "import odk": ["import", "odk", CENTRAL, "-o", out / "odk"],
        "aggregate": ["aggregate", "--db", store, "-o", out / "a.html"],
        "batch": ["batch", STORE_DATA, "-o", out / "batch", "--db", store, "--jobs", "1"],
        "demo": ["demo", "-o", out / "demo"],
        "simulate": ["simulate", "-o", out / "sim", "--questionnaire", "dhti-clinic", "--entities", 1, "--rounds", 1],
    }


@pytest.mark.parametrize("name", list(_commands(Path(), "")))
def test_a_read_only_or_full_disk_is_one_message_and_no_temporary_file(
    dhti, tmp_path: Path, store: str, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    (tmp_path / "out").mkdir()
    if name == "import odk":
        (tmp_path / "out" / "odk").mkdir()

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(outfiles.os, "replace", read_only)
    result = dhti(*_commands(tmp_path, store)[name])
    monkeypatch.undo()
    _clean_failure(result, "dhti: error: cannot write ", ": Read-only file system")
    leftovers = [p for p in (tmp_path / "out").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.parametrize("name", ["batch", "demo", "import odk", "simulate"])
def test_an_output_folder_that_cannot_be_made_is_one_message(dhti, tmp_path: Path, store: str, name: str) -> None:
    (tmp_path / "out").write_text("a file, where a folder would go")
    result = dhti(*_commands(tmp_path, store)[name])
    _clean_failure(result, f"{tmp_path / 'out'}")


def test_db_export_takes_its_format_from_the_suffix(dhti, tmp_path: Path, store: str) -> None:
    for name, start in [
        ("e.xlsx", b"PK\x03\x04"),
        ("e.json", b"["),
        ("e.csv", b"assessment_id,"),
        ("e.txt", b"assessment_id,"),
    ]:
        result = dhti("db", "export", "--db", store, "-o", tmp_path / name)
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).read_bytes().startswith(start), name
    contradiction = dhti("db", "export", "--db", store, "--format", "csv", "-o", tmp_path / "x.xlsx", "--lang", "en")
    assert contradiction.exit_code == 2
    assert "--format csv contradicts the suffix of 'x.xlsx'" in contradiction.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_init_warns_when_the_name_is_not_one_ingest_picks_up(dhti, tmp_path: Path) -> None:
    for name in ("a.json", "b"):
        result = dhti("init", "mini", "-o", tmp_path / name, "--lang", "en")
        assert result.exit_code == 0, result.output
        assert f"warning: {tmp_path / name} does not end in .yaml or .yml" in result.stderr
    quiet = dhti("init", "mini", "-o", tmp_path / "c.yml")
    assert "warning" not in quiet.stderr


def test_a_dash_means_stdout_where_a_command_prints(dhti, tmp_path: Path, store: str) -> None:
    exported = dhti("db", "export", "--db", store, "-o", "-")
    assert exported.stdout.startswith("assessment_id,")
    schema = dhti("export", "schema", "mini", "-o", "-")
    assert schema.stdout.startswith("{")
    assert not Path("-").exists()
