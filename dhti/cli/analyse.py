"""``dhti analyse``: what a cohort of assessments says about its questionnaire, for the people who own it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from dhti.cli.options import db_option, filter_options, lang_option, load_registry, report_date_option, say
from dhti.i18n import count, texts


@click.command("analyse")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Report to write.")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "json"]), help="Default: from OUTPUT's suffix.")
@filter_options("province", "entity_type", "questionnaire", "since", "until")
@click.option("--pdfa/--no-pdfa", default=True, show_default=True, help="Write PDF/A-3b, for archiving.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@db_option
@lang_option
@report_date_option
def analyse(
    output: Path,
    fmt: str | None,
    province: str | None,
    entity_type: str | None,
    questionnaire: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    pdfa: bool,
    force: bool,
    db: str | None,
    lang: str,
    report_date: dt.date,
) -> None:
    """Analyse the questionnaire on its stored assessments: reliability, correlations, ceilings, spread.

    Reads the latest assessment of each entity (of one questionnaire: name it with
    --questionnaire ID[@VERSION] when the store holds several), scores each stored response
    again, and writes Cronbach's alpha per domain and indicator with item-rest correlations,
    the correlations between indicators (pairs above 0.9 and below 0 named), each question's
    ceiling, floor, not-applicable and skip rates, and the spread of every domain. Fewer than
    30 assessments are analysed with a warning; fewer than 3 are refused.
    """
    from dhti.analysis import STABLE_N  # noqa: PLC0415 - numpy only when a cohort is analysed
    from dhti.jobs.aggregate import Scope  # noqa: PLC0415
    from dhti.jobs.analyse import analysis_format, write_analysis  # noqa: PLC0415
    from dhti.outfiles import check_target  # noqa: PLC0415
    from dhti.store import open_store  # noqa: PLC0415

    _ = texts(lang)
    kind = analysis_format(output, fmt)
    check_target(output, force=force)
    scope = Scope(
        province,
        entity_type,
        questionnaire,
        until=until.date() if until else None,
        since=since.date() if since else None,
    )
    with open_store(db, create=False) as store:
        analysis = write_analysis(
            store,
            output,
            registry=load_registry(lang=lang),
            fmt=kind,
            lang=lang,
            scope=scope,
            report_date=report_date,
            pdfa=pdfa,
            force=force,
        )
    if not analysis.stable:
        warning = _("only %(count)s assessments: the figures are unstable (fewer than %(enough)s)")
        say("warning: " + warning % {"count": count(analysis.n, lang), "enough": count(STABLE_N, lang)}, err=True)
    say(_("wrote %(file)s (%(count)s assessments)") % {"file": output, "count": count(analysis.n, lang)}, err=True)
