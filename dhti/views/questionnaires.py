"""``dhti questionnaires list`` and ``show``: questionnaires as text for people."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dhti.questionnaire import Question, Questionnaire, QuestionType, pick, question_numbers
from dhti.registry import Listing
from dhti.resources import bundled_dir
from dhti.safetext import visible
from dhti.skiplogic import only_if
from dhti.views.scores import table


def list_table(questionnaires: Sequence[Listing], *, lang: str) -> str:
    rows = []
    bundled = str(bundled_dir())
    for q in questionnaires:
        source = "bundled" if q.source.startswith(bundled) else q.source
        rows.append([q.id, q.version, ", ".join(q.entity_types), str(q.questions), pick(q.title, lang), source])
    return table(["id", "version", "entity types", "questions", "title", "source"], rows, right=[3])


def show_text(questionnaire: Questionnaire, *, lang: str) -> str:
    """The whole questionnaire as readable text: domains, indicators, questions and options.

    A user's questionnaire is not trusted: each line goes through :func:`visible`.
    """
    q = questionnaire
    numbers = question_numbers(q)
    lines = [
        f"{pick(q.title, lang)} ({q.ref})",
        *([pick(q.description, lang)] if q.description else []),
        f"Entity types: {', '.join(q.entity_types)}   Aggregation: {q.aggregation}   Scored questions: "
        + str(q.scored_question_count()),
        "Stages: " + ", ".join(f"{s.level} {pick(s.label, lang)} (>= {s.min:g})" for s in q.stages),
    ]
    for d, domain in enumerate(q.domains, start=1):
        lines += ["", f"{d}. {pick(domain.title, lang)} [{domain.id}, weight {domain.weight:g}]"]
        for i, indicator in enumerate(domain.indicators, start=1):
            refs = f"; refs: {', '.join(indicator.refs)}" if indicator.refs else ""
            gdhm = f"; GDHM {indicator.gdhm}" if indicator.gdhm else ""
            lines.append(
                f"  {d}.{i} {pick(indicator.title, lang)} [{indicator.id}, weight {indicator.weight:g}{gdhm}{refs}]"
            )
            for question in indicator.questions:
                lines += _question(q, question, numbers=numbers, lang=lang)
    if q.recommendations:
        lines += ["", f"Recommendation rules: {len(q.recommendations)}"]
    return "\n".join(map(visible, lines))


def _question(q: Questionnaire, question: Question, *, numbers: Mapping[str, str], lang: str) -> list[str]:
    flags = [str(question.type)]
    if question.weight != 1:
        flags.append(f"weight {question.weight:g}")
    if not question.required:
        flags.append("optional")
    if question.allow_na:
        flags.append("na allowed")
    if question.entity_types:
        flags.append("only " + ", ".join(question.entity_types))
    if question.evidence.value != "none":
        flags.append(f"evidence {question.evidence}")
    lines = [f"    {numbers[question.id]} {pick(question.text, lang)}", f"        {question.id} ({'; '.join(flags)})"]
    condition = only_if(q, question, lang=lang, numbers=numbers)
    if condition:
        lines.append(f"        {condition}")
    if question.type in (QuestionType.CHOICE, QuestionType.MULTI):
        lines += [
            f"        - {option.value} = {pick(option.label, lang)} ({option.points:g})"
            for option in question.options or ()
        ]
    if question.bands:
        lines.append("        bands: " + ", ".join(f">= {band.min:g}: {band.points:g}" for band in question.bands))
    if question.linear:
        lines.append(f"        linear: {question.linear.from_:g} -> {question.linear.to:g}")
    return lines
