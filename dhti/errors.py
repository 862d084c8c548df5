"""The exceptions dhti raises and the Problem record that points into a file."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TypedDict

from dhti.messages import ENGLISH, L_, Count, Message


class Severity(enum.StrEnum):
    """How bad a problem is: errors make a file invalid, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


class ProblemJson(TypedDict):
    """A problem in ``--format json`` output (its file is the object's ``file``)."""

    line: int
    column: int
    severity: str
    message: str


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about an input file, at a 1-based line and column.

    ``message`` is the English text; ``text``, when the finding was built as a :class:`Message`,
    renders it in another language (:meth:`render`). Problems compare and sort by the English text.
    """

    file: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR
    text: Message | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(
        cls, file: str, line: int, column: int, message: str | Message, severity: Severity = Severity.ERROR
    ) -> Problem:
        """A problem whose message is plain English text or a :class:`Message` to translate."""
        if isinstance(message, Message):
            return cls(file, line, column, str(message), severity, message)
        return cls(file, line, column, message, severity)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def message_in(self, lang: str) -> str:
        """The message in ``lang`` (English when it has no translation)."""
        return self.message if self.text is None or lang == ENGLISH else self.text.render(lang)

    def render(self, lang: str) -> str:
        """``FILE:LINE:COL: error: message`` with the message in ``lang``; the rest stays as tools parse it."""
        return str(replace(self, message=self.message_in(lang)))

    def as_json(self, lang: str = ENGLISH) -> ProblemJson:
        return {
            "line": self.line,
            "column": self.column,
            "severity": str(self.severity),
            "message": self.message_in(lang),
        }


MAX_PROBLEMS_SHOWN = 50


def first_problems(problems: Iterable[Problem], *, limit: int = MAX_PROBLEMS_SHOWN) -> list[Problem]:
    """The problems to print: the first ``limit``, then one line that counts the rest (a file can hold thousands).

    Only what is shown is cut: the problems themselves are kept whole, so counts stay true.
    """
    shown = list(problems)
    if len(shown) <= limit:
        return shown
    rest = shown[limit:]
    first = rest[0]
    severity = Severity.ERROR if any(problem.is_error for problem in rest) else Severity.WARNING
    summary = Problem.of(
        first.file, first.line, first.column, L_("… and %(count)s more problems", count=Count(len(rest))), severity
    )
    return [*shown[:limit], summary]


def did_you_mean(
    word: str, candidates: Iterable[str], *, most: int = 1, cutoff: float = 0.6, aside: bool = False
) -> Message | str:
    """The end of an "unknown ..." message: ``; did you mean 'x'?``, or `` (did you mean 'x'?)`` as an aside.

    Empty when no candidate is close enough. ``most`` and ``cutoff`` are difflib's ``n`` and ``cutoff``.
    """
    close = difflib.get_close_matches(word, list(candidates), n=most, cutoff=cutoff)
    if not close:
        return ""
    names = ", ".join(repr(name) for name in close)
    return L_(" (did you mean %(names)s?)", names=names) if aside else L_("; did you mean %(names)s?", names=names)


class DhtiError(Exception):
    """Base class of every error dhti reports to a user (exit code 1).

    Its text is English; one raised with a :class:`Message` can be shown in another language (:meth:`render`).
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(str(arg) if isinstance(arg, Message) else arg for arg in args))
        first = args[0] if args else None
        self.text = first if isinstance(first, Message) else None

    def render(self, lang: str) -> str:
        """The error's text in ``lang``."""
        return self.text.render(lang) if self.text is not None and lang != ENGLISH else str(self)


class InputError(DhtiError):
    """An input file cannot be used; carries every problem found in it."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def render(self, lang: str) -> str:
        return "\n".join(problem.render(lang) for problem in self.problems)


class QuestionnaireNotFoundError(DhtiError):
    """A response or a command names a questionnaire that is not loaded."""


class OutputError(DhtiError):
    """An output file cannot be written (exists already, bad folder, ...)."""


_WIDE_UNICODE = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def nul_bytes_message(raw: bytes, kind: str) -> Message:
    """Why a file holding NUL bytes is refused: UTF-16 or UTF-32 text (as Excel's "Unicode text"), or binary."""
    advice = L_("save it as UTF-8 (in Excel: Save As, CSV UTF-8) and try again") if kind == "CSV" else None
    advice = advice or L_("save it as UTF-8 and try again")
    for mark, encoding in _WIDE_UNICODE:
        if raw.startswith(mark):
            return L_("%(encoding)s text, not UTF-8: %(advice)s", encoding=encoding, advice=advice)
    head = raw[:200]
    if len(head) >= 4 and max(head[0::2].count(0), head[1::2].count(0)) > len(head) // 4:
        return L_("UTF-16 text without a byte order mark, not UTF-8: %(advice)s", advice=advice)
    return L_("binary file (contains NUL bytes), not %(kind)s", kind=kind)
