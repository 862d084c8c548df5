"""The --uncertainty additions in a real headless Chromium: no request, no axe violation, nothing wider than a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_report_browser import axe_source, axe_violations, browser, open_report  # noqa: F401 - fixtures

from dhti.cli import main
from dhti.resources import examples_dir

HOSPITAL = examples_dir() / "provincial-hospital-nghe-an.yaml"


@pytest.fixture(scope="module")
def uncertain(tmp_path_factory) -> dict[str, Path]:
    """An entity report and the portfolio of a simulated campaign, both with --uncertainty, as the CLI writes them."""
    folder = tmp_path_factory.mktemp("uncertain")
    db = str(folder / "store.sqlite")
    reports = {"entity": folder / "entity.html", "portfolio": folder / "portfolio.html"}
    runner = CliRunner()
    for args in (
        ["simulate", "-o", str(folder / "sim"), "--entities", "3", "--seed", "5"],
        ["db", "ingest", str(folder / "sim"), "--db", db],
        ["report", str(HOSPITAL), "-o", str(reports["entity"]), "--uncertainty", "--draws", "200"],
        ["aggregate", "-o", str(reports["portfolio"]), "--db", db, "--uncertainty", "--draws", "128"],
    ):
        result = runner.invoke(main, args, env={"DHTI_LANG": "vi"})
        assert result.exit_code == 0, result.output
    return reports


@pytest.mark.parametrize("kind", ["entity", "portfolio"])
@pytest.mark.parametrize("width", [1280, 390])
def test_reports_with_uncertainty_pass_axe_and_fit_the_screen(
    browser,  # noqa: F811 - the fixture imported above
    axe_source: str,  # noqa: F811
    uncertain: dict[str, Path],
    kind: str,
    width: int,
) -> None:
    path = uncertain[kind]
    page, events = open_report(browser, path, width)
    text = page.inner_text("body")
    assert ("khả năng ở giai đoạn" in text) if kind == "entity" else ("xê dịch thứ hạng" in text)
    assert events["requests"] == [path.as_uri()]
    assert events["console"] == []
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    assert axe_violations(page, axe_source) == []
    page.close()
