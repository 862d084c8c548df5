"""What a cohort of assessments says about its questionnaire: reliability, correlations, ceilings, spread.

Pure and numerical: :func:`cohort_from` lays the scored responses of one questionnaire out as
arrays (one row per assessment), :func:`analyse` turns them into an :class:`Analysis` of plain
numbers that reports and JSON read without numpy. Only the commands that analyse import this
module, so that dhti starts without numpy and scipy.

Missing values are handled per scale, listwise: a scale's alpha uses the assessments in which
every one of its items has a score, and says how many that is. Correlations between indicators
are pairwise complete: each pair uses the assessments in which both have a score.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dhti.questionnaire import Question, Questionnaire, QuestionType, WhenSkipped, applies_to

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from dhti.response import Response
    from dhti.scoring import Scores

#: Below this many assessments the figures are computed but called unstable.
STABLE_N = 30
#: The fewest assessments to analyse at all.
MIN_N = 3
#: Alpha at or above this is conventionally acceptable.
ACCEPTABLE_ALPHA = 0.7
#: Indicators correlating above this may measure the same thing twice.
REDUNDANT_R = 0.9
#: A share of answers at the best (or worst) option above this is a ceiling (or floor).
CEILING_SHARE = 0.8
#: The fewest assessments a correlation is computed on.
MIN_PAIR_N = 3
#: Histograms count scores 0..100 in bands of this width (the last band includes 100).
BAND = 10
_EPS = 1e-9


class State(enum.IntEnum):
    """What became of a scored question in one assessment."""

    ANSWERED = 0  # a value, scored
    NA = 1  # answered "not applicable"
    SKIPPED = 2  # asked of the entity's type, but its ``relevant`` was false
    NOT_ASKED = 3  # not asked of the entity's type
    UNANSWERED = 4  # asked, left blank (accepted with --lenient, scored 0)


@dataclass(frozen=True)
class Layout:
    """The questionnaire's scored questions, indicators and domains, by position, in file order."""

    questions: tuple[str, ...]
    question_indicator: tuple[int, ...]  # each question's indicator (position in ``indicators``)
    floors: tuple[float, ...]  # the lowest score each question's answers can give
    indicators: tuple[str, ...]
    indicator_domain: tuple[int, ...]
    domains: tuple[str, ...]


@dataclass(frozen=True)
class Cohort:
    """One row per assessment: each question's state and score, and the scores scoring gave.

    ``contributions`` holds what each question adds to its indicator's sum (its score, or 0 when
    scoring counts it as 0: skipped with ``when_skipped: zero``, or unanswered with --lenient),
    NaN when it is out of the sum; ``answered`` holds the score of answered questions only.
    Indicator, domain and index scores are 0..100, NaN when there is none.
    """

    layout: Layout
    states: NDArray[np.int8]
    answered: NDArray[np.float64]
    contributions: NDArray[np.float64]
    indicators: NDArray[np.float64]
    domains: NDArray[np.float64]
    index: NDArray[np.float64]

    @property
    def size(self) -> int:
        return int(self.states.shape[0])


def layout_of(questionnaire: Questionnaire) -> Layout:
    questions: list[str] = []
    owners: list[int] = []
    floors: list[float] = []
    indicators: list[str] = []
    domains_of: list[int] = []
    for d, domain in enumerate(questionnaire.domains):
        for indicator in domain.indicators:
            for question in indicator.questions:
                if question.scored:
                    questions.append(question.id)
                    owners.append(len(indicators))
                    floors.append(lowest_score(question))
            indicators.append(indicator.id)
            domains_of.append(d)
    domains = tuple(domain.id for domain in questionnaire.domains)
    return Layout(tuple(questions), tuple(owners), tuple(floors), tuple(indicators), tuple(domains_of), domains)


def lowest_score(question: Question) -> float:
    """The lowest score (contract 3.1) an answer to ``question`` can give: its worst option's."""
    kind = question.type
    best = question.max_option_points()
    options = question.options or ()
    if kind is QuestionType.CHOICE and best > 0 and options:
        return min(option.points for option in options) / best
    if kind is QuestionType.MULTI and best > 0 and options and all(option.points > 0 for option in options):
        return min(*(option.points for option in options), best) / best
    if question.bands and question.linear is None:
        top = max(band.points for band in question.bands)
        low = min(band.points for band in question.bands)
        below_all = min(band.min for band in question.bands) > 0  # a value under every band gives 0
        return 0.0 if below_all or top <= 0 else low / top
    return 0.0


def cohort_from(questionnaire: Questionnaire, scored: Iterable[tuple[Response, Scores]]) -> Cohort:
    """The arrays of the responses (all of ``questionnaire``) and their scores, one row each.

    Each response is laid out as it comes, so that a caller can score one, lay it out and let it
    go: a national cohort is never held as response objects.
    """
    layout = layout_of(questionnaire)
    questions = [questionnaire.questions[qid] for qid in layout.questions]
    rows = [_row(questions, layout, response, scores) for response, scores in scored]
    width = len(layout.questions)

    def stack(position: int, columns: int) -> NDArray[np.float64]:
        return np.array([row[position] for row in rows], dtype=np.float64).reshape(len(rows), columns)

    states = np.array([row[0] for row in rows], dtype=np.int8).reshape(len(rows), width)
    return Cohort(
        layout,
        states,
        stack(1, width),
        stack(2, width),
        stack(3, len(layout.indicators)),
        stack(4, len(layout.domains)),
        stack(5, 1).reshape(len(rows)),
    )


def joined(parts: Sequence[Cohort]) -> Cohort:
    """Cohorts of one layout, one after the other (the parts of a cohort scored in several processes)."""
    first = parts[0]
    return Cohort(
        first.layout,
        np.concatenate([p.states for p in parts]),
        np.concatenate([p.answered for p in parts]),
        np.concatenate([p.contributions for p in parts]),
        np.concatenate([p.indicators for p in parts]),
        np.concatenate([p.domains for p in parts]),
        np.concatenate([p.index for p in parts]),
    )


_Row = tuple[list[int], list[float], list[float], list[float], list[float], list[float]]


def _row(questions: Sequence[Question], layout: Layout, response: Response, scores: Scores) -> _Row:
    states, answered, counted = [], [], []
    for question in questions:
        state, value, contribution = _question_state(question, response, scores)
        states.append(int(state))
        answered.append(value)
        counted.append(contribution)
    indicators = [math.nan] * len(layout.indicators)
    domains = [math.nan] * len(layout.domains)
    _scores_row(scores, layout, indicators, domains)
    return states, answered, counted, indicators, domains, [math.nan if scores.index is None else scores.index]


def _question_state(question: Question, response: Response, scores: Scores) -> tuple[State, float, float]:
    """The question's state in this response, its answered score and what it adds to its indicator (NaN: none)."""
    if not applies_to(question, response.entity.type):
        return State.NOT_ASKED, math.nan, math.nan
    if question.id not in response.applicable:
        zero = 0.0 if question.when_skipped is WhenSkipped.ZERO else math.nan
        return State.SKIPPED, math.nan, zero
    answer = response.answers.get(question.id)
    if answer is not None and answer.na:
        return State.NA, math.nan, math.nan
    score = scores.questions.get(question.id)
    if answer is not None and answer.value is not None and score is not None:
        return State.ANSWERED, score, score
    return State.UNANSWERED, math.nan, math.nan if score is None else score


def _scores_row(scores: Scores, layout: Layout, indicators: list[float], domains: list[float]) -> None:
    position = {ident: n for n, ident in enumerate(layout.indicators)}
    for d, domain in enumerate(scores.domains):
        domains[d] = math.nan if domain.score is None else domain.score
        for indicator in domain.indicators:
            if indicator.id in position and indicator.score is not None:
                indicators[position[indicator.id]] = indicator.score


# The figures


@dataclass(frozen=True)
class ItemFit:
    """One item of a scale: its correlation with the sum of the others, and alpha without it."""

    id: str
    rest_r: float | None
    alpha_without: float | None
    sd: float | None


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha of one scale: a domain over its indicators, or an indicator over its questions."""

    level: str  # "domain" or "indicator"
    id: str
    items: tuple[ItemFit, ...]
    n_used: int  # assessments with every item scored (listwise)
    n_total: int  # assessments with at least one item scored
    alpha: float | None
    unscored: tuple[str, ...] = ()  # items no assessment of the cohort scores: left out of the scale

    @property
    def acceptable(self) -> bool | None:
        return None if self.alpha is None else self.alpha >= ACCEPTABLE_ALPHA


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    r: float
    n: int


@dataclass(frozen=True)
class Correlations:
    """Indicators' correlations, pairwise complete; ``None`` where a pair has too few cases or no spread."""

    ids: tuple[str, ...]
    pearson: tuple[tuple[float | None, ...], ...]
    spearman: tuple[tuple[float | None, ...], ...]
    n: tuple[tuple[int, ...], ...]
    redundant: tuple[Pair, ...]  # Pearson above REDUNDANT_R, strongest first
    negative: tuple[Pair, ...]  # Pearson below 0, most negative first


@dataclass(frozen=True)
class QuestionFigures:
    """How one scored question was answered across the cohort (counts, then shares of them)."""

    id: str
    indicator: str
    of_type: int  # assessments whose entity type it is asked of
    skipped: int  # of those, not asked by skip logic (``relevant`` false)
    na: int  # of the asked, answered "not applicable"
    unanswered: int  # of the asked, left blank (--lenient)
    answered: int
    at_best: int  # answered at its best option (score 1)
    at_worst: int  # answered at its worst option (its lowest possible score)
    mean: float | None  # of the answered scores, 0..1

    @property
    def asked(self) -> int:
        return self.of_type - self.skipped

    @property
    def ceiling(self) -> float | None:
        return self.at_best / self.answered if self.answered else None

    @property
    def floor(self) -> float | None:
        return self.at_worst / self.answered if self.answered else None

    @property
    def skip_rate(self) -> float | None:
        return self.skipped / self.of_type if self.of_type else None

    @property
    def na_rate(self) -> float | None:
        return self.na / self.asked if self.asked else None

    @property
    def at_ceiling(self) -> bool:
        return self.ceiling is not None and self.ceiling > CEILING_SHARE

    @property
    def at_floor(self) -> bool:
        return self.floor is not None and self.floor > CEILING_SHARE


@dataclass(frozen=True)
class Distribution:
    """The spread of one domain's scores (or the index's), 0..100, and its histogram in bands of BAND points."""

    id: str  # a domain id, or "index"
    n: int
    mean: float | None
    sd: float | None
    minimum: float | None
    q1: float | None
    median: float | None
    q3: float | None
    maximum: float | None
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Analysis:
    """Every figure of one cohort."""

    n: int
    domains: tuple[Reliability, ...]
    indicators: tuple[Reliability, ...]  # those with two or more scored questions
    correlations: Correlations
    questions: tuple[QuestionFigures, ...]
    distributions: tuple[Distribution, ...]  # the index first, then each domain

    @property
    def stable(self) -> bool:
        return self.n >= STABLE_N

    @property
    def misfits(self) -> tuple[tuple[Reliability, ItemFit], ...]:
        """Items that correlate negatively with the rest of their scale: reversed or mis-scored, perhaps."""
        return tuple(
            (scale, item)
            for scale in (*self.domains, *self.indicators)
            for item in scale.items
            if item.rest_r is not None and item.rest_r < 0
        )


def analyse(cohort: Cohort) -> Analysis:
    """Every figure of ``cohort``: alpha per domain and indicator, correlations, question rates, distributions."""
    layout = cohort.layout
    domains = tuple(
        reliability(
            "domain",
            domain,
            cohort.indicators[:, _members(layout.indicator_domain, d)],
            _pick(layout.indicators, layout.indicator_domain, d),
        )
        for d, domain in enumerate(layout.domains)
    )
    indicators = tuple(
        reliability(
            "indicator",
            indicator,
            cohort.contributions[:, _members(layout.question_indicator, i)],
            _pick(layout.questions, layout.question_indicator, i),
        )
        for i, indicator in enumerate(layout.indicators)
        if len(_members(layout.question_indicator, i)) >= 2
    )
    return Analysis(
        n=cohort.size,
        domains=domains,
        indicators=indicators,
        correlations=correlations(layout.indicators, cohort.indicators),
        questions=question_figures(cohort),
        distributions=(
            distribution("index", cohort.index),
            *(distribution(domain, cohort.domains[:, d]) for d, domain in enumerate(layout.domains)),
        ),
    )


def _members(owners: Sequence[int], owner: int) -> list[int]:
    return [n for n, value in enumerate(owners) if value == owner]


def _pick(ids: Sequence[str], owners: Sequence[int], owner: int) -> tuple[str, ...]:
    return tuple(ids[n] for n in _members(owners, owner))


def cronbach_alpha(items: NDArray[np.float64]) -> float | None:
    """k/(k-1) * (1 - sum of item variances / variance of the total), variances with ddof=1.

    ``items`` is complete (one row per case, one column per item); ``None`` when there are fewer
    than two items or cases, or the total does not vary.
    """
    cases, k = items.shape
    if k < 2 or cases < 2:
        return None
    total = float(np.var(items.sum(axis=1), ddof=1))
    if total <= _EPS:
        return None
    return float(k / (k - 1) * (1 - float(np.var(items, axis=0, ddof=1).sum()) / total))


def reliability(level: str, ident: str, items: NDArray[np.float64], ids: Sequence[str]) -> Reliability:
    """Alpha of one scale over its complete cases, with each item's item-rest correlation.

    An item no assessment of the cohort scores (asked of another kind of unit, say) is left out
    of the scale and named in ``unscored``; the cases are those that score every other item.
    """
    present = ~np.isnan(items)
    used = np.asarray(present.any(axis=0), dtype=np.bool_)
    scored = [bool(flag) for flag in used]
    kept = items[:, used]
    complete = kept[present[:, used].all(axis=1)]
    n_total = int(present.any(axis=1).sum())
    alpha = cronbach_alpha(complete) if complete.shape[0] >= MIN_N else None
    names = [name for name, keep in zip(ids, scored, strict=True) if keep]
    fits = tuple(_fit(complete, j, name) for j, name in enumerate(names))
    unscored = tuple(name for name, keep in zip(ids, scored, strict=True) if not keep)
    return Reliability(level, ident, fits, int(complete.shape[0]), n_total, alpha, unscored)


def _fit(complete: NDArray[np.float64], j: int, ident: str) -> ItemFit:
    if complete.shape[0] < MIN_N:
        return ItemFit(ident, None, None, None)
    item = complete[:, j]
    rest = np.delete(complete, j, axis=1)
    alpha_without = cronbach_alpha(rest) if rest.shape[1] >= 2 else None
    return ItemFit(ident, _pearson(item, rest.sum(axis=1)), alpha_without, float(np.std(item, ddof=1)))


def _varies(values: NDArray[np.float64]) -> bool:
    return values.size >= MIN_PAIR_N and float(np.ptp(values)) > _EPS


def _pearson(x: NDArray[np.float64], y: NDArray[np.float64]) -> float | None:
    if not (_varies(x) and _varies(y)):
        return None
    return float(np.corrcoef(x, y)[0, 1])


def _spearman(x: NDArray[np.float64], y: NDArray[np.float64]) -> float | None:
    if not (_varies(x) and _varies(y)):
        return None
    from scipy import stats  # noqa: PLC0415 - scipy only when a cohort is analysed

    return float(stats.spearmanr(x, y).statistic)


def correlations(ids: Sequence[str], scores: NDArray[np.float64]) -> Correlations:
    """Pearson and Spearman correlations of every pair of columns, each on the rows where both are present."""
    k = len(ids)
    present = ~np.isnan(scores)
    pearson: list[list[float | None]] = [[None] * k for _ in range(k)]
    spearman: list[list[float | None]] = [[None] * k for _ in range(k)]
    counts = (present.T.astype(np.int64) @ present.astype(np.int64)).tolist()
    for a in range(k):
        for b in range(a, k):
            both = present[:, a] & present[:, b]
            x, y = scores[both, a], scores[both, b]
            pearson[a][b] = pearson[b][a] = _pearson(x, y)
            spearman[a][b] = spearman[b][a] = _spearman(x, y)
    pairs = [
        Pair(ids[a], ids[b], r, int(counts[a][b]))
        for a in range(k)
        for b in range(a + 1, k)
        if (r := pearson[a][b]) is not None
    ]
    return Correlations(
        ids=tuple(ids),
        pearson=tuple(tuple(row) for row in pearson),
        spearman=tuple(tuple(row) for row in spearman),
        n=tuple(tuple(int(value) for value in row) for row in counts),
        redundant=tuple(sorted((p for p in pairs if p.r > REDUNDANT_R), key=lambda p: -p.r)),
        negative=tuple(sorted((p for p in pairs if p.r < 0), key=lambda p: p.r)),
    )


def question_figures(cohort: Cohort) -> tuple[QuestionFigures, ...]:
    """Each scored question's counts: asked of its type, skipped, na, blank, answered, at best and worst."""
    layout = cohort.layout
    found = []
    for j, ident in enumerate(layout.questions):
        states = cohort.states[:, j]
        scores = cohort.answered[states == State.ANSWERED, j]
        found.append(
            QuestionFigures(
                id=ident,
                indicator=layout.indicators[layout.question_indicator[j]],
                of_type=int((states != State.NOT_ASKED).sum()),
                skipped=int((states == State.SKIPPED).sum()),
                na=int((states == State.NA).sum()),
                unanswered=int((states == State.UNANSWERED).sum()),
                answered=int(scores.size),
                at_best=int((scores >= 1 - _EPS).sum()),
                at_worst=int((scores <= layout.floors[j] + _EPS).sum()),
                mean=float(scores.mean()) if scores.size else None,
            )
        )
    return tuple(found)


def distribution(ident: str, values: NDArray[np.float64]) -> Distribution:
    """n, mean, sd (ddof=1), the five-number summary and the histogram of the present ``values``."""
    present = values[~np.isnan(values)]
    edges = np.arange(0, 100 + BAND, BAND, dtype=np.float64)
    counts = tuple(int(c) for c in np.histogram(np.clip(present, 0, 100), bins=edges)[0])
    if not present.size:
        return Distribution(ident, 0, None, None, None, None, None, None, None, counts)
    q1, median, q3 = (float(q) for q in np.quantile(present, [0.25, 0.5, 0.75]))
    return Distribution(
        id=ident,
        n=int(present.size),
        mean=float(present.mean()),
        sd=float(np.std(present, ddof=1)) if present.size > 1 else None,
        minimum=float(present.min()),
        q1=q1,
        median=median,
        q3=q3,
        maximum=float(present.max()),
        counts=counts,
    )
