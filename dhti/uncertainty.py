"""How sure an index, its stage and a rank are: a Monte Carlo over the methodologist's choices (issue 13).

Pure and vectorised. From scored responses of one questionnaire it builds arrays once: the
question scores ``S`` (questions x units, in [0, 1]), the mask ``M`` of what is in each
indicator's sum (``when_skipped: zero`` questions at 0 included), the question -> indicator and
indicator -> domain incidence matrices, the weights and each unit's compliance cap. Each draw
multiplies every weight by a factor drawn uniformly in [1 - r, 1 + r], picks arithmetic or
geometric aggregation of the domains and, with ``lenient``, draws each unanswered required
question over its possible scores; the index of every unit under a chunk of draws is a few
matrix products. Scores are on 0..1 inside and 0..100 outside, as in :mod:`dhti.scoring`.

The same seed (``numpy.random.default_rng``) gives the same figures.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from dhti.frozen import FrozenMap
from dhti.questionnaire import Question, Questionnaire, QuestionType, WhenSkipped, applies_to
from dhti.response import Response
from dhti.scoring import Scores, Status

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Ints = NDArray[np.int64]

DEFAULT_DRAWS = 1000
DEFAULT_SPREAD = 0.25
PERCENTILES = (5.0, 50.0, 95.0)
CHUNK = 32  # draws evaluated together: bounds memory (a chunk of 15,000 units is about 80 MB per array)
STAGE_TOLERANCE = 1e-9  # as Questionnaire.stage_for: 59.999999999 is float noise for 60
NO_CAP = 1_000_000


class Mix(enum.StrEnum):
    """How the domains are aggregated in the draws: each draw picks one (``both``: with probability 1/2)."""

    BOTH = "both"
    ARITHMETIC = "arithmetic"
    GEOMETRIC = "geometric"


class Group(enum.StrEnum):
    """A choice whose effect the sensitivity analysis measures."""

    QUESTION_WEIGHTS = "question_weights"
    INDICATOR_WEIGHTS = "indicator_weights"
    DOMAIN_WEIGHTS = "domain_weights"
    AGGREGATION = "aggregation"
    UNANSWERED = "unanswered"


@dataclass(frozen=True)
class Settings:
    """The choices varied, and how: ``draws`` Monte Carlo draws from ``seed``, weights x U[1 - spread, 1 + spread]."""

    draws: int = DEFAULT_DRAWS
    seed: int = 0
    spread: float = DEFAULT_SPREAD
    aggregation: Mix = Mix.BOTH
    lenient: bool = False  # draw unanswered required questions over their possible scores instead of 0

    def __post_init__(self) -> None:
        if self.draws < 1:
            raise ValueError(f"draws must be at least 1, not {self.draws}")
        if not 0 <= self.spread < 1:
            raise ValueError(f"spread must be at least 0 and below 1, not {self.spread}")


@dataclass(frozen=True, eq=False)
class Cohort:
    """The arrays of N scored units of one questionnaire: what every draw recomputes the index from.

    Question-, indicator- and domain-major (units last), so that a chunk of draws is a few matrix products.
    """

    questionnaire: Questionnaire
    question_ids: tuple[str, ...]  # the Q scored questions, indicator by indicator
    indicator_ids: tuple[str, ...]  # I
    domain_ids: tuple[str, ...]  # K
    scores: Floats  # Q x N question scores s in [0, 1] (0 where not in the sum)
    mask: Floats  # Q x N: 1 where the question is in its indicator's sum
    question_indicator: Floats  # Q x I incidence
    indicator_domain: Floats  # I x K incidence
    question_weights: Floats  # Q
    indicator_weights: Floats  # I
    domain_weights: Floats  # K
    capped_at: Ints  # N: the level a capped stage falls to, for stages above ``cap``
    cap: Ints  # N: the lowest caps_stage in breach, NO_CAP without one
    open_cells: Ints  # m x 2 (unit, question): unanswered required questions scored 0 by --lenient
    open_values: Floats  # Q x V: the possible scores of each question
    open_below: Floats  # Q x V: the chance of drawing a score listed before each one (2 for padding)
    open_counts: Ints  # Q: how many possible scores (0: continuous, uniform in [0, 1])
    indicator_in: Floats  # I x N: 1 where the indicator has a question in its sum (whatever the weights)
    indicator_out: Floats  # I x N: 1 - indicator_in
    domain_in: Floats  # K x N: 1 where the domain has an indicator with a score
    domain_out: Floats  # K x N
    indexed: Bools  # N: the unit has an index (a domain with a score)
    domain_runs: tuple[tuple[int, int], ...]  # each domain's indicators: rows start..stop (domain by domain)

    @property
    def units(self) -> int:
        return int(self.scores.shape[1])


@dataclass(frozen=True, eq=False)
class Factors:
    """One sample of the choices for n draws: weight factors, geometric or not, and the open questions' scores."""

    questions: Floats  # n x Q
    indicators: Floats  # n x I
    domains: Floats  # n x K
    geometric: Bools  # n
    fill: Floats  # n x m: the score drawn for each open cell (used only with ``lenient``)

    def mixed(self, other: Factors, group: Group) -> Factors:
        """These factors with ``group``'s columns taken from ``other`` (the pick-freeze matrix A_B^g)."""
        field = _GROUP_FIELDS[group]
        return replace(self, **{field: getattr(other, field)})

    def chunk(self, start: int, stop: int) -> Factors:
        return Factors(
            self.questions[start:stop],
            self.indicators[start:stop],
            self.domains[start:stop],
            self.geometric[start:stop],
            self.fill[start:stop],
        )


_GROUP_FIELDS = {
    Group.QUESTION_WEIGHTS: "questions",
    Group.INDICATOR_WEIGHTS: "indicators",
    Group.DOMAIN_WEIGHTS: "domains",
    Group.AGGREGATION: "geometric",
    Group.UNANSWERED: "fill",
}


@dataclass(frozen=True)
class UnitUncertainty:
    """One unit's index over the draws: its 5th, 50th and 95th percentiles, and each stage's probability."""

    p5: float
    p50: float
    p95: float
    stages: tuple[tuple[int, float], ...]  # (level, probability) for every stage, after the compliance cap

    @property
    def likely(self) -> tuple[int, float]:
        """The most probable stage and its probability (the higher stage on a tie)."""
        return max(self.stages, key=lambda item: (item[1], item[0]))


@dataclass(frozen=True, eq=False)
class Uncertainty:
    """The figures of every unit (``None`` for one with no index), and the draws themselves for ranks."""

    settings: Settings
    units: tuple[UnitUncertainty | None, ...]
    draws: Floats  # N x D indices 0..100; NaN rows for units with no index


@dataclass(frozen=True)
class RankInterval:
    """A unit's rank among its peers over the draws: the 5th, 50th and 95th percentiles, out of ``of``."""

    low: int
    median: int
    high: int
    of: int


@dataclass(frozen=True)
class Effect:
    """A choice's first-order sensitivity index on the index and on the rank (variance-weighted means over units)."""

    group: Group
    index: float
    rank: float


@dataclass(frozen=True)
class Effects:
    """The first-order index of each choice over a set of units."""

    effects: tuple[Effect, ...]

    @property
    def moves_ranks_most(self) -> Effect | None:
        """The choice with the largest first-order index on ranks; None when no rank moves."""
        best = max(self.effects, key=lambda effect: effect.rank, default=None)
        return best if best is not None and best.rank > 0 else None


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """Which choice moves the index and the ranks most (the Handbook's first-order indices, by scipy)."""

    samples: int  # the size n of each pick-freeze matrix
    groups: tuple[Group, ...]
    on_index: tuple[Floats, Floats]  # each unit's first-order index per choice (N x G), and its variance (N)
    on_rank: tuple[Floats, Floats]

    @property
    def effects(self) -> tuple[Effect, ...]:
        """Over every unit."""
        return self.among(range(self.on_index[1].size)).effects

    def among(self, rows: Sequence[int]) -> Effects:
        """Over the units ``rows``: each choice's index, a mean weighted by each unit's variance."""
        index, rank = _weighted(self.on_index, rows), _weighted(self.on_rank, rows)
        return Effects(tuple(Effect(g, float(i), float(r)) for g, i, r in zip(self.groups, index, rank, strict=True)))


def _weighted(found: tuple[Floats, Floats], rows: Sequence[int]) -> Floats:
    first, variance = found[0][list(rows)], found[1][list(rows)]
    if variance.sum() <= 0:
        return np.zeros(first.shape[1])
    return np.asarray((variance[:, None] * first).sum(axis=0) / variance.sum())


Scored = tuple[Response, Scores]


def build_cohort(scored: Sequence[Scored]) -> Cohort:
    """The arrays of scored responses of one questionnaire (units with no index included; they give NaN)."""
    questionnaire = scored[0][0].questionnaire
    indicators = list(questionnaire.indicators())
    columns = [q for indicator in indicators for q in indicator.questions if q.scored]
    values, mask, open_cells = _cells(scored, columns)
    indicator_of = {q.id: n for n, indicator in enumerate(indicators) for q in indicator.questions}
    domain_of = {i.id: k for k, domain in enumerate(questionnaire.domains) for i in domain.indicators}
    question_indicator = _incidence([indicator_of[q.id] for q in columns], len(indicators))
    indicator_domain = _incidence([domain_of[i.id] for i in indicators], len(questionnaire.domains))
    indicator_in = ((question_indicator.T @ mask) > 0).astype(np.float64)
    domain_in = ((indicator_domain.T @ indicator_in) > 0).astype(np.float64)
    ends = np.cumsum([len(d.indicators) for d in questionnaire.domains]).tolist()
    caps = np.array([_cap(scores) for _response, scores in scored], dtype=np.int64)
    possible = [_possible_scores(q) for q in columns]
    open_values, open_below = _score_table(possible)
    return Cohort(
        questionnaire=questionnaire,
        question_ids=tuple(q.id for q in columns),
        indicator_ids=tuple(i.id for i in indicators),
        domain_ids=tuple(d.id for d in questionnaire.domains),
        scores=values,
        mask=mask,
        question_indicator=question_indicator,
        indicator_domain=indicator_domain,
        question_weights=np.array([q.weight for q in columns], dtype=np.float64),
        indicator_weights=np.array([i.weight for i in indicators], dtype=np.float64),
        domain_weights=np.array([d.weight for d in questionnaire.domains], dtype=np.float64),
        capped_at=np.array([questionnaire.stage_at_most(int(c)).level for c in caps], dtype=np.int64),
        cap=caps,
        open_cells=open_cells,
        open_values=open_values,
        open_below=open_below,
        open_counts=np.array([len(p) for p in possible], dtype=np.int64),
        indicator_in=indicator_in,
        indicator_out=1.0 - indicator_in,
        domain_in=domain_in,
        domain_out=1.0 - domain_in,
        indexed=np.asarray(domain_in.any(axis=0)),
        domain_runs=tuple(zip([0, *ends[:-1]], ends, strict=True)),
    )


def _cells(scored: Sequence[Scored], columns: Sequence[Question]) -> tuple[Floats, Floats, Ints]:
    """S and M (Q x N), and the open cells: scored by ``--lenient`` at 0 for want of an answer.

    A skipped question that says ``when_skipped: zero`` is in the sum at 0 (contract 3.2).
    """
    position = {q.id: n for n, q in enumerate(columns)}
    zero = [(n, q) for n, q in enumerate(columns) if q.when_skipped is WhenSkipped.ZERO]
    rows: list[int] = []
    cells: list[int] = []
    found: list[float] = []
    absent: list[tuple[int, int]] = []
    open_cells: list[tuple[int, int]] = []
    for unit, (response, scores) in enumerate(scored):
        valued = _valued(response)
        for qid, value in scores.questions.items():
            rows.append(unit)
            cells.append(position[qid])
            found.append(value)
            if qid not in valued:
                open_cells.append((unit, position[qid]))
        kind = response.entity.type
        absent += [(unit, n) for n, q in zero if q.id not in response.applicable and applies_to(q, kind)]
    values, mask = np.zeros((len(columns), len(scored))), np.zeros((len(columns), len(scored)))
    values[cells, rows], mask[cells, rows] = found, 1.0
    if absent:
        units, questions = np.array(absent).T
        mask[questions, units] = 1.0
    return values, mask, np.array(open_cells, dtype=np.int64).reshape(-1, 2)


def _valued(response: Response) -> set[str]:
    """The questions answered with a value (not ``na``, not left empty)."""
    return {qid for qid, answer in response.answers.items() if answer.value is not None and not answer.na}


def _cap(scores: Scores) -> int:
    caps = [s.item.caps_stage for s in scores.compliance if s.status is Status.BREACH and s.item.caps_stage is not None]
    return min(caps, default=NO_CAP)


def _incidence(rows: Sequence[int], columns: int) -> Floats:
    matrix = np.zeros((len(rows), columns))
    matrix[np.arange(len(rows)), rows] = 1.0
    return matrix


def _possible_scores(question: Question) -> list[tuple[float, float]]:
    """Each score an answer can give and its chance when the answer is drawn: what ``--lenient`` draws from.

    A choice: each option alike; yes/no: yes or no alike; a multi: each subset of its options
    alike (each option ticked or not, even odds); bands: each band alike; ``linear``: none listed,
    as the value is drawn uniformly between ``from`` and ``to``.
    """
    kind = question.type
    if kind is QuestionType.YES_NO:
        return [(1.0, 0.5), (0.0, 0.5)]
    options = question.options or ()
    best = question.max_option_points()
    if kind is QuestionType.CHOICE:
        return [(o.points / best if best > 0 else 0.0, 1 / len(options)) for o in options]
    if kind is QuestionType.MULTI:
        return _subset_scores([o.points for o in options], best)
    if question.linear is not None:
        return []
    bands = question.bands or ()
    top = max((b.points for b in bands), default=0.0)
    return [(b.points / top if top > 0 else 0.0, 1 / len(bands)) for b in bands]


def _subset_scores(points: Sequence[float], best: float) -> list[tuple[float, float]]:
    """The distribution of a multi question's score over the subsets of its options, each subset alike."""
    totals: dict[float, float] = {0.0: 1.0}
    for value in points:
        grown: dict[float, float] = defaultdict(float)
        for total, chance in totals.items():
            grown[total] += chance / 2
            grown[round(total + value, 9)] += chance / 2
        totals = grown
    return sorted((min(total, best) / best if best > 0 else 0.0, chance) for total, chance in totals.items())


def _score_table(possible: Sequence[Sequence[tuple[float, float]]]) -> tuple[Floats, Floats]:
    """Q x V scores and the cumulative chances below each one (padded: a padded score is never drawn)."""
    width = max((len(p) for p in possible), default=1) or 1
    values, below = np.zeros((len(possible), width)), np.full((len(possible), width), 2.0)
    for row, pairs in enumerate(possible):
        chances = np.array([chance for _score, chance in pairs])
        values[row, : len(pairs)] = [score for score, _chance in pairs]
        below[row, : len(pairs)] = np.concatenate([[0.0], np.cumsum(chances)[:-1]])
    return values, below


def draw_factors(cohort: Cohort, settings: Settings, rng: np.random.Generator, n: int) -> Factors:
    """n draws of every choice, in a fixed order (question, indicator, domain weights, aggregation, open scores)."""
    low, high = 1.0 - settings.spread, 1.0 + settings.spread
    questions = rng.uniform(low, high, size=(n, cohort.question_weights.size))
    indicators = rng.uniform(low, high, size=(n, cohort.indicator_weights.size))
    domains = rng.uniform(low, high, size=(n, cohort.domain_weights.size))
    if settings.aggregation is Mix.BOTH:
        geometric = rng.random(n) < 0.5
    else:
        geometric = np.full(n, settings.aggregation is Mix.GEOMETRIC)
    fill = np.zeros((n, 0))
    if settings.lenient and cohort.open_cells.size:
        fill = _fill(cohort, rng.random((n, cohort.open_cells.shape[0])))
    return Factors(questions, indicators, domains, geometric, fill)


def _fill(cohort: Cohort, uniform: Floats) -> Floats:
    """Scores for the open cells from uniform numbers by the inverse of each question's distribution."""
    questions = cohort.open_cells[:, 1]
    picked = np.zeros(uniform.shape, dtype=np.int64)
    for column in range(1, cohort.open_below.shape[1]):
        picked += uniform >= cohort.open_below[questions, column]
    listed = cohort.open_values[questions, picked]
    return np.where(cohort.open_counts[questions] > 0, listed, uniform)


def evaluate(cohort: Cohort, factors: Factors) -> Floats:
    """The index (0..100) of every unit under each draw of ``factors``: an n x N array (NaN: no index)."""
    n = factors.geometric.size
    out = np.empty((n, cohort.units))
    for start in range(0, n, CHUNK):
        out[start : start + CHUNK] = _evaluate_chunk(cohort, factors.chunk(start, start + CHUNK))
    return out


def _evaluate_chunk(cohort: Cohort, factors: Factors) -> Floats:
    """c x N indices. Inside, arrays are indicator- or domain-major (I x c x N, K x c x N), units last."""
    draws, indicators = factors.geometric.size, cohort.indicator_weights.size
    weights = cohort.question_weights * factors.questions  # c x Q
    # (I*c, Q): row (i, d) holds draw d's weight of each question of indicator i, 0 for the others
    block = (cohort.question_indicator.T[:, None, :] * weights[None, :, :]).reshape(indicators * draws, -1)
    total = (block @ cohort.scores).reshape(indicators, draws, -1)
    counted = (block @ cohort.mask).reshape(indicators, draws, -1)
    if factors.fill.size:
        total += _open_points(cohort, factors.fill * weights[:, cohort.open_cells[:, 1]])
    # where an indicator has no question in its sum both are 0: dividing by 1 leaves it at 0, out of the domain
    counted += cohort.indicator_out[:, None, :]
    indicator = np.divide(total, counted, out=total)
    indicator_weights = cohort.indicator_weights * factors.indicators  # c x I
    indicator *= indicator_weights.T[:, :, None]
    # a questionnaire lists its indicators domain by domain: each domain's sum is one run of rows
    runs = cohort.domain_runs
    domain = np.stack([indicator[a:b].sum(axis=0) for a, b in runs])  # K x c x N
    present = cohort.indicator_in[:, None, :]
    # sums over a few terms, not matrix products: a threaded BLAS spends more than it saves on them
    domain_counted = np.stack([_weighted_sum(present[a:b], indicator_weights[:, a:b]) for a, b in runs])
    domain_counted += cohort.domain_out[:, None, :]
    domain /= domain_counted
    domain_weights = cohort.domain_weights * factors.domains  # c x K
    weight_sum = _weighted_sum(cohort.domain_in[:, None, :], domain_weights)  # c x N
    index = np.empty((draws, cohort.units))
    arithmetic, geometric = ~factors.geometric, factors.geometric
    if arithmetic.any():
        chosen = domain[:, arithmetic]
        index[arithmetic] = _weighted_sum(chosen, domain_weights[arithmetic]) / weight_sum[arithmetic]
    if geometric.any():
        index[geometric] = _geometric(cohort, domain[:, geometric], domain_weights[geometric], weight_sum[geometric])
    index[:, ~cohort.indexed] = np.nan
    return 100 * index


def _weighted_sum(values: Floats, weights: Floats) -> Floats:
    """sum_k w[d, k] * x[k, d, n]: the domains' weighted sum of each draw d and unit n (K x g x N -> g x N)."""
    found: Floats = weights[:, 0, None] * values[0]
    for k in range(1, values.shape[0]):
        found += weights[:, k, None] * values[k]
    return found


def _geometric(cohort: Cohort, domain: Floats, weights: Floats, weight_sum: Floats) -> Floats:
    """prod(D ^ (w / sum w)) over the domains with a score (g x N); 0 when one of them is 0."""
    inside = cohort.domain_in[:, None, :] > 0
    logs = np.log(np.where(inside & (domain > 0), domain, 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        found = np.exp(_weighted_sum(logs, weights) / weight_sum)
    return np.where((inside & (domain <= 0)).any(axis=0), 0.0, found)


def _open_points(cohort: Cohort, points: Floats) -> Floats:
    """I x c x N: the points the open cells' drawn scores add to their indicators' sums."""
    from scipy import sparse  # noqa: PLC0415 - only with lenient draws

    units, indicators = cohort.units, cohort.indicator_weights.size
    cells = cohort.open_cells
    targets = np.argmax(cohort.question_indicator[cells[:, 1]], axis=1) * units + cells[:, 0]
    scatter = sparse.csr_matrix(
        (np.ones(len(cells)), (np.arange(len(cells)), targets)), shape=(len(cells), units * indicators)
    )
    added = np.asarray((scatter.T @ points.T).T).reshape(points.shape[0], indicators, units)
    return added.transpose(1, 0, 2)


def stage_levels(cohort: Cohort, index: Floats) -> Ints:
    """The stage level of each index value (n x N), after each unit's compliance cap; 0 where there is no index.

    As :meth:`Questionnaire.stage_for`: the last stage whose ``min`` the value reaches, else the first.
    """
    stages = cohort.questionnaire.stages
    mins = np.array([stage.min for stage in stages])
    found = np.array([stage.level for stage in stages])
    if np.all(np.diff(mins) >= 0):
        reached = np.searchsorted(mins, index + STAGE_TOLERANCE, side="right") - 1
        levels = found[np.clip(reached, 0, len(stages) - 1)]
    else:  # thresholds out of order: the last one reached wins, as stage_for reads them
        levels = np.full(index.shape, stages[0].level, dtype=np.int64)
        for stage in stages:
            levels = np.where(index + STAGE_TOLERANCE >= stage.min, stage.level, levels)
    capped = np.where(cohort.cap[None, :] < levels, cohort.capped_at[None, :], levels)
    return np.where(np.isnan(index), 0, capped)


def index_draws(cohort: Cohort, settings: Settings, rng: np.random.Generator) -> Floats:
    """``settings.draws`` draws of every unit's index: D x N, drawn and evaluated a chunk at a time."""
    out = np.empty((settings.draws, cohort.units))
    for start in range(0, settings.draws, CHUNK):
        size = min(CHUNK, settings.draws - start)
        out[start : start + size] = _evaluate_chunk(cohort, draw_factors(cohort, settings, rng, size))
    return out


def uncertainty(scored: Sequence[Scored], *, settings: Settings) -> Uncertainty:
    """Every unit's percentiles and stage probabilities, the draws kept for ranks (several questionnaires: each apart).

    Each questionnaire's cohort is drawn from its own ``numpy.random.default_rng(settings.seed)``,
    so that a unit's figures do not depend on the files of other questionnaires scored with it.
    """
    draws = np.full((len(scored), settings.draws), np.nan)
    units: list[UnitUncertainty | None] = [None] * len(scored)
    for members in _by_questionnaire(scored):
        cohort = build_cohort([scored[n] for n in members])
        values = index_draws(cohort, settings, np.random.default_rng(settings.seed))
        draws[members] = values.T
        for n, found in zip(members, _summaries(cohort, values), strict=True):
            units[n] = found
    return Uncertainty(settings, tuple(units), draws)


def _by_questionnaire(scored: Sequence[Scored]) -> list[list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for n, (response, _scores) in enumerate(scored):
        groups[response.questionnaire.ref].append(n)
    return [groups[ref] for ref in sorted(groups)]


def _summaries(cohort: Cohort, values: Floats) -> list[UnitUncertainty | None]:
    """Each unit's percentiles and stage probabilities from its column of ``values`` (D x N), all at once."""
    levels = stage_levels(cohort, values)
    scored: list[bool] = np.asarray(~np.isnan(values).all(axis=0)).tolist()
    found = np.percentile(np.where(np.isnan(values), 0.0, values), PERCENTILES, axis=0)
    percentiles: list[list[float]] = found.T.tolist()  # N x 3
    stages = [s.level for s in cohort.questionnaire.stages]
    chances: list[list[float]] = np.stack([np.mean(levels == level, axis=0) for level in stages], axis=1).tolist()
    return [
        UnitUncertainty(p5, p50, p95, tuple(zip(stages, chances[n], strict=True))) if scored[n] else None
        for n, (p5, p50, p95) in enumerate(percentiles)
    ]


def draw_ranks(draws: Floats, groups: Sequence[Hashable], *, order: Sequence[int] | None = None) -> Floats:
    """Each unit's rank among the units of its group in every draw (N x D; 1 = best; NaN with no index).

    Without ``order``, ties share the best rank ("1224"), as the entity report ranks. With it,
    as the portfolio's league table ranks: a tie goes to the unit lower in ``order`` (the
    position of each unit by name, then id), so every rank is a distinct position.
    """
    from scipy.stats import rankdata  # noqa: PLC0415

    ranks = np.full(draws.shape, np.nan)
    members: dict[Hashable, list[int]] = defaultdict(list)
    for n, key in enumerate(groups):
        if not np.isnan(draws[n]).all():
            members[key].append(n)
    for rows in members.values():
        if order is None:
            ranks[rows] = rankdata(-draws[rows], method="min", axis=0)
            continue
        rows.sort(key=lambda n: order[n])  # a stable sort then leaves tied rows in this order
        ordered = np.argsort(-draws[rows], axis=0, kind="stable")  # per draw: the rows, best first
        positions = np.empty_like(ordered)
        np.put_along_axis(positions, ordered, np.arange(1, len(rows) + 1)[:, None], axis=0)
        ranks[rows] = positions
    return ranks


def rank_intervals(
    result: Uncertainty, *, groups: Sequence[Hashable], order: Sequence[int] | None = None
) -> tuple[RankInterval | None, ...]:
    """Each unit's rank among the units sharing its group key, over the draws: 5th, 50th, 95th percentiles."""
    ranks = draw_ranks(result.draws, groups, order=order)
    sizes: dict[Hashable, int] = defaultdict(int)
    for n, key in enumerate(groups):
        sizes[key] += int(not np.isnan(ranks[n]).all())
    found: list[RankInterval | None] = []
    for n, key in enumerate(groups):
        if np.isnan(ranks[n]).all():
            found.append(None)
            continue
        low, middle, high = np.percentile(ranks[n], PERCENTILES, method="inverted_cdf")
        found.append(RankInterval(int(low), int(middle), int(high), sizes[key]))
    return tuple(found)


def sampling_size(draws: int) -> int:
    """The size of each pick-freeze matrix: the largest power of 2 not above ``draws`` (scipy needs a power of 2)."""
    return 1 << (max(draws, 2).bit_length() - 1)


def choice_groups(settings: Settings, scored: Sequence[Scored]) -> tuple[Group, ...]:
    """The choices varied: the unanswered questions only with ``lenient`` and at least one open cell."""
    groups = [Group.QUESTION_WEIGHTS, Group.INDICATOR_WEIGHTS, Group.DOMAIN_WEIGHTS, Group.AGGREGATION]
    if settings.lenient and any(set(s.questions) - _valued(r) for r, s in scored):
        groups.append(Group.UNANSWERED)
    return tuple(groups)


def sensitivity(
    scored: Sequence[Scored], *, settings: Settings, groups: Sequence[Hashable], order: Sequence[int] | None = None
) -> Sensitivity:
    """First-order sensitivity indices of the index and of the rank among ``groups`` peers, per choice.

    The pick-freeze design: matrices A and B of ``sampling_size(settings.draws)`` draws each,
    and for each choice g the matrix A with g's columns taken from B; the index and ranks
    evaluated on all of them go to :func:`scipy.stats.sobol_indices`, whose estimator
    (Saltelli 2010) gives each unit's first-order index. The figure per choice is their mean
    over units weighted by each unit's variance, so units that do not move weigh nothing;
    :meth:`Sensitivity.among` gives it over some of the units (one peer group).
    """
    n = sampling_size(settings.draws)
    choices = choice_groups(settings, scored)
    f_a, f_b = np.full((len(scored), n), np.nan), np.full((len(scored), n), np.nan)
    f_ab = np.full((len(choices), len(scored), n), np.nan)
    for members in _by_questionnaire(scored):
        cohort = build_cohort([scored[m] for m in members])
        rng = np.random.default_rng(settings.seed)
        a, b = draw_factors(cohort, settings, rng, n), draw_factors(cohort, settings, rng, n)
        f_a[members], f_b[members] = evaluate(cohort, a).T, evaluate(cohort, b).T
        for g, group in enumerate(choices):
            f_ab[g, members] = evaluate(cohort, a.mixed(b, group)).T
    rank_a, rank_b = draw_ranks(f_a, groups, order=order), draw_ranks(f_b, groups, order=order)
    rank_ab = np.stack([draw_ranks(f_ab[g], groups, order=order) for g in range(len(choices))])
    return Sensitivity(n, choices, _first_order(f_a, f_b, f_ab, n), _first_order(rank_a, rank_b, rank_ab, n))


def _first_order(f_a: Floats, f_b: Floats, f_ab: Floats, n: int) -> tuple[Floats, Floats]:
    """Each unit's first-order index per choice (N x G, by scipy) and its output's variance (0 with no index)."""
    from scipy.stats import sobol_indices  # noqa: PLC0415

    keep = ~np.isnan(f_a).any(axis=1)
    first, variance = np.zeros((f_a.shape[0], f_ab.shape[0])), np.zeros(f_a.shape[0])
    if not keep.any():
        return first, variance
    result = sobol_indices(func={"f_A": f_a[keep], "f_B": f_b[keep], "f_AB": f_ab[:, keep]}, n=n)
    first[keep] = np.asarray(result.first_order).reshape(int(keep.sum()), f_ab.shape[0])
    variance[keep] = np.var(np.concatenate([f_a[keep], f_b[keep]], axis=1), axis=1)
    return first, variance


@dataclass(frozen=True)
class PeerUncertainty:
    """What the portfolio shows: each unit's rank interval among its peers; per group, what moves ranks most."""

    settings: Settings
    ranks: Mapping[str, RankInterval]  # by unit key
    moves_most: Mapping[Hashable, Effect | None]  # by peer group


def peer_uncertainty(
    scored: Sequence[Scored],
    *,
    keys: Sequence[str],
    groups: Sequence[Hashable],
    order: Sequence[int],
    settings: Settings,
) -> PeerUncertainty:
    """Rank intervals (league-table ranks: ties by ``order``) and, per group, the choice that moves ranks most."""
    intervals = rank_intervals(uncertainty(scored, settings=settings), groups=groups, order=order)
    found = sensitivity(scored, settings=settings, groups=groups, order=order)
    rows: dict[Hashable, list[int]] = defaultdict(list)
    for n, group in enumerate(groups):
        rows[group].append(n)
    return PeerUncertainty(
        settings,
        FrozenMap({key: i for key, i in zip(keys, intervals, strict=True) if i is not None}),
        FrozenMap({group: found.among(members).moves_ranks_most for group, members in rows.items()}),
    )
