"""Which rules fire, their order (priority, gap, id) and due dates."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import T, question, questionnaire, response

from dhti.recommendations import add_months, fired_recommendations
from dhti.scoring import score_response


def rule(rid: str, when: dict[str, object], priority: str = "high", horizon: str = "short") -> dict[str, object]:
    return {"id": rid, "when": when, "priority": priority, "horizon": horizon, "text": T}


DOMAINS = {
    "policy": {"policy.a": [question("p1")], "policy.b": [question("p2")]},
    "capacity": {"capacity.c": [question("c1", "multi")], "capacity.d": [question("c2", "yes_no")]},
}


def fired_ids(rules: list[dict[str, object]], answers: dict[str, object]) -> list[str]:
    built = questionnaire(DOMAINS, recommendations=rules)
    answered = response(built, answers)
    return [item.id for item in fired_recommendations(answered, score_response(answered))]


ANSWERS = {"p1": "none", "p2": "some", "c1": ["some"], "c2": "no"}


def test_order_is_priority_then_gap_then_id() -> None:
    rules = [
        rule("r.low", {"indicator": "policy.a", "below": 60}, priority="low"),
        rule("r.b", {"indicator": "policy.b", "below": 60}),  # gap 50
        rule("r.a", {"indicator": "policy.a", "below": 60}),  # gap 100
        rule("r.z", {"domain": "policy", "below": 80}),  # gap 75
        rule("r.y", {"indicator": "policy.b", "below": 60}),  # gap 50, after r.b by id
        rule("r.medium", {"question": "c2", "in": ["no"]}, priority="medium"),
    ]
    assert fired_ids(rules, ANSWERS) == ["r.a", "r.z", "r.b", "r.y", "r.medium", "r.low"]


@pytest.mark.parametrize(
    ("when", "fires"),
    [
        ({"indicator": "policy.b", "below": 50}, False),  # 50 is not below 50
        ({"indicator": "policy.b", "below": 50.1}, True),
        ({"domain": "capacity", "below": 17}, True),  # (100/3/... ) capacity = (33.3 + 0)/2
        ({"domain": "capacity", "below": 16}, False),
        ({"question": "c1", "in": ["all"]}, False),
        ({"question": "c1", "in": ["some", "all"]}, True),
        ({"question": "c2", "in": ["yes"]}, False),
        ({"question": "p1", "in": ["none"]}, True),
    ],
)
def test_conditions(when: dict[str, object], fires: bool) -> None:
    assert fired_ids([rule("r", when)], ANSWERS) == (["r"] if fires else [])


def test_due_dates_follow_the_horizon() -> None:
    rules = [
        rule("r.short", {"indicator": "policy.a", "below": 60}, horizon="short"),
        rule("r.medium", {"indicator": "policy.a", "below": 60}, horizon="medium"),
        rule("r.long", {"indicator": "policy.a", "below": 60}, horizon="long"),
    ]
    built = questionnaire(DOMAINS, recommendations=rules)
    answered = response(built, ANSWERS, date="2026-08-31")
    due = {item.id: item.due for item in fired_recommendations(answered, score_response(answered))}
    assert due == {
        "r.short": dt.date(2027, 2, 28),
        "r.medium": dt.date(2028, 2, 29),
        "r.long": dt.date(2029, 8, 31),
    }


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 12, 15), 6) == dt.date(2027, 6, 15)


def test_a_rule_may_be_limited_to_entity_types() -> None:
    rules = [
        {**rule("r.hospital", {"indicator": "policy.a", "below": 60}), "entity_types": ["hospital"]},
        {**rule("r.centre", {"indicator": "policy.a", "below": 60}), "entity_types": ["health_centre"]},
        rule("r.all", {"indicator": "policy.a", "below": 60}),
    ]
    built = questionnaire(DOMAINS, recommendations=rules)
    for entity_type, expected in (("hospital", ["r.all", "r.hospital"]), ("health_centre", ["r.all", "r.centre"])):
        answered = response(built, ANSWERS, entity_type=entity_type)
        assert [item.id for item in fired_recommendations(answered, score_response(answered))] == expected
