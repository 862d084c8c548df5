"""Which language dhti speaks: --lang, else DHTI_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG), else Vietnamese."""

from __future__ import annotations

import os

import pytest

from dhti.cli import main
from dhti.i18n import language_from_environment, locale_language

LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


@pytest.mark.parametrize(
    ("value", "language"),
    [
        ("vi_VN.UTF-8", "vi"),
        ("vi_VN", "vi"),
        ("vi", "vi"),
        ("vi.UTF-8", "vi"),
        ("en_US.UTF-8", "en"),
        ("en_GB@euro", "en"),
        ("en", "en"),
        ("C", None),
        ("C.UTF-8", None),
        ("POSIX", None),
        ("fr_FR.UTF-8", None),
        ("", None),
        ("view", None),  # a language is the letters before _ . or @, not a prefix
    ],
)
def test_locale_language(value: str, language: str | None) -> None:
    assert locale_language(value) == language


def test_nothing_set_is_vietnamese() -> None:
    assert language_from_environment({}) == "vi"


def test_dhti_lang_wins_over_the_locale() -> None:
    assert language_from_environment({"DHTI_LANG": "en", "LC_ALL": "vi_VN.UTF-8"}) == "en"
    assert language_from_environment({"DHTI_LANG": "vi", "LANG": "en_US.UTF-8"}) == "vi"


def test_an_unknown_dhti_lang_leaves_the_choice_to_the_locale() -> None:
    assert language_from_environment({"DHTI_LANG": "fr", "LANG": "en_US.UTF-8"}) == "en"


@pytest.mark.parametrize("variable", LOCALE_VARIABLES)
def test_each_locale_variable_chooses(variable: str) -> None:
    assert language_from_environment({variable: "en_US.UTF-8"}) == "en"
    assert language_from_environment({variable: "vi_VN.UTF-8"}) == "vi"


def test_lc_all_wins_over_lc_messages_and_lang() -> None:
    environ = {"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "vi_VN.UTF-8", "LANG": "vi_VN.UTF-8"}
    assert language_from_environment(environ) == "en"


def test_lc_messages_wins_over_lang() -> None:
    assert language_from_environment({"LC_MESSAGES": "en_US.UTF-8", "LANG": "vi_VN.UTF-8"}) == "en"


def test_an_empty_variable_is_unset() -> None:
    assert language_from_environment({"LC_ALL": "", "LANG": "en_US.UTF-8"}) == "en"


@pytest.mark.parametrize("value", ["C", "POSIX", "C.UTF-8", "fr_FR.UTF-8"])
def test_a_locale_of_no_known_language_says_nothing(value: str) -> None:
    # POSIX: the first variable set is the locale; C names no language, so dhti's default holds.
    assert language_from_environment({"LC_ALL": value, "LANG": "en_US.UTF-8"}) == "vi"


# Through the command line, with the real environment


def lint_summary(runner, *args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(main, ["questionnaires", "lint", "tests/data/mini.yaml", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stderr


def test_the_command_line_speaks_vietnamese_by_default(runner) -> None:
    assert "câu hỏi tính điểm" in lint_summary(runner)


def test_the_command_line_follows_lang(runner) -> None:
    assert "scored questions" in lint_summary(runner, env={"LANG": "en_US.UTF-8"})
    assert "câu hỏi tính điểm" in lint_summary(runner, env={"LANG": "vi_VN.UTF-8"})


def test_the_command_line_follows_lc_all_over_lang(runner) -> None:
    assert "scored questions" in lint_summary(runner, env={"LC_ALL": "en_US.UTF-8", "LANG": "vi_VN.UTF-8"})


def test_dhti_lang_wins_over_the_locale_on_the_command_line(runner) -> None:
    assert "câu hỏi tính điểm" in lint_summary(runner, env={"DHTI_LANG": "vi", "LC_ALL": "en_US.UTF-8"})


def test_the_option_wins_over_everything(runner) -> None:
    environ = {"DHTI_LANG": "vi", "LC_ALL": "vi_VN.UTF-8"}
    assert "scored questions" in lint_summary(runner, "--lang", "en", env=environ)


def test_the_suite_runs_without_the_developers_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in (*LOCALE_VARIABLES, "DHTI_LANG"):
        assert variable not in os.environ
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # and a test may still set one
    assert language_from_environment(os.environ) == "en"
