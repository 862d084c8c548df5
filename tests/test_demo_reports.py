"""`dhti demo` read as its readers will: every PDF it writes, page by page, as the issue checks them.

The demo runs once for the module (about half a minute): the samples beside their simulated
peers and earlier rounds, reports dated 2 December 2026.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pdftext
import pytest
from click.testing import CliRunner

from dhti import i18n
from dhti.cli.main import main
from dhti.jobs.demo import run_demo, sample_files
from dhti.questionnaire import pick

REPORT_DATE = dt.date(2026, 12, 2)
MARGIN = 10 / 25.4 * 72  # 10 mm, in points: the pages' margins are wider, and text stays inside them
SAMPLES = [path.stem for path in sample_files()]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, registry) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    run_demo(folder, registry=registry, lang="vi", report_date=REPORT_DATE)
    return folder


@pytest.fixture(scope="module")
def scores(demo: Path) -> dict[str, dict]:
    return {Path(item["file"]).stem: item for item in json.loads((demo / "scores.json").read_text(encoding="utf-8"))}


@pytest.mark.parametrize("name", [*SAMPLES, "portfolio"])
def test_no_word_lies_outside_the_page_and_no_ink_reaches_its_edge(demo: Path, name: str, tmp_path: Path) -> None:
    pdf = demo / f"{name}.pdf"
    for page in pdftext.pages(pdf):
        assert page.outside(margin=MARGIN) == [], f"{name} page {page.number}"
    assert pdftext.inked_margins(pdf, tmp_path) == []


def test_most_entity_reports_are_at_most_twelve_pages(demo: Path) -> None:
    lengths = {name: len(pdftext.pages(demo / f"{name}.pdf")) for name in SAMPLES}
    short = [name for name, length in lengths.items() if length <= 12]
    assert len(short) >= 0.8 * len(SAMPLES), lengths
    assert max(lengths.values()) <= 16, lengths


@pytest.mark.parametrize("name", SAMPLES)
def test_page_one_holds_the_index_its_stage_and_first_actions_with_owners_and_dates(
    demo: Path, scores: dict[str, dict], registry, name: str
) -> None:
    item = scores[name]
    page = re.sub(r"\s+", " ", pdftext.text(demo / f"{name}.pdf", first=1, last=1))
    questionnaire = registry.get(f"{item['questionnaire']['id']}@{item['questionnaire']['version']}")
    assert i18n.number(item["index"], "vi") in page
    stage = next(s for s in questionnaire.stages if s.level == item["stage"])
    assert pick(stage.label, "vi") in page
    rules = {rule.id: rule for rule in questionnaire.recommendations}
    shown = [
        rec
        for rec in item["recommendations"]
        if i18n.date(dt.date.fromisoformat(rec["due"]), "vi") in page
        and _squeezed(pick(rules[rec["id"]].owner, "vi")) in _squeezed(page)
    ]
    assert len(shown) >= min(3, len(item["recommendations"])), name


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_portfolio_shows_the_simulated_reviews_and_their_agreement(demo: Path) -> None:
    text = re.sub(r"\s+", " ", pdftext.text(demo / "portfolio.pdf"))
    assert "Tự đánh giá và kiểm tra" in text  # the agreement section
    assert "(mô phỏng) ✓" in text  # a verified simulated unit
    assert re.search(r"\d+/\d+ đơn vị đã kiểm tra", text)


def test_review_stats_on_the_demo_store_counts_the_reviewed_units(demo: Path) -> None:
    result = CliRunner().invoke(main, ["review", "stats", "--db", str(demo / "dhti-demo.sqlite"), "--format", "json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    sheets = sorted((demo / "simulated" / "reviews").glob("*.review.yaml"))
    assert stats["units"] == len(sheets) > 0
    assert all(sheet.name.startswith("SIM-") for sheet in sheets)  # simulated units only, never a sample
    assert 0 < stats["overall"]["confirmed"] < stats["overall"]["answers"]  # the planted overstatements corrected


def test_a_demo_review_sheet_applied_again_is_refused(demo: Path) -> None:
    sheet = next((demo / "simulated" / "reviews").glob("*.review.yaml"))
    assert "Đoàn kiểm tra của Sở Y tế (mô phỏng)" in sheet.read_text(encoding="utf-8")
    args = ["review", "apply", "--db", str(demo / "dhti-demo.sqlite"), str(sheet)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "đã được lưu" in result.output


@pytest.mark.parametrize("name", SAMPLES)
def test_the_bundled_samples_stay_self_assessed(demo: Path, name: str) -> None:
    text = re.sub(r"\s+", " ", pdftext.text(demo / f"{name}.pdf"))
    assert "tự đánh giá, chưa kiểm tra" in text.casefold()
