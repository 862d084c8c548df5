"""Turning a plan into the outputs of ``dhti plan``: text for people, JSON, and the target response file."""

from __future__ import annotations

from typing import TypedDict

from dhti import i18n
from dhti.i18n import N_
from dhti.plan import Change, Outcome, Plan, What, value_text
from dhti.questionnaire import Questionnaire, Stage, pick
from dhti.response import AnswerValue, Response
from dhti.yamlio import AnswerEdit, retarget

TARGET_INDEX = N_("Index %(score)s, stage %(level)s %(label)s; target: stage %(target)s %(target_label)s (%(min)s)")
TARGET_DOMAIN = N_(
    "Domain %(domain)s: %(score)s, stage %(level)s %(label)s; target: stage %(target)s %(target_label)s (%(min)s)"
)
TARGET_INDICATOR = N_(
    "Indicator %(indicator)s: %(score)s, stage %(level)s %(label)s; target: stage %(target)s %(target_label)s (%(min)s)"
)
EXACT = N_("Exact: no plan with fewer changes reaches the target.")
HEURISTIC = N_("Heuristic: a plan with fewer changes may exist, because %(reason)s.")
CHANGES = N_("%(count)s change(s), by gain:")
GAIN = N_("%(gain)s points")
GAIN_IN_DOMAIN = N_("%(gain)s points (%(domain)s %(domain_gain)s)")
MEETS = N_("meets %(items)s")
OPENS = N_("meets the requirement of stage %(stages)s")
RESCORED = N_("Re-scored: %(score)s, stage %(level)s %(label)s — %(verdict)s")
REACHED = N_("target reached")
NOT_REACHED = N_("target NOT reached")
ALREADY = N_("Already at stage %(level)s %(label)s: the target needs no change.")
TOP = N_("Stage %(level)s %(label)s is the top stage: there is no stage above it to plan for.")
UNREACHABLE = N_("Stage %(target)s cannot be reached by changing answers: %(why)s.")
TARGET_HEADER = (
    N_("TARGET RESPONSE written by `dhti plan`: what %(file)s would answer to reach stage %(level)s."),
    N_("It is a target, not an assessment: do not submit or store it as one. Changed answers say what they were."),
)
WAS = N_("target; was: %(before)s")


class TargetJson(TypedDict):
    what: str
    id: str | None
    stage: int


class StandingJson(TypedDict):
    score: float | None
    stage: int | None


ChangeJson = TypedDict(
    "ChangeJson",
    {
        "question": str,
        "text": str,
        "from": object,
        "to": object,
        "gain": float,
        "domain": str,
        "domain_gain": float,
        "meets": list[str],
        "opens": list[int],
        "from_label": str,
        "to_label": str,
    },
)  # "from" is a keyword: the functional form


class PlanJson(TypedDict):
    file: str
    target: TargetJson
    current: StandingJson
    exact: bool
    reason: str | None
    outcome: str
    why_not: str | None
    changes: list[ChangeJson]
    rescored: StandingJson
    reached: bool


def plan_text(found: Plan, response: Response, *, lang: str) -> str:
    """What ``dhti plan`` prints: the standing and target, the changes by gain, and the re-scored copy."""
    _ = i18n.texts(lang)
    q = response.questionnaire
    lines = [response.file, _standing_line(found, q, lang=lang)]
    if found.outcome is Outcome.TOP:
        return "\n".join([*lines, _(TOP) % _stage_values(found.stage, lang)])
    if found.outcome is Outcome.ALREADY:
        return "\n".join([*lines, _(ALREADY) % _stage_values(found.stage, lang)])
    if found.outcome is Outcome.UNREACHABLE:
        why = found.why_not.render(lang) if found.why_not else ""
        return "\n".join([*lines, _(UNREACHABLE) % {"target": found.target.stage.level, "why": why}])
    lines.append(_(EXACT) if found.exact else _(HEURISTIC) % {"reason": found.reason(lang)})
    lines.append(_(CHANGES) % {"count": i18n.count(len(found.changes), lang)})
    for number, change in enumerate(found.changes, 1):
        lines += _change_lines(number, change, q, found, lang=lang)
    return "\n".join([*lines, rescored_line(found, lang=lang)])


def rescored_line(found: Plan, *, lang: str) -> str:
    """``Re-scored: 61,3, stage 4 Nâng cao — target reached``."""
    _ = i18n.texts(lang)
    stage = found.rescored_stage or found.stage
    values = _stage_values(stage, lang) | {
        "score": i18n.number(found.rescored_score, lang),
        "verdict": _(REACHED) if found.reached else _(NOT_REACHED),
    }
    return _(RESCORED) % values


def gain_text(change: Change, found: Plan, q: Questionnaire, *, lang: str) -> str:
    """``+1,9 points (Capacity +7,5)``: the domain's gain too when the target is the index."""
    _ = i18n.texts(lang)
    if found.target.what is not What.INDEX:
        return _(GAIN) % {"gain": signed(change.gain, lang)}
    title = next((pick(d.title, lang) for d in q.domains if d.id == change.domain), change.domain)
    values = {"gain": signed(change.gain, lang), "domain": title, "domain_gain": signed(change.domain_gain, lang)}
    return _(GAIN_IN_DOMAIN) % values


def signed(value: float, lang: str) -> str:
    shown = i18n.number(abs(value), lang)
    return ("−" if round(value, 1) < 0 else "+") + shown


def _change_lines(number: int, change: Change, q: Questionnaire, found: Plan, *, lang: str) -> list[str]:
    _ = i18n.texts(lang)
    question = q.questions[change.question]
    before = value_text(question, change.before, lang=lang)
    after = value_text(question, change.after, lang=lang)
    meets = "  [" + _(MEETS) % {"items": ", ".join(change.meets)} + "]" if change.meets else ""
    if change.opens:
        meets += "  [" + _(OPENS) % {"stages": ", ".join(map(str, change.opens))} + "]"
    return [
        f"{number:>3}. {change.question}  {gain_text(change, found, q, lang=lang)}",
        f"     {pick(question.text, lang)}",
        f"     {before} → {after}{meets}",
    ]


def _standing_line(found: Plan, q: Questionnaire, *, lang: str) -> str:
    _ = i18n.texts(lang)
    values = _stage_values(found.stage, lang) | {
        "score": i18n.number(found.score, lang),
        "target": found.target.stage.level,
        "target_label": pick(found.target.stage.label, lang),
        "min": i18n.number(found.target.stage.min, lang),
    }
    if found.target.what is What.DOMAIN:
        title = next(pick(d.title, lang) for d in q.domains if d.id == found.target.id)
        return _(TARGET_DOMAIN) % (values | {"domain": title})
    if found.target.what is What.INDICATOR:
        title = next(pick(i.title, lang) for i in q.indicators() if i.id == found.target.id)
        return _(TARGET_INDICATOR) % (values | {"indicator": title})
    return _(TARGET_INDEX) % values


def _stage_values(stage: Stage, lang: str) -> dict[str, object]:
    return {"level": stage.level, "label": pick(stage.label, lang)}


def plan_json(found: Plan, response: Response, *, file: str, lang: str) -> PlanJson:
    """The plan as ``dhti plan --format json`` gives it (full precision; labels in ``lang``)."""
    q = response.questionnaire
    return {
        "file": file,
        "target": {"what": str(found.target.what), "id": found.target.id, "stage": found.target.stage.level},
        "current": {"score": found.score, "stage": found.stage.level},
        "exact": found.exact,
        "reason": found.reason(lang),
        "outcome": str(found.outcome),
        "why_not": found.why_not.render(lang) if found.why_not else None,
        "changes": [_change_json(change, q, lang=lang) for change in found.changes],
        "rescored": {
            "score": found.rescored_score,
            "stage": found.rescored_stage.level if found.rescored_stage else None,
        },
        "reached": found.reached,
    }


def _change_json(change: Change, q: Questionnaire, *, lang: str) -> ChangeJson:
    question = q.questions[change.question]
    return {
        "question": change.question,
        "text": pick(question.text, lang),
        "from": plain_value(change.before),
        "to": plain_value(change.after),
        "gain": change.gain,
        "domain": change.domain,
        "domain_gain": change.domain_gain,
        "meets": list(change.meets),
        "opens": list(change.opens),
        "from_label": value_text(question, change.before, lang=lang),
        "to_label": value_text(question, change.after, lang=lang),
    }


def plain_value(value: AnswerValue | None) -> object:
    """An answer as JSON and YAML write it: a whole number without ``.0``, options as a list, a date as ISO text."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, tuple):
        return list(value)
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def target_file(found: Plan, response: Response, text: str, *, lang: str) -> str:
    """The response file's ``text`` with the plan's changes made: a target, each changed answer saying what it was."""
    _ = i18n.texts(lang)
    q = response.questionnaire
    order = list(q.questions)
    edits = [
        AnswerEdit(
            change.question,
            plain_value(change.after),
            note=_(WAS) % {"before": value_text(q.questions[change.question], change.before, lang=lang)},
            after=order[: order.index(change.question)][::-1],
        )
        for change in found.changes
    ]
    facts = {"file": response.file, "level": found.target.stage.level}
    return retarget(text, edits, header=[_(line) % facts for line in TARGET_HEADER])
