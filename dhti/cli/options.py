"""Options and helpers shared by every ``dhti`` command module."""

from __future__ import annotations

import datetime as dt
import functools
import os
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from dhti.i18n import LANGS, language_from_environment, texts
from dhti.safetext import visible_lines

if TYPE_CHECKING:
    from dhti.registry import Registry
    from dhti.uncertainty import Settings

F = TypeVar("F", bound=Callable[..., Any])
_LANG_KEY = "dhti.lang"  # in click's meta, which a command's context shares with the group's


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
    chosen = lang or current_lang()
    text = texts(chosen)("dhti: skipping a questionnaire: %(reason)s")
    for skipped in registry.skipped:
        say(text % {"reason": skipped.render(chosen)}, err=True)
    return registry


def current_lang() -> str:
    """The running command's ``--lang``, else the default: the language its messages are shown in."""
    ctx = click.get_current_context(silent=True)
    chosen = ctx.meta.get(_LANG_KEY) if ctx is not None else None
    return chosen if chosen in LANGS else default_lang()


def _remember_lang(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    ctx.meta[_LANG_KEY] = value
    return value


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
        callback=_remember_lang,
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
        "--lenient",
        is_flag=True,
        help="Accept unanswered required questions: a warning each instead of an error, and 0 points.",
    )(function)


def show_points_option(function: F) -> F:
    # Forms hide how many points each option earns: a respondent who sees it is invited to answer for the score.
    return click.option("--show-points", is_flag=True, help="Show the points each option earns (hidden by default).")(
        function
    )


def format_option(*choices: str) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True)(
            function
        )

    return decorate


def _report_date(_ctx: click.Context, _param: click.Parameter, value: Any) -> dt.date:  # noqa: ANN401 - click's datetime
    return value.date() if value is not None else dt.date.today()  # noqa: DTZ011 - the reader's calendar day


def report_date_option(function: F) -> F:
    """``--report-date``: the day a report is issued, against which deadlines are overdue (default today)."""
    return click.option(
        "--report-date",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        metavar="YYYY-MM-DD",
        callback=_report_date,
        help="The day the report is issued, printed on its cover; actions and legal deadlines "
        "before it are marked overdue. Default: today.",
    )(function)


def issuer_option(default: str) -> Callable[[F], F]:
    """``--issuer``: the body issuing a report, named on its cover; ``default`` says who it is without it."""
    return click.option("--issuer", type=TEXT, metavar="TEXT", help=f"The issuing body named on the cover. {default}")


def db_option(function: F) -> F:
    return click.option(
        "--db",
        metavar="PATH|URL",
        envvar="DHTI_DB",
        show_envvar=True,
        help="The store: an SQLite file, or postgresql://USER:PASSWORD@HOST/DB. "
        "Default: dhti.sqlite in your user-data folder.",
    )(function)


def _province(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """One of the 34 units by its name, however it is written or by a unit merged into it; else as typed."""
    if value is None:
        return None
    from dhti.provinces import recorded  # noqa: PLC0415 - keeps --help fast

    return recorded(value)


_DAY = click.DateTime(formats=["%Y-%m-%d"])
_Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
_FILTERS: dict[str, _Decorator] = {
    "province": click.option(
        "--province",
        type=TEXT,
        callback=_province,
        help="Only this province or city; accents and case do not matter, and a former province"
        " (Bình Định) means the one it was merged into (Gia Lai).",
    ),
    "entity_type": click.option(
        "--type", "entity_type", type=TEXT, metavar="TYPE", help="Only this entity type, e.g. hospital."
    ),
    "questionnaire": click.option(
        "--questionnaire", type=TEXT, metavar="ID[@VERSION]", help="Only this questionnaire."
    ),
    "since": click.option("--since", type=_DAY, metavar="YYYY-MM-DD", help="Only assessments on or after this date."),
    "until": click.option("--until", type=_DAY, metavar="YYYY-MM-DD", help="Only assessments on or before this date."),
    "entity_id": click.option("--entity", "entity_id", type=TEXT, metavar="ENTITY_ID", help="Only this entity."),
    "latest": click.option("--latest", is_flag=True, help="Only each entity's newest assessment."),
}


def filter_options(*names: str) -> Callable[[F], F]:
    """The store's filters (every one, or those ``names`` picks), declared here once for every command."""

    def decorate(function: F) -> F:
        for name in reversed(names or tuple(_FILTERS)):
            function = cast("F", _FILTERS[name](function))
        return function

    return decorate


_UNCERTAINTY = (
    click.option(
        "--uncertainty",
        is_flag=True,
        help="Also say how sure the index, its stage (and, in the portfolio, each rank) are: a Monte Carlo"
        " over the weights, the aggregation and, with --lenient, the unanswered questions.",
    ),
    click.option(
        "--draws",
        type=click.IntRange(min=1),
        metavar="N",
        help="Monte Carlo draws for --uncertainty.  [default: 1000]",
    ),
    click.option(
        "--seed", type=int, metavar="S", help="Seed of the draws: the same seed gives the same figures.  [default: 0]"
    ),
    click.option(
        "--spread",
        type=click.FloatRange(0, 1, max_open=True),
        metavar="R",
        help="Every weight is multiplied by a factor drawn uniformly in [1 - R, 1 + R], 0 <= R < 1.  [default: 0.25]",
    ),
    click.option(
        "--aggregation",
        type=click.Choice(["both", "arithmetic", "geometric"]),
        help="How the draws aggregate the domains; both: each draw picks one, even odds.  [default: both]",
    ),
)


def uncertainty_options(function: F) -> F:
    """``--uncertainty [--draws N] [--seed S] [--spread R] [--aggregation ...]``, given to the command as one value.

    The command receives ``uncertainty``: the :class:`dhti.uncertainty.Settings`, or ``None``
    without the flag; with the command's ``--lenient``, unanswered questions are drawn too.
    """

    @functools.wraps(function)
    def command(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - any command's parameters and result
        wanted = kwargs.pop("uncertainty")
        chosen = {name: kwargs.pop(name) for name in ("draws", "seed", "spread", "aggregation")}
        given = [name for name, value in chosen.items() if value is not None]
        if given and not wanted:
            _ = texts(current_lang())
            raise click.UsageError(_("--%(option)s needs --uncertainty") % {"option": given[0]})
        kwargs["uncertainty"] = _settings(chosen, lenient=bool(kwargs.get("lenient"))) if wanted else None
        return function(*args, **kwargs)

    for option in reversed(_UNCERTAINTY):
        command = option(command)
    return cast("F", command)


def _settings(chosen: dict[str, Any], *, lenient: bool) -> Settings:
    from dhti.uncertainty import Mix, Settings  # noqa: PLC0415 - numpy only when asked for

    given = {name: value for name, value in chosen.items() if value is not None}
    if "aggregation" in given:
        given["aggregation"] = Mix(given["aggregation"])
    return Settings(**given, lenient=lenient)
