"""What it takes to reach a stage: the fewest answer changes, proved by the ordinary scorer.

Pure: :func:`plan` takes a validated response and returns a frozen :class:`Plan`. First come
the changes a capped stage or a gated one needs (the fewest that make the legal obligations'
``met``, or the gates' ``requires``, true). Then the points: where the score is additive
(arithmetic domains, or one domain's or indicator's score, and no change alters which questions
are asked or an indicator's weights) the gain of each change is independent, so the largest
gains first is the exact minimum. Otherwise the plan is a heuristic and says why: the changes
that alter the skip logic are tried one round at a time, the rest planned after each, and the
shortest kept (geometric domains: the largest gain per step). Either way the changes are applied
to a copy of the response and scored by :func:`dhti.scoring.score_response`: that, not the
search, says whether the target is reached.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from dhti import expressions, i18n
from dhti.errors import DhtiError, did_you_mean
from dhti.frozen import FrozenMap
from dhti.messages import L_, N_, Decimal, Message
from dhti.questionnaire import (
    Aggregation,
    Question,
    Questionnaire,
    QuestionType,
    Stage,
    WhenSkipped,
    applicable_questions,
    applies_to,
    pick,
)
from dhti.response import MAX_NUMBER, Answer, AnswerValue, Response, comparable
from dhti.scoring import Scores, Status, geometric_mean, question_score, score_response, weighted_mean

#: A reached score may fall short of a stage's threshold by float noise only (as :meth:`Questionnaire.stage_for`).
TOLERANCE = 1e-9
#: How many answer combinations the search for an obligation's changes tries at most.
MAX_OBLIGATION_TRIES = 20_000
#: How many times a plan that the proof finds short is extended from where it stands.
MAX_REPAIRS = 3

GEOMETRIC = L_("the domains combine geometrically, so the gain of a change depends on the other domains")
SKIP_LOGIC = L_("changing %(question)s changes which questions are asked")
NEW_ANSWER = L_("answering %(question)s, left unanswered, changes the weights within its indicator")
OBLIGATION = L_("the changes that meet a legal obligation were chosen before those that add points")
GATE = L_("the changes that meet what a gate requires were chosen before those that add points")
REPAIRED = L_("the first plan fell short when re-scored and was extended")


YES, NO, NOT_ANSWERED, NONE_OF_THESE = N_("Yes"), N_("No"), N_("Not answered"), N_("None of these")


class PlanError(DhtiError):
    """A plan that cannot be asked for: an unknown domain or indicator, a stage the questionnaire does not have."""


class What(enum.StrEnum):
    INDEX = "index"
    DOMAIN = "domain"
    INDICATOR = "indicator"


class Outcome(enum.StrEnum):
    """What the search found: a plan, nothing to do, no stage above, or no way to the target."""

    PLANNED = "planned"
    ALREADY = "already"
    TOP = "top"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Target:
    what: What
    id: str | None  # the domain's or indicator's id; None for the index
    stage: Stage


@dataclass(frozen=True)
class Change:
    """One answer to change: from what to what, and what it adds (in the order the plan lists it)."""

    question: str
    before: AnswerValue | None  # None: unanswered
    after: AnswerValue
    gain: float  # points of the target's score (index, domain or indicator)
    domain: str  # the question's domain
    domain_gain: float  # points of that domain's score
    meets: tuple[str, ...] = ()  # the legal obligations this change helps meet
    opens: tuple[int, ...] = ()  # the stages whose gate (of the target indicator) this change helps open


@dataclass(frozen=True)
class Plan:
    """The changes, whether they are provably the fewest, and the proof: the copy re-scored."""

    target: Target
    outcome: Outcome
    score: float  # the target's score now (0..100)
    stage: Stage  # its stage now (the index's after compliance caps, an indicator's after its gates)
    changes: tuple[Change, ...] = ()
    exact: bool = True
    reasons: tuple[Message, ...] = ()  # why the plan is a heuristic
    why_not: Message | None = None  # why the target cannot be reached
    rescored: Scores | None = None
    rescored_score: float | None = None
    rescored_stage: Stage | None = None

    @property
    def reached(self) -> bool:
        return self.rescored_stage is not None and self.rescored_stage.level >= self.target.stage.level

    def reason(self, lang: str) -> str | None:
        """Why the plan is a heuristic, in ``lang``; None when it is exact."""
        if self.exact:
            return None
        return "; ".join(reason.render(lang) for reason in self.reasons)


def plan(
    response: Response,
    *,
    target_stage: int | None = None,
    domain: str | None = None,
    indicator: str | None = None,
    lenient: bool = False,
) -> Plan:
    """The fewest answer changes that lift the index (or ``domain``'s or ``indicator``'s score) to ``target_stage``.

    ``target_stage`` defaults to the stage after the current one. An indicator's stage also needs
    its gates' requirements, as the index's needs the legal obligations that cap it. ``lenient``
    scores as ``--lenient`` does, and lets unanswered questions be answered. Raises
    :class:`PlanError` for a domain, indicator or stage the questionnaire does not have.
    """
    scores = score_response(response, lenient=lenient)
    q = response.questionnaire
    target = _target(q, scores, target_stage=target_stage, what=_what(q, scores, domain=domain, indicator=indicator))
    score, stage = _standing(scores, target)
    base = Plan(target, Outcome.PLANNED, score, stage)
    if target.stage.level <= stage.level:
        outcome = Outcome.TOP if target_stage is None else Outcome.ALREADY
        return dataclasses.replace(base, outcome=outcome, rescored=scores, rescored_score=score, rescored_stage=stage)
    search = _Search(response, target, lenient=lenient)
    found = search.run()
    if isinstance(found, Message):
        return dataclasses.replace(base, outcome=Outcome.UNREACHABLE, why_not=found)
    return search.proved(base, found)


def _what(q: Questionnaire, scores: Scores, *, domain: str | None, indicator: str | None) -> tuple[What, str | None]:
    """What the plan lifts: the index, a domain or an indicator (one of the last two at most)."""
    if domain is not None and indicator is not None:
        raise PlanError(L_("plan for a domain or for an indicator, not both"))
    if domain is not None and scores.domain(domain) is None:
        known = ", ".join(d.id for d in q.domains)
        raise PlanError(
            L_("unknown domain %(domain)s (the questionnaire has %(known)s)", domain=repr(domain), known=known)
        )
    if indicator is not None and scores.indicator(indicator) is None:
        hint = did_you_mean(indicator, [i.id for i in q.indicators()])
        raise PlanError(L_("unknown indicator %(indicator)s%(hint)s", indicator=repr(indicator), hint=hint))
    if indicator is not None:
        return What.INDICATOR, indicator
    return (What.DOMAIN, domain) if domain is not None else (What.INDEX, None)


def _target(q: Questionnaire, scores: Scores, *, target_stage: int | None, what: tuple[What, str | None]) -> Target:
    levels = sorted(stage.level for stage in q.stages)
    if target_stage is None:
        current = _standing(scores, Target(what[0], what[1], q.stages[0]))[1].level
        target_stage = next((level for level in levels if level > current), current)
    chosen = next((stage for stage in q.stages if stage.level == target_stage), None)
    if chosen is None:
        shown = ", ".join(str(level) for level in levels)
        raise PlanError(
            L_("the questionnaire has no stage %(stage)s (its stages: %(stages)s)", stage=target_stage, stages=shown)
        )
    return Target(what[0], what[1], chosen)


def _standing(scores: Scores, target: Target) -> tuple[float, Stage]:
    """The target's score and stage: the index's after caps, an indicator's after gates, a domain's by score."""
    if target.what is What.INDICATOR:
        item = scores.indicator(target.id or "")
        if item is None or item.score is None or item.stage is None:
            raise PlanError(
                L_("indicator %(indicator)s has no score: no question of it is answered", indicator=target.id)
            )
        return item.score, item.stage
    if target.what is What.DOMAIN:
        found = scores.domain(target.id or "")
        if found is None or found.score is None or found.stage is None:
            raise PlanError(L_("domain %(domain)s has no score: no question of it is answered", domain=target.id))
        return found.score, found.stage
    if scores.index is None or scores.stage is None:
        raise PlanError(L_("the response has no score: no scored question is answered"))
    return scores.index, scores.stage


# --- answers and their values -------------------------------------------------------------------------------


def with_answers(response: Response, edits: Mapping[str, AnswerValue]) -> Response:
    """A copy of ``response`` with these answers changed (evidence and comments kept), skip logic applied again."""
    if not edits:
        return response
    answers = dict(response.answers)
    for qid, value in edits.items():
        old = answers.get(qid)
        answers[qid] = Answer(value, evidence=old.evidence if old else None, comment=old.comment if old else None)
    lookup = {qid: comparable(answer) for qid, answer in answers.items()}
    applicable = applicable_questions(response.questionnaire, response.entity.type, lookup)
    return dataclasses.replace(response, answers=FrozenMap(answers), applicable=applicable)


def current_value(response: Response, qid: str) -> AnswerValue | None:
    answer = response.answers.get(qid)
    return answer.value if answer is not None and not answer.na else None


def _score_of(question: Question, value: AnswerValue | None) -> float:
    return question_score(question, value) if value is not None else 0.0


def better_values(question: Question, value: AnswerValue | None) -> tuple[AnswerValue, ...]:
    """The answers that score more than ``value`` (None: unanswered), least effort first, each scoring more."""
    floor = _score_of(question, value) if value is not None else -1.0
    found: list[AnswerValue] = []
    for candidate in _ladder(question, value):
        score = question_score(question, candidate)
        if score > floor + TOLERANCE and (value is not None or score > 0):
            found.append(candidate)
            floor = score
    return tuple(found)


def _ladder(question: Question, value: AnswerValue | None) -> Iterator[AnswerValue]:
    """Answers in rising order of effort (not all scoring more): the caller keeps those that do."""
    kind = question.type
    if kind is QuestionType.YES_NO:
        yield "yes"
    elif kind is QuestionType.CHOICE:
        yield from (o.value for o in sorted(question.options or (), key=lambda o: o.points))
    elif kind is QuestionType.MULTI:
        yield from _more_options(question, value if isinstance(value, tuple) else ())
    elif question.linear is not None:
        yield _clamped(question, question.linear.to)
    else:
        low = value if isinstance(value, float) else -math.inf
        for band in sorted(question.bands or (), key=lambda band: band.min):
            answer = _clamped(question, band.min)
            if answer > low and question_score(question, answer) > 0:
                yield answer


def _more_options(question: Question, chosen: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """The chosen options plus the best unchosen ones, one more each time (in the questionnaire's order)."""
    unchosen = sorted((o for o in question.options or () if o.value not in chosen), key=lambda o: -o.points)
    added: set[str] = set()
    for option in unchosen:
        if option.points <= 0:
            return
        added.add(option.value)
        yield tuple(v for v in question.option_values if v in chosen or v in added)


def _clamped(question: Question, value: float) -> float:
    top = 100.0 if question.type is QuestionType.PERCENT else float(MAX_NUMBER)
    return float(min(max(value, 0.0), top))


def linear_value(question: Question, score: float) -> float | None:
    """The least whole value that a linear question needs to score at least ``score`` (None past its best)."""
    if question.linear is None:
        return None
    low, high = question.linear.from_, question.linear.to
    exact = low + min(max(score, 0.0), 1.0) * (high - low)
    value = _clamped(question, math.ceil(exact - TOLERANCE) if high > low else math.floor(exact + TOLERANCE))
    return value if question_score(question, value) + TOLERANCE >= score else None


def value_text(question: Question, value: AnswerValue | None, *, lang: str) -> str:
    """An answer as the form shows it: option labels, Yes/No, numbers in the language's format."""
    translate = i18n.translations(lang).gettext
    if value is None:
        return translate(NOT_ANSWERED)
    if question.type is QuestionType.YES_NO:
        return translate(YES) if value == "yes" else translate(NO)
    if question.type in (QuestionType.CHOICE, QuestionType.MULTI):
        chosen = value if isinstance(value, tuple) else (str(value),)
        labels = [pick(option.label, lang) for option in question.options or () if option.value in chosen]
        return "; ".join(labels) if labels else translate(NONE_OF_THESE)
    if isinstance(value, float):
        unit = f" {pick(question.unit, lang)}" if question.unit else ""
        return i18n.decimal(value, lang) + ("%" if question.type is QuestionType.PERCENT else unit)
    return i18n.date(value, lang) if not isinstance(value, str | tuple) else str(value)


# --- the additive model ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    domain: int
    indicator: int
    weight: float
    score: float | None  # s in the indicator's sum, or None when the question is not in it


class _Model:
    """The scores of one response as sums, so that changing question scores (skip logic fixed) is cheap.

    Exactly the arithmetic of contract 3.2: an indicator is sum(w s) / sum(w) over the questions in
    its sum, a domain the weighted mean of its scored indicators, the index their combination.
    """

    def __init__(self, response: Response, scores: Scores) -> None:
        q = response.questionnaire
        self.q = q
        self.slots: dict[str, _Slot] = {}
        self.sums: dict[tuple[int, int], tuple[float, float]] = {}
        for d, domain in enumerate(q.domains):
            for i, indicator in enumerate(domain.indicators):
                pairs: list[tuple[float, float]] = []
                for question in indicator.questions:
                    if not question.scored:
                        continue
                    score = scores.questions.get(question.id)
                    if score is None and _absent_zero(question, response):
                        score = 0.0
                    self.slots[question.id] = _Slot(d, i, question.weight, score)
                    if score is not None:
                        pairs.append((question.weight, score))
                self.sums[d, i] = (math.fsum(w * s for w, s in pairs), math.fsum(w for w, _ in pairs))

    def evaluate(self, new: Mapping[str, float]) -> _Scored:
        """The index, each domain's and each indicator's score (0..100) with these questions scoring ``new``."""
        changed: dict[tuple[int, int], tuple[float, float]] = {}
        for qid, score in new.items():
            slot = self.slots[qid]
            key = (slot.domain, slot.indicator)
            total, weight = changed.get(key, self.sums[key])
            if slot.score is None:
                changed[key] = (total + slot.weight * score, weight + slot.weight)
            else:
                changed[key] = (total + slot.weight * (score - slot.score), weight)
        touched = {d for d, _ in changed}
        domains = tuple(
            self._domain(d, changed) if d in touched else self.base_domains[d] for d in range(len(self.q.domains))
        )
        pairs = [
            (dom.weight, score / 100) for dom, score in zip(self.q.domains, domains, strict=True) if score is not None
        ]
        combine = geometric_mean if self.q.aggregation is Aggregation.GEOMETRIC else weighted_mean
        index = combine(pairs)
        indicators = _Indicators(self.sums, changed)
        return _Scored(None if index is None else 100 * index, domains, indicators)

    @functools.cached_property
    def base_domains(self) -> tuple[float | None, ...]:
        return tuple(self._domain(d, {}) for d in range(len(self.q.domains)))

    def _domain(self, d: int, changed: Mapping[tuple[int, int], tuple[float, float]]) -> float | None:
        pairs = []
        for i, indicator in enumerate(self.q.domains[d].indicators):
            total, weight = changed.get((d, i), self.sums[d, i])
            if weight > 0:
                pairs.append((indicator.weight, 100 * total / weight))
        return weighted_mean(pairs)


class _Indicators:
    """The indicators' scores by (domain, indicator): the model's sums with the changed ones replaced."""

    def __init__(
        self,
        sums: Mapping[tuple[int, int], tuple[float, float]],
        changed: Mapping[tuple[int, int], tuple[float, float]],
    ) -> None:
        self.sums, self.changed = sums, changed

    def get(self, key: tuple[int, int]) -> float | None:
        total, weight = self.changed.get(key, self.sums[key])
        return 100 * total / weight if weight > 0 else None


@dataclass(frozen=True)
class _Scored:
    """What the model computes: the index, the domains' scores in order, the indicators' by (domain, indicator)."""

    index: float | None
    domains: tuple[float | None, ...]
    indicators: _Indicators


def _absent_zero(question: Question, response: Response) -> bool:
    return (
        question.id not in response.applicable
        and question.when_skipped is WhenSkipped.ZERO
        and applies_to(question, response.entity.type)
    )


# --- the search --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    question: str
    values: tuple[AnswerValue, ...]  # least effort first
    scores: tuple[float, ...]  # s of each value
    interacts: bool  # some value changes which questions are asked
    new: bool  # unanswered and not in its indicator's sum: answering it changes the weights


class _Search:
    def __init__(self, response: Response, target: Target, *, lenient: bool) -> None:
        self.original = response
        self.q = response.questionnaire
        self.target = target
        self.lenient = lenient
        self.reasons: list[Message] = []
        self.meets: dict[str, tuple[str, ...]] = {}  # question -> obligations its forced change meets
        self.opens: dict[str, tuple[int, ...]] = {}  # question -> the stages whose gate its forced change opens
        self.kept: tuple[str, ...] = ()  # the caps the plan must keep met
        self.kept_reads: frozenset[str] = frozenset()  # the questions those read
        self._asked: dict[tuple[expressions.Value | None, ...], frozenset[str]] = {}

    # what is measured

    def metric(self, scores: Scores) -> float:
        found = _standing_score(scores, self.target)
        return found if found is not None else -math.inf

    def reached(self, scores: Scores) -> bool:
        if self.target.what is What.DOMAIN:
            return self.metric(scores) + TOLERANCE >= self.target.stage.min
        if self.target.what is What.INDICATOR:
            item = scores.indicator(self.target.id or "")
            return item is not None and item.stage is not None and item.stage.level >= self.target.stage.level
        return scores.stage is not None and scores.stage.level >= self.target.stage.level

    def model_metric(self, value: _Scored) -> float:
        found: float | None = value.index
        if self.target.what is What.DOMAIN:
            found = value.domains[self._domain_number(self.target.id or "")]
        elif self.target.what is What.INDICATOR:
            found = value.indicators.get(self._indicator_key)
        return found if found is not None else -math.inf

    @functools.cached_property
    def _indicator_key(self) -> tuple[int, int]:
        return next(
            (d, i)
            for d, domain in enumerate(self.q.domains)
            for i, indicator in enumerate(domain.indicators)
            if indicator.id == self.target.id
        )

    def _domain_number(self, domain_id: str) -> int:
        return next(n for n, domain in enumerate(self.q.domains) if domain.id == domain_id)

    def score(self, edits: Mapping[str, AnswerValue]) -> Scores:
        return score_response(with_answers(self.original, edits), lenient=self.lenient)

    # the whole search

    def run(self) -> dict[str, AnswerValue] | Message:
        forced = self.obligations()
        if isinstance(forced, Message):
            return forced
        edits = dict(forced)
        for _ in range(MAX_REPAIRS + 1):
            found = self.points(edits)
            if isinstance(found, Message):
                return found
            if self.reached(self.score(found)):
                return found
            edits = found
            self.reasons.append(REPAIRED)
        return found

    def proved(self, base: Plan, edits: Mapping[str, AnswerValue]) -> Plan:
        """The plan with each change's gain (applied in turn, by the ordinary scorer) and the re-scored copy."""
        changes = self.changes(edits)
        scores = self.score(edits)
        score, stage = _standing(scores, self.target)
        reasons = tuple(dict.fromkeys(self.reasons))
        return dataclasses.replace(
            base,
            changes=changes,
            exact=not reasons,
            reasons=reasons,
            rescored=scores,
            rescored_score=score,
            rescored_stage=stage,
        )

    def changes(self, edits: Mapping[str, AnswerValue]) -> tuple[Change, ...]:
        applied: dict[str, AnswerValue] = {}
        before = self.score({})
        found = []
        for qid, value in edits.items():
            applied[qid] = value
            after = self.score(applied)
            domain = self.q.domains[self._slot_domain(qid)].id
            found.append(
                Change(
                    qid,
                    current_value(self.original, qid),
                    value,
                    self.metric(after) - self.metric(before),
                    domain,
                    _domain_score(after, domain) - _domain_score(before, domain),
                    self.meets.get(qid, ()),
                    self.opens.get(qid, ()),
                )
            )
            before = after
        return tuple(sorted(found, key=lambda change: -change.gain))

    def _slot_domain(self, qid: str) -> int:
        indicator = self.q.indicator_of(qid)
        return next(n for n, domain in enumerate(self.q.domains) if indicator in domain.indicators)

    # the legal obligations that cap the index below the target

    def obligations(self) -> dict[str, AnswerValue] | Message:
        """The fewest changes that meet every obligation in breach whose cap is below the target."""
        if self.target.what is What.INDICATOR:
            return self.gates()
        if self.target.what is not What.INDEX:
            return {}
        scores = self.score({})
        level = self.target.stage.level
        capping = [
            s for s in scores.compliance if s.item.caps_stage is not None and s.item.caps_stage < level
        ]  # a pending item caps nothing, and no answer puts it in breach
        self.kept = tuple(s.item.met for s in capping if s.status is not Status.PENDING)
        self.kept_reads = frozenset(qid for source in self.kept for qid in _ref_ids(self.q, source))
        breached = [s.item for s in capping if s.status is Status.BREACH]
        if not breached:
            return {}
        found = _meeting(self.original, [item.met for item in breached], lenient=self.lenient, metric=self.metric)
        if found is None:
            texts = "; ".join(item.id for item in breached)
            return L_(
                "no answers that can be changed meet the legal obligations that cap the index: %(items)s", items=texts
            )
        for qid in found:
            self.meets[qid] = tuple(
                item.id for item in breached if qid in {r.question for r in _refs(self.q, item.met)}
            )
        reads = {qid for item in breached for qid in _ref_ids(self.q, item.met)}
        if any(self.q.questions[qid].scored for qid in reads) or set(found) - reads:
            self.reasons.append(OBLIGATION)  # the obligation's changes also add points, or bring questions in
        return found

    def gates(self) -> dict[str, AnswerValue] | Message:
        """The fewest changes that meet the requirements of the target indicator's gates up to the target stage."""
        indicator = next(i for i in self.q.indicators() if i.id == self.target.id)
        gates = [gate for gate in indicator.gates if gate.stage <= self.target.stage.level]
        self.kept = tuple(gate.requires for gate in gates)
        self.kept_reads = frozenset(qid for source in self.kept for qid in _ref_ids(self.q, source))
        failed = [gate for gate in gates if not self.original.holds(gate.requires)]
        if not failed:
            return {}
        found = _meeting(self.original, [gate.requires for gate in failed], lenient=self.lenient, metric=self.metric)
        if found is None:
            stages = ", ".join(str(gate.stage) for gate in failed)
            return L_("no answers that can be changed meet what the gates of stages %(stages)s require", stages=stages)
        for qid in found:
            self.opens[qid] = tuple(sorted({gate.stage for gate in failed if qid in _ref_ids(self.q, gate.requires)}))
        reads = {qid for gate in failed for qid in _ref_ids(self.q, gate.requires)}
        if any(self.q.questions[qid].scored for qid in reads) or set(found) - reads:
            self.reasons.append(GATE)
        return found

    def keeps_obligations(self, edits: Mapping[str, AnswerValue]) -> bool:
        if not self.kept:
            return True
        changed = with_answers(self.original, edits)
        return all(changed.holds(source) for source in self.kept)

    # the points

    def points(self, start: Mapping[str, AnswerValue]) -> dict[str, AnswerValue] | Message:
        state = with_answers(self.original, start)
        scores = score_response(state, lenient=self.lenient)
        if self.reached(scores):
            return dict(start)
        candidates = self.candidates(state, start, locked=frozenset(start))
        if self.additive(candidates):
            found, most = self.fewest(state, scores, candidates, start)
            return found if found is not None else self.unreachable(most)
        return self.search(start)

    def candidates(
        self, state: Response, edits: Mapping[str, AnswerValue], *, locked: frozenset[str] = frozenset()
    ) -> list[_Candidate]:
        """The questions whose answer can score more, each with the better answers (those keeping the obligations)."""
        scores = score_response(state, lenient=self.lenient)
        asked = [
            qid
            for qid, question in self.q.questions.items()
            if question.scored
            and qid in state.applicable
            and qid not in locked
            and not _na(state, qid)
            and self._in_target(qid)
        ]
        controlling = _controlling(self.q, state)
        found = []
        for qid in asked:
            question = self.q.questions[qid]
            value = current_value(state, qid)
            new = value is None and qid not in scores.questions
            if new and not self.lenient:
                continue
            values = [
                v
                for v in better_values(question, value)
                if qid not in self.kept_reads or self.keeps_obligations({**edits, qid: v})
            ]
            if not values:
                continue
            interacts = qid in controlling and any(self.asked(state, qid, v) != state.applicable for v in values)
            found.append(
                _Candidate(qid, tuple(values), tuple(question_score(question, v) for v in values), interacts, new)
            )
        return _shared_conditions(self.q, state, found)

    def asked(self, state: Response, qid: str, value: AnswerValue) -> frozenset[str]:
        """The questions asked once ``qid`` is answered ``value``: remembered by the answers skip logic reads."""
        controls = self.controls
        seen = {c: comparable(state.answers[c]) if c in state.answers else None for c in controls}
        seen[qid] = comparable(Answer(value))
        key = tuple(seen[c] for c in controls)
        if key not in self._asked:
            self._asked[key] = applicable_questions(self.q, state.entity.type, seen)
        return self._asked[key]

    @functools.cached_property
    def controls(self) -> tuple[str, ...]:
        return tuple(sorted(_controlling(self.q, self.original)))

    def _in_target(self, qid: str) -> bool:
        if self.target.what is What.INDICATOR:
            return self.q.indicator_of(qid).id == self.target.id
        if self.target.what is What.DOMAIN:
            return self.q.domains[self._slot_domain(qid)].id == self.target.id
        return True

    def additive(self, candidates: Sequence[_Candidate]) -> bool:
        """Whether gains add up: arithmetic, and no change alters what is asked or an indicator's weights."""
        additive = True
        if self.target.what is What.INDEX and self.q.aggregation is Aggregation.GEOMETRIC:
            self.reasons.append(GEOMETRIC)
            additive = False
        interacting = ", ".join(c.question for c in candidates if c.interacts)
        if interacting:
            self.reasons.append(dataclasses.replace(SKIP_LOGIC, params=(("question", interacting),)))
        new = ", ".join(c.question for c in candidates if c.new and not c.interacts)
        if new:
            self.reasons.append(dataclasses.replace(NEW_ANSWER, params=(("question", new),)))
        return additive and not interacting and not new

    def fewest(
        self, state: Response, scores: Scores, candidates: Sequence[_Candidate], start: Mapping[str, AnswerValue]
    ) -> tuple[dict[str, AnswerValue] | None, float]:
        """Exact where gains add up: the largest gains first, then each lowered to the least that still reaches.

        Returns the changes (None when even every best answer falls short) and the most they reach.
        """
        model = _Model(state, scores)
        base = self.model_metric(model.evaluate({}))
        gains = {
            c.question: [self.model_metric(model.evaluate({c.question: s})) - base for s in c.scores]
            for c in candidates
        }
        ordered = sorted(candidates, key=lambda c: -gains[c.question][-1])
        need = self.target.stage.min - TOLERANCE - base
        chosen: list[_Candidate] = []
        total = 0.0
        for candidate in ordered:
            if total >= need:
                break
            chosen.append(candidate)
            total += gains[candidate.question][-1]
        if total < need:
            return None, base + total
        picked = {c.question: len(c.values) - 1 for c in chosen}
        for candidate in reversed(chosen):  # the smallest gains are lowered first
            qid = candidate.question
            spare = total - need
            for n, gain in enumerate(gains[qid]):
                if gains[qid][picked[qid]] - gain <= spare:
                    total -= gains[qid][picked[qid]] - gain
                    picked[qid] = n
                    break
        edits = dict(start)
        for candidate in chosen:
            edits[candidate.question] = candidate.values[picked[candidate.question]]
        self.lower_linear(edits, [c for c in chosen if picked[c.question] == len(c.values) - 1], model)
        return edits, base + total

    def lower_linear(self, edits: dict[str, AnswerValue], chosen: Sequence[_Candidate], model: _Model) -> None:
        """Each linear answer set to its best lowered to the least whole value with which the rest still reaches."""
        for candidate in chosen:
            question = self.q.questions[candidate.question]
            if question.linear is None:
                continue
            others = {qid: question_score(self.q.questions[qid], v) for qid, v in edits.items() if qid in model.slots}
            low, high = _score_of(question, current_value(self.original, question.id)), candidate.scores[-1]
            for _ in range(50):  # the score it needs, bisected on the model (the proof re-scores)
                middle = (low + high) / 2
                reach = self.model_metric(model.evaluate({**others, question.id: middle}))
                if reach + TOLERANCE >= self.target.stage.min:
                    high = middle
                else:
                    low = middle
            value = linear_value(question, high)
            if value is not None:
                trial = {**others, question.id: question_score(question, value)}
                if self.model_metric(model.evaluate(trial)) + TOLERANCE >= self.target.stage.min:
                    edits[question.id] = value

    def unreachable(self, most: float) -> Message:
        return L_(
            "the most the answers that can be changed reach is %(most)s, below stage %(stage)s's %(min)s",
            most=Decimal(most),
            stage=self.target.stage.level,
            min=Decimal(self.target.stage.min),
        )

    def search(self, start: Mapping[str, AnswerValue]) -> dict[str, AnswerValue] | Message:
        """A heuristic: the changes that leave the skip logic as it is, planned after each change that alters it.

        Each round tries every change that alters what is asked (with the required questions it brings
        in answered) and plans the rest from there; the round keeps the one needing fewest changes in all.
        """
        best, most = self.settled(start)
        base = dict(start)
        moved = dict(start)  # where the best plan starts: the changes that alter what is asked, and start
        for _ in range(len(self.q.questions)):
            step: dict[str, AnswerValue] | None = None
            furthest = most
            for move in self.moves(base, locked=frozenset(start)):
                trial = {**base, **move}
                if best is not None and len(trial) >= len(best):
                    continue  # a plan from here has every change of the trial: no fewer than the best
                found, reach = self.settled(trial)
                if found is not None and (best is None or len(found) < len(best)):
                    best, step, moved = found, trial, trial
                elif best is None and reach > furthest + TOLERANCE:
                    furthest, step = reach, trial  # nothing reaches yet: go where most is reached
            most = max(most, furthest)
            if step is None:
                break
            base = step
        if best is None:
            return self.unreachable(most)
        settled = {qid: value for qid, value in best.items() if qid not in moved}  # lowered already
        return self.polished(best, keep={**start, **settled})

    def moves(self, base: Mapping[str, AnswerValue], *, locked: frozenset[str]) -> Iterator[dict[str, AnswerValue]]:
        """Each change that alters what is asked, with the best answers to the required questions it brings in."""
        state = with_answers(self.original, base)
        for candidate in self.candidates(state, base, locked=locked):
            if not candidate.interacts:
                continue
            for value in candidate.values:
                move = with_follow_ups(self.original, base, {candidate.question: value}, lenient=self.lenient)
                if move and self.valid({**base, **move}):
                    yield move

    def settled(self, start: Mapping[str, AnswerValue]) -> tuple[dict[str, AnswerValue] | None, float]:
        """The plan from ``start`` by the changes that leave the skip logic as it is, and the most they reach."""
        state = with_answers(self.original, start)
        scores = score_response(state, lenient=self.lenient)
        if self.reached(scores):
            return dict(start), self.metric(scores)
        candidates = [c for c in self.candidates(state, start, locked=frozenset(start)) if not c.interacts]
        if not any(c.new for c in candidates) and (
            self.target.what is not What.INDEX or self.q.aggregation is Aggregation.ARITHMETIC
        ):
            return self.fewest(state, scores, candidates, start)
        return self.greedy(state, scores, candidates, start)

    def greedy(
        self, state: Response, scores: Scores, candidates: Sequence[_Candidate], start: Mapping[str, AnswerValue]
    ) -> tuple[dict[str, AnswerValue] | None, float]:
        """Where gains do not add up (geometric domains, new answers): the largest gain per step, on the model."""
        model = _Model(state, scores)
        chosen: dict[str, float] = {}
        picked: dict[str, AnswerValue] = {}
        reach = self.model_metric(model.evaluate({}))
        while reach + TOLERANCE < self.target.stage.min:
            best: tuple[float, str, AnswerValue, float] | None = None
            for candidate in candidates:
                for value, s in zip(candidate.values, candidate.scores, strict=True):
                    gain = self.model_metric(model.evaluate({**chosen, candidate.question: s})) - reach
                    rate = gain if candidate.question not in chosen else gain * len(self.q.questions)
                    if gain > TOLERANCE and (best is None or rate > best[0] + TOLERANCE):
                        best = (rate, candidate.question, value, s)
            if best is None:
                return None, reach
            _, qid, value, s = best
            chosen[qid], picked[qid] = s, value
            reach = self.model_metric(model.evaluate(chosen))
        return {**start, **picked}, reach

    def polished(self, edits: dict[str, AnswerValue], *, keep: Mapping[str, AnswerValue]) -> dict[str, AnswerValue]:
        """Drop the changes the target does not need, then lower each to the least answer that still reaches."""
        for qid in list(edits):
            if qid in keep:
                continue
            trial = {k: v for k, v in edits.items() if k != qid}
            if self.valid(trial) and self.reached(self.score(trial)):
                edits = trial
        for qid in list(edits):
            if qid in keep:
                continue
            for value in better_values(self.q.questions[qid], current_value(self.original, qid)):
                if value == edits[qid]:
                    break
                trial = {**edits, qid: value}
                if self.valid(trial) and self.reached(self.score(trial)):
                    edits = trial
                    break
        return edits

    def valid(self, edits: Mapping[str, AnswerValue]) -> bool:
        """Every changed question still asked, no required one left unanswered, the obligations kept."""
        state = with_answers(self.original, edits)
        if any(qid not in state.applicable for qid in edits):
            return False
        if not self.lenient and unanswered_required(state):
            return False
        return self.keeps_obligations(edits)


def unanswered_required(state: Response) -> set[str]:
    """The required questions asked and not answered (a response with one is valid only with --lenient)."""
    questions = state.questionnaire.questions
    return {qid for qid in state.applicable if questions[qid].required and _unanswered(state, qid)}


def with_follow_ups(
    original: Response, edits: Mapping[str, AnswerValue], move: Mapping[str, AnswerValue], *, lenient: bool
) -> dict[str, AnswerValue]:
    """The move plus the best answers to the required questions it brings in; {} when one of them cannot be
    answered (a text or date: no plan writes one), unless ``lenient`` lets it stay unanswered."""
    questions = original.questionnaire.questions
    found = dict(move)
    before = unanswered_required(with_answers(original, edits))
    for _ in range(len(questions)):
        missing = unanswered_required(with_answers(original, {**edits, **found})) - before
        if not missing:
            return found
        for qid in sorted(missing):
            values = better_values(questions[qid], None) if questions[qid].scored else ()
            if not values:
                if lenient:
                    return found
                return {}
            found[qid] = values[-1]
    return found


def _standing_score(scores: Scores, target: Target) -> float | None:
    if target.what is What.INDICATOR:
        item = scores.indicator(target.id or "")
        return item.score if item is not None else None
    if target.what is What.DOMAIN:
        found = scores.domain(target.id or "")
        return found.score if found is not None else None
    return scores.index


def _domain_score(scores: Scores, domain_id: str) -> float:
    found = scores.domain(domain_id)
    return found.score if found is not None and found.score is not None else 0.0


def _na(response: Response, qid: str) -> bool:
    answer = response.answers.get(qid)
    return answer is not None and answer.na


def _unanswered(response: Response, qid: str) -> bool:
    answer = response.answers.get(qid)
    return answer is None or (answer.value is None and not answer.na)


def _refs(q: Questionnaire, source: str) -> list[expressions.Ref]:
    return expressions.references(q.expression(source))


def _ref_ids(q: Questionnaire, source: str) -> list[str]:
    return list(dict.fromkeys(ref.question for ref in _refs(q, source) if ref.question in q.questions))


def _controlling(q: Questionnaire, response: Response) -> frozenset[str]:
    """The questions that the skip logic of a question asked of this entity type reads."""
    return frozenset(
        ref.question
        for qid, condition in q.conditions.items()
        if applies_to(q.questions[qid], response.entity.type)
        for ref in expressions.references(condition)
    )


def _shared_conditions(q: Questionnaire, response: Response, found: list[_Candidate]) -> list[_Candidate]:
    """Candidates that read the same condition with another candidate interact, even if neither alone does.

    Changes one at a time that alter no condition alter none together, unless two of them meet in one.
    """
    names = {c.question for c in found}
    shared: set[str] = set()
    for qid, condition in q.conditions.items():
        if not applies_to(q.questions[qid], response.entity.type):
            continue
        read = {ref.question for ref in expressions.references(condition)} & names
        if len(read) > 1:
            shared |= read
    return [dataclasses.replace(c, interacts=True) if c.question in shared else c for c in found]


# --- meeting obligations ---------------------------------------------------------------------------------------------


def _meeting(
    response: Response, sources: Sequence[str], *, lenient: bool, metric: Callable[[Scores], float]
) -> dict[str, AnswerValue] | None:
    """The fewest changes to the questions these expressions read that make them all true; None when none do.

    Expressions that share no question are met one group at a time (the changes of one cannot help
    another), unless together the groups' changes fall short; then all of them are searched at once.
    """
    groups = _sharing(response.questionnaire, sources)
    if len(groups) > 1:
        merged: dict[str, AnswerValue] = {}
        for group in groups:
            part = _meeting_all(response, group, lenient=lenient, metric=metric)
            if part is None:
                return None
            merged.update(part)
        changed = with_answers(response, merged)
        if all(qid in changed.applicable for qid in merged) and all(changed.holds(source) for source in sources):
            return merged
    return _meeting_all(response, sources, lenient=lenient, metric=metric)


def _sharing(q: Questionnaire, sources: Sequence[str]) -> list[list[str]]:
    """The expressions in groups that read common questions (each group in the given order)."""
    groups: list[tuple[set[str], list[str]]] = []
    for source in sources:
        reads = set(_ref_ids(q, source))
        joined = [group for group in groups if group[0] & reads]
        for group in joined:
            groups.remove(group)
            reads |= group[0]
        groups.append((reads, [s for group in joined for s in group[1]] + [source]))
    return [members for _, members in groups]


def _meeting_all(
    response: Response, sources: Sequence[str], *, lenient: bool, metric: Callable[[Scores], float]
) -> dict[str, AnswerValue] | None:
    """The fewest changes that make all ``sources`` true, searched together.

    Among the fewest, the one that leaves ``metric`` (the target's score) highest. The values tried are each
    question's options, and the literals the expressions compare it with (and a step beyond them).
    """
    q = response.questionnaire
    names = list(dict.fromkeys(qid for source in sources for qid in _ref_ids(q, source)))
    domains = {qid: _values_to_try(q, response, qid, sources) for qid in names}
    changeable = [qid for qid in names if domains[qid]]
    tries = 0
    for size in range(1, len(changeable) + 1):
        best: tuple[tuple[int, float], dict[str, AnswerValue]] | None = None  # (-changes, score), changes
        for chosen in itertools.combinations(changeable, size):
            for values in itertools.product(*(domains[qid] for qid in chosen)):
                tries += 1
                if tries > MAX_OBLIGATION_TRIES:
                    return best[1] if best else None
                direct = dict(zip(chosen, values, strict=True))
                if not all(with_answers(response, direct).holds(source) for source in sources):
                    continue
                edits = with_follow_ups(response, {}, direct, lenient=lenient)
                changed = with_answers(response, edits)
                if not edits or not all(qid in changed.applicable for qid in edits):
                    continue
                if all(changed.holds(source) for source in sources):
                    rank = (-len(edits), metric(score_response(changed, lenient=lenient)))
                    if best is None or rank > best[0]:
                        best = (rank, edits)
        if best is not None:
            return best[1]
    return None


def _values_to_try(q: Questionnaire, response: Response, qid: str, sources: Sequence[str]) -> list[AnswerValue]:
    """The answers worth trying for ``qid`` to meet ``sources``: none for an ``na`` answer or a question not asked."""
    question = q.questions[qid]
    if _na(response, qid) or not applies_to(question, response.entity.type):
        return []
    current = current_value(response, qid)
    literals = [
        literal.value
        for source in sources
        for comparison in expressions.comparisons(q.expression(source))
        if qid in {ref.question for ref in expressions.references(comparison)}
        for literal in _literals(comparison)
    ]
    values: list[AnswerValue] = []
    kind = question.type
    if kind in (QuestionType.CHOICE, QuestionType.YES_NO):
        values = list(question.option_values)
    elif kind is QuestionType.MULTI:
        values = list(_multi_values(question, current, literals))
    elif kind in (QuestionType.NUMBER, QuestionType.PERCENT):
        numbers = [float(v) for v in literals if isinstance(v, float)]
        values = sorted({_clamped(question, n + step) for n in numbers for step in (-1.0, 0.0, 1.0)})
    elif kind is QuestionType.TEXT:
        values = [str(v) for v in literals]
    return [value for value in dict.fromkeys(values) if value != current]


def _multi_values(
    question: Question, current: AnswerValue | None, literals: Iterable[object]
) -> Iterator[tuple[str, ...]]:
    chosen = set(current) if isinstance(current, tuple) else set()
    named = [str(v) for v in literals if isinstance(v, str) and question.option(v) is not None]
    for size in range(len(named) + 1):
        for flip in itertools.combinations(named, size):
            picked = chosen ^ set(flip)
            yield tuple(v for v in question.option_values if v in picked)


def _literals(comparison: expressions.Compare) -> list[expressions.Literal]:
    found: list[expressions.Literal] = []
    for side in (comparison.left, comparison.right):
        if isinstance(side, expressions.Literal):
            found.append(side)
        elif isinstance(side, expressions.ListLit):
            found.extend(side.items)
    return found
