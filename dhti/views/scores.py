"""Turning outcomes into the outputs of ``dhti validate`` and ``dhti score``: text, JSON, CSV."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence

from dhti import i18n
from dhti.assess import Outcome
from dhti.errors import first_problems
from dhti.i18n import N_
from dhti.questionnaire import Questionnaire, pick
from dhti.response import Validation
from dhti.safetext import csv_text, inert_json, visible


def score_json(outcome: Outcome, *, lang: str) -> dict[str, object]:
    """The object of contract 4.1 for one file (extra keys are additions, never renames)."""
    validation = outcome.validation
    response = validation.response
    questionnaire = validation.questionnaire
    scores = outcome.scores
    entity = dict(validation.raw_entity)
    result: dict[str, object] = {
        "file": validation.file,
        "entity": {key: entity.get(key) for key in ("id", "name", "type", "province")},
        "questionnaire": {"id": questionnaire.id, "version": questionnaire.version} if questionnaire else None,
        "assessment": {"date": response.assessment.date.isoformat()} if response else None,
        "index": None,
        "stage": None,
        "stage_label": None,
        "completeness": None,
        "domains": [],
        "recommendations": [],
        "gdhm": {},
        "errors": [p.as_json() for p in first_problems(validation.errors)],
        "warnings": [p.as_json() for p in first_problems(validation.warnings)],
    }
    if scores is None:
        return result
    result.update(
        index=scores.index,
        stage=scores.stage.level if scores.stage else None,
        stage_label=pick(scores.stage.label, lang) if scores.stage else None,
        completeness=scores.completeness,
        domains=[
            {
                "id": domain.id,
                "score": domain.score,
                "stage": domain.stage.level if domain.stage else None,
                "indicators": [
                    {"id": item.id, "score": item.score, "stage": item.stage.level if item.stage else None}
                    for item in domain.indicators
                ],
            }
            for domain in scores.domains
        ],
        recommendations=[
            {
                "id": fired.id,
                "priority": str(fired.rule.priority),
                "horizon": str(fired.rule.horizon),
                "due": fired.due.isoformat(),
                "gap": fired.gap,
                "owner": pick(fired.rule.owner, lang) or None,
                "text": pick(fired.rule.text, lang),
            }
            for fired in outcome.recommendations
        ],
        gdhm=dict(scores.gdhm),
    )
    return result


def to_json(value: object) -> str:
    """Readable JSON (accents as they are) in which no control or format character is left raw."""
    return inert_json(json.dumps(value, ensure_ascii=False, indent=2))


def validation_json(validation: Validation) -> dict[str, object]:
    return {
        "file": validation.file,
        "valid": validation.valid,
        "questionnaire": validation.questionnaire.ref if validation.questionnaire else None,
        "errors": [p.as_json() for p in first_problems(validation.errors)],
        "warnings": [p.as_json() for p in first_problems(validation.warnings)],
    }


def score_csv(outcomes: Sequence[Outcome], *, lang: str) -> str:
    """One row per file; a column per domain and per indicator met in any file."""
    domain_columns: list[str] = []
    indicator_columns: list[str] = []
    for outcome in outcomes:
        for domain in outcome.scores.domains if outcome.scores else ():
            _add(domain_columns, f"domain:{domain.id}")
            for indicator in domain.indicators:
                _add(indicator_columns, f"indicator:{indicator.id}")
    head = ["file", "entity_id", "entity_name", "entity_type", "province", "questionnaire", "version", "date"]
    head += ["index", "stage", "stage_label", "completeness", "errors"]
    rows = [_csv_row(outcome, lang, domain_columns, indicator_columns) for outcome in outcomes]
    return csv_text(head + domain_columns + indicator_columns, rows)


def _add(columns: list[str], name: str) -> None:
    if name not in columns:
        columns.append(name)


def _csv_row(outcome: Outcome, lang: str, domain_columns: list[str], indicator_columns: list[str]) -> list[object]:
    data = score_json(outcome, lang=lang)
    entity = data["entity"]
    questionnaire = data["questionnaire"] or {}
    assessment = data["assessment"] or {}
    values: dict[str, object] = {}
    for domain in outcome.scores.domains if outcome.scores else ():
        values[f"domain:{domain.id}"] = domain.score
        for indicator in domain.indicators:
            values[f"indicator:{indicator.id}"] = indicator.score
    row: list[object] = [data["file"]]
    row += [entity.get(key) for key in ("id", "name", "type", "province")]  # type: ignore[attr-defined]
    row += [questionnaire.get("id"), questionnaire.get("version"), assessment.get("date")]  # type: ignore[attr-defined]
    row += [data["index"], data["stage"], data["stage_label"], data["completeness"], len(data["errors"])]  # type: ignore[arg-type]
    row += [values.get(column) for column in domain_columns + indicator_columns]
    return row


def one_decimal(value: float | None, lang: str = "en") -> str:
    """Scores in tables and reports: one decimal, a decimal comma in Vietnamese."""
    if value is None:
        return "–"
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "vi" else text


def percent(value: float | None, lang: str = "en") -> str:
    if value is None:
        return "–"
    return one_decimal(100 * value, lang).removesuffix(",0").removesuffix(".0") + "%"


PRIORITIES = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}


def width(text: str) -> int:
    """Display width in a terminal (wide East Asian characters count twice)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> str:
    """A plain-text table with aligned columns; ``right`` lists right-aligned column numbers.

    Every cell goes through :func:`visible`: names from facilities' files never drive the terminal.
    """
    headers = [visible(h) for h in headers]
    rows = [[visible(cell) for cell in row] for row in rows]
    widths = [max([width(h)] + [width(row[i]) for row in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = []
        for index, cell in enumerate(cells):
            pad = " " * (widths[index] - width(cell))
            parts.append(pad + cell if index in right else cell + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def score_table(outcomes: Sequence[Outcome], *, lang: str) -> str:
    """One outcome: a detailed view; several: one summary row each."""
    if len(outcomes) == 1 and outcomes[0].scores is not None:
        return _detail(outcomes[0], lang)
    domain_ids: list[str] = []
    for outcome in outcomes:
        for domain in outcome.scores.domains if outcome.scores else ():
            _add(domain_ids, domain.id)
    _ = i18n.texts(lang)
    headers = [_("file"), _("entity"), _("index"), _("stage"), *domain_ids, _("complete")]
    rows = []
    for outcome in outcomes:
        entity = outcome.validation.raw_entity
        scores = outcome.scores
        if scores is None:
            rows.append([outcome.file, str(entity.get("id", "")), _("invalid"), "", *[""] * len(domain_ids), ""])
            continue
        by_id = {domain.id: domain.score for domain in scores.domains}
        stage = f"{scores.stage.level} {pick(scores.stage.label, lang)}" if scores.stage else "–"
        rows.append(
            [
                outcome.file,
                str(entity.get("id", "")),
                one_decimal(scores.index, lang),
                stage,
                *(one_decimal(by_id.get(d), lang) for d in domain_ids),
                percent(scores.completeness, lang),
            ]
        )
    right = [2, *range(4, 4 + len(domain_ids) + 1)]
    return table(headers, rows, right=right)


def _detail(outcome: Outcome, lang: str) -> str:
    response = outcome.validation.response
    scores = outcome.scores
    if response is None or scores is None:
        return ""
    _ = i18n.texts(lang)
    questionnaire = response.questionnaire
    entity = response.entity
    titles = _titles(questionnaire, lang)
    stage = f"{scores.stage.level} {pick(scores.stage.label, lang)}" if scores.stage else "–"
    figures = {"index": one_decimal(scores.index, lang), "stage": stage}
    head = [
        f"{entity.name or entity.id} ({entity.id}, {entity.type}{', ' + entity.province if entity.province else ''})",
        _("%(questionnaire)s, assessed %(date)s")
        % {"questionnaire": questionnaire.ref, "date": i18n.numeric_date(response.assessment.date, lang)},
        _("Index %(index)s  stage %(stage)s  completeness %(completeness)s")
        % {**figures, "completeness": percent(scores.completeness, lang)},
        "",
    ]
    rows = []
    for domain in scores.domains:
        rows.append([titles[domain.id], one_decimal(domain.score, lang), _stage(domain.stage, lang)])
        rows.extend(
            ["  " + titles[item.id], one_decimal(item.score, lang), _stage(item.stage, lang)]
            for item in domain.indicators
        )
    body = table([_("domain / indicator"), _("score"), _("stage")], rows, right=[1])
    return "\n".join([*map(visible, head), body, *map(visible, _urgent(outcome, lang))])


def _urgent(outcome: Outcome, lang: str) -> list[str]:
    """The five most urgent recommendations, numbered, with their priority and due date."""
    _ = i18n.texts(lang)
    recs = []
    for n, fired in enumerate(outcome.recommendations[:5], start=1):
        when = {"priority": _(PRIORITIES[str(fired.rule.priority)]), "due": i18n.numeric_date(fired.due, lang)}
        recs.append(f"  {n}. " + _("[%(priority)s, by %(due)s]") % when + f" {pick(fired.rule.text, lang)}")
    more = len(outcome.recommendations) - len(recs)
    tail = ["", _("Most urgent recommendations:"), *recs] if recs else []
    if more > 0:
        tail.append(
            "  " + _("... and %(count)s more (--format json lists them all)") % {"count": i18n.count(more, lang)}
        )
    return tail


def _stage(stage: object, lang: str) -> str:
    if stage is None:
        return "–"
    return f"{stage.level} {pick(stage.label, lang)}"  # type: ignore[attr-defined]


def _titles(questionnaire: Questionnaire, lang: str) -> dict[str, str]:
    titles = {}
    for domain in questionnaire.domains:
        titles[domain.id] = pick(domain.title, lang)
        for indicator in domain.indicators:
            titles[indicator.id] = pick(indicator.title, lang)
    return titles
