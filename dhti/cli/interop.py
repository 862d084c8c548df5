"""``dhti export`` and ``dhti import``: XLSForm, ODK and Kobo submissions, FHIR R4 and JSON Schema.

Registered on the main group by :mod:`dhti.cli` (import ``dhti.cli``, not this module, first).
Each command parses, calls one function of :mod:`dhti.interop` and prints; the libraries those
need (openpyxl) are imported only when a command runs.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dhti.cli.options import (
    current_lang,
    lang_option,
    lenient_option,
    load_registry,
    questionnaire_option,
    say,
    show_points_option,
)
from dhti.i18n import count, texts
from dhti.safetext import to_json

if TYPE_CHECKING:
    from dhti.registry import Registry

OUTPUT_FILE = click.Path(dir_okay=False, path_type=Path)
log = logging.getLogger("dhti")


def _registry(questionnaire: str | None = None, *, lang: str | None = None) -> Registry:
    """The loaded questionnaires; ``questionnaire`` (a file, or ID[@VERSION]) becomes the one to use."""
    is_file = questionnaire is not None and Path(questionnaire).is_file()
    registry = load_registry(Path(questionnaire) if is_file and questionnaire else None, lang=lang)
    if questionnaire is not None and not is_file:
        registry = dataclasses.replace(registry, override=registry.get(questionnaire))
    return registry


def _emit(text: str, output: Path | None, *, force: bool, lang: str) -> None:
    """Write ``text`` to ``output``, or print it when no file is given (or ``-``)."""
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
        return
    from dhti.outfiles import write_atomic  # noqa: PLC0415

    write_atomic(output, text, force=force)
    _wrote(output, lang)


def _wrote(output: Path, lang: str) -> None:
    _ = texts(lang)
    say(_("wrote %(file)s") % {"file": output}, err=True)


force_option = click.option("--force", is_flag=True, help="Overwrite output files that exist.")


@click.group("export")
def export() -> None:
    """Write a questionnaire or a response in another format.

    \b
      dhti export xlsform dhti-facility -o dhti-facility.xlsx      # ODK Collect, KoboToolbox
      dhti export fhir dhti-facility -o Questionnaire.json         # FHIR R4 Questionnaire
      dhti export fhir-response benh-vien.yaml -o response.json    # FHIR R4 QuestionnaireResponse
      dhti export schema dhti-facility -o dhti-facility.schema.json
    """


@export.command("xlsform")
@click.argument("ref", metavar="ID[@VERSION]")
@click.option("-o", "--output", type=OUTPUT_FILE, required=True, help="The .xlsx file to write.")
@lang_option
@force_option
def export_xlsform(ref: str, output: Path, lang: str, force: bool) -> None:
    """Write questionnaire ID as an XLSForm (survey, choices, settings) for ODK and KoboToolbox.

    Upload the workbook to ODK Central or KoboToolbox, collect on tablets, then turn the exported
    submissions into response files with `dhti import odk`. --lang sets the form's default
    language; every language of the questionnaire is in the form.
    """
    from dhti.interop.xlsform import write_xlsform  # noqa: PLC0415

    write_xlsform(_registry(lang=lang).get(ref), output, lang=lang, force=force)
    _wrote(output, lang)


@export.command("fhir")
@click.argument("ref", metavar="ID[@VERSION]")
@click.option("-o", "--output", type=OUTPUT_FILE, help="The .json file to write (default: print it).")
@lang_option
@click.option("--base", metavar="URL", help="Canonical base URL (default: urn:dhti:questionnaire:ID).")
@force_option
def export_fhir(ref: str, output: Path | None, lang: str, base: str | None, force: bool) -> None:
    """Write questionnaire ID as a FHIR R4 Questionnaire (JSON).

    Option points are itemWeight extensions, skip logic is enableWhen (or an SDC FHIRPath
    enableWhenExpression), and the other language is a translation extension.
    """
    from dhti.interop.fhir import questionnaire_resource  # noqa: PLC0415

    resource = questionnaire_resource(_registry(lang=lang).get(ref), lang=lang, base=base)
    _emit(to_json(resource) + "\n", output, force=force, lang=lang)


@export.command("fhir-response")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=OUTPUT_FILE, help="The .json file to write (default: print it).")
@questionnaire_option
@lang_option
@click.option("--base", metavar="URL", help="Canonical base URL of the questionnaire, as given to `export fhir`.")
@lenient_option
@force_option
def export_fhir_response(
    file: Path,
    output: Path | None,
    questionnaire_path: Path | None,
    lang: str,
    base: str | None,
    lenient: bool,
    force: bool,
) -> None:
    """Write a response file as a FHIR R4 QuestionnaireResponse (JSON).

    The file must pass `dhti validate`; answers to questions that do not apply are left out.
    With --lenient, a response with required questions unanswered is written as in-progress.
    """
    from dhti.errors import InputError  # noqa: PLC0415
    from dhti.interop.fhir import response_resource  # noqa: PLC0415
    from dhti.response import validate_file  # noqa: PLC0415

    registry = load_registry(questionnaire_path, lang=lang)
    validation = validate_file(file, registry=registry, lenient=lenient)
    if validation.response is None:
        raise InputError(validation.problems)
    for problem in validation.warnings:
        say(problem.render(current_lang()), err=True)
    _emit(to_json(response_resource(validation.response, lang=lang, base=base)) + "\n", output, force=force, lang=lang)


@export.command("schema")
@click.argument("ref", metavar="ID[@VERSION]")
@click.option("-o", "--output", type=OUTPUT_FILE, help="The .json file to write (default: print it).")
@lang_option
@force_option
@show_points_option
def export_schema(ref: str, output: Path | None, lang: str, force: bool, show_points: bool) -> None:
    """Write a JSON Schema (draft 2020-12) of response files for questionnaire ID.

    Editors such as VS Code (with the YAML extension) then check answers as you type when the
    response file starts with: # yaml-language-server: $schema=FILE.json. Editors show each
    question's options as it is answered; their points only with --show-points.
    """
    from dhti.interop.jsonschema import response_schema  # noqa: PLC0415

    schema = response_schema(_registry(lang=lang).get(ref), lang=lang, show_points=show_points)
    _emit(to_json(schema) + "\n", output, force=force, lang=lang)


@click.group("import")
def import_() -> None:
    """Turn submissions or FHIR resources into dhti response files.

    \b
      dhti import odk submissions.csv -o answers/
      dhti import fhir-response response.json -o benh-vien.yaml
    """


questionnaire_choice = click.option(
    "--questionnaire",
    metavar="ID[@VERSION]|FILE",
    help="The questionnaire answered, when the input does not name it (or to override it).",
)


@import_.command("odk")
@click.argument("submissions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for the files."
)
@questionnaire_choice
@force_option
@lang_option
def import_odk(submissions: Path, output: Path, questionnaire: str | None, force: bool, lang: str) -> None:
    """Write one response file per submission from an ODK Central or KoboToolbox export.

    SUBMISSIONS is the .csv (or Kobo .xlsx) export of a form made by `dhti export xlsform`.
    Each file is named after the entity id and passes `dhti validate`; a submission with an
    error is reported with its row number and skipped, and the command then exits 1.
    """
    from dhti.interop.odk import import_submissions  # noqa: PLC0415

    _ = texts(lang)
    result = import_submissions(submissions, output, registry=_registry(questionnaire, lang=lang), force=force)
    for problem in result.problems:
        say(problem.render(current_lang()), err=True)
    for written in result.written:
        say(_("wrote %(file)s (row %(row)s)") % {"file": written.path, "row": written.row}, err=True)
    numbers = {"rows": result.rows, "written": len(result.written), "skipped": result.skipped}
    tally = {name: count(n, lang) for name, n in numbers.items()}
    say(_("%(rows)s submission(s): %(written)s written, %(skipped)s skipped") % tally, err=True)
    if result.skipped:
        sys.exit(1)


@import_.command("fhir-response")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=OUTPUT_FILE, required=True, help="The response file (.yaml) to write.")
@questionnaire_choice
@lenient_option
@force_option
@lang_option
def import_fhir_response(
    file: Path, output: Path, questionnaire: str | None, lenient: bool, force: bool, lang: str
) -> None:
    """Write a FHIR R4 QuestionnaireResponse (JSON) as a dhti response file.

    The questionnaire is the one its canonical URL names (…/dhti-facility|1.0). Nothing is
    written unless the result passes `dhti validate`.
    """
    from dhti.interop.fhir_import import import_response  # noqa: PLC0415

    registry = _registry(questionnaire, lang=lang)
    checked = import_response(file, output, registry=registry, lenient=lenient, force=force)
    for problem in checked.validation.warnings:
        say(problem.render(current_lang()), err=True)
    _wrote(output, lang)
