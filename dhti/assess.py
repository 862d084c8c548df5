"""The main job for one file: validate, score and pick recommendations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dhti.errors import InputError
from dhti.recommendations import Fired, fired_recommendations
from dhti.registry import Registry
from dhti.response import Validation, validate_document, validate_file
from dhti.scoring import Scores, score_response
from dhti.yamlio import load_bytes


@dataclass(frozen=True)
class Outcome:
    """One response file after the whole pipeline; ``scores`` is ``None`` when it is invalid."""

    validation: Validation
    scores: Scores | None
    recommendations: tuple[Fired, ...]

    @property
    def file(self) -> str:
        return self.validation.file

    @property
    def valid(self) -> bool:
        return self.scores is not None


def assess(path: str | Path, *, registry: Registry, lenient: bool = False, display: str | None = None) -> Outcome:
    """Validate and score one response file. Never raises for bad input."""
    return _scored(validate_file(path, registry=registry, lenient=lenient, display=display), lenient=lenient)


def assess_bytes(raw: bytes, *, file: str, registry: Registry, lenient: bool = False) -> Outcome:
    """Validate and score a response from its bytes (those a store keeps). Never raises for bad input."""
    try:
        document = load_bytes(raw, file)
    except InputError as err:
        return Outcome(Validation(file, problems=err.problems), None, ())
    return _scored(validate_document(document, registry=registry, lenient=lenient), lenient=lenient)


def _scored(validation: Validation, *, lenient: bool) -> Outcome:
    if validation.response is None:
        return Outcome(validation, None, ())
    scores = score_response(validation.response, lenient=lenient)
    return Outcome(validation, scores, tuple(fired_recommendations(validation.response, scores)))


def assess_all(paths: Iterable[str | Path], *, registry: Registry, lenient: bool = False) -> Iterator[Outcome]:
    for path in paths:
        yield assess(path, registry=registry, lenient=lenient)
