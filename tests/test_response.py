"""Validating responses: every problem at once, at the offending node, with suggestions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

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
    assert result.problems == []
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
