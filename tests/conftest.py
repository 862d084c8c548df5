"""Shared fixtures: the small questionnaire under tests/data, isolated environment, a CLI runner."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from click.testing import CliRunner

from dhti.registry import Registry

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test sees the test questionnaires and no user settings.

    Nor the developer's language: with no DHTI_LANG and no locale, dhti speaks its default
    (Vietnamese), and a test that reads English asks for it with --lang en.
    """
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DHTI_QUESTIONNAIRES", str(DATA))
    for variable in ("DHTI_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def registry() -> Registry:
    return Registry.discover()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def write(tmp_path: Path):
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite the files under tests/golden/ instead of comparing"
    )


GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """Compare a text exactly with tests/golden/NAME; fail with a unified diff, or rewrite it with --update-golden."""

    def _compare(name: str, actual: str) -> None:
        path = GOLDEN / name
        if request.config.getoption("--update-golden"):
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(actual.encode("utf-8"))  # exactly, newlines included
            pytest.skip(f"rewrote {path.relative_to(Path(__file__).parent.parent)}")
        expected = path.read_bytes().decode("utf-8") if path.exists() else ""
        if actual != expected:
            diff = difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), f"golden/{name}", "actual"
            )
            pytest.fail(
                f"{name} differs from its golden file (pytest --update-golden rewrites it):\n{''.join(diff)}",
                pytrace=False,
            )

    return _compare
