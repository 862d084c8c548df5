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
class DomainStanding:
    domain_id: str
    score: float | None
    peer_median: float | None
    percentile: float | None


@dataclass(frozen=True)
class Standing:
    """Where one assessment stands among the latest assessments of its peers."""

    peers: int
    entity_type: str
    percentile: float  # share of peers at or below the entity's index, 0..100
    peer_median: float
    domains: tuple[DomainStanding, ...]


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


def percentile_of(value: float, population: Sequence[float]) -> float:
    """The share (0..100) of the population at or below ``value``."""
    if not population:
        return 100.0
    return 100 * sum(1 for item in population if item <= value + 1e-9) / len(population)


def standing(
    *, entity_id: str, index: float, domains: dict[str, float | None], peers: Sequence[Assessed], minimum: int = 3
) -> Standing | None:
    """The entity's percentile and the peer medians; None with fewer than ``minimum`` peers."""
    others = [peer for peer in peers if peer.record.entity_id != entity_id and peer.record.index is not None]
    if len(others) < minimum:
        return None
    rows = []
    for domain_id, score in domains.items():
        values = [s for s in (domain_scores(peer.record).get(domain_id) for peer in others) if s is not None]
        rows.append(
            DomainStanding(
                domain_id,
                score,
                statistics.median(values) if values else None,
                percentile_of(score, values) if score is not None and values else None,
            )
        )
    indices = [peer.record.index for peer in others if peer.record.index is not None]
    return Standing(
        len(others),
        others[0].record.entity_type,
        percentile_of(index, indices),
        statistics.median(indices),
        tuple(rows),
    )
