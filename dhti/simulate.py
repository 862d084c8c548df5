"""Synthetic campaigns: plausible, seeded response files for demonstrations and tests, never real data.

A campaign simulates, in each chosen province, ``entities`` units of every facility-level type
(hospital, health centre, commune health station, clinic), one provincial Department of Health,
and one Ministry of Health for the whole campaign, each assessed ``rounds`` times a year apart.

Each entity has a latent maturity in 0..1 (Beta-distributed, by type: :data:`MATURITY`) and an
offset per domain. An answer
is drawn from its domain's latent plus a little noise: a choice takes the option whose share of
the best points is closest, yes/no is yes with that probability, each option of a multi is
ticked with it, a number or percentage falls in the band the latent reaches. Questions are
answered only when asked of the entity (its type, and skip logic given the answers drawn so far,
in file order); required evidence is given, marked as simulated. Between rounds the latent grows
by a positive drift with noise, capped at 1.

The generator is pure: :func:`simulate` returns each file's relative path and text, and the same
plan gives the same bytes. Every entity's draws come from its own stream (seed and entity id), so
adding a province or a round leaves the other files as they were.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import statistics
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dhti import expressions, provinces
from dhti.errors import DhtiError
from dhti.messages import L_, Message
from dhti.questionnaire import Question, Questionnaire, QuestionType, applicable_questions, applies_to
from dhti.registry import Registry, version_key
from dhti.resources import bundled_dir
from dhti.response import FIRST_DATE, LAST_DATE
from dhti.safetext import without_accents

DEFAULT_PROVINCES = ("Cao Bằng", "Cần Thơ")
DEFAULT_ENTITIES = 4  # so that every entity has three peers of its type in its province
DEFAULT_START = dt.date(2025, 10, 15)
FACILITY_TYPES = ("hospital", "health_centre", "commune_health_station", "clinic")
DEPARTMENT = "provincial_health_department"
MINISTRY = "ministry"
MINISTRY_PROVINCE = "Hà Nội"
NA_CHANCE = 0.03
OPTIONAL_CHANCE = 0.6  # an optional unscored question (text, date, count) is answered this often
MAX_ROUNDS = 20
MAX_ENTITIES = 10_000

# What each simulated entity is called, by type: Vietnamese name, id code.
_KINDS: Mapping[str, tuple[str, str]] = {
    "hospital": ("Bệnh viện", "BV"),
    "health_centre": ("Trung tâm Y tế khu vực", "TTYT"),
    "commune_health_station": ("Trạm Y tế xã", "TYT"),
    "clinic": ("Phòng khám", "PK"),
    DEPARTMENT: ("Sở Y tế", "SYT"),
    MINISTRY: ("Bộ Y tế", "BYT"),
}
SIMULATED = "(mô phỏng)"
# The Beta(a, b) each type's latent maturity is drawn from: hospitals and the Ministry ahead
# (mean about 0.55), commune stations behind (about 0.36). A modelling choice for rehearsals, not
# a measurement of the sector.
MATURITY: Mapping[str, tuple[float, float]] = {
    "hospital": (3.0, 2.5),
    "health_centre": (2.4, 3.0),
    "commune_health_station": (1.8, 3.2),
    "clinic": (2.2, 2.8),
    DEPARTMENT: (2.6, 2.6),
    MINISTRY: (3.2, 2.6),
}


class SimulateError(DhtiError):
    """A campaign that cannot be simulated as asked (unknown province or questionnaire, bad count)."""


@dataclass(frozen=True)
class Plan:
    """What to simulate: the provinces (unit names), the questionnaires, and how much."""

    questionnaires: tuple[Questionnaire, ...]
    provinces: tuple[str, ...] = DEFAULT_PROVINCES
    entities: int = DEFAULT_ENTITIES
    rounds: int = 1
    seed: int = 0
    start: dt.date = DEFAULT_START
    # (entity type, province) of the one-per-province units real data already has: a Department
    # of Health (per province) or the Ministry (province "Hà Nội") is then not simulated beside it.
    skip: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class SimulatedFile:
    """One response file of the campaign: where it goes (relative), for which questionnaire, its text."""

    path: PurePosixPath
    questionnaire: str
    text: str


@dataclass(frozen=True)
class _Entity:
    id: str
    name: str
    type: str
    province: str
    folder: str
    questionnaire: Questionnaire
    beds: int | None
    ownership: str | None = None  # as simulated: private for a clinic, else public


def newest_bundled(registry: Registry, refs: Sequence[str] = ()) -> tuple[Questionnaire, ...]:
    """The newest version of each bundled questionnaire, or of those ``refs`` names (``id`` or ``id@version``)."""
    if refs:
        chosen: dict[str, Questionnaire] = {}
        for ref in refs:
            try:
                questionnaire = registry.get(ref)
            except DhtiError as err:
                raise SimulateError(err.text or str(err)) from err
            chosen.setdefault(questionnaire.id, questionnaire)
        return tuple(chosen[key] for key in sorted(chosen))
    folder = bundled_dir().resolve()
    newest: dict[str, tuple[tuple[tuple[int, str], ...], str]] = {}
    for listing in registry.listings:
        try:
            bundled = folder in Path(listing.source).resolve().parents
        except OSError:
            bundled = False
        if bundled:
            key = version_key(listing.version)
            if listing.id not in newest or key > newest[listing.id][0]:
                newest[listing.id] = (key, listing.ref)
    return tuple(registry.get(newest[key][1]) for key in sorted(newest))


def resolve_provinces(names: Sequence[str]) -> tuple[tuple[str, ...], tuple[Message, ...]]:
    """The units ``names`` mean (each once, in the order given) and a note for each former name.

    A former province (``Bình Định``) means the unit it was merged into (``Gia Lai``); a name
    that is none of the 34 units nor a former one is a :class:`SimulateError`.
    """
    units: list[str] = []
    notes: list[Message] = []
    for name in names:
        found = provinces.lookup(name)
        if found is None:
            close = provinces.provinces().closest(name)
            hint = L_(" (did you mean %(names)s?)", names=", ".join(repr(n) for n in close)) if close else ""
            raise SimulateError(
                L_(
                    "%(name)s is not one of the 34 provinces and cities in place since 1 July 2025%(hint)s",
                    name=repr(name),
                    hint=hint,
                )
            )
        note = provinces.problem(name)
        if note is not None:
            notes.append(note)
        if found.unit.name not in units:
            units.append(found.unit.name)
    return tuple(units), tuple(notes)


def check_plan(plan: Plan) -> None:
    """Refuse counts that make no campaign, or one too large to be meant."""
    if not 1 <= plan.entities <= MAX_ENTITIES:
        raise SimulateError(L_("--entities must be between 1 and %(most)s", most=MAX_ENTITIES))
    if not 1 <= plan.rounds <= MAX_ROUNDS:
        raise SimulateError(L_("--rounds must be between 1 and %(most)s", most=MAX_ROUNDS))
    last = _add_years(plan.start, plan.rounds - 1)
    if plan.start < FIRST_DATE or last > LAST_DATE:
        raise SimulateError(
            L_("assessment dates must be between %(first)s and %(last)s", first=FIRST_DATE, last=LAST_DATE)
        )
    if not plan.questionnaires:
        raise SimulateError(L_("no questionnaire to simulate"))
    if not entities(plan):
        raise SimulateError(
            L_(
                "%(questionnaires)s: none of its entity types is simulated (%(types)s)",
                questionnaires=", ".join(q.ref for q in plan.questionnaires),
                types=", ".join((*FACILITY_TYPES, DEPARTMENT, MINISTRY)),
            )
        )


def slug(text: str) -> str:
    """An ASCII folder or id part: ``Cần Thơ`` -> ``can-tho``."""
    words = "".join(c if c.isalnum() else " " for c in without_accents(text).lower()).split()
    return "-".join(word for word in words if word.isascii())


def entities(plan: Plan) -> list[_Entity]:
    """Every entity of the campaign, in the order its files are written."""
    by_type: dict[str, Questionnaire] = {}
    for questionnaire in plan.questionnaires:
        for entity_type in questionnaire.entity_types:
            by_type.setdefault(entity_type, questionnaire)
    found: list[_Entity] = []
    for province in plan.provinces:
        folder = slug(provinces.key(province))  # "Thành phố Hồ Chí Minh" -> "ho-chi-minh"
        place = _place(province)
        for entity_type in FACILITY_TYPES:
            if entity_type not in by_type:
                continue
            label, code = _KINDS[entity_type]
            for number in range(1, plan.entities + 1):
                entity_id = f"SIM-{folder.upper()}-{code}-{number:03d}"
                name = f"{label} số {number} {place} {SIMULATED}"
                beds = _beds(entity_type, plan.seed, entity_id)
                found.append(_Entity(entity_id, name, entity_type, province, folder, by_type[entity_type], beds))
        if DEPARTMENT in by_type and (DEPARTMENT, province) not in plan.skip:
            entity_id = f"SIM-{folder.upper()}-SYT"
            name = f"Sở Y tế {place} {SIMULATED}"
            found.append(_Entity(entity_id, name, DEPARTMENT, province, folder, by_type[DEPARTMENT], None))
    if MINISTRY in by_type and (MINISTRY, MINISTRY_PROVINCE) not in plan.skip:
        name = f"Bộ Y tế {SIMULATED}"
        found.append(
            _Entity("SIM-BYT", name, MINISTRY, MINISTRY_PROVINCE, slug(MINISTRY_PROVINCE), by_type[MINISTRY], None)
        )
    return found


def _place(province: str) -> str:
    """The province as a name says it: "tỉnh Cao Bằng", "thành phố Cần Thơ", "Thành phố Hồ Chí Minh"."""
    found = provinces.lookup(province)
    if found is None or found.unit.kind is not provinces.Kind.CITY:
        return f"tỉnh {province}"
    return province if province.startswith("Thành phố ") else f"thành phố {province}"


def file_count(plan: Plan) -> int:
    """How many files :func:`simulate` gives for ``plan``."""
    return len(entities(plan)) * plan.rounds


def _beds(entity_type: str, seed: int, entity_id: str) -> int | None:
    spans = {"hospital": (150, 900), "health_centre": (50, 250), "commune_health_station": (2, 8)}
    if entity_type not in spans:
        return None
    low, high = spans[entity_type]
    return random.Random(f"{seed}:{entity_id}:beds").randint(low, high)  # noqa: S311 - simulation, not security


def simulate(plan: Plan) -> Iterator[SimulatedFile]:
    """Every file of the campaign, entity by entity and round by round."""
    check_plan(plan)
    for entity in entities(plan):
        rng = random.Random(f"{plan.seed}:{entity.id}")  # noqa: S311 - simulation, not security
        latent = rng.betavariate(*MATURITY[entity.type])
        offsets = {domain.id: rng.gauss(0, 0.1) for domain in entity.questionnaire.domains}
        for number in range(1, plan.rounds + 1):
            if number > 1:
                latent = min(1.0, latent + 0.03 + rng.random() * 0.07)
            day = _add_years(plan.start, number - 1)
            levels = {key: _clamp(latent + offset) for key, offset in offsets.items()}
            answers = _answers(entity, levels, rng, day)
            note = f"Dữ liệu mô phỏng, vòng {number}; không phải dữ liệu thật."
            text = _file_text(entity, answers, day=day, heading=f"dhti simulate (seed {plan.seed})", note=note)
            path = PurePosixPath(entity.folder, f"{entity.id}-r{number}.yaml")
            yield SimulatedFile(path, entity.questionnaire.ref, text)


@dataclass(frozen=True)
class Known:
    """An entity already assessed, to simulate an assessment of it from an earlier year.

    ``levels`` are its domain scores now, on 0..1 (a domain with no score is left out).
    """

    id: str
    name: str
    type: str
    province: str
    questionnaire: Questionnaire
    date: dt.date
    levels: Mapping[str, float]
    beds: int | None = None
    ownership: str | None = None


def earlier(known: Known, *, years: int = 1, seed: int = 0) -> SimulatedFile:
    """An assessment of ``known`` ``years`` before its own, as the campaign model would have drawn it.

    Each domain's latent is today's score less the model's yearly growth (the same drift as
    between rounds of :func:`simulate`, once per year) and a little noise, so that the entity
    was, on the whole, a little less mature then. The file is marked as simulated in its name,
    its assessor, its notes and a comment: it rehearses a trend and never stands for a real
    earlier assessment. It goes to ``earlier/ID-DATE.yaml``.
    """
    rng = random.Random(f"{seed}:{known.id}:earlier:{years}")  # noqa: S311 - simulation, not security
    drift = sum(0.03 + rng.random() * 0.07 for _year in range(years))
    default = statistics.fmean(known.levels.values()) if known.levels else 0.3
    levels = {
        domain.id: _clamp(known.levels.get(domain.id, default) - drift + rng.gauss(0, 0.03))
        for domain in known.questionnaire.domains
    }
    day = _add_years(known.date, -years)
    folder = slug(provinces.key(known.province)) if provinces.lookup(known.province) else slug(known.province)
    name = known.name if known.name.endswith(SIMULATED) else f"{known.name} {SIMULATED}"
    entity = _Entity(
        known.id, name, known.type, known.province, folder, known.questionnaire, known.beds, known.ownership
    )
    answers = _answers(entity, levels, rng, day)
    note = f"Dữ liệu mô phỏng: đánh giá {years} năm trước, dựng từ điểm hiện tại; không phải dữ liệu thật."
    text = _file_text(entity, answers, day=day, heading="dhti (vòng trước của một đơn vị mẫu)", note=note)
    path = PurePosixPath("earlier", f"{slug(known.id) or 'entity'}-{day.isoformat()}.yaml")
    return SimulatedFile(path, known.questionnaire.ref, text)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


@dataclass(frozen=True)
class _Drawn:
    value: object  # as written to the file
    seen: expressions.Value | None  # as skip logic sees it
    na: bool = False
    evidence: str | None = None


def _answers(entity: _Entity, levels: Mapping[str, float], rng: random.Random, day: dt.date) -> dict[str, _Drawn]:
    """The answers of one assessment: drawn in file order, each only when the question is asked."""
    questionnaire = entity.questionnaire
    domain_of = {q.id: domain.id for domain in questionnaire.domains for i in domain.indicators for q in i.questions}
    drawn: dict[str, _Drawn] = {}

    def lookup(question_id: str) -> expressions.Value | None:
        answer = drawn.get(question_id)
        return answer.seen if answer is not None else None

    def draw(question: Question) -> None:
        answer = _draw(question, levels[domain_of[question.id]], rng, day)
        if answer is not None:
            drawn[question.id] = answer

    for question in questionnaire.questions.values():
        condition = questionnaire.condition(question.id)
        if applies_to(question, entity.type) and (condition is None or expressions.evaluate(condition, lookup)):
            draw(question)
    # A condition on a later question is settled only now: drop what is not asked, answer what is.
    for _attempt in range(len(questionnaire.questions)):
        asked = applicable_questions(questionnaire, entity.type, {k: a.seen for k, a in drawn.items()})
        for key in [key for key in drawn if key not in asked]:
            del drawn[key]
        missing = [q for q in questionnaire.questions.values() if q.id in asked and q.id not in drawn and q.required]
        if not missing and asked == applicable_questions(
            questionnaire, entity.type, {k: a.seen for k, a in drawn.items()}
        ):
            break
        for question in missing:
            draw(question)
    return {key: drawn[key] for key in questionnaire.questions if key in drawn}


def _draw(question: Question, level: float, rng: random.Random, day: dt.date) -> _Drawn | None:
    """One answer to ``question`` at maturity ``level``, or None to leave an optional question out."""
    if not question.required and not question.scored and rng.random() > OPTIONAL_CHANCE:
        return None
    evidence = _evidence(question) if question.evidence.value == "required" else None
    if question.allow_na and rng.random() < NA_CHANCE:
        return _Drawn("na", None, na=True, evidence=evidence)
    target = _clamp(level + rng.gauss(0, 0.12))
    kind = question.type
    if kind is QuestionType.YES_NO:
        value = "yes" if rng.random() < target else "no"
        return _Drawn(value, value, evidence=evidence)
    if kind is QuestionType.CHOICE:
        best = question.max_option_points() or 1.0
        options = question.options or ()
        chosen = min(options, key=lambda option: abs(option.points / best - target))
        return _Drawn(chosen.value, chosen.value, evidence=evidence)
    if kind is QuestionType.MULTI:
        options = question.options or ()
        scoring = [o.value for o in options if o.points > 0]
        ticked = [value for value in scoring if rng.random() < target]
        if not ticked:
            nothing = [o.value for o in options if o.points == 0]
            ticked = nothing[:1] or scoring[:1]
        return _Drawn(ticked, frozenset(ticked), evidence=evidence)
    if kind in (QuestionType.NUMBER, QuestionType.PERCENT):
        number = _number(question, target, rng)
        return _Drawn(number, float(number), evidence=evidence)
    if kind is QuestionType.DATE:
        when = (day - dt.timedelta(days=rng.randint(30, 500))).isoformat()
        return _Drawn(when, when, evidence=evidence)
    text = "Mô phỏng: nội dung minh họa, không phải dữ liệu thật"
    return _Drawn(text, text, evidence=evidence)


def _evidence(question: Question) -> str:
    return f"Mô phỏng: biên bản kiểm tra, đánh giá ({question.id}), không phải minh chứng thật"


def _number(question: Question, target: float, rng: random.Random) -> int | float:
    percent = question.type is QuestionType.PERCENT
    if question.bands:
        bands = sorted(question.bands, key=lambda band: band.min)
        best = max(band.points for band in bands) or 1.0
        chosen = min(range(len(bands)), key=lambda i: abs(bands[i].points / best - target))
        low = bands[chosen].min
        last = chosen + 1 == len(bands)
        high = (100.0 if percent else max(low * 1.5, low + 1)) if last else bands[chosen + 1].min
        return _between(low, high, rng, last=last)
    if question.linear:
        start, end = question.linear.from_, question.linear.to
        value = start + target * (end - start)
        return _rounded(min(max(value, 0.0), 100.0) if percent else max(value, 0.0))
    if percent:
        return round(target * 100)
    return rng.randint(2, 40)


def _between(low: float, high: float, rng: random.Random, *, last: bool) -> int | float:
    """A value in ``[low, high)`` (``[low, high]`` for the last band), whole when both ends are."""
    if float(low).is_integer() and float(high).is_integer() and high - low >= 1:
        top = int(high) if last else int(high) - 1
        return rng.randint(int(low), max(int(low), top))
    step = 0.01
    value = low + rng.random() * (high - low)
    value = math.floor(value / step) * step
    return _rounded(max(low, min(value, high - step if not last else high)))


def _rounded(value: float) -> int | float:
    value = round(value, 2)
    return int(value) if value.is_integer() else value


def _file_text(entity: _Entity, answers: Mapping[str, _Drawn], *, day: dt.date, heading: str, note: str) -> str:
    q = json.dumps
    lines = [
        f"# Mô phỏng bằng {heading}: không phải dữ liệu thật / simulated, not real data",
        f"questionnaire: {entity.questionnaire.ref}",
        "entity:",
        f"  id: {q(entity.id)}",
        f"  name: {q(entity.name, ensure_ascii=False)}",
        f"  type: {entity.type}",
        f"  province: {q(entity.province, ensure_ascii=False)}",
        f"  ownership: {entity.ownership or ('private' if entity.type == 'clinic' else 'public')}",
    ]
    if entity.beds is not None:
        lines.append(f"  beds: {entity.beds}")
    lines += [
        "assessment:",
        f"  date: {day.isoformat()}",
        f"  assessor: {q('dhti simulate ' + SIMULATED, ensure_ascii=False)}",
        f"  notes: {q(note, ensure_ascii=False)}",
        "answers:",
    ]
    for key, answer in answers.items():
        value = q(answer.value, ensure_ascii=False)
        if answer.evidence is None:
            lines.append(f"  {key}: {value}")
        else:
            lines += [f"  {key}:", f"    value: {value}", f"    evidence: {q(answer.evidence, ensure_ascii=False)}"]
    return "\n".join(lines) + "\n"
