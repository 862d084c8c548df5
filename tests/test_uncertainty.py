"""dhti.uncertainty against the ordinary scorer: exact at r = 0, equal to a slow loop, invariants, sensitivity."""

from __future__ import annotations

import copy
import dataclasses
import random
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pytest
from builders import option, response

from dhti.assess import assess, assess_bytes
from dhti.jobs.demo import sample_files
from dhti.peers import rank_of
from dhti.questionnaire import Aggregation, Questionnaire
from dhti.registry import Registry
from dhti.response import Answer, Response
from dhti.scoring import Scores, _domain, _index, score_response
from dhti.simulate import Plan, newest_bundled, simulate
from dhti.uncertainty import (
    CHUNK,
    Group,
    Mix,
    Settings,
    build_cohort,
    draw_factors,
    draw_ranks,
    evaluate,
    peer_uncertainty,
    rank_intervals,
    sensitivity,
    stage_levels,
    uncertainty,
)

T = {"en": "Text", "vi": "Văn bản"}
BANDS = [{"min": 0, "points": 0}, {"min": 50, "points": 1}, {"min": 90, "points": 3}]


def _q(qid: str, kind: str, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {"id": qid, "text": T, "type": kind, **extra}
    if kind in ("choice", "multi") and "options" not in extra:
        body["options"] = [option("none", 0), option("some", 1), option("all", 2)]
    return body


def body(aggregation: str = "arithmetic") -> dict[str, Any]:
    """Every scored type, weights, ``na``, skip logic (zero and exclude), a question for one type only, a cap."""
    return {
        "id": "mc",
        "version": "1.0",
        "title": T,
        "entity_types": ["hospital", "health_centre"],
        "aggregation": aggregation,
        "domains": [
            {
                "id": "policy",
                "title": T,
                "weight": 2,
                "indicators": [
                    {
                        "id": "policy.plan",
                        "title": T,
                        "weight": 3,
                        "questions": [
                            _q("p.plan", "yes_no"),
                            _q("p.budget", "yes_no", relevant="p.plan == 'yes'", when_skipped="zero", weight=2),
                            _q("p.level", "choice", allow_na=True),
                        ],
                    },
                    {
                        "id": "policy.law",
                        "title": T,
                        "questions": [
                            _q("p.law", "multi", weight=1.5),
                            _q("p.review", "choice", relevant="p.law != []", entity_types=["hospital"]),
                        ],
                    },
                ],
            },
            {
                "id": "capacity",
                "title": T,
                "indicators": [
                    {
                        "id": "capacity.staff",
                        "title": T,
                        "weight": 0.5,
                        "questions": [
                            _q("c.staff", "number", bands=BANDS),
                            _q("c.share", "percent", linear={"from": 0, "to": 100}, weight=3),
                        ],
                    },
                    {
                        "id": "capacity.net",
                        "title": T,
                        "questions": [_q("c.net", "choice", allow_na=True), _q("c.note", "text", weight=0)],
                    },
                ],
            },
            {
                "id": "standards",
                "title": T,
                "weight": 1.5,
                "indicators": [
                    {
                        "id": "standards.emr",
                        "title": T,
                        "questions": [
                            _q("s.emr", "choice", options=[option("no", 0), option("part", 1), option("full", 4)]),
                            _q("s.hl7", "yes_no", relevant="s.emr != 'no'"),
                        ],
                    },
                ],
            },
        ],
        "compliance": [{"id": "law.emr", "text": T, "met": "s.emr == 'full'", "caps_stage": 2}],
    }


ANSWERS: dict[str, tuple[object, ...]] = {
    "p.plan": ("yes", "no"),
    "p.budget": ("yes", "no"),
    "p.level": ("none", "some", "all", "na"),
    "p.law": ((), ("some",), ("none", "all"), ("some", "all")),
    "p.review": ("none", "some", "all"),
    "c.staff": (0.0, 20.0, 60.0, 95.0),
    "c.share": (0.0, 12.5, 47.0, 100.0),
    "c.net": ("none", "some", "all", "na"),
    "c.note": ("free text",),
    "s.emr": ("no", "part", "full"),
    "s.hl7": ("yes", "no"),
}


def random_answers(rng: random.Random, *, open_share: float = 0.0) -> dict[str, object]:
    answers = {qid: rng.choice(values) for qid, values in ANSWERS.items()}
    for qid in list(answers):
        if rng.random() < open_share:
            del answers[qid]
    return {qid: list(v) if isinstance(v, tuple) else v for qid, v in answers.items()}


def cohort_of(aggregation: str, units: int, *, seed: int = 3, open_share: float = 0.0) -> list[tuple[Response, Scores]]:
    questionnaire = Questionnaire.model_validate(body(aggregation))
    rng = random.Random(seed)  # noqa: S311 - answers for a test, not secrets
    scored = []
    for n in range(units):
        kind = "hospital" if n % 3 else "health_centre"
        built = response(questionnaire, random_answers(rng, open_share=open_share), entity_type=kind)
        built = dataclasses.replace(built, answers={q: _typed(a) for q, a in built.answers.items()})
        scored.append((built, score_response(built, lenient=open_share > 0)))
    return scored


def _typed(answer: Answer) -> Answer:
    """Builders keep numbers as they are given; the scorer wants floats."""
    return Answer(float(answer.value)) if isinstance(answer.value, int) else answer


@pytest.fixture(scope="module")
def bundled() -> list[tuple[Response, Scores]]:
    """Every bundled sample and a small simulated campaign of every bundled questionnaire."""
    registry = Registry.discover(environ={})
    outcomes = [assess(path, registry=registry) for path in sample_files()]
    plan = Plan(newest_bundled(registry), entities=2, seed=5)
    outcomes += [assess_bytes(f.text.encode(), file=str(f.path), registry=registry) for f in simulate(plan)]
    return [(o.validation.response, o.scores) for o in outcomes if o.validation.response and o.scores]


def ordinary(scored: list[tuple[Response, Scores]]) -> np.ndarray:
    return np.array([s.index if s.index is not None else np.nan for _r, s in scored])


@pytest.mark.parametrize("mix", [Mix.ARITHMETIC, Mix.GEOMETRIC])
def test_with_no_spread_every_draw_is_the_ordinary_score_of_the_bundled_samples(bundled, mix: Mix) -> None:
    as_scored = [_with_aggregation(r, s, mix) for r, s in bundled]
    result = uncertainty(as_scored, settings=Settings(draws=40, spread=0.0, aggregation=mix))
    expected = ordinary(as_scored)
    assert not np.isnan(expected).any()
    np.testing.assert_allclose(result.draws, np.repeat(expected[:, None], 40, axis=1), rtol=1e-12, atol=0)
    for unit, (_response, scores) in zip(result.units, as_scored, strict=True):
        assert unit is not None
        assert scores.stage is not None
        assert dict(unit.stages)[scores.stage.level] == 1.0


def _with_aggregation(response: Response, scores: Scores, mix: Mix) -> tuple[Response, Scores]:
    if response.questionnaire.aggregation == mix.value:
        return response, scores
    questionnaire = response.questionnaire.model_copy(update={"aggregation": Aggregation(mix.value)})
    rebound = dataclasses.replace(response, questionnaire=questionnaire)
    return rebound, score_response(rebound)


@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric"])
def test_with_no_spread_every_draw_is_the_ordinary_score_of_a_built_cohort(aggregation: str) -> None:
    scored = cohort_of(aggregation, 60)
    skipped = {q for r, _s in scored for q in ("p.budget", "p.review", "s.hl7") if q not in r.applicable}
    assert skipped == {"p.budget", "p.review", "s.hl7"}  # when_skipped zero, exclude and not-asked all occur
    assert any(r.answers.get("c.net", Answer(None)).na for r, _s in scored)
    assert any(s.index == 0 for _r, s in scored) or aggregation == "arithmetic"
    result = uncertainty(scored, settings=Settings(draws=CHUNK + 5, spread=0.0, aggregation=Mix(aggregation)))
    expected = np.repeat(ordinary(scored)[:, None], CHUNK + 5, axis=1)
    np.testing.assert_allclose(result.draws, expected, rtol=1e-12, atol=1e-12)


def test_lenient_open_questions_without_lenient_draws_score_zero_as_the_scorer_does() -> None:
    scored = cohort_of("arithmetic", 40, open_share=0.3)
    result = uncertainty(scored, settings=Settings(draws=3, spread=0.0, aggregation=Mix.ARITHMETIC))
    np.testing.assert_allclose(result.draws, np.repeat(ordinary(scored)[:, None], 3, axis=1), rtol=1e-12, atol=1e-12)


def perturbed(source: Mapping[str, Any], factors: Mapping[str, float], aggregation: str) -> Questionnaire:
    """A copy of the questionnaire with every weight multiplied by its factor and the aggregation chosen."""
    changed = copy.deepcopy(dict(source))
    changed["aggregation"] = aggregation
    for domain in changed["domains"]:
        domain["weight"] = domain.get("weight", 1) * factors[domain["id"]]
        for indicator in domain["indicators"]:
            indicator["weight"] = indicator.get("weight", 1) * factors[indicator["id"]]
            for question in indicator["questions"]:
                question["weight"] = question.get("weight", 1) * factors.get(question["id"], 1.0)
    return Questionnaire.model_validate(changed)


def reference_draws(scored: list[tuple[Response, Scores]], settings: Settings) -> Iterator[list[Scores]]:
    """The slow way: the same drawn factors, a perturbed copy of the questionnaire per draw, the ordinary scorer."""
    cohort = build_cohort(scored)
    rng = np.random.default_rng(settings.seed)
    source = body()
    for start in range(0, settings.draws, CHUNK):
        factors = draw_factors(cohort, settings, rng, min(CHUNK, settings.draws - start))
        for d in range(factors.geometric.size):
            weights = dict(zip(cohort.question_ids, factors.questions[d], strict=True))
            weights |= dict(zip(cohort.indicator_ids, factors.indicators[d], strict=True))
            weights |= dict(zip(cohort.domain_ids, factors.domains[d], strict=True))
            chosen = perturbed(source, weights, "geometric" if factors.geometric[d] else "arithmetic")
            yield [score_response(dataclasses.replace(r, questionnaire=chosen)) for r, _s in scored]


def test_percentiles_and_stage_probabilities_equal_a_slow_reference_loop() -> None:
    scored = cohort_of("arithmetic", 12, seed=11)
    settings = Settings(draws=70, seed=4, spread=0.4)
    slow = list(reference_draws(scored, settings))
    values = np.array([[s.index for s in draw] for draw in slow]).T  # N x D
    result = uncertainty(scored, settings=settings)
    np.testing.assert_allclose(result.draws, values, rtol=1e-12, atol=1e-12)
    for n, unit in enumerate(result.units):
        assert unit is not None
        assert (unit.p5, unit.p50, unit.p95) == pytest.approx(tuple(np.percentile(values[n], [5, 50, 95])), abs=1e-9)
        levels = [draw[n].stage.level for draw in slow if draw[n].stage is not None]
        assert dict(unit.stages) == {level: levels.count(level) / len(levels) for level in range(1, 6)}


def test_ranks_equal_the_competition_rank_of_each_draw() -> None:
    scored = cohort_of("arithmetic", 15, seed=2)
    groups = [r.entity.type for r, _s in scored]
    result = uncertainty(scored, settings=Settings(draws=50, seed=1))
    ranks = draw_ranks(result.draws, groups)
    for n, group in enumerate(groups):
        others = [m for m, g in enumerate(groups) if g == group and m != n]
        expected = [rank_of(result.draws[n, d], list(result.draws[others, d])).position for d in range(50)]
        assert list(ranks[n]) == expected
    intervals = rank_intervals(result, groups=groups)
    for n, interval in enumerate(intervals):
        assert interval is not None
        assert interval.of == groups.count(groups[n])
        assert 1 <= interval.low <= interval.median <= interval.high <= interval.of
        assert interval.low == int(np.percentile(ranks[n], 5, method="inverted_cdf"))


def test_the_same_seed_gives_the_same_figures_and_another_seed_others() -> None:
    scored = cohort_of("arithmetic", 10)
    first = uncertainty(scored, settings=Settings(draws=100, seed=9))
    again = uncertainty(scored, settings=Settings(draws=100, seed=9))
    other = uncertainty(scored, settings=Settings(draws=100, seed=10))
    assert first.units == again.units
    np.testing.assert_array_equal(first.draws, again.draws)
    assert first.units != other.units


def test_a_capped_unit_is_never_likely_above_its_cap() -> None:
    scored = cohort_of("arithmetic", 60, seed=8)
    capped = [n for n, (_r, s) in enumerate(scored) if s.compliance and s.compliance[0].status == "breach"]
    assert capped
    result = uncertainty(scored, settings=Settings(draws=200, spread=0.6))
    for n in capped:
        unit = result.units[n]
        assert unit is not None
        assert all(p == 0 for level, p in unit.stages if level > 2)
    # the cap is applied to each draw's stage, not to its index
    cohort = build_cohort([scored[n] for n in capped])
    high = np.full((1, len(capped)), 99.0)
    assert set(stage_levels(cohort, high)[0]) == {2}


def test_a_better_answer_never_lowers_the_index_in_any_draw() -> None:
    questionnaire = Questionnaire.model_validate(body())
    rng = random.Random(17)  # noqa: S311
    for _case in range(20):
        answers = random_answers(rng)
        answers["c.share"], better = 20.0, dict(answers, **{"c.share": 70.0})
        pair = [response(questionnaire, a) for a in (answers, better)]
        pair = [dataclasses.replace(r, answers={q: _typed(a) for q, a in r.answers.items()}) for r in pair]
        cohort = build_cohort([(r, score_response(r)) for r in pair])
        factors = draw_factors(cohort, Settings(spread=0.9), np.random.default_rng(_case), 64)
        worse_index, better_index = evaluate(cohort, factors).T
        assert (better_index >= worse_index - 1e-12).all()


def test_lenient_draws_are_the_ordinary_score_of_an_answer_giving_the_drawn_score() -> None:
    scored = cohort_of("arithmetic", 30, seed=21, open_share=0.25)
    cohort = build_cohort(scored)
    assert cohort.open_cells.size
    settings = Settings(spread=0.0, aggregation=Mix.ARITHMETIC, lenient=True)
    factors = draw_factors(cohort, settings, np.random.default_rng(0), 8)
    drawn = evaluate(cohort, factors)
    for d in range(8):
        filled: dict[int, dict[str, float]] = {n: {} for n in range(len(scored))}
        for (unit, column), value in zip(cohort.open_cells, factors.fill[d], strict=True):
            filled[int(unit)] = {**filled[int(unit)], cohort.question_ids[int(column)]: float(value)}
        for n, (resp, scores) in enumerate(scored):
            expected = _filled_index(resp, scores, filled[n])
            assert drawn[d, n] == pytest.approx(expected, rel=1e-12)


def _filled_index(resp: Response, scores: Scores, filled: Mapping[str, float]) -> float:
    """The ordinary index with each open question's score replaced, through the scorer's own aggregation."""
    questions = {**scores.questions, **filled}
    absent = {q for q, item in resp.questionnaire.questions.items() if item.when_skipped == "zero"} - resp.applicable
    absent = {q for q in absent if resp.questionnaire.questions[q].entity_types in (None, (resp.entity.type,))}
    domains = [_domain(resp.questionnaire, k, questions, absent, resp) for k in range(3)]
    index = _index(resp.questionnaire, domains)
    assert index is not None
    return index


def test_lenient_draws_cover_each_possible_score_of_an_open_question() -> None:
    scored = cohort_of("arithmetic", 30, seed=21, open_share=0.25)
    cohort = build_cohort(scored)
    factors = draw_factors(cohort, Settings(lenient=True), np.random.default_rng(0), 4000)
    by_question: dict[str, set[float]] = {}
    for (_unit, column), values in zip(cohort.open_cells, factors.fill.T, strict=True):
        by_question.setdefault(cohort.question_ids[int(column)], set()).update(np.round(values, 12))
    assert by_question["s.emr"] == {0.0, 0.25, 1.0}
    assert by_question["p.plan"] == {0.0, 1.0}
    assert by_question["c.staff"] == {0.0, round(1 / 3, 12), 1.0}
    assert by_question["p.law"] == {0.0, round(1 / 3, 12), round(2 / 3, 12), 1.0}
    assert len(by_question["c.share"]) > 100  # linear: uniform between from and to


def _aggregation_only() -> list[tuple[Response, Scores]]:
    """Units whose domains are equal but for one at 0: geometric gives 0, arithmetic about three quarters."""
    questionnaire = Questionnaire.model_validate(body())
    base = {"p.plan": "yes", "p.budget": "yes", "p.level": "all", "p.law": ["some", "all"], "p.review": "all"}
    scored = []
    for share in (10.0, 30.0, 50.0, 70.0, 90.0, 100.0):
        answers = {**base, "c.staff": 95.0, "c.share": share, "c.net": "na", "s.emr": "no"}
        built = response(questionnaire, answers)
        scored.append((built, score_response(built)))
    return scored


def test_sensitivity_names_aggregation_when_only_aggregation_matters() -> None:
    scored = _aggregation_only()
    groups = ["all"] * len(scored)
    found = sensitivity(scored, settings=Settings(draws=512, seed=3, spread=0.05), groups=groups)
    effects = {effect.group: effect for effect in found.effects}
    assert found.samples == 512
    assert effects[Group.AGGREGATION].index > 0.8
    assert effects[Group.AGGREGATION].index > 10 * max(e.index for g, e in effects.items() if g != Group.AGGREGATION)
    assert found.among(range(len(scored))).moves_ranks_most.group is Group.AGGREGATION  # type: ignore[union-attr]


def test_with_no_spread_the_weights_have_no_effect() -> None:
    scored = cohort_of("arithmetic", 30, seed=6)
    found = sensitivity(scored, settings=Settings(draws=256, spread=0.0), groups=["all"] * 30)
    for effect in found.effects:
        if effect.group is not Group.AGGREGATION:
            assert effect.index == 0
            assert effect.rank == 0
    assert {e.group for e in found.effects} == {
        Group.QUESTION_WEIGHTS,
        Group.INDICATOR_WEIGHTS,
        Group.DOMAIN_WEIGHTS,
        Group.AGGREGATION,
    }


def test_lenient_sensitivity_has_a_group_for_the_unanswered_questions() -> None:
    scored = cohort_of("arithmetic", 30, seed=21, open_share=0.25)
    settings = Settings(draws=128, lenient=True, spread=0.0, aggregation=Mix.ARITHMETIC)
    found = sensitivity(scored, settings=settings, groups=["all"] * 30)
    effects = {e.group: e for e in found.effects}
    assert effects[Group.UNANSWERED].index > 0.9  # the one choice that varies
    assert effects[Group.AGGREGATION].index == 0
    assert found.among(range(30)).moves_ranks_most.group is Group.UNANSWERED  # type: ignore[union-attr]


@pytest.mark.parametrize(("field", "value"), [("draws", 0), ("spread", 1.0), ("spread", -0.1)])
def test_settings_out_of_range_are_refused(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        Settings(**{field: value})  # type: ignore[arg-type]


def test_league_ranks_break_ties_by_the_order_given_and_are_distinct_positions() -> None:
    scored = cohort_of("arithmetic", 8, seed=4)
    twin = scored[2]
    scored = [*scored, twin, twin]  # two more units with the same answers as unit 2: tied in every draw
    groups = ["all"] * len(scored)
    order = [9, 8, 5, 7, 6, 4, 3, 2, 1, 0]  # by name: unit 9 first, then 8, ...
    result = uncertainty(scored, settings=Settings(draws=40, seed=2))
    ranks = draw_ranks(result.draws, groups, order=order)
    for d in range(40):
        assert sorted(ranks[:, d]) == list(range(1, 11))
        expected = sorted(range(10), key=lambda n: (-result.draws[n, d], order[n]))
        assert [int(ranks[n, d]) for n in expected] == list(range(1, 11))
    assert (ranks[9] < ranks[8]).all()
    assert (ranks[8] < ranks[2]).all()
    competition = draw_ranks(result.draws, groups)
    assert (competition[2] == competition[8]).all()
    assert (competition[8] == competition[9]).all()


def test_peer_uncertainty_gives_each_unit_its_interval_and_each_group_its_choice() -> None:
    scored = _aggregation_only() + cohort_of("arithmetic", 6, seed=1)
    keys = [f"u{n}" for n in range(len(scored))]
    groups = ["zero"] * 6 + ["other"] * 6
    found = peer_uncertainty(
        scored, keys=keys, groups=groups, order=list(range(len(scored))), settings=Settings(draws=256, spread=0.05)
    )
    assert set(found.ranks) == set(keys)
    assert all(interval.of == 6 for interval in found.ranks.values())
    zero = found.moves_most["zero"]
    assert zero is not None
    assert zero.group is Group.AGGREGATION
