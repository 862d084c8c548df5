"""Reviews in a store, end to end on SQLite and PostgreSQL: review stats, the portfolio and the entity report.

A simulated campaign with planted inflation (tests/reviews.py) is stored as self-assessed; two
units in three are then reviewed (the truth recorded with Store.record_review). Every figure
the commands print is checked against dhti.agreement run on the same cases directly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from reviews import NOTE, PLANTED, REVIEWER, ReviewCase, campaign, reviewed, store_campaign

from dhti.agreement import agreement
from dhti.cli import main
from dhti.i18n import number
from dhti.jobs.aggregate import write_portfolio
from dhti.registry import Registry
from dhti.report.render import ReportFormat
from dhti.store import open_store
from dhti.store.reviews import StoredReview
from dhti.views.agreement import CSV_HEADERS

pytest_plugins = ("conftest_store",)

REPORT_DATE = dt.date(2026, 12, 2)
PROVINCES = ("Cao Bằng", "Cần Thơ")


@pytest.fixture(scope="module")
def cases(registry: Registry) -> list[ReviewCase]:
    return campaign(registry, provinces=PROVINCES, entities=3)


@pytest.fixture
def stored(store_url: str, cases: list[ReviewCase], registry: Registry) -> dict[str, StoredReview]:
    with open_store(store_url) as store:
        return store_campaign(store, cases, registry)


def review(*args: object, db: str, lang: str = "en") -> Result:
    """``dhti review ARGS --db DB --lang LANG``, as a user runs it."""
    argv = ["review", *(str(arg) for arg in args), "--db", db, "--lang", lang]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def checked(cases: list[ReviewCase]) -> list[ReviewCase]:
    return [case for number, case in enumerate(cases) if reviewed(number)]


def test_review_stats_json_gives_the_figures_of_the_reviewed_units(
    store_url: str, stored: dict[str, StoredReview], cases: list[ReviewCase]
):
    result = review("stats", "--format", "json", db=store_url)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    expected = agreement([case.unit for case in checked(cases)])
    assert printed["units"] == len(stored) == expected.units
    assert printed["overall"]["answers"] == expected.overall.answers
    assert printed["overall"]["confirmed"] == expected.overall.confirmed
    assert printed["overall"]["kappa"]["linear"] == pytest.approx(expected.overall.kappa.linear)
    assert printed["overall"]["kappa"]["quadratic"] == pytest.approx(expected.overall.kappa.quadratic)
    for row, mine in zip(printed["domains"], expected.domains, strict=True):
        assert (row["id"], row["answers"], row["confirmed"]) == (mine.id, mine.answers, mine.confirmed)
        assert row["kappa"]["linear"] == pytest.approx(mine.kappa.linear)
    inflation = {row["id"]: row["mean"] for row in printed["inflation"]}
    assert max((key for key in inflation if key != "index"), key=inflation.__getitem__) == PLANTED
    assert inflation[PLANTED] == pytest.approx(expected.inflation_of(PLANTED).mean)  # type: ignore[union-attr]
    assert inflation["index"] > 0
    assert printed["most_corrected"]
    assert {row["domain"] for row in printed["most_corrected"]} == {PLANTED}
    assert {row["direction"] for row in printed["most_corrected"]} == {"overstated"}


def test_review_stats_text_and_csv(store_url: str, stored: dict[str, StoredReview]):
    text = review("stats", db=store_url, lang="vi")
    assert text.exit_code == 0, text.output
    assert f"{len(stored)} đơn vị đã kiểm tra" in text.stdout
    assert "Tiêu chuẩn dữ liệu y tế và khả năng liên thông" in text.stdout
    assert "phần lớn khai cao hơn" in text.stdout
    rows = list(csv.reader(io.StringIO(review("stats", "--format", "csv", db=store_url).stdout)))
    assert tuple(rows[0]) == CSV_HEADERS
    levels = {row[0] for row in rows[1:]}
    assert levels == {"all", "domain", "indicator", "question"}
    planted = next(row for row in rows if row[0] == "domain" and row[2] == PLANTED)
    assert float(planted[9]) > 5  # mean inflation, in points


def test_review_stats_filters_as_aggregate_does(store_url: str, stored: dict[str, StoredReview]):
    result = review("stats", "--format", "json", "--province", "Cần Thơ", db=store_url)
    assert result.exit_code == 0, result.output
    in_province = [entity for entity in stored if "-CAN-THO-" in entity]
    assert json.loads(result.stdout)["units"] == len(in_province) > 0


def test_review_stats_says_so_when_there_is_no_review(store_url: str, cases: list[ReviewCase], registry: Registry):
    with open_store(store_url) as store:
        store_campaign(store, cases[:0], registry)
    result = review("stats", db=store_url)
    assert result.exit_code == 1
    assert "holds no review of an assessment in this selection" in result.stderr
    assert "dhti review apply" in result.stderr
    assert "Traceback" not in result.output
    filtered = review("stats", "--province", "Điện Biên", db=store_url)
    assert filtered.exit_code == 1


def pdf_text(path: Path, *, layout: bool = True) -> str:
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_the_portfolio_uses_verified_scores_marks_them_and_shows_the_agreement(
    store_url: str, stored: dict[str, StoredReview], cases: list[ReviewCase], registry: Registry, tmp_path: Path
):
    output = tmp_path / "portfolio.pdf"
    with open_store(store_url, create=False) as store:
        units = write_portfolio(
            store, output, registry=registry, fmt=ReportFormat.PDF, lang="vi", report_date=REPORT_DATE, pdfa=False
        )
        verified = {review.verified_id: store.get(review.verified_id) for review in stored.values()}
    text = pdf_text(output, layout=False)
    flat = " ".join(text.split())
    assert f"{len(stored)}/{units} đơn vị đã kiểm tra" in flat
    assert text.count("✓") >= len(stored)
    assert "Tự đánh giá và kiểm tra" in text
    assert "Các câu hỏi bị điều chỉnh nhiều nhất" in text
    # A verified unit's league row shows its verified index, and the self-assessed one beside it.
    for assessment in verified.values():
        assert assessment.record.index is not None
        assert number(assessment.record.index, "vi") in flat
    inflating = next(case for case in cases if case.inflating and case.entity_id in stored)
    assert f"tự đánh giá {number(inflating.self_record.index, 'vi')}" in flat


def test_the_entity_report_of_a_reviewed_assessment_shows_both_scores_and_the_changes(
    store_url: str,
    stored: dict[str, StoredReview],
    cases: list[ReviewCase],
    dhti: Callable[..., Result],
    tmp_path: Path,
):
    case = cases[0]  # inflating, and reviewed
    review_of = stored[case.entity_id]
    claimed = tmp_path / "claimed.yaml"
    claimed.write_bytes(case.claimed)
    output = tmp_path / "report.pdf"
    result = dhti("report", claimed, "-o", output, "--no-pdfa", "--report-date", REPORT_DATE, db=store_url, lang="vi")
    assert result.exit_code == 0, result.output
    text = pdf_text(output, layout=False)  # in reading order: a cell's lines stay together
    flat = " ".join(text.split())
    page_one = " ".join(text.split("\f")[0].split())
    self_index = number(case.self_record.index, "vi")
    verified_index = number(case.unit.verified_record.index, "vi")
    assert "Đã kiểm tra" in page_one
    assert "Trần Thị Kiểm <Sở Y tế>" in page_one  # shown as written, never as markup
    assert f"Tự đánh giá {self_index} · Sau kiểm tra {verified_index}" in page_one
    changed = len(review_of.changed)
    assert f"{changed}/{len(review_of.answers)} câu trả lời được điều chỉnh" in page_one
    assert "Các câu trả lời được điều chỉnh sau kiểm tra" in flat
    assert NOTE in flat
    html = tmp_path / "report.html"
    assert dhti("report", claimed, "-o", html, db=store_url, lang="vi").exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert "&lt;b&gt;hệ thống&lt;/b&gt;" in page
    assert "<b>hệ thống" not in page
    assert REVIEWER not in page  # escaped: "&lt;Sở Y tế&gt;"
    # The verified response's own file gives the same report.
    with open_store(store_url, create=False) as store:
        (tmp_path / "verified.yaml").write_bytes(store.response_bytes(review_of.verified_id))
    again = tmp_path / "again.html"
    assert dhti("report", tmp_path / "verified.yaml", "-o", again, db=store_url, lang="vi").exit_code == 0
    assert again.read_text(encoding="utf-8") == page


def test_an_unreviewed_assessment_is_reported_as_self_assessed(
    store_url: str, stored: dict[str, StoredReview], cases: list[ReviewCase], dhti, tmp_path: Path
):
    case = next(case for number, case in enumerate(cases) if not reviewed(number))
    assert case.entity_id not in stored
    claimed = tmp_path / "claimed.yaml"
    claimed.write_bytes(case.claimed)
    output = tmp_path / "report.html"
    assert dhti("report", claimed, "-o", output, db=store_url, lang="vi").exit_code == 0
    page = output.read_text(encoding="utf-8")
    assert "Tự đánh giá, chưa kiểm tra" in page
    assert "Sau kiểm tra" not in page
