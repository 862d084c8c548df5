"""``dhti score`` on the samples writes exactly the bytes under tests/data/golden (see its README)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dhti.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden"
EXAMPLES = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "questionnaires" / "examples").glob("*.yaml"))
TEST_FILES = sorted(
    str(path.relative_to(ROOT))
    for folder in ("responses", "store")
    for path in (ROOT / "tests" / "data" / folder).glob("*.yaml")
)


@pytest.mark.parametrize(
    ("golden", "files", "options"),
    [
        ("examples-vi.json", EXAMPLES, ["--format", "json", "--lang", "vi"]),
        ("examples-en.csv", EXAMPLES, ["--format", "csv", "--lang", "en"]),
        ("test-files-en.json", TEST_FILES, ["--format", "json", "--lang", "en"]),
        ("test-files-en.csv", TEST_FILES, ["--format", "csv", "--lang", "en"]),
        ("test-files-vi.txt", TEST_FILES, ["--lang", "vi"]),
    ],
)
def test_score_output_is_unchanged(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, golden: str, files: list[str], options: list[str]
) -> None:
    monkeypatch.chdir(ROOT)  # the outputs name the files as given: relative to the repository
    result = runner.invoke(main, ["score", *files, *options], catch_exceptions=False)
    assert result.exit_code == (1 if files is TEST_FILES else 0)
    assert result.stdout == (GOLDEN / golden).read_text(encoding="utf-8")
