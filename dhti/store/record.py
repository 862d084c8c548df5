"""What the store keeps of one assessment, as plain frozen values (no database types)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import NamedTuple

from dhti import provinces
from dhti.assess import Outcome
from dhti.errors import DhtiError
from dhti.messages import L_
from dhti.response import EntitySummary
from dhti.safetext import without_accents


class StoreError(DhtiError):
    """The store cannot be opened, read or written, or holds no such assessment."""


class DomainEntry(NamedTuple):
    """One domain's score (0..100) and stage; both ``None`` when no indicator could be scored."""

    id: str
    score: float | None
    stage: int | None


@dataclass(frozen=True)
class IndicatorRecord:
    """One indicator's score (0..100) and stage, ``None`` when none of its questions could be scored."""

    id: str
    domain_id: str
    score: float | None
    stage: int | None


@dataclass(frozen=True)
class RecommendationRecord:
    id: str
    priority: str
    horizon: str
    gap: float
    due: dt.date


COMPLIANCE_STATUSES = ("met", "pending", "breach")


@dataclass(frozen=True)
class ComplianceRecord:
    """A compliance item's status on the assessment date: ``met``, ``pending`` (due after it) or ``breach``."""

    id: str
    status: str
    due: dt.date | None


@dataclass(frozen=True)
class AssessmentRecord:
    """Everything stored about one valid, scored response except its bytes.

    ``index`` and ``stage`` are ``None`` only for a response with no scorable answer at all.
    ``province`` is the unit's name when the response names one of the 34 units or a unit merged
    into one ("Bình Định" is recorded as "Gia Lai"), else the text as written; the response's
    bytes keep what it wrote. ``compliance`` is ``None`` for an assessment stored before the store
    kept compliance (schema 0002): not recorded, which is not the same as none in breach.
    ``score_stage`` is the index's stage by score alone, before compliance caps.
    """

    entity_id: str
    entity_name: str | None
    entity_type: str
    province: str | None
    questionnaire_id: str
    questionnaire_version: str
    assessment_date: dt.date
    index: float | None
    stage: int | None
    completeness: float
    domains: tuple[DomainEntry, ...]
    indicators: tuple[IndicatorRecord, ...]
    recommendations: tuple[RecommendationRecord, ...]
    gdhm: tuple[tuple[str, int], ...]
    source_file: str
    compliance: tuple[ComplianceRecord, ...] | None = None
    score_stage: int | None = None

    @property
    def entity(self) -> EntitySummary:
        return EntitySummary(self.entity_id, self.entity_name, self.entity_type, self.province)

    @property
    def questionnaire_ref(self) -> str:
        return f"{self.questionnaire_id}@{self.questionnaire_version}"

    @property
    def recommendation_ids(self) -> tuple[str, ...]:
        return tuple(recommendation.id for recommendation in self.recommendations)

    def domain(self, domain_id: str) -> DomainEntry | None:
        return next((entry for entry in self.domains if entry.id == domain_id), None)

    def indicator_score(self, indicator_id: str) -> float | None:
        return next((entry.score for entry in self.indicators if entry.id == indicator_id), None)


def record_from_outcome(outcome: Outcome) -> AssessmentRecord:
    """The storable part of a valid outcome; an invalid one raises :class:`StoreError`."""
    response, scores = outcome.validation.response, outcome.scores
    if response is None or scores is None:
        raise StoreError(L_("%(file)s: an invalid response cannot be stored; fix its errors first", file=outcome.file))
    entity = response.entity
    return AssessmentRecord(
        entity_id=entity.id,
        entity_name=entity.name,
        entity_type=entity.type,
        province=provinces.recorded(entity.province),
        questionnaire_id=response.questionnaire.id,
        questionnaire_version=response.questionnaire.version,
        assessment_date=response.assessment.date,
        index=scores.index,
        stage=scores.stage.level if scores.stage else None,
        completeness=scores.completeness,
        domains=tuple(
            DomainEntry(domain.id, domain.score, domain.stage.level if domain.stage else None)
            for domain in scores.domains
        ),
        indicators=tuple(
            IndicatorRecord(item.id, domain.id, item.score, item.stage.level if item.stage else None)
            for domain in scores.domains
            for item in domain.indicators
        ),
        recommendations=tuple(
            RecommendationRecord(fired.id, str(fired.rule.priority), str(fired.rule.horizon), fired.gap, fired.due)
            for fired in outcome.recommendations
        ),
        gdhm=tuple(scores.gdhm.items()),
        source_file=outcome.file,
        compliance=tuple(
            ComplianceRecord(status.id, str(status.status), status.item.due) for status in scores.compliance
        ),
        score_stage=scores.score_stage.level if scores.score_stage else None,
    )


def content_hash(raw: bytes) -> str:
    """The identity of a response as submitted: SHA-256 of its exact bytes, in hex."""
    return hashlib.sha256(raw).hexdigest()


def fold(text: str) -> str:
    """A loose matching key: no accents, no case, single spaces ("Hà  Nội" -> "ha noi")."""
    return re.sub(r"\s+", " ", without_accents(text)).strip().casefold()


SHEET_FORMATS = ("yaml", "xlsx")


@dataclass(frozen=True)
class ReviewedAnswer:
    """One answer of a review sheet, as the store keeps it.

    ``self_value`` and ``verified_value`` are the answer's JSON text (``"\\"na\\""`` for na, a date
    as its ISO text, several choices as a list); ``self_value`` is ``None`` for a question the unit
    left unanswered, ``verified_value`` ``None`` for an answer the reviewer did not check.
    ``evidence_checked`` is ``yes``, ``no``, ``missing`` or ``None`` (not said); ``changed`` is
    whether the verified value differs from the self-assessed one.
    """

    question: str
    self_value: str | None
    verified_value: str | None
    evidence_checked: str | None
    note: str | None
    changed: bool


@dataclass(frozen=True)
class ReviewRecord:
    """What a review found about one stored self-assessment (``self_id``): every answer of its sheet.

    ``sheet_format`` is how the sheet was filled in: ``yaml`` or ``xlsx``.
    """

    self_id: int
    reviewer: str
    review_date: dt.date
    sheet_format: str
    answers: tuple[ReviewedAnswer, ...]

    @property
    def changed(self) -> tuple[ReviewedAnswer, ...]:
        return tuple(answer for answer in self.answers if answer.changed)
