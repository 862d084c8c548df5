"""Reports that read the store: the portfolio (``dhti aggregate``) and the entity report's comparisons."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dhti import i18n, provinces
from dhti.agreement import agreement
from dhti.assess import Outcome
from dhti.errors import DhtiError
from dhti.i18n import translations
from dhti.jobs.agreement import latest_reviews, reviewed_units, with_verified
from dhti.portfolio import build_portfolio, rule_theme
from dhti.questionnaire import Questionnaire, pick
from dhti.registry import Registry
from dhti.report.portfolio import Wording, build_portfolio_context, type_label
from dhti.report.render import ReportFormat, render_portfolio_html, write_document
from dhti.store.location import resolve

if TYPE_CHECKING:
    from dhti.portfolio import Portfolio
    from dhti.response import Response
    from dhti.store import AssessmentFilter, Store, StoredAssessment
    from dhti.uncertainty import PeerUncertainty, Settings


@dataclass(frozen=True)
class Scope:
    """Which entities a portfolio or an analysis covers (``None`` matches all).

    Each entity's latest assessment as of ``until``; ``since`` (used by ``analyse``) then leaves
    out entities whose latest is older.
    """

    province: str | None = None
    entity_type: str | None = None
    questionnaire: str | None = None
    until: dt.date | None = None
    since: dt.date | None = None

    def filter(self) -> AssessmentFilter:
        """The store's filter for the self-assessments in scope."""
        from dhti.store import AssessmentFilter  # noqa: PLC0415 - the store only when there is one

        return AssessmentFilter(self.province, self.entity_type, self.questionnaire, None, self.until)

    def describe(self) -> str:
        parts = [value for value in (self.province, self.entity_type, self.questionnaire) if value]
        if self.until:
            parts.append(f"≤ {self.until.isoformat()}")
        return " · ".join(parts)


def _nothing_to_report(store: str, scope: Scope, lang: str) -> str:
    _ = translations(lang).gettext
    if scope.describe():
        text = _("the store %(store)s holds no scored assessment matching %(scope)s; ingest some with: %(command)s")
    else:
        text = _("the store %(store)s holds no scored assessment; ingest some with: %(command)s")
    return text % {"store": store, "scope": scope.describe(), "command": "dhti db ingest DIR"}


def write_portfolio(  # noqa: PLR0913 - each is a separate choice of the caller
    store: Store,
    output: Path,
    *,
    registry: Registry,
    fmt: ReportFormat,
    lang: str,
    scope: Scope = Scope(),
    report_date: dt.date | None = None,
    issuer: str | None = None,
    pdfa: bool = True,
    force: bool = False,
    uncertainty: Settings | None = None,
) -> int:
    """Write the portfolio of the latest assessment of every entity in ``scope``; return how many.

    ``report_date`` (default today) is printed on the cover and marks overdue actions;
    ``issuer`` names the body that issues it (default: dhti and the store it read). An
    existing ``output`` is replaced only with ``force``. With ``uncertainty``, each unit of a
    league table gets its rank interval over the recalculations, and each table the choice that
    moves its ranks most (the stored responses are scored again for it).
    """
    with _without_cycle_collection():
        pairs = store.latest_and_previous(
            entity_type=scope.entity_type, questionnaire=scope.questionnaire, province=scope.province, until=scope.until
        )
        scored = [(latest, before) for latest, before in pairs if latest.record.index is not None]
        if not scored:
            raise DhtiError(_nothing_to_report(store.display, scope, lang))
        lookup = RegistryLookup(registry)
        reviews = latest_reviews(store, scope.filter())
        latest, verified = with_verified(store, [latest for latest, _before in scored], reviews)
        portfolio = build_portfolio(
            latest,
            previous={latest.record.entity_id: before for latest, before in scored if before is not None},
            themes=lookup.theme,
            verified=verified,
            agreement=agreement(reviewed_units(store, reviews, registry=registry)) if reviews else None,
        )
        stored = {assessment.record.entity_id: assessment for assessment in latest}  # verified where reviewed
        peers = rank_uncertainty(store, portfolio, stored, registry, uncertainty) if uncertainty else None
    _ = translations(lang).gettext
    wording = Wording(
        lang=lang,
        translate=_,
        domain_titles=_domain_titles(lookup, {a.record.questionnaire_ref for a, _b in scored}, lang),
        questionnaire=lookup.questionnaire,
        report_date=report_date or dt.date.today(),  # noqa: DTZ011 - the report's date is the local day
        issuer=issuer or _("dhti portfolio of the assessment store %(store)s") % {"store": _store_name(store)},
        scope=_scope_words(scope, lookup, lang),
        peers=peers,
    )
    context = build_portfolio_context(portfolio, wording)
    write_document(lambda pdf: render_portfolio_html(context, pdf=pdf), output, fmt=fmt, pdfa=pdfa, force=force)
    return portfolio.entities


def rank_uncertainty(
    store: Store, portfolio: Portfolio, stored: dict[str, StoredAssessment], registry: Registry, settings: Settings
) -> PeerUncertainty:
    """Each league table's rank intervals and what moves its ranks, from the stored responses scored again.

    A response is scored as it was stored (leniently: a stored response was valid, so that
    changes nothing); one that no longer scores (its questionnaire is gone) has no interval.
    """
    from dhti.assess import assess_bytes  # noqa: PLC0415
    from dhti.uncertainty import peer_uncertainty  # noqa: PLC0415 - numpy only with --uncertainty

    scored, keys, groups, order = [], [], [], []
    for section in portfolio.sections:
        by_name = sorted(section.units, key=lambda u: (u.name, u.entity_id))
        position = {unit.entity_id: n for n, unit in enumerate(by_name)}
        for unit in section.units:
            assessment = stored[unit.entity_id]
            raw = store.response_bytes(assessment.id)
            outcome = assess_bytes(raw, file=assessment.record.source_file, registry=registry, lenient=True)
            response, scores = outcome.validation.response, outcome.scores
            if response is None or scores is None or scores.index is None:
                continue
            scored.append((response, scores))
            keys.append(unit.entity_id)
            groups.append(section.key)
            order.append(position[unit.entity_id])
    return peer_uncertainty(scored, keys=keys, groups=groups, order=order, settings=settings)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a campaign is read and counted.

    A national campaign is a million small frozen values, none in a reference cycle; the
    collector would walk all of them again at every threshold, which doubles the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class RegistryLookup:
    """Questionnaires by reference and the theme of each rule, each looked up once."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._questionnaires: dict[str, Questionnaire | None] = {}
        self._themes: dict[tuple[str, str], str | None] = {}

    def questionnaire(self, ref: str) -> Questionnaire | None:
        if ref not in self._questionnaires:
            self._questionnaires[ref] = _find(self.registry, ref) or _find(self.registry, ref.partition("@")[0])
        return self._questionnaires[ref]

    def theme(self, ref: str, rule_id: str) -> str | None:
        key = (ref, rule_id)
        if key not in self._themes:
            definition = self.questionnaire(ref)
            self._themes[key] = rule_theme(definition, rule_id) if definition else None
        return self._themes[key]


def _store_name(store: Store) -> str:
    """The store's file or database name, without its folder, host or password."""
    return store.display.rpartition("/")[2].partition("?")[0] or store.display


def _scope_words(scope: Scope, lookup: RegistryLookup, lang: str) -> str:
    """The filters in words: a province's name, a type's label, a questionnaire's title, a date."""
    _ = translations(lang).gettext
    parts = []
    if scope.province:
        parts.append(provinces.recorded(scope.province) or scope.province)
    if scope.entity_type:
        parts.append(type_label(scope.entity_type, _))
    if scope.questionnaire:
        definition = lookup.questionnaire(scope.questionnaire)
        parts.append(pick(definition.title, lang) if definition else scope.questionnaire)
    if scope.until:
        parts.append(_("assessed by %(date)s") % {"date": i18n.date(scope.until, lang)})
    return " · ".join(parts)


def store_comparisons(outcome: Outcome, db: str | None) -> tuple[list[StoredAssessment], list[StoredAssessment]]:
    """The entity's stored history and its peers' latest assessments, for the entity report.

    With no store named (``db`` None and no ``DHTI_DB``) and none made yet, there is nothing to
    compare with: both lists are empty. A store that is named but cannot be opened is an error.
    """
    response = outcome.validation.response
    if response is None:
        return [], []
    location = resolve(db)
    if location.default and location.path is not None and not location.path.exists():
        return [], []

    from dhti.store import open_store  # noqa: PLC0415 - SQLAlchemy only when there is a store

    with open_store(db, create=False) as store:
        return comparisons(store, response)


def comparisons(store: Store, response: Response) -> tuple[list[StoredAssessment], list[StoredAssessment]]:
    """What an entity report compares with: the entity's stored history and its peers' latest assessments."""
    return store.history(response.entity.id), store.peers(
        entity_type=response.entity.type, questionnaire=response.questionnaire.id
    )


def _find(registry: Registry, questionnaire_id: str) -> Questionnaire | None:
    try:
        return registry.get(questionnaire_id)
    except DhtiError:
        return None


def _domain_titles(lookup: RegistryLookup, refs: set[str], lang: str) -> dict[str, str]:
    titles: dict[str, str] = {}
    for ref in sorted(refs):
        definition = lookup.questionnaire(ref)
        for domain in definition.domains if definition else ():
            titles.setdefault(domain.id, pick(domain.title, lang))
    return titles
