"""The JSON Schema of a YAML review sheet, for editors that check it as the reviewer types (as for response files)."""

from __future__ import annotations

from dhti.interop.jsonschema import DRAFT, NA_PATTERN, NO_CONTROLS, Schema, answer_value_schema
from dhti.questionnaire import Questionnaire
from dhti.response import MAX_NAME_CHARS, MAX_TEXT_CHARS
from dhti.review import EVIDENCE_CHECKS, ReviewSheet, answer_guide


def review_schema(sheet: ReviewSheet, questionnaire: Questionnaire) -> Schema:
    """The schema of the YAML sheet of ``sheet``: its header, and for each of its answers what ``verified`` takes."""
    head = sheet.header
    text: Schema = {"type": ["string", "null"], "maxLength": MAX_TEXT_CHARS, "pattern": NO_CONTROLS}
    header = {
        "type": "object",
        "additionalProperties": False,
        "required": ["assessment", "self_hash", "reviewer", "date"],
        "properties": {
            "assessment": {"const": head.assessment},
            "entity": {"const": head.entity_id},
            "questionnaire": {"const": head.questionnaire},
            "assessment_date": {"const": head.assessment_date.isoformat()},
            "self_hash": {"const": head.self_hash},
            "reviewer": {"type": "string", "minLength": 1, "maxLength": MAX_NAME_CHARS, "pattern": NO_CONTROLS},
            "date": {"type": "string", "format": "date"},
        },
    }
    answers: dict[str, object] = {}
    for row in sheet.rows:
        question = questionnaire.questions[row.question]
        verified: list[object] = [answer_value_schema(question), {"type": "null"}]
        if question.allow_na:
            verified.append({"type": "string", "pattern": NA_PATTERN})
        answers[row.question] = {
            "title": row.text,
            "description": "\n".join(line.strip() for line in answer_guide(row, sheet.lang)[1:]),
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "self": {},
                "evidence": {},
                "comment": {},
                "verified": {"anyOf": verified},
                "evidence_checked": {"enum": [*EVIDENCE_CHECKS, None]},
                "note": text,
            },
        }
    return {
        "$schema": DRAFT,
        "$id": f"urn:dhti:review-sheet-schema:{head.assessment}:{head.self_hash[:16]}",
        "title": f"Review sheet of assessment #{head.assessment} ({head.entity_id}, {head.questionnaire})",
        "type": "object",
        "required": ["review", "answers"],
        "additionalProperties": False,
        "properties": {
            "review": header,
            "answers": {"type": "object", "additionalProperties": False, "properties": answers},
        },
    }
