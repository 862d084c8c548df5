"""What the store commands print: stored assessments as tables, JSON-ready values and CSV.

Pure functions of frozen values; the only I/O is :func:`write_xlsx`, which writes one file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dhti import i18n
from dhti.errors import first_problems
from dhti.i18n import N_, number, percent
from dhti.outcomes import FileResult, Status
from dhti.safetext import csv_text, visible
from dhti.store.api import StoredAssessment
from dhti.views.scores import ENTITY_COLUMNS, entity_cells, entity_json, table

Cell = str | int | float | None
Titles = Mapping[str, str]  # domain or indicator id -> its title in the chosen language


def _signed(value: float | None, lang: str) -> str:
    if value is None:
        return ""
    text = number(value, lang)
    return text if text.startswith("-") else "+" + text


def _signed_whole(value: float | None) -> str:
    return "" if value is None else f"{value:+.0f}"


def _stage(stage: int | None) -> str:
    return "–" if stage is None else str(stage)


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


# db list


def assessment_json(assessment: StoredAssessment) -> dict[str, object]:
    """One stored assessment in full, as ``db list --format json`` prints it."""
    record = assessment.record
    return {
        "id": assessment.id,
        "entity": entity_json(record.entity),
        "questionnaire": {"id": record.questionnaire_id, "version": record.questionnaire_version},
        "assessment": {"date": record.assessment_date.isoformat()},
        "index": record.index,
        "stage": record.stage,
        "completeness": record.completeness,
        "domains": [{"id": d.id, "score": d.score, "stage": d.stage} for d in record.domains],
        "indicators": [{"id": i.id, "score": i.score} for i in record.indicators],
        "recommendations": list(record.recommendation_ids),
        "gdhm": dict(record.gdhm),
        "content_hash": assessment.content_hash,
        "source_file": record.source_file,
        "ingested_at": assessment.ingested_at.isoformat(),
    }


def list_table(assessments: Sequence[StoredAssessment], *, lang: str) -> str:
    _ = i18n.texts(lang)
    headers = [_("id"), _("date"), _("entity"), _("name"), _("type"), _("province"), _("questionnaire")]
    headers += [_("index"), _("stage")]
    rows = [
        [
            str(a.id),
            a.record.assessment_date.isoformat(),
            a.record.entity_id,
            a.record.entity_name or "",
            a.record.entity_type,
            a.record.province or "",
            a.record.questionnaire_ref,
            number(a.record.index, lang),
            _stage(a.record.stage),
        ]
        for a in assessments
    ]
    return table(headers, rows, right=[0, 7, 8])


# db export (and db list --format csv): one flat row per assessment


@dataclass(frozen=True)
class Wide:
    """Assessments as one row each, with a column per domain and indicator met in any of them."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


_FIRST = ("assessment_id", *ENTITY_COLUMNS, "questionnaire", "version", "date")
_MIDDLE = ("index", "stage", "completeness")
_LAST = ("recommendations", "content_hash", "source_file", "ingested_at")


def wide(assessments: Sequence[StoredAssessment]) -> Wide:
    domains: dict[str, None] = {}
    indicators: dict[str, None] = {}
    for a in assessments:
        domains.update((f"domain:{d.id}", None) for d in a.record.domains)
        indicators.update((f"indicator:{i.id}", None) for i in a.record.indicators)
    score_columns = [*domains, *indicators]
    rows = []
    for a in assessments:
        scores: dict[str, float | None] = {f"domain:{d.id}": d.score for d in a.record.domains}
        scores.update((f"indicator:{i.id}", i.score) for i in a.record.indicators)
        head: list[Cell] = [a.id, *entity_cells(a.record.entity)]
        head += [a.record.questionnaire_id, a.record.questionnaire_version, a.record.assessment_date.isoformat()]
        head += [a.record.index, a.record.stage, a.record.completeness]
        tail: list[Cell] = [
            " ".join(a.record.recommendation_ids),
            a.content_hash,
            a.record.source_file,
            a.ingested_at.isoformat(),
        ]
        rows.append((*head, *(scores.get(column) for column in score_columns), *tail))
    return Wide((*_FIRST, *_MIDDLE, *score_columns, *_LAST), tuple(rows))


def wide_csv(data: Wide) -> str:
    return csv_text(data.headers, data.rows)


def wide_json(data: Wide) -> list[dict[str, Cell]]:
    return [dict(zip(data.headers, row, strict=True)) for row in data.rows]


def write_xlsx(data: Wide, path: Path | IO[bytes]) -> None:
    """The rows as an Excel workbook (one sheet, header frozen); text is never read as a formula."""
    from openpyxl import Workbook  # noqa: PLC0415 - only db export --format xlsx needs it
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("assessments")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in data.headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in data.rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # "=..." in an entity name stays text
            elif isinstance(value, float):
                cell.number_format = "0.0"
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)


# history


@dataclass(frozen=True)
class Step:
    """One assessment in an entity's history, with its change since the one before."""

    assessment: StoredAssessment
    index_change: float | None
    domain_changes: Mapping[str, float | None]


def history_steps(assessments: Sequence[StoredAssessment]) -> list[Step]:
    """Changes are against the previous assessment of the same questionnaire (None for the first)."""
    steps = []
    previous: dict[str, StoredAssessment] = {}
    for a in assessments:
        before = previous.get(a.record.questionnaire_id)
        changes: dict[str, float | None] = {}
        for domain in a.record.domains:
            old = before.record.domain(domain.id) if before else None
            changes[domain.id] = _difference(old.score if old else None, domain.score)
        steps.append(Step(a, _difference(before.record.index, a.record.index) if before else None, changes))
        previous[a.record.questionnaire_id] = a
    return steps


def _domain_ids(assessments: Iterable[StoredAssessment]) -> list[str]:
    found: dict[str, None] = {}
    for a in assessments:
        found.update((d.id, None) for d in a.record.domains)
    return list(found)


def _with_change(value: float | None, change: float | None, lang: str) -> str:
    text = number(value, lang)
    return f"{text} ({_signed(change, lang)})" if change is not None else text


def history_table(steps: Sequence[Step], *, lang: str, titles: Titles) -> str:
    first = steps[0].assessment
    where = ", ".join(part for part in (first.record.entity_type, first.record.province) if part)
    heading = f"{first.record.entity_name or first.record.entity_id} ({first.record.entity_id}, {where})"
    domain_ids = _domain_ids(step.assessment for step in steps)
    _ = i18n.texts(lang)
    headers = [_("id"), _("date"), _("questionnaire"), _("index"), _("stage"), _("complete")]
    headers += [titles.get(d, d) for d in domain_ids]
    rows = []
    for step in steps:
        a = step.assessment
        cells = [str(a.id), a.record.assessment_date.isoformat(), a.record.questionnaire_ref]
        cells += [
            _with_change(a.record.index, step.index_change, lang),
            _stage(a.record.stage),
            percent(a.record.completeness, lang),
        ]
        for domain_id in domain_ids:
            entry = a.record.domain(domain_id)
            cells.append(_with_change(entry.score, step.domain_changes.get(domain_id), lang) if entry else "–")
        rows.append(cells)
    right = [0, 3, 4, 5, *range(6, 6 + len(domain_ids))]
    return visible(heading) + "\n\n" + table(headers, rows, right=right)


def history_json(steps: Sequence[Step]) -> list[dict[str, object]]:
    return [
        {
            "id": step.assessment.id,
            "date": step.assessment.record.assessment_date.isoformat(),
            "questionnaire": {
                "id": step.assessment.record.questionnaire_id,
                "version": step.assessment.record.questionnaire_version,
            },
            "index": step.assessment.record.index,
            "index_change": step.index_change,
            "stage": step.assessment.record.stage,
            "completeness": step.assessment.record.completeness,
            "domains": [
                {"id": d.id, "score": d.score, "stage": d.stage, "change": step.domain_changes.get(d.id)}
                for d in step.assessment.record.domains
            ],
        }
        for step in steps
    ]


def history_csv(steps: Sequence[Step]) -> str:
    domain_ids = _domain_ids(step.assessment for step in steps)
    headers = ["assessment_id", "entity_id", "date", "questionnaire", "version", "index", "index_change", "stage"]
    headers += [name for d in domain_ids for name in (f"domain:{d}", f"domain:{d}:change")]
    rows = []
    for step in steps:
        a = step.assessment
        row: list[Cell] = [a.id, a.record.entity_id, a.record.assessment_date.isoformat(), a.record.questionnaire_id]
        row += [a.record.questionnaire_version, a.record.index, step.index_change, a.record.stage]
        for domain_id in domain_ids:
            entry = a.record.domain(domain_id)
            row += [entry.score if entry else None, step.domain_changes.get(domain_id)]
        rows.append(row)
    return csv_text(headers, rows)


# compare


@dataclass(frozen=True)
class CompareRow:
    kind: str  # index | stage | domain | indicator
    id: str
    a: float | None
    b: float | None
    comparable: bool = True

    @property
    def difference(self) -> float | None:
        return _difference(self.a, self.b) if self.comparable else None


def comparable(a: StoredAssessment, b: StoredAssessment) -> bool:
    """Scores of one questionnaire (any version) can be subtracted; those of two different ones cannot."""
    return a.record.questionnaire_id == b.record.questionnaire_id


def incomparable_note(a: StoredAssessment, b: StoredAssessment, *, lang: str = "en") -> str | None:
    """The warning ``compare`` prints when A and B answered different questionnaires."""
    if comparable(a, b):
        return None
    _ = i18n.texts(lang)
    text = _(
        "A answers %(a)s and B %(b)s: different questionnaires, "
        "so their scores are shown side by side without a difference"
    )
    return text % {"a": a.record.questionnaire_ref, "b": b.record.questionnaire_ref}


def compare_rows(a: StoredAssessment, b: StoredAssessment) -> list[CompareRow]:
    """Index, stage, then each domain followed by its indicators, over both assessments."""
    same = comparable(a, b)
    rows = [
        CompareRow("index", "index", a.record.index, b.record.index, same),
        CompareRow("stage", "stage", a.record.stage, b.record.stage, same),
    ]
    indicators = _indicators_by_domain(a, b)
    for domain_id in _domain_ids((a, b)):
        rows.append(CompareRow("domain", domain_id, _domain_score(a, domain_id), _domain_score(b, domain_id), same))
        rows.extend(
            CompareRow("indicator", item, a.record.indicator_score(item), b.record.indicator_score(item), same)
            for item in indicators.get(domain_id, ())
        )
    return rows


def _domain_score(assessment: StoredAssessment, domain_id: str) -> float | None:
    entry = assessment.record.domain(domain_id)
    return entry.score if entry else None


def _indicators_by_domain(*assessments: StoredAssessment) -> dict[str, list[str]]:
    """Indicator ids under their domain: ``policy.strategy`` sits under ``policy``, as dhti names them."""
    found: dict[str, list[str]] = {}
    for assessment in assessments:
        domain_ids = [d.id for d in assessment.record.domains]
        for item in assessment.record.indicators:
            owner = next((d for d in domain_ids if item.id.startswith(d + ".")), "")
            if item.id not in found.setdefault(owner, []):
                found[owner].append(item.id)
    return found


def _side(label: str, a: StoredAssessment) -> str:
    who = f"{a.record.entity_name or a.record.entity_id} ({a.record.entity_id})"
    return f"{label}: #{a.id} {who}, {a.record.assessment_date.isoformat()}, {a.record.questionnaire_ref}"


_KINDS = {"index": N_("index"), "stage": N_("stage")}


def compare_table(a: StoredAssessment, b: StoredAssessment, *, lang: str, titles: Titles) -> str:
    def show(row: CompareRow, value: float | None) -> str:
        return _stage(int(value) if value is not None else None) if row.kind == "stage" else number(value, lang)

    _ = i18n.texts(lang)
    body = []
    for row in compare_rows(a, b):
        title = titles.get(row.id, row.id) if row.kind in ("domain", "indicator") else _(_KINDS[row.kind])
        label = "  " + title if row.kind == "indicator" else title
        change = _signed(row.difference, lang) if row.kind != "stage" else _signed_whole(row.difference)
        body.append([label, show(row, row.a), show(row, row.b), change])
    heading = [visible(_side("A", a)), visible(_side("B", b)), ""]
    return "\n".join(heading) + table(["", "A", "B", "B - A"], body, right=[1, 2, 3])


def compare_json(a: StoredAssessment, b: StoredAssessment, *, titles: Titles) -> dict[str, object]:
    return {
        "a": assessment_json(a),
        "b": assessment_json(b),
        "rows": [
            {"kind": r.kind, "id": r.id, "title": titles.get(r.id), "a": r.a, "b": r.b, "difference": r.difference}
            for r in compare_rows(a, b)
        ],
    }


def compare_csv(a: StoredAssessment, b: StoredAssessment, *, titles: Titles) -> str:
    rows = [[r.kind, r.id, titles.get(r.id), r.a, r.b, r.difference] for r in compare_rows(a, b)]
    return csv_text(["kind", "id", "title", f"a:{a.id}", f"b:{b.id}", "difference"], rows)


# db ingest and batch


def _status_text(result: FileResult, lang: str) -> str:
    _ = i18n.texts(lang)
    if result.status is Status.INVALID:
        errors = len(result.errors)
        text = _("invalid (1 error)") if errors == 1 else _("invalid (%(count)s errors)")
        return text % {"count": i18n.count(errors, lang)}
    if result.status is Status.DUPLICATE:
        return _("already stored #%(id)s") % {"id": result.assessment_id}
    if result.status is Status.FAILED:
        return _("failed")
    return _("stored #%(id)s") % {"id": result.assessment_id}


def _reports_text(result: FileResult, lang: str) -> str:
    if not result.reports:
        return ""
    stem = result.reports[0].rsplit(".", 1)[0]
    suffixes = " ".join("." + name.rsplit(".", 1)[1] for name in result.reports)
    _ = i18n.texts(lang)
    return f"{stem} {suffixes}" + (" " + _("(new)") if result.written else "")


def results_table(results: Sequence[FileResult], *, lang: str, reports: bool = False) -> str:
    _ = i18n.texts(lang)
    headers = [_("file"), _("entity"), _("date"), _("index"), _("store"), *([_("reports")] if reports else [])]
    rows = []
    for r in results:
        row = [r.file, r.entity_id or "", r.assessment_date.isoformat() if r.assessment_date else ""]
        row += [number(r.index, lang) if r.assessment_id is not None else "", _status_text(r, lang)]
        rows.append(row + ([_reports_text(r, lang)] if reports else []))
    return table(headers, rows, right=[3])


def result_json(result: FileResult, *, lang: str = "en") -> dict[str, object]:
    return {
        "file": result.file,
        "status": str(result.status),
        "entity_id": result.entity_id,
        "assessment_date": result.assessment_date.isoformat() if result.assessment_date else None,
        "index": result.index,
        "assessment_id": result.assessment_id,
        "reports": list(result.reports),
        "written": list(result.written),
        "errors": [p.as_json(lang) for p in first_problems(result.errors)],
        "warnings": [p.as_json(lang) for p in first_problems(p for p in result.problems if not p.is_error)],
    }


def results_csv(results: Sequence[FileResult]) -> str:
    headers = ["file", "status", "entity_id", "assessment_date", "index", "assessment_id", "reports", "errors"]
    rows: list[list[Cell]] = [
        [
            r.file,
            str(r.status),
            r.entity_id,
            r.assessment_date.isoformat() if r.assessment_date else None,
            r.index,
            r.assessment_id,
            " ".join(r.reports),
            len(r.errors),
        ]
        for r in results
    ]
    return csv_text(headers, rows)


def summary(results: Sequence[FileResult], *, lang: str = "en") -> str:
    """One line for stderr: how many files were stored, already there, invalid; reports written."""
    _ = i18n.texts(lang)
    count = Counter(r.status for r in results)
    figures = {name: i18n.count(count[status], lang) for name, status in _SUMMED.items()}
    figures["files"] = i18n.count(len(results), lang)
    text = _("%(files)s file(s): %(stored)s stored, %(duplicate)s already stored, %(invalid)s invalid") % figures
    if count[Status.FAILED]:
        text += _(", %(failed)s failed") % figures
    written = i18n.count(sum(len(r.written) for r in results), lang)
    return text + (_("; %(count)s report(s) written") % {"count": written} if any(r.reports for r in results) else "")


_SUMMED = {"stored": Status.STORED, "duplicate": Status.DUPLICATE, "invalid": Status.INVALID, "failed": Status.FAILED}
