"""The typed context of a portfolio report: a :class:`~dhti.portfolio.Portfolio`, worded and drawn.

Every name of a unit, a type, a province or a rule is put in words here (never a raw code),
numbers and dates go through :mod:`dhti.i18n`, and long lists are cut with the count left out.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dhti import __version__, i18n
from dhti.i18n import N_
from dhti.portfolio import (
    CHANGE_BANDS,
    CommonAction,
    Obligation,
    Portfolio,
    Section,
    Unit,
)
from dhti.questionnaire import DEFAULT_STAGES, Questionnaire, pick
from dhti.report import charts
from dhti.report.entity import ENTITY_TYPES, PRIORITY_LABELS, STAGE_MEANINGS

if TYPE_CHECKING:
    from dhti.uncertainty import PeerUncertainty

Translate = Callable[[str], str]
QuestionnaireLookup = Callable[[str], Questionnaire | None]  # by "id@version" (or id)

NAMED_UNITS = 8  # units named under a common action or an obligation before "and N more"
LEAGUE_ENDS = 20  # a longer league table shows its first and last this many
SECTION_PRIORITY = 25  # units in a section's priority list before "and N more"
ACTION_RULES = 2  # recommendations shown under a theme (the most common first)

SECTION_TITLES = {
    "ministry": N_("Ministry of Health"),
    "provincial_health_department": N_("Departments of Health"),
    "hospital": N_("Hospitals"),
    "health_centre": N_("Health centres"),
    "commune_health_station": N_("Commune health stations"),
    "clinic": N_("Clinics"),
}
OTHER_UNITS = N_("Other units")  # a type this dhti does not know, never shown as its code
UNITS = N_("units")
# The unit as counted: "14/23 commune health stations".
UNIT_NOUNS = {
    "ministry": N_("ministries"),
    "provincial_health_department": N_("Departments of Health"),
    "hospital": N_("hospitals"),
    "health_centre": N_("health centres"),
    "commune_health_station": N_("commune health stations"),
    "clinic": N_("clinics"),
}


@dataclass(frozen=True)
class Cell:
    shown: str
    stage: int


@dataclass(frozen=True)
class StageCount:
    level: int
    label: str
    meaning: str
    count: str
    share: str


@dataclass(frozen=True)
class PriorityView:
    name: str
    entity_type: str
    province: str
    index: Cell
    stage: int
    stage_label: str
    change: str
    falling: bool
    weakest: str
    breaches: str  # how many, or "not recorded"
    breach_count: int
    action: str
    owner: str
    due: str
    overdue: bool


@dataclass(frozen=True)
class LeagueView:
    rank: str
    name: str
    province: str
    date: str
    index: Cell
    stage_label: str
    change: str
    cells: tuple[Cell, ...]
    rank_range: str = ""  # with --uncertainty: "rank 7, range 4-11" over the recalculations


@dataclass(frozen=True)
class ProvinceView:
    name: str
    entities: str
    index: Cell
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class RuleView:
    text: str
    priority: str
    priority_label: str
    reach: str


@dataclass(frozen=True)
class ActionView:
    theme: str
    reach: str  # "14/23 commune health stations"
    share: str
    priority: str
    priority_label: str
    rules: tuple[RuleView, ...]
    more_rules: int
    units: str  # named, then "and 6 more"


@dataclass(frozen=True)
class ObligationView:
    text: str
    breach: str
    pending: str
    met: str
    breach_count: int
    in_breach: str
    next_due: str


@dataclass(frozen=True)
class BrightView:
    name: str
    province: str
    detail: str  # "+8,4 since 12/05/2025" or "Policy: 92,0"


@dataclass(frozen=True)
class SectionView:
    anchor: str
    title: str
    noun: str
    entities: int
    summary: str  # the one-line headline
    contrast: str
    median: str
    mean: str
    range: str
    stages: tuple[StageCount, ...]
    histogram_svg: str
    changes_svg: str
    changes_note: str
    domains: tuple[str, ...]
    provinces: tuple[ProvinceView, ...]
    league: tuple[LeagueView, ...]
    league_tail: tuple[LeagueView, ...]  # the last ones, after the hidden middle of a long table
    league_hidden: int
    priority: tuple[PriorityView, ...]
    priority_total: int
    priority_hidden: int
    actions: tuple[ActionView, ...]
    actions_left_out: int
    obligations: tuple[ObligationView, ...]
    compliance_note: str
    improved: tuple[BrightView, ...]
    leaders: tuple[BrightView, ...]
    rank_sensitivity: str = ""  # with --uncertainty: the choice that moves this section's ranks most


@dataclass(frozen=True)
class CoverLine:
    label: str
    value: str


@dataclass(frozen=True)
class PortfolioContext:
    lang: str
    title: str
    scope: str
    entities: int
    dhti_version: str
    cover: tuple[CoverLine, ...]
    headline: str
    sections: tuple[SectionView, ...]
    priority: tuple[PriorityView, ...]
    priority_total: int
    how_to_read: tuple[str, ...]


@dataclass(frozen=True)
class Wording:
    """What the context needs beyond the portfolio: language, titles and the cover's facts."""

    lang: str
    translate: Translate
    domain_titles: Mapping[str, str]
    questionnaire: QuestionnaireLookup
    report_date: dt.date
    issuer: str
    scope: str = ""  # the filters in words ("" for the whole store)
    peers: PeerUncertainty | None = None  # with --uncertainty: rank intervals and what moves ranks


def stage_of(score: float) -> int:
    return max(stage.level for stage in DEFAULT_STAGES if score + 1e-9 >= stage.min)


def type_label(entity_type: str, _: Translate) -> str:
    """An entity type in words; a type dhti does not know is "Other units", never its code."""
    return _(ENTITY_TYPES.get(entity_type, OTHER_UNITS))


def type_noun(entity_type: str, _: Translate) -> str:
    return _(UNIT_NOUNS.get(entity_type, UNITS))


def build_portfolio_context(portfolio: Portfolio, wording: Wording) -> PortfolioContext:
    """Word and draw the portfolio in ``wording.lang``."""
    words = _Words(wording)
    _ = wording.translate
    sections = tuple(words.section(section, n) for n, section in enumerate(portfolio.sections, 1))
    return PortfolioContext(
        lang=wording.lang,
        title=_(N_("Digital transformation portfolio")),
        scope=wording.scope,
        entities=portfolio.entities,
        dhti_version=__version__,
        cover=words.cover(portfolio),
        headline=_(N_("%(count)s units in %(sections)s groups of the same kind; %(needing)s need support first."))
        % {
            "count": words.count(portfolio.entities),
            "sections": words.count(len(portfolio.sections)),
            "needing": words.count(portfolio.needing_support),
        },
        sections=sections,
        priority=tuple(words.priority(unit) for unit in portfolio.priority),
        priority_total=portfolio.needing_support,
        how_to_read=words.how_to_read(),
    )


class _Words:
    """The wording of one portfolio: numbers, dates, names and texts in one language."""

    def __init__(self, wording: Wording) -> None:
        self.w = wording
        self.lang = wording.lang
        self._ = wording.translate
        self.stage_labels = {stage.level: pick(stage.label, self.lang) for stage in DEFAULT_STAGES}

    # Small words

    def number(self, value: float | None) -> str:
        return i18n.number(value, self.lang)

    def count(self, value: int) -> str:
        return i18n.count(value, self.lang)

    def date(self, day: dt.date) -> str:
        return i18n.date(day, self.lang)

    def cell(self, value: float | None) -> Cell:
        return Cell(self.number(value), stage_of(value) if value is not None else 0)

    def signed(self, change: float | None) -> str:
        if change is None:
            return self._(N_("first assessment"))
        shown = self.number(abs(change))
        if not shown.strip("0,."):
            return shown  # no change at one decimal: no sign
        return f"+{shown}" if change > 0 else f"−{shown}"  # a minus sign, as the entity report prints it

    def domain(self, domain_id: str | None) -> str:
        return self.w.domain_titles.get(domain_id, domain_id) if domain_id else "–"

    def province(self, name: str | None) -> str:
        return name or self._(N_("province not given"))

    def names(self, units: Sequence[Unit]) -> str:
        shown = ", ".join(unit.name for unit in units[:NAMED_UNITS])
        more = len(units) - NAMED_UNITS
        if more <= 0:
            return shown
        return self._(N_("%(names)s and %(count)s more units")) % {"names": shown, "count": self.count(more)}

    def reach(self, part: int, whole: int, entity_type: str) -> str:
        return f"{self.count(part)}/{self.count(whole)} {type_noun(entity_type, self._)}"

    # Questionnaire texts

    def rule(self, ref: str, rule_id: str) -> tuple[str, str]:
        """A recommendation's text and owner, from its questionnaire."""
        definition = self.w.questionnaire(ref)
        found = next((r for r in definition.recommendations if r.id == rule_id), None) if definition else None
        if found is None:
            return self._(N_("a recommendation this dhti no longer knows")), ""
        return pick(found.text, self.lang), pick(found.owner, self.lang) if found.owner else ""

    def theme(self, ref: str, theme: str) -> str:
        """What a theme's id names: an indicator, a domain or a legal obligation of the questionnaire."""
        definition = self.w.questionnaire(ref)
        if definition is None:
            return self.domain(theme)
        for domain in definition.domains:
            if domain.id == theme:
                return pick(domain.title, self.lang)
            for indicator in domain.indicators:
                if indicator.id == theme:
                    return pick(indicator.title, self.lang)
        for item in definition.compliance:
            if item.id == theme:
                return pick(item.text, self.lang)
        return self.rule(ref, theme)[0]

    def obligation_text(self, ref: str, item_id: str) -> str:
        definition = self.w.questionnaire(ref)
        found = next((i for i in definition.compliance if i.id == item_id), None) if definition else None
        return pick(found.text, self.lang) if found else self._(N_("an obligation this dhti no longer knows"))

    # The cover

    def cover(self, portfolio: Portfolio) -> tuple[CoverLine, ...]:
        _ = self._
        provinces = portfolio.provinces
        shown = (
            ", ".join(provinces)
            if len(provinces) <= 6
            else _(N_("%(count)s provinces")) % {"count": self.count(len(provinces))}
        )
        period = _(N_("assessments from %(first)s to %(last)s")) % {
            "first": self.date(portfolio.first_date),
            "last": self.date(portfolio.last_date),
        }
        lines = [
            CoverLine(_(N_("Issued by")), self.w.issuer),
            CoverLine(_(N_("Report date")), self.date(self.w.report_date)),
            CoverLine(_(N_("Provinces")), shown or _(N_("province not given"))),
            CoverLine(_(N_("Entity types")), ", ".join(type_label(t, _) for t in portfolio.entity_types)),
            CoverLine(_(N_("Period")), period),
            CoverLine(_(N_("Units")), self.count(portfolio.entities)),
            CoverLine(_(N_("Status")), _(N_("Self-assessment, not verified"))),
        ]
        if self.w.scope:
            lines.insert(2, CoverLine(_(N_("Filters")), self.w.scope))
        return tuple(lines)

    def how_to_read(self) -> tuple[str, ...]:
        _ = self._
        return (
            _(
                N_(
                    "Units are compared only with their own kind: each section holds one entity type"
                    " that answered one questionnaire, with its own median, distribution and league table."
                    " No table ranks a Ministry with a commune station."
                )
            ),
            _(
                N_(
                    "Each unit counts once, with its latest assessment; the change is against its assessment"
                    " before that. Scores are on a 0 to 100 scale, and stages start at 0, 20, 40, 60 and 80."
                )
            ),
            _(
                N_(
                    "A unit needs support first when it is at stage 1 or 2, when a legal obligation is in"
                    " breach, or when its index fell since the last round. The list puts breaches first,"
                    " then the lowest stage, the largest fall and the lowest index."
                )
            ),
            _(
                N_(
                    "Common actions group the recommendations by the indicator or domain they are about,"
                    " ordered by the share of the section's units they reach, then by priority."
                    " The strongest and weakest domains are compared by their median; a gap under 5 points"
                    " is not a clear difference."
                )
            ),
            _(
                N_(
                    "What a unit needs first is the first step of its roadmap, shortened to its first words;"
                    " the unit's own report gives it in full, with the steps after it."
                )
            ),
            *self.uncertainty_method(),
            _(N_("The results are self-assessments that have not been verified.")),
        )

    def uncertainty_method(self) -> tuple[str, ...]:
        if self.w.peers is None:
            return ()
        from dhti.report.uncertainty import portfolio_paragraphs  # noqa: PLC0415 - only with --uncertainty

        return portfolio_paragraphs(self.w.peers.settings, lang=self.lang, translate=self._)

    # A section

    def section(self, section: Section, number: int) -> SectionView:
        head, tail, hidden = _ends(section.units, LEAGUE_ENDS)
        return SectionView(
            anchor=f"s{number}",
            title=self.title(section),
            noun=type_noun(section.key.entity_type, self._),
            entities=section.entities,
            summary=self.summary(section),
            contrast=self.contrast(section),
            median=self.number(section.index.median),
            mean=self.number(section.index.mean),
            range=f"{self.number(section.index.minimum)} – {self.number(section.index.maximum)}",
            stages=self.stages(section),
            histogram_svg=self.histogram_chart(section),
            changes_svg=self.changes_chart(section),
            changes_note=self.changes_note(section),
            domains=tuple(self.domain(d) for d in section.domain_ids),
            provinces=self.heat(section),
            league=tuple(self.league(rank, unit, section) for rank, unit in head),
            league_tail=tuple(self.league(rank, unit, section) for rank, unit in tail),
            league_hidden=hidden,
            priority=tuple(self.priority(unit) for unit in section.priority[:SECTION_PRIORITY]),
            priority_total=len(section.priority),
            priority_hidden=max(len(section.priority) - SECTION_PRIORITY, 0),
            actions=tuple(self.action(action, section) for action in section.actions),
            actions_left_out=section.actions_left_out,
            obligations=tuple(self.obligation(o) for o in section.obligations),
            compliance_note=self.compliance_note(section),
            improved=self.improved(section),
            leaders=self.leaders(section),
            rank_sensitivity=self.rank_sensitivity(section),
        )

    def rank_sensitivity(self, section: Section) -> str:
        if self.w.peers is None or section.entities < 2:  # a unit alone has one rank
            return ""
        from dhti.report.uncertainty import sensitivity_sentence  # noqa: PLC0415 - only with --uncertainty

        return sensitivity_sentence(self.w.peers.moves_most.get(section.key), lang=self.lang, translate=self._)

    def rank_range(self, rank: int, unit: Unit) -> str:
        interval = self.w.peers.ranks.get(unit.entity_id) if self.w.peers else None
        if interval is None:
            return ""
        from dhti.report.uncertainty import rank_words  # noqa: PLC0415 - only with --uncertainty

        return rank_words(rank, interval, lang=self.lang, translate=self._)

    def title(self, section: Section) -> str:
        """The kind of unit, and the questionnaire when the kind answered more than one."""
        title = self._(SECTION_TITLES.get(section.key.entity_type, OTHER_UNITS))
        if not section.split:
            return title
        definition = self.w.questionnaire(section.questionnaire_ref)
        return f"{title}: {pick(definition.title, self.lang) if definition else section.key.questionnaire_id}"

    def histogram_chart(self, section: Section) -> str:
        bands = range(len(section.histogram))
        return charts.distribution(
            section.histogram,
            title=self._(N_("Units by index")),
            labels=[f"{10 * n}–{10 * n + 10}" for n in bands],
            colours=[charts.stage_colour(min(n // 2 + 1, 5)) for n in bands],  # two bands per stage
        )

    def heat(self, section: Section) -> tuple[ProvinceView, ...]:
        return tuple(
            ProvinceView(
                self.province(row.name),
                self.count(row.entities),
                self.cell(row.index),
                tuple(self.cell(v) for v in row.domains),
            )
            for row in section.provinces
        )

    def improved(self, section: Section) -> tuple[BrightView, ...]:
        since = self._(N_("%(change)s since %(date)s"))
        return tuple(
            BrightView(
                u.name,
                self.province(u.province),
                since % {"change": self.signed(u.change), "date": self.date(u.previous_date or u.date)},
            )
            for u in section.improved
        )

    def leaders(self, section: Section) -> tuple[BrightView, ...]:
        return tuple(
            BrightView(
                leader.unit.name,
                self.province(leader.unit.province),
                f"{self.domain(leader.domain_id)}: {self.number(leader.score)}",
            )
            for leader in section.leaders
        )

    def summary(self, section: Section) -> str:
        _ = self._
        if section.entities == 1:
            unit = section.units[0]
            return _(N_("One unit, %(name)s: index %(index)s, stage %(stage)s (%(label)s).")) % {
                "name": unit.name,
                "index": self.number(unit.index),
                "stage": unit.stage,
                "label": self.stage_labels.get(unit.stage, ""),
            }
        low = sum(count for level, count in section.stages.items() if level <= 2)
        return _(
            N_(
                "%(count)s %(noun)s: median index %(median)s (mean %(mean)s);"
                " %(low)s at stage 1–2; %(needing)s need support first."
            )
        ) % {
            "count": self.count(section.entities),
            "noun": type_noun(section.key.entity_type, _),
            "median": self.number(section.index.median),
            "mean": self.number(section.index.mean),
            "low": self.count(low),
            "needing": self.count(len(section.priority)),
        }

    def contrast(self, section: Section) -> str:
        _ = self._
        found = section.contrast
        if found is None or section.entities == 1:
            return ""
        values = {
            "strong": self.domain(found.strongest),
            "weak": self.domain(found.weakest),
            "gap": self.number(found.gap),
        }
        if found.clear:
            text = N_(
                "By median, the strongest domain is %(strong)s and the weakest is %(weak)s (%(gap)s points apart)."
            )
        else:
            text = N_(
                "By median, no domain clearly leads: %(strong)s is highest and %(weak)s lowest,"
                " only %(gap)s points apart, which is not a clear difference."
            )
        return _(text) % values

    def stages(self, section: Section) -> tuple[StageCount, ...]:
        return tuple(
            StageCount(
                level,
                label,
                self._(STAGE_MEANINGS[level]),
                self.count(section.stages.get(level, 0)),
                i18n.percent(section.stages.get(level, 0) / section.entities, self.lang),
            )
            for level, label in sorted(self.stage_labels.items())
        )

    def changes_chart(self, section: Section) -> str:
        if section.compared == 0:
            return ""
        edges = [self.number(edge).removesuffix(",0").removesuffix(".0") for edge in CHANGE_BANDS]
        labels = [f"< {edges[0]}", *(f"{a} – {b}" for a, b in itertools.pairwise(edges)), f"≥ {edges[-1]}"]
        colours = [charts.STAGE_COLOURS[1], charts.STAGE_COLOURS[2], "#f4b89b", "#a9cfe5", charts.STAGE_COLOURS[4]]
        return charts.distribution(
            section.changes,
            title=self._(N_("Units by change of the index since the previous round")),
            labels=labels,
            colours=[*colours, charts.STAGE_COLOURS[5]],
        )

    def changes_note(self, section: Section) -> str:
        _ = self._
        if section.compared == 0:
            return _(
                N_("No unit of this kind has an earlier assessment yet: the change will show after the next round.")
            )
        return _(N_("%(count)s of %(total)s units have an earlier assessment to compare with.")) % {
            "count": self.count(section.compared),
            "total": self.count(section.entities),
        }

    def league(self, rank: int, unit: Unit, section: Section) -> LeagueView:
        return LeagueView(
            self.count(rank),
            unit.name,
            self.province(unit.province),
            self.date(unit.date),
            self.cell(unit.index),
            self.stage_labels.get(unit.stage, ""),
            self.signed(unit.change),
            tuple(self.cell(unit.domain(d)) for d in section.domain_ids),
            self.rank_range(rank, unit),
        )

    def priority(self, unit: Unit) -> PriorityView:
        _ = self._
        breaches = unit.breaches
        first = unit.first_action
        text, owner = self.rule(first.questionnaire_ref, first.rule_id) if first else (_(N_("No recommendation")), "")
        return PriorityView(
            name=unit.name,
            entity_type=type_label(unit.entity_type, _),
            province=self.province(unit.province),
            index=self.cell(unit.index),
            stage=unit.stage,
            stage_label=self.stage_labels.get(unit.stage, ""),
            change=self.signed(unit.change),
            falling=unit.change is not None and unit.change < 0,
            weakest=self.domain(unit.weakest_domain),
            breaches=_(N_("not recorded")) if breaches is None else self.count(len(breaches)),
            breach_count=len(breaches or ()),
            action=first_clause(text),
            owner=owner,
            due=self.date(first.due) if first else "",
            overdue=first is not None and first.due < self.w.report_date,
        )

    def action(self, action: CommonAction, section: Section) -> ActionView:
        entity_type = section.key.entity_type
        rules = tuple(
            RuleView(
                self.rule(r.questionnaire_ref, r.rule_id)[0],
                r.priority,
                self._(PRIORITY_LABELS.get(r.priority, PRIORITY_LABELS["medium"])),
                self.reach(r.entities, section.entities, entity_type),
            )
            for r in action.rules[:ACTION_RULES]
        )
        return ActionView(
            theme=self.theme(action.questionnaire_ref, action.theme),
            reach=self.reach(len(action.units), section.entities, entity_type),
            share=i18n.percent(action.share, self.lang),
            priority=action.priority,
            priority_label=self._(PRIORITY_LABELS.get(action.priority, PRIORITY_LABELS["medium"])),
            rules=rules,
            more_rules=max(len(action.rules) - ACTION_RULES, 0),
            units=self.names(action.units),
        )

    def obligation(self, item: Obligation) -> ObligationView:
        recorded = item.recorded or 1
        return ObligationView(
            text=self.obligation_text(item.questionnaire_ref, item.item_id),
            breach=i18n.percent(item.breach / recorded, self.lang),
            pending=i18n.percent(item.pending / recorded, self.lang),
            met=i18n.percent(item.met / recorded, self.lang),
            breach_count=item.breach,
            in_breach=self.names(item.in_breach) if item.in_breach else self._(N_("none")),
            next_due=self.date(item.next_due) if item.next_due else "",
        )

    def compliance_note(self, section: Section) -> str:
        if not section.compliance_not_recorded:
            return ""
        return self._(
            N_("Compliance not recorded for %(count)s units: they were stored before dhti kept it; ingest them again.")
        ) % {"count": self.count(section.compliance_not_recorded)}


def first_clause(text: str, *, shortest: int = 40, longest: int = 140) -> str:
    """A recommendation up to its first semicolon, for a list read at a glance ("…" where it is cut).

    A clause shorter than ``shortest`` characters says too little alone: the text is kept whole.
    What is still longer than ``longest`` characters is cut at the last space before it.
    """
    head, sep, _rest = text.partition(";")
    shown = f"{head.rstrip()} …" if sep and len(head) >= shortest else text
    if len(shown) <= longest:
        return shown
    cut = shown.rfind(" ", 0, longest)
    return f"{shown[: cut if cut > shortest else longest].rstrip(' ,.:')} …"


Ranked = list[tuple[int, Unit]]


def _ends(units: Sequence[Unit], ends: int) -> tuple[Ranked, Ranked, int]:
    """The ranked units, or the first and the last ``ends`` of a long list and how many lie between."""
    ranked = list(enumerate(units, 1))
    if len(ranked) <= 2 * ends + 5:
        return ranked, [], 0
    return ranked[:ends], ranked[-ends:], len(ranked) - 2 * ends
