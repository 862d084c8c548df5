"""Small builders for questionnaires and responses in memory, for scoring tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from dhti.questionnaire import Questionnaire, applicable_questions
from dhti.response import Answer, Assessment, Entity, Response, comparable

T = {"en": "Text", "vi": "Văn bản"}


def option(value: str, points: float) -> dict[str, object]:
    return {"value": value, "points": points, "label": T}


def question(qid: str, kind: str = "choice", **extra: object) -> dict[str, object]:
    body: dict[str, object] = {"id": qid, "text": T, "type": kind}
    if kind in ("choice", "multi") and "options" not in extra:
        body["options"] = [option("none", 0), option("some", 1), option("all", 2)]
    if kind in ("number", "percent") and "bands" not in extra and "linear" not in extra:
        body["linear"] = {"from": 0, "to": 100}
    body.update(extra)
    return body


def questionnaire(  # noqa: PLR0913 - every part of a questionnaire a test may set
    domains: Mapping[str, Mapping[str, list[dict[str, object]]]],
    *,
    aggregation: str = "arithmetic",
    weights: Mapping[str, float] | None = None,
    recommendations: list[dict[str, object]] | None = None,
    gdhm: Mapping[str, str] | None = None,
    extra: Mapping[str, object] | None = None,
) -> Questionnaire:
    """domains: domain id -> indicator id -> list of question dicts; ``extra``: more top-level keys.

    With ``gdhm``, hospitals get the GDHM reading (``gdhm_for: [hospital]``) unless ``extra`` says otherwise.
    """
    weights = weights or {}
    gdhm = gdhm or {}
    body = {
        "id": "built",
        "version": "1.0",
        "title": T,
        "entity_types": ["hospital", "health_centre"],
        "aggregation": aggregation,
        **({"gdhm_for": ["hospital"]} if gdhm else {}),
        "domains": [
            {
                "id": domain_id,
                "title": T,
                "weight": weights.get(domain_id, 1),
                "indicators": [
                    {
                        "id": indicator_id,
                        "title": T,
                        "weight": weights.get(indicator_id, 1),
                        "questions": questions,
                        **({"gdhm": gdhm[indicator_id]} if indicator_id in gdhm else {}),
                    }
                    for indicator_id, questions in indicators.items()
                ],
            }
            for domain_id, indicators in domains.items()
        ],
        "recommendations": recommendations or [],
        **(extra or {}),
    }
    return Questionnaire.model_validate(body)


def response(
    q: Questionnaire, answers: Mapping[str, object], *, entity_type: str = "hospital", date: str = "2026-10-15"
) -> Response:
    """A response with typed answers ('na' for not applicable)."""
    typed = {
        qid: Answer(None, na=True) if value == "na" else Answer(tuple(value) if isinstance(value, list) else value)  # type: ignore[arg-type]
        for qid, value in answers.items()
    }
    applicable = applicable_questions(q, entity_type, {qid: comparable(a) for qid, a in typed.items()})
    return Response(
        file="built.yaml",
        questionnaire=q,
        entity=Entity(id="X", type=entity_type),
        assessment=Assessment(date=dt.date.fromisoformat(date)),
        answers=typed,
        applicable=applicable,
    )
