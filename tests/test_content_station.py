"""dhti-station 2.0 and its three samples: the facts each story states, as the scores must show them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dhti.assess import Outcome, assess
from dhti.questionnaire import load_questionnaire
from dhti.resources import bundled_dir, examples_dir
from dhti.scoring import IndicatorScore, Status

STATION = bundled_dir() / "dhti-station.yaml"
CAN_THO = examples_dir() / "commune-station-urban-can-tho.yaml"
DIEN_BIEN = examples_dir() / "commune-station-satellite-dien-bien.yaml"
DONG_THAP = examples_dir() / "commune-station-delta-dong-thap.yaml"
SAMPLES = [CAN_THO, DIEN_BIEN, DONG_THAP]
# Who may own a station rule: the station itself, or the UBND xã that manages it since 01/01/2026.
OWNERS = {"Giám đốc Trạm Y tế", "Người phụ trách công nghệ thông tin của trạm", "UBND xã"}


def indicator(outcome: Outcome, indicator_id: str) -> IndicatorScore:
    assert outcome.scores is not None
    found = [i for d in outcome.scores.domains for i in d.indicators if i.id == indicator_id]
    assert found, indicator_id
    return found[0]


def fired(outcome: Outcome) -> list[str]:
    return [f.rule.id for f in outcome.recommendations]


def compliance(outcome: Outcome) -> dict[str, Status]:
    assert outcome.scores is not None
    return {c.item.id: c.status for c in outcome.scores.compliance}


def test_can_tho_is_not_leading_on_connectivity_without_a_backup_line(registry) -> None:
    outcome = assess(CAN_THO, registry=registry)
    connectivity = indicator(outcome, "capacity.connectivity")
    # sites 100 % -> 4/4, outages "monthly" -> 2/3, backup "personal phones" -> 1/3:
    # (1 + 2/3 + 1/3) / 3 = 66.67 -> Advanced (4); stage 5 would also need a backup line of its own.
    assert connectivity.score == pytest.approx(200 / 3)
    assert connectivity.stage is not None
    assert connectivity.stage.level == 4
    assert "rec.capacity.connectivity.backup" in fired(outcome)


def test_can_tho_gaps_named_in_its_story_each_get_advice(registry) -> None:
    outcome = assess(CAN_THO, registry=registry)
    ids = fired(outcome)
    # The first line of the sample names these gaps; each has its own rule.
    for rule in (
        "rec.capacity.connectivity.backup",  # no backup line
        "rec.capacity.devices.mobile",  # no station tablet for outreach
        "rec.workforce.skills.training",  # staff who joined after the merger are untrained (8/18)
        "rec.capacity.systems.telemedicine",  # video consultations only now and then
        "rec.standards.codes.duplicates",  # about 300 duplicate records after the merger
        "rec.capacity.systems.emr",  # outpatient EMR partly done, due 31/12/2026
    ):
        assert rule in ids, rule


def test_can_tho_meets_its_duties_and_is_advanced(registry) -> None:
    outcome = assess(CAN_THO, registry=registry)
    assert outcome.scores is not None
    # policy (66.67 + 55.56)/2 = 61.11; capacity (66.67 + 68.75 + 58.33 + 77.08)/4 = 67.71;
    # standards (88.89 + 91.67)/2 = 90.28; workforce (50 + 66.67)/2 = 58.33; mean 69.36 -> Advanced.
    assert outcome.scores.index == pytest.approx(69.357638, abs=1e-5)
    assert outcome.scores.stage is not None
    assert outcome.scores.stage.level == 4
    # Assessed 2026-05-12: e-prescribing and the personal-data dossier done, the EMR not yet due.
    assert compliance(outcome) == {
        "comp.eprescribing": Status.MET,
        "comp.emr": Status.PENDING,
        "comp.personal_data": Status.MET,
    }


def test_can_tho_without_its_personal_data_dossier_is_capped_at_established(registry, tmp_path: Path) -> None:
    text = CAN_THO.read_text(encoding="utf-8")
    answer = "  policy.data_protection.assessment:\n    value: done\n"
    assert answer in text
    edited = tmp_path / "can-tho-no-dossier.yaml"
    edited.write_text(text.replace(answer, "  policy.data_protection.assessment:\n    value: not_done\n"), "utf-8")
    outcome = assess(edited, registry=registry)
    assert outcome.scores is not None
    # data protection (0 + 1 + 2)/9 = 33.33, policy (66.67 + 33.33)/2 = 50, index
    # (50 + 67.71 + 90.28 + 58.33)/4 = 66.58: Advanced by score, Established while in breach.
    assert outcome.scores.index == pytest.approx(66.579861, abs=1e-5)
    assert outcome.scores.score_stage is not None
    assert outcome.scores.score_stage.level == 4
    assert outcome.scores.stage is not None
    assert outcome.scores.stage.level == 3
    assert compliance(outcome)["comp.personal_data"] is Status.BREACH


def test_dien_bien_first_action_is_its_own_legal_catch_up(registry) -> None:
    outcome = assess(DIEN_BIEN, registry=registry)
    first = outcome.recommendations[0]
    # Prescriptions only partly electronic on 2026-03-18, after the 01/01/2026 deadline: a breach,
    # whose catch-up the station itself carries out within 3 months.
    assert compliance(outcome)["comp.eprescribing"] is Status.BREACH
    assert first.rule.id == "rec.capacity.systems.eprescribing"
    assert first.rule.owner is not None
    assert first.rule.owner["vi"] == "Giám đốc Trạm Y tế"
    assert first.due == dt.date(2026, 6, 18)


def test_dien_bien_free_satellite_fee_is_put_to_the_ubnd_xa(registry) -> None:
    outcome = assess(DIEN_BIEN, registry=registry)
    # The satellite line is free until 12/2026 and the 2026 estimate has no IT line ("external").
    budget = next(f for f in outcome.recommendations if f.rule.id == "rec.policy.governance.budget")
    assert budget.rule.owner is not None
    assert budget.rule.owner["vi"] == "UBND xã"
    # The connection itself is advised step by step, not "fibre to every site within a year".
    assert "rec.capacity.connectivity.sites" in fired(outcome)


def test_dien_bien_index_is_emerging(registry) -> None:
    outcome = assess(DIEN_BIEN, registry=registry)
    assert outcome.scores is not None
    # policy (50 + 11.11)/2 = 30.56; capacity (19.44 + 14.58 + 11.11 + 20.83)/4 = 16.49;
    # standards (22.22 + 41.67)/2 = 31.94; workforce (12.5 + 33.33)/2 = 22.92; mean 25.48 -> Emerging.
    assert outcome.scores.index == pytest.approx(25.477430, abs=1e-5)
    assert outcome.scores.stage is not None
    assert outcome.scores.stage.level == 2


def test_dong_thap_is_half_way_and_in_breach_of_two_duties(registry) -> None:
    outcome = assess(DONG_THAP, registry=registry)
    assert outcome.scores is not None
    # policy (50 + 33.33)/2 = 41.67; capacity (50 + 37.5 + 30.56 + 41.67)/4 = 39.93;
    # standards (66.67 + 50)/2 = 58.33; workforce (50 + 50)/2 = 50; mean 47.48 -> Established.
    assert outcome.scores.index == pytest.approx(47.482639, abs=1e-5)
    assert outcome.scores.stage is not None
    assert outcome.scores.stage.level == 3
    # Non-insurance prescriptions on paper, no personal-data dossier; the EMR is due 31/12/2026.
    assert compliance(outcome) == {
        "comp.eprescribing": Status.BREACH,
        "comp.emr": Status.PENDING,
        "comp.personal_data": Status.BREACH,
    }
    # Its tasks sit in a plan of its own, not in the commune's plan.
    assert "rec.policy.governance.plan" in fired(outcome)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_indicator_below_stage_5_gets_advice(registry, path: Path) -> None:
    outcome = assess(path, registry=registry)
    assert outcome.scores is not None
    ids = fired(outcome)
    for domain in outcome.scores.domains:
        for score in domain.indicators:
            assert score.stage is not None
            if score.stage.level < 5:
                # Rule ids follow rec.<domain>.<indicator>...; a compliance rule sits under its indicator.
                assert any(rule.startswith(f"rec.{score.id}.") for rule in ids), score.id


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_a_station_gets_a_short_list_owned_by_the_station_or_its_commune(registry, path: Path) -> None:
    outcome = assess(path, registry=registry)
    assert 1 <= len(outcome.recommendations) <= 12
    for item in outcome.recommendations:
        assert item.rule.owner is not None
        assert item.rule.owner["vi"] in OWNERS, item.rule.id


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_the_emr_action_is_due_by_the_legal_deadline(registry, path: Path) -> None:
    outcome = assess(path, registry=registry)
    emr = next(f for f in outcome.recommendations if f.rule.id == "rec.capacity.systems.emr")
    assert emr.due <= dt.date(2026, 12, 31)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_samples_name_no_district_and_no_old_tier(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "district:" not in text
    assert "level:" not in text
    assert "Trưởng trạm" not in text  # the head is the Giám đốc since Circular 43/2025/TT-BYT


def test_the_questionnaire_rests_on_current_law() -> None:
    q = load_questionnaire(STATION)
    refs = {ref for indicator in q.indicators() for ref in indicator.refs}
    assert "QD6111/QD-BYT" not in refs  # an expired 2018-2020 scheme
    assert "GDHM-17" not in refs  # a national index, not a station's line
    assert "ND13/2023/ND-CP" not in refs  # replaced by Law 91/2025 and Decree 356/2025
    items = {item.id: (item.due, item.caps_stage) for item in q.compliance}
    assert items == {
        "comp.eprescribing": (dt.date(2025, 12, 31), 3),
        "comp.emr": (dt.date(2026, 12, 31), 3),
        "comp.personal_data": (None, 3),  # the duty already stood under Decree 13/2023: no new deadline
    }
    assert q.gdhm_for == ()  # GDHM describes countries: no reading for a station
