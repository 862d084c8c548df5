"""Reports that read the store: the portfolio (``dhti aggregate``) and the entity report's comparisons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dhti.assess import Outcome
from dhti.errors import DhtiError
from dhti.i18n import translations
from dhti.portfolio import GroupBy, build_portfolio
from dhti.questionnaire import Questionnaire, pick
from dhti.registry import Registry
from dhti.report.portfolio import build_portfolio_context
from dhti.report.render import ReportFormat, render_portfolio_html, write_document
from dhti.store.location import resolve

if TYPE_CHECKING:
    from dhti.store import Store, StoredAssessment


@dataclass(frozen=True)
class Scope:
    """Which entities the portfolio covers (``None`` matches all)."""

    province: str | None = None
    entity_type: str | None = None
    questionnaire: str | None = None
    until: dt.date | None = None

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
    group_by: GroupBy = GroupBy.PROVINCE,
    scope: Scope = Scope(),
    pdfa: bool = True,
    report_date: dt.date | None = None,
    force: bool = False,
) -> int:
    """Write the portfolio of the latest assessment of every entity in ``scope``; return how many.

    An existing ``output`` is replaced only with ``force``.
    """
    latest = store.latest_per_entity(
        entity_type=scope.entity_type, questionnaire=scope.questionnaire, province=scope.province, until=scope.until
    )
    scored = [assessment for assessment in latest if assessment.record.index is not None]
    if not scored:
        raise DhtiError(_nothing_to_report(store.display, scope, lang))
    portfolio = build_portfolio(scored, group_by=group_by)
    context = build_portfolio_context(
        portfolio,
        lang=lang,
        translate=translations(lang).gettext,
        domain_titles=_domain_titles(registry, {a.record.questionnaire_id for a in scored}, lang),
        questionnaire=lambda questionnaire_id: _find(registry, questionnaire_id),
        report_date=report_date or dt.date.today(),  # noqa: DTZ011 - the reader's calendar day
        scope=scope.describe(),
    )
    write_document(lambda pdf: render_portfolio_html(context, pdf=pdf), output, fmt=fmt, pdfa=pdfa, force=force)
    return portfolio.entities


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
        history = store.history(response.entity.id)
        peers = store.latest_per_entity(entity_type=response.entity.type, questionnaire=response.questionnaire.id)
    return history, peers


def _find(registry: Registry, questionnaire_id: str) -> Questionnaire | None:
    try:
        return registry.get(questionnaire_id)
    except DhtiError:
        return None


def _domain_titles(registry: Registry, questionnaire_ids: set[str], lang: str) -> dict[str, str]:
    titles: dict[str, str] = {}
    for questionnaire_id in sorted(questionnaire_ids):
        definition = _find(registry, questionnaire_id)
        for domain in definition.domains if definition else ():
            titles.setdefault(domain.id, pick(domain.title, lang))
    return titles
