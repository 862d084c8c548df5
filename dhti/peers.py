"""Comparisons for an entity report: its trend over earlier assessments, and where it stands among peers.

Pure functions over stored assessments (anything shaped like :class:`Assessed`); the store
supplies them, the report shows the result.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class AssessedRecord(Protocol):
    """What was stored of an assessment, as far as comparisons need it (the store's records match it)."""

    @property
    def entity_id(self) -> str: ...
    @property
    def entity_name(self) -> str | None: ...
    @property
    def entity_type(self) -> str: ...
    @property
    def province(self) -> str | None: ...
    @property
    def questionnaire_id(self) -> str: ...
    @property
    def assessment_date(self) -> dt.date: ...
    @property
    def index(self) -> float | None: ...
    @property
    def stage(self) -> int | None: ...
    @property
    def domains(self) -> tuple[tuple[str, float | None, int | None], ...]: ...
    @property
    def recommendation_ids(self) -> tuple[str, ...]: ...


class Assessed(Protocol):
    """A stored assessment, to be compared: its id and what was stored (the store's assessments match it)."""

    @property
    def id(self) -> int: ...
    @property
    def record(self) -> AssessedRecord: ...


@dataclass(frozen=True)
class TrendPoint:
    date: dt.date
    index: float
    stage: int
    domains: dict[str, float | None]
    change: float | None  # index change since the previous point


@dataclass(frozen=True)
class Trend:
    points: tuple[TrendPoint, ...]

    @property
    def first(self) -> TrendPoint:
        return self.points[0]

    @property
    def last(self) -> TrendPoint:
        return self.points[-1]


@dataclass(frozen=True)
class Rank:
    """A competition rank: 1 + the number of peers strictly above, among ``of`` (the peers and the entity)."""

    position: int
    of: int


@dataclass(frozen=True)
class DomainStanding:
    domain_id: str
    score: float | None
    peer_median: float | None
    rank: Rank | None  # among the peers with a score in this domain


@dataclass(frozen=True)
class Standing:
    """Where one assessment stands among the latest assessments of its peers, nationally and in its province.

    ``national`` counts every peer; ``provincial`` only those recorded in the entity's province
    (``None`` when the entity names none). The medians are of the peers alone, and ``None`` with
    fewer than :data:`MEDIAN_MINIMUM` peers: the median of one or two others is not a reference.
    """

    peers: int
    national: Rank
    provincial: Rank | None
    provincial_peers: int
    peer_median: float | None
    domains: tuple[DomainStanding, ...]


#: The fewest peers whose median a report shows as a reference.
MEDIAN_MINIMUM = 3


class HasDomains(Protocol):
    @property
    def domains(self) -> tuple[tuple[str, float | None, int | None], ...]: ...


def domain_scores(assessment: HasDomains) -> dict[str, float | None]:
    return {domain_id: score for domain_id, score, _stage in assessment.domains}


def trend(
    history: Sequence[Assessed], *, date: dt.date, index: float, stage: int, domains: dict[str, float | None]
) -> Trend | None:
    """Earlier assessments of the entity, oldest first, then the current one; None if none is earlier."""
    earlier = sorted(
        (
            a
            for a in history
            if a.record.assessment_date < date and a.record.index is not None and a.record.stage is not None
        ),
        key=lambda a: (a.record.assessment_date, a.id),
    )
    if not earlier:
        return None
    rows = [
        (a.record.assessment_date, a.record.index or 0.0, a.record.stage or 0, domain_scores(a.record)) for a in earlier
    ]
    rows.append((date, index, stage, domains))
    points = tuple(
        TrendPoint(day, value, level, scores, None if n == 0 else value - rows[n - 1][1])
        for n, (day, value, level, scores) in enumerate(rows)
    )
    return Trend(points)


def rank_of(value: float, population: Sequence[float]) -> Rank:
    """Competition ranking ("1224"): 1 + the number of others strictly above ``value``, out of them and it."""
    above = sum(1 for other in population if other > value + 1e-9)
    return Rank(1 + above, len(population) + 1)


def standing(
    *,
    entity_id: str,
    province: str | None,
    index: float,
    domains: dict[str, float | None],
    peers: Sequence[Assessed],
) -> Standing:
    """The entity's rank among ``peers`` (any stored record of the entity itself is left out: it is the entity).

    ``province`` is the entity's province as the store records it; peers recorded there give the
    provincial rank. With no peer at all both ranks are 1 of 1 and ``peers`` is 0: say so, never
    stay silent.
    """
    others = [peer.record for peer in peers if peer.record.entity_id != entity_id and peer.record.index is not None]
    local = [record for record in others if province is not None and record.province == province]
    indices = [record.index for record in others if record.index is not None]
    rows = []
    for domain_id, score in domains.items():
        values = [s for s in (domain_scores(record).get(domain_id) for record in others) if s is not None]
        rows.append(
            DomainStanding(
                domain_id,
                score,
                statistics.median(values) if len(values) >= MEDIAN_MINIMUM else None,
                rank_of(score, values) if score is not None else None,
            )
        )
    return Standing(
        peers=len(others),
        national=rank_of(index, indices),
        provincial=rank_of(index, [r.index for r in local if r.index is not None]) if province is not None else None,
        provincial_peers=len(local),
        peer_median=statistics.median(indices) if len(indices) >= MEDIAN_MINIMUM else None,
        domains=tuple(rows),
    )
