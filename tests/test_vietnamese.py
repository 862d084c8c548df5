"""In Vietnamese, the commands print no English: every interface word comes from the catalogue.

Each command runs twice, with ``--lang vi`` and with only ``LANG=vi_VN.UTF-8`` set. Its stdout and
stderr are split into words; ids, paths, numbers and options are dropped, and so are the words of
the questionnaire's and the response files' own (Vietnamese) texts. Every ASCII word left must be
a code a user types or reads as such (file keys, option values, entity types, ``error:``); so a
new English message fails here until it is in the catalogue.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from dhti.cli import main

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.yaml"
COMPLETE = DATA / "responses" / "mini-complete.yaml"
PROBLEMS = DATA / "responses" / "mini-problems.yaml"
STORED = [DATA / "store" / name for name in ("hospital-2025.yaml", "hospital-2026.yaml", "centre-2026.yaml")]

# Words that are codes, not English prose: what dhti's files, options and severities are made of.
CODES = {
    # programs, formats and the severities of FILE:LINE:COL: severity: message
    *("dhti", "yaml", "yml", "json", "csv", "html", "pdf", "xlsx", "sqlite", "error", "warning"),
    # the keys of a response file, which init writes and its comments name
    *("questionnaire", "entity", "assessment", "answers", "id", "name", "type", "province", "district"),
    *("commune", "ownership", "level", "beds", "date", "assessor", "respondent", "notes"),
    *("value", "evidence", "comment", "schema", "yaml-language-server"),
    # answer codes, and the values of entity fields
    *("yes", "no", "na", "public", "private", "central", "provincial", "regional"),
    *("hospital", "ministry", "clinic"),  # entity types (the others have an underscore)
    # commands and their arguments as a user types them (in `dhti validate FILE`)
    *("validate", "ingest", "db", "batch", "dir", "file"),
    # abbreviations used in Vietnamese as they are
    *("gdhm", "his", "lis", "pacs", "cpu", "vd", "qd", "bv", "iso"),
    "ii",  # a hospital grade in Roman numerals (hạng II)
}
# Vietnamese words that happen to be written without diacritics.
UNMARKED_VIETNAMESE = {
    *("trong", "theo", "cho", "cao", "khi", "tin", "hay", "minh", "thang", "quan", "ghi", "thay", "danh"),
    *("kho", "khu", "ma", "cau", "hoi", "qua", "giai", "do"),
}

# The output of commands that print skip logic (the `if:` lines of show, the "Chỉ trả lời nếu" lines
# of init) still shows it as the expression; it is to be put in words.
# Validation messages come from the core (dhti/response.py and questionnaire.py), in English so far.


TEXT_KEYS = ("vi", "value", "id", "name", "province", "evidence", "comment")


def _texts(node: object) -> Iterator[str]:
    """Every Vietnamese text and every option value in a questionnaire or response file."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def _data_words() -> set[str]:
    words: set[str] = set()
    for path in [MINI, COMPLETE, *STORED]:
        for text in _texts(yaml.safe_load(path.read_text(encoding="utf-8"))):
            words.update(word.lower() for word in re.findall(r"[A-Za-z]+", text))
    return words


ALLOWED = CODES | UNMARKED_VIETNAMESE | _data_words()


def english_words(text: str) -> set[str]:
    """The ASCII words of ``text`` that are neither codes nor data: English interface text."""
    found = set()
    text = re.sub(r"'[^'\n]*'", "", text)  # a value quoted from the file, as the messages quote it ('aproved')
    for token in (token.lstrip("([«'\"`") for token in text.split()):
        if token.startswith("-") or re.search(r"[0-9/._@=#~$]|[^\W_]-[^\W_]", token):
            continue  # options, numbers, paths, ids (dhti-facility), refs
        for word in re.findall(r"[^\W\d_]+", token):
            if word.isascii() and len(word) >= 2 and word.lower() not in ALLOWED:  # two letters: "if", "in"
                found.add(word)
    return found


def without(text: str, *markers: str) -> str:
    """``text`` without the lines that contain one of ``markers``."""
    return "\n".join(line for line in text.splitlines() if not any(marker in line for marker in markers))


def problem_free(text: str) -> str:
    """``text`` without the message part of FILE:LINE:COL: severity: message lines."""
    return re.sub(r"(: (?:error|warning): ).*", r"\1", text)


SKIP_LOGIC_MARKERS = ("if:", "Chỉ trả lời nếu")


@pytest.fixture(params=["option", "locale"])
def vi(request: pytest.FixtureRequest, runner: CliRunner):
    """Run dhti in Vietnamese: with --lang vi, or with nothing but a Vietnamese locale."""

    def invoke(*args: str | Path) -> Result:
        argv = [str(arg) for arg in args]
        if request.param == "option":
            return runner.invoke(main, [*argv, "--lang", "vi"], catch_exceptions=False)
        return runner.invoke(main, argv, env={"LANG": "vi_VN.UTF-8"}, catch_exceptions=False)

    return invoke


def printed(result: Result) -> str:
    return result.stdout + "\n" + result.stderr


def test_the_check_finds_english() -> None:
    assert english_words("Most urgent recommendations: 3 more (--format json lists them all)") == {
        "Most",
        "urgent",
        "recommendations",
        "more",
        "lists",
        "them",
        "all",
    }
    assert english_words("policy.strategy.plan 63,1 /tmp/x.yaml 01-BV-0001 --lang error: Chưa có") == set()


def test_validate_a_good_file(vi) -> None:
    result = vi("validate", COMPLETE)
    assert result.exit_code == 0
    assert "đã kiểm tra 1 tệp: 1 hợp lệ, 0 không hợp lệ" in result.stderr
    assert english_words(printed(result)) == set()


def test_validate_a_bad_file_apart_from_the_core_messages(vi) -> None:
    result = vi("validate", COMPLETE, PROBLEMS)
    assert result.exit_code == 1
    assert english_words(problem_free(printed(result))) == set()


def test_validate_a_bad_file(vi) -> None:
    result = vi("validate", PROBLEMS)
    assert english_words(printed(result)) == set()


def test_score(vi) -> None:
    result = vi("score", COMPLETE)
    assert result.exit_code == 0
    assert "Chỉ số tổng hợp 63,1  giai đoạn 4 Nâng cao" in result.stdout
    assert "[ưu tiên trung bình, hạn 15/04/2028]" in result.stdout
    assert english_words(printed(result)) == set()


def test_score_several_files(vi) -> None:
    result = vi("score", *STORED)
    assert result.exit_code == 0
    assert english_words(printed(result)) == set()


def test_questionnaires_list(vi) -> None:
    result = vi("questionnaires", "list")
    assert result.exit_code == 0
    assert english_words(printed(result)) == set()


def test_questionnaires_show_apart_from_skip_logic(vi) -> None:
    result = vi("questionnaires", "show", "mini")
    assert result.exit_code == 0
    assert english_words(without(printed(result), *SKIP_LOGIC_MARKERS)) == set()


def test_questionnaires_show(vi) -> None:
    result = vi("questionnaires", "show", "mini")
    assert not re.search(r"[!=]=|\bin\b", result.stdout)  # the expression, not words
    assert english_words(printed(result)) == set()


def _init(vi, tmp_path: Path) -> str:
    out = tmp_path / "benh-vien.yaml"
    result = vi("init", "mini", "-o", out)
    assert result.exit_code == 0
    return result.stderr + out.read_text(encoding="utf-8")


def test_init_apart_from_skip_logic(vi, tmp_path: Path) -> None:
    assert english_words(without(_init(vi, tmp_path), *SKIP_LOGIC_MARKERS)) == set()


def test_init(vi, tmp_path: Path) -> None:
    written = _init(vi, tmp_path)
    assert not re.search(r" [!=]= |\bin\b", written)  # an operator, not the "=====" under a heading
    assert english_words(written) == set()


def test_db_ingest_and_list(vi, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    ingested = vi("db", "ingest", *STORED, "--db", store)
    assert ingested.exit_code == 0
    listed = vi("db", "list", "--db", store)
    assert listed.exit_code == 0
    assert "3/3 lượt đánh giá" in listed.stderr
    assert english_words(printed(ingested) + printed(listed)) == set()


def test_history_compare_and_export(vi, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    assert vi("db", "ingest", *STORED, "--db", store).exit_code == 0
    runs = [
        vi("history", "01-BV-0001", "--db", store),
        vi("compare", "#1", "#2", "--db", store),
        vi("db", "export", "-o", tmp_path / "all.csv", "--db", store),
    ]
    assert [result.exit_code for result in runs] == [0, 0, 0]
    assert english_words("\n".join(printed(result) for result in runs)) == set()


def test_batch(vi, tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for path in STORED:
        shutil.copy(path, source)
    result = vi("batch", source, "-o", tmp_path / "out", "--jobs", "1", "--db", tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    assert "Đang ghi báo cáo HTML" in result.stderr
    assert english_words(printed(result)) == set()


def _batch_with_invalid_files(vi, tmp_path: Path) -> Result:
    source = tmp_path / "in"
    source.mkdir()
    for name in ("hospital-2026.yaml", "invalid.yaml", "not-a-response.yaml"):
        shutil.copy(DATA / "store" / name, source)
    result = vi("batch", source, "-o", tmp_path / "out", "--jobs", "1", "--db", tmp_path / "s.sqlite")
    assert result.exit_code == 1, result.output
    assert "không hợp lệ (2 lỗi)" in result.stdout
    return result


def test_batch_with_invalid_files_apart_from_the_core_messages(vi, tmp_path: Path) -> None:
    assert english_words(problem_free(printed(_batch_with_invalid_files(vi, tmp_path)))) == set()


def test_batch_with_invalid_files(vi, tmp_path: Path) -> None:
    assert english_words(printed(_batch_with_invalid_files(vi, tmp_path))) == set()
