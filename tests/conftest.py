"""Shared fixtures: the small questionnaires under tests/data, an isolated environment, `dhti` to run commands."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dhti.cli import main
from dhti.registry import ENV_FOLDERS, Registry

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


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The bundled questionnaires and those under tests/data, loaded once for the whole session.

    It is what the commands see in every test (see ``isolated_env``); a test that needs other
    folders sets DHTI_QUESTIONNAIRES and runs the command, or discovers its own registry.
    """
    return Registry.discover(environ={ENV_FOLDERS: str(DATA)})


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def dhti(runner: CliRunner) -> Callable[..., Result]:
    """Run ``dhti ARGS...`` as a user would: each argument as text; an exception fails the test.

    The tests pin English messages, so a command runs with DHTI_LANG=en unless the test says
    otherwise: ``lang="vi"`` sets another DHTI_LANG, ``lang=None`` sets none (dhti then speaks its
    default, Vietnamese, as for a user with no language set), and a ``--lang`` among the arguments
    wins over both, as it does for a user. ``db=URL`` appends ``--db URL``; ``env=``, ``input=``
    and click's other ``invoke`` arguments pass through (``catch_exceptions=True`` to catch).
    """

    def _run(*args: object, lang: str | None = "en", db: str | None = None, **invoke: Any) -> Result:
        invoke.setdefault("catch_exceptions", False)
        env = dict(invoke.pop("env", None) or {})
        if lang is not None:
            env.setdefault("DHTI_LANG", lang)
        argv = [str(arg) for arg in args] + (["--db", db] if db else [])
        return runner.invoke(main, argv, env=env, **invoke)

    return _run


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
