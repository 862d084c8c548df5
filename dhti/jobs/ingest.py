"""``dhti db ingest``: validate, score and store files one by one, each in isolation from the others."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dhti.assess import assess_bytes
from dhti.errors import DhtiError, InputError, Problem
from dhti.i18n import N_
from dhti.messages import L_, Message
from dhti.outcomes import FileResult, Status
from dhti.registry import Registry
from dhti.store.record import AssessmentRecord, content_hash, record_from_outcome
from dhti.yamlio import read_bounded

if TYPE_CHECKING:
    from dhti.store.api import IngestResult, Store

# Opens a progress display titled ``label`` for ``total`` steps; the context gives "advance by n".
# The label is a message id (marked with N_), which the display translates.
Progress = Callable[[str, int], AbstractContextManager[Callable[[int], object]]]


def no_progress(_label: str, _total: int) -> AbstractContextManager[Callable[[int], object]]:
    return nullcontext(lambda _steps: None)


# One file


def display_name(path: str | Path) -> str:
    """A file name fit to print and to store: bytes that are not UTF-8 are shown as ``\\xff``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def describe(err: Exception) -> Message | str:
    """An unexpected error in one line, for the problem that marks its file failed.

    dhti's own one-line errors stay messages, so they are shown in the reader's language.
    """
    if isinstance(err, DhtiError) and err.text is not None and "\n" not in str(err).strip():
        return err.text
    text = str(err) if isinstance(err, DhtiError) else f"{type(err).__name__}: {err}"
    first = text.strip().splitlines()[0] if text.strip() else type(err).__name__
    return first[:300]


def read_response(path: Path, display: str) -> bytes:
    """A response file's bytes as submitted; refuses unreadable and oversized files."""
    return read_bounded(path, display=display)


@dataclass(frozen=True)
class Assessed:
    """A file after validation and scoring, ready for the store (``record`` is None when invalid)."""

    file: str
    digest: str
    raw: bytes
    record: AssessmentRecord | None
    problems: tuple[Problem, ...]
    failed: bool = False  # scoring raised an error (the one problem says which), not a finding


def assess_isolated(path: str | Path, *, registry: Registry, lenient: bool = False) -> Assessed:
    """:func:`assess_file`, with any error it raises turned into a failed file, so that the next one goes on."""
    try:
        return assess_file(Path(path), display=display_name(path), registry=registry, lenient=lenient)
    except Exception as err:  # noqa: BLE001 - whatever breaks one file must not stop the others
        return unscored(path, err)


def unscored(path: str | Path, err: Exception) -> Assessed:
    return not_assessed(path, L_("not scored: %(reason)s", reason=describe(err)))


def not_assessed(path: str | Path, message: str | Message) -> Assessed:
    display = display_name(path)
    return Assessed(display, "", b"", None, (Problem.of(display, 1, 1, message),), failed=True)


def assess_file(path: Path, *, display: str, registry: Registry, lenient: bool = False) -> Assessed:
    try:
        raw = read_response(path, display)
    except InputError as err:
        return Assessed(display, "", b"", None, err.problems)
    outcome = assess_bytes(raw, file=display, registry=registry, lenient=lenient)
    record = record_from_outcome(outcome) if outcome.valid else None
    return Assessed(display, content_hash(raw), raw, record, tuple(outcome.validation.problems))


def store_assessed(store: Store, assessed: Assessed) -> FileResult:
    """Store one assessed file (invalid ones are only reported); an error storing it marks it failed."""
    record = assessed.record
    if record is None:
        return FileResult(
            assessed.file, Status.FAILED if assessed.failed else Status.INVALID, problems=assessed.problems
        )
    try:
        result: IngestResult = store.ingest_record(record, assessed.raw)
    except Exception as err:  # noqa: BLE001 - a value one database refuses must not stop the other files
        return failed(assessed.file, L_("not stored: %(reason)s", reason=describe(err)))
    return FileResult(
        assessed.file,
        Status.STORED if result.stored else Status.DUPLICATE,
        entity_id=record.entity_id,
        assessment_date=record.assessment_date,
        index=record.index,
        assessment_id=result.assessment_id,
        problems=assessed.problems,
    )


def failed(file: str, message: str | Message) -> FileResult:
    return FileResult(file, Status.FAILED, problems=(Problem.of(file, 1, 1, message),))


def ingest_files(
    store: Store,
    paths: Sequence[Path],
    *,
    registry: Registry,
    lenient: bool = False,
    progress: Progress = no_progress,
) -> list[FileResult]:
    """``dhti db ingest``: validate, score and store each file in turn.

    Invalid files are skipped, and so are files whose scoring or storing fails: the error marks
    that file failed, and the others are stored all the same.
    """
    results = []
    with progress(N_("Storing"), len(paths)) as advance:
        for path in paths:
            results.append(store_assessed(store, assess_isolated(path, registry=registry, lenient=lenient)))
            advance(1)
    return results
