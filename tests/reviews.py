"""A simulated campaign with planted inflation, and the reviews that find it.

Every unit of a simulated campaign (dhti.simulate) is the truth. Its self-assessment is the
same file with some answers moved: in every ``INFLATING``-th unit, each answer of the planted
domain one or two options (bands, options of a multi, ``no`` -> ``yes``) above the truth; in
every unit, any scored answer, with probability ``noise``, one step up or down (honest slips).
The verified answers are the truth. Questions that skip logic reads are never moved, so that
both files ask the same questions.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dhti import expressions
from dhti.agreement import ReviewedPair, ReviewedUnit, Value
from dhti.assess import assess_bytes
from dhti.questionnaire import Question, Questionnaire, QuestionType
from dhti.registry import Registry
from dhti.response import Answer, Response
from dhti.simulate import Plan, newest_bundled, simulate
from dhti.store import Store
from dhti.store.record import AssessmentRecord, ReviewedAnswer, ReviewRecord, record_from_outcome
from dhti.store.reviews import StoredReview

PLANTED = "standards"
INFLATING = 2  # every second unit overstates the planted domain
NOISE = 0.04


@dataclass(frozen=True)
class ReviewCase:
    """One unit of the campaign: the truth, what it claimed, and the review pairing them."""

    entity_id: str
    truth: bytes
    claimed: bytes
    inflating: bool
    unit: ReviewedUnit  # self = claimed, verified = truth

    @property
    def self_record(self) -> AssessmentRecord:
        record = self.unit.self_record
        assert isinstance(record, AssessmentRecord)
        return record


def campaign(  # noqa: PLR0913 - every knob of the simulated campaign a test may turn
    registry: Registry,
    *,
    seed: int = 5,
    provinces: Sequence[str] = ("Cao Bằng", "Cần Thơ"),
    entities: int = 4,
    planted: str = PLANTED,
    noise: float = NOISE,
) -> list[ReviewCase]:
    """Every unit of a simulated campaign, self-assessed with the planted inflation and reviewed against the truth."""
    plan = Plan(newest_bundled(registry), provinces=tuple(provinces), entities=entities, seed=seed)
    cases = []
    for number, item in enumerate(simulate(plan)):
        truth = item.text.encode("utf-8")
        rng = random.Random(f"{seed}:{item.path}")  # noqa: S311 - simulation, not security
        inflating = number % INFLATING == 0
        response = _response(truth, registry)
        changes = _moves(response, rng, planted=planted if inflating else None, noise=noise)
        claimed = _rewrite(item.text, changes).encode("utf-8")
        cases.append(_case(response, truth, claimed, inflating=inflating, registry=registry))
    return cases


def _response(raw: bytes, registry: Registry) -> Response:
    outcome = assess_bytes(raw, file="truth.yaml", registry=registry)
    assert outcome.valid, outcome.validation.problems
    response = outcome.validation.response
    assert response is not None
    return response


def _case(truth_response: Response, truth: bytes, claimed: bytes, *, inflating: bool, registry: Registry) -> ReviewCase:
    claimed_outcome = assess_bytes(claimed, file="claimed.yaml", registry=registry)
    assert claimed_outcome.valid, claimed_outcome.validation.problems
    claimed_response = claimed_outcome.validation.response
    assert claimed_response is not None
    truth_record = record_from_outcome(assess_bytes(truth, file="truth.yaml", registry=registry))
    pairs = tuple(
        ReviewedPair(qid, answer_value(answer), answer_value(truth_response.answers[qid]))
        for qid, answer in claimed_response.answers.items()
    )
    unit = ReviewedUnit(truth_response.questionnaire, pairs, record_from_outcome(claimed_outcome), truth_record)
    return ReviewCase(truth_response.entity.id, truth, claimed, inflating, unit)


def answer_value(answer: Answer) -> Value:
    """An answer's value as a review holds it: ``na``, or the value (dates as text)."""
    if answer.na:
        return "na"
    value = answer.value
    return value.isoformat() if hasattr(value, "isoformat") else value  # type: ignore[union-attr,return-value]


def _read_by_conditions(questionnaire: Questionnaire) -> set[str]:
    return {ref.question for expr in questionnaire.conditions.values() for ref in expressions.references(expr)}


def _moves(response: Response, rng: random.Random, *, planted: str | None, noise: float) -> dict[str, object]:
    """The answers to move, by question id, and the value each takes in the self-assessment."""
    questionnaire = response.questionnaire
    fixed = _read_by_conditions(questionnaire)
    moves: dict[str, object] = {}
    for domain in questionnaire.domains:
        for question in (q for i in domain.indicators for q in i.questions):
            answer = response.answers.get(question.id)
            if not question.scored or question.id in fixed or answer is None or answer.na or answer.value is None:
                continue
            if domain.id == planted:
                steps = rng.choice((1, 2))
            elif rng.random() < noise:
                steps = rng.choice((-1, 1))
            else:
                continue
            moved = _moved(question, answer.value, steps)
            if moved is not None:
                moves[question.id] = moved
    return moves


def _moved(question: Question, value: object, steps: int) -> object | None:
    """``value`` moved ``steps`` places along the question's scale (kept at its ends), or None if it cannot move."""
    kind = question.type
    if kind is QuestionType.YES_NO:
        moved = "yes" if steps > 0 else "no"
        return moved if moved != value else None
    if kind is QuestionType.CHOICE:
        values = question.option_values
        index = max(0, min(len(values) - 1, values.index(str(value)) + steps))
        return values[index] if values[index] != value else None
    if kind is QuestionType.MULTI:
        return _moved_multi(question, tuple(value) if isinstance(value, tuple) else (), steps)
    if kind in (QuestionType.NUMBER, QuestionType.PERCENT) and isinstance(value, float) and question.bands:
        mins = sorted(band.min for band in question.bands)
        reached = sum(1 for low in mins if low <= value)
        target = max(1, min(len(mins), reached + steps))
        return None if target == reached else _number(mins[target - 1])
    return None


def _moved_multi(question: Question, chosen: tuple[str, ...], steps: int) -> list[str] | None:
    scoring = [o.value for o in question.options or () if o.points > 0]
    if steps > 0:
        added = [value for value in scoring if value not in chosen][:steps]
        return [*chosen, *added] if added else None
    kept = [value for value in chosen if value in scoring]
    if not kept or (len(kept) == 1 and len(chosen) == 1):
        return None  # a multi needs one option at least: nothing to drop
    return [value for value in chosen if value != kept[-1]]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _rewrite(text: str, changes: Mapping[str, object]) -> str:
    """The simulated file with the answers of ``changes`` replaced (simulate writes one answer a line, JSON values)."""
    lines = text.splitlines()
    start = lines.index("answers:") + 1
    pending: str | None = None
    for number, line in enumerate(lines[start:], start=start):
        if pending is not None and line.startswith("    value: "):
            lines[number] = f"    value: {json.dumps(changes[pending], ensure_ascii=False)}"
            pending = None
            continue
        if not line.startswith("  ") or line.startswith("   "):
            continue
        key, _, rest = line.strip().partition(":")
        if key not in changes:
            continue
        if rest.strip():
            lines[number] = f"  {key}: {json.dumps(changes[key], ensure_ascii=False)}"
        else:
            pending = key
    return "\n".join(lines) + "\n"


REVIEWER = "Trần Thị Kiểm <Sở Y tế>"
REVIEW_DATE = dt.date(2026, 11, 20)
NOTE = "Biên bản không khớp với <b>hệ thống</b>"


def reviewed(number: int) -> bool:
    """Which units of the campaign the reviewers checked: two in three, inflating ones among them."""
    return number % 3 != 2


def store_campaign(store: Store, cases: Sequence[ReviewCase], registry: Registry) -> dict[str, StoredReview]:
    """Ingest every self-assessment, then record a review (the truth) of the units :func:`reviewed` picks.

    Returns the stored review of each reviewed unit, by entity id.
    """
    ids = {}
    for case in cases:
        outcome = assess_bytes(case.claimed, file=f"{case.entity_id}.yaml", registry=registry)
        ids[case.entity_id] = store.ingest(outcome, case.claimed).assessment_id
    found = {}
    for number, case in enumerate(cases):
        if reviewed(number):
            found[case.entity_id] = record_truth(store, case, ids[case.entity_id], registry)
    return found


def record_truth(store: Store, case: ReviewCase, self_id: int, registry: Registry) -> StoredReview:
    """Store the review that finds the truth: every answer checked, the moved ones corrected with a note."""
    # The verified response is the truth, marked as verified (a fully confirmed one is then not the same bytes).
    raw = f"# Đã kiểm tra / verified: assessment #{self_id}\n".encode() + case.truth
    record = record_from_outcome(assess_bytes(raw, file=f"{case.entity_id}.verified.yaml", registry=registry))
    answers = tuple(
        ReviewedAnswer(
            pair.question,
            json.dumps(pair.self_value, ensure_ascii=False),
            json.dumps(pair.verified_value, ensure_ascii=False),
            "yes",
            None if pair.self_value == pair.verified_value else NOTE,
            changed=pair.self_value != pair.verified_value,
        )
        for pair in case.unit.answers
    )
    review = ReviewRecord(self_id, REVIEWER, REVIEW_DATE, "yaml", answers)
    return store.record_review(review, record, raw, b"# review sheet\n")
