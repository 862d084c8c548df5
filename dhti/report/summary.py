"""What the first page of an entity report says, worded: rank, change, points to the next stage, first actions.

Pure: every function takes the scores, the stored comparisons and the report date as values,
and returns sentences in the report language (numbers and dates already formatted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dhti import i18n, peers
from dhti.i18n import N_
from dhti.questionnaire import Questionnaire, pick
from dhti.scoring import Scores, Status

Translate = Callable[[str], str]

#: How many first actions page 1 lists at most, and at least when the roadmap has them.
MOST_FIRST_ACTIONS = 5
FEWEST_FIRST_ACTIONS = 3
#: About how many characters of action and obligation text page 1 holds at its type size, beside the
#: rest of the summary: a fourth or fifth first action is taken only while the page has room for it.
PAGE_ONE_CHARACTERS = 3250
#: The characters an action's owner, date and priority line takes, counted with its text.
ACTION_LINE = 120
#: More high-priority actions than this for one owner within six months is flagged as a load to share.
OWNER_HIGH_LOAD = 4

#: An entity type as a rank names its group: one of them, and several (Vietnamese uses one word for both).
GROUPS = {
    "hospital": (N_("hospital"), N_("hospitals")),
    "health_centre": (N_("health centre"), N_("health centres")),
    "commune_health_station": (N_("commune health station"), N_("commune health stations")),
    "clinic": (N_("clinic"), N_("clinics")),
    "provincial_health_department": (N_("provincial Department of Health"), N_("provincial Departments of Health")),
    "ministry": (N_("ministry"), N_("ministries")),
}
#: Types of which a province has one at most: a provincial rank would always be 1 of 1.
ONE_PER_PROVINCE = frozenset({"provincial_health_department", "ministry"})

RANK_PROVINCE = N_("Rank %(rank)s/%(of)s among the %(group)s assessed in %(province)s")
RANK_NATION = N_("Rank %(rank)s/%(of)s among the %(group)s assessed nationally")
NO_PEER = N_("No comparison yet: no other %(one)s has been assessed.")
ONLY_ONE = N_("No comparison: the Ministry is the only entity of its kind.")
#: Types of which there is one in the country: no peer is ever missing.
UNIQUE = frozenset({"ministry"})
NO_LOCAL_PEER = N_("No other %(one)s in %(province)s has been assessed yet.")
CHANGES = {
    "rose": N_("Up %(change)s points since the assessment of %(date)s (from %(start)s to %(end)s)."),
    "fell": N_("Down %(change)s points since the assessment of %(date)s (from %(start)s to %(end)s)."),
    "same": N_("Unchanged since the assessment of %(date)s (%(end)s points)."),
}
FIRST_ASSESSMENT = N_("This is the first assessment stored for this entity: there is no earlier one to compare with.")
TOP_STAGE = N_("Stage %(level)s (%(label)s) is the top stage.")
NEXT_STAGE = N_("%(points)s points to stage %(level)s (%(label)s).")
NEXT_STAGE_AND_OBLIGATIONS = N_(
    "%(points)s points to stage %(level)s (%(label)s); the legal obligations marked below must be met as well."
)
BLOCKS = N_("holds back stage %(level)s")
OWNER_OVERLOAD = N_(
    "%(owner)s has %(count)s high-priority actions within 6 months: more than one person usually carries at"
    " once; share them out or phase them."
)


@dataclass(frozen=True)
class Change:
    """The change since the last earlier assessment: a signed figure and a sentence (``shown`` "" if none)."""

    shown: str
    direction: str  # rose | fell | same | first
    sentence: str


@dataclass(frozen=True)
class Ranking:
    """The page-1 sentences on standing: provincial and national ranks, or why there is none; the peer median."""

    lines: tuple[str, ...]
    peers: int
    peer_median: float | None


@dataclass(frozen=True)
class Action:
    """One roadmap action as the summary and the roadmap show it (the view is built by the caller)."""

    position: int  # in the order of contract 3.3
    owner: str
    priority: str
    horizon: str
    length: int = 0  # characters of its text


@dataclass(frozen=True)
class OwnerLoad:
    owner: str
    by_horizon: tuple[int, ...]  # short, medium, long
    high_soon: int  # high priority within 6 months


def group_words(entity_type: str, translate: Translate) -> tuple[str, str]:
    """The type as a rank names it, one and several; an unknown type as written."""
    one, several = GROUPS.get(entity_type, (entity_type, entity_type))
    return translate(one), translate(several)


def ranking(
    found: peers.Standing,
    *,
    entity_type: str,
    province: str | None,
    lang: str,
    translate: Translate,
) -> Ranking:
    """The ranks as sentences: in the province (for types a province has several of), then nationally."""
    one, several = group_words(entity_type, translate)
    if found.peers == 0:
        alone = translate(ONLY_ONE) if entity_type in UNIQUE else translate(NO_PEER) % {"one": one}
        return Ranking((alone,), 0, None)
    lines = []
    if province and entity_type not in ONE_PER_PROVINCE and found.provincial is not None:
        if found.provincial_peers:
            values = _rank_values(found.provincial, lang) | {"group": several, "province": province}
            lines.append(translate(RANK_PROVINCE) % values)
        else:
            lines.append(translate(NO_LOCAL_PEER) % {"one": one, "province": province})
    lines.append(translate(RANK_NATION) % (_rank_values(found.national, lang) | {"group": several}))
    return Ranking(tuple(lines), found.peers, found.peer_median)


def _rank_values(rank: peers.Rank, lang: str) -> dict[str, str]:
    return {"rank": i18n.count(rank.position, lang), "of": i18n.count(rank.of, lang)}


def rank_text(rank: peers.Rank | None, lang: str) -> str:
    """``5/23``, or an en dash for no rank."""
    return f"{i18n.count(rank.position, lang)}/{i18n.count(rank.of, lang)}" if rank else "–"


def change(found: peers.Trend | None, *, lang: str, translate: Translate) -> Change:
    """The change since the last earlier assessment, in step with the two one-decimal numbers shown."""
    if found is None or len(found.points) < 2:
        return Change("", "first", translate(FIRST_ASSESSMENT))
    before, now = found.points[-2], found.points[-1]
    shown = [round(point.index, 1) for point in (before, now)]
    delta = round(shown[1] - shown[0], 1)
    direction = "same" if delta == 0 else ("rose" if delta > 0 else "fell")
    sign = {"rose": "+", "fell": "−", "same": "±"}[direction]
    sentence = translate(CHANGES[direction]) % {
        "change": i18n.number(abs(delta), lang),
        "date": i18n.date(before.date, lang),
        "start": i18n.number(before.index, lang),
        "end": i18n.number(now.index, lang),
    }
    return Change(sign + i18n.number(abs(delta), lang), direction, sentence)


def next_stage(q: Questionnaire, scores: Scores, *, lang: str, translate: Translate) -> str:
    """How far the index is from the next stage, and whether obligations in breach stand in its way too.

    ``""`` when the score already reaches the next stage: the note on the cap says what holds it.
    """
    if scores.index is None or scores.stage is None:
        return ""
    level = scores.stage.level + 1
    following = next((stage for stage in q.stages if stage.level == level), None)
    if following is None:
        return translate(TOP_STAGE) % {"level": scores.stage.level, "label": pick(scores.stage.label, lang)}
    blocking = blocking_obligations(scores)
    points = following.min - scores.index
    values = {"points": i18n.number(max(points, 0.0), lang), "level": level, "label": pick(following.label, lang)}
    if points <= 0:
        return ""
    return translate(NEXT_STAGE_AND_OBLIGATIONS if blocking else NEXT_STAGE) % values


def blocking_obligations(scores: Scores) -> tuple[str, ...]:
    """The ids of the obligations in breach whose cap keeps the index below the next stage."""
    if scores.stage is None:
        return ()
    level = scores.stage.level + 1
    return tuple(
        status.id
        for status in scores.compliance
        if status.status is Status.BREACH and status.item.caps_stage is not None and status.item.caps_stage < level
    )


def first_actions(actions: Sequence[Action], *, room: int = PAGE_ONE_CHARACTERS) -> tuple[int, ...]:
    """The positions of the first actions, in roadmap order.

    Walk the roadmap and take the first action of each owner not yet taken, up to five; then
    fill up to three with the next ones in order. Beyond three, an action is taken only while
    the texts taken fit in ``room`` characters, so that page 1 holds them all.
    """
    chosen: list[int] = []
    owners: set[str] = set()
    used = 0
    for action in actions:
        if len(chosen) == MOST_FIRST_ACTIONS:
            break
        size = action.length + ACTION_LINE
        if action.owner in owners or (len(chosen) >= FEWEST_FIRST_ACTIONS and used + size > room):
            continue
        owners.add(action.owner)
        chosen.append(action.position)
        used += size
    for action in actions:
        if len(chosen) >= FEWEST_FIRST_ACTIONS:
            break
        if action.position not in chosen:
            chosen.append(action.position)
    return tuple(sorted(chosen))


def owner_loads(actions: Sequence[Action], horizons: Sequence[str]) -> tuple[OwnerLoad, ...]:
    """Each owner's actions per horizon and high-priority ones within the first, owners in roadmap order."""
    owners = list(dict.fromkeys(action.owner for action in actions))
    return tuple(
        OwnerLoad(
            owner,
            tuple(sum(1 for a in actions if a.owner == owner and a.horizon == h) for h in horizons),
            sum(1 for a in actions if a.owner == owner and a.horizon == horizons[0] and a.priority == "high"),
        )
        for owner in owners
    )


def overload_notes(loads: Sequence[OwnerLoad], *, lang: str, translate: Translate) -> tuple[str, ...]:
    return tuple(
        translate(OWNER_OVERLOAD) % {"owner": load.owner, "count": i18n.count(load.high_soon, lang)}
        for load in loads
        if load.high_soon > OWNER_HIGH_LOAD
    )


def overdue(due: dt.date | None, report_date: dt.date) -> bool:
    """A date before the report date has passed."""
    return due is not None and due < report_date
