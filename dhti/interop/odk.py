"""ODK Central and KoboToolbox submissions of dhti's XLSForm, turned into response files.

A submission table is a CSV file (ODK Central or Kobo, comma or semicolon separated) or the
first sheet of an .xlsx export.  Columns name fields by group path (``grp/name`` in Kobo,
``grp-name`` in ODK Central, or just ``name``); select_multiple answers are space-separated
values, and Kobo's one-column-per-option copies of them are read only when the main column is
missing.  Metadata columns (KEY, SubmissionDate, instanceID, _uuid...) are kept in a comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dhti.errors import InputError, OutputError, Problem, did_you_mean
from dhti.interop import ConversionError
from dhti.interop.drafts import (
    Draft,
    DraftAnswer,
    DraftValue,
    check_draft,
    mentioned_question,
    refuse_existing,
    safe_stem,
    unique_names,
)
from dhti.interop.tables import Table, read_table
from dhti.interop.xlsform import NA, QUESTIONNAIRE_FIELD, FieldKind, FormField, form_fields, xlsform_name
from dhti.messages import ENGLISH, L_, Count, Message
from dhti.outfiles import make_folder, write_atomic
from dhti.questionnaire import Questionnaire, QuestionType
from dhti.registry import Registry

METADATA = frozenset(
    name.lower()
    for name in (
        # ODK Central and Briefcase
        "KEY", "SubmissionDate", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
        "Status", "ReviewState", "DeviceID", "Edits", "FormVersion", "instanceID", "instanceName", "deprecatedID",
        "PARENT_KEY", "audit",
        # KoboToolbox
        "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
        "__version__", "_version_", "_tags", "_index", "_parent_table_name", "_parent_index", "_attachments",
        "_geolocation", "_xform_id_string", "rootUuid", "formhub", "uuid",
        # metadata fields a form builder may add
        "start", "end", "today", "deviceid", "username", "simserial", "subscriberid", "phonenumber", "email",
    )
)  # fmt: skip
MAX_HEADER_PROBLEMS = 20
KEEP_IN_COMMENT = ("instanceid", "_uuid", "key", "submissiondate", "_submission_time", "submittername", "_submitted_by")
_TRUE_CELLS = frozenset({"1", "1.0", "true", "yes", "x"})
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]")


@dataclass(frozen=True)
class RowProblem:
    """A problem with one submission, by its row number in the table (the header is row 1).

    ``message`` is English; ``text``, when there is one, renders it in another language (:meth:`render`).
    """

    file: str
    row: int
    message: str
    column: str = ""
    severity: str = "error"
    text: Message | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, file: str, row: int, message: Message, *, column: str = "", severity: str = "error") -> RowProblem:
        return cls(file, row, str(message), column, severity, message)

    def __str__(self) -> str:
        return self.render(ENGLISH)

    def render(self, lang: str) -> str:
        """``FILE: row N, column 'C': error: message`` with the message in ``lang``."""
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        message = self.message if self.text is None else self.text.render(lang)
        return f"{self.file}: {where}: {self.severity}: {message}"


@dataclass(frozen=True)
class Column:
    """What one column of the table holds: a form field, one option of a multi question, or metadata."""

    index: int
    header: str
    field: FormField | None = None
    option: str | None = None  # a Kobo "one column per option" copy of a select_multiple


@dataclass(frozen=True)
class Written:
    row: int
    path: Path
    entity_id: str


@dataclass
class ImportResult:
    """What ``dhti import odk`` did: the files written and every problem by row."""

    written: list[Written] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0

    @property
    def skipped(self) -> int:
        return self.rows - len(self.written)


# ---------------------------------------------------------------------------------- columns


def _segments(header: str) -> list[str]:
    return [part for part in re.split(r"[/:]|-(?=[A-Za-z_])", header) if part]


def find_questionnaire_column(header: Sequence[str]) -> int | None:
    """The column of the form's hidden ``dhti_questionnaire`` field, if the export has it."""
    for index, text in enumerate(header):
        if _segments(text)[-1:] == [QUESTIONNAIRE_FIELD]:
            return index
    return None


def map_columns(table: Table, questionnaire: Questionnaire) -> list[Column]:
    """What each column holds; raise listing every column that is neither a field nor metadata."""
    fields = form_fields(questionnaire)
    by_id = {f.key: f for f in fields.values() if f.kind is FieldKind.QUESTION}
    columns: list[Column] = []
    problems: list[Problem] = []
    for index, header in enumerate(table.header):
        column = _column(index, header, fields, by_id, questionnaire)
        if column is None:
            hint = did_you_mean(_segments(header)[-1] if _segments(header) else header, fields, aside=True)
            message = L_(
                "unknown column %(header)s: not a field of %(ref)s's form nor ODK or Kobo metadata%(hint)s",
                header=repr(header),
                ref=questionnaire.ref,
                hint=hint,
            )
            problems.append(Problem.of(table.file, 1, index + 1, message))
        else:
            columns.append(column)
    problems += _duplicates(table.file, columns)
    if not any(c.field is not None and c.field.kind is FieldKind.QUESTION for c in columns) and not problems:
        message = L_("no column holds an answer to %(ref)s; is this the right form?", ref=questionnaire.ref)
        problems.append(Problem.of(table.file, 1, 1, message))
    if not any(c.field is not None and c.field.name == "entity_id" for c in columns):
        message = L_("no entity_id column: every submission needs the entity's code")
        problems.append(Problem.of(table.file, 1, 1, message))
    if problems:
        raise InputError(_first_problems(problems))
    return columns


def _first_problems(problems: list[Problem]) -> list[Problem]:
    """The first problems of the header, and where the rest begin: a wrong file can have thousands."""
    ordered = sorted(problems)
    if len(ordered) <= MAX_HEADER_PROBLEMS:
        return ordered
    rest = ordered[MAX_HEADER_PROBLEMS]
    message = L_(
        "and %(count)s more problems with the columns from here on", count=Count(len(ordered) - MAX_HEADER_PROBLEMS)
    )
    return [*ordered[:MAX_HEADER_PROBLEMS], Problem.of(rest.file, rest.line, rest.column, message)]


def _column(
    index: int,
    header: str,
    fields: Mapping[str, FormField],
    by_id: Mapping[str, FormField],
    questionnaire: Questionnaire,
) -> Column | None:
    segments = _segments(header.strip())
    if not segments:
        return None
    known = fields.get(segments[-1]) or by_id.get(segments[-1])
    if known is not None:
        return Column(index, header, known)
    split = _option_column(header.strip(), fields, questionnaire)
    if split is not None:
        return Column(index, header, split[0], split[1])
    if segments[-1].lower() in METADATA or header.startswith("_") or any(part.lower() == "meta" for part in segments):
        return Column(index, header)
    return None


def _option_column(
    header: str, fields: Mapping[str, FormField], questionnaire: Questionnaire
) -> tuple[FormField, str] | None:
    """A Kobo copy of one option of a select_multiple, such as ``grp/services/telemedicine``."""
    for form_field in fields.values():
        if form_field.kind is FieldKind.NA_FLAG:
            options: tuple[str, ...] = (NA,)
        elif (
            form_field.kind is FieldKind.QUESTION and questionnaire.questions[form_field.key].type is QuestionType.MULTI
        ):
            options = (*questionnaire.questions[form_field.key].option_values, NA)
        else:
            continue
        match = re.search(rf"(?:^|[/-]){re.escape(form_field.name)}[/-](.+)$", header)
        if match and match.group(1) in options:
            return form_field, match.group(1)
    return None


def _duplicates(file: str, columns: Sequence[Column]) -> list[Problem]:
    seen: dict[tuple[str, str | None], Column] = {}
    problems = []
    for column in columns:
        if column.field is None:
            continue
        key = (column.field.name, column.option)
        if key in seen:
            message = L_(
                "columns %(first)s and %(second)s both hold %(field)s",
                first=repr(seen[key].header),
                second=repr(column.header),
                field=repr(column.field.name),
            )
            problems.append(Problem.of(file, 1, column.index + 1, message))
        seen[key] = column
    return problems


# ---------------------------------------------------------------------------------- rows


def row_draft(cells: Sequence[str], columns: Sequence[Column], questionnaire: Questionnaire) -> Draft:
    """One submission as a response draft (values checked later by validation)."""
    values: dict[str, str] = {}
    split: dict[str, list[str]] = {}
    seen_split: set[str] = set()
    for column in columns:
        cell = cells[column.index]
        if column.field is None:
            continue
        if column.option is not None:
            seen_split.add(column.field.name)
            if cell.lower() in _TRUE_CELLS:
                split.setdefault(column.field.name, []).append(column.option)
            continue
        if cell:
            values[column.field.name] = cell
    for name in seen_split - set(values):
        if name in split:
            values[name] = " ".join(split[name])
    entity = {
        f.key: _entity_value(f.key, values[f.name]) for f in _fields(columns, FieldKind.ENTITY) if f.name in values
    }
    assessment = {
        f.key: _date_part(values[f.name]) if f.key == "date" else values[f.name]
        for f in _fields(columns, FieldKind.ASSESSMENT)
        if f.name in values
    }
    if "type" not in entity and len(questionnaire.entity_types) == 1:
        entity["type"] = questionnaire.entity_types[0]
    return Draft(questionnaire.ref, entity, assessment, _answers(values, questionnaire))


def _fields(columns: Sequence[Column], kind: FieldKind) -> Iterator[FormField]:
    for column in columns:
        if column.field is not None and column.field.kind is kind and column.option is None:
            yield column.field


def _entity_value(key: str, cell: str) -> str | int:
    if key == "beds" and re.fullmatch(r"\d+(\.0+)?", cell):
        return int(float(cell))
    return cell


def _date_part(cell: str) -> str:
    return cell[:10] if _DATE_TIME.match(cell) else cell


def _answers(values: Mapping[str, str], questionnaire: Questionnaire) -> dict[str, DraftAnswer]:
    answers: dict[str, DraftAnswer] = {}
    for qid, question in questionnaire.questions.items():
        name = xlsform_name(qid)
        cell = values.get(name, "")
        value: DraftValue | None = _typed(question.type, cell) if cell else None
        if values.get(f"{name}_na", "").split() == [NA]:
            value = NA
        evidence = values.get(f"{name}_evidence")
        if value is not None or evidence:
            answers[qid] = DraftAnswer(value, evidence=evidence)
    return answers


def _typed(kind: QuestionType, cell: str) -> DraftValue:
    if cell.lower() == NA:
        return NA
    if kind is QuestionType.MULTI:
        return tuple(cell.split())
    if kind in (QuestionType.NUMBER, QuestionType.PERCENT):
        try:
            number = float(cell)
        except ValueError:
            return cell  # validation explains what is wrong with it
        return int(number) if number.is_integer() else number
    if kind is QuestionType.DATE:
        return _date_part(cell)
    return cell


# ---------------------------------------------------------------------------------- the job


def import_submissions(path: Path, output: Path, *, registry: Registry, force: bool = False) -> ImportResult:
    """Write one response file per valid submission into ``output``; report the others by row.

    The questionnaire is the registry's override if it has one (``--questionnaire``), else the
    one the table names in its ``dhti_questionnaire`` column.  Nothing is written when an
    output file exists already and ``force`` is not given.
    """
    table = read_table(path)
    importer = _Importer(table, registry.override or _named_questionnaire(table, registry), registry)
    result = ImportResult()
    accepted: list[tuple[int, str, str]] = []  # row, entity id, YAML text
    for row, cells in table.rows:
        if not any(cells):
            continue
        result.rows += 1
        problems, converted = importer.convert(row, cells)
        result.problems += problems
        if converted is not None:
            accepted.append((row, *converted))
    stems = [safe_stem(entity_id) for _, entity_id, _ in accepted]
    names = unique_names(stems)
    for (row, entity_id, _), stem, name in zip(accepted, stems, names, strict=True):
        if name != f"{stem}.yaml":
            message = L_(
                "entity %(id)s was submitted more than once; this submission is written to %(name)s",
                id=repr(entity_id),
                name=name,
            )
            result.problems.append(RowProblem.of(table.file, row, message, severity="warning"))
    targets = [output / name for name in names]
    _prepare_folder(output)
    refuse_existing(targets, force=force)
    for (row, entity_id, text), target in zip(accepted, targets, strict=True):
        write_atomic(target, text, force=force)
        result.written.append(Written(row, target, entity_id))
    result.problems.sort(key=lambda problem: problem.row)
    return result


def _named_questionnaire(table: Table, registry: Registry) -> Questionnaire:
    index = find_questionnaire_column(table.header)
    width = len(table.header)  # a row of another width is skipped, so it names nothing
    names = {cells[index] for _, cells in table.rows if index is not None and len(cells) == width and cells[index]}
    if index is None or not names:
        message = L_(
            "%(file)s: cannot tell which questionnaire these submissions answer (no %(field)s column,"
            " as in forms from 'dhti export xlsform'); give --questionnaire ID",
            file=table.file,
            field=QUESTIONNAIRE_FIELD,
        )
        raise ConversionError(message)
    if len(names) > 1:
        shown = ", ".join(sorted(names))
        message = L_(
            "%(file)s: submissions of several questionnaires (%(names)s); give --questionnaire ID",
            file=table.file,
            names=shown,
        )
        raise ConversionError(message)
    return registry.get(names.pop())


class _Importer:
    """Turns the rows of one table into checked response texts."""

    def __init__(self, table: Table, questionnaire: Questionnaire, registry: Registry) -> None:
        self.table = table
        self.q = questionnaire
        self.registry = registry
        self.columns = map_columns(table, questionnaire)

    def convert(self, row: int, cells: tuple[str, ...]) -> tuple[list[RowProblem], tuple[str, str] | None]:
        """The row's problems, and its entity id and response text unless it has an error."""
        file = self.table.file
        if len(cells) != len(self.table.header):
            message = L_(
                "row has %(count)s cells, the header has %(header)s; row skipped",
                count=Count(len(cells)),
                header=Count(len(self.table.header)),
            )
            return [RowProblem.of(file, row, message)], None
        draft = row_draft(cells, self.columns, self.q)
        header = _comment(self.table, row, cells, self.columns)
        checked = check_draft(draft, file=f"{file} row {row}", registry=self.registry, header=header)
        problems = [
            RowProblem(file, row, p.message, _column_of(p.message, self.columns, self.q), str(p.severity), p.text)
            for p in checked.validation.problems
        ]
        if checked.validation.errors:
            return [*problems, RowProblem.of(file, row, L_("row skipped"))], None
        return problems, (str(draft.entity.get("id", "")), checked.text)


def _column_of(message: str, columns: Sequence[Column], questionnaire: Questionnaire) -> str:
    """The column a validation message is about, so that the user finds the cell."""
    qid = mentioned_question(message, questionnaire)
    missing = re.match(r"missing required key '(\w+)' in (entity|assessment)", message)
    if missing:
        message = f"{missing.group(2)}.{missing.group(1)}:"
    for column in columns:
        if column.field is None or column.option is not None:
            continue
        kind, key = column.field.kind, column.field.key
        if qid and kind is FieldKind.QUESTION and key == qid:
            return column.header
        if not qid and kind in (FieldKind.ENTITY, FieldKind.ASSESSMENT) and message.startswith(f"{kind}.{key}:"):
            return column.header
    return ""


def _comment(table: Table, row: int, cells: Sequence[str], columns: Sequence[Column]) -> list[str]:
    lines = [f"Imported by dhti from {Path(table.file).name}, row {row}."]
    for column in columns:
        key = _segments(column.header)[-1].lower() if _segments(column.header) else ""
        if column.field is None and key in KEEP_IN_COMMENT and cells[column.index]:
            lines.append(f"{column.header}: {cells[column.index]}")
    return lines


def _prepare_folder(output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise OutputError(L_("%(output)s is a file; give a folder for the response files", output=str(output)))
    if not output.parent.is_dir():
        message = L_(
            "cannot write into %(output)s: folder %(folder)s does not exist",
            output=str(output),
            folder=str(output.parent),
        )
        raise OutputError(message)
    make_folder(output)
