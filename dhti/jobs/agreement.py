"""Reviews read from the store: the agreement figures of a filter, verified units for the portfolio, a report's review.

The store keeps every answer of a review sheet as JSON text (``store.record.ReviewedAnswer``);
this module decodes them into the values :mod:`dhti.agreement` and the reports take. Only the
latest review of each unit counts: of an entity's reviewed self-assessments, the newest.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dhti.agreement import MOST_CORRECTED, Figures, ReviewedPair, ReviewedUnit, Value, agreement
from dhti.assess import Outcome, assess_bytes
from dhti.errors import DhtiError
from dhti.i18n import translations
from dhti.questionnaire import Question, Questionnaire, QuestionType
from dhti.registry import Registry
from dhti.report.verification import ReviewedChange, Verification
from dhti.response import NA, Answer

if TYPE_CHECKING:
    from dhti.store import AssessmentFilter, Store, StoredAssessment
    from dhti.store.record import ReviewedAnswer
    from dhti.store.reviews import StoredReview


class NoReviewsError(DhtiError):
    """The store holds no review of an assessment in the filter."""


def latest_reviews(store: Store, where: AssessmentFilter | None = None) -> list[StoredReview]:
    """The latest review of each reviewed entity in ``where``: the review of its newest reviewed self-assessment."""
    reviews = store.reviews(where)
    if not reviews:
        return []
    assessments = {a.id: a for a in store.get_many([review.self_id for review in reviews])}
    newest: dict[str, tuple[tuple[dt.date, int], StoredReview]] = {}
    for review in reviews:
        record = assessments[review.self_id].record
        key = (record.assessment_date, review.self_id)
        if record.entity_id not in newest or key > newest[record.entity_id][0]:
            newest[record.entity_id] = (key, review)
    return [newest[entity][1] for entity in sorted(newest)]


def reviewed_units(store: Store, reviews: Sequence[StoredReview], *, registry: Registry) -> list[ReviewedUnit]:
    """Each review as :func:`dhti.agreement.agreement` takes it: its questionnaire, answer pairs and both records.

    A review of a questionnaire this dhti no longer knows is left out: its answers have no scale.
    """
    wanted = [ident for review in reviews for ident in (review.self_id, review.verified_id)]
    assessments = {a.id: a for a in store.get_many(wanted)}
    units = []
    for review in reviews:
        mine, checked = assessments[review.self_id], assessments[review.verified_id]
        questionnaire = _questionnaire(registry, mine.record.questionnaire_ref)
        if questionnaire is None:
            continue
        pairs = tuple(
            ReviewedPair(answer.question, decode(answer.self_value), decode(answer.verified_value))
            for answer in review.answers
        )
        units.append(ReviewedUnit(questionnaire, pairs, mine.record, checked.record))
    return units


def review_figures(
    store: Store,
    where: AssessmentFilter | None = None,
    *,
    registry: Registry,
    lang: str,
    most_corrected: int = MOST_CORRECTED,
) -> Figures:
    """The agreement figures over the latest review of each reviewed unit in ``where``.

    :class:`NoReviewsError` when there is none, saying how to record one.
    """
    units = reviewed_units(store, latest_reviews(store, where), registry=registry)
    if not units:
        _ = translations(lang).gettext
        text = _("the store %(store)s holds no review of an assessment in this selection; record one with: %(command)s")
        raise NoReviewsError(text % {"store": store.display, "command": "dhti review apply REVIEW.yaml"})
    return agreement(units, most_corrected=most_corrected)


def with_verified(
    store: Store, latest: Sequence[StoredAssessment], reviews: Sequence[StoredReview]
) -> tuple[list[StoredAssessment], dict[int, float | None]]:
    """``latest`` with each reviewed one replaced by its verified assessment, and the self index each replaced.

    Only a review of the very assessment that is an entity's latest counts: a review of an older
    round does not stand for this one.
    """
    by_self = {review.self_id: review.verified_id for review in reviews}
    verified = {a.id: a for a in store.get_many([by_self[a.id] for a in latest if a.id in by_self])}
    chosen: list[StoredAssessment] = []
    replaced: dict[int, float | None] = {}
    for assessment in latest:
        found = verified.get(by_self.get(assessment.id, 0))
        if found is None or found.record.index is None:  # a verified response with no score shows nothing better
            chosen.append(assessment)
            continue
        chosen.append(found)
        replaced[found.id] = assessment.record.index
    return chosen, replaced


def verified_for_report(store: Store, raw: bytes, *, registry: Registry) -> tuple[Outcome, Verification] | None:
    """For a response the store holds (these bytes) that a review checked or made: the verified outcome and its review.

    The bytes of a self-assessment give its latest review; those of a verified assessment, the
    review that made it. ``None`` when the store does not hold these bytes, or holds them
    unreviewed: the report is then of the self-assessment, as before.
    """
    from dhti.store.record import content_hash  # noqa: PLC0415 - the store only when there is one

    stored = store.stored_hashes([content_hash(raw)])
    if not stored:
        return None
    review = store.review_of(next(iter(stored.values())))
    if review is None:
        return None
    mine = store.get(review.self_id)
    outcome = assess_bytes(store.response_bytes(review.verified_id), file=mine.record.source_file, registry=registry)
    response = outcome.validation.response
    if response is None or outcome.scores is None:
        return None  # the verified response no longer validates (its questionnaire changed): show the self one
    return outcome, _verification(review, response.questionnaire, self_index=mine.record.index)


def _verification(review: StoredReview, questionnaire: Questionnaire, *, self_index: float | None) -> Verification:
    checked = [answer for answer in review.answers if answer.verified_value is not None]
    return Verification(
        reviewer=review.reviewer,
        review_date=review.review_date,
        self_index=self_index,
        reviewed=len(checked),
        changes=tuple(_change(answer, questionnaire) for answer in checked if answer.changed),
    )


def _change(answer: ReviewedAnswer, questionnaire: Questionnaire) -> ReviewedChange:
    question = questionnaire.questions.get(answer.question)
    return ReviewedChange(
        question=answer.question,
        self_answer=as_answer(question, decode(answer.self_value)),
        verified_answer=as_answer(question, decode(answer.verified_value)),
        note=answer.note,
        evidence_checked=answer.evidence_checked,
    )


def decode(text: str | None) -> Value:
    """A stored answer value (JSON text) as a review holds it: a multi's options as a tuple; ``None`` stays ``None``."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return text  # not JSON (a store written by hand): the text as it is, which no option matches
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return str(value)
    return value


def as_answer(question: Question | None, value: Value) -> Answer | None:
    """A decoded value as the report shows an answer: ``na``, a date, a number, options; ``None`` for nothing."""
    if value is None:
        return None
    if value == NA:
        return Answer(None, na=True)
    if isinstance(value, list):
        value = tuple(value)
    if question is not None and question.type is QuestionType.DATE and isinstance(value, str):
        try:
            return Answer(dt.date.fromisoformat(value))
        except ValueError:
            return Answer(value)
    if isinstance(value, int):
        return Answer(float(value))
    return Answer(value)


def _questionnaire(registry: Registry, ref: str) -> Questionnaire | None:
    try:
        return registry.get(ref)
    except DhtiError:
        return None


def store_review(raw: bytes, db: str | None, *, registry: Registry) -> tuple[Outcome, Verification] | None:
    """:func:`verified_for_report` in the store ``db`` names; ``None`` with no store (none named, none made yet)."""
    from dhti.store import open_store  # noqa: PLC0415 - SQLAlchemy only when there is a store
    from dhti.store.location import resolve  # noqa: PLC0415

    location = resolve(db)
    if location.default and location.path is not None and not location.path.exists():
        return None
    with open_store(db, create=False) as store:
        return verified_for_report(store, raw, registry=registry)
