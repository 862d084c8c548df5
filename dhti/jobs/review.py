"""Verification with the store: draw a plan of units to check, make a review sheet, record a filled one.

``dhti review sample|init|apply`` call these; each takes an open store (or the place of one),
the questionnaires and the options, and returns frozen values for the command to print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dhti.assess import Outcome, assess_bytes
from dhti.errors import DhtiError, InputError, Problem
from dhti.i18n import translations
from dhti.messages import L_, plain
from dhti.questionnaire import DEFAULT_STAGES, Questionnaire
from dhti.review import (
    CheckedSheet,
    FilledSheet,
    ReviewSheet,
    build_sheet,
    check_sheet,
    not_asked,
    read_yaml_sheet,
    sheet_yaml,
    verified_response,
)
from dhti.safetext import csv_text
from dhti.sampling import Candidate, SamplePlan, SampleRules, draw
from dhti.store import ReviewedAnswer, ReviewRecord, StoreError, content_hash, record_from_outcome
from dhti.yamlio import TemplateEntry, dump_template, load_bytes, read_bounded

if TYPE_CHECKING:
    from dhti.registry import Registry
    from dhti.store import AssessmentFilter, Store, StoredAssessment, StoredReview

SHEET_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx"}
PLAN_SUFFIXES = {".csv": "csv", ".yaml": "yaml", ".yml": "yaml"}
MAX_SHEET_BYTES = 20 * 1024 * 1024


class ReviewError(DhtiError):
    """A review that cannot be made or recorded as asked (a verified assessment, a sheet of another kind)."""


# ------------------------------------------------------------------------ the plan


def candidates(store: Store, where: AssessmentFilter, registry: Registry) -> list[Candidate]:
    """The latest self-assessment of every unit in ``where``, with what the always-check rules look at."""
    pairs = store.latest_and_previous(
        entity_type=where.entity_type, questionnaire=where.questionnaire, province=where.province, until=where.until
    )
    found = []
    tops: dict[str, int] = {}
    for latest, before in pairs:
        record = latest.record
        ref = record.questionnaire_ref
        if ref not in tops:
            tops[ref] = _top_stage(registry, ref)
        found.append(
            Candidate(
                assessment=latest.id,
                entity_id=record.entity_id,
                entity_name=record.entity_name,
                entity_type=record.entity_type,
                province=record.province,
                questionnaire=ref,
                assessment_date=record.assessment_date,
                index=record.index,
                stage=record.stage,
                top_stage=tops[ref],
                previous_index=before.index if before is not None else None,
                in_breach=any(item.status == "breach" for item in record.compliance or ()),
            )
        )
    return found


def _top_stage(registry: Registry, ref: str) -> int:
    try:
        stages = registry.get(ref).stages
    except DhtiError:
        stages = DEFAULT_STAGES  # a questionnaire no longer installed: the usual five stages
    return max(stage.level for stage in stages)


def sample_plan(store: Store, where: AssessmentFilter, *, rules: SampleRules, registry: Registry) -> SamplePlan:
    """Draw the plan of units to verify from the store's latest self-assessments."""
    found = candidates(store, where, registry)
    if not found:
        raise ReviewError(L_("the store %(store)s holds no self-assessment to sample from", store=store.display))
    return draw(found, rules)


PLAN_COLUMNS = (
    "assessment",
    "entity_id",
    "entity_name",
    "entity_type",
    "province",
    "questionnaire",
    "assessment_date",
    "stage",
    "index",
    "rules",
    "reason",
)


def plan_rows(plan: SamplePlan, lang: str) -> list[dict[str, object]]:
    """The plan's units as rows of :data:`PLAN_COLUMNS` (the reasons in ``lang``; the index to one decimal)."""
    rows = []
    for chosen in plan.chosen:
        unit = chosen.candidate
        rows.append(
            {
                "assessment": unit.assessment,
                "entity_id": unit.entity_id,
                "entity_name": unit.entity_name,
                "entity_type": unit.entity_type,
                "province": unit.province,
                "questionnaire": unit.questionnaire,
                "assessment_date": unit.assessment_date.isoformat(),
                "stage": unit.stage,
                "index": None if unit.index is None else round(unit.index, 1),
                "rules": ";".join(chosen.rules),
                "reason": "; ".join(reason.render(lang) for reason in chosen.reasons),
            }
        )
    return rows


def plan_text(plan: SamplePlan, fmt: str, *, lang: str) -> str:
    """The plan as CSV (a row per unit) or YAML (the draw's seed, rate and strata, then the units)."""
    rows = plan_rows(plan, lang)
    if fmt == "csv":
        return csv_text(PLAN_COLUMNS, [[row[name] for name in PLAN_COLUMNS] for row in rows])
    _ = translations(lang).gettext
    strata = [{"stratum": " · ".join(s.key), "units": s.size, "drawn": s.drawn} for s in plan.strata]
    entries = [
        TemplateEntry("seed", plan.seed),
        TemplateEntry("rate", plan.rate),
        TemplateEntry("strata", strata),
        TemplateEntry("units", rows),
    ]
    header = [_("Verification plan: the units to check, each with the reason it was chosen"), "dhti review sample"]
    return dump_template(entries, header=header)


# ------------------------------------------------------------------------ the sheet


@dataclass(frozen=True)
class SelfAssessment:
    """A stored self-assessment read back whole: its row, its bytes, and the outcome they validate and score to."""

    stored: StoredAssessment
    raw: bytes
    outcome: Outcome
    lenient: bool

    @property
    def questionnaire(self) -> Questionnaire:
        questionnaire = self.outcome.validation.questionnaire
        if questionnaire is None:  # pragma: no cover - a valid outcome has its questionnaire
            raise ReviewError(L_("the self-assessment's questionnaire is not known"))
        return questionnaire


def self_assessment(store: Store, stored: StoredAssessment, *, registry: Registry) -> SelfAssessment:
    """A self-assessment to review: refused when it is itself verified, or its bytes no longer validate."""
    if stored.status != "self-assessed":
        message = L_(
            "assessment #%(number)s is a verified assessment; review the self-assessment it verifies (#%(self)s)",
            number=stored.id,
            self=stored.verifies,
        )
        raise ReviewError(message)
    raw = store.response_bytes(stored.id)
    name = stored.record.source_file
    outcome = assess_bytes(raw, file=name, registry=registry)
    lenient = False
    if not outcome.valid:  # stored with --lenient: unanswered required questions
        outcome, lenient = assess_bytes(raw, file=name, registry=registry, lenient=True), True
    if not outcome.valid:
        first = outcome.validation.errors[0]
        message = L_(
            "assessment #%(number)s no longer validates with the questionnaires installed: %(problem)s",
            number=stored.id,
            problem=first.text or plain(first.message),
        )
        raise ReviewError(message)
    return SelfAssessment(stored, raw, outcome, lenient)


def make_sheet(assessed: SelfAssessment, *, lang: str) -> ReviewSheet:
    response = assessed.outcome.validation.response
    if response is None:  # pragma: no cover - checked by self_assessment
        raise ReviewError(L_("the self-assessment is not valid"))
    return build_sheet(response, assessment=assessed.stored.id, self_hash=assessed.stored.content_hash, lang=lang)


def sheet_format(path: Path) -> str:
    found = SHEET_SUFFIXES.get(path.suffix.lower())
    if found is None:
        message = L_("a review sheet is a .yaml or an .xlsx file, not %(file)s", file=path.name)
        raise ReviewError(message)
    return found


def write_sheet(assessed: SelfAssessment, output: Path, *, lang: str, force: bool) -> tuple[Path, ...]:
    """Write the review sheet of a self-assessment: YAML with its JSON Schema beside it, or a workbook."""
    from dhti.interop.drafts import refuse_existing  # noqa: PLC0415
    from dhti.outfiles import write_atomic  # noqa: PLC0415

    sheet = make_sheet(assessed, lang=lang)
    if sheet_format(output) == "xlsx":
        from dhti.review_xlsx import sheet_workbook  # noqa: PLC0415

        refuse_existing([output], force=force)
        write_atomic(output, sheet_workbook(sheet), force=force)
        return (output,)
    from dhti.interop.jsonschema import schema_file_for  # noqa: PLC0415
    from dhti.interop.review_schema import review_schema  # noqa: PLC0415
    from dhti.safetext import to_json  # noqa: PLC0415

    schema_path = schema_file_for(output)
    text = sheet_yaml(sheet, file_name=output.name, schema=schema_path.name)
    refuse_existing([output, schema_path], force=force)
    write_atomic(output, text, force=force)
    write_atomic(schema_path, to_json(review_schema(sheet, assessed.questionnaire)) + "\n", force=force)
    return output, schema_path


# ------------------------------------------------------------------------ recording a review


@dataclass(frozen=True)
class Applied:
    """A recorded review: the self and verified indexes, and how many answers were checked and corrected."""

    review: StoredReview
    entity_id: str
    self_index: float | None
    verified_index: float | None
    checked: int
    corrected: int


def read_sheet(path: Path, *, display: str | None = None) -> tuple[FilledSheet, bytes]:
    """A filled sheet and its bytes, its shape checked (every problem at its place)."""
    name = display or str(path)
    kind = sheet_format(path)
    raw = read_bounded(path, display=name, limit=MAX_SHEET_BYTES)
    if kind == "yaml":
        return read_yaml_sheet(raw, name), raw
    from dhti.interop.tables import check_workbook  # noqa: PLC0415
    from dhti.review_xlsx import read_workbook  # noqa: PLC0415

    check_workbook(raw, name)
    return read_workbook(raw, name), raw


def reviewed(store: Store, filled: FilledSheet) -> StoredAssessment:
    """The stored self-assessment a sheet names; an unknown one is a problem at the sheet's assessment number."""
    number = filled.assessment
    if number is None:
        message = L_("assessment: expected the number of a stored self-assessment, as dhti review init wrote it")
        raise InputError([filled.problem("assessment", message)])
    try:
        return store.get(number)
    except StoreError as err:
        raise InputError([filled.problem("assessment", err.text or L_("unknown assessment"))]) from err


def apply_sheet(store: Store, path: Path, *, registry: Registry, partial: bool, lang: str) -> Applied:
    """Check a filled sheet against its stored self-assessment, score the verified response and record it.

    Nothing is stored when the sheet has any problem: each is reported at its line and column
    (YAML) or cell (XLSX), all at once.
    """
    filled, sheet_raw = read_sheet(path)
    assessed = self_assessment(store, reviewed(store, filled), registry=registry)
    questionnaire = assessed.questionnaire
    sheet = make_sheet(assessed, lang=lang)
    checked = check_sheet(filled, sheet, questionnaire, partial=partial)
    self_data = load_bytes(assessed.raw, assessed.stored.record.source_file).data
    if not isinstance(self_data, dict):  # pragma: no cover - it validated
        raise ReviewError(L_("the self-assessment's bytes are not a mapping"))
    verified_raw = verified_response(
        self_data, checked, header=sheet.header, sheet_hash=content_hash(sheet_raw), lang=lang
    )
    outcome = assess_bytes(verified_raw, file=filled.file, registry=registry, lenient=assessed.lenient)
    response = outcome.validation.response
    if response is None:
        raise InputError(_placed(outcome.validation.errors, filled))
    closed = not_asked(filled, checked, response.applicable)
    if closed:
        raise InputError(closed)
    record = ReviewRecord(
        self_id=assessed.stored.id,
        reviewer=checked.reviewer,
        review_date=checked.review_date,
        sheet_format=filled.sheet_format,
        answers=_answers(checked),
    )
    stored = store.record_review(record, record_from_outcome(outcome), verified_raw, sheet_raw)
    return Applied(
        review=stored,
        entity_id=assessed.stored.record.entity_id,
        self_index=assessed.stored.record.index,
        verified_index=outcome.scores.index if outcome.scores else None,
        checked=len(checked.checked),
        corrected=len(checked.corrected),
    )


def _answers(checked: CheckedSheet) -> tuple[ReviewedAnswer, ...]:
    return tuple(
        ReviewedAnswer(
            question=verdict.question,
            self_value=verdict.self_json,
            verified_value=verdict.verified_json,
            evidence_checked=verdict.evidence_checked,
            note=verdict.note,
            changed=verdict.changed,
        )
        for verdict in checked.verdicts
    )


def _placed(problems: tuple[Problem, ...], filled: FilledSheet) -> list[Problem]:
    """The verified response's errors, each at the sheet's place of the answer it is about (else at the answers)."""
    spots = {answer.question: answer.spot("verified") for answer in filled.answers}
    placed = []
    for problem in problems:
        named = [qid for qid in spots if re.search(rf"(?<![\w.]){re.escape(qid)}(?![\w.])", problem.message)]
        spot = spots[max(named, key=len)] if named else filled.answers_spot
        text = problem.text or plain(problem.message)
        placed.append(spot.problem(filled.file, L_("the verified response: %(problem)s", problem=text)))
    return placed
