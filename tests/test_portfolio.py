"""Trend, peer standing and the portfolio, computed by hand on a few assessments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from dhti.peers import trend
from dhti.portfolio import build_portfolio, change_histogram, histogram, summarise


@dataclass(frozen=True)
class Fired:
    """A stored recommendation: its rule, priority and due date."""

    id: str
    priority: str = "medium"
    due: dt.date = dt.date(2026, 6, 1)


@dataclass(frozen=True)
class Status:
    """A stored compliance status."""

    id: str
    status: str
    due: dt.date | None = None


@dataclass(frozen=True)
class Record:
    """What was stored of an assessment, as the comparisons and the portfolio see it."""

    entity_id: str
    index: float
    domains: tuple[tuple[str, float | None, int | None], ...]
    province: str | None = "Hà Nội"
    entity_type: str = "hospital"
    questionnaire_id: str = "dhti-facility"
    assessment_date: dt.date = dt.date(2026, 1, 1)
    stage: int = 3
    entity_name: str | None = None
    recommendations: tuple[Fired, ...] = ()
    compliance: tuple[Status, ...] | None = ()
    questionnaire_version: str = "1.0"

    @property
    def recommendation_ids(self) -> tuple[str, ...]:
        return tuple(fired.id for fired in self.recommendations)


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


def test_change_histogram_bands() -> None:
    assert change_histogram([-12, -10, -5.1, -0.1, 0, 4.9, 5, 10, 30]) == (1, 2, 1, 2, 1, 2)


def _portfolio():
    """Three hospitals and two stations in two provinces, one earlier round for three of them."""
    latest = [
        row(1, 80, stage=5, province="Hà Nội", recommendations=(Fired("rec.a", "low"),)),
        row(2, 30, stage=2, province="Lào Cai", recommendations=(Fired("rec.b", "high"), Fired("rec.a", "low"))),
        row(3, 50, stage=3, province="Lào Cai", recommendations=(Fired("rec.a", "low"),), compliance=None),
        row(
            4,
            45,
            stage=3,
            province="Lào Cai",
            entity_type="commune_health_station",
            questionnaire_id="dhti-station",
            recommendations=(Fired("rec.c"),),
            compliance=(Status("law.1", "breach"), Status("law.2", "pending", dt.date(2027, 1, 1))),
        ),
        row(
            5,
            70,
            stage=4,
            province="Hà Nội",
            entity_type="commune_health_station",
            questionnaire_id="dhti-station",
            compliance=(Status("law.1", "met"), Status("law.2", "met")),
        ),
    ]
    earlier = {
        "E1": row(11, 70, assessment_date=dt.date(2025, 1, 1)).record,
        "E3": row(13, 56, assessment_date=dt.date(2025, 1, 1)).record,
        "E5": row(15, 60, assessment_date=dt.date(2025, 1, 1)).record,
    }
    themes = {"rec.a": "1.1", "rec.b": "1.1", "rec.c": "2.1"}
    return build_portfolio(latest, previous=earlier, themes=lambda _ref, rule: themes.get(rule))


def test_each_kind_has_its_own_section_ranked_apart() -> None:
    portfolio = _portfolio()
    assert portfolio.entities == 5
    hospitals, stations = portfolio.sections
    assert (hospitals.key.entity_type, stations.key.entity_type) == ("hospital", "commune_health_station")
    assert [u.entity_id for u in hospitals.units] == ["E1", "E3", "E2"]
    assert [u.entity_id for u in stations.units] == ["E5", "E4"]
    assert hospitals.stages == {2: 1, 3: 1, 5: 1}
    assert hospitals.index.median == 50
    assert [(p.name, p.entities, p.index) for p in hospitals.provinces] == [("Hà Nội", 1, 80), ("Lào Cai", 2, 40)]
    assert hospitals.changes == (0, 1, 0, 0, 0, 1)  # E3 fell 6 points, E1 rose 10
    assert hospitals.compared == 2
    assert (portfolio.first_date, portfolio.last_date) == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert portfolio.provinces == ("Hà Nội", "Lào Cai")


def test_priority_breaches_first_then_stage_fall_and_index() -> None:
    portfolio = _portfolio()
    hospitals, stations = portfolio.sections
    # E2 is at stage 2; E3 fell 6 points (its compliance was not recorded); E1 rose.
    assert [u.entity_id for u in hospitals.priority] == ["E2", "E3"]
    assert hospitals.priority[1].breaches is None
    assert [u.entity_id for u in stations.priority] == ["E4"]  # one breach
    assert [u.entity_id for u in portfolio.priority] == ["E4", "E2", "E3"]
    assert portfolio.priority[1].first_action is not None
    assert portfolio.priority[1].first_action.rule_id == "rec.b"
    assert portfolio.priority[1].weakest_domain == "capacity"


def test_common_actions_by_theme_share_then_priority() -> None:
    hospitals, stations = _portfolio().sections
    (theme,) = hospitals.actions  # rec.a and rec.b are both about indicator 1.1
    assert (theme.theme, theme.share, theme.priority, theme.firings) == ("1.1", 1.0, "high", 4)
    assert [(r.rule_id, r.entities) for r in theme.rules] == [("rec.a", 3), ("rec.b", 1)]
    assert [u.entity_id for u in theme.units] == ["E2", "E3", "E1"]  # the neediest named first
    assert [(a.theme, a.share) for a in stations.actions] == [("2.1", 0.5)]


def test_compliance_and_bright_spots() -> None:
    hospitals, stations = _portfolio().sections
    assert hospitals.obligations == ()
    assert hospitals.compliance_not_recorded == 1
    law1, law2 = stations.obligations
    assert (law1.item_id, law1.met, law1.pending, law1.breach) == ("law.1", 1, 0, 1)
    assert [u.entity_id for u in law1.in_breach] == ["E4"]
    assert (law2.pending, law2.next_due) == (1, dt.date(2027, 1, 1))
    assert [u.entity_id for u in hospitals.improved] == ["E1"]
    assert [(leader.domain_id, leader.unit.entity_id) for leader in hospitals.leaders] == [
        ("policy", "E1"),
        ("capacity", "E1"),
    ]
    contrast = hospitals.contrast
    assert contrast is not None
    assert (contrast.gap, contrast.clear) == (0, False)  # both medians are 50: a tie, not a finding


def test_empty_portfolio_is_refused() -> None:
    with pytest.raises(ValueError, match="no assessments"):
        build_portfolio([])


def test_what_a_unit_needs_first_is_cut_at_its_first_semicolon() -> None:
    from dhti.report.portfolio import first_clause  # noqa: PLC0415 - the report layer, apart from the core

    long = "Within three months, appoint a board member responsible for digital work; meet every quarter."
    assert first_clause(long) == "Within three months, appoint a board member responsible for digital work …"
    assert first_clause("Train staff; now.") == "Train staff; now."  # too short a clause to stand alone
    assert first_clause("Buy a backup line.") == "Buy a backup line."
    rambling = "Within three months " + "and then some more words " * 10
    assert first_clause(rambling).endswith(" more …")  # cut between words
    assert len(first_clause(rambling)) <= 142
