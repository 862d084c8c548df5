"""The HTML reports in a real headless Chromium: no requests, no console errors, charts drawn, no axe violation."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from dhti.assess import assess
from dhti.cli import main
from dhti.report.render import ReportFormat, write_report
from dhti.resources import examples_dir
from dhti.response import MAX_NAME_CHARS

DAY = dt.date(2026, 12, 2)  # the report date: fixed, so that overdue flags do not move with the clock
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ALL_SAMPLES = sorted(path.name for path in examples_dir().glob("*.yaml"))
SAMPLES = [
    "provincial-hospital-nghe-an.yaml",
    "provincial-department-cao-bang.yaml",
    "commune-station-urban-can-tho.yaml",
]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    # Skipping would let a machine without axe pass silently: the audit is part of the suite.
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed ({AXE} is missing): run `make test-js` (npm ci in tests/browser)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, axe_source: str) -> list[str]:
    """Every axe-core violation on the page, with its impact and the first elements it names."""
    page.add_script_tag(content=axe_source)  # inline, so the audit itself fetches nothing
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(
            v => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"""
    )
    return list(found)


def open_report(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    events: dict[str, list[str]] = {"requests": [], "failed": [], "console": []}
    page.on("request", lambda request: events["requests"].append(request.url))
    page.on("requestfailed", lambda request: events["failed"].append(request.url))
    page.on("console", lambda message: events["console"].append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: events["console"].append(f"pageerror: {error}"))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, events


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("width", [1280, 390])
def test_report_loads_cleanly_and_draws_its_charts(browser, registry, tmp_path, sample: str, width: int) -> None:
    out = tmp_path / "report.html"
    write_report(
        assess(examples_dir() / sample, registry=registry), out, fmt=ReportFormat.HTML, lang="vi", report_date=DAY
    )
    page, events = open_report(browser, out, width)
    assert events["requests"] == [out.as_uri()]  # the document itself, nothing else
    assert events["failed"] == []
    assert events["console"] == []
    boxes = page.eval_on_selector_all(
        ".dbar .track", "bars => bars.map(b => { const r = b.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert len(boxes) == 4  # the four domains, drawn in HTML and CSS
    assert all(w > 150 and h >= 10 for w, h in boxes)
    sizes = page.eval_on_selector_all(".dlabel", "ls => ls.map(l => parseFloat(getComputedStyle(l).fontSize))")
    assert min(sizes) >= 11  # CSS px: readable on a phone
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1  # nothing wider than the screen, phones included
    page.close()


def test_the_longest_unbroken_name_wraps_on_a_phone(browser, registry, write, tmp_path) -> None:
    hanoi = (examples_dir() / "central-hospital-hanoi.yaml").read_text(encoding="utf-8")
    response = write("long.yaml", hanoi.replace("Bệnh viện Đa khoa Trung ương Hồng Hà", "B" * MAX_NAME_CHARS, 1))
    out = tmp_path / "long.html"
    write_report(assess(response, registry=registry), out, fmt=ReportFormat.HTML, lang="vi", report_date=DAY)
    page, _events = open_report(browser, out, 390)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    page.close()


def test_hostile_report_runs_no_script_and_fetches_nothing(browser, registry, tmp_path) -> None:
    out = tmp_path / "hostile.html"
    hostile = Path(__file__).parent / "data" / "responses" / "mini-hostile.yaml"
    write_report(assess(hostile, registry=registry), out, fmt=ReportFormat.HTML, lang="en", report_date=DAY)
    page, events = open_report(browser, out, 1280)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.reload()
    assert dialogs == []
    assert [url for url in events["requests"] if url != out.as_uri()] == []
    assert page.evaluate("document.querySelectorAll('script, img, iframe, object, link').length") == 0
    assert "<script>alert('x')</script>" in page.inner_text("h1")
    page.close()


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory, registry) -> dict[str, Path]:
    """The HTML report of every bundled sample, written once for all the audits."""
    folder = tmp_path_factory.mktemp("samples")
    return {
        sample: write_report(
            assess(examples_dir() / sample, registry=registry),
            folder / f"{sample}.html",
            fmt=ReportFormat.HTML,
            lang="vi",
            report_date=DAY,
        )
        for sample in ALL_SAMPLES
    }


@pytest.mark.parametrize("sample", ALL_SAMPLES)
@pytest.mark.parametrize("width", [1280, 390])
def test_entity_report_passes_axe(browser, axe_source: str, sample_reports, sample: str, width: int) -> None:
    out = sample_reports[sample]
    page, events = open_report(browser, out, width)
    assert axe_violations(page, axe_source) == []
    assert events["requests"] == [out.as_uri()]
    page.close()


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory) -> Path:
    """The portfolio report of a store holding every bundled sample, as `dhti aggregate` writes it."""
    from click.testing import CliRunner  # noqa: PLC0415

    folder = tmp_path_factory.mktemp("portfolio")
    db, out = str(folder / "store.sqlite"), folder / "portfolio.html"
    runner = CliRunner()
    for args in (["db", "ingest", str(examples_dir()), "--db", db], ["aggregate", "-o", str(out), "--db", db]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("width", [1280, 390])
def test_portfolio_report_passes_axe(browser, axe_source: str, portfolio: Path, width: int) -> None:
    page, events = open_report(browser, portfolio, width)
    assert axe_violations(page, axe_source) == []
    assert events["requests"] == [portfolio.as_uri()]
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    page.close()


@pytest.fixture(scope="module")
def compared_reports(tmp_path_factory, registry) -> dict[str, Path]:
    """Every sample's HTML report with a store of peers and earlier rounds (see report_campaign.py)."""
    from report_campaign import REPORT_DATE, build_store, compared  # noqa: PLC0415

    folder = tmp_path_factory.mktemp("compared")
    db = build_store(folder, registry)
    reports = {}
    for sample in ALL_SAMPLES:
        item = compared(db, examples_dir() / sample, registry)
        out = folder / f"{sample}.html"
        options = {"report_date": REPORT_DATE, "history": item.history, "peers": item.peers}
        reports[sample] = write_report(item.outcome, out, fmt=ReportFormat.HTML, lang="vi", **options)
    return reports


#: Elements wider than the screen, unless a horizontally scrolling wrapper holds them.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = e => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if ((o === 'auto' || o === 'scroll') && p.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const found = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || scrolls(e)) continue;
    if (r.right > width + 1 || r.left < -1) {
      found.push(`${e.tagName}.${e.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  const tables = [...document.querySelectorAll('table')].filter(t => t.scrollWidth > width && !scrolls(t)).length;
  return {found: found.slice(0, 5), tables};
}"""


@pytest.mark.parametrize("sample", ALL_SAMPLES)
def test_on_a_phone_nothing_is_wider_than_the_screen(browser, compared_reports, sample: str) -> None:
    page, _events = open_report(browser, compared_reports[sample], 390)
    assert page.evaluate(OVERFLOWING) == {"found": [], "tables": 0}
    wrapped = page.eval_on_selector_all("main table", "ts => ts.map(t => t.parentElement.className)")
    assert wrapped
    assert set(wrapped) == {"table-wrap"}  # every table may scroll sideways rather than squeeze
    # The summary starts on the first screen: the cover is compact.
    assert page.eval_on_selector("#summary", "s => s.getBoundingClientRect().top") < 900
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_trend_chart_is_readable_and_unclipped(browser, compared_reports, width: int) -> None:
    page, _events = open_report(browser, compared_reports["commune-station-satellite-dien-bien.yaml"], width)
    texts = page.evaluate(
        """() => { const svg = document.querySelector('svg.chart-trend'); const box = svg.viewBox.baseVal;
          const scale = svg.getBoundingClientRect().width / box.width;
          return [...svg.querySelectorAll('text')].map(t => { const b = t.getBBox();
            return [b.x, b.x + b.width, box.width, parseFloat(t.getAttribute('font-size')) * scale]; }); }"""
    )
    assert len(texts) >= 6
    for left, right, box, pixels in texts:
        assert left >= 0  # no label clipped at the chart's edges
        assert right <= box
        assert pixels >= 11  # CSS px at this width
    page.close()


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("width", [1280, 390])
def test_a_report_with_peers_and_a_trend_passes_axe(
    browser, axe_source: str, compared_reports, sample: str, width: int
) -> None:
    page, events = open_report(browser, compared_reports[sample], width)
    assert axe_violations(page, axe_source) == []
    assert events["requests"] == [compared_reports[sample].as_uri()]
    page.close()


@pytest.fixture(scope="module")
def campaign_portfolio(tmp_path_factory, registry) -> Path:
    """The portfolio of a simulated campaign (two provinces, two rounds), as `dhti aggregate` writes it."""
    from click.testing import CliRunner  # noqa: PLC0415

    folder = tmp_path_factory.mktemp("campaign")
    db, out = str(folder / "store.sqlite"), folder / "portfolio.html"
    runner = CliRunner()
    simulate = ["simulate", "-o", str(folder / "sim"), "--province", "Cao Bằng", "--province", "Cần Thơ"]
    for args in (
        [*simulate, "--entities", "3", "--rounds", "2", "--seed", "5"],
        ["db", "ingest", str(folder / "sim"), "--db", db],
        ["aggregate", "-o", str(out), "--db", db, "--report-date", "2026-12-02"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    return out


# Each table's right edge, and that of the nearest scrolling frame around it (null when there is none).
TABLE_EDGES = """() => [...document.querySelectorAll('table')].map(t => {
    const frame = t.closest('.scroll');
    const scrolls = frame && ['auto', 'scroll'].includes(getComputedStyle(frame).overflowX);
    return [t.getBoundingClientRect().right, scrolls ? frame.getBoundingClientRect().right : null];
})"""
# The smallest text of the portfolio's charts in CSS px, as drawn (the SVG scaled to its box).
SMALLEST_CHART_TEXT = """() => Math.min(...[...document.querySelectorAll('svg.chart-distribution')].flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale);
}))"""


@pytest.mark.parametrize("width", [1280, 390])
def test_campaign_portfolio_on_a_phone_and_a_desktop(browser, axe_source: str, campaign_portfolio: Path, width) -> None:
    page, events = open_report(browser, campaign_portfolio, width)
    assert events["requests"] == [campaign_portfolio.as_uri()]
    assert events["console"] == []
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    edges = page.evaluate(TABLE_EDGES)
    assert len(edges) > 20
    # A table wider than the screen is only ever inside a frame that scrolls and itself fits (D10).
    assert [edge for edge in edges if edge[0] > width + 1 and (edge[1] is None or edge[1] > width + 1)] == []
    if width == 390:
        assert any(table_right > width for table_right, _frame in edges)  # the league tables do scroll
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 11
    assert axe_violations(page, axe_source) == []
    page.close()
