"""Properties of scoring and validation over generated questionnaires, answers and YAML."""

from __future__ import annotations

import string

import yaml
from builders import option, question, questionnaire, response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dhti.errors import InputError
from dhti.questionnaire import Question, Questionnaire, QuestionType
from dhti.response import validate_document
from dhti.scoring import score_response
from dhti.yamlio import load_bytes, load_text

KINDS = ["choice", "yes_no", "multi", "number", "percent"]
weights = st.sampled_from([0.5, 1, 2, 3])


@st.composite
def question_dicts(draw: st.DrawFn, qid: str) -> dict[str, object]:
    kind = draw(st.sampled_from(KINDS))
    extra: dict[str, object] = {"weight": draw(weights)}
    if kind in ("choice", "multi"):
        points = draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
        extra["options"] = [option("zero", 0), *(option(f"o{i}", p) for i, p in enumerate(points))]
    if kind in ("number", "percent"):
        if draw(st.booleans()):
            top = 100 if kind == "percent" else draw(st.integers(1, 50))
            extra["linear"] = {"from": 0, "to": top}
        else:
            mins = sorted(draw(st.sets(st.integers(1, 99), min_size=1, max_size=3)))
            extra["bands"] = [{"min": 0, "points": 0}, *({"min": m, "points": i + 1} for i, m in enumerate(mins))]
    return question(qid, kind, **extra)


@st.composite
def questionnaires(draw: st.DrawFn) -> Questionnaire:
    domains = {}
    for d in range(draw(st.integers(1, 4))):
        indicators = {}
        for i in range(draw(st.integers(1, 3))):
            count = draw(st.integers(1, 3))
            indicators[f"d{d}.i{i}"] = [draw(question_dicts(f"d{d}.i{i}.q{n}")) for n in range(count)]
        domains[f"d{d}"] = indicators
    names = [*domains, *(i for ind in domains.values() for i in ind)]
    chosen = {name: draw(weights) for name in names}
    aggregation = draw(st.sampled_from(["arithmetic", "geometric"]))
    return questionnaire(domains, weights=chosen, aggregation=aggregation)


def extreme(q: Question, *, best: bool) -> object:
    kind = q.type
    if kind is QuestionType.YES_NO:
        return "yes" if best else "no"
    if kind is QuestionType.CHOICE:
        return max(q.option_values, key=lambda v: q.option(v).points) if best else "zero"  # type: ignore[union-attr]
    if kind is QuestionType.MULTI:
        return list(q.option_values) if best else []
    return (100.0 if kind is QuestionType.PERCENT else 1000.0) if best else 0.0


def anything(q: Question, draw: st.DrawFn) -> object:
    kind = q.type
    if kind is QuestionType.YES_NO:
        return draw(st.sampled_from(["yes", "no"]))
    if kind is QuestionType.CHOICE:
        return draw(st.sampled_from(q.option_values))
    if kind is QuestionType.MULTI:
        return draw(st.lists(st.sampled_from(q.option_values), unique=True))
    top = 100.0 if kind is QuestionType.PERCENT else 1e6
    return draw(st.floats(0, top, allow_nan=False))


@given(questionnaires(), st.data())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_scores_stay_between_0_and_100(built: Questionnaire, data: st.DataObject) -> None:
    answers = {qid: anything(q, data.draw) for qid, q in built.questions.items()}
    scores = score_response(response(built, answers))
    assert scores.index is not None
    assert 0 <= scores.index <= 100
    for domain in scores.domains:
        assert domain.score is not None
        assert 0 <= domain.score <= 100
        assert all(0 <= (item.score or 0) <= 100 for item in domain.indicators)
    assert scores.completeness == 1.0


@given(questionnaires())
def test_all_best_answers_give_100_and_all_worst_give_0(built: Questionnaire) -> None:
    best = score_response(response(built, {qid: extreme(q, best=True) for qid, q in built.questions.items()}))
    worst = score_response(response(built, {qid: extreme(q, best=False) for qid, q in built.questions.items()}))
    assert best.index is not None
    assert abs(best.index - 100) < 1e-9
    assert best.stage is not None
    assert best.stage.level == 5
    assert worst.index == 0


@given(questionnaires(), st.data())
def test_raising_one_answer_never_lowers_an_arithmetic_index(built: Questionnaire, data: st.DataObject) -> None:
    built = built.model_copy(update={"aggregation": "arithmetic"})
    answers = {qid: anything(q, data.draw) for qid, q in built.questions.items()}
    qid = data.draw(st.sampled_from(list(built.questions)))
    before = score_response(response(built, answers)).index
    raised = dict(answers, **{qid: extreme(built.questions[qid], best=True)})
    after = score_response(response(built, raised)).index
    assert before is not None
    assert after is not None
    assert after >= before - 1e-9


yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(string.printable + "ăâđêôơưàảãáạĐ", max_size=12),
    st.sampled_from(["mini@1.0", "mini", "hospital", "na", "yes", "policy.strategy.plan", "2026-10-15"]),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(["questionnaire", "entity", "assessment", "answers", "id", "type", "date", "value"]),
                st.sampled_from(["policy.strategy.plan", "capacity.systems.in_use", "capacity.systems.staff"]),
                st.text(string.ascii_lowercase, min_size=1, max_size=6),
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=25,
)


@given(yaml_values)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_validation_never_raises_on_arbitrary_yaml(registry, value: object) -> None:
    text = yaml.safe_dump(value, allow_unicode=True)
    try:
        document = load_text(text, "r.yaml")
    except InputError:
        return
    result = validate_document(document, registry=registry)
    for problem in result.problems:
        assert problem.line >= 1
        assert problem.column >= 1
    if result.response is not None:
        score_response(result.response)


@given(st.binary(max_size=200))
def test_loading_arbitrary_bytes_raises_only_input_error(raw: bytes) -> None:
    try:
        load_bytes(raw, "r.yaml")
    except InputError as err:
        problems = err.problems
    else:
        problems = (True,)
    assert problems
