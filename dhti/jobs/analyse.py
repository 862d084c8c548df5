"""``dhti analyse``: read a cohort of one questionnaire from the store, score it again, analyse it, write it."""

from __future__ import annotations

import datetime as dt
import enum
import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dhti import i18n, provinces
from dhti.analysis import MIN_N, Analysis, Cohort, analyse, cohort_from, joined
from dhti.errors import DhtiError, InputError
from dhti.i18n import translations
from dhti.jobs.aggregate import Scope
from dhti.jobs.batch import default_jobs
from dhti.messages import L_, Count
from dhti.outfiles import check_target, write_atomic
from dhti.questionnaire import Questionnaire, pick
from dhti.registry import Registry
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
        msg = L_(
            "cannot tell the format from %(file)s: name it .html, .pdf or .json, or give --format", file=repr(path.name)
        )
        raise AnalyseError(msg)
    return named


EVERYTHING = Scope()  # every assessment in the store


@dataclass(frozen=True)
class Read:
    """A cohort of one questionnaire laid out as arrays, and the stored assessments it came from."""

    questionnaire: Questionnaire
    cohort: Cohort
    stored: tuple[StoredAssessment, ...]
    unreadable: int  # stored responses that no longer validate: left out


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


def read_cohort(store: Store, *, registry: Registry, scope: Scope, jobs: int | None = None) -> Read:
    """The latest assessments in ``scope``, their stored responses scored again by this dhti.

    Stored responses are validated leniently (as ``db ingest --lenient`` may have stored them);
    a response that no longer validates is left out and counted. A large cohort is scored in
    ``jobs`` worker processes (default: one per CPU), in chunks of :data:`CHUNK`.
    """
    found = latest_of_one_questionnaire(store, scope)
    ref = found[0].record.questionnaire_ref
    try:
        questionnaire = registry.get(ref)
    except DhtiError as err:
        raise AnalyseError(
            L_("questionnaire %(ref)s is not installed: cannot score its responses again", ref=ref)
        ) from err
    raws = store.responses([a.id for a in found])
    items = [(a.id, a.record.source_file, raws.get(a.id, b"")) for a in found]
    kept_ids, cohort = _score_all(questionnaire, items, registry=registry, jobs=jobs or default_jobs())
    if cohort.size < MIN_N:
        raise AnalyseError(
            L_(
                "only %(count)s assessments of %(ref)s to analyse: at least %(least)s are needed",
                count=Count(cohort.size),
                ref=ref,
                least=MIN_N,
            )
        )
    kept = set(kept_ids)
    stored = tuple(a for a in found if a.id in kept)
    return Read(questionnaire, cohort, stored, len(found) - len(stored))


#: Responses scored by one task; a cohort of fewer than PARALLEL_FROM is scored in this process.
CHUNK = 1000
PARALLEL_FROM = 2 * CHUNK
_Item = tuple[int, str, bytes]  # assessment id, source file, stored bytes
_worker: tuple[Registry, Questionnaire] | None = None


def _score_all(
    questionnaire: Questionnaire, items: list[_Item], *, registry: Registry, jobs: int
) -> tuple[list[int], Cohort]:
    if jobs <= 1 or len(items) < PARALLEL_FROM:
        return _score_chunk_with(registry, questionnaire, items)
    import concurrent.futures as cf  # noqa: PLC0415
    import multiprocessing  # noqa: PLC0415

    chunks = [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]
    source = questionnaire.source if questionnaire.source and Path(questionnaire.source).is_file() else None
    with cf.ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(source, questionnaire.ref),
    ) as pool:
        parts = list(pool.map(_score_chunk, chunks))
    return [ident for ids, _part in parts for ident in ids], joined([part for _ids, part in parts])


def _init_worker(source: str | None, ref: str) -> None:
    global _worker  # noqa: PLW0603 - one registry per worker process, as batch's workers keep theirs
    registry = Registry.discover(override=source)
    _worker = (registry, registry.get(ref))


def _score_chunk(items: list[_Item]) -> tuple[list[int], Cohort]:
    if _worker is None:  # pragma: no cover - set by the pool's initializer
        msg = "worker started without a registry"
        raise RuntimeError(msg)
    return _score_chunk_with(*_worker, items)


def _score_chunk_with(registry: Registry, questionnaire: Questionnaire, items: list[_Item]) -> tuple[list[int], Cohort]:
    """The items' responses validated and scored again, laid out as they come (none is kept)."""
    kept: list[int] = []

    def scored() -> Iterator[tuple[Response, Scores]]:
        for ident, file, raw in items:
            response = _response(raw, file, registry)
            if response is not None and response.questionnaire.ref == questionnaire.ref:
                kept.append(ident)
                yield response, score_response(response, lenient=True)

    with _without_cycle_collection():
        cohort = cohort_from(questionnaire, scored())
    return kept, cohort


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector while responses are scored: none is in a cycle, and it would walk them all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _response(raw: bytes, file: str, registry: Registry) -> Response | None:
    """The stored response validated again (leniently), or None when it no longer is valid."""
    try:
        document = load_bytes(raw, file)
    except InputError:
        return None
    return validate_document(document, registry=registry, lenient=True).response


def write_analysis(  # noqa: PLR0913 - each is a separate choice of the caller
    store: Store,
    output: Path,
    *,
    registry: Registry,
    fmt: AnalysisFormat,
    lang: str,
    scope: Scope = EVERYTHING,
    report_date: dt.date,
    pdfa: bool = True,
    force: bool = False,
    jobs: int | None = None,
) -> Analysis:
    """Analyse the latest assessment of every entity in ``scope`` and write it as HTML, PDF or JSON."""
    check_target(output, force=force)
    read = read_cohort(store, registry=registry, scope=scope, jobs=jobs)
    analysis = analyse(read.cohort)
    cover = _cover(read, store, scope=scope, lang=lang, report_date=report_date)
    if fmt is AnalysisFormat.JSON:
        write_atomic(output, to_json(analysis_json(analysis, cover)) + "\n", force=force)
        return analysis
    context = build_analysis_context(analysis, cover)
    kind = ReportFormat.PDF if fmt is AnalysisFormat.PDF else ReportFormat.HTML
    write_document(lambda pdf: render_analysis_html(context, pdf=pdf), output, fmt=kind, pdfa=pdfa, force=force)
    return analysis


def _cover(read: Read, store: Store, *, scope: Scope, lang: str, report_date: dt.date) -> Cover:
    records = [a.record for a in read.stored]
    kinds = Counter(r.entity_type for r in records)
    places = {provinces.recorded(r.province) or r.province for r in records if r.province}
    dates = [r.assessment_date for r in records]
    return Cover(
        lang=lang,
        translate=translations(lang).gettext,
        questionnaire=read.questionnaire,
        report_date=report_date,
        scope=_scope_words(scope, read.questionnaire, lang),
        store=store.display.rpartition("/")[2] or store.display,
        entity_types=tuple(sorted(kinds.items(), key=lambda item: (-item[1], item[0]))),
        provinces=len(places),
        first=min(dates),
        last=max(dates),
        unreadable=read.unreadable,
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
