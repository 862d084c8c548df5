"""What happened to one input file of ``db ingest`` or ``batch``: stored, a duplicate, invalid or failed."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from dhti.errors import Problem


class Status(enum.StrEnum):
    """What the store did with one file."""

    STORED = "stored"  # stored now
    DUPLICATE = "duplicate"  # the same bytes were stored already (earlier, or from another file)
    INVALID = "invalid"  # not stored: the file has errors
    FAILED = "failed"  # not stored: scoring or storing it failed (its one problem says why)


@dataclass(frozen=True)
class FileResult:
    """One input file after ``db ingest`` or ``batch``."""

    file: str
    status: Status
    entity_id: str | None = None
    assessment_date: dt.date | None = None
    index: float | None = None
    assessment_id: int | None = None
    problems: tuple[Problem, ...] = ()
    reports: tuple[str, ...] = ()  # every report of this file in OUT (names)
    written: tuple[str, ...] = ()  # the reports this run wrote

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.is_error)
