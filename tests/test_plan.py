"""dhti.plan: every plan re-scores to its target, and where the index is additive no plan is shorter."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from builders import option, question, questionnaire, response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dhti import simulate
from dhti.plan import (
    Outcome,
    PlanError,
    What,
    better_values,
    current_value,
    plan,
    unanswered_required,
    with_answers,
)
from dhti.questionnaire import Questionnaire
from dhti.registry import Registry
from dhti.response import Response, validate_document, validate_file
from dhti.scoring import score_response
from dhti.yamlio import load_text

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "questionnaires" / "examples").glob("*.yaml"))


def _reaches(found, original: Response, *, lenient: bool = False) -> bool:
    """Apply the plan's changes to the response independently of the plan's own proof, and score.

    The changed copy must also be a valid response: every changed question still asked, and no
    required question left unanswered (what `dhti validate` checks of the target file).
    """
    edits = {change.question: change.after for change in found.changes}
    changed = with_answers(original, edits)
    assert all(qid in changed.applicable for qid in edits)
    assert lenient or not unanswered_required(changed)
    scores = score_response(changed, lenient=lenient)
    if found.target.what is What.DOMAIN:
        domain = scores.domain(found.target.id)
        return domain.stage.level >= found.target.stage.level
    return scores.stage.level >= found.target.stage.level


def _every_target(target_response: Response):
    q = target_response.questionnaire
    scores = score_response(target_response)
    for domain in [None, *(d.id for d in q.domains)]:
        current = scores.stage.level if domain is None else scores.domain(domain).stage.level
        for stage in q.stages:
            if stage.level > current:
                yield domain, stage.level


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_every_sample_plan_reaches_its_target(path: Path, registry: Registry) -> None:
    original = validate_file(path, registry=registry).response
    assert original is not None
    planned = 0
    for domain, level in _every_target(original):
        found = plan(original, target_stage=level, domain=domain)
        assert found.outcome in (Outcome.PLANNED, Outcome.UNREACHABLE), (domain, level)
        if found.outcome is Outcome.PLANNED:
            planned += 1
            assert found.reached, (domain, level)
            assert _reaches(found, original), (domain, level)
            assert [c.gain for c in found.changes] == sorted((c.gain for c in found.changes), reverse=True)
            assert all(
                original.answers.get(c.question) is None or not original.answers[c.question].na for c in found.changes
            )
        else:
            assert found.why_not is not None
    assert planned


def _simulated(registry: Registry) -> list[Response]:
    chosen = simulate.newest_bundled(registry)
    files = simulate.simulate(simulate.Plan(chosen, provinces=("Cao Bằng",), entities=1, seed=3))
    found = []
    for simulated in files:
        validation = validate_document(load_text(simulated.text, str(simulated.path)), registry=registry)
        assert validation.response is not None, validation.problems
        found.append(validation.response)
    return found


def test_every_simulated_plan_reaches_its_target(registry: Registry) -> None:
    responses = _simulated(registry)
    assert len(responses) >= 5
    for original in responses:
        for domain, level in _every_target(original):
            found = plan(original, target_stage=level, domain=domain)
            if found.outcome is Outcome.PLANNED:
                assert found.reached, (original.file, domain, level)
                assert _reaches(found, original), (original.file, domain, level)


def test_the_default_target_is_the_next_stage_and_the_top_stage_says_so(registry: Registry) -> None:
    original = validate_file(EXAMPLES[0], registry=registry).response  # central hospital: stage 5
    assert plan(original).outcome is Outcome.TOP
    station = validate_file(next(p for p in EXAMPLES if "dien-bien" in p.name), registry=registry).response
    found = plan(station)
    assert (found.stage.level, found.target.stage.level) == (2, 3)
    assert plan(station, target_stage=2).outcome is Outcome.ALREADY


def test_unknown_domain_and_stage_are_refused(registry: Registry) -> None:
    original = validate_file(EXAMPLES[1], registry=registry).response
    with pytest.raises(PlanError, match="unknown domain 'polcy'"):
        plan(original, domain="polcy")
    with pytest.raises(PlanError, match="no stage 9"):
        plan(original, target_stage=9)


# --- exactness on small additive questionnaires ---------------------------------------------------------------

POINTS = st.lists(st.integers(0, 4), min_size=3, max_size=3).filter(lambda points: max(points) > 0)
WEIGHTS = st.integers(1, 4)


@st.composite
def cases(draw: st.DrawFn, *, aggregation: str = "arithmetic"):
    """Two domains of two indicators, each with two or three scored questions, and an answer to each."""
    domains: dict[str, dict[str, list[dict[str, object]]]] = {}
    weights: dict[str, float] = {}
    answers: dict[str, object] = {}
    for d in ("d1", "d2"):
        domains[d] = {}
        weights[d] = draw(WEIGHTS)
        for i in ("a", "b"):
            indicator = f"{d}.{i}"
            weights[indicator] = draw(WEIGHTS)
            questions = []
            for n in range(draw(st.integers(2, 3))):
                qid = f"{indicator}.q{n}"
                kind = draw(st.sampled_from(["choice", "yes_no", "percent", "multi"]))
                extra: dict[str, object] = {"weight": draw(WEIGHTS)}
                if kind in ("choice", "multi"):
                    points = draw(POINTS)
                    extra["options"] = [option(f"o{k}", p) for k, p in enumerate(points)]
                    if kind == "choice":
                        answers[qid] = f"o{draw(st.integers(0, 2))}"
                    else:
                        answers[qid] = [f"o{k}" for k in range(3) if draw(st.booleans())]
                elif kind == "percent":
                    extra["bands"] = [{"min": 0, "points": 0}, {"min": 50, "points": 1}, {"min": 80, "points": 2}]
                    answers[qid] = float(draw(st.sampled_from([0, 30, 60, 90])))
                else:
                    answers[qid] = draw(st.sampled_from(["yes", "no"]))
                questions.append(question(qid, kind, **extra))
            domains[d][indicator] = questions
    q = questionnaire(domains, aggregation=aggregation, weights=weights)
    return response(q, answers)


def _fewest_by_search(original: Response, found) -> int | None:
    """The fewest questions that, each at its best answer, reach the target: every subset tried."""
    scores = score_response(original)
    best = {}
    for qid, question_ in original.questionnaire.questions.items():
        values = better_values(question_, current_value(original, qid))
        if values and qid in scores.questions:
            best[qid] = values[-1]
    for size in range(len(best) + 1):
        for chosen in itertools.combinations(best, size):
            changed = score_response(with_answers(original, {qid: best[qid] for qid in chosen}))
            reached = (
                changed.stage.level if found.target.what is What.INDEX else changed.domain(found.target.id).stage.level
            )
            if reached >= found.target.stage.level:
                return size
    return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.sampled_from([None, "d1"]), st.integers(2, 5))
def test_additive_plans_are_the_fewest(original: Response, domain: str | None, level: int) -> None:
    scores = score_response(original)
    current = scores.stage if domain is None else scores.domain(domain).stage
    if level <= current.level:
        return
    found = plan(original, target_stage=level, domain=domain)
    fewest = _fewest_by_search(original, found)
    assert found.exact
    if fewest is None:
        assert found.outcome is Outcome.UNREACHABLE
        return
    assert found.outcome is Outcome.PLANNED
    assert found.reached
    assert len(found.changes) == fewest


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(aggregation="geometric"), st.integers(2, 5))
def test_geometric_plans_are_flagged_heuristic(original: Response, level: int) -> None:
    if level <= score_response(original).stage.level:
        return
    found = plan(original, target_stage=level)
    assert not found.exact
    assert "geometrically" in found.reason("en")
    if found.outcome is Outcome.PLANNED:
        assert found.reached
        assert _reaches(found, original)
    domain = score_response(original).domain("d1")
    if domain.stage.level < 5:
        assert plan(original, target_stage=5, domain="d1").exact  # a domain's score is arithmetic anyway


def test_least_effort_after_fewest_changes() -> None:
    """One change suffices; it is lowered to the least option that still reaches the stage."""
    q = questionnaire({"d": {"d.i": [question("d.i.a", options=[option(f"o{n}", n) for n in range(5)])]}})
    found = plan(response(q, {"d.i.a": "o0"}), target_stage=3)  # 40 needs 2 of 4 points
    assert [(c.question, c.before, c.after) for c in found.changes] == [("d.i.a", "o0", "o2")]
    assert found.rescored_score == 50.0


def test_a_linear_answer_moves_to_the_value_needed() -> None:
    q = questionnaire({"d": {"d.i": [question("d.i.a", "percent"), question("d.i.b", "yes_no")]}})
    found = plan(response(q, {"d.i.a": 10.0, "d.i.b": "yes"}), target_stage=5)  # (a + 100) / 2 >= 80
    assert [(c.question, c.after) for c in found.changes] == [("d.i.a", 60.0)]
    assert found.exact
    assert found.reached


def test_skip_logic_that_brings_questions_in_is_heuristic_and_answers_them() -> None:
    q = questionnaire(
        {
            "d": {
                "d.i": [
                    question("d.i.has", "yes_no"),
                    question("d.i.depth", relevant="d.i.has == 'yes'"),
                    question("d.i.other"),
                ]
            }
        }
    )
    original = response(q, {"d.i.has": "no", "d.i.other": "none"})
    found = plan(original, target_stage=5)
    assert not found.exact
    assert "d.i.has" in found.reason("en")
    assert found.reached
    changed = {c.question for c in found.changes}
    assert "d.i.has" in changed
    edited = with_answers(original, {c.question: c.after for c in found.changes})
    assert all(qid in edited.applicable for qid in changed)
    assert all(edited.answers.get(qid) is not None for qid in edited.applicable)


def test_never_changes_a_not_applicable_answer() -> None:
    q = questionnaire({"d": {"d.i": [question("d.i.a", allow_na=True), question("d.i.b")]}})
    found = plan(response(q, {"d.i.a": "na", "d.i.b": "none"}), target_stage=5)
    assert [c.question for c in found.changes] == ["d.i.b"]


COMPLIANCE = {
    "compliance": [
        {
            "id": "comp.law",
            "text": {"en": "The law", "vi": "Luật"},
            "met": "d.law.done == 'yes'",
            "caps_stage": 2,
        }
    ]
}


def test_an_obligation_capping_below_the_target_is_met_first() -> None:
    q = questionnaire(
        {
            "d": {
                "d.i": [question("d.i.a"), question("d.i.b")],
                "d.law": [question("d.law.done", "yes_no", weight=0)],
            }
        },
        extra=COMPLIANCE,
    )
    original = response(q, {"d.i.a": "all", "d.i.b": "some", "d.law.done": "no"})
    scores = score_response(original)
    assert scores.score_stage.level == 4  # 75 points
    assert scores.stage.level == 2  # capped
    found = plan(original, target_stage=3)
    assert [(c.question, c.after, c.meets) for c in found.changes] == [("d.law.done", "yes", ("comp.law",))]
    assert found.exact
    assert found.reached
    to_five = plan(original, target_stage=5)
    assert {c.question for c in to_five.changes} == {"d.law.done", "d.i.b"}


def test_an_obligation_that_answers_cannot_meet_is_unreachable() -> None:
    q = questionnaire(
        {"d": {"d.i": [question("d.i.a")], "d.law": [question("d.law.done", "yes_no", weight=0, allow_na=True)]}},
        extra=COMPLIANCE,
    )
    found = plan(response(q, {"d.i.a": "all", "d.law.done": "na"}), target_stage=3)
    assert found.outcome is Outcome.UNREACHABLE
    assert "comp.law" in found.why_not.render("en")


def test_a_stage_beyond_the_best_answers_is_unreachable() -> None:
    """A skipped capability counts 0 (when_skipped: zero) and no scored answer brings it back: 50 at most."""
    q = questionnaire(
        {
            "d": {
                "d.i": [
                    question("d.i.ctl", "yes_no", weight=0),
                    question("d.i.a", relevant="d.i.ctl == 'yes'", when_skipped="zero"),
                    question("d.i.b"),
                ]
            }
        }
    )
    original = response(q, {"d.i.ctl": "no", "d.i.b": "none"})
    assert plan(original, target_stage=3).outcome is Outcome.PLANNED
    found = plan(original, target_stage=5)
    assert found.outcome is Outcome.UNREACHABLE
    assert found.why_not.render("en") == "the most the answers that can be changed reach is 50.0, below stage 5's 80.0"


def test_lenient_answers_unanswered_questions() -> None:
    q = questionnaire({"d": {"d.i": [question("d.i.a"), question("d.i.b")]}})
    original = response(q, {"d.i.a": "all"})
    found = plan(original, target_stage=4, lenient=True)  # (100 + 50) / 2 >= 60
    assert [(c.question, c.before, c.after) for c in found.changes] == [("d.i.b", None, "some")]
    assert found.reached


def test_an_indicator_plan_meets_what_its_gates_require() -> None:
    """Stage 4 of the indicator needs its gate: the plan meets it, whatever the points say."""
    gated = {
        "id": "d.i",
        "title": {"en": "I", "vi": "I"},
        "gates": [{"stage": 4, "requires": "d.i.unit == 'yes'", "text": {"en": "a unit", "vi": "có đơn vị"}}],
        "questions": [question("d.i.a"), question("d.i.unit", "yes_no", weight=0)],
    }
    plain = {"id": "d.j", "title": {"en": "J", "vi": "J"}, "questions": [question("d.j.a")]}
    q = Questionnaire.model_validate(
        {
            "id": "gated",
            "version": "1",
            "title": {"en": "G", "vi": "G"},
            "entity_types": ["hospital"],
            "domains": [{"id": "d", "title": {"en": "D", "vi": "D"}, "indicators": [gated, plain]}],
        }
    )
    original = response(q, {"d.i.a": "some", "d.i.unit": "no", "d.j.a": "none"})
    assert score_response(original).indicator("d.i").stage.level == 3  # 50 points
    found = plan(original, target_stage=4, indicator="d.i")
    assert found.target.what is What.INDICATOR
    assert {(c.question, c.after, c.opens) for c in found.changes} == {("d.i.a", "all", ()), ("d.i.unit", "yes", (4,))}
    assert found.exact
    assert found.reached
    assert plan(original, target_stage=3, indicator="d.i").outcome is Outcome.ALREADY
    with pytest.raises(PlanError, match=r"unknown indicator 'd\.x'"):
        plan(original, indicator="d.x")
    with pytest.raises(PlanError, match="not both"):
        plan(original, indicator="d.i", domain="d")


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_every_indicator_plan_reaches_its_next_stage(path: Path, registry: Registry) -> None:
    """Each indicator of each sample to its next stage: the gates' requirements met, and the proof holds."""
    original = validate_file(path, registry=registry).response
    scores = score_response(original)
    planned = 0
    for domain in scores.domains:
        for item in domain.indicators:
            if item.score is None:
                continue
            found = plan(original, indicator=item.id)
            if found.outcome is Outcome.PLANNED:
                planned += 1
                assert found.reached, item.id
                changed = score_response(with_answers(original, {c.question: c.after for c in found.changes}))
                assert changed.indicator(item.id).stage.level >= found.target.stage.level  # after its gates
    assert planned or scores.stage.level == 5


@st.composite
def gated_cases(draw: st.DrawFn):
    """Each indicator: a yes/no question that, answered yes, asks one or two more (skip logic a plan can alter)."""
    domains: dict[str, dict[str, list[dict[str, object]]]] = {}
    answers: dict[str, object] = {}
    for d in ("d1", "d2"):
        domains[d] = {}
        for i in ("a", "b"):
            indicator = f"{d}.{i}"
            has = f"{indicator}.has"
            questions = [question(has, "yes_no", weight=draw(WEIGHTS))]
            answers[has] = draw(st.sampled_from(["yes", "no"]))
            for n in range(draw(st.integers(1, 2))):
                qid = f"{indicator}.q{n}"
                skipped = draw(st.sampled_from(["exclude", "zero"]))
                points = draw(POINTS)
                options = [option(f"o{k}", p) for k, p in enumerate(points)]
                extra = {"relevant": f"{has} == 'yes'", "when_skipped": skipped, "options": options}
                questions.append(question(qid, weight=draw(WEIGHTS), **extra))
                if answers[has] == "yes":
                    answers[qid] = f"o{draw(st.integers(0, 2))}"
            domains[d][indicator] = questions
    return response(questionnaire(domains), answers)


def _best_of_everything(original: Response) -> Response:
    """Every scored question asked at its best answer once every yes/no that asks more says yes."""
    q = original.questionnaire
    best = {qid: "yes" for qid in q.questions if qid.endswith(".has")}
    for qid, question_ in q.questions.items():
        values = better_values(question_, None)
        if not qid.endswith(".has") and values:
            best[qid] = values[-1]
    return with_answers(original, best)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gated_cases(), st.integers(2, 5))
def test_plans_through_skip_logic_reach_their_target_or_none_can(original: Response, level: int) -> None:
    if level <= score_response(original).stage.level:
        return
    found = plan(original, target_stage=level)
    if found.outcome is Outcome.PLANNED:
        assert found.reached
        assert _reaches(found, original)
    else:
        assert found.outcome is Outcome.UNREACHABLE
        assert score_response(_best_of_everything(original)).stage.level < level  # truly out of reach


def test_an_unanswered_optional_question_is_answered_with_lenient() -> None:
    q = questionnaire({"d": {"d.i": [question("d.i.a"), question("d.i.b", required=False)]}})
    original = response(q, {"d.i.a": "none"})
    found = plan(original, target_stage=5, lenient=True)
    assert found.reached
    assert not found.exact
    assert "d.i.b" in found.reason("en")
    assert plan(original, target_stage=5).changes[0].question == "d.i.a"  # without --lenient: only answers given
