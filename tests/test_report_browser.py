"""The HTML reports in a real headless Chromium: no requests, no console errors, charts drawn, no axe violation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from dhti.assess import assess
from dhti.cli import main
from dhti.report.render import ReportFormat, write_report
from dhti.resources import examples_dir
from dhti.response import MAX_NAME_CHARS

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
    write_report(assess(examples_dir() / sample, registry=registry), out, fmt=ReportFormat.HTML, lang="vi")
    page, events = open_report(browser, out, width)
    assert events["requests"] == [out.as_uri()]  # the document itself, nothing else
    assert events["failed"] == []
    assert events["console"] == []
    boxes = page.eval_on_selector_all(
        "svg.chart", "charts => charts.map(c => { const r = c.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert len(boxes) == 2
    assert all(w > 100 and h > 100 for w, h in boxes)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1  # nothing wider than the screen, phones included
    page.close()


def test_the_longest_unbroken_name_wraps_on_a_phone(browser, registry, write, tmp_path) -> None:
    hanoi = (examples_dir() / "central-hospital-hanoi.yaml").read_text(encoding="utf-8")
    response = write("long.yaml", hanoi.replace("Bệnh viện Đa khoa Trung ương Hồng Hà", "B" * MAX_NAME_CHARS, 1))
    out = tmp_path / "long.html"
    write_report(assess(response, registry=registry), out, fmt=ReportFormat.HTML, lang="vi")
    page, _events = open_report(browser, out, 390)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    page.close()


def test_hostile_report_runs_no_script_and_fetches_nothing(browser, registry, tmp_path) -> None:
    out = tmp_path / "hostile.html"
    hostile = Path(__file__).parent / "data" / "responses" / "mini-hostile.yaml"
    write_report(assess(hostile, registry=registry), out, fmt=ReportFormat.HTML, lang="en")
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
