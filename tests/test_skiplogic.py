"""Skip logic in words: every construct of the language, in Vietnamese and English, in init and show."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhti.cli import main
from dhti.expressions import parse
from dhti.questionnaire import load_questionnaire, question_numbers
from dhti.skiplogic import in_words

MINI = load_questionnaire(Path(__file__).parent / "data" / "mini.yaml")
NUMBERS = question_numbers(MINI)
# mini's questions: 1.1.1 plan (choice), 1.1.2 budget (yes_no), 2.1.1 in_use (multi), 2.1.2 pacs_share
# (percent), 2.1.3 staff (number), 2.1.4 vendor (text), 2.1.5 audit (date)
PLAN, BUDGET, IN_USE = "policy.strategy.plan", "policy.strategy.budget", "capacity.systems.in_use"
SHARE, STAFF, VENDOR, AUDIT = (f"capacity.systems.{name}" for name in ("pacs_share", "staff", "vendor", "audit"))

WORDS = [
    (f"{PLAN} != 'none'", "câu 1.1.1 khác «Chưa có»", "question 1.1.1 is not “None”"),
    (f"{PLAN} == 'approved'", "câu 1.1.1 là «Đã phê duyệt»", "question 1.1.1 is “Approved”"),
    (f"'approved' == {PLAN}", "câu 1.1.1 là «Đã phê duyệt»", "question 1.1.1 is “Approved”"),
    (f"{PLAN} in ['approved']", "câu 1.1.1 là «Đã phê duyệt»", "question 1.1.1 is “Approved”"),
    (
        f"{PLAN} in ['draft', 'approved']",
        "câu 1.1.1 là «Dự thảo» hoặc «Đã phê duyệt»",
        "question 1.1.1 is “Draft” or “Approved”",
    ),
    (
        f"{PLAN} in ['none', 'draft', 'approved']",
        "câu 1.1.1 là «Chưa có», «Dự thảo» hoặc «Đã phê duyệt»",
        "question 1.1.1 is “None”, “Draft” or “Approved”",
    ),
    (f"{PLAN} not in ['none']", "câu 1.1.1 khác «Chưa có»", "question 1.1.1 is not “None”"),
    (
        f"{PLAN} not in ['none', 'draft']",
        "câu 1.1.1 khác «Chưa có» và «Dự thảo»",
        "question 1.1.1 is other than “None” and “Draft”",
    ),
    (f"{BUDGET} == 'yes'", "câu 1.1.2 là «Có»", "question 1.1.2 is “Yes”"),
    (f"{BUDGET} != 'no'", "câu 1.1.2 khác «Không»", "question 1.1.2 is not “No”"),
    (f"'pacs' in {IN_USE}", "câu 2.1.1 có chọn «PACS»", "question 2.1.1 includes “PACS”"),
    (f"'pacs' not in {IN_USE}", "câu 2.1.1 không chọn «PACS»", "question 2.1.1 does not include “PACS”"),
    (f"{IN_USE} in ['his', 'lis']", "câu 2.1.1 có chọn «HIS» hoặc «LIS»", "question 2.1.1 includes “HIS” or “LIS”"),
    (
        f"{IN_USE} not in ['his', 'lis']",
        "câu 2.1.1 không chọn phương án nào trong «HIS» và «LIS»",
        "question 2.1.1 includes none of “HIS” and “LIS”",
    ),
    (
        f"{PLAN} in {IN_USE}",
        "câu 2.1.1 có chọn câu trả lời của câu 1.1.1",
        "question 2.1.1 includes the answer to question 1.1.1",
    ),
    (f"{STAFF} > 2", "câu 2.1.3 lớn hơn 2", "question 2.1.3 is more than 2"),
    (f"{STAFF} > 2.25", "câu 2.1.3 lớn hơn 2,25", "question 2.1.3 is more than 2.25"),
    (f"3 <= {STAFF}", "câu 2.1.3 từ 3 trở lên", "question 2.1.3 is at least 3"),
    (f"{STAFF} == 1200", "câu 2.1.3 bằng 1.200", "question 2.1.3 equals 1,200"),
    (f"{STAFF} != 0", "câu 2.1.3 khác 0", "question 2.1.3 is not 0"),
    (f"{STAFF} in [1, 2]", "câu 2.1.3 bằng 1 hoặc 2", "question 2.1.3 equals 1 or 2"),
    (f"{SHARE} < 50.5", "câu 2.1.2 nhỏ hơn 50,5%", "question 2.1.2 is less than 50.5%"),
    (f"{SHARE} <= 90", "câu 2.1.2 từ 90% trở xuống", "question 2.1.2 is at most 90%"),
    (f"{AUDIT} < '2025-01-01'", "câu 2.1.5 trước ngày 01/01/2025", "question 2.1.5 is before 1 January 2025"),
    (
        f"{AUDIT} <= '2025-01-01'",
        "câu 2.1.5 không muộn hơn ngày 01/01/2025",
        "question 2.1.5 is on or before 1 January 2025",
    ),
    (f"{AUDIT} > '2025-01-01'", "câu 2.1.5 sau ngày 01/01/2025", "question 2.1.5 is after 1 January 2025"),
    (
        f"{AUDIT} >= '2025-01-01'",
        "câu 2.1.5 không sớm hơn ngày 01/01/2025",
        "question 2.1.5 is on or after 1 January 2025",
    ),
    (f"{VENDOR} == 'FPT'", "câu 2.1.4 là «FPT»", "question 2.1.4 is “FPT”"),
    (f"{STAFF} < {SHARE}", "câu 2.1.3 nhỏ hơn câu 2.1.2", "question 2.1.3 is less than question 2.1.2"),
    (
        f"{PLAN} == {VENDOR}",
        "câu 1.1.1 có cùng câu trả lời với câu 2.1.4",
        "question 1.1.1 has the same answer as question 2.1.4",
    ),
    (
        f"{PLAN} != {VENDOR}",
        "câu 1.1.1 có câu trả lời khác câu 2.1.4",
        "question 1.1.1 has a different answer from question 2.1.4",
    ),
    (
        f"{PLAN} != 'none' and {BUDGET} == 'yes'",
        "câu 1.1.1 khác «Chưa có» và câu 1.1.2 là «Có»",
        "question 1.1.1 is not “None” and question 1.1.2 is “Yes”",
    ),
    (
        f"{BUDGET} == 'yes' or {STAFF} > 0 or 'his' in {IN_USE}",
        "câu 1.1.2 là «Có» hoặc câu 2.1.3 lớn hơn 0 hoặc câu 2.1.1 có chọn «HIS»",
        "question 1.1.2 is “Yes” or question 2.1.3 is more than 0 or question 2.1.1 includes “HIS”",
    ),
    (
        f"({PLAN} == 'draft' or {BUDGET} == 'no') and {STAFF} >= 1",
        "(câu 1.1.1 là «Dự thảo» hoặc câu 1.1.2 là «Không») và câu 2.1.3 từ 1 trở lên",
        "(question 1.1.1 is “Draft” or question 1.1.2 is “No”) and question 2.1.3 is at least 1",
    ),
    (f"not {BUDGET} == 'no'", "không phải câu 1.1.2 là «Không»", "it is not the case that question 1.1.2 is “No”"),
    (
        f"not ({BUDGET} == 'no' or {STAFF} == 0)",
        "không phải (câu 1.1.2 là «Không» hoặc câu 2.1.3 bằng 0)",
        "it is not the case that (question 1.1.2 is “No” or question 2.1.3 equals 0)",
    ),
]


@pytest.mark.parametrize(("source", "vi", "en"), WORDS)
def test_skip_logic_in_words(source: str, vi: str, en: str) -> None:
    expr = parse(source)
    assert in_words(expr, MINI, lang="vi", numbers=NUMBERS) == vi
    assert in_words(expr, MINI, lang="en", numbers=NUMBERS) == en


@pytest.mark.parametrize(
    "source",
    ["1 < 2", "'a' in ['a', 'b']", "[] == 'x'", f"'x' in {PLAN}", f"{PLAN} in []", "unknown.question == 'x'"],
)
def test_every_expression_that_parses_has_words(source: str) -> None:
    for lang in ("vi", "en"):
        assert in_words(parse(source), MINI, lang=lang, numbers=NUMBERS)


def test_questions_are_numbered_as_the_form_asks_them() -> None:
    assert NUMBERS[PLAN] == "1.1.1"
    assert NUMBERS[STAFF] == "2.1.3"
    centre = question_numbers(MINI, entity_type="health_centre")
    assert SHARE not in centre  # asked of hospitals only
    assert centre[STAFF] == "2.1.2"


def test_init_says_when_to_answer_in_words(runner, tmp_path: Path) -> None:
    out = tmp_path / "r.yaml"
    assert runner.invoke(main, ["init", "mini", "-o", str(out), "--lang", "vi"]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "#     Chỉ trả lời nếu câu 1.1.1 khác «Chưa có»\n" in text
    assert "#     Chỉ trả lời nếu câu 2.1.1 có chọn «PACS»\n" in text
    assert "!= 'none'" not in text
    english = tmp_path / "e.yaml"
    assert runner.invoke(main, ["init", "mini", "-o", str(english), "--lang", "en"]).exit_code == 0
    assert "#     Answer only if question 1.1.1 is not “None”\n" in english.read_text(encoding="utf-8")


def test_show_says_when_to_answer_in_words(runner) -> None:
    vi = runner.invoke(main, ["questionnaires", "show", "mini", "--lang", "vi"])
    assert vi.exit_code == 0
    assert "        Chỉ trả lời nếu câu 1.1.1 khác «Chưa có»\n" in vi.stdout
    assert "!= 'none'" not in vi.stdout
    en = runner.invoke(main, ["questionnaires", "show", "mini", "--lang", "en"])
    assert "        Answer only if question 2.1.1 includes “PACS”\n" in en.stdout


def test_the_bundled_questionnaires_say_every_condition_in_words(runner) -> None:
    for ref in ("dhti-facility", "dhti-agency", "dhti-station"):
        for lang in ("vi", "en"):
            shown = runner.invoke(main, ["questionnaires", "show", ref, "--lang", lang]).stdout
            assert "if: " not in shown
            assert not any(raw in shown for raw in (" == '", " != '", " in [", " > 0")), ref


def test_a_long_condition_is_wrapped_in_the_form(runner, tmp_path: Path) -> None:
    out = tmp_path / "r.yaml"
    assert runner.invoke(main, ["init", "dhti-facility", "-o", str(out), "--lang", "vi"]).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if "Chỉ trả lời nếu câu 1.1.1 là «" in line)
    assert max(len(line) for line in lines[start : start + 3]) <= 110
    assert lines[start + 1].startswith("  #       ")
