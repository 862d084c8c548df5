"""A JSON Schema (draft 2020-12) of one questionnaire's response files, for editors that check YAML.

It accepts what ``dhti validate`` accepts for the shape of a file and of each answer (option
values, yes/no, numbers in range, ``na`` only where allowed, the ``{value, evidence, comment}``
form).  What needs the whole response (required questions, skip logic, required evidence) is
left to ``dhti validate``: an editor should not flag a question the facility has not reached.
"""

from __future__ import annotations

import re
from pathlib import Path

from dhti.outfiles import write_atomic
from dhti.questionnaire import Question, Questionnaire, QuestionType, pick
from dhti.response import (
    ASSESSMENT_FIELDS,
    ENTITY_FIELDS,
    MAX_BEDS,
    MAX_ID_CHARS,
    MAX_NAME_CHARS,
    MAX_NUMBER,
    MAX_TEXT_CHARS,
    Assessment,
    Entity,
)
from dhti.safetext import to_json

Schema = dict[str, object]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
NA_PATTERN = r"^\s*[Nn][Aa]\s*$"
YES_NO_PATTERN = r"^\s*([Yy][Ee][Ss]|[Nn][Oo])\s*$"
DATE_PATTERN = r"^\s*\d{4}-\d{2}-\d{2}\s*$"
ASSESSMENT_DATE_PATTERN = r"^\s*20\d{2}-\d{2}-\d{2}\s*$"  # dhti validate: 2000-01-01 to 2099-12-31
# The characters dhti validate allows in an id: Latin letters (Vietnamese ones included, precomposed
# or with combining marks, as an editor may hold them before dhti composes them), digits, - _ . / and
# spaces. Look-alikes from other scripts and invisible characters are left out.
ID_PATTERN = (
    r"^(?=.*\S)[A-Za-z0-9 ._/\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF\u0300-\u036F-]"
    rf"{{1,{MAX_ID_CHARS}}}$"
)
# Control characters other than tab and newline, which dhti validate refuses in every text.
NO_CONTROLS = r"^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$"
# Names refuse invisible formatting characters as well (zero-width and bidi marks, BOM).
NO_CONTROLS_OR_FORMAT = (
    r"^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F"
    r"\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]*$"
)
_INTEGER = re.compile(r"^-?[0-9]+$")
_DECIMAL = re.compile(r"^-?[0-9]+\.[0-9]+$")
# Text fields keep an unquoted number as written (dhti validate reads ``ownership: 3`` as "3").
_TEXT_OR_NUMBER = frozenset((*Entity.TEXT_FIELDS, *Assessment.TEXT_FIELDS))


def schema_file_for(response_file: Path) -> Path:
    """Where ``dhti init`` puts the schema of a response file: ``x.yaml`` -> ``x.schema.json`` beside it."""
    from dhti.template import schema_name_for  # noqa: PLC0415

    return response_file.with_name(schema_name_for(response_file.name))


def response_schema(questionnaire: Questionnaire, *, lang: str, show_points: bool = False) -> Schema:
    """The JSON Schema of response files for ``questionnaire``; texts in ``lang``.

    An editor shows each question's description as the respondent types, so the options'
    points are in it only if ``show_points`` (as in the form ``dhti init`` writes).
    """
    title = pick(questionnaire.title, lang)
    return {
        "$schema": DRAFT,
        "$id": f"urn:dhti:response-schema:{questionnaire.id}:{questionnaire.version}",
        "title": f"{title} ({questionnaire.ref})",
        "description": f"A response file for {questionnaire.ref}. Check it fully with: dhti validate FILE",
        "type": "object",
        "required": ["questionnaire", "entity", "assessment", "answers"],
        "additionalProperties": False,
        "properties": {
            "questionnaire": {
                "description": "The questionnaire answered: id@version (a bare id means the newest version).",
                "enum": [questionnaire.ref, questionnaire.id],
            },
            "entity": _entity(questionnaire),
            "assessment": _assessment(),
            "answers": {
                "type": ["object", "null"],
                "additionalProperties": False,
                "properties": {
                    qid: _answer(question, lang, show_points=show_points)
                    for qid, question in questionnaire.questions.items()
                },
            },
        },
    }


def _text(limit: int, *kinds: str, invisible: bool = False) -> Schema:
    """A text of at most ``limit`` characters without control characters (or a value of ``kinds``).

    As in :func:`dhti.response.text_problem`, invisible formatting characters are refused unless
    ``invisible`` (free text may hold them; names may not).
    """
    text = {"type": "string", "maxLength": limit, "pattern": NO_CONTROLS if invisible else NO_CONTROLS_OR_FORMAT}
    return {"anyOf": [text, *({"type": kind} for kind in kinds)]} if kinds else text


def _entity(questionnaire: Questionnaire) -> Schema:
    properties: dict[str, object] = {
        key: _text(MAX_NAME_CHARS, *(("number", "null") if key in _TEXT_OR_NUMBER else ("null",)))
        for key in ENTITY_FIELDS
    }
    properties["id"] = {"anyOf": [{"type": "string", "pattern": ID_PATTERN}, {"type": "number"}]}
    properties["type"] = {"enum": list(questionnaire.entity_types)}
    properties["beds"] = {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_BEDS}
    # Still accepted, as dhti validate accepts it in files written before districts were abolished.
    properties["district"] = {**_text(MAX_NAME_CHARS, "number", "null"), "deprecated": True}
    properties["level"] = {
        **_text(MAX_NAME_CHARS, "number", "null"),
        "description": "Optional free text, such as the hospital grade: hạng I, hạng II.",
    }
    return {"type": "object", "required": ["id", "type"], "additionalProperties": False, "properties": properties}


def _assessment() -> Schema:
    properties: dict[str, object] = {key: _text(MAX_NAME_CHARS, "number", "null") for key in ASSESSMENT_FIELDS}
    properties["notes"] = _text(MAX_TEXT_CHARS, "number", "null", invisible=True)
    properties["date"] = {"type": "string", "format": "date", "pattern": ASSESSMENT_DATE_PATTERN}
    return {"type": "object", "required": ["date"], "additionalProperties": False, "properties": properties}


def _answer(question: Question, lang: str, *, show_points: bool) -> Schema:
    """A bare value, ``~``, ``na`` where allowed, or the mapping with value, evidence and comment."""
    value = _value(question)
    choices: list[object] = [value, {"type": "null"}]
    if question.allow_na:
        choices.append({"type": "string", "pattern": NA_PATTERN})
    extra = _text(MAX_TEXT_CHARS, "number", "boolean", "null", invisible=True)
    mapping = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"value": {"anyOf": choices}, "evidence": extra, "comment": extra},
    }
    return {
        "title": pick(question.text, lang),
        "description": _description(question, lang, show_points=show_points),
        "anyOf": [*choices, mapping],
    }


def answer_value_schema(question: Question) -> Schema:
    """The schema of one answer's bare value (without ``na``, ``~`` or the mapping form): review sheets use it."""
    return _value(question)


def _value(question: Question) -> Schema:
    kind = question.type
    if kind is QuestionType.CHOICE:
        return {"enum": _option_values(question)}
    if kind is QuestionType.MULTI:
        return {"type": "array", "uniqueItems": True, "items": {"enum": _option_values(question)}}
    if kind is QuestionType.YES_NO:
        return {"anyOf": [{"enum": ["yes", "no"]}, {"type": "boolean"}, {"type": "string", "pattern": YES_NO_PATTERN}]}
    if kind is QuestionType.NUMBER:
        return {"type": "number", "minimum": 0, "maximum": MAX_NUMBER}
    if kind is QuestionType.PERCENT:
        return {"type": "number", "minimum": 0, "maximum": 100}
    if kind is QuestionType.DATE:
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    text = {"type": "string", "maxLength": MAX_TEXT_CHARS, "pattern": NO_CONTROLS, "not": {"pattern": NA_PATTERN}}
    return {"anyOf": [{"type": "number"}, text]}


def _option_values(question: Question) -> list[object]:
    """Option values, and the number YAML reads where a value looks like one (``1`` is option ``"1"``)."""
    values: list[object] = []
    for value in question.option_values:
        values.append(value)
        if _INTEGER.match(value) and str(int(value)) == value:
            values.append(int(value))
        elif _DECIMAL.match(value) and str(float(value)) == value:
            values.append(float(value))
    return values


def _description(question: Question, lang: str, *, show_points: bool) -> str:
    lines = [f"{question.id} ({question.type})"]
    if question.type in (QuestionType.CHOICE, QuestionType.MULTI):
        points = {o.value: f" ({o.points:g})" if show_points else "" for o in question.options or ()}
        lines += [f"- {o.value}: {pick(o.label, lang)}{points[o.value]}" for o in question.options or ()]
    if question.help:
        lines.append(pick(question.help, lang))
    if question.allow_na:
        lines.append("na: not applicable")
    if question.relevant:
        lines.append(f"Only if: {question.relevant}")
    return "\n".join(lines)


def write_template_with_schema(  # noqa: PLR0913 - the options of dhti init, all keyword-only
    questionnaire: Questionnaire,
    output: Path,
    *,
    lang: str,
    entity_type: str | None = None,
    force: bool = False,
    show_points: bool = False,
) -> tuple[Path, Path]:
    """What ``dhti init`` writes: the fillable response file and, beside it, its JSON Schema.

    The template's first line names the schema for editors (yaml-language-server); neither file
    is written when either exists and ``force`` is not given.  Neither shows the options'
    points unless ``show_points``.
    """
    from dhti.interop.drafts import refuse_existing  # noqa: PLC0415
    from dhti.template import build_template  # noqa: PLC0415

    schema_path = schema_file_for(output)
    text = build_template(
        questionnaire, lang=lang, entity_type=entity_type, file_name=output.name, show_points=show_points
    )
    refuse_existing([output, schema_path], force=force)
    write_atomic(output, text, force=force)
    schema = response_schema(questionnaire, lang=lang, show_points=show_points)
    write_atomic(schema_path, to_json(schema) + "\n", force=force)
    return output, schema_path
