"""Text that leaves dhti for people and spreadsheets: control characters shown, formulas defused.

Names, ids and titles come from facilities' own files, so dhti never lets them act: a terminal
sees ``\\x1b`` rather than an escape sequence, a spreadsheet sees ``'=...`` rather than a formula.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import unicodedata
from collections.abc import Iterable, Sequence

# Control (Cc), format (Cf: bidi overrides, zero-width marks), line and paragraph separators, and
# lone surrogates (from undecodable file names): each can move the cursor, hide or reorder text.
_INVISIBLE = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

# Excel and LibreOffice read a cell starting with one of these as a formula (or, for tab and CR,
# skip them and then read one); OWASP's rule is to make such a cell text with a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def visible(text: str) -> str:
    """``text`` with every control or format character written as its escape (``\\x1b``, ``\\r``, ``\\u202e``).

    For one line of a table or a message: a newline is escaped too. Applying it twice changes nothing more.
    """
    if text.isprintable():
        return text
    return "".join(_escape(char) if unicodedata.category(char) in _INVISIBLE else char for char in text)


def without_accents(text: str) -> str:
    """Vietnamese (or any Latin) letters without their marks: ``Đồng Văn`` -> ``Dong Van``.

    For loose matching and ASCII file names. ``Đ`` and ``đ`` are letters of their own in Unicode,
    not ``D`` with a mark, so they are mapped by hand; the compatibility decomposition also makes
    ``²`` a ``2`` and ``ﬁ`` an ``fi``. Characters with no Latin letter inside stay as they are.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def visible_lines(text: str) -> str:
    """Like :func:`visible` for each line, keeping the line breaks of a multi-line text."""
    return "\n".join(visible(line) for line in text.split("\n"))


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def spreadsheet_cell(value: object) -> object:
    """One CSV cell: text that a spreadsheet would run as a formula gets a leading ``'``; numbers stay."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The CSV every dhti command writes: a header row, then the rows, each cell through :func:`spreadsheet_cell`."""
    # With "\r" among the terminator's characters the writer quotes a cell holding a bare CR, which
    # a reader would take for the end of the row (and a forged row after it); each row ends in "\n".
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = []
    for row in itertools.chain([headers], rows):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([spreadsheet_cell(cell) for cell in row])
        lines.append(buffer.getvalue().removesuffix("\r\n") + "\n")
    return "".join(lines)


def to_json(value: object) -> str:
    """The JSON dhti writes: indented, accents as they are, no control or format character left raw."""
    return inert_json(json.dumps(value, ensure_ascii=False, indent=2))


def inert_json(text: str) -> str:
    """JSON text with each raw control or format character left by ``json.dumps`` as a ``\\u`` escape.

    ``json.dumps(..., ensure_ascii=False)`` escapes only C0 controls; DEL, C1 controls (8-bit CSI and OSC),
    bidi overrides and lone surrogates stay raw. Escaping them gives the same value, nothing live.
    """
    if text.replace("\n", "").isprintable():
        return text
    return "".join(
        char if char == "\n" or unicodedata.category(char) not in _INVISIBLE else _json_escape(char) for char in text
    )


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_escape_errors() -> str:
    """The name of an encoding error handler that writes what an encoding lacks as ``\\u1ec7``.

    Unlike ``backslashreplace`` (``\\xf2`` for ``ò``) its escapes are valid JSON, so ``--format json``
    written in cp1252 or cp1258 still parses to the same text.
    """
    name = "dhti.json-escape"
    try:
        codecs.lookup_error(name)
    except LookupError:
        codecs.register_error(name, _escape_unencodable)
    return name


def _escape_unencodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return "".join(map(_json_escape, error.object[error.start : error.end])), error.end
