"""Trend, peer standing and the portfolio, computed by hand on a few assessments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from dhti.peers import trend
from dhti.portfolio import GroupBy, build_portfolio, histogram, summarise


@dataclass(frozen=True)
class Record:
    """What was stored of an assessment, as the comparisons see it."""

    entity_id: str
    index: float
    domains: tuple[tuple[str, float | None, int | None], ...]
    province: str | None = "Hà Nội"
    entity_type: str = "hospital"
    questionnaire_id: str = "dhti-facility"
    assessment_date: dt.date = dt.date(2026, 1, 1)
    stage: int = 3
    entity_name: str | None = None
    recommendation_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    """A stored assessment: its id and its record."""

    id: int
    record: Record


def row(n: int, index: float, *, policy: float = 50, **extra: object) -> Row:
    domains = (("policy", policy, 3), ("capacity", index, 3))
    return Row(n, Record(f"E{n}", index, domains, **extra))  # type: ignore[arg-type]


def test_trend_lists_earlier_assessments_then_the_current_one() -> None:
    history = [
        row(1, 40, assessment_date=dt.date(2024, 6, 1)),
        row(2, 55, assessment_date=dt.date(2025, 6, 1)),
        row(3, 70, assessment_date=dt.date(2026, 6, 1)),  # the current one, already stored
    ]
    found = trend(history, date=dt.date(2026, 6, 1), index=70, stage=4, domains={"policy": 50})
    assert found is not None
    assert [p.index for p in found.points] == [40, 55, 70]
    assert [p.change for p in found.points] == [None, 15, 15]
    assert trend(history[2:], date=dt.date(2026, 6, 1), index=70, stage=4, domains={}) is None


def test_summary_and_histogram() -> None:
    summary = summarise([10, 20, 30, 40, 50])
    assert (summary.minimum, summary.lower_quartile, summary.median, summary.upper_quartile, summary.maximum) == (
        10,
        20,
        30,
        40,
        50,
    )
    assert summary.mean == 30
    assert summarise([7]).median == 7
    assert histogram([0, 9.9, 10, 55, 100]) == (2, 1, 0, 0, 0, 1, 0, 0, 0, 1)


def test_portfolio_groups_ranks_and_counts() -> None:
    assessments = [
        row(1, 80, stage=5, province="Hà Nội", recommendation_ids=("rec.a",)),
        row(2, 30, stage=2, province="Lào Cai", recommendation_ids=("rec.a", "rec.b")),
        row(3, 50, stage=3, province="Lào Cai", recommendation_ids=("rec.a",)),
        row(
            4,
            45,
            stage=3,
            province="Lào Cai",
            entity_type="commune_health_station",
            questionnaire_id="dhti-station",
            recommendation_ids=("rec.a",),
        ),
    ]
    portfolio = build_portfolio(assessments, group_by=GroupBy.PROVINCE)
    assert portfolio.entities == 4
    assert [r.entity_id for r in portfolio.league] == ["E1", "E3", "E4", "E2"]
    assert portfolio.stages == {2: 1, 3: 2, 5: 1}
    assert portfolio.domain_ids == ("policy", "capacity")
    hanoi, laocai = portfolio.groups
    assert (hanoi.name, hanoi.entities, hanoi.index) == ("Hà Nội", 1, 80)
    assert (laocai.name, laocai.entities) == ("Lào Cai", 3)
    assert laocai.index == pytest.approx((30 + 50 + 45) / 3)
    assert laocai.stages == {2: 1, 3: 2}
    common = [(c.questionnaire_id, c.rule_id, c.entities, c.share) for c in portfolio.recommendations]
    assert common == [
        ("dhti-facility", "rec.a", 3, 1.0),
        ("dhti-facility", "rec.b", 1, 1 / 3),
        ("dhti-station", "rec.a", 1, 1.0),
    ]
    by_type = build_portfolio(assessments, group_by=GroupBy.ENTITY_TYPE)
    assert [g.name for g in by_type.groups] == ["hospital", "commune_health_station"]


def test_empty_portfolio_is_refused() -> None:
    with pytest.raises(ValueError, match="no assessments"):
        build_portfolio([])
