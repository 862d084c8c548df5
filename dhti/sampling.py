"""Which self-assessments to verify: a reproducible stratified random sample, plus the units a rule always checks.

In every stratum (by default province x entity type) ``ceil(rate x n)`` units are drawn at
random, at least ``minimum`` and at most ``n``. Each stratum draws from its own generator,
seeded by the seed and the stratum's key, so adding a province or a unit elsewhere leaves the
other strata's draws as they were. The random draw is over every unit of the stratum, those a
rule picks too: the random part stays a probability sample, from which agreement between self
and verified answers can be estimated. On top of it come the units a rule says must always be
checked: one with a compliance item in breach (``breach``), one claiming its questionnaire's
top stage (``top-stage``), one whose index rose by at least ``jump`` points since its previous
assessment (``jump``). Pure: candidates in, a plan out.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from dhti.errors import DhtiError
from dhti.messages import L_, Count, Decimal, Message

JUMP_POINTS = 15.0  # the default rise of the index, in points, that makes a unit always checked
STRATA = ("province", "entity_type")
NO_PROVINCE = "—"


class Rule(enum.StrEnum):
    """Why a unit is in the plan."""

    RANDOM = "random"
    BREACH = "breach"
    TOP_STAGE = "top-stage"
    JUMP = "jump"


ALWAYS_RULES = (Rule.BREACH, Rule.TOP_STAGE, Rule.JUMP)


class SampleError(DhtiError):
    """A plan that cannot be drawn as asked (a rate outside 0..1, an unknown stratum or rule)."""


@dataclass(frozen=True)
class Candidate:
    """The latest self-assessment of one unit, with what the rules look at.

    ``top_stage`` is the highest stage of its questionnaire; ``previous_index`` the index of the
    unit's assessment before (``None`` if none); ``in_breach`` whether a compliance item is in breach.
    """

    assessment: int
    entity_id: str
    entity_name: str | None
    entity_type: str
    province: str | None
    questionnaire: str
    assessment_date: dt.date
    index: float | None
    stage: int | None
    top_stage: int
    previous_index: float | None
    in_breach: bool

    def stratum(self, by: Sequence[str]) -> tuple[str, ...]:
        values = {"province": self.province or NO_PROVINCE, "entity_type": self.entity_type}
        values["questionnaire"] = self.questionnaire
        return tuple(values[name] for name in by)

    @property
    def rise(self) -> float | None:
        if self.index is None or self.previous_index is None:
            return None
        return self.index - self.previous_index


@dataclass(frozen=True)
class Chosen:
    """One unit of the plan: why it was chosen (its rules, and each reason as a message)."""

    candidate: Candidate
    rules: tuple[Rule, ...]
    reasons: tuple[Message, ...]


@dataclass(frozen=True)
class Stratum:
    """One stratum's draw: its key, its units and how many were drawn at random."""

    key: tuple[str, ...]
    size: int
    drawn: int


@dataclass(frozen=True)
class SamplePlan:
    """The units to verify, ordered by stratum then entity id, and each stratum's counts."""

    chosen: tuple[Chosen, ...]
    strata: tuple[Stratum, ...]
    seed: int
    rate: float

    @property
    def random_count(self) -> int:
        return sum(1 for chosen in self.chosen if Rule.RANDOM in chosen.rules)


@dataclass(frozen=True)
class SampleRules:
    """How to draw: the rate per stratum, its minimum, the strata, the always-check rules, the seed."""

    rate: float
    seed: int
    minimum: int = 1
    stratify: tuple[str, ...] = STRATA
    always: tuple[Rule, ...] = ()
    jump: float = JUMP_POINTS

    def check(self) -> None:
        if not 0 <= self.rate <= 1:
            raise SampleError(L_("the rate is a share between 0 and 1 (0.1 for 10%%), not %(rate)s", rate=self.rate))
        unknown = [name for name in self.stratify if name not in (*STRATA, "questionnaire")]
        if unknown:
            message = L_(
                "cannot stratify by %(names)s; choose among province, entity_type, questionnaire",
                names=", ".join(unknown),
            )
            raise SampleError(message)


def quota(size: int, *, rate: float, minimum: int) -> int:
    """How many of a stratum's ``size`` units are drawn: ``ceil(rate x size)``, at least ``minimum``, at most all."""
    wanted = math.ceil(round(rate * size, 9))  # 0.1 x 30 is 3.0000000000000004: still 3
    return min(size, max(minimum, wanted))


def draw(candidates: Sequence[Candidate], rules: SampleRules) -> SamplePlan:
    """The plan: every stratum's random draw and the units the rules always check, without repeats."""
    rules.check()
    by_stratum: dict[tuple[str, ...], list[Candidate]] = defaultdict(list)
    for candidate in sorted(candidates, key=lambda c: (c.entity_id, c.assessment)):
        by_stratum[candidate.stratum(rules.stratify)].append(candidate)
    drawn: dict[int, Message] = {}
    strata = []
    for key in sorted(by_stratum):
        members = by_stratum[key]
        count = quota(len(members), rate=rules.rate, minimum=rules.minimum)
        strata.append(Stratum(key, len(members), count))
        generator = random.Random(f"{rules.seed}:" + "\x1f".join(key))  # noqa: S311 - a sample, not a secret
        for picked in generator.sample(members, count):
            drawn[picked.assessment] = L_(
                "random in stratum %(stratum)s (%(drawn)s of %(size)s)",
                stratum=" · ".join(key) or "—",
                drawn=Count(count),
                size=Count(len(members)),
            )
    chosen = []
    for key in sorted(by_stratum):
        for candidate in by_stratum[key]:
            found = _reasons(candidate, rules, drawn.get(candidate.assessment))
            if found:
                chosen.append(Chosen(candidate, tuple(rule for rule, _ in found), tuple(text for _, text in found)))
    return SamplePlan(tuple(chosen), tuple(strata), rules.seed, rules.rate)


def _reasons(candidate: Candidate, rules: SampleRules, random_reason: Message | None) -> list[tuple[Rule, Message]]:
    found: list[tuple[Rule, Message]] = []
    if random_reason is not None:
        found.append((Rule.RANDOM, random_reason))
    if Rule.BREACH in rules.always and candidate.in_breach:
        found.append((Rule.BREACH, L_("a legal obligation in breach")))
    if Rule.TOP_STAGE in rules.always and candidate.stage is not None and candidate.stage >= candidate.top_stage:
        found.append((Rule.TOP_STAGE, L_("claims stage %(stage)s, the top stage", stage=candidate.stage)))
    rise = candidate.rise
    if Rule.JUMP in rules.always and rise is not None and rise >= rules.jump - 1e-9:
        message = L_("index rose %(rise)s points since the assessment before", rise=Decimal(rise))
        found.append((Rule.JUMP, message))
    return found
