"""Scoring (contract section 3): pure functions from a validated response to scores.

Nothing here reads files, clocks or settings.  Scores are kept at full precision; only
outputs round.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dhti.frozen import FrozenMap
from dhti.questionnaire import Aggregation, Question, Questionnaire, QuestionType, Stage
from dhti.response import Answer, AnswerValue, Response


@dataclass(frozen=True)
class IndicatorScore:
    id: str
    weight: float
    score: float | None  # 0..100, None when no scored question was usable
    stage: Stage | None
    answered: int
    applicable: int


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
    stage: Stage | None
    completeness: float
    domains: tuple[DomainScore, ...]
    questions: Mapping[str, float]  # question id -> s in [0, 1] for scored, usable answers
    gdhm: Mapping[str, int]

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
    applicable_scored = answered_scored = 0
    for qid in questionnaire.questions:
        question = questionnaire.questions[qid]
        if not question.scored or qid not in response.applicable:
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
        _domain(questionnaire, domain_index, question_scores, response)
        for domain_index in range(len(questionnaire.domains))
    )
    index = _index(questionnaire, domains)
    return Scores(
        index=index,
        stage=questionnaire.stage_for(index) if index is not None else None,
        completeness=answered_scored / applicable_scored if applicable_scored else 1.0,
        domains=domains,
        questions=FrozenMap(question_scores),
        gdhm=FrozenMap(gdhm_reading(questionnaire, domains)),
    )


def _has_value(answer: Answer | None) -> bool:
    return answer is not None and answer.value is not None and not answer.na


def _domain(
    questionnaire: Questionnaire, domain_index: int, question_scores: Mapping[str, float], response: Response
) -> DomainScore:
    domain = questionnaire.domains[domain_index]
    indicators = []
    for indicator in domain.indicators:
        scored = [q for q in indicator.questions if q.scored and q.id in response.applicable]
        pairs = [(q.weight, question_scores[q.id]) for q in scored if q.id in question_scores]
        mean = weighted_mean(pairs)
        score = None if mean is None else 100 * mean
        answered = sum(1 for q in scored if _has_value(response.answers.get(q.id)))
        stage = questionnaire.stage_for(score) if score is not None else None
        indicators.append(IndicatorScore(indicator.id, indicator.weight, score, stage, answered, len(scored)))
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
