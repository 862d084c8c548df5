"""The store commands: ``db ingest|list|export``, ``history``, ``compare`` and ``batch``.

Registered on the ``dhti`` group at the end of :mod:`dhti.cli`, which turns every DhtiError into
exit code 1. The store, SQLAlchemy and the report libraries are imported inside the commands,
so the other commands start without them.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dhti.cli.options import (
    TEXT,
    db_option,
    filter_options,
    format_option,
    issuer_option,
    lang_option,
    lenient_option,
    questionnaire_option,
    report_date_option,
    say,
    uncertainty_options,
)
from dhti.cli.options import load_registry as _registry
from dhti.errors import first_problems
from dhti.i18n import count, texts

if TYPE_CHECKING:
    from dhti.jobs.ingest import Progress
    from dhti.outcomes import FileResult
    from dhti.registry import Registry
    from dhti.store import AssessmentFilter, Store, StoredAssessment
    from dhti.uncertainty import Settings as UncertaintySettings

FORMATS = ("table", "json", "csv")


def _progress(lang: str) -> Progress:
    """Progress bars on stderr (a single line of text when stderr is not a terminal), labelled in ``lang``."""

    @contextmanager
    def show(label: str, total: int) -> Iterator[Callable[[int], object]]:
        if total == 0:
            yield lambda _steps: None
            return
        with click.progressbar(length=total, label=texts(lang)(label), file=sys.stderr) as bar:
            yield bar.update

    return show


def _emit(fmt: str, *, table: Callable[[], str], json: Callable[[], object], csv: Callable[[], str]) -> None:
    from dhti.safetext import to_json  # noqa: PLC0415

    if fmt == "json":
        click.echo(to_json(json()))
    elif fmt == "csv":
        click.echo(csv(), nl=False)
    else:
        say(table())


def _titles(registry: Registry, refs: Sequence[str], lang: str) -> dict[str, str]:
    """Domain and indicator titles of the questionnaires these assessments answered, where known."""
    from dhti.errors import DhtiError  # noqa: PLC0415
    from dhti.questionnaire import pick  # noqa: PLC0415

    titles: dict[str, str] = {}
    for ref in dict.fromkeys(refs):
        try:
            questionnaire = registry.get(ref)
        except DhtiError:
            continue  # a questionnaire no longer installed: its ids stand in for titles
        for domain in questionnaire.domains:
            titles.setdefault(domain.id, pick(domain.title, lang))
            for indicator in domain.indicators:
                titles.setdefault(indicator.id, pick(indicator.title, lang))
    return titles


def _report_results(results: Sequence[FileResult], fmt: str, lang: str, *, reports: bool) -> None:
    from dhti.views.store import result_json, results_csv, results_table  # noqa: PLC0415

    for result in results:
        for problem in first_problems(result.problems):
            say(problem.render(lang), err=True)
    _emit(
        fmt,
        table=lambda: results_table(results, lang=lang, reports=reports),
        json=lambda: [result_json(result, lang=lang) for result in results],
        csv=lambda: results_csv(results),
    )


@click.group()
def db() -> None:
    """Keep every assessment: store responses, list them, export them for analysis.

    The store is an SQLite file in your user-data folder unless --db or DHTI_DB names another
    file or a PostgreSQL server (postgresql://USER:PASSWORD@HOST/DB) shared by several assessors.
    """


@db.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="FILE|DIR...")
@db_option
@questionnaire_option
@lenient_option
@format_option(*FORMATS)
@lang_option
def ingest(
    paths: Sequence[Path], db: str | None, questionnaire_path: Path | None, lenient: bool, fmt: str, lang: str
) -> None:
    """Validate, score and store responses (files, or folders of *.yaml files).

    Each valid file is stored whole, in one transaction, with its bytes as submitted; a file
    stored before (the same bytes) is not stored again. Invalid files are listed with their
    errors and skipped; so is a file whose scoring or storing fails (marked failed, with the
    reason), and the others are stored all the same. The command then exits 1.
    """
    from dhti.jobs.ingest import ingest_files  # noqa: PLC0415
    from dhti.outcomes import Status  # noqa: PLC0415
    from dhti.registry import response_files  # noqa: PLC0415
    from dhti.store import open_store  # noqa: PLC0415
    from dhti.views.store import summary  # noqa: PLC0415

    _ = texts(lang)
    files = response_files(paths)
    registry = _registry(questionnaire_path, lang=lang)
    with open_store(db) as store:
        results = ingest_files(store, files, registry=registry, lenient=lenient, progress=_progress(lang))
        where = store.display
    _report_results(results, fmt, lang, reports=False)
    say(
        _("%(summary)s; store: %(store)s") % {"summary": summary(results, lang=lang), "store": where},
        err=True,
    )
    if any(result.status in (Status.INVALID, Status.FAILED) for result in results):
        sys.exit(1)


def _select(store: Store, where: AssessmentFilter, latest: bool) -> list[StoredAssessment]:
    if not latest:
        return store.select(where)
    newest = store.latest_per_entity(
        entity_type=where.entity_type, questionnaire=where.questionnaire, province=where.province, until=where.until
    )
    return [a for a in newest if where.since is None or a.record.assessment_date >= where.since]


def _filter(
    province: str | None,
    entity_type: str | None,
    questionnaire: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    entity_id: str | None,
) -> AssessmentFilter:
    from dhti.store import AssessmentFilter  # noqa: PLC0415

    return AssessmentFilter(
        province=province,
        entity_type=entity_type,
        questionnaire=questionnaire,
        since=since.date() if since else None,
        until=until.date() if until else None,
        entity_id=entity_id,
    )


@db.command("list")
@filter_options()
@db_option
@format_option(*FORMATS)
@lang_option
def list_(
    province: str | None,
    entity_type: str | None,
    questionnaire: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    entity_id: str | None,
    latest: bool,
    db: str | None,
    fmt: str,
    lang: str,
) -> None:
    """List stored assessments: id, date, entity, questionnaire, index and stage.

    Filters combine: --province "Hà Nội" --type hospital --since 2026-01-01. --format json
    gives every domain and indicator score; --format csv a row per assessment.
    """
    from dhti.store import open_store  # noqa: PLC0415
    from dhti.views.store import assessment_json, list_table, wide, wide_csv  # noqa: PLC0415

    where = _filter(province, entity_type, questionnaire, since, until, entity_id)
    with open_store(db, create=False) as store:
        found = _select(store, where, latest)
        total, display = store.count(), store.display
    _emit(
        fmt,
        table=lambda: list_table(found, lang=lang),
        json=lambda: [assessment_json(a) for a in found],
        csv=lambda: wide_csv(wide(found)),
    )
    figures = {"shown": count(len(found), lang), "total": count(total, lang), "store": display}
    _ = texts(lang)
    say(_("%(shown)s of %(total)s assessment(s) in %(store)s") % figures, err=True)


list_.name = "list"


EXPORT_FORMATS = ("csv", "xlsx", "json")


@db.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    help="Default: from OUTPUT's suffix (.csv, .xlsx, .json), else csv.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default, or -: stdout).",
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@filter_options()
@db_option
@lang_option
def export(
    fmt: str | None,
    output: Path | None,
    force: bool,
    province: str | None,
    entity_type: str | None,
    questionnaire: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    entity_id: str | None,
    latest: bool,
    db: str | None,
    lang: str,
) -> None:
    """Export assessments for analysts: one row per assessment, a column per domain and indicator.

    Columns: assessment_id, entity_id, entity_name, entity_type, province, questionnaire,
    version, date, index, stage, completeness, domain:ID..., indicator:ID..., recommendations,
    content_hash, source_file, ingested_at. Scores are 0..100 at full precision. xlsx needs -o.
    """
    import io  # noqa: PLC0415

    from dhti.outfiles import write_atomic  # noqa: PLC0415
    from dhti.safetext import to_json  # noqa: PLC0415
    from dhti.store import open_store  # noqa: PLC0415
    from dhti.views.store import wide, wide_csv, wide_json, write_xlsx  # noqa: PLC0415

    _ = texts(lang)
    fmt = _export_format(fmt, output, lang)
    if fmt == "xlsx" and (output is None or str(output) == "-"):
        raise click.UsageError(_("--format xlsx writes a binary file: give -o FILE.xlsx"))
    where = _filter(province, entity_type, questionnaire, since, until, entity_id)
    with open_store(db, create=False) as store:
        data = wide(_select(store, where, latest))
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(data, buffer)
        content: str | bytes = buffer.getvalue()
    else:
        content = to_json(wide_json(data)) + "\n" if fmt == "json" else wide_csv(data)
    if output is None or str(output) == "-":
        click.echo(content, nl=False)
        return
    write_atomic(output, content, force=force)
    say(
        _("wrote %(count)s assessment(s) to %(file)s") % {"count": count(len(data.rows), lang), "file": output},
        err=True,
    )


def _export_format(fmt: str | None, output: Path | None, lang: str) -> str:
    """The format asked for, else the one OUTPUT's suffix names; the two must not disagree."""
    named = output.suffix.lower().lstrip(".") if output is not None else ""
    if named not in EXPORT_FORMATS:
        return fmt or "csv"
    if fmt is not None and fmt != named:
        assert output is not None  # noqa: S101 - a suffix was named
        _ = texts(lang)
        msg = _("--format %(format)s contradicts the suffix of %(file)r; rename it or drop --format")
        raise click.UsageError(msg % {"format": fmt, "file": output.name})
    return named


@click.command("history")
@click.argument("entity_id", type=TEXT)
@db_option
@format_option(*FORMATS)
@lang_option
def history(entity_id: str, db: str | None, fmt: str, lang: str) -> None:
    """Show an entity's assessments over time, oldest first, with the change since the one before.

    Each row gives the index, stage, completeness and every domain's score; changes compare
    an assessment with the previous one of the same questionnaire.
    """
    from dhti.errors import DhtiError  # noqa: PLC0415
    from dhti.store import open_store, unknown_entity  # noqa: PLC0415
    from dhti.views.store import history_csv, history_json, history_steps, history_table  # noqa: PLC0415

    with open_store(db, create=False) as store:
        found = store.history(entity_id)
        if not found:
            raise DhtiError(unknown_entity(store, entity_id))
    steps = history_steps(found)
    titles = _titles(_registry(lang=lang), [a.record.questionnaire_ref for a in found], lang) if fmt == "table" else {}
    _emit(
        fmt,
        table=lambda: history_table(steps, lang=lang, titles=titles),
        json=lambda: history_json(steps),
        csv=lambda: history_csv(steps),
    )


@click.command("compare")
@click.argument("first", metavar="A", type=TEXT)
@click.argument("second", metavar="B", type=TEXT)
@db_option
@format_option(*FORMATS)
@lang_option
def compare(first: str, second: str, db: str | None, fmt: str, lang: str) -> None:
    """Compare two assessments side by side: index, stage, every domain and indicator, and B - A.

    A and B are entity ids (each entity's newest assessment) or assessment ids as #N (see
    dhti db list); a bare number is an assessment id unless an entity has that id. Scores of
    two different questionnaires are shown without a difference, with a warning.
    """
    from dhti.store import find_assessment, open_store  # noqa: PLC0415
    from dhti.views.store import compare_csv, compare_json, compare_table, incomparable_note  # noqa: PLC0415

    with open_store(db, create=False) as store:
        a, b = find_assessment(store, first), find_assessment(store, second)
    note = incomparable_note(a, b, lang=lang)
    if note is not None:
        say(f"warning: {note}", err=True)
    titles = _titles(_registry(lang=lang), [a.record.questionnaire_ref, b.record.questionnaire_ref], lang)
    _emit(
        fmt,
        table=lambda: compare_table(a, b, lang=lang, titles=titles),
        json=lambda: compare_json(a, b, titles=titles),
        csv=lambda: compare_csv(a, b, titles=titles),
    )


@click.command("batch")
@click.argument("source", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the reports."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes, at most twice the CPUs and never more than 32.  [default: the number of CPUs]",
)
@click.option("--pdf", is_flag=True, help="Write a PDF report too, beside each HTML report.")
@db_option
@questionnaire_option
@lenient_option
@format_option(*FORMATS)
@lang_option
def batch(
    source: Path,
    output: Path,
    jobs: int | None,
    pdf: bool,
    db: str | None,
    questionnaire_path: Path | None,
    lenient: bool,
    fmt: str,
    lang: str,
) -> None:
    """Validate, score, store and report on every response in DIR, in parallel.

    Writes an HTML report (and a PDF with --pdf) per stored assessment into OUTPUT, named
    after the entity id and assessment date (01-bv-0001-2026-10-15.html). Run it again after
    an interruption, or after adding files: what is stored and reported already is skipped.
    Reports already in OUTPUT are never replaced. Invalid files, and files whose scoring or
    storing fails, or that kill their worker process, are listed with their errors; the others
    are stored and reported all the same, and the command exits 1.
    """
    from concurrent.futures.process import BrokenProcessPool  # noqa: PLC0415

    from dhti.jobs.batch import BatchError, BatchOptions, run_batch  # noqa: PLC0415
    from dhti.outcomes import Status  # noqa: PLC0415
    from dhti.store import open_store  # noqa: PLC0415
    from dhti.views.store import summary  # noqa: PLC0415

    _ = texts(lang)
    _registry(questionnaire_path, lang=lang)  # a broken --questionnaire is reported here, not in every worker
    options = BatchOptions(_jobs(jobs, lang), pdf, lang, lenient, questionnaire_path)
    with open_store(db) as store:
        try:
            results = run_batch(source, output, store=store, options=options, progress=_progress(lang))
        except BrokenProcessPool as err:  # only a fresh pool that breaks before its first task
            msg = _("a worker process died (out of memory?); run the same command again to finish the batch")
            raise BatchError(msg) from err
        where = store.display
    _report_results(results, fmt, lang, reports=True)
    where_to = {"summary": summary(results, lang=lang), "store": where, "reports": output}
    say(_("%(summary)s; store: %(store)s; reports: %(reports)s") % where_to, err=True)
    if any(result.status is Status.INVALID or result.errors for result in results):
        sys.exit(1)


def _jobs(requested: int | None, lang: str) -> int:
    """``--jobs`` as run: a warning when it asks for more workers than the machine can use."""
    from dhti.jobs.batch import MAX_JOBS, capped_jobs, default_jobs  # noqa: PLC0415

    jobs = capped_jobs(requested or default_jobs())
    if requested is not None and requested > jobs:
        _ = texts(lang)
        message = _("--jobs %(requested)s lowered to %(jobs)s (at most twice the CPUs, and %(most)s)")
        say("warning: " + message % {"requested": requested, "jobs": jobs, "most": MAX_JOBS}, err=True)
    return jobs


@click.command("aggregate")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Report to write.")
@click.option("--by", "group_by", type=click.Choice(["province", "entity_type"]), hidden=True)
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), help="Default: from OUTPUT's suffix.")
@filter_options("province", "entity_type", "questionnaire", "until")
@issuer_option("Default: dhti and the store's name.")
@click.option("--pdfa/--no-pdfa", default=True, show_default=True, help="Write PDF/A-3b, for archiving.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@db_option
@lang_option
@report_date_option
@uncertainty_options
def aggregate(
    output: Path,
    group_by: str | None,
    fmt: str | None,
    province: str | None,
    entity_type: str | None,
    questionnaire: str | None,
    until: dt.datetime | None,
    issuer: str | None,
    pdfa: bool,
    force: bool,
    db: str | None,
    lang: str,
    report_date: dt.date,
    uncertainty: UncertaintySettings | None,
) -> None:
    """Write the portfolio report of the store: whom to support, and with what.

    Each entity counts once, with its latest assessment, compared with the one before it.
    Units are compared only with their own kind: one section per entity type (and
    questionnaire), each with its distribution, heat map of domains by province, league
    table, units to support first, common actions, compliance and bright spots; the first
    pages list the units to support first across all sections. --until gives the picture as
    of that date. --uncertainty adds each unit's rank interval among its peers over Monte Carlo
    recalculations, and the choice that moves each table's ranks most. An existing OUTPUT is
    replaced only with --force.
    """
    from dhti.jobs.aggregate import Scope, write_portfolio  # noqa: PLC0415
    from dhti.outfiles import check_target  # noqa: PLC0415
    from dhti.report.render import ReportError, format_for  # noqa: PLC0415
    from dhti.store import open_store  # noqa: PLC0415

    _ = texts(lang)
    if group_by is not None:
        say("warning: " + _("--by is no longer needed: each entity type has its own heat map by province"), err=True)
    try:
        kind = format_for(output, fmt)
    except ReportError as err:
        raise click.UsageError(str(err)) from err
    check_target(output, force=force)
    scope = Scope(province, entity_type, questionnaire, until.date() if until else None)
    with open_store(db, create=False) as store:
        entities = write_portfolio(
            store,
            output,
            registry=_registry(lang=lang),
            fmt=kind,
            lang=lang,
            scope=scope,
            report_date=report_date,
            issuer=issuer,
            pdfa=pdfa,
            force=force,
            uncertainty=uncertainty,
        )
    wrote = _("wrote %(file)s (1 entity)") if entities == 1 else _("wrote %(file)s (%(count)s entities)")
    say(wrote % {"file": output, "count": count(entities, lang)}, err=True)
