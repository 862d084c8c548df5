"""The store commands as a user runs them: output, messages and exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from dhti.cli import main
from dhti.errors import OutputError
from dhti.outfiles import make_folder

pytest_plugins = ("conftest_store",)

STORE_DATA = Path(__file__).parent / "data" / "store"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def filled(dhti, store_url: str) -> str:
    """A store holding the hospital's two assessments and the health centre's one."""
    files = [str(STORE_DATA / n) for n in ("hospital-2025.yaml", "hospital-2026.yaml", "centre-2026.yaml")]
    result = dhti("db", "ingest", *files, db=store_url)
    assert result.exit_code == 0, result.output
    return store_url


def test_ingest_lists_each_file_skips_invalid_ones_and_exits_1(dhti, tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite")
    files = [str(STORE_DATA / n) for n in ("hospital-2026.yaml", "invalid.yaml", "not-a-response.yaml")]
    result = dhti("db", "ingest", *files, "--lang", "en", db=db)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["file", "entity", "date", "index", "store"]
    assert lines[2].split()[1:] == ["01-BV-0001", "2026-10-15", "90.0", "stored", "#1"]
    assert lines[3].endswith("invalid (2 errors)")
    assert lines[4].endswith("invalid (1 error)")
    assert "invalid.yaml:9:25: error: policy.strategy.plan: 'finished' is not one of the options" in result.stderr
    assert "not-a-response.yaml:2:1: error: a response must be a mapping" in result.stderr
    assert f"3 file(s): 1 stored, 0 already stored, 2 invalid; store: {db}" in result.stderr
    again = dhti("db", "ingest", files[0], "--format", "json", db=db)
    assert again.exit_code == 0
    [entry] = json.loads(again.stdout)
    assert (entry["status"], entry["assessment_id"], entry["entity_id"]) == ("duplicate", 1, "01-BV-0001")
    as_csv = dhti("db", "ingest", str(STORE_DATA / "hospital-2025.yaml"), "--format", "csv", db=db)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["status"], r["assessment_id"], r["errors"]) for r in rows] == [("stored", "2", "0")]


def test_ingest_reads_the_store_from_dhti_db(dhti, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DHTI_DB", str(tmp_path / "env.sqlite"))
    result = dhti("db", "ingest", str(STORE_DATA / "centre-2026.yaml"), "--lang", "en")
    assert result.exit_code == 0
    assert f"store: {tmp_path / 'env.sqlite'}" in result.stderr


def test_list_filters_and_formats(dhti, filled: str) -> None:
    table = dhti("db", "list", "--lang", "en", db=filled)
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].split() == [
        "id",
        "date",
        "entity",
        "name",
        "type",
        "province",
        "questionnaire",
        "index",
        "stage",
    ]
    assert len(table.stdout.splitlines()) == 5
    assert "3 of 3 assessment(s) in" in table.stderr
    hanoi = dhti("db", "list", "--province", "ha noi", "--since", "2026-01-01", "--format", "json", db=filled)
    [only] = json.loads(hanoi.stdout)
    assert (only["entity"]["id"], only["assessment"]["date"], only["index"]) == ("01-BV-0001", "2026-10-15", 90.0)
    assert only["indicators"] == [{"id": "policy.strategy", "score": 100.0}, {"id": "capacity.systems", "score": 80.0}]
    latest = dhti("db", "list", "--latest", "--format", "csv", db=filled)
    rows = list(csv.DictReader(io.StringIO(latest.stdout)))
    assert [(r["entity_id"], r["date"]) for r in rows] == [
        ("../TTYT Bát Xát/02", "2026-09-01"),
        ("01-BV-0001", "2026-10-15"),
    ]
    none = dhti("db", "list", "--type", "clinic", "--lang", "en", db=filled)
    assert none.exit_code == 0
    assert "0 of 3 assessment(s)" in none.stderr
    bad_date = dhti("db", "list", "--since", "15/10/2026", db=filled)
    assert bad_date.exit_code == 2
    assert "'15/10/2026' does not match the format '%Y-%m-%d'" in bad_date.stderr


def test_history_shows_changes_since_the_previous_assessment(dhti, filled: str) -> None:
    result = dhti("history", "01-BV-0001", "--lang", "en", db=filled)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Bệnh viện Đa khoa Mẫu (01-BV-0001, hospital, Hà Nội)"
    assert lines[2].split() == ["id", "date", "questionnaire", "index", "stage", "complete", "Policy", "Capacity"]
    assert lines[4].split()[1:] == ["2025-10-15", "mini@1.0", "23.3", "2", "100%", "25.0", "21.7"]
    assert lines[5].split()[1:] == [
        "2026-10-15",
        "mini@1.0",
        "90.0",
        "(+66.7)",
        "5",
        "100%",
        "100.0",
        "(+75.0)",
        "80.0",
        "(+58.3)",
    ]
    vi = dhti("history", "01-BV-0001", "--lang", "vi", db=filled)
    assert "90,0 (+66,7)" in vi.stdout
    as_json = json.loads(dhti("history", "01-BV-0001", "--format", "json", db=filled).stdout)
    assert [step["index_change"] for step in as_json] == [None, pytest.approx(66.6666666)]
    assert as_json[1]["domains"][0] == {"id": "policy", "score": 100.0, "stage": 5, "change": 75.0}
    as_csv = list(csv.DictReader(io.StringIO(dhti("history", "01-BV-0001", "--format", "csv", db=filled).stdout)))
    assert [r["domain:policy:change"] for r in as_csv] == ["", "75.0"]


def test_history_of_an_unknown_entity_suggests_close_ids(dhti, filled: str) -> None:
    result = dhti("history", "01-BV-001", db=filled)
    assert result.exit_code == 1
    assert "dhti: error: no assessment of entity '01-BV-001' in " in result.stderr
    assert "did you mean '01-BV-0001'?" in result.stderr
    assert result.stdout == ""


def test_compare_two_entities_per_indicator(dhti, filled: str) -> None:
    result = dhti("compare", "01-BV-0001", "../TTYT Bát Xát/02", "--lang", "en", db=filled)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "A: #2 Bệnh viện Đa khoa Mẫu (01-BV-0001), 2026-10-15, mini@1.0"
    assert lines[1] == "B: #3 Trung tâm Y tế huyện Bát Xát (../TTYT Bát Xát/02), 2026-09-01, mini@1.0"
    rows = [line.split() for line in lines[4:]]
    assert rows == [
        ["index", "90.0", "11.7", "-78.3"],
        ["stage", "5", "1", "-4"],
        ["Policy", "100.0", "0.0", "-100.0"],
        ["Strategy", "100.0", "0.0", "-100.0"],
        ["Capacity", "80.0", "23.3", "-56.7"],
        ["Systems", "80.0", "23.3", "-56.7"],
    ]
    as_json = json.loads(dhti("compare", "#1", "#2", "--format", "json", "--lang", "vi", db=filled).stdout)
    assert (as_json["a"]["id"], as_json["b"]["id"]) == (1, 2)
    assert as_json["rows"][2] == {
        "kind": "domain",
        "id": "policy",
        "title": "Chính sách",
        "a": 25.0,
        "b": 100.0,
        "difference": 75.0,
    }
    as_csv = dhti("compare", "1", "2", "--format", "csv", db=filled).stdout
    assert as_csv.splitlines()[0] == "kind,id,title,a:1,b:2,difference"


def test_compare_refuses_what_it_cannot_find(dhti, filled: str) -> None:
    missing = dhti("compare", "#1", "#9", db=filled)
    assert missing.exit_code == 1
    assert "has no assessment #9" in missing.stderr
    unknown = dhti("compare", "01-BV-0001", "nobody", db=filled)
    assert unknown.exit_code == 1
    assert "no assessment of entity 'nobody'" in unknown.stderr


def test_export_csv_json_and_xlsx(dhti, filled: str, tmp_path: Path) -> None:
    as_csv = dhti("db", "export", db=filled)
    assert as_csv.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == 3
    assert list(rows[0])[8:] == [
        "index",
        "stage",
        "completeness",
        "domain:policy",
        "domain:capacity",
        "indicator:policy.strategy",
        "indicator:capacity.systems",
        "recommendations",
        "content_hash",
        "source_file",
        "ingested_at",
    ]
    assert float(rows[2]["indicator:capacity.systems"]) == 80.0
    as_json = json.loads(dhti("db", "export", "--format", "json", "--type", "health_centre", db=filled).stdout)
    assert [(r["entity_id"], r["domain:policy"]) for r in as_json] == [("../TTYT Bát Xát/02", 0.0)]
    target = tmp_path / "all.xlsx"
    written = dhti("db", "export", "--format", "xlsx", "-o", str(target), "--lang", "en", db=filled)
    assert written.exit_code == 0
    assert f"wrote 3 assessment(s) to {target}" in written.stderr
    book = load_workbook(target, read_only=True)
    values = list(book["assessments"].iter_rows(values_only=True))
    book.close()  # a read-only workbook keeps its file open until closed
    assert values[0][:3] == ("assessment_id", "entity_id", "entity_name")
    assert values[3][12] == 80.0
    exists = dhti("db", "export", "--format", "xlsx", "-o", str(target), db=filled)
    assert exists.exit_code == 1
    assert "exists already; use --force" in exists.stderr
    assert dhti("db", "export", "--format", "xlsx", "-o", str(target), "--force", db=filled).exit_code == 0
    no_file = dhti("db", "export", "--format", "xlsx", "--lang", "en", db=filled)
    assert no_file.exit_code == 2
    assert "--format xlsx writes a binary file: give -o FILE.xlsx" in no_file.stderr


def test_xlsx_keeps_formula_like_text_as_text(dhti, tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite")
    text = (STORE_DATA / "centre-2026.yaml").read_text(encoding="utf-8")
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        text.replace('name: "Trung tâm Y tế huyện Bát Xát"', 'name: "=HYPERLINK(\\"http://x\\")"'), encoding="utf-8"
    )
    assert dhti("db", "ingest", str(hostile), db=db).exit_code == 0
    target = tmp_path / "x.xlsx"
    assert dhti("db", "export", "--format", "xlsx", "-o", str(target), db=db).exit_code == 0
    cell = load_workbook(target)["assessments"]["C2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")


def test_batch_command_writes_reports_and_a_summary(dhti, tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for name in ("hospital-2026.yaml", "invalid.yaml"):
        shutil.copy(STORE_DATA / name, source / name)
    out = tmp_path / "out"
    result = dhti("batch", str(source), "-o", str(out), "--jobs", "1", "--lang", "en", db=str(tmp_path / "s.sqlite"))
    assert result.exit_code == 1  # one file is invalid
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["file", "entity", "date", "index", "store", "reports"]
    assert lines[2].split()[1:] == [
        "01-BV-0001",
        "2026-10-15",
        "90.0",
        "stored",
        "#1",
        "01-bv-0001-2026-10-15",
        ".html",
        "(new)",
    ]
    assert "invalid.yaml:9:25: error:" in result.stderr
    assert "2 file(s): 1 stored, 0 already stored, 1 invalid; 1 report(s) written" in result.stderr
    assert (out / "01-bv-0001-2026-10-15.html").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["batch", "{src}", "-o", "{src}/out", "--lang", "en"], "the output folder {src}/out is inside {src}"),
        (["batch", "{empty}", "-o", "{tmp}/out"], "{empty}: no response files (*.yaml, *.yml) in this folder"),
        (["db", "ingest", "{empty}"], "{empty}: no response files (*.yaml, *.yml) in this folder"),
    ],
)
def test_folder_errors_exit_1_with_a_message(dhti, tmp_path: Path, args: list[str], message: str) -> None:
    src, empty = tmp_path / "src", tmp_path / "empty"
    src.mkdir()
    empty.mkdir()
    shutil.copy(STORE_DATA / "centre-2026.yaml", src)
    names = {"src": src, "empty": empty, "tmp": tmp_path}
    result = dhti(*(a.format(**names) for a in args), db=str(tmp_path / "s.sqlite"))
    assert result.exit_code == 1
    assert f"dhti: error: {message.format(**names)}" in result.stderr
    assert "Traceback" not in result.output


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", [["db", "list"], ["db", "export"], ["history", "x"], ["compare", "a", "b"]])
def test_store_errors_exit_1_without_a_traceback(dhti, tmp_path: Path, command: list[str]) -> None:
    unreachable = dhti(*command, db=f"postgresql://dhti:pw@127.0.0.1:{_closed_port()}/dhti")
    assert unreachable.exit_code == 1
    assert "dhti: error: cannot open the store postgresql+psycopg://dhti:***@127.0.0.1:" in unreachable.stderr
    bad_url = dhti(*command, db="mysql://localhost/dhti")
    assert bad_url.exit_code == 1
    assert "dhti: error: unsupported database URL scheme 'mysql'" in bad_url.stderr
    nowhere = dhti(*command, db=str(tmp_path / "no" / "s.sqlite"))
    assert nowhere.exit_code == 1
    assert "dhti: error: the store " in nowhere.stderr
    assert "does not exist yet; add assessments with: dhti db ingest FILE|DIR" in nowhere.stderr


def test_every_store_command_explains_itself(runner: CliRunner) -> None:
    for command in (["db"], ["db", "ingest"], ["db", "list"], ["db", "export"], ["history"], ["compare"], ["batch"]):
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage: " in result.stdout
    assert "DHTI_DB" in runner.invoke(main, ["db", "list", "--help"]).stdout


def test_validate_does_not_import_the_store_libraries() -> None:
    sample = next((ROOT / "questionnaires" / "examples").glob("*.yaml"))
    code = (
        "import sys\n"
        "from dhti.cli import main\n"
        f"try:\n    main(['validate', {str(sample)!r}])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', 'psycopg', 'openpyxl'})\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


SAMPLES = ROOT / "questionnaires" / "examples"


def test_read_and_write_commands_leave_another_applications_database_alone(dhti, tmp_path: Path) -> None:
    import sqlite3  # noqa: PLC0415

    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE foo (x)")
    before = other.read_bytes()
    for command in (["db", "list"], ["db", "ingest", str(STORE_DATA / "hospital-2026.yaml")]):
        result = dhti(*command, db=str(other))
        assert result.exit_code == 1
        assert f"dhti: error: {other} is not a dhti store (it holds tables: foo)" in result.stderr
        assert "Traceback" not in result.output
    assert other.read_bytes() == before


def test_an_empty_file_is_an_empty_store_to_read_and_a_new_one_to_write(dhti, tmp_path: Path) -> None:
    empty = tmp_path / "new.sqlite"
    empty.touch()
    listed = dhti("db", "list", db=str(empty))
    assert listed.exit_code == 1
    assert f"dhti: error: the store {empty} is empty; add assessments with: dhti db ingest FILE|DIR" in listed.stderr
    assert empty.stat().st_size == 0
    assert dhti("db", "ingest", str(STORE_DATA / "hospital-2026.yaml"), db=str(empty)).exit_code == 0
    assert "1 of 1 assessment(s)" in dhti("db", "list", "--lang", "en", db=str(empty)).stderr


def test_compare_an_assessment_number_beyond_any_id(dhti, filled: str) -> None:
    result = dhti("compare", "#99999999999999999999999", "#2", db=filled)
    assert result.exit_code == 1
    assert "has no assessment #99999999999999999999999" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["db", "list"],
        ["db", "list", "--format", "json"],
        ["db", "export"],
        ["history", "01-BV-0001"],
        ["compare", "#1", "#2"],
        ["report", str(STORE_DATA / "hospital-2026.yaml"), "-o", "{tmp}/r.html"],
        ["aggregate", "-o", "{tmp}/p.html"],
    ],
)
def test_every_reader_names_a_row_edited_by_hand(dhti, tmp_path: Path, command: list[str]) -> None:
    import sqlite3  # noqa: PLC0415

    db = tmp_path / "s.sqlite"
    files = [str(STORE_DATA / n) for n in ("hospital-2025.yaml", "hospital-2026.yaml")]
    assert dhti("db", "ingest", *files, db=str(db)).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE assessments SET index_score = 'abc' WHERE id = 2")  # the newest
    result = dhti(*(part.format(tmp=tmp_path) for part in command), db=str(db))
    assert result.exit_code == 1
    assert (
        f"dhti: error: store {db}: assessment #2 has an invalid index_score ('abc'); "
        "the store may have been edited by hand"
    ) in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.html").exists()
    assert not (tmp_path / "p.html").exists()


def test_db_paths_are_file_names_not_urls(dhti, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("my?store.sqlite", "pct%41.sqlite", "file:uri.sqlite?mode=rwc"):
        stored = dhti("db", "ingest", str(STORE_DATA / "hospital-2026.yaml"), "--lang", "en", db=name)
        assert stored.exit_code == 0, stored.stderr
        assert f"store: {name}" in stored.stderr
        assert "Warning" not in stored.stderr
        assert f"1 of 1 assessment(s) in {name}" in dhti("db", "list", "--lang", "en", db=name).stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "file:uri.sqlite?mode=rwc",
        "my?store.sqlite",
        "pct%41.sqlite",
    ]


NFC_ID = "01-B\u1ec6NH-VI\u1ec6N"  # Ệ as one character
NFD_ID = "01-BE\u0302\u0323NH-VIE\u0302\u0323N"  # as macOS keyboards type it


def test_ids_typed_decomposed_find_the_stored_ones(dhti, tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite")
    text = (STORE_DATA / "hospital-2026.yaml").read_text(encoding="utf-8").replace("01-BV-0001", NFC_ID)
    response = tmp_path / "r.yaml"
    response.write_text(text, encoding="utf-8")
    assert dhti("db", "ingest", str(response), db=db).exit_code == 0
    history = dhti("history", NFD_ID, db=db)
    assert history.exit_code == 0, history.stderr
    assert dhti("compare", NFD_ID, NFD_ID, db=db).exit_code == 0
    assert "1 of 1 assessment(s)" in dhti("db", "list", "--entity", NFD_ID, "--lang", "en", db=db).stderr
    exported = dhti("db", "export", "--entity", NFD_ID, "--format", "json", db=db)
    assert [row["entity_id"] for row in json.loads(exported.stdout)] == [NFC_ID]
    nfd_type = "hospital"  # types are ASCII; a decomposed province still matches
    listed = dhti("db", "list", "--type", nfd_type, "--province", "Ha\u0300 No\u0323\u0302i", "--lang", "en", db=db)
    assert "1 of 1 assessment(s)" in listed.stderr


def test_compare_across_questionnaires_shows_no_difference(dhti, tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite")
    files = [str(SAMPLES / n) for n in ("central-hospital-hanoi.yaml", "commune-station-urban-can-tho.yaml")]
    assert dhti("db", "ingest", *files, db=db).exit_code == 0
    table = dhti("compare", "#1", "#2", "--lang", "en", db=db)
    assert table.exit_code == 0
    assert (
        "warning: A answers dhti-facility@2.0 and B dhti-station@2.0: different questionnaires, "
        "so their scores are shown side by side without a difference"
    ) in table.stderr
    rows = table.stdout.splitlines()[4:]
    assert rows[0].split() == ["index", "83.4", "69.4"]  # the 2.0 samples: Hà Nội 83.4, Cần Thơ 69.4
    assert rows[1].split() == ["stage", "5", "4"]
    as_json = json.loads(dhti("compare", "#1", "#2", "--format", "json", db=db).stdout)
    assert {row["difference"] for row in as_json["rows"]} == {None}
    as_csv = list(csv.DictReader(io.StringIO(dhti("compare", "#1", "#2", "--format", "csv", db=db).stdout)))
    assert {row["difference"] for row in as_csv} == {""}
    same = dhti("compare", "#1", "#1", db=db)
    assert "warning" not in same.stderr


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A folder (to fill) and the same folder seen read-only: a read-only bind mount as root, else mode 0555."""
    source, seen = tmp_path / "src", tmp_path / "ro"
    source.mkdir()
    seen.mkdir()
    if os.geteuid() != 0:
        yield source, source
        source.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "--bind", str(source), str(seen)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("cannot make a read-only folder here (not allowed to mount, and root writes anywhere)")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(seen)], capture_output=True, check=True)
        yield source, seen
    finally:
        subprocess.run(["umount", str(seen)], capture_output=True, check=False)


def test_a_store_on_read_only_media_can_be_listed_and_reported(
    dhti, tmp_path: Path, read_only_folder: tuple[Path, Path]
) -> None:
    source, seen = read_only_folder
    files = [str(STORE_DATA / n) for n in ("hospital-2025.yaml", "hospital-2026.yaml")]
    assert dhti("db", "ingest", *files, db=str(source / "s.sqlite")).exit_code == 0
    if source == seen:
        source.chmod(0o555)
    db = str(seen / "s.sqlite")
    listed = dhti("db", "list", "--lang", "en", db=db)
    assert listed.exit_code == 0, listed.stderr
    assert "2 of 2 assessment(s)" in listed.stderr
    assert dhti("history", "01-BV-0001", db=db).exit_code == 0
    assert dhti("compare", "#1", "#2", db=db).exit_code == 0
    assert dhti("db", "export", db=db).exit_code == 0
    report = dhti("report", files[1], "-o", str(tmp_path / "r.html"), db=db)
    assert report.exit_code == 0, report.stderr
    assert sorted(p.name for p in seen.iterdir()) == ["s.sqlite"]
    refused = dhti("db", "ingest", str(STORE_DATA / "centre-2026.yaml"), db=db)
    assert refused.exit_code == 1
    assert "Traceback" not in refused.output


HOSTILE_VARIANTS = {
    "nul.yaml": (
        '  name: "Bệnh viện Đa khoa Mẫu"',
        r'  name: "evil\x00nul"',
        "5:9: error: entity.name: control character",
    ),
    "long-id.yaml": ('  id: "01-BV-0001"', f'  id: "{"x" * 10_000}"', "4:7: error: entity.id: 10,000 characters"),
    "long-province.yaml": ('  province: "Hà Nội"', f'  province: "{"x" * 10_000}"', "7:13: error: entity.province"),
    "far-future.yaml": ("  date: 2026-10-15", "  date: 9999-12-31", "9:9: error: assessment.date: must be between"),
    "huge-number.yaml": (
        "  capacity.systems.pacs_share: 95",
        "  capacity.systems.pacs_share: " + "9" * 4000,
        "14:32: error: a number written with 4000 characters",
    ),
}


def test_what_validate_refuses_never_reaches_either_store(dhti, store_url: str, tmp_path: Path) -> None:
    # PostgreSQL refuses NUL and over-long index entries that SQLite stores: validation refuses them for both.
    good = (STORE_DATA / "hospital-2026.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (old, new, _message) in HOSTILE_VARIANTS.items():
        assert old in good
        (folder / name).write_text(good.replace(old, new, 1), encoding="utf-8")
    shutil.copy(STORE_DATA / "centre-2026.yaml", folder / "zz-good.yaml")
    validated = dhti("validate", str(folder))
    result = dhti("db", "ingest", str(folder), "--lang", "en", db=store_url)
    for name, (_old, _new, message) in HOSTILE_VARIANTS.items():
        assert f"{folder / name}:{message}" in validated.stdout
        assert f"{folder / name}:{message}" in result.stderr
    assert validated.exit_code == result.exit_code == 1
    assert "6 file(s): 1 stored, 0 already stored, 5 invalid" in result.stderr
    assert "Traceback" not in result.output


def test_an_invalid_file_counts_all_its_errors_but_shows_the_first(dhti, tmp_path: Path) -> None:
    keys = "".join(f"  policy.strategy.zz{i:04d}: 1\n" for i in range(60))
    good = (STORE_DATA / "hospital-2026.yaml").read_text(encoding="utf-8")
    path = tmp_path / "many.yaml"
    path.write_text(good.replace("answers:\n", "answers:\n" + keys, 1), encoding="utf-8")
    result = dhti("db", "ingest", str(path), "--lang", "en", db=str(tmp_path / "s.sqlite"))
    assert result.exit_code == 1
    assert "invalid (60 errors)" in result.stdout
    assert "… and 10 more problems" in result.stderr
    assert result.stderr.count("unknown question id") == 50


def test_batch_lowers_too_many_jobs_and_says_so(dhti, tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(STORE_DATA / "hospital-2026.yaml", source)
    result = dhti(
        "batch",
        str(source),
        "-o",
        str(tmp_path / "out"),
        "--jobs",
        "1000",
        "--lang",
        "en",
        db=str(tmp_path / "s.db"),
    )
    assert result.exit_code == 0, result.output
    assert "warning: --jobs 1000 lowered to " in result.stderr


def test_batch_into_a_path_under_a_file_is_one_message(dhti, tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(STORE_DATA / "hospital-2026.yaml", source)
    taken = tmp_path / "out"
    taken.write_text("not a folder", encoding="utf-8")
    result = dhti("batch", str(source), "-o", str(taken / "reports"), db=str(tmp_path / "s.db"))
    assert result.exit_code == 1
    assert f"dhti: error: cannot create folder {taken / 'reports'}: Not a directory" in result.stderr
    assert "Traceback" not in result.output
    assert taken.read_text(encoding="utf-8") == "not a folder"
    with pytest.raises(OutputError, match="it is a file, not a folder"):  # what a library caller gets
        make_folder(taken)
