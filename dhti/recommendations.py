"""Which recommendation rules fire for a scored response, in what order, and by when (contract 3.3)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from dhti.questionnaire import HORIZON_MONTHS, PRIORITY_RANK, Recommendation
from dhti.response import Response
from dhti.scoring import ComplianceStatus, DomainScore, IndicatorScore, Scores, Status

GAP_DIGITS = 9
"""Gaps are compared to this many decimals: two equal gaps summed in different orders (175/3 as
41.666666666666664 and as 41.66666666666667) are equal, and the rule id decides, as 3.3 says."""


@dataclass(frozen=True)
class Fired:
    """A recommendation that applies, with the gap that ranks it and its due date."""

    rule: Recommendation
    gap: float  # 100 - score of what the rule names (100 for an expression or a compliance item)
    due: dt.date
    deadline: ComplianceStatus | None = None  # the pending item whose ``due`` this rule's date respects

    @property
    def id(self) -> str:
        return self.rule.id


def fired_recommendations(response: Response, scores: Scores) -> list[Fired]:
    """The rules that fire, without those a fired rule replaces, in priority, gap and prerequisite order."""
    fired = []
    for rule in response.questionnaire.recommendations:
        if rule.entity_types is not None and response.entity.type not in rule.entity_types:
            continue
        gap = _gap_if_fires(rule, response, scores)
        if gap is None or (rule.unless is not None and response.holds(rule.unless)):
            continue
        fired.append(_dated(rule, gap, response, scores))
    replaced = {name for item in fired for name in item.rule.replaces}  # every fired rule's, removed or not
    kept = [item for item in fired if item.id not in replaced]
    ranked = sorted(kept, key=lambda item: (PRIORITY_RANK[item.rule.priority], -round(item.gap, GAP_DIGITS), item.id))
    return after_order(ranked)


def after_order(ranked: Sequence[Fired]) -> list[Fired]:
    """A stable topological sort: repeatedly the first rule none of whose fired prerequisites still waits.

    Prerequisites that did not fire (or were replaced) are ignored; ``after`` has no cycle (lint refuses one).
    """
    waiting = list(ranked)
    ordered: list[Fired] = []
    while waiting:
        pending = {item.id for item in waiting}
        index = next(
            (i for i, item in enumerate(waiting) if not any(name in pending for name in item.rule.after)),
            0,  # unreachable for a loaded questionnaire; keeps a hand-made cycle from looping forever
        )
        ordered.append(waiting.pop(index))
    return ordered


def _dated(rule: Recommendation, gap: float, response: Response, scores: Scores) -> Fired:
    months = rule.months if rule.months is not None else HORIZON_MONTHS[rule.horizon]
    due = add_months(response.assessment.date, months)
    deadline = None
    if rule.when.compliance is not None:
        status = scores.compliance_status(rule.when.compliance)
        if status is not None and status.status is Status.PENDING and status.item.due is not None:
            deadline = status
            due = min(due, status.item.due)
    return Fired(rule, gap, due, deadline)


def _gap_if_fires(rule: Recommendation, response: Response, scores: Scores) -> float | None:
    when = rule.when
    if when.question is not None:
        return _question_gap(rule, response, scores)
    if when.expr is not None:
        return 100.0 if response.holds(when.expr) else None
    if when.compliance is not None:
        status = scores.compliance_status(when.compliance)
        return 100.0 if status is not None and status.open else None
    target: IndicatorScore | DomainScore | None
    target = scores.indicator(when.indicator) if when.indicator is not None else scores.domain(when.domain or "")
    if target is None or target.score is None:
        return None
    if when.below is not None:
        fires = target.score < when.below
    else:
        fires = target.stage is not None and when.stage_below is not None and target.stage.level < when.stage_below
    return 100 - target.score if fires else None


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
