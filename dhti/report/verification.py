"""What an entity report says of its review: verified or not, by whom, both scores, and the answers changed.

A report of a reviewed assessment leads with the verified figures (the verified response is the
one scored and shown throughout); this module words the review itself: the cover's status and
reviewer, page 1's "Self-assessment 72.4 · After verification 64.1", and the annex table of the
answers the reviewer changed with their notes (free text, escaped by the templates' ``free`` filter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dhti import i18n
from dhti.i18n import N_
from dhti.questionnaire import Question, Questionnaire, pick, question_numbers
from dhti.response import Answer

Translate = Callable[[str], str]
AnswerText = Callable[[Question, Answer | None], str]

VERIFIED = N_("Verified")
EVIDENCE_CHECKS = {
    "yes": N_("evidence checked"),
    "no": N_("evidence not checked"),
    "missing": N_("evidence missing"),
}


@dataclass(frozen=True)
class ReviewedChange:
    """One answer the reviewer changed: what the unit said (``None``: nothing), what was verified, and the note."""

    question: str
    self_answer: Answer | None
    verified_answer: Answer | None
    note: str | None = None
    evidence_checked: str | None = None  # yes | no | missing, or not said


@dataclass(frozen=True)
class Verification:
    """The review of the assessment a report shows: who checked it and when, and what changed."""

    reviewer: str
    review_date: dt.date
    self_index: float | None  # of the self-assessment the review checked
    reviewed: int  # answers the reviewer checked
    changes: tuple[ReviewedChange, ...]


@dataclass(frozen=True)
class ChangeRow:
    number: str
    question: str
    self_answer: str
    verified_answer: str
    note: str  # free text from the sheet
    evidence: str


@dataclass(frozen=True)
class VerificationView:
    reviewer: str  # free text from the sheet
    date: str
    scores: str  # "Self-assessment 72.4 · After verification 64.1"
    corrected: str  # "5 of 58 answers corrected"
    changes: tuple[ChangeRow, ...]


def verification_view(  # noqa: PLR0913 - each is a separate part of the wording
    verification: Verification,
    *,
    questionnaire: Questionnaire,
    verified_index: float | None,
    answer_text: AnswerText,
    lang: str,
    translate: Translate,
) -> VerificationView:
    """Word ``verification`` in ``lang``; ``verified_index`` is the index of the verified response the report shows."""
    _ = translate
    scores = _(N_("Self-assessment %(self)s · After verification %(verified)s")) % {
        "self": i18n.number(verification.self_index, lang),
        "verified": i18n.number(verified_index, lang),
    }
    corrected = _(N_("%(changed)s of %(reviewed)s answers corrected")) % {
        "changed": i18n.count(len(verification.changes), lang),
        "reviewed": i18n.count(verification.reviewed, lang),
    }
    return VerificationView(
        reviewer=verification.reviewer,
        date=i18n.date(verification.review_date, lang),
        scores=scores,
        corrected=corrected,
        changes=_rows(verification.changes, questionnaire, answer_text, lang=lang, translate=translate),
    )


def _rows(
    changes: Sequence[ReviewedChange],
    questionnaire: Questionnaire,
    answer_text: AnswerText,
    *,
    lang: str,
    translate: Translate,
) -> tuple[ChangeRow, ...]:
    numbers = question_numbers(questionnaire)
    order = {qid: n for n, qid in enumerate(questionnaire.questions)}
    rows = []
    for change in sorted(changes, key=lambda c: order.get(c.question, len(order))):
        question = questionnaire.questions.get(change.question)
        if question is None:
            continue  # the store checked the ids against this questionnaire; nothing to show otherwise
        rows.append(
            ChangeRow(
                number=numbers.get(question.id, ""),
                question=pick(question.text, lang),
                self_answer=_shown(question, change.self_answer, answer_text, translate),
                verified_answer=_shown(question, change.verified_answer, answer_text, translate),
                note=change.note or "",
                evidence=translate(EVIDENCE_CHECKS[change.evidence_checked])
                if change.evidence_checked in EVIDENCE_CHECKS
                else "",
            )
        )
    return tuple(rows)


def _shown(question: Question, answer: Answer | None, answer_text: AnswerText, translate: Translate) -> str:
    if answer is None:
        return translate(N_("Not answered"))
    if answer.na:
        return translate(N_("Not applicable"))
    return answer_text(question, answer)
