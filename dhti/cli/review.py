"""The verification commands: ``review sample|init|apply``.

Registered on the ``dhti`` group at the end of :mod:`dhti.cli.main`, which turns every DhtiError
into exit code 1. The store and the review modules are imported inside the commands.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from dhti.cli.options import TEXT, db_option, filter_options, lang_option, say
from dhti.cli.options import load_registry as _registry
from dhti.i18n import count, number, percent, texts

ALWAYS = ("breach", "top-stage", "jump")


@click.group()
def review() -> None:
    """Verify self-assessments: choose whom to check, hand out review sheets, record what reviewers found.

    \b
      dhti review sample --rate 0.1 --always-if top-stage --seed 2026 -o plan.csv
      dhti review init 01-BV-0001 -o review-01-BV-0001.xlsx
      dhti review apply review-01-BV-0001.xlsx

    A recorded review keeps the self-assessment as it was and stores a verified assessment beside it.
    """


def _stratify(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@review.command("sample")
@filter_options("province", "entity_type", "questionnaire", "until")
@click.option(
    "--rate", type=click.FloatRange(0, 1), required=True, help="Share of each stratum drawn at random, e.g. 0.1."
)
@click.option(
    "--min", "minimum", type=click.IntRange(0), default=1, show_default=True, help="At least this many per stratum."
)
@click.option(
    "--stratify",
    default="province,entity_type",
    show_default=True,
    callback=_stratify,
    metavar="FIELDS",
    help="Strata: any of province, entity_type, questionnaire, separated by commas.",
)
@click.option(
    "--always-if",
    "always",
    type=click.Choice(ALWAYS),
    multiple=True,
    help="Also check every unit with a legal obligation in breach, claiming the top stage, or whose index"
    " jumped (repeat for several).",
)
@click.option(
    "--jump",
    type=click.FloatRange(0, 100),
    default=15.0,
    show_default=True,
    metavar="POINTS",
    help="With --always-if jump: the rise of the index since the assessment before, in points.",
)
@click.option("--seed", type=int, required=True, metavar="S", help="The same seed and store give the same plan.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="PLAN.csv or PLAN.yaml."
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@db_option
@lang_option
def sample(
    province: str | None,
    entity_type: str | None,
    questionnaire: str | None,
    until: dt.datetime | None,
    rate: float,
    minimum: int,
    stratify: tuple[str, ...],
    always: tuple[str, ...],
    jump: float,
    seed: int,
    output: Path,
    force: bool,
    db: str | None,
    lang: str,
) -> None:
    """Draw a verification plan: a reproducible stratified random sample of the latest self-assessments.

    In each stratum (province and entity type by default) ceil(RATE x units) are drawn, at least
    --min and at most all, from a generator seeded by S and the stratum, so that adding a
    province leaves the others' draws unchanged. Units a rule always checks (--always-if) are
    added. Each row gives the assessment number, the entity, its stage and index, and why it was
    chosen.
    """
    from dhti.jobs.review import PLAN_SUFFIXES, plan_text, sample_plan  # noqa: PLC0415
    from dhti.outfiles import check_target, write_atomic  # noqa: PLC0415
    from dhti.sampling import Rule, SampleRules  # noqa: PLC0415
    from dhti.store import AssessmentFilter, open_store  # noqa: PLC0415

    _ = texts(lang)
    fmt = PLAN_SUFFIXES.get(output.suffix.lower())
    if fmt is None:
        raise click.UsageError(_("the plan is written as .csv or .yaml: %(file)s") % {"file": output})
    check_target(output, force=force)
    rules = SampleRules(
        rate=rate, seed=seed, minimum=minimum, stratify=stratify, always=tuple(Rule(name) for name in always), jump=jump
    )
    where = AssessmentFilter(province, entity_type, questionnaire, None, until.date() if until else None)
    with open_store(db, create=False) as store:
        plan = sample_plan(store, where, rules=rules, registry=_registry(lang=lang))
    write_atomic(output, plan_text(plan, fmt, lang=lang), force=force)
    figures = {
        "chosen": count(len(plan.chosen), lang),
        "units": count(sum(stratum.size for stratum in plan.strata), lang),
        "random": count(plan.random_count, lang),
        "strata": count(len(plan.strata), lang),
        "rate": percent(rate, lang),
        "always": count(len(plan.chosen) - plan.random_count, lang),
    }
    text = _(
        "wrote %(file)s: %(chosen)s of %(units)s units to verify, %(random)s at random (%(rate)s of each of"
        " %(strata)s strata) and %(always)s more by rule"
    )
    say(text % {"file": output, **figures}, err=True)


@review.command("init")
@click.argument("assessment", type=TEXT, metavar="ASSESSMENT")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="REVIEW.yaml or REVIEW.xlsx."
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT (and its schema) if they exist.")
@db_option
@lang_option
def init(assessment: str, output: Path, force: bool, db: str | None, lang: str) -> None:
    """Write the review sheet of a stored self-assessment, for a reviewer to fill in.

    ASSESSMENT is an entity id (its latest self-assessment) or an assessment number as #N (see
    dhti db list). For every answer the sheet shows the question, its options with their labels
    (never their points: reviewers judge facts, not scores), the self-assessed value, evidence
    and comment, and places for the reviewer: verified, evidence_checked (yes, no, missing) and
    note. A .yaml sheet is commented like dhti init's forms, with its JSON Schema beside it; an
    .xlsx workbook has drop-down lists and locked self-assessed columns.
    """
    from dhti.jobs.review import self_assessment, sheet_format, write_sheet  # noqa: PLC0415
    from dhti.store import find_assessment, open_store  # noqa: PLC0415

    _ = texts(lang)
    sheet_format(output)
    registry = _registry(lang=lang)
    with open_store(db, create=False) as store:
        assessed = self_assessment(store, find_assessment(store, assessment), registry=registry)
    for path in write_sheet(assessed, output, lang=lang, force=force):
        say(_("wrote %(file)s") % {"file": path}, err=True)


@review.command("apply")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="REVIEW.yaml|xlsx")
@click.option(
    "--partial",
    is_flag=True,
    help="Accept a sheet with scored answers left unchecked: they stay as self-assessed (default: refused).",
)
@db_option
@lang_option
def apply(sheet: Path, partial: bool, db: str | None, lang: str) -> None:
    """Record a filled review sheet: a verified assessment beside the self-assessment it checks.

    The sheet is checked whole first; every problem is reported at its line and column (YAML) or
    cell (XLSX), and nothing is stored: an unknown assessment, a self-assessment changed since
    the sheet was made, answer ids not in its questionnaire, values that are not valid answers,
    no reviewer or review date, and scored answers left unchecked (unless --partial). The
    verified response (the self-assessment with the corrections) is validated and scored as any
    response; the self-assessment's bytes and the sheet's are both kept.
    """
    from dhti.jobs.review import apply_sheet  # noqa: PLC0415
    from dhti.store import open_store, resolve  # noqa: PLC0415

    _ = texts(lang)
    location = resolve(db)
    if location.path is not None and not location.path.exists():
        open_store(db, create=False).close()  # says the store does not exist yet, creating nothing
    registry = _registry(lang=lang)
    with open_store(db) as store:
        applied = apply_sheet(store, sheet, registry=registry, partial=partial, lang=lang)
    figures = {
        "entity": applied.entity_id,
        "before": number(applied.self_index, lang),
        "after": number(applied.verified_index, lang),
        "corrected": count(applied.corrected, lang),
        "checked": count(applied.checked, lang),
        "number": applied.review.verified_id,
    }
    say(_("Verified %(entity)s: %(before)s → %(after)s (%(corrected)s of %(checked)s answers corrected)") % figures)
    say(_("stored as assessment #%(number)s, beside the self-assessment it checks") % figures, err=True)
