"""``dhti init``: a fillable response file that explains itself in Vietnamese or English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath

from dhti import __version__, references
from dhti.errors import OutputError
from dhti.i18n import N_, translations
from dhti.questionnaire import Evidence, Question, Questionnaire, QuestionType, pick, question_numbers
from dhti.response import ASKED_ENTITY_FIELDS, ASSESSMENT_FIELDS
from dhti.skiplogic import only_if
from dhti.yamlio import TemplateEntry, dump_template

# The words of the fillable file, in English; dhti.po has them in Vietnamese.
_TEXT: dict[str, str] = {
    "intro": N_(
        "How to fill in: replace each ~ with your answer; leave ~ where you have no answer yet.\n"
        "Lines starting with # are guidance and may stay. Check the file with: dhti validate {file}"
    ),
    "forms": N_(
        "Answer forms: an option value (e.g. approved), yes / no, a number, [a, b] for several options,\n"
        "na where 'not applicable' is allowed. To add evidence or a comment, write the answer as\n"
        '  question.id: {value: approved, evidence: "Decision 123/QĐ-BV, 2025-03-01", comment: "..."}'
    ),
    "entity": N_("About the facility or agency"),
    "assessment": N_("About this assessment"),
    "answers": N_("Answers"),
    "required": N_("answer required"),
    "optional": N_("answer optional"),
    "id": N_("required: the entity's code, e.g. 01-BV-0001"),
    "name": N_("full name"),
    "type": N_("required: one of {types}"),
    "province": N_("province or city"),
    "commune": N_("commune or ward (optional)"),
    "ownership": N_("public or private"),
    "level": N_("optional, free text: the hospital grade, e.g. hạng I, hạng II"),
    "beds": N_("number of planned beds (optional)"),
    "date": N_("required: date of assessment, e.g. 2026-10-15"),
    "assessor": N_("who assessed"),
    "respondent": N_("who answered (name, role)"),
    "notes": N_("optional"),
    "domain": N_("DOMAIN"),
    "choose_one": N_("Choose one"),
    "choose_many": N_("Choose any, as a list [a, b]"),
    "yes_no": N_("Answer yes or no"),
    "number": N_("A number (0 or more)"),
    "percent": N_("A percentage, 0 to 100"),
    "text": N_("Free text"),
    "date_answer": N_("A date, e.g. 2026-10-15"),
    "points": N_("points"),
    "help": N_("Guidance"),
    "evidence_required": N_("Evidence: required"),
    "evidence_recommended": N_("Evidence: recommended"),
    "na": N_("'na' allowed if not applicable"),
    "only_for": N_("Only for"),
    "not_scored": N_("context only, not scored"),
    "unit": N_("Unit"),
    "sources": N_("Sources"),
}


def _t(key: str, lang: str, **values: str) -> str:
    text = translations(lang).gettext(_TEXT[key])
    return text.format(**values) if values else text


def schema_name_for(file_name: str) -> str:
    """The JSON Schema that ``dhti init`` writes beside a response file: ``x.yaml`` -> ``x.schema.json``."""
    return f"{PurePath(file_name).stem}.schema.json"


def build_template(  # noqa: PLR0913 - the options of dhti init, all keyword-only
    questionnaire: Questionnaire,
    *,
    lang: str,
    entity_type: str | None = None,
    file_name: str = "FILE",
    schema: str | None = None,
    show_points: bool = False,
) -> str:
    """The text of a fillable response file for ``questionnaire``.

    Its first line names the JSON Schema for editors such as VS Code (yaml-language-server):
    ``schema`` (a path or URL), by default the ``.schema.json`` file beside ``file_name``.
    Options are listed without their points unless ``show_points``: a respondent who sees
    which answer scores most is invited to give it.
    """
    if entity_type is not None and entity_type not in questionnaire.entity_types:
        allowed = ", ".join(questionnaire.entity_types)
        msg = f"entity type {entity_type!r} may not answer {questionnaire.id!r} (allowed: {allowed})"
        raise OutputError(msg)
    if entity_type is None and len(questionnaire.entity_types) == 1:
        entity_type = questionnaire.entity_types[0]
    header = [
        f"yaml-language-server: $schema={schema or schema_name_for(file_name)}",
        f"{pick(questionnaire.title, lang)} ({questionnaire.ref})",
        *_wrap(pick(questionnaire.description, lang)),
        "",
        *_t("intro", lang, file=file_name).splitlines(),
        *_t("forms", lang).splitlines(),
        f"dhti {__version__}",
    ]
    entries = [
        TemplateEntry("questionnaire", questionnaire.ref),
        TemplateEntry("entity", _entity_entries(questionnaire, lang, entity_type), before=["", _t("entity", lang)]),
        TemplateEntry(
            "assessment",
            [TemplateEntry(key, note=_t(key, lang)) for key in ASSESSMENT_FIELDS],
            before=["", _t("assessment", lang)],
        ),
        TemplateEntry(
            "answers",
            _answer_entries(questionnaire, _Form(lang, entity_type, show_points)),
            before=["", _t("answers", lang)],
        ),
    ]
    return dump_template(entries, header=header)


def _entity_entries(questionnaire: Questionnaire, lang: str, entity_type: str | None) -> list[TemplateEntry]:
    entries = []
    for key in ASKED_ENTITY_FIELDS:
        if key == "type":
            note = _t("type", lang, types=", ".join(questionnaire.entity_types))
            entries.append(TemplateEntry(key, entity_type, note=note))
        else:
            entries.append(TemplateEntry(key, note=_t(key, lang)))
    return entries


@dataclass(frozen=True)
class _Form:
    """What a form is written for: its language, the entity type it asks, whether it shows points."""

    lang: str
    entity_type: str | None
    show_points: bool


def _answer_entries(questionnaire: Questionnaire, form: _Form) -> list[TemplateEntry]:
    entries: list[TemplateEntry] = []
    lang = form.lang
    numbers = question_numbers(questionnaire, entity_type=form.entity_type)
    for d, domain in enumerate(questionnaire.domains, start=1):
        heading = [
            *([""] if d > 1 else []),
            f"{'=' * 70}",
            f"{_t('domain', lang)} {d}. {pick(domain.title, lang).upper()}",
            "=" * 70,
        ]
        for i, indicator in enumerate(domain.indicators, start=1):
            heading += ["", f"--- {d}.{i} {pick(indicator.title, lang)} ---", *_sources(indicator.refs, lang)]
            for question in (q for q in indicator.questions if q.id in numbers):
                lines = [*heading, "", *_question_comment(questionnaire, question, numbers=numbers, form=form)]
                entries.append(TemplateEntry(question.id, before=lines))
                heading = []
    return entries


def _sources(refs: tuple[str, ...], lang: str) -> list[str]:
    """The documents an indicator follows, as they print them: "Căn cứ: Thông tư 13/2025/TT-BYT"."""
    if not refs:
        return []
    return _wrap(f"{_t('sources', lang)}: " + ", ".join(references.display(ref, lang) for ref in refs))


def _question_comment(
    questionnaire: Questionnaire, question: Question, *, numbers: Mapping[str, str], form: _Form
) -> list[str]:
    lang = form.lang
    lines = [f"[{numbers[question.id]}] {pick(question.text, lang)}"]
    if question.unit:
        lines.append(f"    {_t('unit', lang)}: {pick(question.unit, lang)}")
    lines += [f"    {line}" for line in _answer_form(question, form)]
    if question.help:
        lines += [f"    {_t('help', lang)}: {first}" for first in _wrap(pick(question.help, lang))[:1]]
        lines += [f"      {rest}" for rest in _wrap(pick(question.help, lang))[1:]]
    notes = []
    if question.evidence is Evidence.REQUIRED:
        notes.append(_t("evidence_required", lang))
    elif question.evidence is Evidence.RECOMMENDED:
        notes.append(_t("evidence_recommended", lang))
    if question.allow_na:
        notes.append(_t("na", lang))
    notes.append(_t("required" if question.required else "optional", lang))
    if not question.scored:
        notes.append(_t("not_scored", lang))
    lines.append("    (" + "; ".join(notes) + ")")
    condition = _wrap(only_if(questionnaire, question, lang=lang, numbers=numbers) or "")
    lines += [f"    {line}" for line in condition[:1]] + [f"      {line}" for line in condition[1:]]
    if question.entity_types:
        lines.append(f"    {_t('only_for', lang)}: {', '.join(question.entity_types)}")
    return lines


def _answer_form(question: Question, form: _Form) -> list[str]:
    kind, lang = question.type, form.lang
    if kind in (QuestionType.CHOICE, QuestionType.MULTI):
        title = _t("choose_one" if kind is QuestionType.CHOICE else "choose_many", lang) + ":"
        options = [
            f"  {option.value} = {pick(option.label, lang)}"
            + (f" ({_points(option.points)} {_t('points', lang)})" if form.show_points else "")
            for option in question.options or ()
        ]
        return [title, *options]
    key = {
        QuestionType.YES_NO: "yes_no",
        QuestionType.NUMBER: "number",
        QuestionType.PERCENT: "percent",
        QuestionType.TEXT: "text",
        QuestionType.DATE: "date_answer",
    }[kind]
    return [_t(key, lang)]


def _points(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else f"{points:g}"


def _wrap(text: str, width: int = 96) -> list[str]:
    """Split a long text into comment lines at word boundaries."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        current = ""
        for word in paragraph.split():
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
    return [line for line in lines if line] if text else []
