"""Review sheets: what a reviewer checks of one stored self-assessment, read back and turned into a verified response.

The data walks one way: a validated self-assessment -> :class:`ReviewSheet` (one row per answer,
written as a commented YAML file here or as a workbook by :mod:`dhti.review_xlsx`) -> the sheet
the reviewer filled in, read back as a :class:`FilledSheet` with the place of every value ->
:func:`check_sheet` (every problem at its place) -> :class:`Verdict` per answer -> the verified
response's text (:func:`verified_response`), which the ordinary validator and scorer then read.

Reviewers judge facts, not scores: a sheet shows each question's options with their labels and
never their points. Pure: no store, no clock, no files.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from dhti import __version__
from dhti.errors import InputError, Problem, Severity, did_you_mean
from dhti.i18n import N_, translations
from dhti.messages import L_, Message, MessageError
from dhti.questionnaire import Question, Questionnaire, QuestionType, pick, question_numbers
from dhti.response import (
    FIRST_DATE,
    LAST_DATE,
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    NA,
    Answer,
    AnswerValue,
    Response,
    coerce,
    text_problem,
)
from dhti.skiplogic import only_if
from dhti.yamlio import Document, TemplateEntry, dump_template, load_bytes

EVIDENCE_CHECKS = ("yes", "no", "missing")
HEADER_KEYS = ("assessment", "entity", "questionnaire", "assessment_date", "self_hash", "reviewer", "date")
ANSWER_KEYS = ("self", "evidence", "comment", "verified", "evidence_checked", "note")
TOP_KEYS = ("review", "answers")

# The words of a sheet, in English; dhti.po has them in Vietnamese.
_TEXT: dict[str, str] = {
    "title": N_("Review sheet: verification of a self-assessment"),
    "how": N_(
        "How to fill in: for every answer write under verified: the value you found (the same value\n"
        "confirms it; another valid value corrects it), under evidence_checked: yes (you saw the evidence),\n"
        "no (not checked) or missing (the unit could not show it), and any remark under note:.\n"
        "Leave nothing else changed. Then record it with: dhti review apply {file}"
    ),
    "assessment": N_("the stored self-assessment (dhti db list); do not change"),
    "entity": N_("do not change"),
    "hash": N_("identifies the self-assessment as it was stored; do not change"),
    "reviewer": N_("required: who checked (name, unit)"),
    "date": N_("required: the date of the review, e.g. 2026-11-20"),
    "self": N_("self-assessed; do not change"),
    "verified": N_("what you found: the same value to confirm, another to correct"),
    "evidence_checked": N_("yes (seen) | no (not checked) | missing (not shown)"),
    "note": N_("your remark (optional)"),
    "header": N_("About this review"),
    "answers": N_("Answers"),
    "choose_one": N_("Choose one"),
    "choose_many": N_("Choose any, as a list [a, b]"),
    "yes_no": N_("Answer yes or no"),
    "number": N_("A number (0 or more)"),
    "percent": N_("A percentage, 0 to 100"),
    "text": N_("Free text"),
    "date_answer": N_("A date, e.g. 2026-10-15"),
    "na": N_("'na' allowed if not applicable"),
    "not_scored": N_("context only, not scored"),
    "not_asked": N_("not asked given the unit's answers: answer it only if a correction opens it"),
    "verified_by": N_("Verified by {reviewer} on {date}: review of assessment #{number}, self-assessment {digest}"),
    "sheet": N_("Review sheet {digest}; dhti {version}"),
}


def sheet_text(key: str, lang: str, **values: str) -> str:
    """A word of the sheet in ``lang`` (shared with the workbook)."""
    text = translations(lang).gettext(_TEXT[key])
    return text.format(**values) if values else text


@dataclass(frozen=True)
class SheetHeader:
    """Which stored self-assessment a sheet reviews, and as which bytes (``self_hash``)."""

    assessment: int
    entity_id: str
    entity_name: str | None
    entity_type: str
    province: str | None
    questionnaire: str
    assessment_date: dt.date
    self_hash: str


@dataclass(frozen=True)
class SheetRow:
    """One answer of the self-assessment, as the reviewer sees it: the question, its options, the unit's answer."""

    question: str
    number: str
    text: str
    kind: QuestionType
    options: tuple[tuple[str, str], ...]  # value, label (never the points)
    allow_na: bool
    scored: bool
    self_value: object  # as a response writes it: text, a number, a list, "na"; None when unanswered
    evidence: str | None
    comment: str | None
    condition: str | None = None  # "Answer only if ..." for a question with skip logic
    asked: bool = True  # whether the self-assessment's answers asked it


@dataclass(frozen=True)
class ReviewSheet:
    """A sheet for one self-assessment, its texts in ``lang``."""

    header: SheetHeader
    rows: tuple[SheetRow, ...]
    lang: str

    def row(self, question_id: str) -> SheetRow | None:
        return next((row for row in self.rows if row.question == question_id), None)


def build_sheet(response: Response, *, assessment: int, self_hash: str, lang: str) -> ReviewSheet:
    """The sheet for a stored self-assessment: a row for every question asked of its entity type.

    Besides every answer, the questions left unanswered are there, and those its skip logic did
    not ask (with their condition): a correction may open them, and the reviewer then answers them.
    """
    entity = response.entity
    questionnaire = response.questionnaire
    header = SheetHeader(
        assessment=assessment,
        entity_id=entity.id,
        entity_name=entity.name,
        entity_type=entity.type,
        province=entity.province,
        questionnaire=questionnaire.ref,
        assessment_date=response.assessment.date,
        self_hash=self_hash,
    )
    numbers = question_numbers(questionnaire, entity_type=entity.type)
    rows = tuple(
        replace(
            _row(question, response.answers.get(qid), numbers[qid], lang),
            condition=only_if(questionnaire, question, lang=lang, numbers=numbers),
            asked=qid in response.applicable,
        )
        for qid, question in questionnaire.questions.items()
        if qid in numbers
    )
    return ReviewSheet(header, rows, lang)


def _row(question: Question, answer: Answer | None, number: str, lang: str) -> SheetRow:
    return SheetRow(
        question=question.id,
        number=number,
        text=pick(question.text, lang),
        kind=question.type,
        options=tuple((option.value, pick(option.label, lang)) for option in question.options or ()),
        allow_na=question.allow_na,
        scored=question.scored,
        self_value=None if answer is None else written_value(answer),
        evidence=None if answer is None else answer.evidence,
        comment=None if answer is None else answer.comment,
    )


def written_value(answer: Answer) -> object:
    """An answer's value as a response file writes it: ``na``, an option, a number, a list, an ISO date."""
    if answer.na:
        return NA
    return _plain(answer.value)


def _plain(value: AnswerValue | None) -> object:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ------------------------------------------------------------------------ the YAML sheet


@dataclass(frozen=True)
class Finding:
    """What a reviewer found of one answer: the verified value, whether the evidence was seen, a note."""

    verified: object
    evidence_checked: str = "yes"
    note: str | None = None


@dataclass(frozen=True)
class SheetFill:
    """A sheet filled in already (the demo's reviews): each answered question not in ``findings`` is confirmed."""

    reviewer: str
    review_date: dt.date
    findings: Mapping[str, Finding]

    def finding(self, row: SheetRow) -> Finding | None:
        if row.self_value is None:
            return None  # unanswered: nothing to confirm
        return self.findings.get(row.question, Finding(row.self_value))


def sheet_yaml(sheet: ReviewSheet, *, file_name: str, schema: str, filled: SheetFill | None = None) -> str:
    """The text of a fillable YAML sheet, commented in the sheet's language like ``dhti init``'s forms.

    With ``filled``, the reviewer, the date and every answer's verdict are written in.
    """
    lang, head = sheet.lang, sheet.header
    described = " · ".join(part for part in (head.entity_name, head.entity_type, head.province) if part)
    header = [
        f"yaml-language-server: $schema={schema}",
        sheet_text("title", lang),
        *sheet_text("how", lang, file=file_name).splitlines(),
        f"dhti {__version__}",
    ]
    review = [
        TemplateEntry("assessment", head.assessment, note=sheet_text("assessment", lang)),
        TemplateEntry("entity", head.entity_id, note=described or None),
        TemplateEntry("questionnaire", head.questionnaire, note=sheet_text("entity", lang)),
        TemplateEntry("assessment_date", head.assessment_date.isoformat(), note=sheet_text("entity", lang)),
        TemplateEntry("self_hash", head.self_hash, note=sheet_text("hash", lang)),
        TemplateEntry("reviewer", filled and filled.reviewer, note=sheet_text("reviewer", lang)),
        TemplateEntry("date", filled and filled.review_date.isoformat(), note=sheet_text("date", lang)),
    ]
    entries = [
        TemplateEntry("review", review, before=["", sheet_text("header", lang)]),
        TemplateEntry(
            "answers",
            [_yaml_row(row, lang, None if filled is None else filled.finding(row)) for row in sheet.rows],
            before=["", sheet_text("answers", lang)],
        ),
    ]
    return dump_template(entries, header=header)


def _yaml_row(row: SheetRow, lang: str, found: Finding | None = None) -> TemplateEntry:
    fields = [TemplateEntry("self", row.self_value, note=sheet_text("self", lang))]
    fields += [TemplateEntry(key, text) for key, text in (("evidence", row.evidence), ("comment", row.comment)) if text]
    fields += [
        TemplateEntry("verified", found and found.verified, note=sheet_text("verified", lang)),
        TemplateEntry("evidence_checked", found and found.evidence_checked, note=sheet_text("evidence_checked", lang)),
        TemplateEntry("note", found and found.note, note=sheet_text("note", lang)),
    ]
    return TemplateEntry(row.question, fields, before=["", *answer_guide(row, lang)])


def answer_guide(row: SheetRow, lang: str) -> list[str]:
    """The question and the answers it takes, as comment lines (options with labels, no points)."""
    lines = [f"[{row.number}] {row.text}"]
    if row.kind in (QuestionType.CHOICE, QuestionType.MULTI):
        lines.append(
            "    " + sheet_text("choose_one" if row.kind is QuestionType.CHOICE else "choose_many", lang) + ":"
        )
        lines += [f"      {value} = {label}" for value, label in row.options]
    else:
        key = {
            QuestionType.YES_NO: "yes_no",
            QuestionType.NUMBER: "number",
            QuestionType.PERCENT: "percent",
            QuestionType.TEXT: "text",
            QuestionType.DATE: "date_answer",
        }[row.kind]
        lines.append("    " + sheet_text(key, lang))
    notes = [sheet_text(key, lang) for key, wanted in (("na", row.allow_na), ("not_scored", not row.scored)) if wanted]
    if notes:
        lines.append("    (" + "; ".join(notes) + ")")
    if row.condition:
        lines.append(f"    {row.condition}")
    if not row.asked:
        lines.append("    " + sheet_text("not_asked", lang))
    return lines


# ------------------------------------------------------------------------ a filled sheet


@dataclass(frozen=True, order=True)
class CellProblem(Problem):
    """A problem in a workbook, at a cell: printed ``FILE:Sheet!D12: error: message``."""

    cell: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.cell}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Spot:
    """Where a value of a filled sheet is: a YAML line and column, or a workbook cell (``Answers!G12``)."""

    line: int
    column: int
    cell: str | None = None

    def problem(self, file: str, message: Message) -> Problem:
        if self.cell is None:
            return Problem.of(file, self.line, self.column, message)
        return CellProblem(file, self.line, self.column, str(message), Severity.ERROR, message, cell=self.cell)


@dataclass(frozen=True)
class FilledAnswer:
    """One answer as the reviewer left it; ``spots`` has the place of each field (and of the row, as ``row``)."""

    question: str
    self_value: object
    verified: object
    evidence_checked: object
    note: object
    spots: Mapping[str, Spot]
    has_self: bool = True

    def spot(self, name: str) -> Spot:
        return self.spots.get(name) or self.spots["row"]


@dataclass(frozen=True)
class FilledSheet:
    """A sheet read back: its header's values and places, and every answer row, in the sheet's order."""

    file: str
    sheet_format: str  # yaml | xlsx
    header: Mapping[str, object]
    header_spots: Mapping[str, Spot]
    answers: tuple[FilledAnswer, ...]
    answers_spot: Spot

    def spot(self, name: str) -> Spot:
        return self.header_spots.get(name) or self.header_spots["review"]

    def problem(self, name: str, message: Message) -> Problem:
        return self.spot(name).problem(self.file, message)

    @property
    def assessment(self) -> int | None:
        value = self.header.get("assessment")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_yaml_sheet(raw: bytes, file: str) -> FilledSheet:
    """Read a filled YAML sheet; its shape checked, every problem at its line and column (:class:`InputError`)."""
    document = load_bytes(raw, file)
    data = document.data
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InputError([document.problem([], L_("a review sheet must be a mapping with keys review and answers"))])
    problems += _unknown_keys(document, [], data, TOP_KEYS)
    header = data.get("review")
    if not isinstance(header, dict):
        problems.append(document.problem(["review"] if "review" in data else [], L_("missing the mapping 'review'")))
        header = {}
    problems += _unknown_keys(document, ["review"], header, HEADER_KEYS)
    raw_answers = data.get("answers")
    if not isinstance(raw_answers, dict):
        where = ["answers"] if "answers" in data else []
        problems.append(document.problem(where, L_("missing the mapping 'answers' of question id to answer")))
        raw_answers = {}
    answers = []
    for key, value in raw_answers.items():
        path: list[str | int] = ["answers", str(key)]
        if not isinstance(value, dict):
            problems.append(document.problem(path, L_("%(id)s: expected a mapping with self, verified, ...", id=key)))
            continue
        problems += _unknown_keys(document, path, value, ANSWER_KEYS)
        answers.append(_yaml_answer(document, str(key), value))
    if problems:
        raise InputError(problems)
    header_spots = {name: _spot(document, ["review", name]) for name in HEADER_KEYS}
    header_spots["review"] = _spot(document, ["review"], key=True)
    return FilledSheet(file, "yaml", header, header_spots, tuple(answers), _spot(document, ["answers"], key=True))


def _yaml_answer(document: Document, key: str, value: Mapping[object, object]) -> FilledAnswer:
    path: list[str | int] = ["answers", key]
    spots = {name: _spot(document, [*path, name]) for name in ANSWER_KEYS if name in value}
    spots["row"] = _spot(document, path, key=True)
    # A key written with ~ (or nothing) is None, as a key left out.
    return FilledAnswer(
        question=key,
        self_value=value.get("self"),
        verified=value.get("verified"),
        evidence_checked=value.get("evidence_checked"),
        note=value.get("note"),
        spots=spots,
        has_self="self" in value,
    )


def _spot(document: Document, path: Sequence[str | int], *, key: bool = False) -> Spot:
    line, column = document.position(path, key=key)
    return Spot(line, column)


def _unknown_keys(
    document: Document, path: Sequence[str | int], mapping: Mapping[object, object], allowed: Sequence[str]
) -> list[Problem]:
    found = []
    for key in mapping:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed)
            message = L_(
                "unknown key %(key)s%(hint)s (expected: %(keys)s)", key=repr(key), hint=hint, keys=", ".join(allowed)
            )
            found.append(document.problem([*path, str(key)], message, key=True))
    return found


# ------------------------------------------------------------------------ checking a filled sheet


@dataclass(frozen=True)
class Verdict:
    """What the review found of one answer: checked or not, confirmed or corrected (``changed``).

    ``self_json`` and ``verified_json`` are the values' JSON text as the store keeps them
    (``verified_json`` ``None`` when not checked); ``verified`` is the value to write into the
    verified response (as a response writes it).
    """

    question: str
    self_json: str | None
    verified_json: str | None
    verified: object
    evidence_checked: str | None
    note: str | None
    changed: bool

    @property
    def checked(self) -> bool:
        return self.verified_json is not None


@dataclass(frozen=True)
class CheckedSheet:
    """A filled sheet with no problem: the reviewer, the review date and a verdict per answer of the sheet."""

    reviewer: str
    review_date: dt.date
    verdicts: tuple[Verdict, ...]

    @property
    def corrected(self) -> tuple[Verdict, ...]:
        return tuple(verdict for verdict in self.verdicts if verdict.changed)

    @property
    def checked(self) -> tuple[Verdict, ...]:
        return tuple(verdict for verdict in self.verdicts if verdict.checked)


def check_sheet(
    filled: FilledSheet, sheet: ReviewSheet, questionnaire: Questionnaire, *, partial: bool
) -> CheckedSheet:
    """The verdicts of a filled sheet against the sheet made from the stored self-assessment now.

    Raises :class:`InputError` with every problem at its place: the self-assessment changed
    since the sheet was made (its hash), a header edited, no reviewer or review date, answer
    ids the questionnaire does not have or the sheet does not list, a self-assessed value
    edited, invalid verified values, and (unless ``partial``) scored answers left unchecked.
    """
    problems = _header_problems(filled, sheet.header)
    reviewer, review_date = _reviewer(filled, problems), _review_date(filled, sheet.header, problems)
    given = {answer.question: answer for answer in filled.answers}
    for extra in filled.answers:
        if sheet.row(extra.question) is None:
            problems.append(_not_on_sheet(filled, extra, questionnaire))
    verdicts = []
    for row in sheet.rows:
        answer = given.get(row.question)
        verdict = _verdict(filled, row, answer, questionnaire.questions[row.question], problems)
        if verdict is not None:
            verdicts.append(verdict)
            if not verdict.checked and row.scored and row.self_value is not None and not partial:
                where = answer.spot("verified") if answer is not None else filled.answers_spot
                message = L_(
                    "%(id)s is not checked: write under verified the value you found (the same value confirms it),"
                    " or apply with --partial to keep the answers left unchecked as self-assessed",
                    id=row.question,
                )
                problems.append(where.problem(filled.file, message))
    if problems or reviewer is None or review_date is None:
        raise InputError(problems)
    return CheckedSheet(reviewer, review_date, tuple(verdicts))


def _header_problems(filled: FilledSheet, header: SheetHeader) -> list[Problem]:
    problems = []
    digest = filled.header.get("self_hash")
    if digest != header.self_hash:
        message = L_(
            "self-assessment #%(number)s is no longer the one this sheet was made from (its hash is %(hash)s);"
            " make a new sheet with: dhti review init #%(number)s",
            number=header.assessment,
            hash=header.self_hash[:12] + "…",
        )
        problems.append(filled.problem("self_hash", message))
    for name, wanted in (
        ("entity", header.entity_id),
        ("questionnaire", header.questionnaire),
        ("assessment_date", header.assessment_date.isoformat()),
    ):
        found = filled.header.get(name)
        if found is not None and str(found) != wanted:
            message = L_(
                "%(key)s was changed to %(found)s; the self-assessment has %(wanted)s",
                key=name,
                found=repr(str(found)),
                wanted=repr(wanted),
            )
            problems.append(filled.problem(name, message))
    return problems


def _reviewer(filled: FilledSheet, problems: list[Problem]) -> str | None:
    value = filled.header.get("reviewer")
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(filled.problem("reviewer", L_("reviewer: required; write who checked (name, unit)")))
        return None
    if not isinstance(value, str):
        problems.append(filled.problem("reviewer", L_("reviewer: expected a name")))
        return None
    problem = text_problem(value.strip(), limit=MAX_NAME_CHARS)
    if problem is not None:
        problems.append(filled.problem("reviewer", problem))
        return None
    return value.strip()


def _review_date(filled: FilledSheet, header: SheetHeader, problems: list[Problem]) -> dt.date | None:
    value = filled.header.get("date")
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(filled.problem("date", L_("date: required; write the date of the review, e.g. 2026-11-20")))
        return None
    day = _day(value)
    if day is None or not FIRST_DATE <= day <= LAST_DATE:
        problems.append(
            filled.problem(
                "date", L_("date: expected a date such as 2026-11-20, not %(value)s", value=repr(str(value)))
            )
        )
        return None
    if day < header.assessment_date:
        message = L_(
            "date: the review (%(review)s) cannot be before the self-assessment it checks (%(assessed)s)",
            review=day.isoformat(),
            assessed=header.assessment_date.isoformat(),
        )
        problems.append(filled.problem("date", message))
        return None
    return day


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _not_on_sheet(filled: FilledSheet, answer: FilledAnswer, questionnaire: Questionnaire) -> Problem:
    if answer.question in questionnaire.questions:
        message = L_(
            "%(id)s is not on this sheet: the self-assessment neither answered it nor was asked it", id=answer.question
        )
    else:
        hint = did_you_mean(answer.question, list(questionnaire.questions))
        message = L_(
            "unknown question id %(id)s: not in %(questionnaire)s%(hint)s",
            id=repr(answer.question),
            questionnaire=questionnaire.ref,
            hint=hint,
        )
    return answer.spot("row").problem(filled.file, message)


def _verdict(
    filled: FilledSheet, row: SheetRow, answer: FilledAnswer | None, question: Question, problems: list[Problem]
) -> Verdict | None:
    self_json = None if row.self_value is None else answer_json(row.self_value)
    if answer is None:
        return Verdict(row.question, self_json, None, None, None, None, changed=False)
    before = len(problems)
    if answer.has_self and not _same(question, answer.self_value, row.self_value):
        message = L_(
            "%(id)s: the self-assessed value was changed (it is %(value)s); write what you found under verified",
            id=row.question,
            value=json.dumps(row.self_value, ensure_ascii=False),
        )
        problems.append(answer.spot("self").problem(filled.file, message))
    evidence = _evidence_checked(filled, answer, problems)
    note = _note(filled, answer, problems)
    verified = _verified(filled, answer, question, problems)
    if len(problems) > before:
        return None
    if verified is None:
        return Verdict(row.question, self_json, None, None, evidence, note, changed=False)
    changed = not _same(question, verified, row.self_value)
    return Verdict(row.question, self_json, answer_json(verified), verified, evidence, note, changed=changed)


def _evidence_checked(filled: FilledSheet, answer: FilledAnswer, problems: list[Problem]) -> str | None:
    value = answer.evidence_checked
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().lower() if not isinstance(value, bool) else ("yes" if value else "no")
    if text not in EVIDENCE_CHECKS:
        message = L_(
            "%(id)s: evidence_checked is yes, no or missing, not %(value)s", id=answer.question, value=repr(str(value))
        )
        problems.append(answer.spot("evidence_checked").problem(filled.file, message))
        return None
    return text


def _note(filled: FilledSheet, answer: FilledAnswer, problems: list[Problem]) -> str | None:
    value = answer.note
    if value is None:
        return None
    if isinstance(value, dict | list):
        problems.append(answer.spot("note").problem(filled.file, L_("%(id)s: note: expected text", id=answer.question)))
        return None
    text = str(value).strip()
    problem = text_problem(text, limit=MAX_TEXT_CHARS, invisible=True)
    if problem is not None:
        problems.append(
            answer.spot("note").problem(
                filled.file, L_("%(id)s: note: %(problem)s", id=answer.question, problem=problem)
            )
        )
        return None
    return text or None


def _verified(filled: FilledSheet, answer: FilledAnswer, question: Question, problems: list[Problem]) -> object:
    """The verified value as a response writes it, ``None`` when left empty (a problem when it is invalid)."""
    value = answer.verified
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().lower() == NA:
        if question.allow_na:
            return NA
        message = L_("%(id)s: 'na' (not applicable) is not allowed for this question", id=answer.question)
        problems.append(answer.spot("verified").problem(filled.file, message))
        return None
    try:
        typed = coerce(question, value)
    except MessageError as err:
        problems.append(
            answer.spot("verified").problem(
                filled.file, L_("%(id)s: verified: %(problem)s", id=answer.question, problem=err.text)
            )
        )
        return None
    return _plain(typed)


def _same(question: Question, first: object, second: object) -> bool:
    """Whether two values written as a response writes them are the same answer (a multi's order does not count)."""
    return _canonical(question, first) == _canonical(question, second)


def _canonical(question: Question, value: object) -> object:
    if value is None or (isinstance(value, str) and value.strip().lower() == NA):
        return value if value is None else NA
    try:
        typed = coerce(question, value)
    except MessageError:
        return ("invalid", repr(value))
    return frozenset(typed) if isinstance(typed, tuple) else typed


def answer_json(value: object) -> str:
    """An answer's value as the store keeps it: JSON text (``"na"`` for na, a list for several options)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def not_asked(filled: FilledSheet, checked: CheckedSheet, applicable: frozenset[str]) -> list[Problem]:
    """Answers the reviewer gave to questions the verified answers do not ask (their skip logic stays closed)."""
    spots = {answer.question: answer for answer in filled.answers}
    problems = []
    for verdict in checked.verdicts:
        if verdict.changed and verdict.self_json is None and verdict.question not in applicable:
            message = L_(
                "%(id)s is not asked given the verified answers (its skip logic stays closed); leave verified empty",
                id=verdict.question,
            )
            answer = spots.get(verdict.question)
            where = answer.spot("verified") if answer is not None else filled.answers_spot
            problems.append(where.problem(filled.file, message))
    return problems


# ------------------------------------------------------------------------ the verified response


def verified_data(self_data: Mapping[object, object], checked: CheckedSheet) -> dict[object, object]:
    """The self-assessment's data with each corrected answer's value replaced (its evidence and comment kept)."""
    data = dict(self_data)
    given_answers = data.get("answers")
    answers = dict(given_answers) if isinstance(given_answers, dict) else {}
    for verdict in checked.corrected:
        given = answers.get(verdict.question)
        answers[verdict.question] = (
            {**given, "value": verdict.verified} if isinstance(given, dict) else verdict.verified
        )
    data["answers"] = answers
    return data


def verified_response(
    self_data: Mapping[object, object], checked: CheckedSheet, *, header: SheetHeader, sheet_hash: str, lang: str
) -> bytes:
    """The verified response's bytes: the self-assessment with the corrections, saying who verified it and from what.

    Read back, it holds exactly :func:`verified_data`; a value the writer cannot keep exactly is
    an error, never a silent change.
    """
    data = verified_data(self_data, checked)
    lines = [
        sheet_text(
            "verified_by",
            lang,
            reviewer=checked.reviewer,
            date=checked.review_date.isoformat(),
            number=str(header.assessment),
            digest=header.self_hash,
        ),
        sheet_text("sheet", lang, digest=sheet_hash, version=__version__),
    ]
    text = dump_template([TemplateEntry(str(key), value) for key, value in data.items()], header=lines)
    raw = text.encode("utf-8")
    if load_bytes(raw, "verified").data != data:
        raise InputError([Problem.of("verified", 1, 1, L_("the verified response could not be written exactly"))])
    return raw
