"""Reports that read the store: the portfolio (dhti aggregate), and trends and peers in entity reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from dhti.cli import main
from dhti.resources import examples_dir

SAMPLES = examples_dir()


@pytest.fixture
def store(runner, tmp_path: Path) -> str:
    """An SQLite store holding every bundled sample."""
    db = str(tmp_path / "store.sqlite")
    result = runner.invoke(main, ["db", "ingest", str(SAMPLES), "--db", db])
    assert result.exit_code == 0, result.output
    return db


def test_portfolio_html_has_a_section_per_kind(runner, store: str, tmp_path: Path) -> None:
    out = tmp_path / "portfolio.html"
    args = ["aggregate", "-o", str(out), "--db", store, "--lang", "en", "--report-date", "2026-12-02"]
    result = runner.invoke(main, [*args, "--issuer", "Sở Y tế <b>Cao Bằng</b>"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().endswith("(13 entities)")
    html = out.read_text(encoding="utf-8")
    assert "Digital transformation portfolio" in html
    assert "Sở Y tế &lt;b&gt;Cao Bằng&lt;/b&gt;" in html  # the issuer as typed, escaped
    assert '<th scope="row">Report date</th><td>2 December 2026</td>' in html
    # One league table per kind with more than one unit: the Ministry is never ranked with a station.
    sections = re.findall(r'<section id="s\d+" class="group( single)?">\s*<h2 class="section">([^<]+)</h2>', html)
    titles = [title for _single, title in sections]
    assert titles[:2] == ["Ministry of Health", "Departments of Health"]
    assert {"Hospitals", "Commune health stations"} <= set(titles)
    assert html.count('<table class="heat league wide">') == sum(1 for single, _t in sections if not single)
    assert "Units to support first" in html
    assert "commune_health_station" not in html
    assert not re.search(r">\s*\d{4}-\d\d-\d\d", html)  # no ISO date shown


def test_portfolio_pdf_filtered_by_type_says_the_scope_in_words(runner, store: str, tmp_path: Path) -> None:
    out = tmp_path / "portfolio.pdf"
    result = runner.invoke(main, ["aggregate", "-o", str(out), "--db", store, "--type", "commune_health_station"])
    assert result.exit_code == 0, result.output
    assert "(3 đơn vị)" in result.stderr
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(out).pages))
    assert "Tổng hợp chuyển đổi số" in text
    assert "Phạm vi Trạm Y tế xã/phường" in text  # the filter, by its label (D11)
    assert "commune_health_station" not in text
    assert "Sở Y tế tỉnh" not in text


def test_by_is_accepted_with_a_warning(runner, store: str, tmp_path: Path) -> None:
    out = tmp_path / "p.html"
    result = runner.invoke(main, ["aggregate", "-o", str(out), "--db", store, "--by", "province", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "warning: --by is no longer needed" in result.stderr


def test_aggregate_errors(runner, store: str, tmp_path: Path) -> None:
    args = ["aggregate", "-o", str(tmp_path / "x.html"), "--db", store, "--province", "Huế"]
    empty = runner.invoke(main, [*args, "--lang", "en"])
    assert empty.exit_code == 1
    assert "holds no scored assessment matching Huế" in empty.stderr
    assert "không có lượt đánh giá nào đã được chấm điểm khớp với Huế" in runner.invoke(main, args).stderr
    missing = runner.invoke(
        main, ["aggregate", "-o", str(tmp_path / "x.html"), "--db", str(tmp_path / "no.sqlite"), "--lang", "en"]
    )
    assert missing.exit_code == 1
    assert "does not exist yet" in missing.stderr
    assert not (tmp_path / "no.sqlite").exists()
    suffix = runner.invoke(main, ["aggregate", "-o", str(tmp_path / "x.docx"), "--db", store])
    assert suffix.exit_code == 2


def test_entity_report_shows_the_trend_from_the_store(runner, store: str, tmp_path: Path) -> None:
    sample = (SAMPLES / "central-hospital-hanoi.yaml").read_text(encoding="utf-8")
    earlier = re.sub(r"date: 2026-\d\d-\d\d", "date: 2025-03-01", sample, count=1)
    path = tmp_path / "earlier.yaml"
    path.write_text(earlier, encoding="utf-8")
    assert runner.invoke(main, ["db", "ingest", str(path), "--db", store]).exit_code == 0
    out = tmp_path / "report.html"
    result = runner.invoke(
        main, ["report", str(SAMPLES / "central-hospital-hanoi.yaml"), "-o", str(out), "--db", store]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Tiến bộ so với các lần đánh giá trước" in html
    assert "01/03/2025" in html
    assert html.count("<svg") == 1  # the trend; the domains are HTML bars


def test_entity_report_without_a_store_has_no_comparison(runner, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(main, ["report", str(SAMPLES / "central-hospital-hanoi.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Tiến bộ và so sánh" not in out.read_text(encoding="utf-8")


def test_entity_report_with_a_store_that_cannot_be_opened(runner, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    missing = tmp_path / "no-such.sqlite"
    result = runner.invoke(
        main,
        ["report", str(SAMPLES / "central-hospital-hanoi.yaml"), "-o", str(out), "--db", str(missing), "--lang", "en"],
    )
    assert result.exit_code == 1
    assert "does not exist yet" in result.stderr
    assert not out.exists()
    assert not missing.exists()


def test_hostile_names_and_provinces_are_escaped_in_the_portfolio(runner, store: str, tmp_path: Path) -> None:
    hostile = Path(__file__).parent / "data" / "responses" / "mini-hostile.yaml"
    assert runner.invoke(main, ["db", "ingest", str(hostile), "--db", store]).exit_code == 0
    out = tmp_path / "portfolio.html"
    result = runner.invoke(main, ["aggregate", "-o", str(out), "--db", store, "--lang", "en"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(" in html
    assert "{{ 7*7 }}" in html  # shown as typed, never evaluated
