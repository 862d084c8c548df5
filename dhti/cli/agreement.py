"""``dhti review stats``: how far the self-assessments held when they were verified.

A command of the ``review`` group (added to it at the end of :mod:`dhti.cli.review`). The store,
numpy and scipy are imported inside the command, so the other commands start without them.
"""

from __future__ import annotations

import datetime as dt

import click

from dhti.cli.options import db_option, filter_options, format_option, lang_option, say
from dhti.cli.options import load_registry as _registry

DEFAULT_MOST_CORRECTED = 10


@click.command("stats")
@filter_options("province", "entity_type", "questionnaire", "until")
@click.option(
    "--most-corrected",
    type=click.IntRange(0, 1000),
    default=DEFAULT_MOST_CORRECTED,
    show_default=True,
    help="How many of the most often corrected questions to list.",
)
@format_option("text", "json", "csv")
@db_option
@lang_option
def stats(
    province: str | None,
    entity_type: str | None,
    questionnaire: str | None,
    until: dt.datetime | None,
    most_corrected: int,
    fmt: str,
    db: str | None,
    lang: str,
) -> None:
    """Agreement between self-assessment and verification, over the latest review of each reviewed unit.

    Per domain (and over all answers, and per indicator and question in JSON and CSV): the
    share of the answers the reviewers confirmed, Cohen's weighted kappa between self-assessed
    and verified answers (linear and quadratic weights, on each question's ordinal options),
    the mean self-assessed minus verified score in index points, and the questions most often
    corrected with the direction of the corrections. The filters are those of aggregate.
    """
    from dhti.jobs.agreement import review_figures  # noqa: PLC0415
    from dhti.safetext import to_json  # noqa: PLC0415
    from dhti.store import AssessmentFilter, open_store  # noqa: PLC0415
    from dhti.views.agreement import stats_csv, stats_json, stats_table, titles_of  # noqa: PLC0415

    registry = _registry(lang=lang)
    where = AssessmentFilter(province, entity_type, questionnaire, None, until.date() if until else None)
    with open_store(db, create=False) as store:
        figures = review_figures(store, where, registry=registry, lang=lang, most_corrected=most_corrected)
    if fmt == "json":
        click.echo(to_json(stats_json(figures)))
    elif fmt == "csv":
        click.echo(stats_csv(figures), nl=False)
    else:
        say(stats_table(figures, titles_of(figures, registry, lang=lang), lang=lang))
