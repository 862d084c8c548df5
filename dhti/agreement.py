"""Agreement between what units said of themselves and what reviewers verified: shares, kappa, inflation.

Pure: from the reviewed units (each with its questionnaire, the pairs of self-assessed and verified
answers, and the records the ordinary scorer made of both responses) it computes

- per question, indicator and domain (and over all), the share of the reviewed answers that the
  reviewer confirmed (the same value) and Cohen's weighted kappa between the self-assessed and
  the verified answers, with linear and quadratic weights, and the number of pairs;
- per domain and for the index, the mean self-minus-verified score in index points;
- the questions most often corrected, with the direction of the corrections.

Only scored questions count: agreement is about the answers that make the score. An answer the
reviewer did not check (verified value ``None``) is left out. ``na`` on either side, or an
answer on one side only, counts as a correction but has no place on the ordinal scale, so it is
left out of kappa.

The ordinal scale of a question (:func:`scale`), from 0 to k - 1: a ``choice`` in the order of its
options in the file (lint keeps points rising with it in the bundled questionnaires); ``yes_no``
no < yes; a ``number`` or ``percent`` with bands, the band reached (0 below the first band, then
each band by its minimum); one scored linearly, its score in tenths (0..10); a ``multi``, the
score level: the distinct point totals its options can reach (capped at its maximum), ascending.
Kappa places each answer at its relative position rank / (k - 1), in 0..1, and weighs a pair by
the distance between its two positions (linear) or its square (quadratic). For one question, or
questions that share k, this is exactly Cohen's weighted kappa on the categories (kappa does not
change when all weights are scaled); the answers of an indicator, a domain or everything pool on
that common scale, as do versions of a question with more or fewer options. Kappa is
undefined (``None``) when there is no pair, or when every pair falls in one category, so that
chance agreement is already total.

numpy and scipy are imported inside the functions that need them: dhti starts without them.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from dhti.i18n import N_
from dhti.questionnaire import Question, Questionnaire, QuestionType
from dhti.response import NA
from dhti.scoring import question_score

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MOST_CORRECTED = 10
"""How many of the most corrected questions the figures keep."""
LINEAR_STEPS = 10
"""A linearly scored number or percentage is placed on its score in tenths."""
MAX_MULTI_LEVELS = 1000
"""A multi whose options reach more point totals than this is placed on its score in tenths instead."""
_TOLERANCE = 1e-12

Value = str | float | int | tuple[str, ...] | list[str] | None
"""An answer value as a review holds it: an option, a number, options of a multi, ``na``, or nothing."""


class ScoredRecord(Protocol):
    """What the ordinary scorer made of a response, as far as inflation needs it (the store's records match it)."""

    @property
    def index(self) -> float | None: ...
    @property
    def domains(self) -> tuple[tuple[str, float | None, int | None], ...]: ...


@dataclass(frozen=True)
class ReviewedPair:
    """One answer of a review: the self-assessed value and the verified one (``None``: not checked)."""

    question: str
    self_value: Value
    verified_value: Value


@dataclass(frozen=True)
class ReviewedUnit:
    """One reviewed assessment: its questionnaire, its answer pairs and the scores of both responses."""

    questionnaire: Questionnaire
    answers: tuple[ReviewedPair, ...]
    self_record: ScoredRecord
    verified_record: ScoredRecord


class Level(enum.StrEnum):
    """What a row of agreement figures is about."""

    QUESTION = "question"
    INDICATOR = "indicator"
    DOMAIN = "domain"
    ALL = "all"


class Direction(enum.StrEnum):
    """Which way a question's corrections mostly went."""

    OVERSTATED = "overstated"  # the unit claimed more than the reviewer found
    UNDERSTATED = "understated"
    MIXED = "mixed"  # as many each way, or corrections that change no score (na, equal points)


DIRECTIONS = {
    Direction.OVERSTATED: N_("mostly overstated"),
    Direction.UNDERSTATED: N_("mostly understated"),
    Direction.MIXED: N_("both ways"),
}
"""How a report or a command says which way a question's corrections went."""


@dataclass(frozen=True)
class Kappa:
    """Cohen's weighted kappa over ``pairs`` answer pairs; ``None`` where it is undefined."""

    pairs: int
    linear: float | None
    quadratic: float | None

    @property
    def defined(self) -> bool:
        return self.linear is not None


@dataclass(frozen=True)
class Agreement:
    """The agreement figures of one question, indicator, domain, or of all reviewed answers.

    ``questionnaire`` is the questionnaire id for a question or an indicator (their ids belong to
    it); a domain is pooled by id across questionnaires, as the portfolio compares domains.
    """

    level: Level
    id: str
    questionnaire: str | None
    answers: int  # reviewed answers
    confirmed: int
    kappa: Kappa

    @property
    def corrected(self) -> int:
        return self.answers - self.confirmed

    @property
    def share_confirmed(self) -> float | None:
        return self.confirmed / self.answers if self.answers else None


@dataclass(frozen=True)
class Inflation:
    """The mean self-minus-verified score of a domain (or of the index, ``id`` ``"index"``), in points."""

    id: str
    units: int  # units with both scores
    mean: float
    overstated: int  # units whose self-assessed score is above the verified one
    understated: int


INDEX = "index"


@dataclass(frozen=True)
class Corrected:
    """A question the reviewers corrected, with how often and which way."""

    questionnaire: str
    question: str
    indicator: str
    domain: str
    reviewed: int
    corrected: int
    overstated: int
    understated: int

    @property
    def share_corrected(self) -> float:
        return self.corrected / self.reviewed

    @property
    def direction(self) -> Direction:
        if self.overstated > self.understated:
            return Direction.OVERSTATED
        if self.understated > self.overstated:
            return Direction.UNDERSTATED
        return Direction.MIXED


@dataclass(frozen=True)
class Figures:
    """Everything :func:`agreement` computes over a set of reviewed units."""

    units: int
    overall: Agreement
    domains: tuple[Agreement, ...]  # in questionnaire order
    indicators: tuple[Agreement, ...]
    questions: tuple[Agreement, ...]
    inflation: tuple[Inflation, ...]  # the index first, then each domain
    corrected: tuple[Corrected, ...]  # the most corrected first; only questions corrected at least once
    corrected_left_out: int

    def domain(self, domain_id: str) -> Agreement | None:
        return next((row for row in self.domains if row.id == domain_id), None)

    def inflation_of(self, domain_id: str) -> Inflation | None:
        return next((row for row in self.inflation if row.id == domain_id), None)

    @property
    def most_inflated(self) -> Inflation | None:
        """The domain with the largest mean inflation (the index not counted)."""
        domains = [row for row in self.inflation if row.id != INDEX]
        return max(domains, key=lambda row: row.mean) if domains else None


# -- the ordinal scale of a question ---------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """A scored question's ordinal scale, worked out once: how many categories, and where an answer falls."""

    question: Question
    categories: int
    ranks: Mapping[str, int]  # a choice's or yes_no's options, by value
    levels: tuple[float, ...] | None = None  # a multi's reachable point totals; None: its score in tenths

    @classmethod
    def of(cls, question: Question) -> Scale:
        kind = question.type
        if kind is QuestionType.YES_NO:
            return cls(question, 2, {"no": 0, "yes": 1})
        if kind is QuestionType.CHOICE:
            values = question.option_values
            return cls(question, max(1, len(values)), {value: rank for rank, value in enumerate(values)})
        if kind in (QuestionType.NUMBER, QuestionType.PERCENT):
            steps = LINEAR_STEPS if question.linear is not None else len(question.bands or ())
            return cls(question, steps + 1, {})
        if kind is QuestionType.MULTI:
            levels = _multi_levels(question)
            return cls(question, len(levels) if levels is not None else LINEAR_STEPS + 1, {}, levels)
        msg = f"question {question.id!r} of type {kind} is not scored"
        raise ValueError(msg)

    def place(self, value: Value) -> tuple[int, float] | None:
        """The rank of ``value`` (0..k - 1) and its question score; ``None`` for ``na``, nothing, or off the scale."""
        question = self.question
        answer = _answer(question, value)
        if answer is None:
            return None
        if self.ranks:
            rank = self.ranks.get(answer) if isinstance(answer, str) else None
            return None if rank is None else (rank, question_score(question, answer))
        score = question_score(question, answer)
        if isinstance(answer, float) and question.linear is None:
            return sum(1 for band in question.bands or () if band.min <= answer), score
        levels = self.levels
        if isinstance(answer, tuple) and levels is not None:
            total = round(score * question.max_option_points(), 9)
            return min(range(len(levels)), key=lambda i: abs(levels[i] - total)), score
        return round(score * LINEAR_STEPS), score

    def position(self, rank: int) -> float:
        """A rank's relative position on the scale, 0..1 (rank / (k - 1))."""
        top = self.categories - 1
        return rank / top if top > 0 else 0.0


def scale(question: Question) -> int:
    """How many ordered categories the answers to ``question`` fall in (see the module's docstring)."""
    return Scale.of(question).categories


def category(question: Question, value: Value) -> int | None:
    """The rank of ``value`` on the question's scale, 0..k - 1; ``None`` for ``na``, nothing, or a value not on it."""
    placed = Scale.of(question).place(value)
    return None if placed is None else placed[0]


def position(question: Question, value: Value) -> float | None:
    """The relative position of ``value`` on its question's scale, 0..1 (rank / (k - 1))."""
    found = Scale.of(question)
    placed = found.place(value)
    return None if placed is None else found.position(placed[0])


def _multi_levels(question: Question) -> tuple[float, ...] | None:
    best = question.max_option_points()
    totals = {0.0}
    for option in question.options or ():
        totals |= {min(best, total + option.points) for total in totals}
        if len(totals) > MAX_MULTI_LEVELS:
            return None
    return tuple(sorted({round(total, 9) for total in totals}))


def _answer(question: Question, value: Value) -> str | float | tuple[str, ...] | None:
    """``value`` as scoring takes it for ``question``; ``None`` for ``na``, nothing, or the wrong type."""
    if value is None or value == NA:
        return None
    if question.type is QuestionType.MULTI:
        return tuple(value) if isinstance(value, tuple | list) else None
    if question.type in (QuestionType.NUMBER, QuestionType.PERCENT):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value) if math.isfinite(value) else None
    return value if isinstance(value, str) else None


def same(question: Question, first: Value, second: Value) -> bool:
    """Whether two answers to ``question`` are the same answer (a multi's options in any order, 3 and 3.0 alike)."""
    if NA in (first, second) or first is None or second is None:
        return first == second
    one, other = _answer(question, first), _answer(question, second)
    if isinstance(one, tuple) and isinstance(other, tuple):
        return sorted(one) == sorted(other)
    return one is not None and one == other


# -- kappa -----------------------------------------------------------------------------------


def weighted_kappa(first: Sequence[float], second: Sequence[float]) -> Kappa:
    """Cohen's kappa between two raters' positions, weighted by their distance (linear) and its square.

    The positions are numbers on one ordinal scale (ranks, or relative positions 0..1); the
    categories are the distinct values either rater used. The confusion matrix is
    ``scipy.stats.contingency.crosstab``'s; chance agreement is the product of its margins.
    """
    if len(first) != len(second):
        msg = "both raters must rate the same pairs"
        raise ValueError(msg)
    if not first:
        return Kappa(0, None, None)
    import numpy as np  # noqa: PLC0415 - numpy only when figures are computed
    from scipy.stats.contingency import crosstab  # noqa: PLC0415

    levels = np.unique(np.concatenate([np.asarray(first, dtype=float), np.asarray(second, dtype=float)]))
    table = crosstab(np.asarray(first, dtype=float), np.asarray(second, dtype=float), levels=(levels, levels)).count
    observed = table / table.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    distance = np.abs(np.subtract.outer(levels, levels))
    return Kappa(len(first), _kappa(observed, expected, distance), _kappa(observed, expected, distance**2))


def _kappa(
    observed: npt.NDArray[np.float64], expected: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]
) -> float | None:
    chance = float((weights * expected).sum())
    if chance <= _TOLERANCE:
        return None  # one category only: agreement by chance is already total
    return 1.0 - float((weights * observed).sum()) / chance


# -- the figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pair:
    """One reviewed answer of a scored question, placed: where it belongs and where it lies on the scales."""

    questionnaire: str
    question: str
    indicator: str
    domain: str
    confirmed: bool
    positions: tuple[float, float] | None  # relative, 0..1; None when either side has no place on the scale
    change: float | None  # self minus verified question score, None when either side has none


def agreement(units: Sequence[ReviewedUnit], *, most_corrected: int = MOST_CORRECTED) -> Figures:
    """The agreement figures over ``units`` (see the module's docstring); an empty sequence gives empty figures."""
    scales: dict[int, Scale] = {}  # by the question's identity: each worked out once
    pairs = [pair for unit in units for pair in _pairs(unit, scales)]
    questions = _rows(Level.QUESTION, pairs, lambda p: (p.questionnaire, p.question))
    corrected = _corrected(pairs)
    return Figures(
        units=len(units),
        overall=_agreement(Level.ALL, "", None, pairs),
        domains=_rows(Level.DOMAIN, pairs, lambda p: (None, p.domain)),
        indicators=_rows(Level.INDICATOR, pairs, lambda p: (p.questionnaire, p.indicator)),
        questions=questions,
        inflation=_inflation(units),
        corrected=tuple(corrected[:most_corrected]),
        corrected_left_out=max(0, len(corrected) - most_corrected),
    )


def _pairs(unit: ReviewedUnit, scales: dict[int, Scale]) -> Iterable[_Pair]:
    questionnaire = unit.questionnaire
    domain_of = {i.id: d.id for d in questionnaire.domains for i in d.indicators}
    for answer in unit.answers:
        question = questionnaire.questions.get(answer.question)
        if question is None or not question.scored or answer.verified_value is None:
            continue
        found = scales.get(id(question))
        if found is None:
            found = scales[id(question)] = Scale.of(question)
        mine, checked = answer.self_value, answer.verified_value
        mine_at, checked_at = found.place(mine), found.place(checked)
        both = (mine_at, checked_at) if mine_at is not None and checked_at is not None else None
        indicator = questionnaire.indicator_of(question.id).id
        yield _Pair(
            questionnaire=questionnaire.id,
            question=question.id,
            indicator=indicator,
            domain=domain_of[indicator],
            confirmed=same(question, mine, checked),
            positions=(found.position(both[0][0]), found.position(both[1][0])) if both else None,
            change=both[0][1] - both[1][1] if both else None,
        )


def _rows(level: Level, pairs: Sequence[_Pair], key: _Key) -> tuple[Agreement, ...]:
    grouped: dict[tuple[str | None, str], list[_Pair]] = defaultdict(list)
    for pair in pairs:
        grouped[key(pair)].append(pair)
    return tuple(
        _agreement(level, ident, questionnaire, members) for (questionnaire, ident), members in grouped.items()
    )


class _Key(Protocol):
    def __call__(self, pair: _Pair, /) -> tuple[str | None, str]: ...


def _agreement(level: Level, ident: str, questionnaire: str | None, pairs: Sequence[_Pair]) -> Agreement:
    # Kappa does not change when every weight is scaled: on one question the relative positions
    # give what its ranks give, and versions of a questionnaire with more or fewer options still pool.
    placed = [pair.positions for pair in pairs if pair.positions is not None]
    kappa = weighted_kappa([a for a, _ in placed], [b for _, b in placed])
    confirmed = sum(1 for pair in pairs if pair.confirmed)
    return Agreement(level, ident, questionnaire, len(pairs), confirmed, kappa)


def _corrected(pairs: Sequence[_Pair]) -> list[Corrected]:
    grouped: dict[tuple[str, str], list[_Pair]] = defaultdict(list)
    for pair in pairs:
        grouped[(pair.questionnaire, pair.question)].append(pair)
    found = []
    for (questionnaire, question), members in grouped.items():
        changed = [pair for pair in members if not pair.confirmed]
        if not changed:
            continue
        found.append(
            Corrected(
                questionnaire=questionnaire,
                question=question,
                indicator=members[0].indicator,
                domain=members[0].domain,
                reviewed=len(members),
                corrected=len(changed),
                overstated=sum(1 for pair in changed if (pair.change or 0.0) > _TOLERANCE),
                understated=sum(1 for pair in changed if (pair.change or 0.0) < -_TOLERANCE),
            )
        )
    # Stable: questions that tie keep the order of the first unit that answered them.
    return sorted(found, key=lambda row: (-row.corrected, -row.share_corrected))


def _inflation(units: Sequence[ReviewedUnit]) -> tuple[Inflation, ...]:
    differences: dict[str, list[float]] = defaultdict(list)
    for unit in units:
        mine, checked = unit.self_record, unit.verified_record
        if mine.index is not None and checked.index is not None:
            differences[INDEX].append(mine.index - checked.index)
        verified = _scores(checked.domains)
        for domain_id, score in _scores(mine.domains).items():
            if domain_id in verified:
                differences[domain_id].append(score - verified[domain_id])
    order = [INDEX, *dict.fromkeys(d.id for unit in units for d in unit.questionnaire.domains)]
    return tuple(_mean_difference(key, differences[key]) for key in order if differences.get(key))


def _scores(domains: Iterable[tuple[str, float | None, int | None]]) -> Mapping[str, float]:
    return {domain_id: score for domain_id, score, _stage in domains if score is not None}


def _mean_difference(ident: str, values: Sequence[float]) -> Inflation:
    import numpy as np  # noqa: PLC0415 - numpy only when figures are computed

    array = np.asarray(values, dtype=float)
    return Inflation(
        id=ident,
        units=len(values),
        mean=float(array.mean()),
        overstated=int((array > _TOLERANCE).sum()),
        understated=int((array < -_TOLERANCE).sum()),
    )
