"""The typed context of an entity report: everything the templates show, already worded.

Pure: it turns an :class:`~dhti.assess.Outcome` into frozen values (texts picked in the report
language, numbers formatted, charts drawn).  Templates only lay them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dhti import __version__, expressions, i18n, peers, provinces, references
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
from dhti.report import charts, gdhm, summary
from dhti.response import Answer, Response
from dhti.scoring import ComplianceStatus, DomainScore, IndicatorScore, Scores, Status

if TYPE_CHECKING:
    from dhti.report.uncertainty import UncertaintyView
    from dhti.uncertainty import Settings, UnitUncertainty

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
    overdue: bool = False  # due before the report date


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
    current_text: str = ""  # the ladder's text of the current stage
    next_label: str = ""  # "4 · Integrated": the next stage, "" at the top


@dataclass(frozen=True)
class ComplianceRow:
    id: str
    text: str
    status: str  # met | pending | breach
    status_label: str
    due: str
    refs: tuple[str, ...]
    overdue: bool = False  # not met, and its deadline is before the report date
    blocks: str = ""  # "holds back stage 4": in breach, its cap keeps the index below the next stage


@dataclass(frozen=True)
class DomainBar:
    """One domain as page 1 draws it: a bar over the stage bands, with the peer median marked."""

    title: str
    width: str  # the bar's length as a CSS percentage: "45.2%"
    shown: str
    stage: int | None
    median_at: str  # where the peer median's marker stands, as a CSS percentage; "" for none
    median_shown: str


@dataclass(frozen=True)
class Band:
    """One stage's stretch of the 0..100 scale, as CSS percentages."""

    level: int
    start: str
    width: str


@dataclass(frozen=True)
class OwnerRow:
    owner: str
    by_horizon: tuple[str, ...]
    high_soon: str


@dataclass(frozen=True)
class DomainView:
    id: str
    number: int
    title: str
    description: str
    score: str
    stage: StageView | None
    indicators: tuple[IndicatorView, ...]


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
class TrendView:
    svg: str
    summary: str
    before: str  # the date of the last earlier assessment, heading its column of the comparison


@dataclass(frozen=True)
class ComparisonRow:
    """The index or one domain: before, now, the change, and against the peers (each "" when not known)."""

    title: str
    before: str
    now: str
    change: str
    peer_median: str
    rank: str
    stage: int | None  # now, for the cell's tint


@dataclass(frozen=True)
class PeerView:
    """The standing among peers: the sentences page 1 shows, and the domain table of the progress section."""

    peers: int
    lines: tuple[str, ...]
    peer_median: str  # "" with too few peers for a median
    group: str  # the peers named in words


@dataclass(frozen=True)
class ReportContext:
    """Everything an entity report shows, in one language."""

    lang: str
    title: str
    entity_name: str
    entity_id: str
    entity_type: str
    province: str
    district: str
    ownership: str  # "" for an agency, whose ownership goes without saying
    report_date: str
    issuer: str
    status: str  # self-assessed, not verified
    assessment_date: str
    assessor: str
    respondent: str
    evidence_share: str  # of the answered scored questions, those with evidence
    questionnaire_title: str
    questionnaire_ref: str
    dhti_version: str
    index: str
    stage: StageView
    completeness: str
    capped_note: str
    next_stage: str
    change: summary.Change
    standing: PeerView
    domain_bars: tuple[DomainBar, ...]
    bands: tuple[Band, ...]
    compliance: tuple[ComplianceRow, ...]
    first_actions: tuple[RecommendationView, ...]
    domains: tuple[DomainView, ...]
    roadmap: tuple[HorizonGroup, ...]
    owners: tuple[OwnerRow, ...]
    owner_notes: tuple[str, ...]
    horizons: tuple[str, ...]  # the roadmap's horizon labels, as the owner table heads its columns
    gdhm: tuple[GdhmRow, ...]
    gdhm_note: str
    aggregation: str
    stages: tuple[StageView, ...]
    stage_thresholds: tuple[str, ...]
    weights: tuple[WeightRow, ...]
    recommendation_count: int
    scored_questions: int
    answered_questions: int
    na_questions: int
    not_asked: int  # questions the entity's type or the skip logic leaves out, which the annex does not list
    warnings: tuple[str, ...] = field(default_factory=tuple)
    trend: TrendView | None = None
    comparison: tuple[ComparisonRow, ...] = ()
    uncertainty: UncertaintyView | None = None  # with --uncertainty: page 1's sentence and the annex section


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
AGENCIES = frozenset({"ministry", "provincial_health_department"})
SELF_ASSESSED = N_("Self-assessment, not verified")
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


def build_context(  # noqa: PLR0913 - each is a separate choice of the caller
    outcome: Outcome,
    *,
    lang: str,
    translate: Translate,
    report_date: dt.date,
    issuer: str | None = None,
    history: Sequence[Assessed] = (),
    peers: Sequence[Assessed] = (),
    uncertainty: tuple[Settings, UnitUncertainty | None] | None = None,
) -> ReportContext:
    """The report context for a valid outcome (raises ``ValueError`` for an invalid one).

    ``report_date`` is the day the report is issued: due dates and deadlines before it are
    flagged. ``issuer`` names the issuing body (default: the assessor, else the entity).
    ``history`` (earlier assessments of the same entity) gives the change and the trend; ``peers``
    (the latest assessment of each entity of the same type and questionnaire) the ranks.
    ``uncertainty`` (``report --uncertainty``): the settings and the figures :mod:`dhti.uncertainty` drew.
    """
    response, scores = outcome.validation.response, outcome.scores
    if response is None or scores is None or scores.index is None or scores.stage is None:
        msg = f"{outcome.file} is not valid; validate it first"
        raise ValueError(msg)
    q = response.questionnaire
    builder = _Builder(q, response, scores, lang, translate, report_date)
    domains = tuple(builder.domain(number, score) for number, score in enumerate(scores.domains, 1))
    all_recs = tuple(builder.recommendation(fired) for fired in outcome.recommendations)
    actions = tuple(
        summary.Action(n, rec.owner, rec.priority, rec.horizon, len(rec.text)) for n, rec in enumerate(all_recs)
    )
    entity = response.entity
    standing = builder.standing(peers)
    trend = builder.trend(history)
    loads = summary.owner_loads(actions, [str(h) for h in _HORIZONS])
    return ReportContext(
        lang=lang,
        title=translate(N_("Digital transformation assessment")) + f": {entity.name or entity.id}",
        entity_name=entity.name or entity.id,
        entity_id=entity.id,
        entity_type=translate(ENTITY_TYPES.get(entity.type, entity.type)),
        province=entity.province or "",
        district=entity.district or "",
        ownership=_ownership(entity.type, entity.ownership, translate),
        report_date=i18n.date(report_date, lang),
        issuer=issuer or response.assessment.assessor or entity.name or entity.id,
        status=translate(SELF_ASSESSED),
        assessment_date=i18n.date(response.assessment.date, lang),
        assessor=response.assessment.assessor or "",
        respondent=response.assessment.respondent or "",
        evidence_share=i18n.percent(builder.count("evidence") / max(builder.count("answered"), 1), lang),
        questionnaire_title=pick(q.title, lang),
        questionnaire_ref=q.ref,
        dhti_version=__version__,
        index=i18n.number(scores.index, lang),
        stage=builder.stage_view(scores.stage.level),
        completeness=i18n.percent(scores.completeness, lang),
        capped_note=_capped_note(scores, translate=translate),
        next_stage=summary.next_stage(q, scores, lang=lang, translate=translate),
        change=summary.change(trend, lang=lang, translate=translate),
        standing=builder.peer_view(standing),
        domain_bars=builder.domain_bars(domains, standing),
        bands=_bands(q),
        compliance=tuple(builder.compliance_row(status) for status in scores.compliance),
        first_actions=tuple(all_recs[n] for n in summary.first_actions(actions, room=_room(scores, lang))),
        domains=domains,
        roadmap=builder.roadmap(all_recs),
        owners=tuple(
            OwnerRow(
                load.owner or "–",
                tuple(i18n.count(n, lang) for n in load.by_horizon),
                i18n.count(load.high_soon, lang),
            )
            for load in loads
        ),
        owner_notes=summary.overload_notes(loads, lang=lang, translate=translate),
        horizons=tuple(translate(HORIZON_LABELS[str(h)]) for h in _HORIZONS),
        gdhm=tuple(GdhmRow(code, gdhm.name(code, lang), phase) for code, phase in scores.gdhm.items()),
        gdhm_note=translate(GDHM_NOTES.get(entity.type, GDHM_NOTE)),
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
        not_asked=sum(1 for d in domains for i in d.indicators for a in i.answers if a.status == "skipped"),
        warnings=tuple(problem.render(lang) for problem in outcome.validation.warnings),
        trend=builder.trend_view(trend),
        comparison=builder.comparison(trend, standing),
        uncertainty=_uncertainty(uncertainty, scores.index, lang, translate),
    )


def _room(scores: Scores, lang: str) -> int:
    """The characters page 1 has left for the first actions once the legal obligations are listed."""
    listed = sum(len(pick(status.item.text, lang)) + summary.ACTION_LINE for status in scores.compliance)
    return summary.PAGE_ONE_CHARACTERS - listed


def _ownership(entity_type: str, ownership: str | None, translate: Translate) -> str:
    """Public or private, for a facility; an agency's ownership goes without saying."""
    if entity_type in AGENCIES or not ownership:
        return ""
    return translate(OWNERSHIP.get(ownership, ownership))


_HORIZONS = tuple(sorted(Horizon, key=lambda h: HORIZON_MONTHS[h]))


def _bands(q: Questionnaire) -> tuple[Band, ...]:
    """The stage bands under the domain bars: each stage from its threshold to the next one's."""
    stages = sorted(q.stages, key=lambda stage: stage.min)
    ends = [stage.min for stage in stages[1:]] + [100.0]
    return tuple(
        Band(stage.level, _css_percent(stage.min), _css_percent(end - stage.min))
        for stage, end in zip(stages, ends, strict=True)
    )


def _css_percent(value: float) -> str:
    """A length on the 0..100 scale for a style attribute (CSS wants a full stop, whatever the language)."""
    return f"{min(max(value, 0.0), 100.0):.1f}%"


def _capped_note(scores: Scores, *, translate: Translate) -> str:
    """Why the index's stage is below its score's (the panel below marks the obligations); ``""`` if it is not."""
    if not scores.capped_by or scores.score_stage is None or scores.stage is None:
        return ""
    sentence = N_(
        "By its score the index reaches stage %(score_stage)s; it is held at stage %(stage)s while the legal"
        " obligations marked below are in breach."
    )
    return translate(sentence) % {"score_stage": scores.score_stage.level, "stage": scores.stage.level}


def _current_domains(scores: Scores) -> dict[str, float | None]:
    return {domain.id: domain.score for domain in scores.domains}


def _comparison_row(
    title: str,
    scores: tuple[float | None, float | None],
    against: tuple[float | None, str],
    stage: int | None,
    *,
    lang: str,
) -> ComparisonRow:
    before, now = scores
    median, rank = against
    # The change between the two numbers as shown (one decimal), so that the three agree.
    change = _signed(_as_shown(now) - _as_shown(before), lang) if before is not None and now is not None else ""
    return ComparisonRow(
        title,
        i18n.number(before, lang) if before is not None else "",
        i18n.number(now, lang),
        change,
        i18n.number(median, lang) if median is not None else "",
        rank,
        stage,
    )


def _as_shown(value: float) -> float:
    return float(i18n.number(value, "en"))


def _signed(value: float | None, lang: str) -> str:
    if value is None:
        return ""
    sign = "+" if value > 0.05 else ("−" if value < -0.05 else "±")
    return sign + i18n.number(abs(value), lang)


def _value(scores: Scores, domain_id: str) -> float:
    domain = scores.domain(domain_id)
    return domain.score if domain is not None and domain.score is not None else 0.0


class _Builder:
    def __init__(  # noqa: PLR0913, PLR0917 - the one place that holds them all
        self, q: Questionnaire, response: Response, scores: Scores, lang: str, translate: Translate, today: dt.date
    ) -> None:
        self.q, self.response, self.scores, self.lang, self._ = q, response, scores, lang, translate
        self.today = today  # the report date
        self.province = provinces.recorded(response.entity.province)

    def stage_view(self, level: int) -> StageView:
        stage = next(s for s in self.q.stages if s.level == level)
        meaning = self._(STAGE_MEANINGS[level]) if level in STAGE_MEANINGS else ""
        return StageView(level, pick(stage.label, self.lang), meaning)

    def domain(self, number: int, score: DomainScore) -> DomainView:
        definition = next(d for d in self.q.domains if d.id == score.id)
        indicators = tuple(
            self.indicator(f"{number}.{n}", definition.indicators[n - 1], item)
            for n, item in enumerate(score.indicators, 1)
        )
        return DomainView(
            definition.id,
            number,
            pick(definition.title, self.lang),
            pick(definition.description, self.lang),
            i18n.number(score.score, self.lang),
            self.stage_view(score.stage.level) if score.stage else None,
            indicators,
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
        current = next((step for step in ladder if step.current), None)
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
            current.text if current else "",
            f"{upcoming.level} · {upcoming.label}" if upcoming else "",
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
            return i18n.decimal(round(value, 1), self.lang) + suffix  # 86.500 triệu đồng: thousands grouped
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
            summary.overdue(fired.due, self.today),
        )

    def compliance_row(self, status: ComplianceStatus) -> ComplianceRow:
        item = status.item
        return ComplianceRow(
            status.id,
            pick(item.text, self.lang),
            str(status.status),
            self._(COMPLIANCE_LABELS[str(status.status)]),
            i18n.date(item.due, self.lang) if item.due else "",
            tuple(references.display(ref, self.lang) for ref in item.refs),
            status.status is not Status.MET and summary.overdue(item.due, self.today),
            self._(summary.BLOCKS) % {"level": self.scores.stage.level + 1}
            if self.scores.stage is not None and status.id in summary.blocking_obligations(self.scores)
            else "",
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
        """Applicable scored questions: all (``scored``), ``answered``, ``na``, or answered with ``evidence``."""
        total = 0
        for qid, question in self.q.questions.items():
            if not question.scored or qid not in self.response.applicable:
                continue
            answer = self.response.answers.get(qid)
            status = _status(answer, applicable=True)
            evidenced = status == "answered" and answer is not None and bool((answer.evidence or "").strip())
            total += kind in ("scored", status) or (kind == "evidence" and evidenced)
        return total

    def trend(self, history: Sequence[Assessed]) -> peers.Trend | None:
        scores = self.scores
        if scores.index is None or scores.stage is None:
            return None
        return peers.trend(
            history,
            date=self.response.assessment.date,
            index=scores.index,
            stage=scores.stage.level,
            domains=_current_domains(scores),
        )

    def trend_view(self, found: peers.Trend | None) -> TrendView | None:
        if found is None:
            return None
        lang = self.lang
        svg = charts.trend(
            [charts.Point(i18n.date(p.date, lang), p.index, i18n.number(p.index, lang), p.stage) for p in found.points],
            title=self._(N_("Index over time")),
        )
        summary = _trend_summary(found.first, found.last, lang=lang, translate=self._)
        return TrendView(svg, summary, i18n.date(found.points[-2].date, lang))

    def comparison(self, found: peers.Trend | None, standing: peers.Standing) -> tuple[ComparisonRow, ...]:
        """The index, then each domain: the last earlier score, today's, the change, the peers' median and the rank."""
        if found is None and not standing.peers:
            return ()
        lang, scores = self.lang, self.scores
        before = found.points[-2] if found is not None else None
        shown = summary.rank_text
        rows = [
            _comparison_row(
                self._(N_("Index")),
                (before.index if before else None, scores.index),
                (standing.peer_median, shown(standing.national, lang) if standing.peers else ""),
                scores.stage.level if scores.stage else None,
                lang=lang,
            )
        ]
        for row, domain in zip(standing.domains, self.q.domains, strict=True):
            score = scores.domain(domain.id)
            rows.append(
                _comparison_row(
                    pick(domain.title, lang),
                    (before.domains.get(domain.id) if before else None, row.score),
                    (row.peer_median, shown(row.rank, lang) if standing.peers else ""),
                    score.stage.level if score is not None and score.stage else None,
                    lang=lang,
                )
            )
        return tuple(rows)

    def standing(self, others: Sequence[Assessed]) -> peers.Standing:
        """The ranks among the latest assessments of entities of the same type that answered the same questionnaire."""
        response, q = self.response, self.q
        same = [
            peer
            for peer in others
            if peer.record.entity_type == response.entity.type and peer.record.questionnaire_id == q.id
        ]
        return peers.standing(
            entity_id=response.entity.id,
            province=self.province,
            index=self.scores.index or 0.0,
            domains=_current_domains(self.scores),
            peers=same,
        )

    def peer_view(self, found: peers.Standing) -> PeerView:
        lang = self.lang
        ranking = summary.ranking(
            found, entity_type=self.response.entity.type, province=self.province, lang=lang, translate=self._
        )
        return PeerView(
            found.peers,
            ranking.lines,
            i18n.number(found.peer_median, lang) if found.peer_median is not None else "",
            summary.group_words(self.response.entity.type, self._)[1],
        )

    def domain_bars(self, domains: Sequence[DomainView], found: peers.Standing) -> tuple[DomainBar, ...]:
        medians = {row.domain_id: row.peer_median for row in found.domains}
        return tuple(
            DomainBar(
                d.title,
                _css_percent(_value(self.scores, d.id)),
                d.score,
                d.stage.level if d.stage else None,
                _css_percent(median) if (median := medians.get(d.id)) is not None else "",
                i18n.number(median, self.lang) if median is not None else "",
            )
            for d in domains
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


def _uncertainty(
    figures: tuple[Settings, UnitUncertainty | None] | None, index: float, lang: str, translate: Translate
) -> UncertaintyView | None:
    if figures is None or figures[1] is None:
        return None
    from dhti.report.uncertainty import entity_view  # noqa: PLC0415 - only with --uncertainty

    return entity_view(figures[0], figures[1], index=index, lang=lang, translate=translate)
