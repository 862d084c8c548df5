"""The typed context of an entity report: everything the templates show, already worded.

Pure: it turns an :class:`~dhti.assess.Outcome` into frozen values (texts picked in the report
language, numbers formatted, charts drawn).  Templates only lay them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dhti import __version__, expressions, i18n, peers, references
from dhti.assess import Outcome
from dhti.i18n import N_
from dhti.peers import Assessed
from dhti.questionnaire import (
    HORIZON_MONTHS,
    Gate,
    Horizon,
    Indicator,
    Question,
    Questionnaire,
    QuestionType,
    Recommendation,
    needs,
    pick,
)
from dhti.recommendations import Fired
from dhti.report import charts, gdhm
from dhti.response import Answer, Response
from dhti.scoring import DomainScore, IndicatorScore, Scores

Translate = Callable[[str], str]


@dataclass(frozen=True)
class StageView:
    level: int
    label: str
    meaning: str


@dataclass(frozen=True)
class LadderStep:
    level: int
    label: str
    text: str
    current: bool
    next: bool


@dataclass(frozen=True)
class AnswerRow:
    number: str
    text: str
    answer: str
    score: str
    evidence: str
    comment: str
    status: str  # answered | na | unanswered | skipped


@dataclass(frozen=True)
class RecommendationView:
    id: str
    priority: str
    priority_label: str
    horizon: str
    owner: str
    text: str
    due: str
    target: str


@dataclass(frozen=True)
class IndicatorView:
    id: str
    number: str
    title: str
    description: str
    score: str
    stage: StageView | None
    refs: tuple[str, ...]
    gdhm: str
    ladder: tuple[LadderStep, ...]
    next_text: str
    answered: int
    applicable: int
    answers: tuple[AnswerRow, ...]
    missing: str = ""  # what holds the stage below the one its score reaches (its gates' texts)
    next_needs: str = ""  # what the next stage needs besides points


@dataclass(frozen=True)
class ComplianceRow:
    id: str
    text: str
    status: str  # met | pending | breach
    status_label: str
    due: str
    refs: tuple[str, ...]


@dataclass(frozen=True)
class DomainView:
    id: str
    number: int
    title: str
    description: str
    score: str
    stage: StageView | None
    indicators: tuple[IndicatorView, ...]
    recommendations: tuple[RecommendationView, ...]


@dataclass(frozen=True)
class HorizonGroup:
    horizon: str
    label: str
    recommendations: tuple[RecommendationView, ...]


@dataclass(frozen=True)
class GdhmRow:
    code: str
    name: str
    phase: int


@dataclass(frozen=True)
class WeightRow:
    name: str
    weight: str
    indicators: int


@dataclass(frozen=True)
class TrendRow:
    date: str
    index: str
    change: str
    stage: int
    domains: tuple[str, ...]


@dataclass(frozen=True)
class TrendView:
    svg: str
    rows: tuple[TrendRow, ...]
    summary: str


@dataclass(frozen=True)
class PeerRow:
    title: str
    score: str
    peer_median: str
    percentile: str


@dataclass(frozen=True)
class PeerView:
    peers: int
    entity_type: str
    percentile: str
    peer_median: str
    rows: tuple[PeerRow, ...]


@dataclass(frozen=True)
class ReportContext:
    """Everything an entity report shows, in one language."""

    lang: str
    title: str
    report_date: str
    entity_name: str
    entity_id: str
    entity_type: str
    province: str
    district: str
    ownership: str
    assessment_date: str
    assessor: str
    respondent: str
    questionnaire_title: str
    questionnaire_ref: str
    dhti_version: str
    index: str
    stage: StageView
    completeness: str
    strongest: DomainView
    weakest: DomainView
    urgent: tuple[RecommendationView, ...]
    domains: tuple[DomainView, ...]
    roadmap: tuple[HorizonGroup, ...]
    gdhm: tuple[GdhmRow, ...]
    gdhm_note: str
    compliance: tuple[ComplianceRow, ...]
    capped_note: str
    radar_svg: str
    bars_svg: str
    aggregation: str
    stages: tuple[StageView, ...]
    stage_thresholds: tuple[str, ...]
    weights: tuple[WeightRow, ...]
    recommendation_count: int
    scored_questions: int
    answered_questions: int
    na_questions: int
    warnings: tuple[str, ...] = field(default_factory=tuple)
    trend: TrendView | None = None
    peers: PeerView | None = None


STAGE_MEANINGS = {
    1: N_("Digital tools are used here and there; most work is on paper and depends on a few people."),
    2: N_("Core systems exist but cover only part of the work; plans, rules and skills are not yet consistent."),
    3: N_("Core systems cover most of the work, and standards and governance are in place but not yet fully used."),
    4: N_("Systems are connected, data flows between them to agreed standards, and decisions draw on data."),
    5: N_("Digital work is the norm, data is shared securely to standards, and the entity helps others improve."),
}
PRIORITY_LABELS = {"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")}
COMPLIANCE_LABELS = {"met": N_("Met"), "pending": N_("Pending"), "breach": N_("In breach")}
HORIZON_LABELS = {
    "short": N_("Within 6 months"),
    "medium": N_("6 to 18 months"),
    "long": N_("18 to 36 months"),
}
STATUS_LABELS = {"na": N_("Not applicable"), "unanswered": N_("Not answered"), "skipped": N_("Not asked")}
ENTITY_TYPES = {
    "hospital": N_("Hospital"),
    "health_centre": N_("Health centre"),
    "commune_health_station": N_("Commune health station"),
    "clinic": N_("Clinic"),
    "provincial_health_department": N_("Provincial Department of Health"),
    "ministry": N_("Ministry"),
}
OWNERSHIP = {"public": N_("Public"), "private": N_("Private")}
# The GDHM describes countries: a reading of one entity's answers is indicative, whoever it is.
GDHM_NOTES = {
    "ministry": N_(
        "The GDHM describes countries. This reading applies its indicators to the Ministry's own answers, "
        "each phase being the stage of the indicator's score: it is indicative, not an official GDHM result."
    ),
    "provincial_health_department": N_(
        "The GDHM describes countries. This reading applies its indicators to one province's answers, each "
        "phase being the stage of the indicator's score: it is indicative and sub-national, and cannot be "
        "compared with country results."
    ),
}
GDHM_NOTE = N_(
    "The GDHM describes countries. This reading applies its indicators to one unit's answers, each phase "
    "being the stage of the indicator's score: it is indicative only, and cannot be compared with country results."
)


def build_context(  # noqa: PLR0913 - each is a separate input of the report
    outcome: Outcome,
    *,
    lang: str,
    translate: Translate,
    report_date: dt.date,
    history: Sequence[Assessed] = (),
    peers: Sequence[Assessed] = (),
) -> ReportContext:
    """The report context for a valid outcome (raises ``ValueError`` for an invalid one).

    ``history`` (earlier assessments of the same entity) adds a trend; ``peers`` (the latest
    assessment of other entities of the same type) adds the entity's standing among them.
    """
    response, scores = outcome.validation.response, outcome.scores
    if response is None or scores is None or scores.index is None or scores.stage is None:
        msg = f"{outcome.file} is not valid; validate it first"
        raise ValueError(msg)
    q = response.questionnaire
    builder = _Builder(q, response, scores, lang, translate)
    domains = tuple(
        builder.domain(number, score, outcome.recommendations) for number, score in enumerate(scores.domains, 1)
    )
    ranked = sorted((d for d in domains if d.stage is not None), key=lambda d: _value(scores, d.id))
    all_recs = tuple(builder.recommendation(fired) for fired in outcome.recommendations)
    entity = response.entity
    return ReportContext(
        lang=lang,
        title=translate(N_("Digital transformation assessment")) + f": {entity.name or entity.id}",
        report_date=i18n.date(report_date, lang),
        entity_name=entity.name or entity.id,
        entity_id=entity.id,
        entity_type=translate(ENTITY_TYPES.get(entity.type, entity.type)),
        province=entity.province or "",
        district=entity.district or "",
        ownership=translate(OWNERSHIP.get(entity.ownership or "", entity.ownership or "")),
        assessment_date=i18n.date(response.assessment.date, lang),
        assessor=response.assessment.assessor or "",
        respondent=response.assessment.respondent or "",
        questionnaire_title=pick(q.title, lang),
        questionnaire_ref=q.ref,
        dhti_version=__version__,
        index=i18n.number(scores.index, lang),
        stage=builder.stage_view(scores.stage.level),
        completeness=i18n.percent(scores.completeness, lang),
        strongest=ranked[-1],
        weakest=ranked[0],
        urgent=all_recs[:3],
        domains=domains,
        roadmap=builder.roadmap(all_recs),
        gdhm=tuple(GdhmRow(code, gdhm.name(code, lang), phase) for code, phase in scores.gdhm.items()),
        gdhm_note=translate(GDHM_NOTES.get(entity.type, GDHM_NOTE)),
        compliance=tuple(
            ComplianceRow(
                status.id,
                pick(status.item.text, lang),
                str(status.status),
                translate(COMPLIANCE_LABELS[str(status.status)]),
                i18n.date(status.item.due, lang) if status.item.due else "",
                tuple(references.display(ref, lang) for ref in status.item.refs),
            )
            for status in scores.compliance
        ),
        capped_note=_capped_note(scores, lang=lang, translate=translate),
        radar_svg=charts.radar(
            [charts.Point(d.title, _value(scores, d.id), d.score, d.stage.level if d.stage else None) for d in domains],
            title=translate(N_("Scores by domain")),
        ),
        bars_svg=charts.bars(
            [
                charts.Point(
                    f"{i.number} {i.title}", _indicator_value(scores, i.id), i.score, i.stage.level if i.stage else None
                )
                for d in domains
                for i in d.indicators
            ],
            title=translate(N_("Scores by indicator")),
            legend=[(s.level, f"{s.level} {pick(s.label, lang)}") for s in q.stages],
        ),
        aggregation=str(q.aggregation),
        stages=tuple(builder.stage_view(stage.level) for stage in q.stages),
        stage_thresholds=tuple(i18n.number(stage.min, lang, digits=0) for stage in q.stages),
        weights=tuple(
            WeightRow(
                pick(domain.title, lang),
                i18n.number(domain.weight, lang, digits=0 if float(domain.weight).is_integer() else 2),
                len(domain.indicators),
            )
            for domain in q.domains
        ),
        recommendation_count=len(all_recs),
        scored_questions=builder.count("scored"),
        answered_questions=builder.count("answered"),
        na_questions=builder.count("na"),
        warnings=tuple(problem.render(lang) for problem in outcome.validation.warnings),
        trend=builder.trend_view(history),
        peers=builder.peer_view(peers),
    )


def _capped_note(scores: Scores, *, lang: str, translate: Translate) -> str:
    """Why the index's stage is below its score's, naming the obligations in breach; ``""`` if it is not."""
    if not scores.capped_by or scores.score_stage is None or scores.stage is None:
        return ""
    items = "; ".join(  # each text is a sentence of its own: its full stop would double the list's
        pick(status.item.text, lang).rstrip(". ") for status in scores.compliance if status.id in set(scores.capped_by)
    )
    sentence = N_(
        "By its score the index reaches stage %(score_stage)s; it is held at stage %(stage)s while these"
        " legal obligations are in breach: %(items)s."
    )
    return translate(sentence) % {"score_stage": scores.score_stage.level, "stage": scores.stage.level, "items": items}


def _current_domains(scores: Scores) -> dict[str, float | None]:
    return {domain.id: domain.score for domain in scores.domains}


def _signed(value: float | None, lang: str) -> str:
    if value is None:
        return ""
    sign = "+" if value > 0.05 else ("−" if value < -0.05 else "±")
    return sign + i18n.number(abs(value), lang)


def _value(scores: Scores, domain_id: str) -> float:
    domain = scores.domain(domain_id)
    return domain.score if domain is not None and domain.score is not None else 0.0


def _indicator_value(scores: Scores, indicator_id: str) -> float | None:
    indicator = scores.indicator(indicator_id)
    return indicator.score if indicator is not None else None


class _Builder:
    def __init__(self, q: Questionnaire, response: Response, scores: Scores, lang: str, translate: Translate) -> None:
        self.q, self.response, self.scores, self.lang, self._ = q, response, scores, lang, translate

    def stage_view(self, level: int) -> StageView:
        stage = next(s for s in self.q.stages if s.level == level)
        meaning = self._(STAGE_MEANINGS[level]) if level in STAGE_MEANINGS else ""
        return StageView(level, pick(stage.label, self.lang), meaning)

    def domain(self, number: int, score: DomainScore, fired: Sequence[Fired]) -> DomainView:
        definition = next(d for d in self.q.domains if d.id == score.id)
        indicators = tuple(
            self.indicator(f"{number}.{n}", definition.indicators[n - 1], item)
            for n, item in enumerate(score.indicators, 1)
        )
        ids = (
            {definition.id}
            | {i.id for i in definition.indicators}
            | {q.id for i in definition.indicators for q in i.questions}
        )
        mine = tuple(self.recommendation(item) for item in fired if self.subject(item.rule) in ids)
        return DomainView(
            definition.id,
            number,
            pick(definition.title, self.lang),
            pick(definition.description, self.lang),
            i18n.number(score.score, self.lang),
            self.stage_view(score.stage.level) if score.stage else None,
            indicators,
            mine,
        )

    def indicator(self, number: str, definition: Indicator, score: IndicatorScore) -> IndicatorView:
        level = score.stage.level if score.stage else 0
        ladder = tuple(
            LadderStep(
                stage.level,
                pick(stage.label, self.lang),
                pick(definition.stage_text.get(stage.level) if definition.stage_text else None, self.lang),
                stage.level == level,
                stage.level == level + 1,
            )
            for stage in self.q.stages
        )
        upcoming = next((step for step in ladder if step.next), None)
        return IndicatorView(
            definition.id,
            number,
            pick(definition.title, self.lang),
            pick(definition.description, self.lang),
            i18n.number(score.score, self.lang),
            self.stage_view(level) if level else None,
            tuple(references.display(ref, self.lang) for ref in definition.refs),
            _gdhm_not_cited(definition),
            ladder,
            upcoming.text if upcoming else "",
            score.answered,
            score.applicable,
            tuple(self.answer_row(f"{number}.{n}", question) for n, question in enumerate(definition.questions, 1)),
            self.gate_texts(score.holding_gates, N_("Its score reaches stage %(stage)s, which also needs: %(what)s.")),
            self.gate_texts(score.next_gates, N_("Stage %(stage)s also needs: %(what)s.")),
        )

    def gate_texts(self, gates: Sequence[Gate], sentence: str) -> str:
        """The sentence naming what the lowest of these gates' stage needs, or ``""``."""
        missing = needs(gates, self.lang)
        if missing is None:
            return ""
        return self._(sentence) % {"stage": missing[0], "what": missing[1]}

    def answer_row(self, number: str, question: Question) -> AnswerRow:
        answer = self.response.answers.get(question.id)
        applicable = question.id in self.response.applicable
        status = _status(answer, applicable)
        shown = self._(STATUS_LABELS[status]) if status in STATUS_LABELS else self.answer_text(question, answer)
        score = self.scores.questions.get(question.id)
        return AnswerRow(
            number,
            pick(question.text, self.lang),
            shown,
            i18n.number(100 * score, self.lang, digits=0) if score is not None else "",
            (answer.evidence or "") if answer else "",
            (answer.comment or "") if answer else "",
            status,
        )

    def answer_text(self, question: Question, answer: Answer | None) -> str:
        value = answer.value if answer else None
        if question.type is QuestionType.YES_NO:
            return self._("Yes") if value == "yes" else self._("No")
        if question.type in (QuestionType.CHOICE, QuestionType.MULTI):
            chosen = value if isinstance(value, tuple) else (value,)
            labels = [pick(o.label, self.lang) for o in question.options or () if o.value in chosen]
            return "; ".join(labels) if labels else self._("None of these")
        if isinstance(value, float):
            unit = f" {pick(question.unit, self.lang)}" if question.unit else ""
            suffix = "%" if question.type is QuestionType.PERCENT else unit
            return i18n.number(value, self.lang, digits=0 if value.is_integer() else 1) + suffix
        if isinstance(value, dt.date):
            return i18n.date(value, self.lang)
        return str(value or "")

    def recommendation(self, fired: Fired) -> RecommendationView:
        rule = fired.rule
        return RecommendationView(
            rule.id,
            str(rule.priority),
            self._(PRIORITY_LABELS[str(rule.priority)]),
            str(rule.horizon),
            pick(rule.owner, self.lang),
            pick(rule.text, self.lang),
            i18n.date(fired.due, self.lang),
            self.target_title(rule.when.target or self.first_question(rule.when.expr)),
        )

    def subject(self, rule: Recommendation) -> str:
        """The domain, indicator or question a rule is about: for a legal obligation, the first question
        its ``met`` reads; for an expression, the first question it reads."""
        when = rule.when
        if when.compliance is not None:
            item = next((item for item in self.q.compliance if item.id == when.compliance), None)
            return self.first_question(item.met if item else None)
        return when.target or self.first_question(when.expr)

    def first_question(self, source: str | None) -> str:
        """The first question an ``expr`` rule reads (its indicator names the rule's subject), or ``""``."""
        expr = self.q.parsed_expressions.get(source or "")
        refs = expressions.references(expr) if expr is not None else []
        return refs[0].question if refs else ""

    def target_title(self, target: str) -> str:
        """What a rule is about, as readers know it: a domain, an indicator or a legal obligation."""
        for item in self.q.compliance:
            if item.id == target:
                return pick(item.text, self.lang)
        for domain in self.q.domains:
            if domain.id == target:
                return pick(domain.title, self.lang)
            for indicator in domain.indicators:
                if indicator.id == target:
                    return pick(indicator.title, self.lang)
        question = self.q.questions.get(target)
        return pick(self.q.indicator_of(target).title, self.lang) if question else target

    def roadmap(self, recs: Sequence[RecommendationView]) -> tuple[HorizonGroup, ...]:
        groups = []
        for horizon in sorted(Horizon, key=lambda h: HORIZON_MONTHS[h]):
            mine = tuple(rec for rec in recs if rec.horizon == horizon)
            if mine:
                groups.append(HorizonGroup(str(horizon), self._(HORIZON_LABELS[str(horizon)]), mine))
        return tuple(groups)

    def count(self, kind: str) -> int:
        total = 0
        for qid, question in self.q.questions.items():
            if not question.scored or qid not in self.response.applicable:
                continue
            answer = self.response.answers.get(qid)
            status = _status(answer, applicable=True)
            total += kind in ("scored", status)
        return total

    def trend_view(self, history: Sequence[Assessed]) -> TrendView | None:
        q, response, scores, lang, translate = self.q, self.response, self.scores, self.lang, self._
        if scores.index is None or scores.stage is None:
            return None
        found = peers.trend(
            history,
            date=response.assessment.date,
            index=scores.index,
            stage=scores.stage.level,
            domains=_current_domains(scores),
        )
        if found is None:
            return None
        ids = [domain.id for domain in q.domains]
        rows = tuple(
            TrendRow(
                i18n.date(point.date, lang),
                i18n.number(point.index, lang),
                _signed(point.change, lang),
                point.stage,
                tuple(i18n.number(point.domains.get(d), lang) for d in ids),
            )
            for point in found.points
        )
        svg = charts.trend(
            [charts.Point(i18n.date(p.date, lang), p.index, i18n.number(p.index, lang), p.stage) for p in found.points],
            title=translate(N_("Index over time")),
        )
        summary = _trend_summary(found.first, found.last, lang=lang, translate=translate)
        return TrendView(svg, rows, summary)

    def peer_view(self, others: Sequence[Assessed]) -> PeerView | None:
        q, response, scores, lang, translate = self.q, self.response, self.scores, self.lang, self._
        if scores.index is None:
            return None
        same = [
            peer
            for peer in others
            if peer.record.entity_type == response.entity.type and peer.record.questionnaire_id == q.id
        ]
        found = peers.standing(
            entity_id=response.entity.id, index=scores.index, domains=_current_domains(scores), peers=same
        )
        if found is None:
            return None
        titles = {domain.id: pick(domain.title, lang) for domain in q.domains}
        rows = tuple(
            PeerRow(
                titles.get(row.domain_id, row.domain_id),
                i18n.number(row.score, lang),
                i18n.number(row.peer_median, lang),
                i18n.number(row.percentile, lang, digits=0),
            )
            for row in found.domains
        )
        return PeerView(
            found.peers,
            translate(ENTITY_TYPES.get(found.entity_type, found.entity_type)),
            i18n.number(found.percentile, lang, digits=0),
            i18n.number(found.peer_median, lang),
            rows,
        )


def _gdhm_not_cited(indicator: Indicator) -> str:
    """The GDHM code an indicator reads as, unless its sources already cite it ("Chỉ số GDHM 2" once)."""
    cited = references.Reference("GDHM", indicator.gdhm or "") in map(references.parse, indicator.refs)
    return "" if cited else indicator.gdhm or ""


TREND_SUMMARIES = {
    "rose": N_("Since %(first)s the index has risen by %(change)s points, from %(start)s to %(end)s."),
    "fell": N_("Since %(first)s the index has fallen by %(change)s points, from %(start)s to %(end)s."),
    "same": N_("Since %(first)s the index has not changed: it is %(end)s."),
}


def _trend_summary(first: peers.TrendPoint, last: peers.TrendPoint, *, lang: str, translate: Translate) -> str:
    """One sentence on how the index moved, in step with the two numbers it shows (one decimal).

    "From 29.5 to 49.1" says the index rose by 19.6 even when the unrounded change is 19.64.
    """
    shown = [float(i18n.number(point.index, "en")) for point in (first, last)]
    change = round(shown[1] - shown[0], 1)
    direction = "same" if change == 0 else ("rose" if change > 0 else "fell")
    start, end = i18n.number(first.index, lang), i18n.number(last.index, lang)
    return translate(TREND_SUMMARIES[direction]) % {
        "first": i18n.date(first.date, lang),
        "change": i18n.number(abs(change), lang),
        "start": start,
        "end": end,
    }


def _status(answer: Answer | None, applicable: bool) -> str:
    if not applicable:
        return "skipped"
    if answer is None or (answer.value is None and not answer.na):
        return "unanswered"
    return "na" if answer.na else "answered"
