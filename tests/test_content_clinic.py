"""The clinic questionnaire's legal deadlines and the stories its two samples tell."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dhti.cli import main
from dhti.questionnaire import QuestionType, load_questionnaire
from dhti.resources import bundled_dir, examples_dir

CLINIC = bundled_dir() / "dhti-clinic.yaml"
HCMC = examples_dir() / "private-clinic-hcmc.yaml"
DAK_LAK = examples_dir() / "private-clinic-dak-lak.yaml"


def score(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["score", str(path), "--format", "json", "--lang", "en"], catch_exceptions=False)
    (report,) = json.loads(result.stdout)
    assert report["errors"] == []
    return report


@functools.cache
def sample(name: str) -> dict[str, Any]:
    return score(examples_dir() / name)


def indicator(report: dict[str, Any], indicator_id: str) -> dict[str, Any]:
    (found,) = [i for d in report["domains"] for i in d["indicators"] if i["id"] == indicator_id]
    return found


def compliance(report: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {item["id"]: (item["status"], item["due"]) for item in report["compliance"]}


def test_the_legal_deadlines_of_a_clinic() -> None:
    q = load_questionnaire(CLINIC)
    items = {item.id: item for item in q.compliance}
    # Circular 26/2025: facilities other than hospitals before 01/01/2026; Circular 13/2025: by 31/12/2026.
    assert items["comp.eprescribing"].due == dt.date(2025, 12, 31)
    assert items["comp.emr"].due == dt.date(2026, 12, 31)
    assert items["comp.personal_data"].due is None  # the duty did not start on a date a clinic could still meet
    assert {item.caps_stage for item in items.values()} == {3}  # a clinic in breach is at most Established
    # e-prescribing is its own question, never one item of a compensable multi
    assert q.questions["capacity.systems.eprescribing"].type is QuestionType.CHOICE


def test_hcmc_clinic_is_advanced_and_on_time_for_its_emr() -> None:
    report = sample(HCMC.name)
    # policy 80.56, capacity 79.17, standards 85.42, workforce 68.75 (worked out in the sample's answers):
    # (80.56 + 79.17 + 85.42 + 68.75) / 4 = 78.47 -> Advanced, and nothing is in breach
    assert report["index"] == pytest.approx(78.47, abs=0.01)
    assert (report["stage"], report["capped_by"]) == (4, [])
    assert compliance(report) == {
        "comp.eprescribing": ("met", "2025-12-31"),
        "comp.emr": ("pending", "2026-12-31"),
        "comp.personal_data": ("met", None),
    }
    # paper records remain in two specialties: the systems indicator scores 91.7 but is not Leading
    systems = indicator(report, "capacity.systems")
    assert (systems["score_stage"], systems["stage"], systems["gated_by"]) == (5, 4, [5])
    # the EMR advice is due on the legal deadline, not 18 months after the assessment
    (emr,) = [rec for rec in report["recommendations"] if rec["id"] == "rec.capacity.systems.emr"]
    assert emr["due"] == "2026-12-31"


def test_dak_lak_clinic_is_capped_by_its_breaches() -> None:
    report = sample(DAK_LAK.name)
    # policy 66.67, capacity 56.25, standards 68.75, workforce 54.17: index 61.46, Advanced by score,
    # but paper prescriptions and an impact assessment never sent cap it at Established
    assert report["index"] == pytest.approx(61.46, abs=0.01)
    assert (report["score_stage"], report["stage"]) == (4, 3)
    assert report["capped_by"] == ["comp.eprescribing", "comp.personal_data"]
    assert compliance(report)["comp.eprescribing"] == ("breach", "2025-12-31")
    # its systems score 45.8 (Established by score) but not every prescription is sent electronically
    systems = indicator(report, "capacity.systems")
    assert (systems["score_stage"], systems["stage"], systems["gated_by"]) == (3, 2, [3])


def test_dak_lak_clinic_first_catches_up_on_e_prescribing() -> None:
    recommendations = sample(DAK_LAK.name)["recommendations"]
    first = recommendations[0]
    # the overdue legal duty comes first, with its own three months (2026-04-20 + 3 months)
    assert (first["id"], first["due"]) == ("rec.capacity.systems.eprescribing", "2026-07-20")
    ids = [rec["id"] for rec in recommendations]
    # its software is hosted by the vendor: it is told to have the vendor show a restore, not to restore a server
    assert "rec.capacity.security.restore.vendor" in ids
    assert "rec.capacity.security.restore" not in ids
    # both breaches are dealt with before the pending EMR deadline
    emr = ids.index("rec.capacity.systems.emr")
    assert ids.index("rec.policy.data_protection.assessment") < emr


def without(text: str, *question_ids: str) -> str:
    """A response's text without the answers to these questions (each key line and the lines under it)."""
    kept: list[str] = []
    dropping = False
    for line in text.splitlines(keepends=True):
        if line.startswith("  ") and not line.startswith("   "):
            dropping = line.strip().split(":")[0] in question_ids
        if not dropping:
            kept.append(line)
    return "".join(kept)


def test_a_clinic_with_no_software_scores_zero_for_backups_and_logins(tmp_path: Path) -> None:
    # Paper only: the backup, login and outage questions are skipped and count as absent (when_skipped: zero),
    # so the indicator scores 0 instead of vanishing from the capacity domain.
    text = without(
        DAK_LAK.read_text(encoding="utf-8"),
        "capacity.security.backups",
        "capacity.security.accounts",
        "capacity.security.continuity",
    )
    paper = tmp_path / "paper.yaml"
    paper.write_text(text.replace("capacity.security.hosting: vendor", "capacity.security.hosting: none"), "utf-8")
    security = indicator(score(paper), "capacity.security")
    assert (security["score"], security["stage"]) == (0.0, 1)


def test_a_clinic_that_prescribes_no_such_medicines_meets_e_prescribing(tmp_path: Path) -> None:
    # A traditional-medicine clinic: the e-prescribing question does not apply (excluded from the score)
    # and the obligation is met. Systems: clinic software 2/3, signatures 50 % -> 2/4, EMR planned 1/3:
    # (0.6667 + 0.5 + 0.3333) / 3 = 50.0
    text = without(DAK_LAK.read_text(encoding="utf-8"), "capacity.systems.eprescribing")
    herbal = tmp_path / "herbal.yaml"
    herbal.write_text(
        text.replace("capacity.systems.prescribes: prescribes", "capacity.systems.prescribes: none"), "utf-8"
    )
    report = score(herbal)
    assert compliance(report)["comp.eprescribing"] == ("met", "2025-12-31")
    assert indicator(report, "capacity.systems")["score"] == pytest.approx(50.0)
