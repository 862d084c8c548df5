"""``dhti plan``: what it takes to reach the next stage, proved by re-scoring.

Registered on the main group by :mod:`dhti.cli.main`. The search is :func:`dhti.plan.plan`
(pure); this module parses, calls it, prints, and writes the target response on ``-o``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dhti.cli.options import format_option, lang_option, lenient_option, load_registry, questionnaire_option, say
from dhti.errors import first_problems
from dhti.i18n import texts


@click.command("plan")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--target-stage",
    type=click.IntRange(1, None),
    metavar="N",
    help="The stage to reach (default: the one after the current stage).",
)
@click.option("--domain", metavar="D", help="Lift this domain's score (its id, e.g. capacity) instead of the index.")
@click.option(
    "--indicator",
    metavar="I",
    help="Lift this indicator (its id, e.g. capacity.systems): its score, and what its gates require.",
)
@lenient_option
@questionnaire_option
@lang_option
@format_option("text", "json")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the response with the changes made, as a target response (not an assessment).",
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def plan(
    file: Path,
    target_stage: int | None,
    domain: str | None,
    indicator: str | None,
    lenient: bool,
    questionnaire_path: Path | None,
    lang: str,
    fmt: str,
    output: Path | None,
    force: bool,
) -> None:
    """What it takes to reach the next stage: the fewest answer changes, proved by re-scoring.

    Lists the answers to change (each from what to what, with the points it adds), ordered by
    gain, for the index or, with --domain or --indicator, one domain's or indicator's score. Legal
    obligations that cap the index below the target are met first, as are the requirements of an
    indicator's gates. The plan is exact (no plan with fewer changes exists)
    where the index is additive; otherwise it says it is a heuristic, and why. The changes are
    then applied to a copy of the response, and the copy is scored as `dhti score` scores it:
    the re-scored index and stage are the proof. Exits 1 at the top stage, when the target
    cannot be reached, or if the proof fails.

    \b
      dhti plan benh-vien.yaml
      dhti plan benh-vien.yaml --target-stage 4 -o benh-vien-muc-tieu.yaml
      dhti plan benh-vien.yaml --domain capacity --format json
    """
    from dhti.outfiles import check_target, write_atomic  # noqa: PLC0415
    from dhti.plan import Outcome  # noqa: PLC0415
    from dhti.plan import plan as make_plan  # noqa: PLC0415
    from dhti.response import validate_file  # noqa: PLC0415
    from dhti.safetext import to_json  # noqa: PLC0415
    from dhti.views.plan import plan_json, plan_text, target_file  # noqa: PLC0415

    if output is not None:
        check_target(output, force=force)
    validation = validate_file(file, registry=load_registry(questionnaire_path, lang=lang), lenient=lenient)
    for problem in first_problems(validation.problems):
        say(problem.render(lang), err=True)
    if validation.response is None:
        sys.exit(1)
    response = validation.response
    found = make_plan(response, target_stage=target_stage, domain=domain, indicator=indicator, lenient=lenient)
    if fmt == "json":
        click.echo(to_json(plan_json(found, response, file=str(file), lang=lang)))
    else:
        say(plan_text(found, response, lang=lang))
    _ = texts(lang)
    if found.outcome is Outcome.PLANNED and not found.reached:
        say(_("dhti: error: the changes, applied and re-scored, do not reach the target"), err=True)
    if output is not None and found.outcome is Outcome.PLANNED and found.reached:
        write_atomic(output, target_file(found, response, file.read_text(encoding="utf-8"), lang=lang), force=force)
        say(_("wrote %(file)s") % {"file": output}, err=True)
    if found.outcome in (Outcome.TOP, Outcome.UNREACHABLE) or not found.reached:
        sys.exit(1)
