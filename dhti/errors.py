"""The exceptions dhti raises and the Problem record that points into a file."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    """How bad a problem is: errors make a file invalid, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


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

    def as_json(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "severity": str(self.severity),
            "message": self.message,
        }


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
