"""Scoring, exact to contract section 3: question types, aggregation, stages, completeness."""

from __future__ import annotations

import math

import pytest
from builders import option, question, questionnaire, response

from dhti.questionnaire import Question
from dhti.scoring import geometric_mean, question_score, score_response, weighted_mean


def q(kind: str, **extra: object) -> Question:
    return Question.model_validate(question("x", kind, **extra))


@pytest.mark.parametrize(
    ("kind", "extra", "value", "expected"),
    [
        ("choice", {}, "none", 0.0),
        ("choice", {}, "some", 0.5),
        ("choice", {}, "all", 1.0),
        ("choice", {"options": [option("a", 1), option("b", 3), option("c", 4)]}, "b", 0.75),
        ("yes_no", {}, "yes", 1.0),
        ("yes_no", {}, "no", 0.0),
        ("multi", {}, (), 0.0),
        ("multi", {}, ("some",), 1 / 3),
        ("multi", {}, ("some", "all"), 1.0),
        ("multi", {"max_points": 2}, ("some",), 0.5),
        ("multi", {"max_points": 2}, ("some", "all"), 1.0),  # capped at max_points
        ("number", {"linear": {"from": 0, "to": 10}}, 4.0, 0.4),
        ("number", {"linear": {"from": 0, "to": 10}}, 25.0, 1.0),  # clamped
        ("number", {"linear": {"from": 2, "to": 6}}, 1.0, 0.0),  # clamped
        ("number", {"linear": {"from": 10, "to": 0}}, 2.5, 0.75),  # fewer is better
        ("percent", {"bands": [{"min": 0, "points": 0}, {"min": 50, "points": 1}, {"min": 90, "points": 4}]}, 49.9, 0),
        (
            "percent",
            {"bands": [{"min": 0, "points": 0}, {"min": 50, "points": 1}, {"min": 90, "points": 4}]},
            50.0,
            0.25,
        ),
        ("percent", {"bands": [{"min": 0, "points": 0}, {"min": 50, "points": 1}, {"min": 90, "points": 4}]}, 100.0, 1),
        ("number", {"bands": [{"min": 5, "points": 1}, {"min": 10, "points": 2}]}, 3.0, 0.0),  # below every band
    ],
)
def test_question_score(kind: str, extra: dict[str, object], value: object, expected: float) -> None:
    assert question_score(q(kind, **extra), value) == pytest.approx(expected, abs=1e-15)  # type: ignore[arg-type]


def test_text_and_date_are_not_scored() -> None:
    assert not q("text", weight=0).scored
    assert not q("date", weight=1).scored
    with pytest.raises(ValueError, match="not scored"):
        question_score(q("text"), "x")


def test_weighted_and_geometric_means() -> None:
    assert weighted_mean([(1, 0.5), (3, 1.0)]) == 0.875
    assert weighted_mean([]) is None
    assert geometric_mean([(1, 0.25), (1, 1.0)]) == pytest.approx(0.5)
    assert geometric_mean([(2, 0.5), (1, 0.0)]) == 0.0
    assert geometric_mean([(1, 0.64), (3, 0.64)]) == pytest.approx(0.64)


TWO_DOMAINS = {
    "policy": {"policy.a": [question("p1"), question("p2", "yes_no", weight=3)]},
    "capacity": {
        "capacity.b": [question("c1")],
        "capacity.c": [question("c2", "percent", allow_na=True), question("c3", "text", weight=0, required=False)],
    },
}


def test_aggregation_arithmetic_by_hand() -> None:
    questionnaire_ = questionnaire(TWO_DOMAINS, weights={"capacity.c": 3, "capacity": 2})
    scores = score_response(response(questionnaire_, {"p1": "some", "p2": "yes", "c1": "none", "c2": 80.0}))
    policy, capacity = scores.domains
    assert policy.score == pytest.approx(100 * (1 * 0.5 + 3 * 1) / 4)  # 87.5
    assert capacity.indicators[0].score == 0
    assert capacity.indicators[1].score == pytest.approx(80)
    assert capacity.score == pytest.approx((1 * 0 + 3 * 80) / 4)  # 60
    assert scores.index == pytest.approx((1 * 87.5 + 2 * 60) / 3)
    assert scores.stage is not None
    assert scores.stage.level == 4
    assert scores.completeness == 1.0


def test_aggregation_geometric_by_hand() -> None:
    questionnaire_ = questionnaire(TWO_DOMAINS, aggregation="geometric", weights={"capacity": 3})
    scores = score_response(response(questionnaire_, {"p1": "all", "p2": "yes", "c1": "some", "c2": 25.0}))
    capacity = (50 + 25) / 2
    assert scores.index == pytest.approx(100 * (1.0 ** (1 / 4)) * ((capacity / 100) ** (3 / 4)))


def test_geometric_index_is_zero_when_a_domain_is_zero() -> None:
    questionnaire_ = questionnaire(TWO_DOMAINS, aggregation="geometric")
    scores = score_response(response(questionnaire_, {"p1": "all", "p2": "yes", "c1": "none", "c2": 0.0}))
    assert scores.index == 0.0


def test_na_leaves_the_denominators() -> None:
    questionnaire_ = questionnaire(TWO_DOMAINS)
    scores = score_response(response(questionnaire_, {"p1": "all", "p2": "yes", "c1": "all", "c2": "na"}))
    capacity = scores.domains[1]
    assert capacity.indicators[1].score is None  # no usable answer: left out
    assert capacity.score == 100.0
    assert scores.completeness == 1.0  # na is not missing


def test_unanswered_optional_lowers_completeness_not_score() -> None:
    domains = {"policy": {"policy.a": [question("p1"), question("p2", required=False)]}}
    scores = score_response(response(questionnaire(domains), {"p1": "all"}))
    assert scores.index == 100.0
    assert scores.completeness == 0.5


def test_lenient_scores_unanswered_required_as_zero() -> None:
    domains = {"policy": {"policy.a": [question("p1"), question("p2")]}}
    built = response(questionnaire(domains), {"p1": "all"})
    assert score_response(built).index == 100.0
    lenient = score_response(built, lenient=True)
    assert lenient.index == 50.0
    assert lenient.completeness == 0.5


def test_skip_logic_and_entity_types_remove_questions() -> None:
    domains = {
        "policy": {
            "policy.a": [
                question("p1", "yes_no"),
                question("p2", relevant="p1 == 'yes'"),
                question("p3", entity_types=["hospital"]),
            ]
        }
    }
    built = questionnaire(domains)
    centre = score_response(response(built, {"p1": "no", "p2": "all", "p3": "all"}, entity_type="health_centre"))
    assert centre.index == 0.0  # only p1 applies, answered no
    hospital = score_response(response(built, {"p1": "yes", "p2": "none", "p3": "all"}))
    assert hospital.index == pytest.approx(100 * 2 / 3)


@pytest.mark.parametrize(
    ("score", "level"),
    [(0, 1), (19.999, 1), (20, 2), (39.99, 2), (40, 3), (59.9999999999, 4), (60, 4), (79.9, 4), (80, 5), (100, 5)],
)
def test_stage_boundaries(score: float, level: int) -> None:
    built = questionnaire({"policy": {"policy.a": [question("p1")]}})
    assert built.stage_for(score).level == level


def test_float_noise_at_a_boundary_does_not_drop_a_stage() -> None:
    # 0.1 + 0.2 + 0.3 ... style noise: three thirds that should make 60 exactly.
    options = [option("a", 0), option("b", 3), option("c", 5)]
    domains = {"policy": {"policy.a": [question(f"p{i}", options=options) for i in range(3)]}}
    scores = score_response(response(questionnaire(domains), {"p0": "b", "p1": "b", "p2": "b"}))
    assert math.isclose(scores.index or 0, 60)
    assert scores.stage is not None
    assert scores.stage.level == 4


def test_gdhm_reading_uses_weighted_mean_of_indicators_naming_one_code() -> None:
    domains = {
        "policy": {"policy.a": [question("p1")], "policy.b": [question("p2")]},
        "capacity": {"capacity.c": [question("c1")]},
    }
    built = questionnaire(domains, gdhm={"policy.a": "1", "policy.b": "1", "capacity.c": "2a"}, weights={"policy.b": 3})
    scores = score_response(response(built, {"p1": "all", "p2": "none", "c1": "some"}))
    assert scores.gdhm == {"1": 2, "2a": 3}  # (100 + 0*3)/4 = 25 -> stage 2; 50 -> stage 3


def test_indicator_without_usable_answers_is_left_out_of_its_domain() -> None:
    domains = {"policy": {"policy.a": [question("p1")], "policy.b": [question("p2", allow_na=True)]}}
    scores = score_response(response(questionnaire(domains), {"p1": "some", "p2": "na"}))
    assert scores.index == 50.0
