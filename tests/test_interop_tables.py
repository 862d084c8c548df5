"""dhti import odk: a table may expand only so far, and a damaged workbook is refused in one line."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from dhti.interop import tables

CENTRAL = Path(__file__).parent / "data" / "interop" / "odk-central-station.csv"
SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def central_workbook(path: Path) -> Path:
    """The ODK Central test export saved as a workbook, as a user's spreadsheet program would."""
    workbook = Workbook()
    sheet = workbook.active
    for row in csv.reader(io.StringIO(CENTRAL.read_text(encoding="utf-8"))):
        sheet.append(row)
    workbook.save(path)
    return path


def rewrite_sheet(source: Path, target: Path, *, rows_xml: str, dimension: str | None) -> Path:
    """``source`` with ``rows_xml`` added to its first sheet, and its dimension set (or dropped)."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members[SHEET].decode()
    replacement = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = re.sub(r'<dimension ref="[^"]*"\s*/>', replacement, sheet)
    members[SHEET] = sheet.replace("</sheetData>", rows_xml + "</sheetData>").encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def one_cell_rows(first: int, count: int, column: str) -> str:
    return "".join(f'<row r="{n}"><c r="{column}{n}"><v>1</v></c></row>' for n in range(first, first + count))


def import_in_a_child(path: Path, out: Path) -> tuple[int, int, str]:
    """Run the import in a fresh interpreter: its exit code, peak memory in MiB, and stderr.

    The peak is the interpreter's own high-water mark (VmHWM). ``ru_maxrss`` would not do: Linux
    carries it over from the process that started the child, so a large test run would be
    measured instead of the import.
    """
    code = (
        "import re, sys\n"
        "from dhti.cli import main\n"
        "try:\n"
        f"    main(['import', 'odk', {str(path)!r}, '-o', {str(out)!r}])\n"
        "except SystemExit as end:\n"
        "    status = end.code\n"
        "with open('/proc/self/status', encoding='ascii') as proc:\n"
        "    kib = int(re.search(r'VmHWM:\\s+(\\d+) kB', proc.read()).group(1))\n"
        "print(status, kib // 1024)\n"
    )
    english = {**os.environ, "DHTI_LANG": "en"}  # the messages these tests pin are English
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False, env=english
    )
    status, peak = done.stdout.split()
    return int(status), int(peak), done.stderr


def test_the_central_workbook_imports(dhti, tmp_path) -> None:
    workbook = central_workbook(tmp_path / "central.xlsx")
    result = dhti("import", "odk", workbook, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith("3 submission(s): 3 written, 0 skipped\n")


def test_a_zip_bomb_is_refused_by_its_dimension_quickly_and_in_little_memory(tmp_path) -> None:
    base = central_workbook(tmp_path / "base.xlsx")
    bomb = rewrite_sheet(
        base, tmp_path / "bomb.xlsx", rows_xml=one_cell_rows(5, 300_000, "XFD"), dimension="A1:XFD300004"
    )
    assert bomb.stat().st_size < 2_000_000
    status, peak, stderr = import_in_a_child(bomb, tmp_path / "out")
    assert status == 1
    assert stderr == (
        f"{bomb}:1:1: error: the first sheet has 300,003 rows of submissions (dimension A1:XFD300004);"
        " the limit is 20,000\n"
    )
    assert peak < 500
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("dimension", "rows_xml", "message"),
    [
        (None, one_cell_rows(5, 100_000, "A"), "the first sheet has more than 20,000 rows of submissions"),
        ("A1:B2", one_cell_rows(5, 100_000, "A"), "the first sheet has more than 20,000 rows of submissions"),
        (None, '<row r="1048576"><c r="A1048576"><v>1</v></c></row>', "the first sheet has more than 20,000 rows"),
        (None, '<row r="5"><c r="XFD5"><v>1</v></c></row>', "row 5 has 16,384 columns; the limit is 2,000"),
    ],
)
def test_a_sheet_that_hides_its_size_is_refused_while_streaming(
    tmp_path, dimension: str | None, rows_xml: str, message: str
) -> None:
    bomb = rewrite_sheet(
        central_workbook(tmp_path / "base.xlsx"), tmp_path / "b.xlsx", rows_xml=rows_xml, dimension=dimension
    )
    status, peak, stderr = import_in_a_child(bomb, tmp_path / "out")
    assert status == 1
    assert stderr.startswith(f"{bomb}:")
    assert message in stderr
    assert len(stderr.splitlines()) == 1
    assert peak < 500


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zip_with_too_many_members_is_refused(dhti, tmp_path) -> None:
    path = write_zip(tmp_path / "many.xlsx", {f"x/{n}.xml": b"<a/>" for n in range(1001)})
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:1:1: error: the workbook holds 1,001 files; the limit is 1,000\n"


def test_a_member_that_packs_too_tightly_is_refused(dhti, tmp_path) -> None:
    path = write_zip(tmp_path / "zeros.xlsx", {SHEET: b"\0" * 20_000_000})
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert re.fullmatch(
        rf"{re.escape(str(path))}:1:1: error: {SHEET} unpacks to \d+ times its packed size; the limit is 200\n",
        result.stderr,
    )


def test_a_workbook_that_unpacks_too_large_is_refused(dhti, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(tables, "MAX_UNPACKED", 1024 * 1024)
    path = write_zip(tmp_path / "big.xlsx", {SHEET: bytes(range(256)) * 8192})
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:1:1: error: the workbook unpacks to 2.0 MiB; the limit is 1 MiB\n"


def test_shared_strings_that_unpack_too_large_are_refused(dhti, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(tables, "MAX_SHARED_STRINGS", 1024 * 1024)
    workbook = Workbook()
    workbook.active.append(["dhti_questionnaire", "entity_id"])
    workbook.save(tmp_path / "base.xlsx")
    with zipfile.ZipFile(tmp_path / "base.xlsx") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    strings = "".join(f"<si><t>{n:07}</t></si>" for n in range(100_000))
    members["xl/strings.xml"] = f'<sst xmlns="{MAIN}">{strings}</sst>'.encode()
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    part = f'<Override PartName="/xl/strings.xml" ContentType="{kind}"/></Types>'
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"</Types>", part.encode())
    path = write_zip(tmp_path / "strings.xlsx", members)
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:1:1: error: the workbook's shared strings unpack to 2.2 MiB; the limit is 1 MiB\n"


def test_a_table_of_too_many_cells_is_refused(dhti, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(tables, "MAX_CELLS", 100)
    result = dhti("import", "odk", CENTRAL, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{CENTRAL}:2:1: error: the table has more than 100 cells, the most dhti imports at once; split the export\n"
    )


def add_row(members: dict[str, bytes], cells: str) -> None:
    members[SHEET] = members[SHEET].replace(b"</sheetData>", f'<row r="5">{cells}</row></sheetData>'.encode())


def damaged(path: Path, change) -> Path:
    with zipfile.ZipFile(central_workbook(path.with_suffix(".base.xlsx"))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    return write_zip(path, members)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.pop(SHEET), "the workbook has no sheet"),
        (lambda m: m.__setitem__(SHEET, m[SHEET][: len(m[SHEET]) // 2]), "not a readable .xlsx workbook"),
        (lambda m: add_row(m, '<c r="A5" t="n"><v>x1</v></c>'), "not a readable .xlsx workbook"),
        (lambda m: add_row(m, '<c r="A5" t="s"><v>99</v></c>'), "not a readable .xlsx workbook"),
        (lambda m: m.pop("xl/workbook.xml"), "not a readable .xlsx workbook"),
    ],
    ids=["no-sheet", "truncated-sheet", "bad-number", "bad-string-index", "no-workbook"],
)
def test_a_damaged_workbook_is_refused_in_one_line(dhti, tmp_path, change, message: str) -> None:
    path = damaged(tmp_path / "damaged.xlsx", change)
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:1:1: error: {message}")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (2_500, "row 1 has 2,501 columns; the limit is 2,000"),
        (1_000_000, "row 1 holds more than 100,000 ','; the limit is 2,000 columns"),
    ],
)
def test_a_csv_with_too_many_columns_is_refused_in_one_line(dhti, tmp_path, columns: int, message: str) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("dhti_questionnaire," + ",".join(f"c{n}" for n in range(columns)) + "\n", encoding="utf-8")
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:1:1: error: {message}\n"


def test_quoted_delimiters_do_not_count_as_columns(dhti, tmp_path) -> None:
    path = tmp_path / "quoted.csv"
    header = "dhti_questionnaire,entity_id,entity_type,assessment_date,policy.strategy.plan,assessment_notes\n"
    path.write_text(header + 'mini@1.0,01-BV-1,hospital,2026-10-20,none,"' + "," * 50_000 + '"\n', encoding="utf-8")
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert "columns" not in result.stderr
    assert "1 submission(s)" in result.stderr


def test_a_csv_line_of_forty_million_commas_is_refused_before_it_is_split(tmp_path) -> None:
    path = tmp_path / "commas.csv"
    path.write_text("dhti_questionnaire,entity_id\nx,y\n" + "," * 40_000_000 + "\n", encoding="utf-8")
    status, peak, stderr = import_in_a_child(path, tmp_path / "out")
    assert status == 1
    assert stderr == f"{path}:3:1: error: row 3 holds more than 100,000 ','; the limit is 2,000 columns\n"
    assert peak < 500


def test_a_csv_with_too_many_rows_is_refused(dhti, tmp_path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("dhti_questionnaire,entity_id\n" + "dhti-station@1.0,x\n" * 20_001, encoding="utf-8")
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:20002:1: error: the table has more than 20,000 rows of submissions, the most dhti imports at once;"
        " split the export\n"
    )


def test_many_unknown_columns_are_reported_twenty_at_a_time(dhti, tmp_path) -> None:
    path = tmp_path / "unknown.csv"
    header = ["dhti_questionnaire", "entity-entity_id", *(f"c{n}" for n in range(1500))]
    path.write_text(",".join(header) + "\n" + ",".join(["dhti-station@1.0", "x"] + [""] * 1500) + "\n", "utf-8")
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 21
    assert lines[0].startswith(f"{path}:1:3: error: unknown column 'c0'")
    assert lines[19].startswith(f"{path}:1:22: error: unknown column 'c19'")
    assert lines[20] == f"{path}:1:23: error: and 1,480 more problems with the columns from here on"
