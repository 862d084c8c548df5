"""The portfolio picture for a provincial department or the Ministry: many entities at once.

Pure: from the latest assessment of each entity it computes the distribution of the index and
of each domain, stage counts, a league table, a group-by-domain heat map and the most common
recommendations.  The store supplies the assessments; ``portfolio_report`` renders the result.
"""

from __future__ import annotations

import enum
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from dhti import provinces
from dhti.peers import Assessed, AssessedRecord, domain_scores

DOMAIN_ORDER = ("policy", "capacity", "standards", "workforce")


class GroupBy(enum.StrEnum):
    PROVINCE = "province"
    ENTITY_TYPE = "entity_type"


@dataclass(frozen=True)
class Summary:
    """Five-number summary and mean of a set of scores."""

    count: int
    minimum: float
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: float
    mean: float


@dataclass(frozen=True)
class LeagueRow:
    rank: int
    entity_id: str
    entity_name: str
    entity_type: str
    province: str
    index: float
    stage: int
    domains: dict[str, float | None]
    assessment_date: str


@dataclass(frozen=True)
class GroupRow:
    """One row of the heat map: a province or an entity type."""

    name: str
    entities: int
    index: float
    domains: dict[str, float | None]
    stages: dict[int, int]


@dataclass(frozen=True)
class CommonRecommendation:
    questionnaire_id: str
    rule_id: str
    entities: int
    share: float  # of the entities answering that questionnaire, 0..1


@dataclass(frozen=True)
class Portfolio:
    entities: int
    group_by: GroupBy
    index: Summary
    domains: dict[str, Summary]
    histogram: tuple[int, ...]  # entities per 10-point band of the index: 0-10, ..., 90-100
    stages: dict[int, int]
    league: tuple[LeagueRow, ...]
    groups: tuple[GroupRow, ...]
    domain_ids: tuple[str, ...]
    recommendations: tuple[CommonRecommendation, ...]


def summarise(values: Sequence[float]) -> Summary:
    ordered = sorted(values)
    if len(ordered) == 1:
        only = ordered[0]
        return Summary(1, only, only, only, only, only, only)
    lower, middle, upper = statistics.quantiles(ordered, n=4, method="inclusive")
    return Summary(len(ordered), ordered[0], lower, middle, upper, ordered[-1], statistics.fmean(ordered))


def histogram(values: Sequence[float], *, bands: int = 10) -> tuple[int, ...]:
    counts = [0] * bands
    for value in values:
        counts[min(int(value // (100 / bands)), bands - 1)] += 1
    return tuple(counts)


@dataclass(frozen=True)
class _Scored:
    """An assessment with an index and a stage (those without cannot be placed), both known to be there."""

    record: AssessedRecord
    index: float
    stage: int


def _scored(assessments: Sequence[Assessed]) -> list[_Scored]:
    return [
        _Scored(a.record, a.record.index, a.record.stage)
        for a in assessments
        if a.record.index is not None and a.record.stage is not None
    ]


def build_portfolio(given: Sequence[Assessed], *, group_by: GroupBy = GroupBy.PROVINCE, top: int = 10) -> Portfolio:
    """The portfolio of the given assessments (one per entity: the latest; unscored ones are left out)."""
    assessments = _scored(given)
    if not assessments:
        msg = "no assessments to aggregate"
        raise ValueError(msg)
    domain_ids = _domain_ids(assessments)
    by_domain = {d: [s for a in assessments if (s := domain_scores(a.record).get(d)) is not None] for d in domain_ids}
    ranked = sorted(assessments, key=lambda a: (-a.index, a.record.entity_id))
    league = tuple(
        LeagueRow(
            rank,
            a.record.entity_id,
            a.record.entity_name or a.record.entity_id,
            a.record.entity_type,
            provinces.recorded(a.record.province) or "",
            a.index,
            a.stage,
            domain_scores(a.record),
            a.record.assessment_date.isoformat(),
        )
        for rank, a in enumerate(ranked, 1)
    )
    return Portfolio(
        entities=len(assessments),
        group_by=group_by,
        index=summarise([a.index for a in assessments]),
        domains={d: summarise(values) for d, values in by_domain.items() if values},
        histogram=histogram([a.index for a in assessments]),
        stages=dict(sorted(Counter(a.stage for a in assessments).items())),
        league=league,
        groups=_groups(assessments, group_by, domain_ids),
        domain_ids=domain_ids,
        recommendations=_common(assessments, top),
    )


def _domain_ids(assessments: Sequence[_Scored]) -> tuple[str, ...]:
    seen: list[str] = []
    for assessment in assessments:
        for domain_id, _score, _stage in assessment.record.domains:
            if domain_id not in seen:
                seen.append(domain_id)
    known = [d for d in DOMAIN_ORDER if d in seen]
    return tuple(known + [d for d in seen if d not in known])


def _groups(assessments: Sequence[_Scored], group_by: GroupBy, domain_ids: Sequence[str]) -> tuple[GroupRow, ...]:
    grouped: dict[str, list[_Scored]] = {}
    for assessment in assessments:
        # By province: by the unit, so "Bình Định" (merged on 1 July 2025) counts under "Gia Lai".
        key = (
            provinces.recorded(assessment.record.province)
            if group_by is GroupBy.PROVINCE
            else assessment.record.entity_type
        ) or "–"
        grouped.setdefault(key, []).append(assessment)
    rows = []
    for name, members in grouped.items():
        domains: dict[str, float | None] = {}
        for domain_id in domain_ids:
            values = [s for m in members if (s := domain_scores(m.record).get(domain_id)) is not None]
            domains[domain_id] = statistics.fmean(values) if values else None
        stages = dict(sorted(Counter(m.stage for m in members).items()))
        rows.append(GroupRow(name, len(members), statistics.fmean(m.index for m in members), domains, stages))
    return tuple(sorted(rows, key=lambda row: (-row.index, row.name)))


def _common(assessments: Sequence[_Scored], top: int) -> tuple[CommonRecommendation, ...]:
    counts: Counter[tuple[str, str]] = Counter()
    answering: Counter[str] = Counter(a.record.questionnaire_id for a in assessments)
    for assessment in assessments:
        for rule_id in dict.fromkeys(assessment.record.recommendation_ids):
            counts[(assessment.record.questionnaire_id, rule_id)] += 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(
        CommonRecommendation(questionnaire_id, rule_id, count, count / answering[questionnaire_id])
        for (questionnaire_id, rule_id), count in ordered[:top]
    )
