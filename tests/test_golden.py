"""Outputs compared exactly with their golden files in tests/golden (``pytest --update-golden`` rewrites them).

The score outputs pin the bytes of ``dhti score`` on the samples; the HTML pins a small report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dhti import __version__
from dhti.cli import main

ROOT = Path(__file__).resolve().parent.parent
RESPONSE = ROOT / "tests" / "data" / "responses" / "mini-complete.yaml"
EXAMPLES = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "questionnaires" / "examples").glob("*.yaml"))
TEST_FILES = sorted(
    str(path.relative_to(ROOT))
    for folder in ("responses", "store")
    for path in (ROOT / "tests" / "data" / folder).glob("*.yaml")
)


def test_the_vietnamese_html_report_of_a_small_response(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, golden
) -> None:
    monkeypatch.delenv("DHTI_DB", raising=False)  # no store: no trend, no peers
    output = tmp_path / "bao-cao.html"
    args = [
        "report",
        str(RESPONSE),
        "-o",
        str(output),
        "--format",
        "html",
        "--lang",
        "vi",
        "--report-date",
        "2026-12-02",
    ]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    html = output.read_text(encoding="utf-8")
    # The version changes with every release; what the report says around it must not.
    assert f"dhti {__version__}" in html
    golden("mini-complete.vi.html", html.replace(f"dhti {__version__}", "dhti VERSION"))


@pytest.mark.parametrize(
    ("name", "files", "options"),
    [
        ("examples-vi.json", EXAMPLES, ["--format", "json", "--lang", "vi"]),
        ("examples-en.csv", EXAMPLES, ["--format", "csv", "--lang", "en"]),
        ("test-files-en.json", TEST_FILES, ["--format", "json", "--lang", "en"]),
        ("test-files-en.csv", TEST_FILES, ["--format", "csv", "--lang", "en"]),
        ("test-files-vi.txt", TEST_FILES, ["--lang", "vi"]),
    ],
)
def test_score_output_is_unchanged(  # noqa: PLR0913, PLR0917 - three fixtures and three parameters
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, golden, name: str, files: list[str], options: list[str]
) -> None:
    monkeypatch.chdir(ROOT)  # the outputs name the files as given: relative to the repository
    result = runner.invoke(main, ["score", *files, *options], catch_exceptions=False)
    assert result.exit_code == (1 if files is TEST_FILES else 0)
    golden(name, result.stdout)
