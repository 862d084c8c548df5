"""Scoring (contract section 3): pure functions from a validated response to scores.

Nothing here reads files, clocks or settings.  Scores are kept at full precision; only
outputs round.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dhti.frozen import FrozenMap
from dhti.questionnaire import (
    Aggregation,
    ComplianceItem,
    Gate,
    Question,
    Questionnaire,
    QuestionType,
    Stage,
    WhenSkipped,
    applies_to,
)
from dhti.response import Answer, AnswerValue, Response


@dataclass(frozen=True)
class IndicatorScore:
    id: str
    weight: float
    score: float | None  # 0..100, None when no scored question was usable
    stage: Stage | None  # after gates
    answered: int
    applicable: int
    score_stage: Stage | None = None  # by score alone
    failed_gates: tuple[Gate, ...] = ()  # gates whose ``requires`` is false, in file order

    @property
    def gated_by(self) -> tuple[int, ...]:
        """The stages of the failed gates at or below the score's stage, ascending, each once (4.1)."""
        if self.score_stage is None:
            return ()
        return tuple(sorted({gate.stage for gate in self.failed_gates if gate.stage <= self.score_stage.level}))

    @property
    def holding_gates(self) -> tuple[Gate, ...]:
        """The failed gates that hold the stage down: what the indicator lacks for its score's stage."""
        stages = set(self.gated_by)
        return tuple(gate for gate in self.failed_gates if gate.stage in stages)

    @property
    def next_gates(self) -> tuple[Gate, ...]:
        """The failed gates of the stage just above the reported one: what the next stage needs besides points."""
        if self.stage is None:
            return ()
        return tuple(gate for gate in self.failed_gates if gate.stage == self.stage.level + 1)


class Status(enum.StrEnum):
    """A compliance item's status on the assessment date (contract 3.5)."""

    MET = "met"
    PENDING = "pending"
    BREACH = "breach"


@dataclass(frozen=True)
class ComplianceStatus:
    item: ComplianceItem
    status: Status

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def open(self) -> bool:
        """In breach or pending: what a ``compliance`` rule fires on."""
        return self.status is not Status.MET


@dataclass(frozen=True)
class DomainScore:
    id: str
    weight: float
    score: float | None
    stage: Stage | None
    indicators: tuple[IndicatorScore, ...]


@dataclass(frozen=True)
class Scores:
    """Everything section 3 computes for one response."""

    index: float | None
    stage: Stage | None  # after compliance caps
    completeness: float
    domains: tuple[DomainScore, ...]
    questions: Mapping[str, float]  # question id -> s in [0, 1] for scored, usable answers
    gdhm: Mapping[str, int]
    score_stage: Stage | None = None  # the index's stage by score alone
    compliance: tuple[ComplianceStatus, ...] = ()

    @property
    def capped_by(self) -> tuple[str, ...]:
        """The ids of the items in breach whose cap is below the score's stage, in questionnaire order."""
        if self.score_stage is None:
            return ()
        return tuple(
            status.id
            for status in self.compliance
            if status.status is Status.BREACH
            and status.item.caps_stage is not None
            and status.item.caps_stage < self.score_stage.level
        )

    def compliance_status(self, item_id: str) -> ComplianceStatus | None:
        return next((status for status in self.compliance if status.id == item_id), None)

    def indicator(self, indicator_id: str) -> IndicatorScore | None:
        for domain in self.domains:
            for indicator in domain.indicators:
                if indicator.id == indicator_id:
                    return indicator
        return None

    def domain(self, domain_id: str) -> DomainScore | None:
        return next((domain for domain in self.domains if domain.id == domain_id), None)


def question_score(question: Question, value: AnswerValue) -> float:
    """s in [0, 1] for one answer (contract 3.1)."""
    kind = question.type
    if kind is QuestionType.YES_NO:
        return 1.0 if value == "yes" else 0.0
    if kind is QuestionType.CHOICE:
        option = question.option(str(value))
        best = question.max_option_points()
        return option.points / best if option is not None and best > 0 else 0.0
    if kind is QuestionType.MULTI:
        best = question.max_option_points()
        chosen = value if isinstance(value, tuple) else ()
        total = sum(option.points for option in question.options or () if option.value in chosen)
        return min(total, best) / best if best > 0 else 0.0
    if kind in (QuestionType.NUMBER, QuestionType.PERCENT) and isinstance(value, float):
        return _numeric_score(question, value)
    msg = f"question {question.id!r} of type {kind} is not scored"
    raise ValueError(msg)


def _numeric_score(question: Question, value: float) -> float:
    if question.linear is not None:
        low, high = question.linear.from_, question.linear.to
        return min(1.0, max(0.0, (value - low) / (high - low)))
    bands = question.bands or ()
    best = max((band.points for band in bands), default=0.0)
    points = 0.0
    for band in bands:
        if band.min <= value:
            points = band.points
    return points / best if best > 0 else 0.0


def weighted_mean(pairs: Sequence[tuple[float, float]]) -> float | None:
    """sum(w * x) / sum(w) over (weight, value) pairs; None when there are none."""
    total = math.fsum(weight for weight, _ in pairs)
    if not pairs or total <= 0:
        return None
    return math.fsum(weight * value for weight, value in pairs) / total


def geometric_mean(pairs: Sequence[tuple[float, float]]) -> float | None:
    """prod(x ^ (w / sum w)); 0 as soon as one value is 0."""
    total = math.fsum(weight for weight, _ in pairs)
    if not pairs or total <= 0:
        return None
    if any(value <= 0 for _, value in pairs):
        return 0.0
    return math.exp(math.fsum(weight / total * math.log(value) for weight, value in pairs))


def score_response(response: Response, *, lenient: bool = False) -> Scores:
    """Score a validated response.

    With ``lenient``, an unanswered applicable required question scores 0 instead of being
    an error (validation has already let it through as a warning).
    """
    questionnaire = response.questionnaire
    question_scores: dict[str, float] = {}
    absent: set[str] = set()  # skipped questions that say when_skipped: zero
    applicable_scored = answered_scored = 0
    for qid in questionnaire.questions:
        question = questionnaire.questions[qid]
        if not question.scored:
            continue
        if qid not in response.applicable:
            if question.when_skipped is WhenSkipped.ZERO and applies_to(question, response.entity.type):
                absent.add(qid)
            continue
        answer = response.answers.get(qid)
        if answer is not None and answer.na:
            continue  # not applicable by the respondent's word: out of both counts
        applicable_scored += 1
        if _has_value(answer):
            answered_scored += 1
            question_scores[qid] = question_score(question, answer.value)  # type: ignore[union-attr,arg-type]
        elif lenient and question.required:
            question_scores[qid] = 0.0
    domains = tuple(
        _domain(questionnaire, domain_index, question_scores, absent, response)
        for domain_index in range(len(questionnaire.domains))
    )
    index = _index(questionnaire, domains)
    compliance = compliance_statuses(response)
    score_stage = questionnaire.stage_for(index) if index is not None else None
    read = response.entity.type in questionnaire.gdhm_for
    return Scores(
        index=index,
        stage=_capped(questionnaire, score_stage, compliance),
        completeness=answered_scored / applicable_scored if applicable_scored else 1.0,
        domains=domains,
        questions=FrozenMap(question_scores),
        gdhm=FrozenMap(gdhm_reading(questionnaire, domains) if read else {}),
        score_stage=score_stage,
        compliance=compliance,
    )


def compliance_statuses(response: Response) -> tuple[ComplianceStatus, ...]:
    """Each item that binds the entity's type, with its status on the assessment date, in file order."""
    statuses = []
    for item in response.questionnaire.compliance:
        if not item.binds(response.entity.type):
            continue
        statuses.append(ComplianceStatus(item, _status(item, response)))
    return tuple(statuses)


def _status(item: ComplianceItem, response: Response) -> Status:
    if response.holds(item.met):
        return Status.MET
    if item.due is not None and item.due > response.assessment.date:
        return Status.PENDING
    return Status.BREACH


def _capped(questionnaire: Questionnaire, stage: Stage | None, compliance: Sequence[ComplianceStatus]) -> Stage | None:
    """The index stage after the caps of the items in breach (contract 3.2)."""
    caps = [s.item.caps_stage for s in compliance if s.status is Status.BREACH and s.item.caps_stage is not None]
    if stage is None or not caps or min(caps) >= stage.level:
        return stage
    return questionnaire.stage_at_most(min(caps))


def _gated(questionnaire: Questionnaire, stage: Stage | None, failed: Sequence[Gate]) -> Stage | None:
    """An indicator's stage after its gates: below the lowest stage whose requirement is not met."""
    if stage is None or not failed:
        return stage
    lowest = min(gate.stage for gate in failed)
    if lowest > stage.level:
        return stage
    return questionnaire.stage_at_most(lowest - 1)


def _has_value(answer: Answer | None) -> bool:
    return answer is not None and answer.value is not None and not answer.na


def _domain(
    questionnaire: Questionnaire,
    domain_index: int,
    question_scores: Mapping[str, float],
    absent: set[str],
    response: Response,
) -> DomainScore:
    domain = questionnaire.domains[domain_index]
    indicators = []
    for indicator in domain.indicators:
        scored = [q for q in indicator.questions if q.scored and q.id in response.applicable]
        pairs = [(q.weight, question_scores[q.id]) for q in scored if q.id in question_scores]
        pairs += [(q.weight, 0.0) for q in indicator.questions if q.id in absent]
        mean = weighted_mean(pairs)
        score = None if mean is None else 100 * mean
        answered = sum(1 for q in scored if _has_value(response.answers.get(q.id)))
        score_stage = questionnaire.stage_for(score) if score is not None else None
        failed = tuple(gate for gate in indicator.gates if not response.holds(gate.requires))
        stage = _gated(questionnaire, score_stage, failed)
        indicators.append(
            IndicatorScore(indicator.id, indicator.weight, score, stage, answered, len(scored), score_stage, failed)
        )
    mean = weighted_mean([(item.weight, item.score) for item in indicators if item.score is not None])
    stage = questionnaire.stage_for(mean) if mean is not None else None
    return DomainScore(domain.id, domain.weight, mean, stage, tuple(indicators))


def _index(questionnaire: Questionnaire, domains: Sequence[DomainScore]) -> float | None:
    pairs = [(domain.weight, domain.score / 100) for domain in domains if domain.score is not None]
    combine = geometric_mean if questionnaire.aggregation is Aggregation.GEOMETRIC else weighted_mean
    mean = combine(pairs)
    return None if mean is None else 100 * mean


def gdhm_reading(questionnaire: Questionnaire, domains: Sequence[DomainScore]) -> dict[str, int]:
    """GDHM code -> phase (contract 3.4): the stage of the weighted mean of its indicators."""
    by_code: dict[str, list[tuple[float, float]]] = {}
    for definition in questionnaire.indicators():
        if definition.gdhm is None:
            continue
        for domain in domains:
            for indicator in domain.indicators:
                if indicator.id == definition.id and indicator.score is not None:
                    by_code.setdefault(definition.gdhm, []).append((indicator.weight, indicator.score))
    reading = {}
    for code, pairs in by_code.items():
        mean = weighted_mean(pairs)
        if mean is not None:
            reading[code] = questionnaire.stage_for(mean).level
    return dict(sorted(reading.items(), key=lambda item: _code_key(item[0])))


def _code_key(code: str) -> tuple[int, str]:
    digits = "".join(char for char in code if char.isdigit())
    return (int(digits or 0), code)
