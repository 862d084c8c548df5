"""The demo's simulated verification: a sample of the simulated units, each reviewed as ``dhti review apply`` does.

A third of the simulated units (never the bundled samples) are drawn as ``dhti review sample``
draws them; each gets a review sheet filled as an inspection team would: a few answers of one
domain found one option lower than self-assessed (reproducibly), the rest confirmed. Each sheet
is written as YAML, then applied through :func:`dhti.jobs.review.apply_sheet`, so a newcomer can
read it and apply it again (the store refuses the same review twice).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dhti import expressions
from dhti.jobs.review import Applied, SelfAssessment, apply_sheet, candidates, make_sheet, self_assessment
from dhti.outfiles import make_folder, write_atomic
from dhti.questionnaire import Question, QuestionType
from dhti.review import Finding, SheetFill, sheet_yaml
from dhti.sampling import SampleRules, draw
from dhti.store import AssessmentFilter

if TYPE_CHECKING:
    from dhti.registry import Registry
    from dhti.store import Store

REVIEWER = "Đoàn kiểm tra của Sở Y tế (mô phỏng)"
NOTE = "Mô phỏng: minh chứng chỉ đạt mức thấp hơn một bậc so với tự đánh giá"
PLANTED = "standards"  # the domain whose answers the simulated units overstate
LOWERED = 3  # answers corrected in each reviewed unit
RATE = 0.3


@dataclass(frozen=True)
class DemoReviews:
    sheets: tuple[Path, ...]
    applied: tuple[Applied, ...]  # those stored by this run (a rerun on the same store stores none again)


def record_reviews(  # noqa: PLR0913 - each is a separate choice of the demo
    store: Store,
    folder: Path,
    *,
    registry: Registry,
    exclude: Collection[str],
    review_date: dt.date,
    seed: int,
    lang: str,
) -> DemoReviews:
    """Draw the units to verify (none of ``exclude``), write each one's filled sheet under ``folder`` and apply it."""
    found = [unit for unit in candidates(store, AssessmentFilter(), registry) if unit.entity_id not in exclude]
    if not found:
        return DemoReviews((), ())
    plan = draw(found, SampleRules(rate=RATE, seed=seed))
    reviewed = {review.self_id for review in store.reviews()}
    make_folder(folder, parents=True)
    sheets, applied = [], []
    for chosen in plan.chosen:
        unit = chosen.candidate
        assessed = self_assessment(store, store.get(unit.assessment), registry=registry)
        path = folder / f"{unit.entity_id}.review.yaml"
        fill = SheetFill(REVIEWER, review_date, _findings(assessed, seed=seed))
        text = sheet_yaml(make_sheet(assessed, lang=lang), file_name=path.name, schema="", filled=fill)
        write_atomic(path, _without_schema_line(text), force=True)
        sheets.append(path)
        if unit.assessment not in reviewed:
            applied.append(apply_sheet(store, path, registry=registry, partial=False, lang=lang))
    return DemoReviews(tuple(sheets), tuple(applied))


def _without_schema_line(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if "$schema=" not in line)


def _findings(assessed: SelfAssessment, *, seed: int) -> dict[str, Finding]:
    """A few answers of the planted domain (else the first that has any), each one option lower, with a note."""
    response = assessed.outcome.validation.response
    questionnaire = assessed.questionnaire
    if response is None:  # pragma: no cover - self_assessment checks it
        return {}
    fixed = {ref.question for expr in questionnaire.conditions.values() for ref in expressions.references(expr)}
    movable: dict[str, list[tuple[str, object]]] = {}
    for domain in questionnaire.domains:
        for question in (q for indicator in domain.indicators for q in indicator.questions):
            answer = response.answers.get(question.id)
            if question.id in fixed or not question.scored or answer is None or answer.na:
                continue
            lower = _lower(question, answer.value)
            if lower is not None:
                movable.setdefault(domain.id, []).append((question.id, lower))
    if not movable:
        return {}
    chosen = movable.get(PLANTED) or next(iter(movable.values()))
    rng = random.Random(f"{seed}:{response.entity.id}")  # noqa: S311 - simulation, not security
    picked = rng.sample(chosen, min(LOWERED, len(chosen)))
    return {qid: Finding(value, note=NOTE) for qid, value in picked}


def _lower(question: Question, value: object) -> object | None:
    """The answer one option below ``value`` (``yes`` -> ``no``), or None at the bottom or for other kinds."""
    if question.type is QuestionType.YES_NO:
        return "no" if value == "yes" else None
    if question.type is QuestionType.CHOICE:
        values = question.option_values
        index = values.index(str(value)) if str(value) in values else 0
        return values[index - 1] if index > 0 else None
    return None
