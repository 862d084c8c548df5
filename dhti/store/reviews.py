"""The store's reviews: writing one with its answers, and reading the latest of each self-assessment back.

:class:`dhti.store.api.Store` calls these inside its own transactions and connections; nothing
here opens one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from dhti.messages import L_
from dhti.review import EVIDENCE_CHECKS
from dhti.store import models as m
from dhti.store.record import (
    SHEET_FORMATS,
    AssessmentRecord,
    ReviewedAnswer,
    ReviewRecord,
    StoreError,
    content_hash,
)
from dhti.store.rows import RowReader


@dataclass(frozen=True)
class StoredReview:
    """One stored review: the self-assessment it checks, the verified assessment it made, every answer of its sheet.

    ``answers`` are in the sheet's order, confirmed ones included (``changed`` false);
    ``sheet_format`` is ``yaml`` or ``xlsx`` and ``sheet_hash`` the SHA-256 of the sheet's bytes
    (:meth:`dhti.store.api.Store.review_sheet` gives them back).
    """

    id: int
    self_id: int
    verified_id: int
    reviewer: str
    review_date: dt.date
    recorded_at: dt.datetime
    answers: tuple[ReviewedAnswer, ...]
    sheet_format: str
    sheet_hash: str

    @property
    def changed(self) -> tuple[ReviewedAnswer, ...]:
        """The answers the reviewer corrected."""
        return tuple(answer for answer in self.answers if answer.changed)


def check_reviewable(conn: sa.Connection, review: ReviewRecord, verified: AssessmentRecord, *, store: str) -> None:
    """Refuse a review of an assessment that is not a stored self-assessment of the same entity and questionnaire."""
    table = m.assessments.c
    columns = (table.status, table.entity_id, table.questionnaire_id, table.questionnaire_version)
    found = conn.execute(sa.select(*columns).where(table.id == review.self_id)).one_or_none()
    if found is None:
        raise StoreError(L_("the store %(store)s has no assessment #%(number)s", store=store, number=review.self_id))
    status, entity_id, questionnaire_id, version = found
    if status != m.SELF_ASSESSED:
        raise StoreError(
            L_(
                "assessment #%(number)s is itself a verified assessment; review the self-assessment it verifies",
                number=review.self_id,
            )
        )
    if (entity_id, questionnaire_id, version) != (
        verified.entity_id,
        verified.questionnaire_id,
        verified.questionnaire_version,
    ):
        raise StoreError(
            L_(
                "the verified assessment is of %(entity)s on %(questionnaire)s, not of the entity and questionnaire"
                " of assessment #%(number)s",
                entity=repr(verified.entity_id),
                questionnaire=verified.questionnaire_ref,
                number=review.self_id,
            )
        )
    if review.sheet_format not in SHEET_FORMATS:
        raise StoreError(L_("a review sheet is yaml or xlsx, not %(format)s", format=repr(review.sheet_format)))


def insert_review(
    conn: sa.Connection, review: ReviewRecord, *, verified_id: int, sheet_raw: bytes, recorded_at: dt.datetime
) -> int:
    """Store the review row and one row per answer; the id of the review."""
    values = {
        "self_id": review.self_id,
        "verified_id": verified_id,
        "reviewer": review.reviewer,
        "review_date": review.review_date,
        "recorded_at": recorded_at,
        "sheet": sheet_raw,
        "sheet_format": review.sheet_format,
        "sheet_hash": content_hash(sheet_raw),
    }
    key = conn.execute(m.reviews.insert(), values).inserted_primary_key
    if key is None:  # pragma: no cover - both back ends report the new key
        raise StoreError(L_("the database did not report the new review's id"))
    ident = int(key[0])
    rows = [
        {
            "review_id": ident,
            "position": n,
            "question_id": answer.question,
            "self_value": answer.self_value,
            "verified_value": answer.verified_value,
            "evidence_checked": answer.evidence_checked,
            "note": answer.note,
            "changed": answer.changed,
        }
        for n, answer in enumerate(review.answers)
    ]
    if rows:
        conn.execute(m.review_answers.insert(), rows)
    return ident


def review_of_verified(conn: sa.Connection, verified_id: int) -> int | None:
    """The review that made verified assessment ``verified_id``, if any."""
    query = sa.select(m.reviews.c.id).where(m.reviews.c.verified_id == verified_id)
    found = conn.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def latest_reviews(conditions: Sequence[sa.ColumnElement[bool]]) -> sa.Select[Any]:
    """The ids of the latest review (by review date, then as recorded) of each self-assessment matching."""
    reviews = m.reviews.c
    newest_first = (reviews.review_date.desc(), reviews.id.desc())
    rank = sa.func.row_number().over(partition_by=reviews.self_id, order_by=newest_first).label("rank")
    joined = m.reviews.join(m.assessments, m.assessments.c.id == reviews.self_id)
    ranked = sa.select(reviews.id, rank).select_from(joined).where(*conditions).subquery()
    return sa.select(ranked.c.id).where(ranked.c.rank == 1)


def read_reviews(conn: sa.Connection, ids: sa.Select[Any], *, store: str) -> list[StoredReview]:
    """The reviews of these ids with their answers, ordered by entity id, self-assessment and review id."""
    reviews = m.reviews.c
    as_given = (reviews.review_date, reviews.recorded_at)
    columns = [sa.type_coerce(c, sa.String).label(c.name) if c in as_given else c for c in m.reviews.c]
    columns.remove(reviews.sheet)
    joined = m.reviews.join(m.assessments, m.assessments.c.id == reviews.self_id)
    query = (
        sa.select(*columns)
        .select_from(joined)
        .where(reviews.id.in_(ids))
        .order_by(m.assessments.c.entity_id, reviews.self_id, reviews.id)
    )
    rows = conn.execute(query).mappings().all()
    if not rows:
        return []
    answers = _answers(conn, [int(row["id"]) for row in rows], store=store)
    return [_review(row, answers.get(int(row["id"]), []), store=store) for row in rows]


_CHUNK = 500  # ids per IN (...) list


def _answers(conn: sa.Connection, ids: list[int], *, store: str) -> dict[int, list[ReviewedAnswer]]:
    table = m.review_answers.c
    found: dict[int, list[ReviewedAnswer]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = (
            sa.select(table.review_id, *(c for c in m.review_answers.c if c.name not in {"review_id", "position"}))
            .where(table.review_id.in_(chunk))
            .order_by(table.review_id, table.position)
        )
        for row in conn.execute(query).mappings():
            found[int(row["review_id"])].append(_answer(RowReader(store, int(row["review_id"])), row))
    return found


def _answer(check: RowReader, row: sa.RowMapping) -> ReviewedAnswer:
    evidence = check.optional_text("review_answers.evidence_checked", row["evidence_checked"])
    if evidence is not None and evidence not in EVIDENCE_CHECKS:
        raise check.invalid("review_answers.evidence_checked", evidence)
    changed = row["changed"]
    if changed not in (True, False):  # SQLite gives 0 or 1
        raise check.invalid("review_answers.changed", changed)
    return ReviewedAnswer(
        question=check.text("review_answers.question_id", row["question_id"]),
        self_value=check.optional_text("review_answers.self_value", row["self_value"]),
        verified_value=check.optional_text("review_answers.verified_value", row["verified_value"]),
        evidence_checked=evidence,
        note=check.optional_text("review_answers.note", row["note"]),
        changed=bool(changed),
    )


def _review(row: sa.RowMapping, answers: list[ReviewedAnswer], *, store: str) -> StoredReview:
    check = RowReader(store, int(row["self_id"]))
    sheet_format = check.text("reviews.sheet_format", row["sheet_format"])
    if sheet_format not in SHEET_FORMATS:
        raise check.invalid("reviews.sheet_format", sheet_format)
    return StoredReview(
        id=int(row["id"]),
        self_id=int(row["self_id"]),
        verified_id=check.whole("reviews.verified_id", row["verified_id"]),
        reviewer=check.text("reviews.reviewer", row["reviewer"]),
        review_date=check.day("reviews.review_date", row["review_date"]),
        recorded_at=check.moment("reviews.recorded_at", row["recorded_at"]),
        answers=tuple(answers),
        sheet_format=sheet_format,
        sheet_hash=check.text("reviews.sheet_hash", row["sheet_hash"]),
    )
