"""Validating responses: every problem at once, at the offending node, with suggestions."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from dhti.errors import did_you_mean, first_problems
from dhti.messages import Message
from dhti.registry import Registry
from dhti.response import validate_file

DATA = Path(__file__).parent / "data"
COMPLETE = (DATA / "responses" / "mini-complete.yaml").read_text(encoding="utf-8")


def problems_of(write, registry, text: str, *, lenient: bool = False) -> list[str]:
    path = write("r.yaml", text)
    result = validate_file(path, registry=registry, lenient=lenient, display="r.yaml")
    return [str(problem) for problem in result.problems]


def test_complete_response_is_valid(registry) -> None:
    result = validate_file(DATA / "responses" / "mini-complete.yaml", registry=registry)
    assert result.problems == ()
    response = result.response
    assert response is not None
    assert response.entity.name == "Bệnh viện Đa khoa Mẫu"
    assert response.assessment.date == dt.date(2026, 10, 15)
    assert response.answers["capacity.systems.in_use"].value == ("his", "pacs")
    assert response.answers["policy.strategy.plan"].evidence == "Dự thảo kế hoạch số 12/KH-BV"
    assert response.answers["capacity.systems.staff"].value == 4.0
    assert "capacity.systems.pacs_share" in response.applicable


def test_every_problem_at_once(registry) -> None:
    result = validate_file(DATA / "responses" / "mini-problems.yaml", registry=registry, display="r.yaml")
    assert result.response is None
    assert [str(problem) for problem in result.problems] == [
        "r.yaml:6:3: error: unknown key 'provice' in entity (did you mean 'province'?)",
        "r.yaml:8:9: error: assessment.date: must be an ISO date such as 2026-10-15",
        (
            "r.yaml:10:25: error: policy.strategy.plan: 'approve' is not one of the options (none, draft, approved);"
            " did you mean 'approved'?"
        ),
        "r.yaml:11:3: error: unknown question id 'policy.strategy.budgt' (did you mean 'policy.strategy.budget'?)",
        "r.yaml:12:28: error: capacity.systems.in_use: expected a list of options such as [his, lis], not 'his'",
        (
            "r.yaml:13:3: warning: capacity.systems.pacs_share is not asked of this entity (skip logic or entity type);"
            " its answer is ignored"
        ),
        "r.yaml:14:35: error: capacity.systems.staff: must be 0 or more, not -3",
        "r.yaml:14:39: error: unknown key 'evidnce' in an answer (did you mean 'evidence'?)",
        "r.yaml:15:27: error: capacity.systems.audit: expected an ISO date such as 2026-10-15, not 'last spring'",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "questionnaire: mini@1.0",
            "questionnaire: mini@2.0",
            "2:16: error: questionnaire 'mini' has no version '2.0' (known: 1.0)",
        ),
        (
            "questionnaire: mini@1.0",
            "questionnaire: minni",
            "2:16: error: unknown questionnaire 'minni'; did you mean 'mini'?",
        ),
        ("questionnaire: mini@1.0", "questionnaire: mini", None),
        ("questionnaire: mini@1.0\n", "", "error: missing required key 'questionnaire'"),
        (
            "  type: hospital",
            "  type: clinic",
            "6:9: error: entity type 'clinic' may not answer 'mini' (allowed: hospital, health_centre)",
        ),
        ('  id: "01-BV-0001"\n', "", "4:3: error: missing required key 'id' in entity"),
        ("  date: 2026-10-15", "  date: ~", "9:9: error: assessment.date: required; replace ~ with a value"),
        ("  date: 2026-10-15", "  date: 20261015", "9:9: error: assessment.date: must be an ISO date"),
        ('  policy.strategy.budget: "yes"', "  policy.strategy.budget: true", None),
        ('  policy.strategy.budget: "yes"', "  policy.strategy.budget: Yes", None),
        (
            '  policy.strategy.budget: "yes"',
            "  policy.strategy.budget: maybe",
            "13:27: error: policy.strategy.budget: expected yes or no, not 'maybe'",
        ),
        (
            '  policy.strategy.budget: "yes"',
            "  policy.strategy.budget: ~",
            "13:3: error: required question policy.strategy.budget is unanswered",
        ),
        (
            '  policy.strategy.budget: "yes"\n',
            "",
            "12:3: error: required question policy.strategy.budget is unanswered",
        ),
        (
            '  policy.strategy.budget: "yes"',
            "  policy.strategy.budget: na",
            "13:27: error: policy.strategy.budget: 'na' (not applicable) is not allowed",
        ),
        ("  capacity.systems.pacs_share: 60", "  capacity.systems.pacs_share: na", None),
        (
            "  capacity.systems.pacs_share: 60",
            "  capacity.systems.pacs_share: 100.5",
            "a percentage must be between 0 and 100, not 100.5",
        ),
        (
            "  capacity.systems.pacs_share: 60",
            "  capacity.systems.pacs_share: .nan",
            "NaN and infinite numbers are not allowed",
        ),
        ("  capacity.systems.staff: 4", "  capacity.systems.staff: .inf", "NaN and infinite numbers are not allowed"),
        ("  capacity.systems.staff: 4", "  capacity.systems.staff: '4'", "expected a number, not '4'"),
        ("  capacity.systems.staff: 4", "  capacity.systems.staff: true", "expected a number, not true"),
        (
            "  capacity.systems.in_use: [his, pacs]",
            "  capacity.systems.in_use: [his, his]",
            "option 'his' is listed twice",
        ),
        (
            "  capacity.systems.in_use: [his, pacs]",
            "  capacity.systems.in_use: [his, ris]",
            "'ris' is not one of the options (his, lis, pacs)",
        ),
        (
            "  capacity.systems.in_use: [his, pacs]",
            "  capacity.systems.in_use: [his]",
            "15:3: warning: capacity.systems.pacs_share is not asked of this entity",
        ),
        (
            '  policy.strategy.plan: {value: draft, evidence: "Dự thảo kế hoạch số 12/KH-BV"}',
            "  policy.strategy.plan: draft",
            "12:3: warning: policy.strategy.plan: evidence is required",
        ),
        (
            '  policy.strategy.plan: {value: draft, evidence: "Dự thảo kế hoạch số 12/KH-BV"}',
            "  policy.strategy.plan: none",
            "13:3: warning: policy.strategy.budget is not asked of this entity",
        ),
        ("answers:", "answer:", "11:1: error: unknown key 'answer' (did you mean 'answers'?)"),
    ],
)
def test_each_rule(write, registry, old: str, new: str, expected: str | None) -> None:
    assert old in COMPLETE
    problems = problems_of(write, registry, COMPLETE.replace(old, new, 1))
    if expected is None:
        assert problems == []
    else:
        assert any(expected in problem for problem in problems), problems


def test_lenient_turns_unanswered_required_into_warnings(write, registry) -> None:
    text = COMPLETE.replace('  policy.strategy.budget: "yes"\n', "")
    strict = problems_of(write, registry, text)
    lenient = problems_of(write, registry, text, lenient=True)
    assert strict == ["r.yaml:12:3: error: required question policy.strategy.budget is unanswered: Is there a budget?"]
    assert lenient == [
        (
            "r.yaml:12:3: warning: required question policy.strategy.budget is unanswered: Is there a budget?"
            " (scored 0: --lenient)"
        )
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "- a\n- b\n",
            (
                "r.yaml:1:1: error: a response must be a mapping with keys questionnaire, entity, assessment,"
                " answers, not a list"
            ),
        ),
        (
            "just text\n",
            (
                "r.yaml:1:1: error: a response must be a mapping with keys questionnaire, entity, assessment,"
                " answers, not a single value (str)"
            ),
        ),
        (
            "questionnaire: mini\nentity: [1]\nassessment: {date: 2026-01-01}\nanswers: {}\n",
            "r.yaml:2:9: error: 'entity' must be a mapping",
        ),
        ("questionnaire: 12\n", "r.yaml:1:16: error: questionnaire must be text such as dhti-facility@1.0"),
    ],
)
def test_wrong_shapes(write, registry, text: str, expected: str) -> None:
    assert expected in problems_of(write, registry, text)


def test_override_questionnaire_is_used_whatever_the_response_names(write) -> None:
    registry = Registry.discover(override=DATA / "mini.yaml")
    problems = problems_of(write, registry, COMPLETE.replace("mini@1.0", "dhti-station@1.0"))
    assert problems == [
        "r.yaml:2:16: warning: response names 'dhti-station@1.0'; checking it against mini@1.0 as asked"
    ]


ID_LINE = '  id: "01-BV-0001"'


@pytest.mark.parametrize("written", ["0042", "42", "012", "0x1F", "0o17", "1.5e3", ".inf", "-.inf", ".nan", "1_000"])
def test_an_unquoted_id_is_the_text_written(write, registry, written: str) -> None:
    path = write("r.yaml", COMPLETE.replace(ID_LINE, f"  id: {written}"))
    response = validate_file(path, registry=registry).response
    assert response is not None
    assert response.entity.id == written


def test_ids_written_0042_and_42_are_different_entities(write, registry) -> None:
    ids = {
        validate_file(
            write(f"{name}.yaml", COMPLETE.replace(ID_LINE, f"  id: {name}")), registry=registry
        ).response.entity.id
        for name in ("0042", "42")
    }
    assert ids == {"0042", "42"}


def test_other_text_fields_keep_unquoted_numbers_as_written(write, registry) -> None:
    text = (
        COMPLETE.replace('  province: "Hà Nội"', "  province: 01\n  level: 1.0\n  district: 007")
        .replace('  assessor: "Đoàn đánh giá Sở Y tế"', "  assessor: 0123")
        .replace('evidence: "Dự thảo kế hoạch số 12/KH-BV"', "evidence: 12.50")
        .replace('  capacity.systems.vendor: "Công ty phần mềm Y tế Việt"', "  capacity.systems.vendor: 0042")
    )
    response = validate_file(write("r.yaml", text), registry=registry).response
    assert response is not None
    assert (response.entity.province, response.entity.level, response.entity.district) == ("01", "1.0", "007")
    assert response.assessment.assessor == "0123"
    assert response.answers["policy.strategy.plan"].evidence == "12.50"
    assert response.answers["capacity.systems.vendor"].value == "0042"


def test_an_invalid_file_still_shows_its_id_as_written(write, registry) -> None:
    text = COMPLETE.replace(ID_LINE, "  id: .inf").replace("  type: hospital", "  type: 1e3")
    result = validate_file(write("r.yaml", text), registry=registry)
    assert result.response is None
    assert (result.entity.id, result.entity.type) == (".inf", "1e3")


LONG = "x" * 10_000
ID_RULE = "ids use Latin letters, digits, spaces and - _ . /"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            ID_LINE,
            r'  id: "01-BV-\u200b0001"',
            f"4:7: error: entity.id: U+200B ZERO WIDTH SPACE may not be in an id; {ID_RULE}",
        ),
        (
            ID_LINE,
            r'  id: "01-BV-\u202e1000"',
            "4:7: error: entity.id: U+202E RIGHT-TO-LEFT OVERRIDE may not be in an id",
        ),
        (ID_LINE, '  id: "01-ВV-0001"', "4:7: error: entity.id: U+0412 CYRILLIC CAPITAL LETTER VE may not be in an id"),
        (ID_LINE, '  id: "０１-BV-0001"', "4:7: error: entity.id: U+FF10 FULLWIDTH DIGIT ZERO may not be in an id"),
        (ID_LINE, r'  id: "NUL\x00-1"', "4:7: error: entity.id: U+0000 (a control character) may not be in an id"),
        (ID_LINE, f'  id: "{LONG}"', "4:7: error: entity.id: 10,000 characters; the limit is 64"),
        (
            '  name: "Bệnh viện Đa khoa Mẫu"',
            r'  name: "evil\x00nul"',
            "5:9: error: entity.name: control character U+0000",
        ),
        (
            '  name: "Bệnh viện Đa khoa Mẫu"',
            r'  name: "Real\rFAKE"',
            "5:9: error: entity.name: control character U+000D",
        ),
        (
            '  name: "Bệnh viện Đa khoa Mẫu"',
            r'  name: "A\e]0;pwned\a"',
            "5:9: error: entity.name: control character U+001B is not allowed",
        ),
        ('  name: "Bệnh viện Đa khoa Mẫu"', r'  name: "A\x9bB"', "5:9: error: entity.name: control character U+009B"),
        (
            '  name: "Bệnh viện Đa khoa Mẫu"',
            r'  name: "Bệnh\u200bviện"',
            "5:9: error: entity.name: invisible formatting character U+200B ZERO WIDTH SPACE is not allowed",
        ),
        (
            '  province: "Hà Nội"',
            f'  province: "{LONG}"',
            "7:13: error: entity.province: 10,000 characters; the limit is 200",
        ),
        (
            '  assessor: "Đoàn đánh giá Sở Y tế"',
            r'  assessor: "x\by"',
            "10:13: error: assessment.assessor: control character U+0008",
        ),
        (
            '  assessor: "Đoàn đánh giá Sở Y tế"',
            f'  assessor: x\n  notes: "{"n" * 20_001}"',
            "11:10: error: assessment.notes: 20,001 characters; the limit is 20,000",
        ),
        (
            '  capacity.systems.vendor: "Công ty phần mềm Y tế Việt"',
            r'  capacity.systems.vendor: "a\x00b"',
            "17:28: error: capacity.systems.vendor: control character U+0000 is not allowed",
        ),
        (
            'evidence: "Dự thảo kế hoạch số 12/KH-BV"',
            r'evidence: "QĐ\x1b[2J 12"',
            "12:50: error: policy.strategy.plan: evidence: control character U+001B is not allowed",
        ),
        (
            'evidence: "Dự thảo kế hoạch số 12/KH-BV"',
            f'evidence: QĐ 12, comment: "{"c" * 20_001}"',
            "12:66: error: policy.strategy.plan: comment: 20,001 characters; the limit is 20,000",
        ),
    ],
)
def test_text_that_a_store_or_a_terminal_cannot_take_is_refused(write, registry, old, new, expected) -> None:
    assert old in COMPLETE
    problems = problems_of(write, registry, COMPLETE.replace(old, new, 1))
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (ID_LINE, '  id: "Bệnh viện Đà Nẵng/01_A.b-2"'),
        (ID_LINE, f'  id: "{"x" * 64}"'),
        ('  name: "Bệnh viện Đa khoa Mẫu"', r'  name: "Bệnh viện\tĐa khoa\nMẫu"'),
        # A name of 200 characters (the province is checked against the list of units besides).
        ('  province: "Hà Nội"', f'  province: "Hà Nội"\n  commune: "{"x" * 200}"'),
        ('evidence: "Dự thảo kế hoạch số 12/KH-BV"', f'evidence: "{"đ" * 19_999}\\u202b"'),
    ],
)
def test_text_within_the_rules_passes(write, registry, old, new) -> None:
    assert old in COMPLETE
    assert problems_of(write, registry, COMPLETE.replace(old, new, 1)) == []


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("9" * 100, "16:27: error: capacity.systems.staff: must be at most 1,000,000,000,000,000, not 99999999"),
        ("1e400", "16:27: error: capacity.systems.staff: NaN and infinite numbers are not allowed"),
        ("0x" + "f" * 98, "16:27: error: capacity.systems.staff: must be at most 1,000,000,000,000,000"),
        ("1000000000000001", "16:27: error: capacity.systems.staff: must be at most 1,000,000,000,000,000"),
        ("9" * 4000, "16:27: error: a number written with 4000 characters; the limit is 100"),
    ],
)
def test_numbers_beyond_any_count_are_refused_where_they_are(write, registry, new: str, expected: str) -> None:
    problems = problems_of(
        write, registry, COMPLETE.replace("  capacity.systems.staff: 4", f"  capacity.systems.staff: {new}")
    )
    assert len(problems) == 1
    assert problems[0].startswith(f"r.yaml:{expected}"), problems
    assert len(problems[0]) < 200


def test_a_count_of_beds_beyond_reason_is_refused(write, registry) -> None:
    problems = problems_of(
        write, registry, COMPLETE.replace("  type: hospital", "  type: hospital\n  beds: " + "9" * 40)
    )
    assert problems == ["r.yaml:7:9: error: entity.beds: Input should be less than or equal to 100000"]


@pytest.mark.parametrize(
    ("date", "valid"),
    [("1999-12-31", False), ("2000-01-01", True), ("2099-12-31", True), ("2100-01-01", False), ("9999-12-31", False)],
)
def test_the_assessment_date_lies_in_the_years_dhti_can_plan_for(write, registry, date: str, valid: bool) -> None:
    problems = problems_of(write, registry, COMPLETE.replace("  date: 2026-10-15", f"  date: {date}"))
    if valid:
        assert problems == []
    else:
        assert problems == [
            f"r.yaml:9:9: error: assessment.date: must be between 2000-01-01 and 2099-12-31, not {date}"
        ]


def test_many_problems_are_found_in_linear_time_and_capped(write, registry) -> None:
    # Not a timing assertion on speed, a guard against a scan per problem (minutes, not seconds).
    keys = "".join(f"  policy.strategy.zz{i:06d}: 1\n" for i in range(20_000))
    path = write("r.yaml", COMPLETE.replace("answers:\n", "answers:\n" + keys, 1))
    start = time.perf_counter()
    result = validate_file(path, registry=registry, display="r.yaml")
    assert time.perf_counter() - start < 60
    assert len(result.errors) == 20_000  # every problem is kept, so counts stay true
    shown = [str(problem) for problem in first_problems(result.problems)]
    assert len(shown) == 51
    assert shown[0].startswith("r.yaml:12:3: error: unknown question id 'policy.strategy.zz000000'")
    assert shown[-1] == "r.yaml:62:3: error: … and 19,950 more problems"


@pytest.mark.parametrize(
    ("kwargs", "hint"),
    [
        ({}, "; did you mean 'province'?"),
        ({"aside": True}, " (did you mean 'province'?)"),
        ({"most": 2}, "; did you mean 'province', 'provinces'?"),
    ],
)
def test_a_suggestion_names_the_closest_words(kwargs: dict[str, object], hint: str) -> None:
    assert str(did_you_mean("provice", ["name", "province", "provinces"], **kwargs)) == hint  # type: ignore[arg-type]


def test_a_suggestion_reads_in_vietnamese_too() -> None:
    hint = did_you_mean("provice", ["name", "province"], aside=True)
    assert isinstance(hint, Message)
    assert hint.render("vi") == " (có phải ý bạn là 'province'?)"


def test_no_suggestion_when_nothing_is_close() -> None:
    assert did_you_mean("zzz", ["province"], aside=True) == ""
    assert did_you_mean("", []) == ""
