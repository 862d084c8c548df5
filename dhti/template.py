"""``dhti init``: a fillable response file that explains itself in Vietnamese or English."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath

from dhti import __version__
from dhti.errors import OutputError
from dhti.questionnaire import Evidence, Question, Questionnaire, QuestionType, pick, question_numbers
from dhti.response import ASSESSMENT_FIELDS, ENTITY_FIELDS
from dhti.skiplogic import only_if
from dhti.yamlio import TemplateEntry, dump_template

_TEXT: dict[str, dict[str, str]] = {
    "intro": {
        "en": "How to fill in: replace each ~ with your answer; leave ~ where you have no answer yet.\n"
        "Lines starting with # are guidance and may stay. Check the file with: dhti validate {file}",
        "vi": "Cách điền: thay mỗi dấu ~ bằng câu trả lời; để nguyên ~ nếu chưa có câu trả lời.\n"
        "Các dòng bắt đầu bằng # là hướng dẫn, có thể giữ nguyên. Kiểm tra tệp bằng lệnh: dhti validate {file}",
    },
    "forms": {
        "en": "Answer forms: an option value (e.g. approved), yes / no, a number, [a, b] for several options,\n"
        "na where 'not applicable' is allowed. To add evidence or a comment, write the answer as\n"
        '  question.id: {value: approved, evidence: "Decision 123/QD-BV, 2025-03-01", comment: "..."}',
        "vi": "Dạng câu trả lời: mã phương án (vd. approved), yes / no, một số, [a, b] khi chọn nhiều phương án,\n"
        "na nếu câu hỏi cho phép trả lời 'không áp dụng'. Để kèm minh chứng hoặc ghi chú, viết:\n"
        '  ma.cau.hoi: {value: approved, evidence: "Quyết định 123/QĐ-BV ngày 01/3/2025", comment: "..."}',
    },
    "entity": {"en": "About the facility or agency", "vi": "Thông tin về cơ sở hoặc cơ quan"},
    "assessment": {"en": "About this assessment", "vi": "Thông tin về lần đánh giá"},
    "answers": {"en": "Answers", "vi": "Câu trả lời"},
    "required": {"en": "answer required", "vi": "bắt buộc trả lời"},
    "optional": {"en": "answer optional", "vi": "không bắt buộc trả lời"},
    "id": {"en": "required: the entity's code, e.g. 01-BV-0001", "vi": "bắt buộc: mã cơ sở, vd. 01-BV-0001"},
    "name": {"en": "full name", "vi": "tên đầy đủ"},
    "type": {"en": "required: one of {types}", "vi": "bắt buộc: một trong {types}"},
    "province": {"en": "province or city", "vi": "tỉnh/thành phố"},
    "district": {"en": "optional", "vi": "không bắt buộc"},
    "commune": {"en": "commune or ward (optional)", "vi": "xã/phường (không bắt buộc)"},
    "ownership": {"en": "public or private", "vi": "public (công lập) hoặc private (tư nhân)"},
    "level": {"en": "central, provincial, regional or commune", "vi": "central, provincial, regional hoặc commune"},
    "beds": {"en": "number of planned beds (optional)", "vi": "số giường bệnh kế hoạch (không bắt buộc)"},
    "date": {"en": "required: date of assessment, e.g. 2026-10-15", "vi": "bắt buộc: ngày đánh giá, vd. 2026-10-15"},
    "assessor": {"en": "who assessed", "vi": "người đánh giá"},
    "respondent": {"en": "who answered (name, role)", "vi": "người trả lời (họ tên, chức vụ)"},
    "notes": {"en": "optional", "vi": "không bắt buộc"},
    "domain": {"en": "DOMAIN", "vi": "LĨNH VỰC"},
    "choose_one": {"en": "Choose one", "vi": "Chọn một"},
    "choose_many": {"en": "Choose any, as a list [a, b]", "vi": "Chọn một hoặc nhiều, dạng danh sách [a, b]"},
    "yes_no": {"en": "Answer yes or no", "vi": "Trả lời yes (có) hoặc no (không)"},
    "number": {"en": "A number (0 or more)", "vi": "Một số (từ 0 trở lên)"},
    "percent": {"en": "A percentage, 0 to 100", "vi": "Một tỷ lệ phần trăm, từ 0 đến 100"},
    "text": {"en": "Free text", "vi": "Nhập văn bản"},
    "date_answer": {"en": "A date, e.g. 2026-10-15", "vi": "Một ngày, vd. 2026-10-15"},
    "points": {"en": "points", "vi": "điểm"},
    "help": {"en": "Guidance", "vi": "Hướng dẫn"},
    "evidence_required": {"en": "Evidence: required", "vi": "Minh chứng: bắt buộc"},
    "evidence_recommended": {"en": "Evidence: recommended", "vi": "Minh chứng: nên có"},
    "na": {"en": "'na' allowed if not applicable", "vi": "được trả lời na nếu không áp dụng"},
    "only_for": {"en": "Only for", "vi": "Chỉ dành cho"},
    "not_scored": {"en": "context only, not scored", "vi": "thông tin bổ sung, không tính điểm"},
    "unit": {"en": "Unit", "vi": "Đơn vị"},
}


def _t(key: str, lang: str, **values: str) -> str:
    text = pick(_TEXT[key], lang)
    return text.format(**values) if values else text


def schema_name_for(file_name: str) -> str:
    """The JSON Schema that ``dhti init`` writes beside a response file: ``x.yaml`` -> ``x.schema.json``."""
    return f"{PurePath(file_name).stem}.schema.json"


def build_template(
    questionnaire: Questionnaire,
    *,
    lang: str,
    entity_type: str | None = None,
    file_name: str = "FILE",
    schema: str | None = None,
) -> str:
    """The text of a fillable response file for ``questionnaire``.

    Its first line names the JSON Schema for editors such as VS Code (yaml-language-server):
    ``schema`` (a path or URL), by default the ``.schema.json`` file beside ``file_name``.
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
        TemplateEntry("answers", _answer_entries(questionnaire, lang, entity_type), before=["", _t("answers", lang)]),
    ]
    return dump_template(entries, header=header)


def _entity_entries(questionnaire: Questionnaire, lang: str, entity_type: str | None) -> list[TemplateEntry]:
    entries = []
    for key in ENTITY_FIELDS:
        if key == "type":
            note = _t("type", lang, types=", ".join(questionnaire.entity_types))
            entries.append(TemplateEntry(key, entity_type, note=note))
        else:
            entries.append(TemplateEntry(key, note=_t(key, lang)))
    return entries


def _answer_entries(questionnaire: Questionnaire, lang: str, entity_type: str | None) -> list[TemplateEntry]:
    entries: list[TemplateEntry] = []
    numbers = question_numbers(questionnaire, entity_type=entity_type)
    for d, domain in enumerate(questionnaire.domains, start=1):
        heading = [
            *([""] if d > 1 else []),
            f"{'=' * 70}",
            f"{_t('domain', lang)} {d}. {pick(domain.title, lang).upper()}",
            "=" * 70,
        ]
        for i, indicator in enumerate(domain.indicators, start=1):
            heading += ["", f"--- {d}.{i} {pick(indicator.title, lang)} ---"]
            for question in (q for q in indicator.questions if q.id in numbers):
                lines = [*heading, "", *_question_comment(questionnaire, question, numbers=numbers, lang=lang)]
                entries.append(TemplateEntry(question.id, before=lines))
                heading = []
    return entries


def _question_comment(
    questionnaire: Questionnaire, question: Question, *, numbers: Mapping[str, str], lang: str
) -> list[str]:
    lines = [f"[{numbers[question.id]}] {pick(question.text, lang)}"]
    if question.unit:
        lines.append(f"    {_t('unit', lang)}: {pick(question.unit, lang)}")
    lines += [f"    {line}" for line in _answer_form(question, lang)]
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


def _answer_form(question: Question, lang: str) -> list[str]:
    kind = question.type
    if kind in (QuestionType.CHOICE, QuestionType.MULTI):
        title = _t("choose_one" if kind is QuestionType.CHOICE else "choose_many", lang) + ":"
        options = [
            f"  {option.value} = {pick(option.label, lang)} ({_points(option.points)} {_t('points', lang)})"
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
