"""The typed context of a portfolio report: a :class:`~dhti.portfolio.Portfolio`, worded and drawn."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dhti import __version__, i18n
from dhti.i18n import N_
from dhti.portfolio import GroupBy, Portfolio
from dhti.questionnaire import DEFAULT_STAGES, Questionnaire, pick
from dhti.report import charts
from dhti.report.entity import ENTITY_TYPES, PRIORITY_LABELS, STAGE_MEANINGS

Translate = Callable[[str], str]
RuleLookup = Callable[[str], Questionnaire | None]


@dataclass(frozen=True)
class Cell:
    shown: str
    stage: int


@dataclass(frozen=True)
class StageCount:
    level: int
    label: str
    meaning: str
    count: int
    share: str


@dataclass(frozen=True)
class GroupView:
    name: str
    entities: int
    index: Cell
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class LeagueView:
    rank: int
    name: str
    entity_id: str
    entity_type: str
    province: str
    date: str
    index: Cell
    stage_label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class CommonView:
    text: str
    questionnaire: str
    priority: str
    priority_label: str
    owner: str
    entities: int
    share: str


@dataclass(frozen=True)
class PortfolioContext:
    lang: str
    title: str
    report_date: str
    scope: str
    entities: int
    dhti_version: str
    median_index: str
    mean_index: str
    range_index: str
    stages: tuple[StageCount, ...]
    histogram_svg: str
    boxes_svg: str
    domains: tuple[str, ...]
    strongest: str
    weakest: str
    group_label: str
    groups: tuple[GroupView, ...]
    league: tuple[LeagueView, ...]
    recommendations: tuple[CommonView, ...]


def stage_of(score: float) -> int:
    return max(stage.level for stage in DEFAULT_STAGES if score + 1e-9 >= stage.min)


def build_portfolio_context(  # noqa: PLR0913 - each is a separate input of the report
    portfolio: Portfolio,
    *,
    lang: str,
    translate: Translate,
    domain_titles: Mapping[str, str],
    questionnaire: RuleLookup,
    report_date: dt.date,
    scope: str = "",
) -> PortfolioContext:
    """Word and draw the portfolio for ``lang``; ``questionnaire`` finds rule texts by questionnaire id."""
    _ = translate

    def number(value: float | None) -> str:
        return i18n.number(value, lang)

    def cell(value: float | None) -> Cell:
        return Cell(number(value), stage_of(value) if value is not None else 0)

    titles = tuple(domain_titles.get(d, d) for d in portfolio.domain_ids)
    medians = {d: s.median for d, s in portfolio.domains.items()}
    ranked = sorted(medians, key=lambda d: medians[d])
    labels = {stage.level: pick(stage.label, lang) for stage in DEFAULT_STAGES}
    return PortfolioContext(
        lang=lang,
        title=_(N_("Digital transformation portfolio")),
        report_date=i18n.date(report_date, lang),
        scope=scope,
        entities=portfolio.entities,
        dhti_version=__version__,
        median_index=number(portfolio.index.median),
        mean_index=number(portfolio.index.mean),
        range_index=f"{number(portfolio.index.minimum)} – {number(portfolio.index.maximum)}",
        stages=tuple(
            StageCount(
                level,
                labels[level],
                _(STAGE_MEANINGS[level]),
                portfolio.stages.get(level, 0),
                i18n.percent(portfolio.stages.get(level, 0) / portfolio.entities, lang),
            )
            for level in sorted(labels)
        ),
        histogram_svg=charts.histogram(
            portfolio.histogram,
            title=_(N_("Entities by index")),
            labels=[f"{10 * n}–{10 * n + 10}" for n in range(len(portfolio.histogram))],
        ),
        boxes_svg=charts.boxes(
            [
                charts.Spread(
                    domain_titles.get(d, d),
                    s.minimum,
                    s.lower_quartile,
                    s.median,
                    s.upper_quartile,
                    s.maximum,
                    number(s.median),
                )
                for d, s in portfolio.domains.items()
            ],
            title=_(N_("Spread of domain scores")),
        ),
        domains=titles,
        strongest=domain_titles.get(ranked[-1], ranked[-1]) if ranked else "",
        weakest=domain_titles.get(ranked[0], ranked[0]) if ranked else "",
        group_label=_(N_("Province")) if portfolio.group_by is GroupBy.PROVINCE else _(N_("Entity type")),
        groups=tuple(
            GroupView(
                _(ENTITY_TYPES[g.name])
                if portfolio.group_by is GroupBy.ENTITY_TYPE and g.name in ENTITY_TYPES
                else g.name,
                g.entities,
                cell(g.index),
                tuple(cell(g.domains.get(d)) for d in portfolio.domain_ids),
            )
            for g in portfolio.groups
        ),
        league=tuple(
            LeagueView(
                r.rank,
                r.entity_name,
                r.entity_id,
                _(ENTITY_TYPES.get(r.entity_type, r.entity_type)),
                r.province,
                r.assessment_date,
                cell(r.index),
                labels.get(r.stage, str(r.stage)),
                tuple(cell(r.domains.get(d)) for d in portfolio.domain_ids),
            )
            for r in portfolio.league
        ),
        recommendations=tuple(_common(portfolio, lang, _, questionnaire)),
    )


def _common(portfolio: Portfolio, lang: str, _: Translate, questionnaire: RuleLookup) -> list[CommonView]:
    views = []
    for item in portfolio.recommendations:
        definition = questionnaire(item.questionnaire_id)
        rule = next((r for r in definition.recommendations if r.id == item.rule_id), None) if definition else None
        views.append(
            CommonView(
                pick(rule.text, lang) if rule else item.rule_id,
                pick(definition.title, lang) if definition else item.questionnaire_id,
                str(rule.priority) if rule else "",
                _(PRIORITY_LABELS[str(rule.priority)]) if rule else "",
                pick(rule.owner, lang) if rule else "",
                item.entities,
                i18n.percent(item.share, lang),
            )
        )
    return views
