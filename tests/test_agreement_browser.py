"""The verified reports in a real headless Chromium: the portfolio's agreement section and a verified entity report.

No request beyond the file, no console error, no axe violation, nothing wider than a phone's screen
outside a frame that scrolls.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from reviews import campaign, store_campaign
from test_report_browser import OVERFLOWING, axe_source, axe_violations, browser, open_report  # noqa: F401

from dhti.jobs.aggregate import write_portfolio
from dhti.jobs.agreement import verified_for_report
from dhti.registry import Registry
from dhti.report.render import ReportFormat, write_report
from dhti.store import open_store

DAY = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> dict[str, Path]:
    """The portfolio of a reviewed campaign and the entity report of its first (reviewed, inflating) unit."""
    folder = tmp_path_factory.mktemp("verified")
    cases = campaign(registry, provinces=("Cao Bằng",), entities=2)
    db = str(folder / "store.sqlite")
    with open_store(db) as store:
        store_campaign(store, cases, registry)
        portfolio = folder / "portfolio.html"
        write_portfolio(store, portfolio, registry=registry, fmt=ReportFormat.HTML, lang="vi", report_date=DAY)
        found = verified_for_report(store, cases[0].claimed, registry=registry)
    assert found is not None
    outcome, verification = found
    entity = folder / "entity.html"
    write_report(outcome, entity, fmt=ReportFormat.HTML, lang="vi", report_date=DAY, verification=verification)
    return {"portfolio": portfolio, "entity": entity}


@pytest.mark.parametrize("report", ["portfolio", "entity"])
@pytest.mark.parametrize("width", [1280, 390])
def test_verified_reports_load_cleanly_and_pass_axe(browser, axe_source: str, reports, report: str, width: int):  # noqa: F811
    path = reports[report]
    page, events = open_report(browser, path, width)
    assert events["requests"] == [path.as_uri()]
    assert events["console"] == []
    section = "#agreement" if report == "portfolio" else "table.changed"
    assert page.eval_on_selector(section, "s => s.textContent.length") > 100
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    if report == "entity" and width == 390:
        assert page.evaluate(OVERFLOWING) == {"found": [], "tables": 0}
    assert axe_violations(page, axe_source) == []
    page.close()
