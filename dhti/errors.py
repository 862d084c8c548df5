"""The exceptions dhti raises and the Problem record that points into a file."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict


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
    """One finding about an input file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_json(self) -> ProblemJson:
        return {
            "line": self.line,
            "column": self.column,
            "severity": str(self.severity),
            "message": self.message,
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
    summary = Problem(first.file, first.line, first.column, f"… and {len(rest):,} more problems", severity)
    return [*shown[:limit], summary]


def did_you_mean(
    word: str, candidates: Iterable[str], *, most: int = 1, cutoff: float = 0.6, aside: bool = False
) -> str:
    """The end of an "unknown ..." message: ``; did you mean 'x'?``, or `` (did you mean 'x'?)`` as an aside.

    Empty when no candidate is close enough. ``most`` and ``cutoff`` are difflib's ``n`` and ``cutoff``.
    """
    close = difflib.get_close_matches(word, list(candidates), n=most, cutoff=cutoff)
    if not close:
        return ""
    question = "did you mean " + ", ".join(repr(name) for name in close) + "?"
    return f" ({question})" if aside else f"; {question}"


class DhtiError(Exception):
    """Base class of every error dhti reports to a user (exit code 1)."""


class InputError(DhtiError):
    """An input file cannot be used; carries every problem found in it."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


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


def nul_bytes_message(raw: bytes, kind: str) -> str:
    """Why a file holding NUL bytes is refused: UTF-16 or UTF-32 text (as Excel's "Unicode text"), or binary."""
    advice = "save it as UTF-8" + (" (in Excel: Save As, CSV UTF-8)" if kind == "CSV" else "") + " and try again"
    for mark, encoding in _WIDE_UNICODE:
        if raw.startswith(mark):
            return f"{encoding} text, not UTF-8: {advice}"
    head = raw[:200]
    if len(head) >= 4 and max(head[0::2].count(0), head[1::2].count(0)) > len(head) // 4:
        return f"UTF-16 text without a byte order mark, not UTF-8: {advice}"
    return f"binary file (contains NUL bytes), not {kind}"
