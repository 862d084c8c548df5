"""Turning outcomes into the outputs of ``dhti validate`` and ``dhti score``: text, JSON, CSV."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, NotRequired, TypedDict

from dhti import i18n
from dhti.assess import Outcome
from dhti.errors import ProblemJson, first_problems
from dhti.i18n import N_, number, percent
from dhti.questionnaire import Questionnaire, Stage, needs, pick
from dhti.recommendations import Fired
from dhti.response import EntitySummary, Validation
from dhti.safetext import csv_text, visible
from dhti.scoring import ComplianceStatus, DomainScore, IndicatorScore, Scores

if TYPE_CHECKING:
    from dhti.uncertainty import Settings, UnitUncertainty


class EntityJson(TypedDict):
    id: str | None
    name: str | None
    type: str | None
    province: str | None


class QuestionnaireJson(TypedDict):
    id: str
    version: str


class AssessmentJson(TypedDict):
    date: str


class IndicatorJson(TypedDict):
    id: str
    score: float | None
    stage: int | None
    score_stage: int | None
    gated_by: list[int]


class DomainJson(TypedDict):
    id: str
    score: float | None
    stage: int | None
    indicators: list[IndicatorJson]


class RecommendationJson(TypedDict):
    id: str
    priority: str
    horizon: str
    due: str
    gap: float
    owner: str | None
    text: str


class ComplianceJson(TypedDict):
    id: str
    status: str
    due: str | None


class PercentilesJson(TypedDict):
    p5: float
    p50: float
    p95: float


class UncertaintyJson(TypedDict):
    """How sure the index and its stage are (``score --uncertainty``): the settings, percentiles, stage chances."""

    draws: int
    seed: int
    spread: float
    aggregation: str
    lenient_draws: bool
    index: PercentilesJson
    stages: dict[str, float]


class ScoreJson(TypedDict):
    """The object of contract 4.1 for one file (extra keys are additions, never renames)."""

    file: str
    entity: EntityJson
    questionnaire: QuestionnaireJson | None
    assessment: AssessmentJson | None
    index: float | None
    stage: int | None
    stage_label: str | None
    score_stage: int | None
    capped_by: list[str]
    compliance: list[ComplianceJson]
    completeness: float | None
    domains: list[DomainJson]
    recommendations: list[RecommendationJson]
    gdhm: dict[str, int]
    errors: list[ProblemJson]
    warnings: list[ProblemJson]
    uncertainty: NotRequired[UncertaintyJson | None]


Figures = tuple["Settings", "UnitUncertainty | None"]
"""The settings of ``--uncertainty`` and one file's figures (``None``: invalid, or no index)."""


def outcome_uncertainty(outcomes: Sequence[Outcome], settings: Settings) -> list[Figures]:
    """The uncertainty figures of each outcome, the valid ones drawn together (one cohort per questionnaire)."""
    from dhti.uncertainty import uncertainty  # noqa: PLC0415 - numpy only with --uncertainty

    valid = [(o.validation.response, o.scores) for o in outcomes if o.validation.response and o.scores]
    drawn = iter(uncertainty(valid, settings=settings).units)
    return [(settings, next(drawn) if outcome.validation.response and outcome.scores else None) for outcome in outcomes]


def uncertainty_json(figures: Figures) -> UncertaintyJson | None:
    settings, unit = figures
    if unit is None:
        return None
    return {
        "draws": settings.draws,
        "seed": settings.seed,
        "spread": settings.spread,
        "aggregation": str(settings.aggregation),
        "lenient_draws": settings.lenient,
        "index": {"p5": unit.p5, "p50": unit.p50, "p95": unit.p95},
        "stages": {str(level): chance for level, chance in unit.stages},
    }


def score_json(outcome: Outcome, *, lang: str, figures: Figures | None = None) -> ScoreJson:
    """The object of contract 4.1 for one file; an invalid file keeps its keys, with null scores.

    With ``figures`` (``score --uncertainty``), the key ``uncertainty`` holds them (null when invalid).
    """
    found = _score_json(outcome, lang=lang)
    if figures is not None:
        found["uncertainty"] = uncertainty_json(figures)
    return found


def _score_json(outcome: Outcome, *, lang: str) -> ScoreJson:
    validation, scores = outcome.validation, outcome.scores
    response, questionnaire = validation.response, validation.questionnaire
    stage = scores.stage if scores else None
    return {
        "file": validation.file,
        "entity": entity_json(validation.entity),
        "questionnaire": {"id": questionnaire.id, "version": questionnaire.version} if questionnaire else None,
        "assessment": {"date": response.assessment.date.isoformat()} if response else None,
        "index": scores.index if scores else None,
        "stage": stage.level if stage else None,
        "stage_label": pick(stage.label, lang) if stage else None,
        "score_stage": scores.score_stage.level if scores and scores.score_stage else None,
        "capped_by": list(scores.capped_by) if scores else [],
        "compliance": [_compliance_json(status) for status in scores.compliance] if scores else [],
        "completeness": scores.completeness if scores else None,
        "domains": [_domain_json(domain) for domain in scores.domains] if scores else [],
        "recommendations": [_recommendation_json(fired, lang) for fired in outcome.recommendations] if scores else [],
        "gdhm": dict(scores.gdhm) if scores else {},
        "errors": [p.as_json(lang) for p in first_problems(validation.errors)],
        "warnings": [p.as_json(lang) for p in first_problems(validation.warnings)],
    }


def entity_json(entity: EntitySummary) -> EntityJson:
    return {"id": entity.id, "name": entity.name, "type": entity.type, "province": entity.province}


def entity_cells(entity: EntitySummary) -> tuple[str | None, ...]:
    """The cells under :data:`ENTITY_COLUMNS`."""
    return (entity.id, entity.name, entity.type, entity.province)


def _domain_json(domain: DomainScore) -> DomainJson:
    return {
        "id": domain.id,
        "score": domain.score,
        "stage": domain.stage.level if domain.stage else None,
        "indicators": [_indicator_json(item) for item in domain.indicators],
    }


def _indicator_json(item: IndicatorScore) -> IndicatorJson:
    return {
        "id": item.id,
        "score": item.score,
        "stage": item.stage.level if item.stage else None,
        "score_stage": item.score_stage.level if item.score_stage else None,
        "gated_by": list(item.gated_by),
    }


def _compliance_json(status: ComplianceStatus) -> ComplianceJson:
    due = status.item.due
    return {"id": status.id, "status": str(status.status), "due": due.isoformat() if due else None}


def _recommendation_json(fired: Fired, lang: str) -> RecommendationJson:
    return {
        "id": fired.id,
        "priority": str(fired.rule.priority),
        "horizon": str(fired.rule.horizon),
        "due": fired.due.isoformat(),
        "gap": fired.gap,
        "owner": pick(fired.rule.owner, lang) or None,
        "text": pick(fired.rule.text, lang),
    }


class ValidationJson(TypedDict):
    """One file in ``dhti validate --format json``."""

    file: str
    valid: bool
    questionnaire: str | None
    errors: list[ProblemJson]
    warnings: list[ProblemJson]


def validation_json(validation: Validation, *, lang: str = "en") -> ValidationJson:
    """The object of ``validate --format json`` for one file, its messages in ``lang``."""
    return {
        "file": validation.file,
        "valid": validation.valid,
        "questionnaire": validation.questionnaire.ref if validation.questionnaire else None,
        "errors": [p.as_json(lang) for p in first_problems(validation.errors)],
        "warnings": [p.as_json(lang) for p in first_problems(validation.warnings)],
    }


ENTITY_COLUMNS = ("entity_id", "entity_name", "entity_type", "province")
"""The CSV columns of an entity (of :class:`EntitySummary`), in ``score`` and ``db export`` alike."""
CSV_HEAD = (
    *("file", *ENTITY_COLUMNS, "questionnaire", "version", "date"),
    *("index", "stage", "stage_label", "score_stage", "capped_by", "completeness", "errors"),
)


UNCERTAINTY_COLUMNS = ("p5", "p50", "p95")


def score_csv(outcomes: Sequence[Outcome], *, lang: str, figures: Sequence[Figures] | None = None) -> str:
    """One row per file; a column per domain, per indicator (score, stage, gated_by) and per compliance item.

    ``capped_by`` and ``gated_by:…`` hold their lists separated by spaces; ``compliance:…`` the status.
    With ``figures`` (``--uncertainty``), the index's percentiles p5, p50, p95 end each row.
    """
    columns: dict[str, list[str]] = {"domain": [], "indicator": [], "stage": [], "gated_by": [], "compliance": []}
    for outcome in outcomes:
        scores = outcome.scores
        for domain in scores.domains if scores else ():
            _add(columns["domain"], f"domain:{domain.id}")
            for indicator in domain.indicators:
                for kind in ("indicator", "stage", "gated_by"):
                    _add(columns[kind], f"{kind}:{indicator.id}")
        for status in scores.compliance if scores else ():
            _add(columns["compliance"], f"compliance:{status.id}")
    names = [name for kind in columns.values() for name in kind]
    rows = [_csv_row(outcome, lang, names) for outcome in outcomes]
    if figures is None:
        return csv_text([*CSV_HEAD, *names], rows)
    rows = [[*row, *_percentiles(found)] for row, found in zip(rows, figures, strict=True)]
    return csv_text([*CSV_HEAD, *names, *UNCERTAINTY_COLUMNS], rows)


def _percentiles(figures: Figures) -> tuple[float | None, ...]:
    unit = figures[1]
    return (unit.p5, unit.p50, unit.p95) if unit is not None else (None, None, None)


def _add(columns: list[str], name: str) -> None:
    if name not in columns:
        columns.append(name)


def _csv_row(outcome: Outcome, lang: str, score_columns: list[str]) -> list[object]:
    validation, scores = outcome.validation, outcome.scores
    entity, questionnaire, response = validation.entity, validation.questionnaire, validation.response
    stage = scores.stage if scores else None
    values: dict[str, object] = {}
    for domain in scores.domains if scores else ():
        values[f"domain:{domain.id}"] = domain.score
        for indicator in domain.indicators:
            values[f"indicator:{indicator.id}"] = indicator.score
            values[f"stage:{indicator.id}"] = indicator.stage.level if indicator.stage else None
            values[f"gated_by:{indicator.id}"] = " ".join(map(str, indicator.gated_by))
    for status in scores.compliance if scores else ():
        values[f"compliance:{status.id}"] = str(status.status)
    row: list[object] = [validation.file, *entity_cells(entity)]
    row += [questionnaire.id, questionnaire.version] if questionnaire else [None, None]
    row += [response.assessment.date.isoformat() if response else None, scores.index if scores else None]
    row += [stage.level if stage else None, pick(stage.label, lang) if stage else None]
    row += [scores.score_stage.level if scores and scores.score_stage else None]
    row += [" ".join(scores.capped_by) if scores else None]
    row += [scores.completeness if scores else None, len(validation.errors)]
    return row + [values.get(column) for column in score_columns]


PRIORITIES = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}


def width(text: str) -> int:
    """Display width in a terminal (wide East Asian characters count twice)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> str:
    """A plain-text table with aligned columns; ``right`` lists right-aligned column numbers.

    Every cell goes through :func:`visible`: names from facilities' files never drive the terminal.
    """
    headers = [visible(h) for h in headers]
    rows = [[visible(cell) for cell in row] for row in rows]
    widths = [max([width(h)] + [width(row[i]) for row in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = []
        for index, cell in enumerate(cells):
            pad = " " * (widths[index] - width(cell))
            parts.append(pad + cell if index in right else cell + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def score_table(outcomes: Sequence[Outcome], *, lang: str, figures: Sequence[Figures] | None = None) -> str:
    """One outcome: a detailed view; several: one summary row each (with ``figures``, a line or column more)."""
    if len(outcomes) == 1 and outcomes[0].scores is not None:
        return _detail(outcomes[0], lang, figures[0] if figures else None)
    domain_ids: list[str] = []
    for outcome in outcomes:
        for domain in outcome.scores.domains if outcome.scores else ():
            _add(domain_ids, domain.id)
    _ = i18n.texts(lang)
    headers = [_("file"), _("entity"), _("index"), _("stage"), *domain_ids, _("complete")]
    rows = _summary_rows(outcomes, domain_ids, lang)
    right = [2, *range(4, 4 + len(domain_ids) + 1)]
    if figures is not None:
        headers.append(_("90% interval"))
        rows = [[*row, _interval(found, lang)] for row, found in zip(rows, figures, strict=True)]
        right.append(len(headers) - 1)
    return table(headers, rows, right=right)


def _interval(figures: Figures, lang: str) -> str:
    unit = figures[1]
    return f"{number(unit.p5, lang)}–{number(unit.p95, lang)}" if unit is not None else ""


def _summary_rows(outcomes: Sequence[Outcome], domain_ids: Sequence[str], lang: str) -> list[list[str]]:
    _ = i18n.texts(lang)
    rows = []
    for outcome in outcomes:
        entity_id = outcome.validation.entity.id or ""
        scores = outcome.scores
        if scores is None:
            rows.append([outcome.file, entity_id, _("invalid"), "", *[""] * len(domain_ids), ""])
            continue
        by_id = {domain.id: domain.score for domain in scores.domains}
        stage = f"{scores.stage.level} {pick(scores.stage.label, lang)}" if scores.stage else "–"
        rows.append(
            [
                outcome.file,
                entity_id,
                number(scores.index, lang),
                stage,
                *(number(by_id.get(d), lang) for d in domain_ids),
                percent(scores.completeness, lang),
            ]
        )
    return rows


def uncertainty_line(index: float | None, unit: UnitUncertainty, lang: str) -> str:
    """``Index 84.8 (90% interval 81.2-87.9); 92% likely stage 5`` (with an en dash)."""
    _ = i18n.texts(lang)
    level, chance = unit.likely
    facts = {"index": number(index, lang), "low": number(unit.p5, lang), "high": number(unit.p95, lang)}
    facts |= {"chance": percent(chance, lang), "stage": str(level)}
    return _("Index %(index)s (90%% interval %(low)s–%(high)s); %(chance)s likely stage %(stage)s") % facts


def _detail(outcome: Outcome, lang: str, drawn: Figures | None = None) -> str:
    response = outcome.validation.response
    scores = outcome.scores
    if response is None or scores is None:
        return ""
    _ = i18n.texts(lang)
    questionnaire = response.questionnaire
    entity = response.entity
    titles = _titles(questionnaire, lang)
    stage = f"{scores.stage.level} {pick(scores.stage.label, lang)}" if scores.stage else "–"
    if scores.capped_by and scores.score_stage is not None:
        facts = {"stage": scores.score_stage.level, "items": ", ".join(scores.capped_by)}
        stage += " " + _("(%(stage)s by score, capped by %(items)s)") % facts
    figures = {"index": number(scores.index, lang), "stage": stage}
    head = [
        f"{entity.name or entity.id} ({entity.id}, {entity.type}{', ' + entity.province if entity.province else ''})",
        _("%(questionnaire)s, assessed %(date)s")
        % {"questionnaire": questionnaire.ref, "date": i18n.numeric_date(response.assessment.date, lang)},
        _("Index %(index)s  stage %(stage)s  completeness %(completeness)s")
        % {**figures, "completeness": percent(scores.completeness, lang)},
        "",
    ]
    if drawn is not None and drawn[1] is not None:
        head.insert(-1, uncertainty_line(scores.index, drawn[1], lang))
    rows = []
    for domain in scores.domains:
        rows.append([titles[domain.id], number(domain.score, lang), _stage(domain.stage, lang), ""])
        rows.extend(
            ["  " + titles[item.id], number(item.score, lang), _stage(item.stage, lang), _missing(item, lang)]
            for item in domain.indicators
        )
    body = table([_("domain / indicator"), _("score"), _("stage"), _("held down by")], rows, right=[1])
    tail = [*_compliance_lines(scores, lang), *_urgent(outcome, lang)]
    return "\n".join([*map(visible, head), body, *map(visible, tail)])


STATUS_NAMES = {"met": N_("met"), "pending": N_("pending"), "breach": N_("breach")}


def _missing(item: IndicatorScore, lang: str) -> str:
    """What a gated indicator lacks for the stage its score reaches: ``stage 4 needs a budget``."""
    _ = i18n.texts(lang)
    missing = needs(item.holding_gates, lang)
    if missing is None:
        return ""
    return _("stage %(stage)s needs %(what)s") % {"stage": missing[0], "what": missing[1]}


def _compliance_lines(scores: Scores, lang: str) -> list[str]:
    _ = i18n.texts(lang)
    if not scores.compliance:
        return []
    lines = ["", _("Legal obligations:")]
    for status in scores.compliance:
        shown = _(STATUS_NAMES[str(status.status)])
        if status.item.due is not None:
            shown += " " + _("(deadline %(date)s)") % {"date": i18n.numeric_date(status.item.due, lang)}
        lines.append(f"  {status.id}: {shown}  {pick(status.item.text, lang)}")
    return lines


def _urgent(outcome: Outcome, lang: str) -> list[str]:
    """The five most urgent recommendations, numbered, with their priority and due date."""
    _ = i18n.texts(lang)
    recs = []
    for n, fired in enumerate(outcome.recommendations[:5], start=1):
        when = {"priority": _(PRIORITIES[str(fired.rule.priority)]), "due": i18n.numeric_date(fired.due, lang)}
        recs.append(f"  {n}. " + _("[%(priority)s, by %(due)s]") % when + f" {pick(fired.rule.text, lang)}")
    more = len(outcome.recommendations) - len(recs)
    tail = ["", _("Most urgent recommendations:"), *recs] if recs else []
    if more > 0:
        tail.append(
            "  " + _("... and %(count)s more (--format json lists them all)") % {"count": i18n.count(more, lang)}
        )
    return tail


def _stage(stage: Stage | None, lang: str) -> str:
    if stage is None:
        return "–"
    return f"{stage.level} {pick(stage.label, lang)}"


def _titles(questionnaire: Questionnaire, lang: str) -> dict[str, str]:
    titles = {}
    for domain in questionnaire.domains:
        titles[domain.id] = pick(domain.title, lang)
        for indicator in domain.indicators:
            titles[indicator.id] = pick(indicator.title, lang)
    return titles
