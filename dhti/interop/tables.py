"""Submission tables (.csv, or the first sheet of an .xlsx) read within limits on what they may expand to.

A 1 MB workbook can unpack to gigabytes of rows and cells, so every limit is checked before
or while reading, never after: the zip members' declared sizes (which :mod:`zipfile` holds
each member to), the sheet's declared dimension, then every row as it streams in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, Protocol
from xml.etree.ElementTree import ParseError

from dhti.errors import InputError, Problem, nul_bytes_message
from dhti.messages import L_, Count, Decimal, Message, plain
from dhti.yamlio import read_bounded

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20_000  # submissions, not counting the header: a province has a few thousand units
MAX_COLUMNS = 2_000  # the largest bundled form has under 200 fields; Kobo adds a column per option
MAX_CELLS = 5_000_000  # rows x header width, what the rows take in memory (about 40 MB)
MAX_MEMBERS = 1_000  # a spreadsheet program's workbook holds a dozen files
MAX_UNPACKED = 100 * 1024 * 1024
MAX_SHARED_STRINGS = 20 * 1024 * 1024  # read whole, unlike the sheet: 20 MiB take about 150 MB
MAX_RATIO = 200  # XML packs 5 to 20 times; far more means a run of padding made to expand
_RATIO_FROM = 1024 * 1024  # tiny members pack erratically and are harmless
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, IndexError, ValueError, TypeError, ParseError)


class _Sheet(Protocol):
    """What dhti uses of openpyxl's read-only worksheet."""

    max_row: int | None
    max_column: int | None

    def calculate_dimension(self) -> str: ...
    def reset_dimensions(self) -> None: ...
    def iter_rows(self, *, values_only: bool) -> Iterator[tuple[object, ...]]: ...


@dataclass(frozen=True)
class Table:
    """A submission table: its header and each data row with its row number."""

    file: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def read_table(path: Path, *, display: str | None = None) -> Table:
    """Read a .csv or .xlsx submission export; raise :class:`InputError` when it cannot be read."""
    name = display or str(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        what = suffix or L_("a file without suffix")
        _refuse(name, L_("expected a .csv or .xlsx export of submissions, not %(what)s", what=what))
    raw = read_bounded(path, display=name, limit=MAX_BYTES)
    table = _read_xlsx(raw, name) if suffix == ".xlsx" else _read_csv(raw, name)
    if not any(table.header):
        _refuse(name, L_("no header row: the first row must name the columns"))
    return table


def _refuse(name: str, message: str | Message, line: int = 1) -> NoReturn:
    raise InputError([Problem.of(name, line, 1, message)])


class _Collector:
    """Gathers the rows of a table, refusing it as soon as it passes a limit."""

    def __init__(self, name: str, *, sheet: bool) -> None:
        self.name = name
        self.sheet = sheet  # the first sheet of a workbook, else a CSV table
        self.header: tuple[str, ...] = ()
        self.rows: list[tuple[int, tuple[str, ...]]] = []
        self.cells = 0

    def check_width(self, number: int, width: int, *, line: int) -> None:
        if width > MAX_COLUMNS:
            message = L_(
                "row %(row)s has %(count)s columns; the limit is %(limit)s",
                row=number,
                count=Count(width),
                limit=Count(MAX_COLUMNS),
            )
            _refuse(self.name, message, line)

    def add(self, number: int, cells: tuple[str, ...], *, line: int) -> None:
        """Take row ``number`` (``line`` is where it is in the file, for the message)."""
        self.check_width(number, len(cells), line=line)
        if number > MAX_ROWS + 1:
            if self.sheet:
                message = L_(
                    "the first sheet has more than %(limit)s rows of submissions, the most dhti imports at once;"
                    " split the export",
                    limit=Count(MAX_ROWS),
                )
            else:
                message = L_(
                    "the table has more than %(limit)s rows of submissions, the most dhti imports at once;"
                    " split the export",
                    limit=Count(MAX_ROWS),
                )
            _refuse(self.name, message, line)
        self.cells += len(cells)
        if self.cells > MAX_CELLS:
            if self.sheet:
                message = L_(
                    "the first sheet has more than %(limit)s cells, the most dhti imports at once; split the export",
                    limit=Count(MAX_CELLS),
                )
            else:
                message = L_(
                    "the table has more than %(limit)s cells, the most dhti imports at once; split the export",
                    limit=Count(MAX_CELLS),
                )
            _refuse(self.name, message, line)
        if number == 1:
            self.header = cells
        else:
            self.rows.append((number, cells))

    def table(self) -> Table:
        return Table(self.name, self.header, tuple(self.rows))


# ---------------------------------------------------------------------------------- CSV


def _read_csv(raw: bytes, name: str) -> Table:
    text = _csv_text(raw, name)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    guard = _WidthGuard(_lines(text), delimiter=delimiter, name=name)
    reader = csv.reader(guard, delimiter=delimiter, strict=True)
    collector = _Collector(name, sheet=False)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            collector.check_width(number, len(record), line=reader.line_num)
            collector.add(number, tuple(cell.strip() for cell in record), line=reader.line_num)
            guard.next_record(number + 1)
    except csv.Error as err:
        message = L_("malformed CSV in row %(row)s: %(reason)s", row=number + 1, reason=plain(str(err)))
        raise InputError([Problem.of(name, reader.line_num, 1, message)]) from err
    return collector.table()


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings, as ``io.StringIO(text, newline="")`` gives them, one at a time."""
    return (match.group() for match in _LINE.finditer(text))


class _WidthGuard:
    """The lines of a CSV text, refused once one record's lines hold far more delimiters than columns allowed.

    The csv module builds a whole record before dhti can count its cells, and one 50 MiB line
    of commas would take gigabytes; quoted text may hold delimiters, hence the generous bound.
    """

    limit = MAX_COLUMNS * 50

    def __init__(self, lines: Iterable[str], *, delimiter: str, name: str) -> None:
        self.lines = lines
        self.delimiter = delimiter
        self.name = name
        self.record = 1
        self.line = 0
        self.pending = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            self.line += 1
            self.pending += line.count(self.delimiter)
            if self.pending > self.limit:
                message = L_(
                    "row %(row)s holds more than %(count)s %(delimiter)s; the limit is %(limit)s columns",
                    row=self.record,
                    count=Count(self.limit),
                    delimiter=repr(self.delimiter),
                    limit=Count(MAX_COLUMNS),
                )
                _refuse(self.name, message, self.line)
            yield line

    def next_record(self, record: int) -> None:
        self.record = record
        self.pending = 0


def _csv_text(raw: bytes, name: str) -> str:
    if b"\x00" in raw:
        _refuse(name, nul_bytes_message(raw, "CSV"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        byte = f"0x{raw[err.start]:02x}"
        message = L_("not UTF-8 text: byte %(byte)s cannot be decoded; export the file as UTF-8 CSV", byte=byte)
        raise InputError([Problem.of(name, line, 1, message)]) from err
    if not text.strip():
        _refuse(name, L_("file is empty"))
    return text


# ---------------------------------------------------------------------------------- XLSX


def _read_xlsx(raw: bytes, name: str) -> Table:
    from openpyxl import load_workbook  # noqa: PLC0415 - only .xlsx imports need openpyxl

    _check_archive(raw, name)
    collector = _Collector(name, sheet=True)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            _collect_sheet(workbook.worksheets, collector)
        finally:
            workbook.close()
    except _DAMAGED as err:
        raise InputError([Problem.of(name, 1, 1, _unreadable(err))]) from err
    if not collector.header and not collector.rows:
        _refuse(name, L_("the first sheet is empty"))
    return collector.table()


def check_workbook(raw: bytes, name: str) -> None:
    """Refuse a workbook that would unpack to more than dhti reads (review sheets use it before openpyxl)."""
    _check_archive(raw, name)


def _check_archive(raw: bytes, name: str) -> None:
    """Refuse a workbook whose files would unpack to more than dhti reads, before unpacking any."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            _check_members(members, name)
            strings = _shared_strings(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        _refuse(name, _unreadable(err))
    if strings is not None and strings.file_size > MAX_SHARED_STRINGS:
        size, limit = strings.file_size / 1048576, MAX_SHARED_STRINGS // 1048576
        message = L_(
            "the workbook's shared strings unpack to %(size)s MiB; the limit is %(limit)s MiB",
            size=Decimal(size),
            limit=limit,
        )
        _refuse(name, message)


def _unreadable(err: Exception) -> Message:
    return L_(
        "not a readable .xlsx workbook (%(reason)s); export the submissions again as .xlsx or CSV",
        reason=plain(str(err)),
    )


def _check_members(members: Sequence[zipfile.ZipInfo], name: str) -> None:
    if len(members) > MAX_MEMBERS:
        message = L_(
            "the workbook holds %(count)s files; the limit is %(limit)s",
            count=Count(len(members)),
            limit=Count(MAX_MEMBERS),
        )
        _refuse(name, message)
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED:
        limit = MAX_UNPACKED // 1048576
        message = L_(
            "the workbook unpacks to %(size)s MiB; the limit is %(limit)s MiB",
            size=Decimal(unpacked / 1048576),
            limit=limit,
        )
        _refuse(name, message)
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FROM and ratio > MAX_RATIO:
            message = L_(
                "%(member)s unpacks to %(ratio)s times its packed size; the limit is %(limit)s",
                member=member.filename,
                ratio=round(ratio),
                limit=MAX_RATIO,
            )
            _refuse(name, message)


def _shared_strings(archive: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    """The member openpyxl will load whole (the sheets it streams), found the way openpyxl finds it."""
    from openpyxl.packaging.manifest import Manifest  # noqa: PLC0415
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS  # noqa: PLC0415
    from openpyxl.xml.functions import fromstring  # noqa: PLC0415

    try:
        part = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES))).find(SHARED_STRINGS)
        return None if part is None else archive.getinfo(part.PartName[1:])
    except _DAMAGED:
        return None  # loading the workbook says what is wrong with it


def _collect_sheet(sheets: Sequence[_Sheet], collector: _Collector) -> None:
    if not sheets:
        _refuse(collector.name, L_("the workbook has no sheet; export the submissions again as .xlsx or CSV"))
    sheet = sheets[0]
    _check_dimension(sheet, collector.name)
    # Rows come as wide as the declared dimension unless it is dropped: each row is then as
    # wide as its own last cell, and the limits apply to what the sheet really holds.
    sheet.reset_dimensions()
    width = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        collector.check_width(number, len(values), line=number)  # before the cells become text
        cells = _trimmed(_cell_text(value) for value in values)
        if number == 1:
            width = len(cells)
        elif cells and len(cells) < width:
            cells += ("",) * (width - len(cells))  # a spreadsheet leaves trailing empty cells out
        collector.add(number, cells, line=number)


def _check_dimension(sheet: _Sheet, name: str) -> None:
    """Refuse a sheet by the size its dimension declares (a sheet without one is checked as it streams)."""
    rows, columns = sheet.max_row, sheet.max_column
    if rows is None or columns is None:
        return
    declared = sheet.calculate_dimension()
    if rows - 1 > MAX_ROWS:
        message = L_(
            "the first sheet has %(count)s rows of submissions (dimension %(dimension)s); the limit is %(limit)s",
            count=Count(rows - 1),
            dimension=declared,
            limit=Count(MAX_ROWS),
        )
        _refuse(name, message)
    if columns > MAX_COLUMNS:
        message = L_(
            "the first sheet has %(count)s columns (dimension %(dimension)s); the limit is %(limit)s",
            count=Count(columns),
            dimension=declared,
            limit=Count(MAX_COLUMNS),
        )
        _refuse(name, message)


def _trimmed(cells: Iterable[str]) -> tuple[str, ...]:
    values = list(cells)
    while values and not values[-1]:
        values.pop()
    return tuple(values)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
