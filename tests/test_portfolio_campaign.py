"""The portfolio of a simulated campaign (two provinces, two rounds) in an SQLite store, checked against the data.

Every expectation is computed here again from the assessments the store holds, not from the
portfolio's own helpers: who needs support, the order, the reach of each theme, the shares in
breach and the most improved.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from dhti.assess import assess_bytes
from dhti.jobs.aggregate import RegistryLookup, write_portfolio
from dhti.portfolio import PRIORITY_STAGE, Portfolio, Section, build_portfolio, rule_theme
from dhti.questionnaire import PRIORITY_RANK, Priority
from dhti.registry import Registry
from dhti.report.render import ReportFormat
from dhti.simulate import Plan, newest_bundled, simulate
from dhti.store import Store, StoredAssessment, open_store

PROVINCES = ("Cao Bằng", "Cần Thơ")
REPORT_DATE = dt.date(2026, 12, 2)
MARGIN = 16 / 25.4 * 72  # the page margin of report.css, in points


@pytest.fixture(scope="module")
def campaign_db(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> str:
    """An SQLite store holding a simulated campaign: 2 provinces, 3 units of each facility type, 2 rounds."""
    db = str(tmp_path_factory.mktemp("campaign") / "store.sqlite")
    plan = Plan(questionnaires=newest_bundled(registry), provinces=PROVINCES, entities=3, rounds=2, seed=11)
    with open_store(db) as store:
        for simulated in simulate(plan):
            raw = simulated.text.encode("utf-8")
            outcome = assess_bytes(raw, file=str(simulated.path), registry=registry)
            assert outcome.valid, outcome.file
            assert store.ingest(outcome, raw).stored
    return db


@pytest.fixture(scope="module")
def history(campaign_db: str) -> dict[str, list[StoredAssessment]]:
    """Each entity's assessments, newest first, read one by one (the slow, obvious way)."""
    with open_store(campaign_db, create=False) as store:
        found: dict[str, list[StoredAssessment]] = defaultdict(list)
        for assessment in store.assessments():
            found[assessment.record.entity_id].append(assessment)
    return {
        entity: sorted(items, key=lambda a: (a.record.assessment_date, a.id), reverse=True)
        for entity, items in found.items()
    }


@pytest.fixture(scope="module")
def portfolio(campaign_db: str, registry: Registry) -> Portfolio:
    with open_store(campaign_db, create=False) as store:
        pairs = store.latest_and_previous()
    return build_portfolio(
        [latest for latest, _ in pairs],
        previous={latest.record.entity_id: before for latest, before in pairs if before is not None},
        themes=RegistryLookup(registry).theme,
    )


def _change(items: list[StoredAssessment]) -> float | None:
    if len(items) < 2:
        return None
    latest, previous = items[0].record, items[1].record
    assert latest.index is not None
    assert previous.index is not None
    return latest.index - previous.index


def _breaches(assessment: StoredAssessment) -> int:
    assert assessment.record.compliance is not None  # stored by this dhti: recorded
    return sum(1 for status in assessment.record.compliance if status.status == "breach")


def test_the_store_gives_each_entity_its_latest_and_previous_assessment(campaign_db: str, history) -> None:
    with open_store(campaign_db, create=False) as store:
        pairs = store.latest_and_previous()
    assert [latest.record.entity_id for latest, _ in pairs] == sorted(history)
    for latest, previous in pairs:
        expected = history[latest.record.entity_id]
        assert latest.id == expected[0].id
        assert previous is not None
        assert previous.id == expected[1].id
        assert latest.record.compliance is not None
        assert latest.record.score_stage is not None


def test_sections_never_mix_kinds_and_cover_every_entity(portfolio: Portfolio, history) -> None:
    assert portfolio.entities == len(history)
    keys = set()
    for section in portfolio.sections:
        kinds = {(u.entity_type, u.questionnaire_id) for u in section.units}
        assert kinds == {(section.key.entity_type, section.key.questionnaire_id)}
        keys.add(section.key)
        assert [u.index for u in section.units] == sorted((u.index for u in section.units), reverse=True)
    assert len(keys) == len(portfolio.sections)
    assert sum(section.entities for section in portfolio.sections) == len(history)
    types = [section.key.entity_type for section in portfolio.sections]
    assert types[:2] == ["ministry", "provincial_health_department"]
    assert {"hospital", "health_centre", "commune_health_station", "clinic"} <= set(types)


def test_the_priority_list_holds_exactly_the_units_that_need_support_in_order(portfolio: Portfolio, history) -> None:
    for section in portfolio.sections:
        members = [history[u.entity_id] for u in section.units]
        needing = []
        for items in members:
            latest = items[0].record
            assert latest.index is not None
            assert latest.stage is not None
            change = _change(items)
            breaches = _breaches(items[0])
            if latest.stage <= PRIORITY_STAGE or breaches or (change is not None and change < 0):
                fall = min(change, 0.0) if change is not None else 0.0
                needing.append(((-breaches, latest.stage, fall, latest.index, latest.entity_id), latest.entity_id))
        expected = [entity for _key, entity in sorted(needing)]
        assert [u.entity_id for u in section.priority] == expected, section.key
    everyone = sorted((u for s in portfolio.sections for u in s.priority), key=lambda u: u.priority_key())
    assert portfolio.needing_support == len(everyone) > 0
    assert [u.entity_id for u in portfolio.priority] == [u.entity_id for u in everyone[: len(portfolio.priority)]]
    first = portfolio.priority[0]
    assert first.first_action is not None
    assert first.first_action.rule_id == history[first.entity_id][0].record.recommendations[0].id


def _themes(section: Section, registry: Registry) -> dict[str, set[str]]:
    """Each theme and the entities it reaches, worked out from the stored rule ids."""
    reached: dict[str, set[str]] = defaultdict(set)
    for unit in section.units:
        questionnaire = registry.get(unit.questionnaire_ref)
        for rule_id, _priority in unit.rules:
            reached[rule_theme(questionnaire, rule_id) or rule_id].add(unit.entity_id)
    return reached


def test_common_actions_are_sorted_by_share_then_priority_and_name_their_units(
    portfolio: Portfolio, registry: Registry
) -> None:
    for section in portfolio.sections:
        reached = _themes(section, registry)
        shown = section.actions
        assert len(shown) + section.actions_left_out == len(reached)
        keys = [(-a.share, PRIORITY_RANK[Priority(a.priority)]) for a in shown]
        assert keys == sorted(keys), section.key
        for action in shown:
            assert {u.entity_id for u in action.units} == reached[action.theme]
            assert action.share == pytest.approx(len(reached[action.theme]) / section.entities)
        if shown:  # nothing left out reaches more units than the last one shown
            widest_left = max((len(v) for t, v in reached.items() if t not in {a.theme for a in shown}), default=0)
            assert widest_left <= len(shown[-1].units)
    stations = next(s for s in portfolio.sections if s.key.entity_type == "commune_health_station")
    assert stations.actions[0].share == max(len(v) for v in _themes(stations, registry).values()) / stations.entities


def test_compliance_shares_and_who_is_in_breach(portfolio: Portfolio, history) -> None:
    checked = 0
    for section in portfolio.sections:
        counts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for unit in section.units:
            compliance = history[unit.entity_id][0].record.compliance
            assert compliance is not None
            for status in compliance:
                counts[status.id][status.status].add(unit.entity_id)
        assert [o.item_id for o in section.obligations] == list(counts)
        for obligation in section.obligations:
            found = counts[obligation.item_id]
            assert (obligation.met, obligation.pending, obligation.breach) == tuple(
                len(found[s]) for s in ("met", "pending", "breach")
            )
            assert {u.entity_id for u in obligation.in_breach} == found["breach"]
            checked += obligation.breach
        assert section.compliance_not_recorded == 0
    assert checked > 0  # the campaign has breaches to show


def test_bright_spots_are_the_largest_improvements_and_domain_leaders(portfolio: Portfolio, history) -> None:
    for section in portfolio.sections:
        changes = sorted(
            ((c, u.entity_id) for u in section.units if (c := _change(history[u.entity_id])) is not None and c > 0),
            reverse=True,
        )
        assert [u.entity_id for u in section.improved] == [entity for _c, entity in changes[:3]]
        for leader in section.leaders:
            best = max(s for u in section.units if (s := u.domain(leader.domain_id)) is not None)
            assert leader.score == best


def _words(pdf: Path) -> list[tuple[int, float, float, float, float, float, float, str]]:
    """Every word of the PDF with its page, its box and the page's size (pdftotext -bbox)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for number, page in enumerate(html.split("<page ")[1:], 1):
        size = re.search(r'width="([\d.]+)" height="([\d.]+)"', page)
        assert size is not None
        width, height = map(float, size.groups())
        for match in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page):
            x0, y0, x1, y1 = map(float, match.groups()[:4])
            found.append((number, x0, y0, x1, y1, width, height, match.group(5)))
    return found


@pytest.fixture(scope="module")
def portfolio_pdf(campaign_db: str, registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "portfolio.pdf"
    with open_store(campaign_db, create=False) as store:
        write_portfolio(store, out, registry=registry, fmt=ReportFormat.PDF, lang="vi", report_date=REPORT_DATE)
    return out


def test_no_word_of_the_pdf_lies_outside_the_page_box(portfolio_pdf: Path) -> None:
    words = _words(portfolio_pdf)
    assert len(words) > 1000
    outside = [
        (page, word)
        for page, x0, y0, x1, y1, width, height, word in words
        if x0 < MARGIN - 1 or x1 > width - MARGIN + 1 or y0 < 0 or y1 > height
    ]
    assert outside == []


def test_the_cover_says_scope_and_dates_in_words_never_codes(portfolio_pdf: Path) -> None:
    cover = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(portfolio_pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = re.sub(r"\s+", " ", cover)
    assert "Cao Bằng" in text
    assert "Cần Thơ" in text
    assert "Trạm Y tế xã/phường" in text
    assert "Ngày báo cáo 02/12/2026" in text
    assert re.search(r"đánh giá từ \d\d/\d\d/\d{4} đến \d\d/\d\d/\d{4}", text)
    assert "tự đánh giá, chưa kiểm tra" in text.lower()
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", text)  # no ISO date
    assert not re.search(r"[a-z]+_[a-z_]+|dhti-[a-z]+|@\d", text)  # no type code, questionnaire id or version


def test_first_pages_list_the_units_to_support_first(portfolio_pdf: Path, portfolio: Portfolio) -> None:
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "6", str(portfolio_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub(r"\s+", " ", first)
    assert "Đơn vị cần ưu tiên hỗ trợ" in text
    for unit in portfolio.priority[:5]:
        assert unit.name.split(" (")[0] in text


def test_a_store_without_an_earlier_round_and_a_section_of_one_unit(registry: Registry, tmp_path: Path) -> None:
    plan = Plan(questionnaires=newest_bundled(registry), provinces=("Cao Bằng",), entities=2, rounds=1, seed=2)
    with open_store(tmp_path / "one.sqlite") as store:
        _ingest_all(store, plan, registry)
        pairs = store.latest_and_previous()
        assert all(previous is None for _latest, previous in pairs)
        out = tmp_path / "one.html"
        write_portfolio(store, out, registry=registry, fmt=ReportFormat.HTML, lang="en", report_date=REPORT_DATE)
    html = out.read_text(encoding="utf-8")
    assert "the change will show after the next round" in html
    # One province: its Department and the Ministry are each alone of their kind, a line and no chart;
    # the four facility types have two units each, an index histogram each and no change yet.
    assert html.count("One unit, ") == 2 * 2  # at a glance, and as its section
    assert html.count('class="chart chart-distribution"') == 4
    assert "2 December 2026" in html


def _ingest_all(store: Store, plan: Plan, registry: Registry) -> None:
    for simulated in simulate(plan):
        raw = simulated.text.encode("utf-8")
        assert store.ingest(assess_bytes(raw, file=str(simulated.path), registry=registry), raw).stored
