"""The portfolio for a provincial department or the Ministry: whom to support, and with what.

Pure: from the latest assessment of each entity and the one before it, it builds one section
per entity type (and questionnaire, when one type answered two), so that units are compared
only with their own kind. Each section has its distribution, league table, heat map of
domains by province, priority list, common actions grouped by theme, compliance and bright
spots; the portfolio adds a priority list across sections. Where a unit's latest assessment was
verified, the verified one stands in its place and the unit is marked; the agreement figures of
the reviews (:mod:`dhti.agreement`) ride along. The store supplies the assessments,
``dhti.report.portfolio`` words and draws the result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from dhti.agreement import Figures
from dhti.peers import AssessedRecord
from dhti.questionnaire import PRIORITY_RANK, Priority, Questionnaire, Recommendation

DOMAIN_ORDER = ("policy", "capacity", "standards", "workforce")
PRIORITY_STAGE = 2  # units at this stage or below need support
CLEAR_GAP = 5.0  # points between the strongest and weakest domain below which they are a tie
CHANGE_BANDS = (-10.0, -5.0, 0.0, 5.0, 10.0)  # edges of the bands of the change since the last round
BRIGHT_SPOTS = 3  # the most improved units named per section
COMMON_ACTIONS = 5  # themes shown per section (more when they tie on share and priority with the last)
TOP_PRIORITY = 10  # units in the priority list across sections


class RecordedRule(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def due(self) -> dt.date: ...


class RecordedStatus(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def due(self) -> dt.date | None: ...


class PortfolioRecord(AssessedRecord, Protocol):
    """What was stored of an assessment, as far as the portfolio needs it: what comparisons need and more."""

    @property
    def questionnaire_version(self) -> str: ...
    @property
    def recommendations(self) -> Sequence[RecordedRule]: ...
    @property
    def compliance(self) -> Sequence[RecordedStatus] | None: ...


class Stored(Protocol):
    """A stored assessment: its id and what was stored."""

    @property
    def id(self) -> int: ...
    @property
    def record(self) -> PortfolioRecord: ...


class Earlier(Protocol):
    """The assessment before an entity's latest one: its date and index are what a change needs."""

    @property
    def assessment_date(self) -> dt.date: ...
    @property
    def index(self) -> float | None: ...


# (questionnaire ref "id@version", rule id) -> the theme the rule is about, or None if unknown
ThemeLookup = Callable[[str, str], str | None]


@dataclass(frozen=True)
class Summary:
    """Five-number summary and mean of a set of scores."""

    count: int
    minimum: float
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: float
    mean: float


@dataclass(frozen=True)
class FirstAction:
    """The first recommendation of a unit's roadmap, as stored."""

    questionnaire_ref: str
    rule_id: str
    priority: str
    due: dt.date


@dataclass(frozen=True)
class ItemStatus:
    """A compliance item's status for one unit on its assessment date: met, pending or breach."""

    id: str
    status: str
    due: dt.date | None


@dataclass(frozen=True)
class Unit:
    """One entity in the portfolio: its latest assessment, and the change since the one before."""

    entity_id: str
    name: str
    entity_type: str
    questionnaire_id: str
    questionnaire_ref: str  # "id@version"
    province: str | None
    date: dt.date
    index: float
    stage: int
    domains: tuple[tuple[str, float], ...]  # scored domains only
    change: float | None  # index change since the previous assessment; None without one
    previous_date: dt.date | None
    compliance: tuple[ItemStatus, ...] | None  # None: not recorded (stored before the store kept it)
    first_action: FirstAction | None
    rules: tuple[tuple[str, str], ...]  # (rule id, priority) of each recommendation, in roadmap order
    verified: bool = False  # the scores are those a review verified, in place of the self-assessment's
    self_index: float | None = None  # of the self-assessment a verified unit's review checked

    @functools.cached_property
    def breaches(self) -> tuple[str, ...] | None:
        """The ids of the compliance items in breach; None when compliance was not recorded."""
        if self.compliance is None:
            return None
        return tuple(item.id for item in self.compliance if item.status == "breach")

    @functools.cached_property
    def _scores(self) -> dict[str, float]:
        return dict(self.domains)

    def domain(self, domain_id: str) -> float | None:
        return self._scores.get(domain_id)

    @property
    def weakest_domain(self) -> str | None:
        return min(self.domains, key=lambda item: item[1])[0] if self.domains else None

    @property
    def needs_support(self) -> bool:
        fell = self.change is not None and self.change < 0
        return self.stage <= PRIORITY_STAGE or bool(self.breaches) or fell

    def priority_key(self) -> tuple[int, int, float, float, str]:
        """Breaches first, then the lowest stage, the largest fall, the lowest index."""
        return self._priority_key

    @functools.cached_property
    def _priority_key(self) -> tuple[int, int, float, float, str]:
        fall = min(self.change, 0.0) if self.change is not None else 0.0
        return (-len(self.breaches or ()), self.stage, fall, self.index, self.entity_id)


@dataclass(frozen=True)
class SectionKey:
    entity_type: str
    questionnaire_id: str


@dataclass(frozen=True)
class DomainSummary:
    id: str
    summary: Summary


@dataclass(frozen=True)
class Contrast:
    """The strongest and weakest domain by median, and whether the gap is large enough to matter."""

    strongest: str
    weakest: str
    gap: float

    @property
    def clear(self) -> bool:
        return self.gap >= CLEAR_GAP


@dataclass(frozen=True)
class ProvinceRow:
    """One row of a section's heat map: the median index and domain scores of its units in a province."""

    name: str | None
    entities: int
    index: float
    domains: tuple[float | None, ...]  # in the section's domain order


@dataclass(frozen=True)
class RuleCount:
    questionnaire_ref: str
    rule_id: str
    priority: str
    entities: int


@dataclass(frozen=True)
class CommonAction:
    """A theme of recommendations (an indicator or domain) and the units of the section it applies to."""

    theme: str
    questionnaire_ref: str  # where the theme's title is found
    units: tuple[Unit, ...]  # those with most need first
    share: float  # of the section's units, 0..1
    priority: str  # the highest priority among its rules
    firings: int
    rules: tuple[RuleCount, ...]  # most units first


@dataclass(frozen=True)
class Obligation:
    """One compliance item across a section's units whose compliance is recorded."""

    item_id: str
    questionnaire_ref: str
    met: int
    pending: int
    breach: int
    in_breach: tuple[Unit, ...]
    next_due: dt.date | None  # the earliest due date of the pending ones

    @property
    def recorded(self) -> int:
        return self.met + self.pending + self.breach


@dataclass(frozen=True)
class Leader:
    domain_id: str
    unit: Unit
    score: float


@dataclass(frozen=True)
class Section:
    key: SectionKey
    split: bool  # the entity type answered more than one questionnaire: name it
    units: tuple[Unit, ...]  # the league table: highest index first
    index: Summary
    domain_ids: tuple[str, ...]
    domains: tuple[DomainSummary, ...]
    contrast: Contrast | None
    stages: dict[int, int]
    histogram: tuple[int, ...]  # units per 10-point band of the index
    changes: tuple[int, ...]  # units per band of CHANGE_BANDS (len + 1 bands)
    compared: int  # units with a previous assessment
    provinces: tuple[ProvinceRow, ...]
    priority: tuple[Unit, ...]
    actions: tuple[CommonAction, ...]
    actions_left_out: int
    obligations: tuple[Obligation, ...]
    compliance_not_recorded: int
    improved: tuple[Unit, ...]
    leaders: tuple[Leader, ...]

    @property
    def entities(self) -> int:
        return len(self.units)

    @property
    def questionnaire_ref(self) -> str:
        return self.units[0].questionnaire_ref


@dataclass(frozen=True)
class Portfolio:
    entities: int
    sections: tuple[Section, ...]
    priority: tuple[Unit, ...]  # across sections, the first TOP_PRIORITY
    needing_support: int  # across sections
    first_date: dt.date  # of the assessments used, the previous ones included
    last_date: dt.date
    provinces: tuple[str, ...]  # as recorded, sorted
    entity_types: tuple[str, ...]  # in section order
    verified: int = 0  # units whose scores are verified ones
    agreement: Figures | None = None  # over the reviews of the units, when the caller computed it


def summarise(values: Sequence[float]) -> Summary:
    ordered = sorted(values)
    if len(ordered) == 1:
        only = ordered[0]
        return Summary(1, only, only, only, only, only, only)
    lower, middle, upper = statistics.quantiles(ordered, n=4, method="inclusive")
    return Summary(len(ordered), ordered[0], lower, middle, upper, ordered[-1], statistics.fmean(ordered))


def histogram(values: Iterable[float], *, bands: int = 10) -> tuple[int, ...]:
    counts = [0] * bands
    for value in values:
        counts[max(0, min(int(value // (100 / bands)), bands - 1))] += 1
    return tuple(counts)


def change_histogram(changes: Iterable[float]) -> tuple[int, ...]:
    """Units per band of the change: below -10, -10 to -5, -5 to 0, 0 to 5, 5 to 10, 10 and more."""
    counts = [0] * (len(CHANGE_BANDS) + 1)
    for change in changes:
        counts[sum(1 for edge in CHANGE_BANDS if change >= edge)] += 1
    return tuple(counts)


def rule_theme(questionnaire: Questionnaire, rule_id: str) -> str | None:
    """The indicator (or domain) a rule is about, by id: what names its theme in the portfolio.

    As the entity report finds a rule's subject: its target, else the first question its
    expression (or its compliance item's ``met``) reads; a question stands for its indicator.
    """
    rule = next((r for r in questionnaire.recommendations if r.id == rule_id), None)
    if rule is None:
        return None
    subject = _subject(questionnaire, rule)
    if subject in questionnaire.questions:
        return questionnaire.indicator_of(subject).id
    return subject or None


def _subject(questionnaire: Questionnaire, rule: Recommendation) -> str:
    from dhti import expressions  # noqa: PLC0415 - the parser only when themes are looked up

    when = rule.when
    source = when.expr
    if when.compliance is not None:
        item = next((i for i in questionnaire.compliance if i.id == when.compliance), None)
        source = item.met if item else None
    elif when.target:
        return when.target
    expr = questionnaire.parsed_expressions.get(source or "")
    refs = expressions.references(expr) if expr is not None else []
    return refs[0].question if refs else ""


def build_portfolio(
    latest: Sequence[Stored],
    *,
    previous: Mapping[str, Earlier] | None = None,
    themes: ThemeLookup | None = None,
    verified: Mapping[int, float | None] | None = None,
    agreement: Figures | None = None,
) -> Portfolio:
    """The portfolio of the latest assessment of each entity (unscored ones are left out).

    ``previous`` gives, by entity id, the assessment before the latest one; ``themes`` tells
    which indicator or domain each recommendation is about (a rule it does not know is its own theme).
    ``verified`` maps the stored id of each verified assessment among ``latest`` to the index of
    the self-assessment it checked; ``agreement`` is what the reviews found, shown as it is.
    """
    checked = verified or {}
    units = [
        _verified(u, checked, a.id) if a.id in checked else u
        for a in latest
        if (u := _unit(a, (previous or {}).get(a.record.entity_id))) is not None
    ]
    if not units:
        msg = "no assessments to aggregate"
        raise ValueError(msg)
    grouped: dict[SectionKey, list[Unit]] = defaultdict(list)
    for unit in units:
        grouped[SectionKey(unit.entity_type, unit.questionnaire_id)].append(unit)
    answered = Counter(key.entity_type for key in grouped)
    lookup = themes or (lambda _ref, _rule: None)
    sections = tuple(
        _section(key, grouped[key], split=answered[key.entity_type] > 1, themes=lookup)
        for key in sorted(grouped, key=lambda k: (_type_order(k.entity_type), k.entity_type, k.questionnaire_id))
    )
    needing = sorted((u for section in sections for u in section.priority), key=Unit.priority_key)
    return Portfolio(
        entities=len(units),
        sections=sections,
        priority=tuple(needing[:TOP_PRIORITY]),
        needing_support=len(needing),
        first_date=min(u.previous_date or u.date for u in units),
        last_date=max(u.date for u in units),
        provinces=tuple(sorted({u.province for u in units if u.province})),
        entity_types=tuple(dict.fromkeys(section.key.entity_type for section in sections)),
        verified=sum(1 for u in units if u.verified),
        agreement=agreement,
    )


def _verified(unit: Unit, checked: Mapping[int, float | None], assessment_id: int) -> Unit:
    return dataclasses.replace(unit, verified=True, self_index=checked[assessment_id])


_TYPE_ORDER = ("ministry", "provincial_health_department", "hospital", "health_centre", "commune_health_station")


def _type_order(entity_type: str) -> int:
    return _TYPE_ORDER.index(entity_type) if entity_type in _TYPE_ORDER else len(_TYPE_ORDER)


def _ref(record: PortfolioRecord) -> str:
    return f"{record.questionnaire_id}@{record.questionnaire_version}"


def _unit(latest: Stored, before: Earlier | None) -> Unit | None:
    record = latest.record
    if record.index is None or record.stage is None:
        return None
    changed = before is not None and before.index is not None and before.assessment_date < record.assessment_date
    first = record.recommendations[0] if record.recommendations else None
    return Unit(
        entity_id=record.entity_id,
        name=record.entity_name or record.entity_id,
        entity_type=record.entity_type,
        questionnaire_id=record.questionnaire_id,
        questionnaire_ref=_ref(record),
        province=record.province,
        date=record.assessment_date,
        index=record.index,
        stage=record.stage,
        domains=tuple((d, score) for d, score, _stage in record.domains if score is not None),
        change=record.index - before.index if changed and before and before.index is not None else None,
        previous_date=before.assessment_date if changed and before else None,
        compliance=None
        if record.compliance is None
        else tuple(ItemStatus(s.id, s.status, s.due) for s in record.compliance),
        first_action=FirstAction(_ref(record), first.id, first.priority, first.due) if first else None,
        rules=tuple((r.id, r.priority) for r in record.recommendations),  # each rule fires once
    )


def _section(key: SectionKey, members: Sequence[Unit], *, split: bool, themes: ThemeLookup) -> Section:
    units = tuple(sorted(members, key=lambda u: (-u.index, u.name, u.entity_id)))
    domain_ids = _domain_ids(units)
    domains = tuple(
        DomainSummary(d, summarise(values))
        for d in domain_ids
        if (values := [s for u in units if (s := u.domain(d)) is not None])
    )
    changes = [u.change for u in units if u.change is not None]
    actions = _actions(units, themes)
    shown = _cut(actions)
    obligations, not_recorded = _obligations(units)
    return Section(
        key=key,
        split=split,
        units=units,
        index=summarise([u.index for u in units]),
        domain_ids=domain_ids,
        domains=domains,
        contrast=_contrast(domains),
        stages=dict(sorted(Counter(u.stage for u in units).items())),
        histogram=histogram(u.index for u in units),
        changes=change_histogram(changes),
        compared=len(changes),
        provinces=_provinces(units, domain_ids),
        priority=tuple(sorted((u for u in units if u.needs_support), key=Unit.priority_key)),
        actions=tuple(actions[:shown]),
        actions_left_out=len(actions) - shown,
        obligations=obligations,
        compliance_not_recorded=not_recorded,
        improved=tuple(
            sorted((u for u in units if (u.change or 0) > 0), key=lambda u: (-(u.change or 0), u.name))[:BRIGHT_SPOTS]
        ),
        leaders=_leaders(units, domain_ids),
    )


def _domain_ids(units: Sequence[Unit]) -> tuple[str, ...]:
    seen = dict.fromkeys(d for u in units for d, _score in u.domains)
    known = [d for d in DOMAIN_ORDER if d in seen]
    return tuple(known + [d for d in seen if d not in known])


def _contrast(domains: Sequence[DomainSummary]) -> Contrast | None:
    if len(domains) < 2:
        return None
    ranked = sorted(domains, key=lambda d: d.summary.median)
    return Contrast(ranked[-1].id, ranked[0].id, ranked[-1].summary.median - ranked[0].summary.median)


def _provinces(units: Sequence[Unit], domain_ids: Sequence[str]) -> tuple[ProvinceRow, ...]:
    grouped: dict[str | None, list[Unit]] = defaultdict(list)
    for unit in units:
        grouped[unit.province].append(unit)
    rows = [
        ProvinceRow(
            name,
            len(members),
            statistics.median(u.index for u in members),
            tuple(_median([s for u in members if (s := u.domain(d)) is not None]) for d in domain_ids),
        )
        for name, members in grouped.items()
    ]
    return tuple(sorted(rows, key=lambda row: (row.name is None, row.name or "")))


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _actions(units: Sequence[Unit], themes: ThemeLookup) -> list[CommonAction]:
    """Recommendations grouped by theme: the widest reach first, then the highest priority, then the most."""
    ref = units[0].questionnaire_ref
    reached: dict[str, list[Unit]] = defaultdict(list)
    rules: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    neediest = sorted(units, key=Unit.priority_key)
    for unit in neediest:
        seen: set[str] = set()
        for rule_id, priority in unit.rules:
            theme = themes(unit.questionnaire_ref, rule_id) or rule_id
            rules[theme][(rule_id, priority)] += 1
            if theme not in seen:
                seen.add(theme)
                reached[theme].append(unit)
    found = []
    for theme, members in reached.items():
        counted = sorted(rules[theme].items(), key=lambda item: (-item[1], _rank(item[0][1]), item[0][0]))
        found.append(
            CommonAction(
                theme=theme,
                questionnaire_ref=ref,
                units=tuple(members),
                share=len(members) / len(units),
                priority=min((p for _r, p in rules[theme]), key=_rank),
                firings=sum(rules[theme].values()),
                rules=tuple(RuleCount(ref, r, p, n) for (r, p), n in counted),
            )
        )
    return sorted(found, key=_action_order)


def _rank(priority: str) -> int:
    try:
        return PRIORITY_RANK[Priority(priority)]
    except ValueError:
        return len(PRIORITY_RANK)


def _action_order(action: CommonAction) -> tuple[int, int, int, str]:
    return (-len(action.units), _rank(action.priority), -action.firings, action.theme)


def _cut(actions: Sequence[CommonAction]) -> int:
    """How many themes to show: COMMON_ACTIONS, and every one that ties with the last on share and priority."""
    if len(actions) <= COMMON_ACTIONS:
        return len(actions)
    last = actions[COMMON_ACTIONS - 1]
    tied = (len(last.units), _rank(last.priority))
    shown = COMMON_ACTIONS
    while shown < len(actions) and (len(actions[shown].units), _rank(actions[shown].priority)) == tied:
        shown += 1
    return shown


def _obligations(units: Sequence[Unit]) -> tuple[tuple[Obligation, ...], int]:
    """Each compliance item across the units whose compliance was recorded, and how many were not."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    breached: dict[str, list[Unit]] = defaultdict(list)
    due: dict[str, list[dt.date]] = defaultdict(list)
    not_recorded = 0
    for unit in units:
        if unit.compliance is None:
            not_recorded += 1
            continue
        for item in unit.compliance:
            counts[item.id][item.status] += 1
            if item.status == "breach":
                breached[item.id].append(unit)
            elif item.status == "pending" and item.due is not None:
                due[item.id].append(item.due)
    ref = units[0].questionnaire_ref
    return (
        tuple(
            Obligation(
                item_id,
                ref,
                c["met"],
                c["pending"],
                c["breach"],
                tuple(sorted(breached[item_id], key=Unit.priority_key)),
                min(due[item_id], default=None),
            )
            for item_id, c in counts.items()
        ),
        not_recorded,
    )


def _leaders(units: Sequence[Unit], domain_ids: Sequence[str]) -> tuple[Leader, ...]:
    leaders = []
    for domain_id in domain_ids:
        scored = [(s, u) for u in units if (s := u.domain(domain_id)) is not None]
        if scored:
            score, unit = min(scored, key=lambda pair: (-pair[0], pair[1].name, pair[1].entity_id))
            leaders.append(Leader(domain_id, unit, score))
    return tuple(leaders)
