"""The main job for one file: validate, score and pick recommendations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dhti.recommendations import Fired, fired_recommendations
from dhti.registry import Registry
from dhti.response import Validation, validate_file
from dhti.scoring import Scores, score_response


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
    validation = validate_file(path, registry=registry, lenient=lenient, display=display)
    if validation.response is None:
        return Outcome(validation, None, ())
    scores = score_response(validation.response, lenient=lenient)
    fired = tuple(fired_recommendations(validation.response, scores))
    return Outcome(validation, scores, fired)


def assess_all(paths: Iterable[str | Path], *, registry: Registry, lenient: bool = False) -> Iterator[Outcome]:
    for path in paths:
        yield assess(path, registry=registry, lenient=lenient)
