"""The entity report's "what it takes to reach stage N": the plan's changes in the PDF, in Vietnamese and English."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest

from dhti import i18n
from dhti.assess import assess
from dhti.plan import plan
from dhti.registry import Registry
from dhti.report.render import ReportFormat, context_for, write_report
from dhti.resources import examples_dir

REPORT_DATE = dt.date(2026, 12, 1)


def _pdf_text(outcome, tmp_path: Path, lang: str) -> str:
    pdf = tmp_path / f"report-{lang}.pdf"
    write_report(outcome, pdf, fmt=ReportFormat.PDF, lang=lang, report_date=REPORT_DATE)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "vi",
            (
                "Cần gì để lên giai đoạn 3 · Định hình",
                "Với các thay đổi này, chỉ số tổng hợp sẽ là",
                "và 2 thay đổi khác",
            ),
        ),
        ("en", ("What it takes to reach stage 3 · Established", "With these changes the index would be", "and 2 more")),
    ],
)
def test_the_pdf_lists_the_plan_and_the_rescored_index(
    registry: Registry, tmp_path: Path, lang: str, expected: tuple[str, str, str]
) -> None:
    heading, rescored, more = expected
    outcome = assess(examples_dir() / "mountainous-health-centre-lai-chau.yaml", registry=registry)
    found = plan(outcome.validation.response)
    assert len(found.changes) == 10  # more than the eight rows the report lists
    text = _pdf_text(outcome, tmp_path, lang)
    assert heading in text
    assert f"{rescored} {i18n.number(found.rescored_score, lang)}" in text
    assert more in text
    context = context_for(outcome, lang=lang, report_date=REPORT_DATE)
    shown = context.next_plan
    assert shown is not None
    assert [row.gain for row in shown.rows] == [
        "+" + i18n.number(change.gain, lang) for change in found.changes[: len(shown.rows)]
    ]
    assert len(shown.rows) == 8
    assert shown.more == 2
    assert shown.heuristic == found.reason(lang)
    for row in shown.rows:
        assert row.after.split()[0] in text


def test_an_exact_plan_is_not_called_heuristic_and_the_top_stage_has_none(registry: Registry, tmp_path: Path) -> None:
    station = assess(examples_dir() / "commune-station-urban-can-tho.yaml", registry=registry)
    text = _pdf_text(station, tmp_path, "en")
    assert "What it takes to reach stage 5 · Leading" in text
    assert "With these changes the index would be 81.0, stage 5 (Leading)." in text
    assert "Heuristic" not in text
    top = assess(examples_dir() / "central-hospital-hanoi.yaml", registry=registry)
    assert context_for(top, lang="vi", report_date=REPORT_DATE).next_plan is None
    assert "Cần gì để lên giai đoạn" not in _pdf_text(top, tmp_path, "vi")


def test_changes_that_meet_an_obligation_are_marked(registry: Registry) -> None:
    capped = assess(examples_dir() / "private-hospital-hcmc.yaml", registry=registry)
    shown = context_for(capped, lang="vi", report_date=REPORT_DATE).next_plan
    assert shown is not None
    # five answers meet the four obligations; the sixth is asked once the security levels are approved
    assert [row.meets for row in shown.rows].count(True) == 5
    assert len(shown.rows) == 6
    assert "nghĩa vụ pháp lý" in shown.heuristic
