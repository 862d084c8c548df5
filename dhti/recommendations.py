"""Which recommendation rules fire for a scored response, in what order, and by when."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from dhti.questionnaire import HORIZON_MONTHS, PRIORITY_RANK, Recommendation
from dhti.response import Response
from dhti.scoring import Scores


@dataclass(frozen=True)
class Fired:
    """A recommendation that applies, with the gap that ranks it and its due date."""

    rule: Recommendation
    gap: float  # 100 - score of what the rule names
    due: dt.date

    @property
    def id(self) -> str:
        return self.rule.id


def fired_recommendations(response: Response, scores: Scores) -> list[Fired]:
    """The rules whose condition holds, ordered by priority, then gap (largest first), then id."""
    fired = []
    for rule in response.questionnaire.recommendations:
        if rule.entity_types is not None and response.entity.type not in rule.entity_types:
            continue
        gap = _gap_if_fires(rule, response, scores)
        if gap is not None:
            due = add_months(response.assessment.date, HORIZON_MONTHS[rule.horizon])
            fired.append(Fired(rule, gap, due))
    return sorted(fired, key=lambda item: (PRIORITY_RANK[item.rule.priority], -item.gap, item.rule.id))


def _gap_if_fires(rule: Recommendation, response: Response, scores: Scores) -> float | None:
    when = rule.when
    if when.indicator is not None:
        indicator = scores.indicator(when.indicator)
        score = indicator.score if indicator is not None else None
    elif when.domain is not None:
        domain = scores.domain(when.domain)
        score = domain.score if domain is not None else None
    else:
        return _question_gap(rule, response, scores)
    if score is None or when.below is None or score >= when.below:
        return None
    return 100 - score


def _question_gap(rule: Recommendation, response: Response, scores: Scores) -> float | None:
    qid = rule.when.question or ""
    if qid not in response.applicable:
        return None
    answer = response.answers.get(qid)
    if answer is None:
        return None
    wanted = set(rule.when.in_ or ())
    if answer.na:
        chosen = {"na"}
    elif isinstance(answer.value, tuple):
        chosen = set(answer.value)
    elif answer.value is None:
        return None
    else:
        chosen = {str(answer.value)}
    if not chosen & wanted:
        return None
    score = scores.questions.get(qid)
    return 100 - 100 * score if score is not None else 100.0


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` ahead, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
