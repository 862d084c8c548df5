"""XLSForm for ODK Collect and KoboToolbox: a questionnaire as survey, choices and settings sheets.

XLSForm names cannot contain dots, so a question id maps to a name by replacing each ``.`` with
``__`` (``policy.plan.status`` is ``policy__plan__status``; an id that starts with a digit gets a
leading ``_``).  :func:`form_fields` is the one table of names that the export writes and that
``dhti import odk`` reads back; the survey sheet also carries each row's dhti id in a ``dhti_id``
column.
"""

from __future__ import annotations

import enum
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dhti import expressions
from dhti.interop import ConversionError
from dhti.interop.texts import entity_type_text, label, labels
from dhti.messages import L_
from dhti.outfiles import write_atomic
from dhti.questionnaire import Evidence, Question, Questionnaire, QuestionType, pick
from dhti.response import ASKED_ENTITY_FIELDS, ASSESSMENT_FIELDS, ENTITY_FIELDS

LANGUAGE_NAMES = {"en": "English", "vi": "Vietnamese"}
QUESTIONNAIRE_FIELD = "dhti_questionnaire"
ENTITY_GROUP = "entity"
ASSESSMENT_GROUP = "assessment"
NA = "na"
YES_NO_LIST = "dhti_yes_no"
YES_NO_NA_LIST = "dhti_yes_no_na"
ENTITY_TYPE_LIST = "dhti_entity_types"
NA_FLAG_LIST = "dhti_na"
SELECT_TYPES = frozenset({QuestionType.CHOICE, QuestionType.MULTI, QuestionType.YES_NO})
_RESERVED_NAMES = frozenset({ENTITY_GROUP, ASSESSMENT_GROUP, "meta", "instanceID", "instanceName"})


class FieldKind(enum.StrEnum):
    """What a column of a submission holds."""

    QUESTIONNAIRE = "questionnaire"
    ENTITY = "entity"
    ASSESSMENT = "assessment"
    QUESTION = "question"
    NA_FLAG = "na_flag"
    EVIDENCE = "evidence"


@dataclass(frozen=True)
class FormField:
    """A field of the exported form: its XLSForm name and the dhti key it holds."""

    name: str
    kind: FieldKind
    key: str  # a question id, an entity or assessment field, or "" for the questionnaire marker


def xlsform_name(identifier: str) -> str:
    """The XLSForm name of a dhti id: dots become ``__``; a leading digit gets a ``_`` before it."""
    name = identifier.replace(".", "__")
    return name if name[:1].isalpha() else f"_{name}"


def needs_na_flag(question: Question) -> bool:
    """A number, percent, text or date question that allows ``na`` gets a 'not applicable' box."""
    return question.allow_na and question.type not in SELECT_TYPES


def asks_evidence(question: Question) -> bool:
    return question.evidence is not Evidence.NONE


def form_fields(questionnaire: Questionnaire) -> dict[str, FormField]:
    """Every field of the exported form by name; refuse a questionnaire whose names would collide."""
    fields = [FormField(QUESTIONNAIRE_FIELD, FieldKind.QUESTIONNAIRE, "")]
    fields += [FormField(f"entity_{key}", FieldKind.ENTITY, key) for key in ENTITY_FIELDS]
    fields += [FormField(f"assessment_{key}", FieldKind.ASSESSMENT, key) for key in ASSESSMENT_FIELDS]
    for question in questionnaire.questions.values():
        name = xlsform_name(question.id)
        fields.append(FormField(name, FieldKind.QUESTION, question.id))
        if needs_na_flag(question):
            fields.append(FormField(f"{name}_na", FieldKind.NA_FLAG, question.id))
        if asks_evidence(question):
            fields.append(FormField(f"{name}_evidence", FieldKind.EVIDENCE, question.id))
    owners: dict[str, str] = {name: f"the form's own {name!r}" for name in _RESERVED_NAMES}
    for group_id in [domain.id for domain in questionnaire.domains] + [i.id for i in questionnaire.indicators()]:
        _claim(owners, xlsform_name(group_id), group_id)
    for form_field in fields:
        _claim(owners, form_field.name, form_field.key or form_field.name)
    return {form_field.name: form_field for form_field in fields}


def _claim(owners: dict[str, str], name: str, owner: str) -> None:
    if name.lower() in owners:
        message = L_(
            "%(first)s and %(second)s both become the XLSForm name %(name)s; rename one of them in the questionnaire",
            first=repr(owner),
            second=repr(owners[name.lower()]),
            name=repr(name),
        )
        raise ConversionError(message)
    owners[name.lower()] = owner


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class XLSForm:
    """The three sheets of an XLSForm, as text cells."""

    survey: Sheet
    choices: Sheet
    settings: Sheet

    @property
    def sheets(self) -> tuple[Sheet, ...]:
        return (self.survey, self.choices, self.settings)


def language_column(lang: str) -> str:
    """The XLSForm language name with its code, such as ``Vietnamese (vi)``."""
    return f"{LANGUAGE_NAMES.get(lang, lang)} ({lang})"


def build_xlsform(questionnaire: Questionnaire, *, lang: str) -> XLSForm:
    """The questionnaire as an XLSForm; ``lang`` is the form's default language."""
    languages = questionnaire.languages
    default = lang if lang in languages else languages[0]
    builder = _Builder(questionnaire, languages)
    survey = builder.survey()
    choices = builder.choices()
    settings = {
        "form_title": pick(questionnaire.title, default),
        "form_id": questionnaire.id,
        "version": questionnaire.version,
        "default_language": language_column(default),
        "instance_name": "concat(${entity_id}, ' ', ${assessment_date})",
        "style": "pages",
    }
    return XLSForm(
        survey=_sheet("survey", survey, _survey_columns(languages)),
        choices=_sheet("choices", choices, ("list_name", "name", *_text_columns("label", languages), "points")),
        settings=_sheet("settings", [settings], tuple(settings)),
    )


def _survey_columns(languages: Sequence[str]) -> tuple[str, ...]:
    return (
        "type",
        "name",
        *_text_columns("label", languages),
        *_text_columns("hint", languages),
        "required",
        "relevant",
        "constraint",
        *_text_columns("constraint_message", languages),
        "default",
        "calculation",
        "appearance",
        "dhti_id",
    )


def _text_columns(column: str, languages: Sequence[str]) -> list[str]:
    return [f"{column}::{language_column(lang)}" for lang in languages]


def _sheet(name: str, rows: Sequence[Mapping[str, str]], columns: tuple[str, ...]) -> Sheet:
    unknown = {key for row in rows for key in row} - set(columns)
    if unknown:  # pragma: no cover - a programming error, not a user's
        msg = f"sheet {name}: no column for {sorted(unknown)}"
        raise AssertionError(msg)
    return Sheet(name, columns, tuple(tuple(row.get(column, "") for column in columns) for row in rows))


Row = dict[str, str]


class _Builder:
    def __init__(self, questionnaire: Questionnaire, languages: tuple[str, ...]) -> None:
        self.q = questionnaire
        self.languages = languages
        self.fields = form_fields(questionnaire)
        self.xpath = XPathWriter(questionnaire)

    def texts(self, column: str, text: Mapping[str, str] | None) -> Row:
        if not text:
            return {}
        return {f"{column}::{language_column(lang)}": pick(text, lang) for lang in self.languages}

    def survey(self) -> list[Row]:
        rows: list[Row] = [
            {"type": "calculate", "name": QUESTIONNAIRE_FIELD, "calculation": f"'{self.q.ref}'"},
            *self.entity_rows(),
        ]
        for d, domain in enumerate(self.q.domains, start=1):
            rows.append({"type": "begin group", "name": xlsform_name(domain.id), "dhti_id": domain.id})
            rows[-1].update(self.texts("label", _numbered(f"{d}.", domain.title)))
            for i, indicator in enumerate(domain.indicators, start=1):
                rows.append(
                    {
                        "type": "begin group",
                        "name": xlsform_name(indicator.id),
                        "appearance": "field-list",
                        "dhti_id": indicator.id,
                        **self.texts("label", _numbered(f"{d}.{i}", indicator.title)),
                    }
                )
                for question in indicator.questions:
                    rows += self.question_rows(question)
                rows.append({"type": "end group"})
            rows.append({"type": "end group"})
        return rows

    def entity_rows(self) -> list[Row]:
        single = self.q.entity_types[0] if len(self.q.entity_types) == 1 else ""
        kinds = {"type": f"select_one {ENTITY_TYPE_LIST}", "beds": "integer", "date": "date", "notes": "text"}
        required = {"entity.id", "entity.type", "assessment.date"}
        rows: list[Row] = []
        # The form asks only for what is asked today; form_fields still reads older submissions' district.
        for group, keys in ((ENTITY_GROUP, ASKED_ENTITY_FIELDS), (ASSESSMENT_GROUP, ASSESSMENT_FIELDS)):
            rows.append({"type": "begin group", "name": group, **self.texts("label", labels(group, self.languages))})
            for key in keys:
                dotted = f"{group}.{key}"
                row: Row = {
                    "type": kinds.get(key, "text"),
                    "name": f"{group}_{key}",
                    "required": "yes" if dotted in required else "",
                    "dhti_id": dotted,
                    **self.texts("label", labels(dotted, self.languages)),
                }
                if key == "type" and single:
                    row["default"] = single
                if key == "beds":
                    row.update(
                        constraint=". >= 0", **self.texts("constraint_message", labels("number", self.languages))
                    )
                if key == "date":
                    row["default"] = "today()"
                if key == "notes":
                    row["appearance"] = "multiline"
                rows.append(row)
            rows.append({"type": "end group"})
        return rows

    def question_rows(self, question: Question) -> list[Row]:
        name = xlsform_name(question.id)
        condition = self.xpath.applies(question)
        value_condition = condition
        if needs_na_flag(question):
            value_condition = _and(condition, f"not(selected(${{{name}_na}}, '{NA}'))")
        hint = _hint(question, self.languages)
        row: Row = {
            "type": self.type_cell(question),
            "name": name,
            "required": "yes" if question.required else "",
            "relevant": value_condition,
            "dhti_id": question.id,
            **self.texts("label", question.text),
            **self.texts("hint", hint),
            **self.constraint(question),
        }
        rows = [row]
        if needs_na_flag(question):
            rows.append(
                {
                    "type": f"select_multiple {NA_FLAG_LIST}",
                    "name": f"{name}_na",
                    "relevant": condition,
                    "dhti_id": question.id,
                    **self.texts("label", labels("na_flag", self.languages)),
                }
            )
        if asks_evidence(question):
            evidence_hint = (
                labels("evidence_required", self.languages) if question.evidence is Evidence.REQUIRED else None
            )
            rows.append(
                {
                    "type": "text",
                    "name": f"{name}_evidence",
                    "relevant": f"${{{name}}} != ''",
                    "dhti_id": question.id,
                    **self.texts("label", labels("evidence", self.languages)),
                    **self.texts("hint", evidence_hint),
                }
            )
        return rows

    def type_cell(self, question: Question) -> str:
        kind = question.type
        if kind is QuestionType.YES_NO:
            return f"select_one {YES_NO_NA_LIST if question.allow_na else YES_NO_LIST}"
        if kind is QuestionType.CHOICE:
            return f"select_one {xlsform_name(question.id)}"
        if kind is QuestionType.MULTI:
            return f"select_multiple {xlsform_name(question.id)}"
        if kind in (QuestionType.NUMBER, QuestionType.PERCENT):
            return "decimal"
        return "date" if kind is QuestionType.DATE else "text"

    def constraint(self, question: Question) -> Row:
        if question.type is QuestionType.NUMBER:
            return {"constraint": ". >= 0", **self.texts("constraint_message", labels("number", self.languages))}
        if question.type is QuestionType.PERCENT:
            expression = ". >= 0 and . <= 100"
            return {"constraint": expression, **self.texts("constraint_message", labels("percent", self.languages))}
        if question.type is QuestionType.MULTI and question.allow_na:
            expression = f"not(selected(., '{NA}') and count-selected(.) > 1)"
            return {"constraint": expression, **self.texts("constraint_message", labels("na_alone", self.languages))}
        return {}

    def choices(self) -> list[Row]:
        langs = self.languages
        yes_no: list[tuple[str, str, Mapping[str, str], float | None]] = [
            (YES_NO_LIST, "yes", labels("yes", langs), 1.0),
            (YES_NO_LIST, "no", labels("no", langs), 0.0),
        ]
        items = [*yes_no, *((YES_NO_NA_LIST, value, text, points) for _, value, text, points in yes_no)]
        items.append((YES_NO_NA_LIST, NA, labels("na", langs), None))
        items += [(ENTITY_TYPE_LIST, kind, entity_type_text(kind, langs), None) for kind in self.q.entity_types]
        items.append((NA_FLAG_LIST, NA, labels("na", langs), None))
        for question in self.q.questions.values():
            if question.type in (QuestionType.CHOICE, QuestionType.MULTI):
                list_name = xlsform_name(question.id)
                items += [(list_name, option.value, option.label, option.points) for option in question.options or ()]
                if question.allow_na:
                    items.append((list_name, NA, labels("na", langs), None))
        return [self.choice_row(*item) for item in items]

    def choice_row(self, list_name: str, name: str, text: Mapping[str, str], points: float | None) -> Row:
        return {
            "list_name": list_name,
            "name": name,
            "points": "" if points is None else _number(points),
            **self.texts("label", text),
        }


def _numbered(prefix: str, text: Mapping[str, str]) -> Mapping[str, str]:
    return {lang: f"{prefix} {value}" for lang, value in text.items()}


def _hint(question: Question, languages: Sequence[str]) -> Mapping[str, str] | None:
    if not question.help and not question.unit:
        return None
    hint: dict[str, str] = {}
    for lang in languages:
        parts = [pick(question.help, lang)] if question.help else []
        if question.unit:
            parts.append(f"{label('unit', lang)}: {pick(question.unit, lang)}")
        hint[lang] = " — ".join(parts)
    return hint


def _and(*parts: str) -> str:
    present = [part for part in parts if part]
    if len(present) <= 1:
        return "".join(present)
    return " and ".join(f"({part})" if " or " in part else part for part in present)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _string(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


class XPathWriter(expressions.Visitor[str]):
    """dhti skip logic as an XLSForm ``relevant`` expression.

    dhti says a comparison with an unanswered, ``na`` or skipped question is false.  ODK treats
    a skipped question as blank, and ``'' = 'x'`` or ``'' > 3`` are false in XPath too, so only
    ``!=`` and ``not in`` need a guard that the question has a usable answer.
    """

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.q = questionnaire

    def applies(self, question: Question) -> str:
        """When the question is asked: its entity types, then its skip logic."""
        types = ""
        if question.entity_types:
            types = " or ".join(f"${{entity_type}} = {_string(kind)}" for kind in question.entity_types)
        condition = self.q.condition(question.id)
        return _and(types, self.visit(condition) if condition is not None else "")

    def negation(self, expr: expressions.Not) -> str:
        return f"not({self.visit(expr.operand)})"

    def junction(self, expr: expressions.BoolOp) -> str:
        return "(" + f" {expr.op} ".join(self.visit(operand) for operand in expr.operands) + ")"

    def compare(self, expr: expressions.Compare) -> str:
        left, right, op = expr.left, expr.right, expr.op
        if not isinstance(left, expressions.Ref) and not isinstance(right, expressions.Ref):
            return "true()" if expressions.evaluate(expr, {}) else "false()"
        multi_right = isinstance(right, expressions.Ref) and self.question(right).type is QuestionType.MULTI
        if op in ("in", "not in") and multi_right:
            return self.in_multi(left, right, negate=op == "not in")  # type: ignore[arg-type]
        if not isinstance(left, expressions.Ref) or multi_right:
            return "false()"  # dhti: a multi answer equals nothing; 'x' in a single answer is false
        if op in ("in", "not in") and not isinstance(right, expressions.ListLit):
            return "false()"
        if self.question(left).type is QuestionType.MULTI:
            return self.multi_in_list(left, right, op)
        return self.scalar(left, right, op)

    def question(self, ref: expressions.Ref) -> Question:
        return self.q.questions[ref.question]

    def field(self, ref: expressions.Ref) -> str:
        return f"${{{xlsform_name(ref.question)}}}"

    def usable(self, ref: expressions.Ref) -> str:
        """XPath that is true when the question has an answer that is not ``na``."""
        question, field = self.question(ref), self.field(ref)
        guard = f"count-selected({field}) > 0" if question.type is QuestionType.MULTI else f"{field} != ''"
        if question.allow_na and question.type in SELECT_TYPES:
            guard += (
                f" and not(selected({field}, '{NA}'))"
                if question.type is QuestionType.MULTI
                else f" and {field} != '{NA}'"
            )
        return guard

    def literal(self, operand: expressions.Literal, question: Question) -> str:
        value = operand.value
        if isinstance(value, float):
            return _number(value)
        if question.type is QuestionType.DATE:
            return f"date({_string(value)})"
        return _string(value)

    def scalar(self, ref: expressions.Ref, other: expressions.Operand, op: str) -> str:
        question, field = self.question(ref), self.field(ref)
        if isinstance(other, expressions.ListLit):
            values = [self.literal(item, question) for item in other.items]
            if op == "in":
                return "(" + " or ".join(f"{field} = {value}" for value in values) + ")" if values else "false()"
            return "(" + " and ".join([self.usable(ref), *(f"{field} != {value}" for value in values)]) + ")"
        if isinstance(other, expressions.Ref):
            return f"({self.usable(ref)} and {self.usable(other)} and {field} {_XPATH_OPS[op]} {self.field(other)})"
        rendered = self.literal(other, question)
        if op == "!=":
            return f"({self.usable(ref)} and {field} != {rendered})"
        return f"{field} {_XPATH_OPS[op]} {rendered}"

    def in_multi(self, item: expressions.Operand, multi: expressions.Ref, *, negate: bool) -> str:
        field = self.field(multi)
        if isinstance(item, expressions.Literal):
            found = f"selected({field}, {_string(expressions.value_text(item.value))})"
        elif isinstance(item, expressions.Ref) and self.question(item).type is not QuestionType.MULTI:
            found = f"({self.usable(item)} and selected({field}, {self.field(item)}))"
        else:
            return "false()"
        return f"({self.usable(multi)} and not({found}))" if negate else found

    def multi_in_list(self, multi: expressions.Ref, other: expressions.Operand, op: str) -> str:
        if op not in ("in", "not in") or not isinstance(other, expressions.ListLit):
            return "false()"
        field = self.field(multi)
        found = [f"selected({field}, {_string(expressions.value_text(item.value))})" for item in other.items]
        if op == "in":
            return "(" + " or ".join(found) + ")" if found else "false()"
        return "(" + " and ".join([self.usable(multi), *(f"not({part})" for part in found)]) + ")"


_XPATH_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def xlsform_bytes(form: XLSForm) -> bytes:
    """The form as an .xlsx workbook."""
    from openpyxl import Workbook  # noqa: PLC0415 - only this export needs openpyxl
    from openpyxl.styles import Font  # noqa: PLC0415

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for sheet in form.sheets:
        worksheet = workbook.create_sheet(sheet.name)
        worksheet.append(list(sheet.columns))
        for row in sheet.rows:
            worksheet.append(list(row))
        for cells in worksheet.iter_rows():
            for cell in cells:
                _keep_text(cell)
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        worksheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class _Cell(Protocol):
    value: object
    data_type: str


def _keep_text(cell: _Cell) -> None:
    """Store a text as text: openpyxl makes any string that starts with ``=`` a live formula."""
    if isinstance(cell.value, str) and cell.data_type == "f":
        cell.data_type = "s"


def write_xlsform(questionnaire: Questionnaire, output: Path, *, lang: str, force: bool = False) -> None:
    """Write the questionnaire's XLSForm to ``output`` (an .xlsx file)."""
    if output.suffix.lower() != ".xlsx":
        raise ConversionError(
            L_("%(output)s: an XLSForm is an Excel workbook; give a file name ending in .xlsx", output=str(output))
        )
    write_atomic(output, xlsform_bytes(build_xlsform(questionnaire, lang=lang)), force=force)
