"""Review sheets as Excel workbooks: written with drop-down lists and locked self-assessed columns, read back by cell.

Reviewers in a Department of Health often work in Excel. The workbook has a header sheet
(which self-assessment, who reviewed, when), a sheet with one row per answer, and a hidden
sheet holding each question's options for its drop-down list. Every problem found reading it
back names its cell (``Answers!G12``). The bytes are expected checked already against the
limits of :func:`dhti.interop.tables.check_workbook` (the job does it): openpyxl is only
asked to read a workbook of a sane size.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from dhti.errors import InputError, Problem
from dhti.i18n import N_, translations
from dhti.messages import L_, plain
from dhti.questionnaire import QuestionType
from dhti.response import NA
from dhti.review import (
    EVIDENCE_CHECKS,
    CellProblem,
    FilledAnswer,
    FilledSheet,
    ReviewSheet,
    SheetRow,
    Spot,
    sheet_text,
)

MAX_ROWS = 5_000  # the largest questionnaire has under 200 questions
_NUMBER = re.compile(r"^\s*[0-9]+(?:[.,][0-9]+)?\s*$")
_MULTI_SEPARATORS = re.compile(r"\s*[,;]\s*")

_TEXT: dict[str, str] = {
    "review_sheet": N_("Review"),
    "answers_sheet": N_("Answers"),
    "options_sheet": N_("Options"),
    "assessment": N_("Assessment number"),
    "entity": N_("Entity"),
    "entity_name": N_("Entity name"),
    "questionnaire": N_("Questionnaire"),
    "assessment_date": N_("Assessment date"),
    "self_hash": N_("Self-assessment hash"),
    "reviewer": N_("Reviewer (name, unit)"),
    "date": N_("Review date (e.g. 2026-11-20)"),
    "number": N_("No."),
    "question": N_("Question id"),
    "text": N_("Question"),
    "self": N_("Self-assessed"),
    "evidence": N_("Evidence given"),
    "comment": N_("Unit's comment"),
    "verified": N_("Verified value"),
    "evidence_checked": N_("Evidence checked (yes: seen, no: not checked, missing: not shown)"),
    "note": N_("Reviewer's note"),
    "guide": N_("Answers it takes"),
    "how": N_(
        "Fill in the reviewer and the review date above, then on the sheet of answers, for every"
        " answer: Verified value (the same value confirms it, another valid value corrects it; several"
        " options separated by commas), Evidence (yes: seen, no: not checked, missing: not shown) and"
        " a note if needed. The other cells are locked. Record it with: dhti review apply FILE.xlsx"
    ),
}

# The header sheet: (key, label) per row from row 3; the key sits in hidden column C for reading back.
HEADER_ROWS = (
    "assessment",
    "entity",
    "entity_name",
    "questionnaire",
    "assessment_date",
    "self_hash",
    "reviewer",
    "date",
)
_FIRST_HEADER_ROW = 3
# The sheet of answers: its columns, in order.
COLUMNS = ("number", "question", "text", "guide", "self", "evidence", "comment", "verified", "evidence_checked", "note")
_WIDTHS = {"number": 8, "question": 30, "text": 60, "guide": 40, "self": 22, "evidence": 40, "comment": 36}
_WIDTHS |= {"verified": 22, "evidence_checked": 18, "note": 40}
_KIND_COLUMN = len(COLUMNS) + 1  # hidden: the question's type, so that a list is read back as one
_EDITABLE = ("verified", "evidence_checked", "note")


def _t(key: str, lang: str) -> str:
    return translations(lang).gettext(_TEXT[key])


def letter(name: str) -> str:
    """The column letter of one of :data:`COLUMNS` (``verified`` -> ``H``)."""
    return chr(ord("A") + COLUMNS.index(name))


def quoted(title: str) -> str:
    """A sheet's name as a cell reference writes it: ``Answers``, or ``'Câu trả lời'`` when it has spaces."""
    return title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'" + title.replace("'", "''") + "'"


def sheet_workbook(sheet: ReviewSheet) -> bytes:
    """The workbook of a review sheet, in the sheet's language."""
    from openpyxl import Workbook  # noqa: PLC0415 - only XLSX sheets need openpyxl

    workbook = Workbook()
    header = workbook.active
    header.title = _t("review_sheet", sheet.lang)
    answers = workbook.create_sheet(_t("answers_sheet", sheet.lang))
    options = workbook.create_sheet(_t("options_sheet", sheet.lang))
    options.sheet_state = "hidden"
    _write_header(header, sheet)
    _write_answers(answers, options, sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_header(ws: Any, sheet: ReviewSheet) -> None:  # noqa: ANN401 - an openpyxl worksheet
    from openpyxl.styles import Alignment, Font, Protection  # noqa: PLC0415

    lang, head = sheet.lang, sheet.header
    ws["A1"] = sheet_text("title", lang)
    ws["A1"].font = Font(bold=True, size=14)
    values = {
        "assessment": head.assessment,
        "entity": head.entity_id,
        "entity_name": " · ".join(part for part in (head.entity_name, head.entity_type, head.province) if part),
        "questionnaire": head.questionnaire,
        "assessment_date": head.assessment_date.isoformat(),
        "self_hash": head.self_hash,
        "reviewer": None,
        "date": None,
    }
    for offset, key in enumerate(HEADER_ROWS):
        row = _FIRST_HEADER_ROW + offset
        ws.cell(row, 1, _t(key, lang)).font = Font(bold=True)
        cell = _put(ws.cell(row, 2), values[key])
        cell.number_format = "@"  # text: Excel must not turn a date or a code into something else
        if key in ("reviewer", "date"):
            cell.protection = Protection(locked=False)
        ws.cell(row, 3, key)
    guide = ws.cell(_FIRST_HEADER_ROW + len(HEADER_ROWS) + 1, 1, _t("how", lang))
    guide.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=guide.row, start_column=1, end_row=guide.row, end_column=2)
    ws.row_dimensions[guide.row].height = 90
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].hidden = True
    _protect(ws)


def _protect(ws: Any) -> None:  # noqa: ANN401
    """Lock the sheet (no password: the lock guards against slips, not against people), columns still resizable."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _write_answers(ws: Any, options: Any, sheet: ReviewSheet) -> None:  # noqa: ANN401
    from openpyxl.styles import Alignment, Font, PatternFill, Protection  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    lang = sheet.lang
    for column, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(1, column, _t(name, lang))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter(name)].width = _WIDTHS[name]
    ws.column_dimensions[chr(ord("A") + _KIND_COLUMN - 1)].hidden = True
    ws.freeze_panes = "D2"
    checks = DataValidation(type="list", formula1='"' + ",".join(EVIDENCE_CHECKS) + '"', allow_blank=True)
    ws.add_data_validation(checks)
    editable = PatternFill("solid", fgColor="FFF8E1")
    for number, row in enumerate(sheet.rows, start=2):
        _write_row(ws, number, row, lang)
        for name in _EDITABLE:
            cell = ws[f"{letter(name)}{number}"]
            cell.protection = Protection(locked=False)
            cell.fill = editable
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        checks.add(f"{letter('evidence_checked')}{number}")
        validation = _validation(row, options, number, DataValidation)
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(f"{letter('verified')}{number}")
    _protect(ws)


def _write_row(ws: Any, number: int, row: SheetRow, lang: str) -> None:  # noqa: ANN401
    from openpyxl.styles import Alignment  # noqa: PLC0415

    from dhti.review import answer_guide  # noqa: PLC0415

    values = {
        "number": row.number,
        "question": row.question,
        "text": row.text,
        "guide": "\n".join(line.strip() for line in answer_guide(row, lang)[1:]),
        "self": cell_value(row.self_value),
        "evidence": row.evidence,
        "comment": row.comment,
    }
    for name, value in values.items():
        cell = _put(ws[f"{letter(name)}{number}"], value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws[f"{letter('verified')}{number}"].number_format = "@" if row.kind not in _NUMERIC else "General"
    ws.cell(number, _KIND_COLUMN, str(row.kind))


_NUMERIC = (QuestionType.NUMBER, QuestionType.PERCENT)


def _put(cell: Any, value: object) -> Any:  # noqa: ANN401 - an openpyxl cell
    """Set a cell; text stays text ("=..." in an entity's evidence is never a formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        cell.number_format = "@"
    return cell


def cell_value(value: object) -> object:
    """A value as a cell holds it: a list of options as ``a, b``; text and numbers as they are."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value


def _validation(row: SheetRow, options: Any, number: int, kind: Any) -> Any:  # noqa: ANN401
    """The drop-down list (from the hidden sheet of options) or the number check of a row's Verified cell."""
    values: list[str] = []
    if row.kind is QuestionType.CHOICE:
        values = [value for value, _label in row.options]
    elif row.kind is QuestionType.YES_NO:
        values = ["yes", "no"]
    if values:
        values += [NA] if row.allow_na else []
        for column, value in enumerate(values, start=2):
            _put(options.cell(number, column), value)
        _put(options.cell(number, 1), row.question)
        last = chr(ord("A") + len(values))
        formula = f"{quoted(options.title)}!$B${number}:${last}${number}"
        return kind(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
    if row.kind in _NUMERIC and not row.allow_na:
        top = "100" if row.kind is QuestionType.PERCENT else "1000000000"
        return kind(type="decimal", operator="between", formula1="0", formula2=top, allow_blank=True)
    return None


# ------------------------------------------------------------------------ reading a workbook back


def read_workbook(raw: bytes, file: str) -> FilledSheet:
    """A filled workbook read back, every value with its cell; :class:`InputError` when it is not a review sheet."""
    from openpyxl import load_workbook  # noqa: PLC0415

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as err:
        message = L_("not a readable .xlsx workbook (%(reason)s)", reason=plain(str(err)))
        raise InputError([Problem.of(file, 1, 1, message)]) from err
    try:
        sheets = workbook.worksheets
        if len(sheets) < 2:
            message = L_(
                "not a review sheet: a workbook made by dhti review init has a header sheet and a sheet of answers"
            )
            raise InputError([Problem.of(file, 1, 1, message)])
        header, spots = _read_header(sheets[0], file)
        answers, answers_spot = _read_answers(sheets[1], file)
    finally:
        workbook.close()
    return FilledSheet(file, "xlsx", header, spots, answers, answers_spot)


def _cell_spot(title: str, row: int, column: int) -> Spot:
    return Spot(row, column, f"{quoted(title)}!{chr(ord('A') + column - 1)}{row}")


def _rows(ws: Any, file: str) -> Iterator[tuple[int, tuple[object, ...]]]:  # noqa: ANN401
    ws.reset_dimensions()
    for number, values in enumerate(ws.iter_rows(values_only=True, max_col=_KIND_COLUMN), start=1):
        if number > MAX_ROWS:
            message = L_(
                "%(sheet)s has more than %(limit)s rows; a review sheet has one per answer",
                sheet=ws.title,
                limit=MAX_ROWS,
            )
            raise InputError([Problem.of(file, number, 1, message)])
        yield number, tuple(values) + (None,) * (_KIND_COLUMN - len(values))


def _read_header(ws: Any, file: str) -> tuple[dict[str, object], dict[str, Spot]]:  # noqa: ANN401
    header: dict[str, object] = {}
    spots = {"review": _cell_spot(ws.title, 1, 1)}
    for number, values in _rows(ws, file):
        key = values[2]
        if isinstance(key, str) and key in HEADER_ROWS:
            header[key] = _text_cell(values[1])
            spots[key] = _cell_spot(ws.title, number, 2)
    if "assessment" in header:
        header["assessment"] = _whole(header["assessment"])
    if "self_hash" not in header:
        message = L_("not a review sheet: its first sheet has no self-assessment hash (make one with dhti review init)")
        raise InputError([Problem.of(file, 1, 1, message)])
    return header, spots


def _whole(value: object) -> object:
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _read_answers(ws: Any, file: str) -> tuple[tuple[FilledAnswer, ...], Spot]:  # noqa: ANN401
    found = []
    seen: dict[str, int] = {}
    problems = []
    for number, values in _rows(ws, file):
        question = values[COLUMNS.index("question")]
        if number == 1 or question is None or (isinstance(question, str) and not question.strip()):
            continue
        ident = str(question).strip()
        if ident in seen:
            message = L_("%(id)s is listed twice (first in row %(row)s)", id=repr(ident), row=seen[ident])
            problems.append(_cell_spot(ws.title, number, COLUMNS.index("question") + 1).problem(file, message))
            continue
        seen[ident] = number
        found.append(_answer(ws.title, number, ident, values))
    if problems:
        raise InputError(problems)
    return tuple(found), _cell_spot(ws.title, 1, 1)


def _answer(title: str, number: int, ident: str, values: tuple[object, ...]) -> FilledAnswer:
    kind = values[_KIND_COLUMN - 1]
    spots = {name: _cell_spot(title, number, COLUMNS.index(name) + 1) for name in (*_EDITABLE, "self")}
    spots["row"] = _cell_spot(title, number, COLUMNS.index("question") + 1)
    return FilledAnswer(
        question=ident,
        self_value=_typed(values[COLUMNS.index("self")], kind),
        verified=_typed(values[COLUMNS.index("verified")], kind),
        evidence_checked=_text_cell(values[COLUMNS.index("evidence_checked")]),
        note=_text_cell(values[COLUMNS.index("note")]),
        spots=spots,
    )


def _text_cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None
    return value


def _typed(value: object, kind: object) -> object:
    """A cell's value as a response would write it, for the question's type (its hidden column)."""
    value = _text_cell(value)
    if not isinstance(value, str) or value.strip().lower() == NA:
        return value
    if kind == QuestionType.MULTI:
        return [item for item in _MULTI_SEPARATORS.split(value) if item]
    if kind in _NUMERIC and _NUMBER.match(value):
        number = float(value.replace(",", "."))
        return int(number) if number.is_integer() else number
    return value


__all__ = ["COLUMNS", "HEADER_ROWS", "CellProblem", "cell_value", "letter", "quoted", "read_workbook", "sheet_workbook"]
