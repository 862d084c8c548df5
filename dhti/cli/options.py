"""Options and helpers shared by every ``dhti`` command module."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from dhti.i18n import LANGS, language_from_environment, texts
from dhti.safetext import visible_lines

if TYPE_CHECKING:
    from dhti.registry import Registry

F = TypeVar("F", bound=Callable[..., Any])


def default_lang() -> str:
    """The language of a command run without ``--lang``: DHTI_LANG, else the locale, else Vietnamese."""
    return language_from_environment(os.environ)


def say(text: str, *, err: bool = False) -> None:
    """Print text for people; every control character in it is shown, so no file's text drives the terminal."""
    click.echo(visible_lines(text), err=err)


def load_registry(questionnaire_path: Path | None = None, *, lang: str | None = None) -> Registry:
    """The questionnaires (bundled, DHTI_QUESTIONNAIRES, and an override file); one warning per skipped file."""
    from dhti.registry import Registry  # noqa: PLC0415 - keeps --help fast

    registry = Registry.discover(override=questionnaire_path)
    _ = texts(lang or default_lang())
    text = _("dhti: skipping a questionnaire: %(reason)s")
    for skipped in registry.skipped:
        say(text % {"reason": skipped}, err=True)
    return registry


class NfcText(click.ParamType[str]):
    """Text typed on the command line, composed (NFC) as dhti stores every text it reads.

    A keyboard on macOS types Vietnamese decomposed ("E" + two accents for "Ệ"), which would
    never equal the stored id it looks the same as.
    """

    name = "text"

    def convert(
        self,
        value: object,
        param: click.Parameter | None,  # noqa: ARG002 - click's signature
        ctx: click.Context | None,  # noqa: ARG002
    ) -> str:
        return unicodedata.normalize("NFC", value if isinstance(value, str) else str(value))


TEXT = NfcText()


def lang_option(function: F) -> F:
    return click.option(
        "--lang",
        type=click.Choice(LANGS),
        default=default_lang,
        show_default="$DHTI_LANG, else the locale ($LC_ALL, $LC_MESSAGES, $LANG), else vi",
        help="Language of messages, questionnaire texts, labels and number formats.",
    )(function)


def questionnaire_option(function: F) -> F:
    return click.option(
        "--questionnaire",
        "questionnaire_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Check against this questionnaire file instead of the one the response names.",
    )(function)


def lenient_option(function: F) -> F:
    return click.option(
        "--lenient", is_flag=True, help="Score unanswered required questions as 0 instead of refusing the file."
    )(function)


def format_option(*choices: str) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True)(
            function
        )

    return decorate


def db_option(function: F) -> F:
    return click.option(
        "--db",
        metavar="PATH|URL",
        envvar="DHTI_DB",
        show_envvar=True,
        help="The store: an SQLite file, or postgresql://USER:PASSWORD@HOST/DB. "
        "Default: dhti.sqlite in your user-data folder.",
    )(function)


def filter_options(function: F) -> F:
    day = click.DateTime(formats=["%Y-%m-%d"])
    options = [
        click.option("--province", type=TEXT, help="Only this province (accents and case do not matter)."),
        click.option("--type", "entity_type", type=TEXT, metavar="TYPE", help="Only this entity type, e.g. hospital."),
        click.option("--questionnaire", type=TEXT, metavar="ID[@VERSION]", help="Only this questionnaire."),
        click.option("--since", type=day, metavar="YYYY-MM-DD", help="Only assessments on or after this date."),
        click.option("--until", type=day, metavar="YYYY-MM-DD", help="Only assessments on or before this date."),
        click.option("--entity", "entity_id", type=TEXT, metavar="ENTITY_ID", help="Only this entity."),
        click.option("--latest", is_flag=True, help="Only each entity's newest assessment."),
    ]
    for option in reversed(options):
        function = option(function)
    return function
