"""Agreement of self-assessment and verification: ordinal scales, kappa against scikit-learn, planted inflation."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections import defaultdict
from functools import reduce

import pytest
from builders import option, question, questionnaire
from hypothesis import given, settings
from hypothesis import strategies as st
from reviews import PLANTED, ReviewCase, campaign
from sklearn.metrics import cohen_kappa_score

from dhti.agreement import (
    INDEX,
    Direction,
    Kappa,
    ReviewedPair,
    ReviewedUnit,
    agreement,
    category,
    position,
    same,
    scale,
    weighted_kappa,
)
from dhti.jobs.agreement import as_answer, decode
from dhti.questionnaire import Question
from dhti.registry import Registry
from dhti.response import Answer
from dhti.store.record import DomainEntry


def q(kind: str, **extra: object) -> Question:
    return Question.model_validate(question("x", kind, **extra))


BANDS = {"bands": [{"min": 0, "points": 0}, {"min": 50, "points": 1}, {"min": 90, "points": 4}]}
FOUR = {"options": [option("a", 0), option("b", 1), option("c", 2), option("d", 3)]}
MULTI = {"options": [option("none", 0), option("one", 1), option("two", 1), option("big", 2)]}


@pytest.mark.parametrize(
    ("kind", "extra", "value", "rank", "categories"),
    [
        ("yes_no", {}, "no", 0, 2),
        ("yes_no", {}, "yes", 1, 2),
        ("choice", FOUR, "a", 0, 4),
        ("choice", FOUR, "c", 2, 4),
        ("choice", FOUR, "zz", None, 4),  # not an option: no place on the scale
        ("percent", BANDS, 49.9, 1, 4),  # the first band (0 is below every band)
        ("percent", BANDS, 50, 2, 4),
        ("percent", BANDS, 95.0, 3, 4),
        ("percent", {"bands": [{"min": 10, "points": 1}, {"min": 20, "points": 2}]}, 5.0, 0, 3),
        ("number", {"linear": {"from": 0, "to": 10}}, 4.0, 4, 11),  # the score in tenths
        ("number", {"linear": {"from": 0, "to": 10}}, 99.0, 10, 11),
        # point totals 0, 1, 2, 3, 4 (one + two + big), each reachable
        ("multi", MULTI, ("none",), 0, 5),
        ("multi", MULTI, ("one",), 1, 5),
        ("multi", MULTI, ["two", "one"], 2, 5),
        ("multi", MULTI, ("big", "two"), 3, 5),
        ("multi", MULTI, ("big", "one", "two"), 4, 5),
        ("multi", {**MULTI, "max_points": 2}, ("big", "one", "two"), 2, 3),  # capped at max_points
        ("choice", FOUR, "na", None, 4),
        ("choice", FOUR, None, None, 4),
        ("number", BANDS, "50", None, 4),  # the wrong type
    ],
)
def test_the_ordinal_scale_of_each_type(kind: str, extra: dict[str, object], value: object, rank: int, categories: int):
    built = q(kind, **extra)
    assert scale(built) == categories
    assert category(built, value) == rank  # type: ignore[arg-type]
    expected = None if rank is None else rank / (categories - 1)
    assert position(built, value) == expected  # type: ignore[arg-type]


def test_the_same_answer_whatever_its_spelling():
    assert same(q("multi", **MULTI), ["one", "two"], ("two", "one"))
    assert same(q("number", **BANDS), 3, 3.0)
    assert not same(q("number", **BANDS), 51, 52)  # the same band, yet a correction
    assert not same(q("choice", **FOUR), "na", "a")
    assert same(q("choice", **FOUR), "na", "na")


def reference(first: list[int], second: list[int], labels: list[int], weights: str) -> float:
    return float(cohen_kappa_score(first, second, labels=labels, weights=weights))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=60))
def test_kappa_is_scikit_learns_on_any_ratings(pairs: list[tuple[int, int]]):
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    kappa = weighted_kappa([float(a) for a in first], [float(b) for b in second])
    assert kappa.pairs == len(pairs)
    if not kappa.defined:
        assert len(set(first) | set(second)) == 1  # one category only
        assert kappa.quadratic is None
        return
    for weights, mine in (("linear", kappa.linear), ("quadratic", kappa.quadratic)):
        assert mine == pytest.approx(reference(first, second, list(range(5)), weights), abs=1e-12)


def test_kappa_is_undefined_with_one_category_and_for_no_pairs():
    assert weighted_kappa([1.0, 1.0], [1.0, 1.0]) == Kappa(2, None, None)
    assert weighted_kappa([], []) == Kappa(0, None, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns as it divides by zero
        assert math.isnan(cohen_kappa_score([1, 1], [1, 1], weights="linear"))
    assert weighted_kappa([0.0, 0.0], [1.0, 1.0]).linear == 0.0  # two categories, never agreeing by more than chance


@pytest.fixture(scope="module")
def cases(registry: Registry) -> list[ReviewCase]:
    return campaign(registry)


def ranked(cases: list[ReviewCase]) -> dict[tuple[str, str], list[tuple[int, int, int]]]:
    """(questionnaire, question) -> (self rank, verified rank, categories) of every pair with a place on the scale."""
    found: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    for case in cases:
        definition = case.unit.questionnaire
        for pair in case.unit.answers:
            asked = definition.questions[pair.question]
            if not asked.scored:
                continue
            mine, checked = category(asked, pair.self_value), category(asked, pair.verified_value)
            if mine is not None and checked is not None:
                found[(definition.id, asked.id)].append((mine, checked, scale(asked)))
    return found


def test_each_questions_kappa_is_scikit_learns_on_its_own_scale(cases: list[ReviewCase]):
    figures = agreement([case.unit for case in cases])
    pairs = ranked(cases)
    compared = 0
    for row in figures.questions:
        found = pairs[(row.questionnaire or "", row.id)]
        assert row.kappa.pairs == len(found)
        if not row.kappa.defined:
            assert len({a for a, _, _ in found} | {b for _, b, _ in found}) <= 1
            continue
        labels = list(range(found[0][2]))
        first, second = [a for a, _, _ in found], [b for _, b, _ in found]
        assert row.kappa.linear == pytest.approx(reference(first, second, labels, "linear"), abs=1e-12)
        assert row.kappa.quadratic == pytest.approx(reference(first, second, labels, "quadratic"), abs=1e-12)
        compared += 1
    assert compared >= 20


def test_pooled_kappa_is_scikit_learns_on_a_common_integer_scale(cases: list[ReviewCase]):
    """Over a domain an answer sits at rank / (k - 1); times the lcm of the k - 1 it is on one integer scale."""
    figures = agreement([case.unit for case in cases])
    pairs = ranked(cases)
    domain_of = {
        (c.unit.questionnaire.id, qid): c.unit.questionnaire.indicator_of(qid)
        for c in cases
        for qid in c.unit.questionnaire.questions
    }
    by_domain: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for key, found in pairs.items():
        indicator = domain_of[key]
        definition = next(c.unit.questionnaire for c in cases if c.unit.questionnaire.id == key[0])
        domain = next(d.id for d in definition.domains if indicator in d.indicators)
        by_domain[domain] += found
    for row in figures.domains:
        found = by_domain[row.id]
        common = reduce(math.lcm, {k - 1 for _, _, k in found if k > 1})
        first = [a * common // (k - 1) for a, _, k in found]
        second = [b * common // (k - 1) for _, b, k in found]
        labels = list(range(common + 1))
        assert row.kappa.pairs == len(found)
        assert row.kappa.linear == pytest.approx(reference(first, second, labels, "linear"), abs=1e-9)
        assert row.kappa.quadratic == pytest.approx(reference(first, second, labels, "quadratic"), abs=1e-9)


def test_the_share_confirmed_counts_the_answers_the_self_assessment_moved(cases: list[ReviewCase]):
    figures = agreement([case.unit for case in cases])
    moved = sum(
        sum(1 for a, b in zip(case.truth.splitlines(), case.claimed.splitlines(), strict=True) if a != b)
        for case in cases
    )
    assert figures.units == len(cases)
    assert figures.overall.corrected == moved > 0
    assert sum(row.corrected for row in figures.domains) == moved
    assert sum(row.answers for row in figures.questions) == figures.overall.answers
    planted = figures.domain(PLANTED)
    assert planted is not None
    assert planted.share_confirmed is not None
    assert all(row.share_confirmed > planted.share_confirmed for row in figures.domains if row.id != PLANTED)  # type: ignore[operator]
    assert all(row.kappa.linear > planted.kappa.linear for row in figures.domains if row.id != PLANTED)  # type: ignore[operator]


@pytest.mark.parametrize("planted", ["standards", "workforce", "policy"])
def test_the_planted_domain_comes_out_as_the_most_inflated(registry: Registry, planted: str):
    figures = agreement([case.unit for case in campaign(registry, planted=planted, seed=9)])
    most = figures.most_inflated
    assert most is not None
    assert most.id == planted
    others = [row.mean for row in figures.inflation if row.id not in (planted, INDEX)]
    assert most.mean > 5 > max(abs(mean) for mean in others)
    index = figures.inflation_of(INDEX)
    assert index is not None
    assert index.mean > 0
    assert index.units == figures.units


def test_the_most_corrected_questions_are_the_planted_domains_and_overstated(cases: list[ReviewCase]):
    figures = agreement([case.unit for case in cases], most_corrected=8)
    assert len(figures.corrected) == 8
    assert figures.corrected_left_out > 0
    assert {row.domain for row in figures.corrected} == {PLANTED}
    assert {row.direction for row in figures.corrected} == {Direction.OVERSTATED}
    counts = [row.corrected for row in figures.corrected]
    assert counts == sorted(counts, reverse=True)
    assert all(row.questionnaire and row.question.startswith(PLANTED) for row in figures.corrected)


def small(*answers: ReviewedPair) -> ReviewedUnit:
    built = questionnaire({"policy": {"policy.plan": [question("a", "yes_no"), question("b", "choice")]}})
    record = Record(50.0, (DomainEntry("policy", 50.0, 2),))
    return ReviewedUnit(built, answers, record, record)


class Record:
    def __init__(self, index: float | None, domains: tuple[DomainEntry, ...]) -> None:
        self.index = index
        self.domains = domains


def test_na_and_one_sided_answers_are_corrections_without_a_place_on_the_scale():
    figures = agreement(
        [
            small(
                ReviewedPair("a", "na", "yes"),  # corrected, no rank on the self side
                ReviewedPair("b", "some", "none"),  # corrected, overstated
                ReviewedPair("zz", "yes", "no"),  # not a question of the questionnaire: left out
            ),
            small(ReviewedPair("a", "yes", "yes"), ReviewedPair("b", None, "all")),
            small(ReviewedPair("a", "no", None), ReviewedPair("b", "all", "all")),  # a not checked: left out
        ]
    )
    assert (figures.overall.answers, figures.overall.confirmed) == (5, 2)
    assert figures.overall.kappa.pairs == 3
    first = {row.question: row for row in figures.corrected}
    assert first["b"].corrected == 2
    assert (first["b"].overstated, first["b"].understated) == (1, 0)
    assert first["a"].direction is Direction.MIXED
    assert [row.id for row in figures.inflation] == [INDEX, "policy"]
    assert figures.inflation[0].mean == 0.0


def test_no_review_gives_empty_figures():
    figures = agreement([])
    assert figures.units == 0
    assert figures.overall.share_confirmed is None
    assert not figures.overall.kappa.defined
    assert figures.inflation == ()
    assert figures.most_inflated is None


@pytest.mark.parametrize(
    ("stored", "value"),
    [
        ('"yes"', "yes"),
        ('"na"', "na"),
        ("45", 45),
        ("62.5", 62.5),
        ('["his", "lis"]', ("his", "lis")),
        (None, None),
        ("not json", "not json"),  # a damaged row is text no option matches, never a traceback
    ],
)
def test_a_stored_review_value_decodes_to_what_agreement_takes(stored: str | None, value: object):
    assert decode(stored) == value


def test_a_decoded_value_is_shown_as_an_answer():
    assert as_answer(None, None) is None
    assert as_answer(None, "na") == Answer(None, na=True)
    assert as_answer(q("number", **BANDS), 45) == Answer(45.0)
    assert as_answer(q("date"), "2026-05-01") == Answer(dt.date(2026, 5, 1))
    assert as_answer(q("multi", **MULTI), ("one", "two")) == Answer(("one", "two"))
