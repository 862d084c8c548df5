"""A small report's HTML, compared exactly with its golden file (pytest --update-golden rewrites it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dhti import __version__
from dhti.cli import main

RESPONSE = Path(__file__).parent / "data" / "responses" / "mini-complete.yaml"


def test_the_vietnamese_html_report_of_a_small_response(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, golden
) -> None:
    monkeypatch.delenv("DHTI_DB", raising=False)  # no store: no trend, no peers
    output = tmp_path / "bao-cao.html"
    args = ["report", str(RESPONSE), "-o", str(output), "--format", "html", "--lang", "vi"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    html = output.read_text(encoding="utf-8")
    # The version changes with every release; what the report says around it must not.
    assert f"dhti {__version__}" in html
    golden("mini-complete.vi.html", html.replace(f"dhti {__version__}", "dhti VERSION"))
