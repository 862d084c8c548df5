"""``dhti analyse``: read a cohort of one questionnaire from the store, score it again, analyse it, write it."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dhti import i18n, provinces
from dhti.analysis import MIN_N, Analysis, analyse, cohort_from
from dhti.errors import DhtiError, InputError
from dhti.i18n import translations
from dhti.messages import L_, Count
from dhti.questionnaire import Questionnaire, pick
from dhti.registry import Registry
from dhti.outfiles import check_target, write_atomic
from dhti.report.analysis import Cover, analysis_json, build_analysis_context, render_analysis_html
from dhti.report.portfolio import type_label
from dhti.report.render import ReportFormat, write_document
from dhti.response import validate_document
from dhti.safetext import to_json
from dhti.scoring import score_response
from dhti.yamlio import load_bytes

if TYPE_CHECKING:
    from dhti.response import Response
    from dhti.scoring import Scores
    from dhti.store import Store, StoredAssessment


class AnalyseError(DhtiError):
    """A cohort that cannot be analysed: none, too few, several questionnaires, or one not installed."""


class AnalysisFormat(enum.StrEnum):
    HTML = "html"
    PDF = "pdf"
    JSON = "json"


_SUFFIXES = {"htm": AnalysisFormat.HTML, "html": AnalysisFormat.HTML, "pdf": AnalysisFormat.PDF}
_SUFFIXES["json"] = AnalysisFormat.JSON


def analysis_format(path: Path, requested: str | None) -> AnalysisFormat:
    """The format asked for, else the one the output's suffix names."""
    if requested:
        return AnalysisFormat(requested)
    named = _SUFFIXES.get(path.suffix.lower().lstrip("."))
    if named is None:
        msg = L_("cannot tell the format from %(file)s: name it .html, .pdf or .json, or give --format", file=repr(path.name))
        raise AnalyseError(msg)
    return named


@dataclass(frozen=True)
class Scope:
    """Which assessments to analyse (``None`` matches all): each entity's latest, as of ``until``, from ``since``."""

    province: str | None = None
    entity_type: str | None = None
    questionnaire: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class Cohort:
    """The scored responses of one questionnaire, and where they came from."""

    questionnaire: Questionnaire
    scored: tuple[tuple[Response, Scores], ...]
    stored: tuple[StoredAssessment, ...]
    unreadable: int


def latest_of_one_questionnaire(store: Store, scope: Scope) -> list[StoredAssessment]:
    """Each entity's latest assessment in ``scope``, all of one questionnaire (else :class:`AnalyseError`)."""
    newest = store.latest_per_entity(
        entity_type=scope.entity_type,
        questionnaire=scope.questionnaire,
        province=scope.province,
        until=scope.until,
        light=True,
    )
    found = [a for a in newest if scope.since is None or a.record.assessment_date >= scope.since]
    if not found:
        raise AnalyseError(L_("the store %(store)s holds no assessment matching these filters", store=store.display))
    refs = Counter(a.record.questionnaire_ref for a in found)
    if len(refs) > 1:
        listed = ", ".join(f"{ref} ({n})" for ref, n in sorted(refs.items()))
        raise AnalyseError(
            L_(
                "these assessments answer %(count)s questionnaires: %(list)s; analyse one at a time with"
                " --questionnaire ID[@VERSION]",
                count=len(refs),
                list=listed,
            )
        )
    return found


def read_cohort(store: Store, *, registry: Registry, scope: Scope) -> Cohort:
    """The latest assessments in ``scope``, their stored responses scored again by this dhti.

    Stored responses are validated leniently (as ``db ingest --lenient`` may have stored them);
    a response that no longer validates is left out and counted.
    """
    found = latest_of_one_questionnaire(store, scope)
    ref = found[0].record.questionnaire_ref
    try:
        questionnaire = registry.get(ref)
    except DhtiError as err:
        raise AnalyseError(L_("questionnaire %(ref)s is not installed: cannot score its responses again", ref=ref)) from err
    raws = store.responses([a.id for a in found])
    scored: list[tuple[Response, Scores]] = []
    kept: list[StoredAssessment] = []
    for assessment in found:
        response = _response(raws.get(assessment.id, b""), assessment.record.source_file, registry)
        if response is not None and response.questionnaire.ref == ref:
            scored.append((response, score_response(response, lenient=True)))
            kept.append(assessment)
    if len(scored) < MIN_N:
        raise AnalyseError(
            L_(
                "only %(count)s assessments of %(ref)s to analyse: at least %(least)s are needed",
                count=Count(len(scored)),
                ref=ref,
                least=MIN_N,
            )
        )
    return Cohort(questionnaire, tuple(scored), tuple(kept), len(found) - len(scored))


def _response(raw: bytes, file: str, registry: Registry) -> Response | None:
    """The stored response validated again (leniently), or None when it no longer is valid."""
    try:
        document = load_bytes(raw, file)
    except InputError:
        return None
    return validate_document(document, registry=registry, lenient=True).response


def analyse_cohort(cohort: Cohort) -> Analysis:
    return analyse(cohort_from(cohort.questionnaire, cohort.scored))


def write_analysis(  # noqa: PLR0913 - each is a separate choice of the caller
    store: Store,
    output: Path,
    *,
    registry: Registry,
    fmt: AnalysisFormat,
    lang: str,
    scope: Scope = Scope(),
    report_date: dt.date,
    pdfa: bool = True,
    force: bool = False,
) -> Analysis:
    """Analyse the latest assessment of every entity in ``scope`` and write it as HTML, PDF or JSON."""
    check_target(output, force=force)
    cohort = read_cohort(store, registry=registry, scope=scope)
    analysis = analyse_cohort(cohort)
    cover = _cover(cohort, store, scope=scope, lang=lang, report_date=report_date)
    if fmt is AnalysisFormat.JSON:
        write_atomic(output, to_json(analysis_json(analysis, cover)) + "\n", force=force)
        return analysis
    context = build_analysis_context(analysis, cover)
    kind = ReportFormat.PDF if fmt is AnalysisFormat.PDF else ReportFormat.HTML
    write_document(lambda pdf: render_analysis_html(context, pdf=pdf), output, fmt=kind, pdfa=pdfa, force=force)
    return analysis


def _cover(cohort: Cohort, store: Store, *, scope: Scope, lang: str, report_date: dt.date) -> Cover:
    records = [a.record for a in cohort.stored]
    kinds = Counter(r.entity_type for r in records)
    places = {provinces.recorded(r.province) or r.province for r in records if r.province}
    dates = [r.assessment_date for r in records]
    return Cover(
        lang=lang,
        translate=translations(lang).gettext,
        questionnaire=cohort.questionnaire,
        report_date=report_date,
        scope=_scope_words(scope, cohort.questionnaire, lang),
        store=store.display.rpartition("/")[2] or store.display,
        entity_types=tuple(sorted(kinds.items(), key=lambda item: (-item[1], item[0]))),
        provinces=len(places),
        first=min(dates),
        last=max(dates),
        unreadable=cohort.unreadable,
    )


def _scope_words(scope: Scope, questionnaire: Questionnaire, lang: str) -> str:
    _ = translations(lang).gettext
    parts = []
    if scope.province:
        parts.append(provinces.recorded(scope.province) or scope.province)
    if scope.entity_type:
        parts.append(type_label(scope.entity_type, _))
    if scope.questionnaire:
        parts.append(pick(questionnaire.title, lang))
    if scope.since:
        parts.append(_("assessed from %(date)s") % {"date": i18n.date(scope.since, lang)})
    if scope.until:
        parts.append(_("assessed by %(date)s") % {"date": i18n.date(scope.until, lang)})
    return " · ".join(parts)
