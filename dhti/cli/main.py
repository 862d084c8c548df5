"""The ``dhti`` command line: parse options, call one library function, print."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dhti import __version__
from dhti.cli.options import (
    TEXT,
    current_lang,
    issuer_option,
    lang_option,
    lenient_option,
    questionnaire_option,
    report_date_option,
    say,
    show_points_option,
    uncertainty_options,
)
from dhti.cli.options import load_registry as _registry
from dhti.errors import DhtiError, InputError, first_problems
from dhti.i18n import count, texts
from dhti.safetext import json_escape_errors, visible_lines

if TYPE_CHECKING:
    from dhti.uncertainty import Settings as UncertaintySettings
    from dhti.views.scores import Figures


class DhtiGroup(click.Group):
    """Turns every :class:`DhtiError` into a message on stderr and exit code 1."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - click's own signature
        for stream in (sys.stdout, sys.stderr):
            writable_for_any_text(stream, windows=sys.platform == "win32")
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:  # noqa: ANN401 - click's own signature
        try:
            return super().invoke(ctx)
        except InputError as err:
            for problem in first_problems(err.problems):
                say(problem.render(current_lang()), err=True)
            ctx.exit(1)
        except DhtiError as err:
            say(f"dhti: error: {err.render(current_lang())}", err=True)
            ctx.exit(1)


def writable_for_any_text(stream: object, *, windows: bool) -> None:
    """Let ``stream`` take any text: a character its encoding lacks is written as ``\\u1ec7``, not a crash.

    Windows writes a redirected stdout in the ANSI code page (cp1252, cp1258), which lacks most
    Vietnamese letters; there a file or pipe gets UTF-8 instead, unless PYTHONIOENCODING chose.
    """
    if not isinstance(stream, io.TextIOWrapper):
        return
    if windows and not stream.isatty() and not os.environ.get("PYTHONIOENCODING"):
        stream.reconfigure(encoding="utf-8", errors=json_escape_errors())
    elif stream.errors == "strict":
        stream.reconfigure(errors=json_escape_errors())


class _VisibleFormatter(logging.Formatter):
    """Log lines quote questionnaire files' text too: show its control characters, as :func:`say` does."""

    def format(self, record: logging.LogRecord) -> str:
        return visible_lines(super().format(record))


@click.group(cls=DhtiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dhti")
@click.option("-v", "--verbose", is_flag=True, help="Print diagnostics to stderr.")
def main(verbose: bool) -> None:
    """dhti: the Digital Health Transformation Index.

    Hand out a questionnaire (init), check what comes back (validate), score it (score).

    \b
      dhti questionnaires list
      dhti init dhti-facility -o benh-vien.yaml --lang vi
      dhti validate benh-vien.yaml
      dhti score benh-vien.yaml --format json

    Extra questionnaire folders may be named in DHTI_QUESTIONNAIRES (separated by ':').
    """
    handler = logging.StreamHandler()
    handler.setFormatter(_VisibleFormatter("dhti: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])
    # WeasyPrint reports every CSS rule it skips; those are for developers, not for readers.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.ERROR)


@main.command("demo")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dhti-demo"),
    show_default=True,
    help="Folder for the results.",
)
@lang_option
@click.option(
    "--db",
    metavar="PATH|URL",
    help="Store the samples here (default: OUTPUT/dhti-demo.sqlite, apart from your own store).",
)
@report_date_option
def demo(output: Path, lang: str, db: str | None, report_date: dt.date) -> None:
    """Run dhti on the bundled sample responses: validate, score, store, write reports.

    Needs no input: it stores the samples beside a simulated campaign (two provinces, every
    entity type, two rounds a year apart, and an earlier round of each sample; written to
    OUTPUT/simulated/ and marked as not real data), so that every report shows its peers and
    its trend. For every sample it writes an HTML and a PDF report into OUTPUT (saying how sure
    its figures are, as --uncertainty does, seed 2026), then the
    portfolio report of the store (portfolio.html, portfolio.pdf), scores.json and
    scores.csv of the samples, and prints a summary. It is what `make demo` runs. OUTPUT is the demo's own
    folder: running the demo again replaces the files it wrote there, and only those.
    """
    from dhti.jobs.demo import run_demo, sample_files  # noqa: PLC0415
    from dhti.views.scores import score_table  # noqa: PLC0415

    _ = texts(lang)
    registry = _registry(lang=lang)
    files = sample_files()
    label = _("Scoring the samples and writing their reports")
    with click.progressbar(length=len(files), label=label, file=sys.stderr) as bar:
        result = run_demo(
            output,
            registry=registry,
            lang=lang,
            db=db,
            files=files,
            report_date=report_date,
            progress=lambda _path: bar.update(1),
        )
    say(score_table(list(result.outcomes), lang=lang))
    for outcome in result.outcomes:
        for problem in first_problems(outcome.validation.problems):
            say(problem.render(lang), err=True)
    say("", err=True)
    facts = {"count": count(result.simulated, lang), "folder": output / "simulated"}
    stored = _("stored %(count)s simulated assessments beside the samples (%(folder)s/: not real data)")
    say(stored % facts, err=True)
    say(
        _("wrote %(count)s files into %(folder)s/:") % {"count": count(len(result.written), lang), "folder": output},
        err=True,
    )
    for path in result.written:
        say(f"  {path}", err=True)
    if not all(outcome.valid for outcome in result.outcomes):
        sys.exit(1)


@main.command("simulate")
@click.option(
    "-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for the files."
)
@click.option(
    "--province",
    "province_names",
    type=TEXT,
    multiple=True,
    metavar="NAME",
    help="A province or city to simulate (repeat for more; default: Cao Bằng and Cần Thơ). A former"
    " province (Bình Định) means the one it was merged into (Gia Lai).",
)
@click.option(
    "--entities",
    type=click.IntRange(1, 10_000),
    metavar="N",
    default=4,
    show_default=True,
    help="Units of each facility type (hospital, health_centre, commune_health_station, clinic) per province.",
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 20),
    metavar="R",
    default=2,
    show_default=True,
    help="Assessments of each entity, a year apart.",
)
@click.option(
    "--seed", type=int, metavar="S", default=0, show_default=True, help="The same seed and options give the same files."
)
@click.option(
    "--date",
    "start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2025-10-15",
    show_default=True,
    metavar="YYYY-MM-DD",
    help="Date of the first round's assessments.",
)
@click.option(
    "--questionnaire",
    "refs",
    type=TEXT,
    multiple=True,
    metavar="ID[@VERSION]",
    help="Only this questionnaire (repeat for more; default: the newest version of each bundled one).",
)
@click.option("--force", is_flag=True, help="Overwrite files a former run wrote.")
@lang_option
def simulate(
    output: Path,
    province_names: tuple[str, ...],
    entities: int,
    rounds: int,
    seed: int,
    start: Any,  # noqa: ANN401 - click gives a datetime
    refs: tuple[str, ...],
    force: bool,
    lang: str,
) -> None:
    """Write a synthetic campaign of response files, to try reports, peers and trends.

    In each province: ENTITIES units of every facility type, and its Department of Health;
    once for the campaign, the Ministry of Health. Each is assessed ROUNDS times, a year apart,
    and improves a little each year. Answers are drawn from a seeded model of maturity per
    entity and domain, respect the questionnaire's skip logic and give the evidence it
    requires, so every file validates. Every file and entity is marked as simulated
    (ids SIM-..., names "(mô phỏng)"): they are not real data.

    \b
      dhti simulate -o sim
      dhti simulate -o sim --province "Gia Lai" --entities 6 --rounds 3 --seed 7
      dhti db ingest sim --db sim.sqlite

    Files go to OUTPUT/PROVINCE/ENTITY-rROUND.yaml; existing ones are replaced only with --force.
    What was written is counted on stderr.
    """
    from dhti.jobs.simulate import write_campaign  # noqa: PLC0415
    from dhti.simulate import (  # noqa: PLC0415
        DEFAULT_PROVINCES,
        Plan,
        SimulateError,
        file_count,
        newest_bundled,
        resolve_provinces,
    )

    _ = texts(lang)
    try:
        units, notes = resolve_provinces(province_names or DEFAULT_PROVINCES)
    except SimulateError as err:
        raise click.BadParameter(err.render(lang), param_hint="'--province'") from err
    for note in notes:
        say(f"dhti: {note.render(lang)}", err=True)
    registry = _registry(lang=lang)
    plan = Plan(
        newest_bundled(registry, refs),
        provinces=units,
        entities=entities,
        rounds=rounds,
        seed=seed,
        start=start.date(),
    )
    total = file_count(plan)
    label = _("Simulating the campaign")
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        result = write_campaign(plan, output, force=force, progress=lambda _file: bar.update(1))
    for ref, written in result.per_questionnaire.items():
        say(_("%(questionnaire)s: %(count)s file(s)") % {"count": count(written, lang), "questionnaire": ref}, err=True)
    facts = {"count": count(len(result.written), lang), "folder": output}
    say(_("wrote %(count)s simulated files into %(folder)s/") % facts, err=True)


@main.group()
def questionnaires() -> None:
    """List, show and check questionnaire definitions."""


@questionnaires.command("list")
@lang_option
def questionnaires_list(lang: str) -> None:
    """List the bundled questionnaires and those in DHTI_QUESTIONNAIRES."""
    from dhti.views.questionnaires import list_table  # noqa: PLC0415

    say(list_table(_registry(lang=lang).listings, lang=lang))


@questionnaires.command("show")
@click.argument("ref", metavar="ID[@VERSION]")
@lang_option
def questionnaires_show(ref: str, lang: str) -> None:
    """Print a questionnaire as readable text: domains, indicators, questions, options, points."""
    from dhti.views.questionnaires import show_text  # noqa: PLC0415

    say(show_text(_registry(lang=lang).get(ref), lang=lang))


@questionnaires.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@lang_option
def questionnaires_lint(files: Sequence[Path], strict: bool, lang: str) -> None:
    """Check questionnaire files; print every problem as FILE:LINE:COL: error: message.

    Besides the loading rules, lint warns about an indicator whose score can fall when one
    answer gets better (a higher-scoring option, yes for no, a number in a higher band),
    naming the two answer sets that show it: it tries every combination of the indicator's
    answers, or a seeded sample of 100,000 where there are more.

    Exits 1 if any file has an error; with --strict, also if any file has a warning.
    """
    from dhti.monotonicity import lint_file  # noqa: PLC0415

    _ = texts(lang)
    failed = warned = 0
    for path in files:
        questionnaire, problems = lint_file(path)
        for problem in problems:
            say(problem.render(lang))
        if questionnaire is None:
            failed += 1
            continue
        if any(not problem.is_error for problem in problems):
            warned += 1
        scored = count(questionnaire.scored_question_count(), lang)
        facts = {"file": path, "ref": questionnaire.ref, "count": scored}
        say(_("%(file)s: ok (%(ref)s, %(count)s scored questions)") % facts, err=True)
    if failed:
        say(_("%(failed)s of %(total)s file(s) have errors") % {"failed": failed, "total": len(files)}, err=True)
    if strict and warned:
        facts = {"warned": warned, "total": len(files)}
        say(_("%(warned)s of %(total)s file(s) have warnings (--strict)") % facts, err=True)
    if failed or (strict and warned):
        sys.exit(1)


@main.command("init")
@click.argument("ref", metavar="ID[@VERSION]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@lang_option
@click.option("--entity-type", help="Only the questions asked of this entity type (and fill in the type).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT (and its schema) if they exist.")
@show_points_option
def init(ref: str, output: Path, lang: str, entity_type: str | None, force: bool, show_points: bool) -> None:
    """Write a fillable response file for questionnaire ID.

    Every question becomes a key set to ~, with its text, options, guidance and evidence
    needs as comments above it. Beside it goes OUTPUT's JSON Schema (x.schema.json for
    x.yaml), named on the file's first line, so editors such as VS Code check answers as
    they are typed. The options' points are left out, so that no one answers for the
    score; --show-points puts them in (for the assessor's own copy).
    """
    from dhti.interop.jsonschema import write_template_with_schema  # noqa: PLC0415

    _ = texts(lang)
    questionnaire = _registry(lang=lang).get(ref)
    written = write_template_with_schema(
        questionnaire, output, lang=lang, entity_type=entity_type, force=force, show_points=show_points
    )
    for path in written:
        say(_("wrote %(file)s") % {"file": path}, err=True)
    if output.suffix.lower() not in (".yaml", ".yml"):
        warning = _(
            "%(file)s does not end in .yaml or .yml, so `dhti db ingest DIR` and `dhti batch DIR` "
            "will not pick it up; name it .yaml"
        )
        say("warning: " + warning % {"file": output}, err=True)


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@questionnaire_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lenient_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@lang_option
def validate(
    files: Sequence[Path], questionnaire_path: Path | None, fmt: str, lenient: bool, strict: bool, lang: str
) -> None:
    """Check response files; print every problem as FILE:LINE:COL: severity: message.

    FILES may include folders (all *.yaml files in them). Exits 1 if any file has an error.
    """
    from dhti.registry import response_files  # noqa: PLC0415
    from dhti.response import validate_file  # noqa: PLC0415
    from dhti.safetext import to_json  # noqa: PLC0415
    from dhti.views.scores import validation_json  # noqa: PLC0415

    registry = _registry(questionnaire_path, lang=lang)
    results = [validate_file(path, registry=registry, lenient=lenient) for path in response_files(files)]
    bad = [r for r in results if r.errors or (strict and r.warnings)]
    if fmt == "json":
        click.echo(to_json([validation_json(result, lang=lang) for result in results]))
    else:
        for result in results:
            for problem in first_problems(result.problems):
                say(problem.render(lang))
        tally = {name: count(n, lang) for name, n in (("files", len(results)), ("bad", len(bad)))}
        tally["good"] = count(len(results) - len(bad), lang)
        _ = texts(lang)
        say(_("%(files)s file(s) checked: %(good)s valid, %(bad)s invalid") % tally, err=True)
    if bad:
        sys.exit(1)


@main.command("report")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Report to write.")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), help="Default: from OUTPUT's suffix.")
@lang_option
@questionnaire_option
@lenient_option
@click.option("--pdfa/--no-pdfa", default=True, show_default=True, help="Write PDF/A-3b, for archiving.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.option(
    "--db",
    metavar="PATH|URL",
    envvar="DHTI_DB",
    show_envvar=True,
    help="Store to compare with: earlier assessments give the change and a trend, peers the ranks."
    " Default: your store, if any.",
)
@report_date_option
@issuer_option("Default: the assessor, else the entity.")
@uncertainty_options
def report(
    file: Path,
    output: Path,
    fmt: str | None,
    lang: str,
    questionnaire_path: Path | None,
    lenient: bool,
    pdfa: bool,
    force: bool,
    db: str | None,
    report_date: dt.date,
    issuer: str | None,
    uncertainty: UncertaintySettings | None,
) -> None:
    """Write one entity's report for leadership, as HTML or PDF.

    Page 1 holds the cover and the summary: the index and its stage, the domains against their
    peers' median, the ranks in the province and nationally, the change since the last
    assessment, the legal obligations and the first actions. Then one compact section per
    domain, the progress and peers, the roadmap once with each owner's load, and the annex
    (stage ladders, every answer with its evidence, the methodology). --uncertainty adds to
    page 1 how sure the index and its stage are, and to the methodology what was varied. An
    existing OUTPUT is replaced only with --force; a symbolic link, device or FIFO never is.
    """
    from dhti.assess import assess  # noqa: PLC0415
    from dhti.outfiles import check_target  # noqa: PLC0415
    from dhti.report.render import ReportError, format_for, write_report  # noqa: PLC0415

    try:
        kind = format_for(output, fmt)
    except ReportError as err:
        raise click.UsageError(str(err)) from err
    check_target(output, force=force)
    registry = _registry(questionnaire_path, lang=lang)
    outcome = assess(file, registry=registry, lenient=lenient)
    for problem in first_problems(outcome.validation.problems):
        say(problem.render(lang), err=True)
    if not outcome.valid:
        sys.exit(1)
    from dhti.jobs.aggregate import store_comparisons  # noqa: PLC0415
    from dhti.jobs.agreement import store_review  # noqa: PLC0415 - the store only when reporting

    history, peers = store_comparisons(outcome, db)
    reviewed = store_review(file.read_bytes(), db, registry=registry)
    outcome, verification = reviewed or (outcome, None)
    if uncertainty is not None:
        from dhti.views.scores import outcome_uncertainty  # noqa: PLC0415 - numpy only when asked for

        [figures] = outcome_uncertainty([outcome], uncertainty)
    write_report(
        outcome,
        output,
        fmt=kind,
        lang=lang,
        report_date=report_date,
        issuer=issuer,
        pdfa=pdfa,
        history=history,
        peers=peers,
        force=force,
        verification=verification,
        uncertainty=figures if uncertainty is not None else None,
    )
    _ = texts(lang)
    say(_("wrote %(file)s") % {"file": output}, err=True)


@main.command("score")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@questionnaire_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@lenient_option
@lang_option
@uncertainty_options
def score(
    files: Sequence[Path],
    questionnaire_path: Path | None,
    fmt: str,
    lenient: bool,
    lang: str,
    uncertainty: UncertaintySettings | None,
) -> None:
    """Score response files: index, stage, domains, indicators, recommendations.

    One file prints a detailed view; several print a row each. --format json gives the full
    result (contract 4.1), --format csv a row per file. Exits 1 if any file is invalid.
    --uncertainty adds how sure the index and its stage are: the 5th, 50th and 95th
    percentiles of the index and each stage's probability over Monte Carlo draws of the
    weights and the aggregation (docs/scoring.md says what is varied).
    """
    from dhti.assess import assess_all  # noqa: PLC0415
    from dhti.registry import response_files  # noqa: PLC0415
    from dhti.safetext import to_json  # noqa: PLC0415
    from dhti.views.scores import outcome_uncertainty, score_csv, score_json, score_table  # noqa: PLC0415

    registry = _registry(questionnaire_path, lang=lang)
    outcomes = list(assess_all(response_files(files), registry=registry, lenient=lenient))
    for outcome in outcomes:
        for problem in first_problems(outcome.validation.problems):
            say(problem.render(lang), err=True)
    figures = outcome_uncertainty(outcomes, uncertainty) if uncertainty else None
    if fmt == "json":
        found: Sequence[Figures | None] = figures or [None] * len(outcomes)
        click.echo(to_json([score_json(o, lang=lang, figures=f) for o, f in zip(outcomes, found, strict=True)]))
    elif fmt == "csv":
        click.echo(score_csv(outcomes, lang=lang, figures=figures), nl=False)
    else:
        say(score_table(outcomes, lang=lang, figures=figures))
    if not all(outcome.valid for outcome in outcomes):
        sys.exit(1)


from dhti.cli.interop import export, import_  # noqa: E402

main.add_command(export)
main.add_command(import_)

from dhti.cli.store import aggregate, batch, compare, db, history  # noqa: E402

for _command in (db, history, compare, batch, aggregate):
    main.add_command(_command)

from dhti.cli.review import review  # noqa: E402

main.add_command(review)

from dhti.cli.plan import plan  # noqa: E402

main.add_command(plan)

from dhti.cli.analyse import analyse  # noqa: E402

main.add_command(analyse)
