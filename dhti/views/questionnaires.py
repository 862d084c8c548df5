"""``dhti questionnaires list`` and ``show``: questionnaires as text for people."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dhti import i18n, references
from dhti.i18n import N_
from dhti.questionnaire import (
    ComplianceItem,
    Indicator,
    Question,
    Questionnaire,
    QuestionType,
    WhenSkipped,
    pick,
    question_numbers,
)
from dhti.registry import Listing
from dhti.resources import bundled_dir
from dhti.safetext import visible
from dhti.skiplogic import in_words, only_if
from dhti.views.scores import table

# A question's type and a questionnaire's aggregation, as ``show`` names them: in English the
# codes the files use, which read as words; the Vietnamese catalogue gives words for them.
TYPE_NAMES = {
    QuestionType.CHOICE: N_("choice"),
    QuestionType.YES_NO: N_("yes_no"),
    QuestionType.MULTI: N_("multi"),
    QuestionType.NUMBER: N_("number"),
    QuestionType.PERCENT: N_("percent"),
    QuestionType.TEXT: N_("text"),
    QuestionType.DATE: N_("date"),
}
AGGREGATION_NAMES = {"arithmetic": N_("arithmetic"), "geometric": N_("geometric")}
EVIDENCE_NAMES = {"recommended": N_("evidence recommended"), "required": N_("evidence required")}


def list_table(questionnaires: Sequence[Listing], *, lang: str) -> str:
    _ = i18n.texts(lang)
    rows = []
    bundled = str(bundled_dir())
    for q in questionnaires:
        source = _("bundled") if q.source.startswith(bundled) else q.source
        count = i18n.count(q.questions, lang)
        rows.append([q.id, q.version, ", ".join(q.entity_types), count, pick(q.title, lang), source])
    headers = [_("id"), _("version"), _("entity types"), _("questions"), _("title"), _("source")]
    return table(headers, rows, right=[3])


def show_text(questionnaire: Questionnaire, *, lang: str) -> str:
    """The whole questionnaire as readable text: domains, indicators, questions and options.

    A user's questionnaire is not trusted: each line goes through :func:`visible`.
    """
    _ = i18n.texts(lang)
    q = questionnaire
    numbers = question_numbers(q)
    about = {
        "types": ", ".join(q.entity_types),
        "aggregation": _(AGGREGATION_NAMES.get(str(q.aggregation), str(q.aggregation))),
        "count": i18n.count(q.scored_question_count(), lang),
    }
    stages = ", ".join(f"{s.level} {pick(s.label, lang)} (>= {s.min:g})" for s in q.stages)
    lines = [
        f"{pick(q.title, lang)} ({q.ref})",
        *([pick(q.description, lang)] if q.description else []),
        _("Entity types: %(types)s   Aggregation: %(aggregation)s   Scored questions: %(count)s") % about,
        _("Stages: %(stages)s") % {"stages": stages},
    ]
    if q.gdhm_for:
        lines.append(_("GDHM reading for: %(types)s") % {"types": ", ".join(q.gdhm_for)})
    for d, domain in enumerate(q.domains, start=1):
        lines += ["", f"{d}. {pick(domain.title, lang)} [{domain.id}, {_weight(domain.weight, lang)}]"]
        for i, indicator in enumerate(domain.indicators, start=1):
            shown = ", ".join(references.display(ref, lang) for ref in indicator.refs)
            refs = "; " + _("refs: %(refs)s") % {"refs": shown} if indicator.refs else ""
            gdhm = f"; GDHM {indicator.gdhm}" if indicator.gdhm else ""
            about_indicator = f"{indicator.id}, {_weight(indicator.weight, lang)}{gdhm}{refs}"
            lines.append(f"  {d}.{i} {pick(indicator.title, lang)} [{about_indicator}]")
            lines += _gates(q, indicator, numbers=numbers, lang=lang)
            for question in indicator.questions:
                lines += _question(q, question, numbers=numbers, lang=lang)
    if q.compliance:
        lines += ["", _("Legal obligations (judged apart from the score):")]
        for item in q.compliance:
            lines += _compliance(q, item, numbers=numbers, lang=lang)
    if q.recommendations:
        lines += ["", _("Recommendation rules: %(count)s") % {"count": i18n.count(len(q.recommendations), lang)}]
    return "\n".join(map(visible, lines))


def _condition(q: Questionnaire, source: str, *, numbers: Mapping[str, str], lang: str) -> str:
    """A gate's or compliance item's expression in words (as written if it does not parse)."""
    expr = q.parsed_expressions.get(source)
    return source if expr is None else in_words(expr, q, lang=lang, numbers=numbers)


def _gates(q: Questionnaire, indicator: Indicator, *, numbers: Mapping[str, str], lang: str) -> list[str]:
    """``Stage 4 and above need: a budget (question 1.1.2 is “Yes”)``, one line per gate."""
    _ = i18n.texts(lang)
    lines = []
    top = q.stages[-1].level
    for gate in sorted(indicator.gates, key=lambda gate: gate.stage):
        facts = {
            "stage": gate.stage,
            "what": pick(gate.text, lang),
            "condition": _condition(q, gate.requires, numbers=numbers, lang=lang),
        }
        if gate.stage >= top:
            lines.append("      " + _("Stage %(stage)s needs %(what)s: %(condition)s") % facts)
        else:
            lines.append("      " + _("Stage %(stage)s and above need %(what)s: %(condition)s") % facts)
    return lines


def _compliance(q: Questionnaire, item: ComplianceItem, *, numbers: Mapping[str, str], lang: str) -> list[str]:
    _ = i18n.texts(lang)
    binds = ", ".join(item.entity_types) if item.entity_types else ", ".join(q.entity_types)
    about = [item.id, _("binds %(types)s") % {"types": binds}]
    if item.refs:
        about.append(_("refs: %(refs)s") % {"refs": ", ".join(references.display(ref, lang) for ref in item.refs)})
    lines = [f"  - {pick(item.text, lang)} [{'; '.join(about)}]"]
    condition = _condition(q, item.met, numbers=numbers, lang=lang)
    lines.append("      " + _("Met when %(condition)s") % {"condition": condition})
    if item.due is not None:
        due = i18n.numeric_date(item.due, lang)
        lines.append("      " + _("Deadline %(date)s: pending before it, a breach from that day on") % {"date": due})
    else:
        lines.append("      " + _("No deadline: not met is a breach"))
    if item.caps_stage is not None:
        lines.append("      " + _("While in breach, the index stage is at most %(stage)s") % {"stage": item.caps_stage})
    return lines


def _weight(weight: float, lang: str) -> str:
    _ = i18n.texts(lang)
    return _("weight %(weight)s") % {"weight": f"{weight:g}"}


def _flags(question: Question, lang: str) -> list[str]:
    """What kind of answer a question takes, and the rules it comes with."""
    _ = i18n.texts(lang)
    flags = [_(TYPE_NAMES[question.type])]
    if question.weight != 1:
        flags.append(_weight(question.weight, lang))
    if not question.required:
        flags.append(_("optional"))
    if question.allow_na:
        flags.append(_("na allowed"))
    if question.entity_types:
        flags.append(_("only %(types)s") % {"types": ", ".join(question.entity_types)})
    if question.evidence.value != "none":
        flags.append(_(EVIDENCE_NAMES[question.evidence.value]))
    return flags


def _question(q: Questionnaire, question: Question, *, numbers: Mapping[str, str], lang: str) -> list[str]:
    _ = i18n.texts(lang)
    flags = _flags(question, lang)
    lines = [f"    {numbers[question.id]} {pick(question.text, lang)}", f"        {question.id} ({'; '.join(flags)})"]
    condition = only_if(q, question, lang=lang, numbers=numbers)
    if condition:
        lines.append(f"        {condition}")
        if question.scored and question.when_skipped is WhenSkipped.ZERO:
            lines.append("        " + _("When skipped, it counts as 0 (the capability is absent)"))
    if question.type in (QuestionType.CHOICE, QuestionType.MULTI):
        lines += [
            f"        - {option.value} = {pick(option.label, lang)} ({option.points:g})"
            for option in question.options or ()
        ]
    if question.bands:
        bands = ", ".join(f">= {band.min:g}: {band.points:g}" for band in question.bands)
        lines.append("        " + _("bands: %(bands)s") % {"bands": bands})
    if question.linear:
        ends = {"start": f"{question.linear.from_:g}", "end": f"{question.linear.to:g}"}
        lines.append("        " + _("linear: %(start)s -> %(end)s") % ends)
    return lines
