"""The HTML report in a real headless Chromium: no requests, no console errors, charts drawn."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from dhti.assess import assess
from dhti.registry import examples_dir
from dhti.report import ReportFormat, write_report

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
