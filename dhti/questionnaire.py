"""Questionnaire definitions: the pydantic models, loading, and lint (every error at once)."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from dhti import expressions
from dhti.errors import InputError, Problem, Severity, did_you_mean
from dhti.frozen import FrozenMap
from dhti.messages import L_, Message, MessageError, pydantic_message
from dhti.salvage import Origins, Shape, salvage
from dhti.yamlio import Document, load

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

Text = FrozenMap[
    Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")], Annotated[str, StringConstraints(min_length=1)]
]
"""A human-readable text: language code -> text (read-only)."""

QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.]+$")]
GDHM_CODE = re.compile(r"^[0-9]{1,2}[a-z]?$")

MAX_WEIGHT = 1_000_000
"""The largest weight or points lint accepts: far above any real use, and small enough that no sum
or product of scores can overflow to infinity (which would make the index Infinity or NaN)."""
MAX_SCALE = 1_000_000_000_000
"""The largest magnitude of a band minimum or a linear ``from``/``to``: their differences stay finite."""


def pick(text: Mapping[str, str] | None, lang: str) -> str:
    """``text`` in ``lang``, else in English, else in Vietnamese, else in any language."""
    if not text:
        return ""
    for code in (lang, "en", "vi"):
        if code in text:
            return text[code]
    return next(iter(text.values()))


class QuestionType(enum.StrEnum):
    CHOICE = "choice"
    YES_NO = "yes_no"
    MULTI = "multi"
    NUMBER = "number"
    PERCENT = "percent"
    TEXT = "text"
    DATE = "date"


SCORABLE_TYPES = frozenset(
    {QuestionType.CHOICE, QuestionType.YES_NO, QuestionType.MULTI, QuestionType.NUMBER, QuestionType.PERCENT}
)


class Evidence(enum.StrEnum):
    NONE = "none"
    RECOMMENDED = "recommended"
    REQUIRED = "required"


class Aggregation(enum.StrEnum):
    ARITHMETIC = "arithmetic"
    GEOMETRIC = "geometric"


class Priority(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Horizon(enum.StrEnum):
    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"


class WhenSkipped(enum.StrEnum):
    """What a question whose ``relevant`` is false counts for (contract 3.2)."""

    EXCLUDE = "exclude"  # it leaves the indicator's sum
    ZERO = "zero"  # it is in the sum with s = 0: the capability it asks about is absent


HORIZON_MONTHS = {Horizon.SHORT: 6, Horizon.MEDIUM: 18, Horizon.LONG: 36}
HORIZON_SPANS = {Horizon.SHORT: (0, 6), Horizon.MEDIUM: (6, 18), Horizon.LONG: (18, 36)}
"""The months each horizon covers, as reports group the roadmap by them."""
MAX_MONTHS = 120
"""The longest ``months`` a recommendation may name (ten years)."""
PRIORITY_RANK = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _as_text_value(value: object) -> object:
    """Option values compare as text: ``1`` in YAML is the option ``"1"``."""
    if isinstance(value, bool):
        return value  # refused by the str field: true/false are not option values
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


class Option(_Model):
    value: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+$")]
    points: float = Field(ge=0, le=MAX_WEIGHT)
    label: Text

    _text_value = field_validator("value", mode="before")(_as_text_value)


class Band(_Model):
    min: float = Field(ge=-MAX_SCALE, le=MAX_SCALE)
    points: float = Field(ge=0, le=MAX_WEIGHT)


class Linear(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True)

    from_: float = Field(alias="from", ge=-MAX_SCALE, le=MAX_SCALE)
    to: float = Field(ge=-MAX_SCALE, le=MAX_SCALE)

    @model_validator(mode="after")
    def _span(self) -> Linear:
        if self.to == self.from_:
            raise MessageError(L_("'from' and 'to' must differ"))
        return self


class Question(_Model):
    id: QuestionId
    text: Text
    help: Text | None = None
    type: QuestionType
    options: tuple[Option, ...] | None = None
    weight: float = Field(default=1, ge=0, le=MAX_WEIGHT)
    required: bool = True
    allow_na: bool = False
    entity_types: tuple[str, ...] | None = None
    relevant: str | None = None
    when_skipped: WhenSkipped = WhenSkipped.EXCLUDE
    evidence: Evidence = Evidence.NONE
    bands: tuple[Band, ...] | None = None
    linear: Linear | None = None
    max_points: float | None = Field(default=None, gt=0, le=MAX_WEIGHT)
    unit: Text | None = None

    @property
    def scored(self) -> bool:
        """Whether this question contributes to scores."""
        return self.weight > 0 and self.type in SCORABLE_TYPES

    @property
    def option_values(self) -> tuple[str, ...]:
        if self.type is QuestionType.YES_NO:
            return ("yes", "no")
        return tuple(option.value for option in self.options or ())

    def option(self, value: str) -> Option | None:
        for option in self.options or ():
            if option.value == value:
                return option
        return None

    def max_option_points(self) -> float:
        """The points of the best answer (choice: best option; multi: all or max_points)."""
        points = [option.points for option in self.options or ()]
        if self.type is QuestionType.MULTI:
            return self.max_points if self.max_points is not None else sum(points)
        return max(points, default=0.0)


class Gate(_Model):
    """What a stage needs beyond its score: this stage and every one above it need ``requires``."""

    stage: int = Field(ge=2, le=5, strict=True)
    requires: str
    text: Text


def needs(gates: Sequence[Gate], lang: str) -> tuple[int, str] | None:
    """The lowest stage among these gates and what it needs, its gates' texts joined: ``(4, "a budget; a plan")``."""
    if not gates:
        return None
    lowest = min(gate.stage for gate in gates)
    return lowest, "; ".join(pick(gate.text, lang) for gate in gates if gate.stage == lowest)


class Indicator(_Model):
    id: QuestionId
    title: Text
    description: Text | None = None
    weight: float = Field(default=1, gt=0, le=MAX_WEIGHT)
    refs: tuple[str, ...] = ()
    gdhm: str | None = None
    gates: tuple[Gate, ...] = ()
    stage_text: FrozenMap[int, Text] | None = None
    questions: tuple[Question, ...] = Field(min_length=1)

    _gdhm_text = field_validator("gdhm", mode="before")(_as_text_value)


class Domain(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    title: Text
    description: Text | None = None
    weight: float = Field(default=1, gt=0, le=MAX_WEIGHT)
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class Stage(_Model):
    level: int = Field(ge=1)
    min: float = Field(ge=0, le=100)
    label: Text


DEFAULT_STAGES = (
    Stage(level=1, min=0, label={"en": "Nascent", "vi": "Khởi đầu"}),
    Stage(level=2, min=20, label={"en": "Emerging", "vi": "Hình thành"}),
    Stage(level=3, min=40, label={"en": "Established", "vi": "Định hình"}),
    Stage(level=4, min=60, label={"en": "Advanced", "vi": "Nâng cao"}),
    Stage(level=5, min=80, label={"en": "Leading", "vi": "Dẫn đầu"}),
)

RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.-]+$")]


class Condition(_Model):
    """When a recommendation fires (contract 3.3).

    A score or stage below a threshold (``indicator``/``domain`` with ``below`` or ``stage_below``),
    an answer in a list (``question`` with ``in``), an expression (``expr``), or a compliance item
    in breach or pending (``compliance``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True)

    indicator: str | None = None
    domain: str | None = None
    question: str | None = None
    expr: str | None = None
    compliance: str | None = None
    below: float | None = Field(default=None, gt=0, le=100)
    stage_below: int | None = Field(default=None, ge=2, strict=True)
    in_: tuple[str, ...] | None = Field(default=None, alias="in", min_length=1)

    _in_text = field_validator("in_", mode="before")(
        lambda value: [_as_text_value(item) for item in value] if isinstance(value, list) else value
    )

    @model_validator(mode="after")
    def _one_target(self) -> Condition:
        targets = [name for name in ("indicator", "domain", "question", "expr", "compliance") if getattr(self, name)]
        if len(targets) != 1:
            raise MessageError(L_("name exactly one of 'indicator', 'domain', 'question', 'expr' or 'compliance'"))
        thresholds = [name for name in ("below", "stage_below") if getattr(self, name) is not None]
        if self.question is not None and (self.in_ is None or thresholds):
            raise MessageError(L_("a question rule takes 'in: [values]' (and no 'below' or 'stage_below')"))
        if (self.indicator or self.domain) and (len(thresholds) != 1 or self.in_ is not None):
            raise MessageError(
                L_("an indicator or domain rule takes either 'below: N' or 'stage_below: N' (and no 'in')")
            )
        if (self.expr or self.compliance) and (thresholds or self.in_ is not None):
            raise MessageError(L_("an 'expr' or 'compliance' rule takes no 'below', 'stage_below' or 'in'"))
        return self

    @property
    def target(self) -> str:
        return self.indicator or self.domain or self.question or self.compliance or ""


class Recommendation(_Model):
    id: RuleId
    when: Condition
    unless: str | None = None
    priority: Priority
    horizon: Horizon
    months: int | None = Field(default=None, ge=1, le=MAX_MONTHS, strict=True)
    after: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    owner: Text | None = None
    text: Text
    entity_types: tuple[str, ...] | None = None  # only for these entity types (e.g. wording for a ministry)


class ComplianceItem(_Model):
    """A legal obligation, judged on the assessment date apart from the score (contract 3.5)."""

    id: RuleId
    text: Text
    refs: tuple[str, ...] = ()
    entity_types: tuple[str, ...] | None = None
    due: dt.date | None = None
    met: str
    caps_stage: int | None = Field(default=None, ge=1, strict=True)

    @field_validator("due", mode="before")
    @classmethod
    def _iso_due(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise MessageError(L_("due must be an ISO date such as 2026-12-31")) from None
        if isinstance(value, dt.datetime):
            raise MessageError(L_("due must be an ISO date such as 2026-12-31"))
        return value

    def binds(self, entity_type: str) -> bool:
        return self.entity_types is None or entity_type in self.entity_types


def applicable_questions(
    questionnaire: Questionnaire, entity_type: str, answers: Mapping[str, expressions.Value | None]
) -> frozenset[str]:
    """The ids of the questions asked of this entity given these answers (skip logic applied).

    ``answers`` maps a question id to its usable value (``None`` or absent when unanswered or
    ``na``).  A question whose condition refers to a non-applicable question sees no answer.
    """
    decided: dict[str, bool] = {}
    questions = questionnaire.questions
    conditions = questionnaire.conditions

    def lookup(question_id: str) -> expressions.Value | None:
        return answers.get(question_id) if is_applicable(question_id) else None

    def is_applicable(question_id: str) -> bool:
        if question_id not in decided:
            decided[question_id] = False  # cycles are refused at load; this guards recursion
            question = questions[question_id]
            condition = conditions.get(question_id)
            decided[question_id] = applies_to(question, entity_type) and (
                condition is None or expressions.evaluate(condition, lookup)
            )
        return decided[question_id]

    return frozenset(question_id for question_id in questions if is_applicable(question_id))


class Questionnaire(_Model):
    """A validated questionnaire definition with lookup tables built once."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    version: Annotated[str, StringConstraints(min_length=1)]
    title: Text
    description: Text | None = None
    entity_types: tuple[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")], ...] = Field(min_length=1)
    aggregation: Aggregation = Aggregation.ARITHMETIC
    gdhm_for: tuple[str, ...] = ()
    stages: tuple[Stage, ...] = DEFAULT_STAGES
    domains: tuple[Domain, ...] = Field(min_length=1)
    recommendations: tuple[Recommendation, ...] = ()
    compliance: tuple[ComplianceItem, ...] = ()

    source: str = Field(default="", exclude=True)

    @cached_property
    def questions(self) -> Mapping[str, Question]:
        """Every question by id, in file order."""
        found: dict[str, Question] = {}
        for indicator in self.indicators():
            for question in indicator.questions:
                found.setdefault(question.id, question)  # a duplicate id is a lint error
        return FrozenMap(found)

    @cached_property
    def _indicator_of(self) -> Mapping[str, Indicator]:
        return FrozenMap(
            (question.id, indicator) for indicator in self.indicators() for question in indicator.questions
        )

    @cached_property
    def conditions(self) -> Mapping[str, expressions.Expr]:
        """Parsed ``relevant`` expressions by question id (those that parse; lint reports the rest)."""
        parsed = {}
        for question in self.questions.values():
            if question.relevant:
                try:
                    parsed[question.id] = expressions.parse(question.relevant)
                except expressions.ExpressionError:
                    continue
        return FrozenMap(parsed)

    @cached_property
    def parsed_expressions(self) -> Mapping[str, expressions.Expr]:
        """Every other expression parsed once, by source text: gates, compliance, ``unless`` and ``expr``."""
        sources = [gate.requires for indicator in self.indicators() for gate in indicator.gates]
        sources += [item.met for item in self.compliance]
        for rule in self.recommendations:
            sources += [text for text in (rule.unless, rule.when.expr) if text]
        parsed = {}
        for source in sources:
            try:
                parsed[source] = expressions.parse(source)
            except expressions.ExpressionError:
                continue
        return FrozenMap(parsed)

    def expression(self, source: str) -> expressions.Expr:
        """The parsed form of a gate, compliance, ``unless`` or ``expr`` expression (lint has checked it)."""
        return self.parsed_expressions[source]

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.title)

    def indicators(self) -> Iterator[Indicator]:
        for domain in self.domains:
            yield from domain.indicators

    def indicator_of(self, question_id: str) -> Indicator:
        return self._indicator_of[question_id]

    def condition(self, question_id: str) -> expressions.Expr | None:
        return self.conditions.get(question_id)

    def stage_for(self, score: float) -> Stage:
        """The highest stage whose threshold the score (0..100) reaches."""
        chosen = self.stages[0]
        for stage in self.stages:
            # A tolerance of 1e-9 keeps 59.999999999 (float noise for 60) out of stage 3.
            if score + 1e-9 >= stage.min:
                chosen = stage
        return chosen

    def stage_at_most(self, level: int) -> Stage:
        """The highest stage whose level is at most ``level`` (the first stage if none is)."""
        chosen = self.stages[0]
        for stage in self.stages:
            if stage.level <= level:
                chosen = stage
        return chosen

    def scored_question_count(self, entity_type: str | None = None) -> int:
        return sum(
            1
            for question in self.questions.values()
            if question.scored and (entity_type is None or applies_to(question, entity_type))
        )


def applies_to(question: Question, entity_type: str) -> bool:
    return question.entity_types is None or entity_type in question.entity_types


def question_numbers(questionnaire: Questionnaire, *, entity_type: str | None = None) -> dict[str, str]:
    """Each question's number as forms print it, domain.indicator.question (``1.2.3``).

    With ``entity_type``, only the questions asked of it are counted, as in the form made for it.
    """
    numbers: dict[str, str] = {}
    for d, domain in enumerate(questionnaire.domains, start=1):
        for i, indicator in enumerate(domain.indicators, start=1):
            asked = [q for q in indicator.questions if entity_type is None or applies_to(q, entity_type)]
            numbers.update((question.id, f"{d}.{i}.{n}") for n, question in enumerate(asked, start=1))
    return numbers


def load_questionnaire(path: str | Path, *, display: str | None = None) -> Questionnaire:
    """Load and check a questionnaire file; raise :class:`InputError` listing every problem."""
    questionnaire, problems = lint_file(path, display=display)
    errors = [problem for problem in problems if problem.is_error]
    if errors or questionnaire is None:
        raise InputError(errors)
    return questionnaire


def lint_file(path: str | Path, *, display: str | None = None) -> tuple[Questionnaire | None, list[Problem]]:
    """Every problem in a questionnaire file, and the questionnaire if it has no errors."""
    try:
        document = load(path, display=display)
    except InputError as err:
        return None, list(err.problems)
    return lint_document(document)


def lint_document(document: Document) -> tuple[Questionnaire | None, list[Problem]]:
    """Every problem in a loaded questionnaire: schema errors, and the checks on what is well-formed."""
    if not isinstance(document.data, dict):
        return None, [document.problem([], L_("a questionnaire must be a mapping of keys to values"))]
    salvaged = salvage({**document.data, "source": document.file}, _SHAPE)
    problems = pydantic_problems(salvaged.errors, document) + _language_problems(document)
    questionnaire = salvaged.model
    if questionnaire is not None:
        problems += _Linter(questionnaire, document, salvaged.origins).run()
    problems = sorted(set(problems))
    if questionnaire is None or salvaged.errors or any(problem.is_error for problem in problems):
        return None, problems
    return questionnaire, problems


def pydantic_problems(errors: Sequence[ErrorDetails], document: Document) -> list[Problem]:
    """Turn pydantic's errors into problems at the positions of the offending nodes."""
    problems = []
    locs = [tuple(step for step in error["loc"] if isinstance(step, int | str)) for error in errors]
    for error, loc in zip(errors, locs, strict=True):
        kind = error["type"]
        if kind == "too_short" and any(other[: len(loc)] == loc and other != loc for other in locs):
            continue  # a list emptied by its own items' errors, which are reported
        if loc[-1:] == ("[key]",):
            message = L_(
                "%(where)s: %(code)s is not a language code such as en or vi;"
                " a text that contains ': ' must be put in quotes",
                where=_dotted(loc[:-2]),
                code=repr(loc[-2]),
            )
            problems.append(document.problem(loc[:-1], message, key=True))
            continue
        if (*loc, "[key]") in locs:
            continue  # the key's own error says it all
        problems.append(_schema_problem(error, loc, document))
    return problems


def _schema_problem(error: ErrorDetails, loc: tuple[str | int, ...], document: Document) -> Problem:
    kind = error["type"]
    where = _dotted(loc)
    section = _dotted(loc[:-1]) or L_("the top level")
    if kind == "extra_forbidden":
        hint = _suggest(str(loc[-1]), _allowed_keys(error, loc))
        message = L_("unknown key %(key)s in %(section)s%(hint)s", key=repr(loc[-1]), section=section, hint=hint)
        return document.problem(loc, message, key=True)
    if kind == "missing":
        return document.problem(
            loc[:-1], L_("missing required key %(key)s in %(section)s", key=repr(loc[-1]), section=section)
        )
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        allowed = pattern.strip("^$+").replace("[", "").replace("]", "")
        message = L_(
            "%(where)s: %(value)s may use only the characters %(allowed)s",
            where=where,
            value=repr(error["input"]),
            allowed=allowed,
        )
        return document.problem(loc, message)
    if kind == "string_type" and loc == ("version",):
        return document.problem(loc, L_('version must be a quoted string, such as "1.0"'))
    message = pydantic_message(error)
    return document.problem(loc, _at(where, message) if where else message)


def _allowed_keys(_error: object, loc: tuple[str | int, ...]) -> tuple[str, ...]:
    model = _model_at(loc[:-1])
    if model is None:
        return ()
    return tuple(field.alias or name for name, field in model.model_fields.items() if name != "source")


_CHILD_MODELS: dict[str, type[BaseModel]] = {
    "domains": Domain,
    "indicators": Indicator,
    "questions": Question,
    "options": Option,
    "bands": Band,
    "stages": Stage,
    "recommendations": Recommendation,
    "when": Condition,
    "linear": Linear,
    "gates": Gate,
    "compliance": ComplianceItem,
}

# What lint puts in place of a broken required value so that the rest of its element is still
# checked; none of these can make a check elsewhere fail.
_SHAPE = Shape(
    root=Questionnaire,
    children=_CHILD_MODELS,
    placeholders={
        (Questionnaire, "id"): "unnamed",
        (Questionnaire, "version"): "0",
        (Questionnaire, "title"): {},
        (Questionnaire, "entity_types"): ["unknown"],
        (Domain, "title"): {},
        (Indicator, "title"): {},
        (Question, "text"): {},
        (Option, "label"): {},
        (Stage, "label"): {},
        (Recommendation, "text"): {},
        (Gate, "text"): {},
        (ComplianceItem, "text"): {},
    },
)


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    named = [step for step in loc if isinstance(step, str)]
    return _CHILD_MODELS.get(named[-1]) if named else Questionnaire


def _dotted(loc: Sequence[str | int]) -> str:
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _suggest(word: str, candidates: Sequence[str]) -> Message | str:
    return did_you_mean(word, candidates, aside=True)


def _at(where: str, problem: Message) -> Message:
    """``where: problem``: the place in the file before what is wrong there (no words to translate)."""
    return Message("%(where)s: %(problem)s", (("where", where), ("problem", problem)))


class _Linter:
    """The checks a schema cannot express: ids, references, points, languages, logic."""

    def __init__(self, questionnaire: Questionnaire, document: Document, origins: Origins) -> None:
        self.q = questionnaire
        self.doc = document
        self.origins = origins  # the model holds only the well-formed parts; paths lead back to the file
        self.problems: list[Problem] = []
        self.question_paths: dict[str, tuple[str | int, ...]] = {}

    def error(self, path: Sequence[str | int], message: Message, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(self.origins.original(path), message, key=key))

    def warning(self, path: Sequence[str | int], message: Message) -> None:
        self.problems.append(self.doc.problem(self.origins.original(path), message, severity=Severity.WARNING))

    def set_aside(self, ident: str) -> bool:
        """Whether ``ident`` names a part that lint left out for its schema errors (already reported)."""
        return ident in self.origins.dropped_ids

    def run(self) -> list[Problem]:
        self.check_stages()
        self.check_structure()
        self.check_relevance()
        self.check_gates()
        self.check_compliance()
        self.check_recommendations()
        self._check_entity_types(self.q.gdhm_for, ["gdhm_for"])
        return self.problems

    def check_stages(self) -> None:
        if "stages" not in self.doc.data or self.origins.touched(["stages"]):  # type: ignore[operator]
            return
        stages = self.q.stages
        if stages[0].min != 0:
            self.error(["stages", 0, "min"], L_("the first stage must start at 0"))
        for index in range(1, len(stages)):
            if stages[index].min <= stages[index - 1].min:
                self.error(["stages", index, "min"], L_("stage thresholds must ascend"))
            if stages[index].level <= stages[index - 1].level:
                self.error(["stages", index, "level"], L_("stage levels must ascend"))

    def check_structure(self) -> None:
        seen: dict[str, str] = {}
        for d, domain in enumerate(self.q.domains):
            self._unique(seen, domain.id, ["domains", d, "id"])
            for i, indicator in enumerate(domain.indicators):
                path: tuple[str | int, ...] = ("domains", d, "indicators", i)
                self._unique(seen, indicator.id, [*path, "id"])
                self.check_indicator(indicator, path)
                for n, question in enumerate(indicator.questions):
                    qpath = (*path, "questions", n)
                    self._unique(seen, question.id, [*qpath, "id"])
                    self.question_paths.setdefault(question.id, qpath)
                    self.check_question(question, qpath)
        for r, rec in enumerate(self.q.recommendations):
            self._unique(seen, rec.id, ["recommendations", r, "id"])
        for c, item in enumerate(self.q.compliance):
            self._unique(seen, item.id, ["compliance", c, "id"])

    def _unique(self, seen: dict[str, str], ident: str, path: list[str | int]) -> None:
        if ident in seen:
            self.error(path, L_("duplicate id %(id)s: ids must be unique in the questionnaire", id=repr(ident)))
        seen[ident] = ident

    def check_indicator(self, indicator: Indicator, path: tuple[str | int, ...]) -> None:
        if indicator.gdhm is not None and not GDHM_CODE.match(indicator.gdhm):
            message = L_("%(code)s is not a GDHM indicator code such as '5' or '2a'", code=repr(indicator.gdhm))
            self.error([*path, "gdhm"], message)
        levels = {stage.level for stage in self.q.stages}
        for level in indicator.stage_text or {}:
            if level not in levels and not self.origins.touched(["stages"]):
                message = L_("stage_text names level %(level)s, which is not a stage", level=level)
                self.error([*path, "stage_text", level], message)
        if not any(question.scored for question in indicator.questions) and not self.origins.touched(path):
            self.warning([*path, "id"], L_("indicator %(id)s has no scored question", id=repr(indicator.id)))

    def check_question(self, question: Question, path: tuple[str | int, ...]) -> None:
        if question.options:
            self._check_options(question, path)
        self._check_entity_types(question.entity_types, [*path, "entity_types"])
        if not self.origins.touched(path):  # a field set aside would make these checks misfire
            self._check_shape(question, path)

    def _check_entity_types(self, entity_types: Sequence[str] | None, path: list[str | int]) -> None:
        if self.origins.touched(["entity_types"]):
            return
        for entity_type in entity_types or ():
            if entity_type not in self.q.entity_types:
                message = L_(
                    "entity type %(type)s is not one of the questionnaire's entity_types%(hint)s",
                    type=repr(entity_type),
                    hint=_suggest(entity_type, self.q.entity_types),
                )
                self.error(path, message)

    def _check_shape(self, question: Question, path: tuple[str | int, ...]) -> None:
        kind = question.type
        has_options = kind in (QuestionType.CHOICE, QuestionType.MULTI)
        if question.options is not None and not has_options:
            self.error([*path, "options"], L_("a %(type)s question takes no options", type=kind))
        if has_options and not question.options:
            self.error([*path, "type"], L_("a %(type)s question needs options", type=kind))
        numeric = kind in (QuestionType.NUMBER, QuestionType.PERCENT)
        for field in ("bands", "linear"):
            if getattr(question, field) is not None and not numeric:
                self.error([*path, field], L_("a %(type)s question takes no %(field)s", type=kind, field=field))
        if question.max_points is not None and kind is not QuestionType.MULTI:
            self.error([*path, "max_points"], L_("max_points applies to multi questions only"))
        if numeric:
            self._check_scale(question, path)
        if question.weight > 0 and kind in (QuestionType.TEXT, QuestionType.DATE):
            self.warning([*path, "weight"], L_("%(type)s questions are not scored; give them weight: 0", type=kind))
        unscaled = numeric and question.bands is None and question.linear is None
        best_is_zero = question.type is not QuestionType.YES_NO and self._best_points(question) <= 0
        if question.scored and best_is_zero and not unscaled:
            message = L_("scored question %(id)s: its best answer earns 0 points", id=repr(question.id))
            self.error([*path, "id"], message)

    def _check_options(self, question: Question, path: tuple[str | int, ...]) -> None:
        values: set[str] = set()
        for o, option in enumerate(question.options or ()):
            if option.value in values:
                message = L_("duplicate option value %(value)s", value=repr(option.value))
                self.error([*path, "options", o, "value"], message)
            if option.value == "na":
                message = L_("'na' is reserved for not applicable; use allow_na")
                self.error([*path, "options", o, "value"], message)
            values.add(option.value)

    def _check_scale(self, question: Question, path: tuple[str | int, ...]) -> None:
        if question.bands is not None and question.linear is not None:
            self.error([*path, "bands"], L_("give either bands or linear, not both"))
        if question.scored and question.bands is None and question.linear is None:
            self.error([*path, "type"], L_("a scored %(type)s question needs bands or linear", type=question.type))
        bands = question.bands or ()
        for b in range(1, len(bands)):
            if bands[b].min <= bands[b - 1].min:
                self.error([*path, "bands", b, "min"], L_("band minimums must ascend"))
        if question.type is QuestionType.PERCENT:
            for b, band in enumerate(bands):
                if not 0 <= band.min <= 100:
                    self.error([*path, "bands", b, "min"], L_("a percent band starts between 0 and 100"))

    def _best_points(self, question: Question) -> float:
        if question.bands is not None:
            return max((band.points for band in question.bands), default=0.0)
        if question.linear is not None:
            return 1.0
        return question.max_option_points()

    def check_relevance(self) -> None:
        graph: dict[str, list[str]] = {}
        for qid, question in self.q.questions.items():
            if question.relevant is None:
                continue
            path = [*self.question_paths[qid], "relevant"]
            try:
                expr = expressions.parse(question.relevant)
            except expressions.ExpressionError as err:
                message = L_(
                    "relevant: %(problem)s (at character %(offset)s of %(excerpt)s)",
                    problem=err.text,
                    offset=err.offset + 1,
                    excerpt=_excerpt(question.relevant, err.offset),
                )
                self.error(path, message)
                continue
            graph[qid] = self._check_expression(qid, expr, path)
        self._check_cycles(graph)

    def _check_expression(self, qid: str, expr: expressions.Expr, path: list[str | int]) -> list[str]:
        names = []
        for ref in expressions.references(expr):
            if ref.question == qid:
                self.error(path, L_("relevant: %(id)s refers to itself", id=repr(qid)))
            elif ref.question not in self.q.questions and not self.set_aside(ref.question):
                hint = _suggest(ref.question, list(self.q.questions))
                self.error(path, L_("relevant: unknown question id %(id)s%(hint)s", id=repr(ref.question), hint=hint))
            else:
                names.append(ref.question)
        for comparison in expressions.comparisons(expr):
            problem = self._comparison_problem(comparison)
            if problem:
                self.error(path, _at("relevant", problem))
        return names

    def _comparison_problem(self, comparison: expressions.Compare) -> Message | None:
        sides = (comparison.left, comparison.right)
        refs = [side for side in sides if isinstance(side, expressions.Ref) and side.question in self.q.questions]
        literals = [item for side in sides for item in _literals(side)]
        for ref in refs:
            question = self.q.questions[ref.question]
            numeric = question.type in (QuestionType.NUMBER, QuestionType.PERCENT)
            if comparison.op in ("<", "<=", ">", ">=") and question.type not in (
                QuestionType.NUMBER,
                QuestionType.PERCENT,
                QuestionType.DATE,
            ):
                return L_(
                    "%(op)s compares numbers or dates, but %(id)s is a %(type)s question",
                    op=repr(comparison.op),
                    id=repr(ref.question),
                    type=question.type,
                )
            for literal in literals:
                if numeric and not isinstance(literal.value, float):
                    return L_(
                        "%(id)s is a %(type)s question; compare it with a number",
                        id=repr(ref.question),
                        type=question.type,
                    )
                values = question.option_values
                if values and expressions.value_text(literal.value) not in values:
                    shown = expressions.value_text(literal.value)
                    return _not_an_answer(shown, ref.question, values)
        return None

    def _check_cycles(self, graph: dict[str, list[str]]) -> None:
        for node, cycle in _cycles(graph):
            message = L_("relevant: circular condition %(cycle)s", cycle=cycle)
            self.error([*self.question_paths[node], "relevant"], message)

    def check_other_expression(self, source: str, path: list[str | int]) -> None:
        """A gate's ``requires``, a compliance item's ``met``, a rule's ``unless`` or ``expr``."""
        field = str(path[-1])
        try:
            expr = expressions.parse(source)
        except expressions.ExpressionError as err:
            message = L_(
                "%(problem)s (at character %(offset)s of %(excerpt)s)",
                problem=err.text,
                offset=err.offset + 1,
                excerpt=_excerpt(source, err.offset),
            )
            self.error(path, _at(field, message))
            return
        for ref in expressions.references(expr):
            if ref.question not in self.q.questions and not self.set_aside(ref.question):
                hint = _suggest(ref.question, list(self.q.questions))
                message = L_("unknown question id %(id)s%(hint)s", id=repr(ref.question), hint=hint)
                self.error(path, _at(field, message))
        for comparison in expressions.comparisons(expr):
            problem = self._comparison_problem(comparison)
            if problem:
                self.error(path, _at(field, problem))

    def check_gates(self) -> None:
        levels = {stage.level for stage in self.q.stages}
        for d, domain in enumerate(self.q.domains):
            for i, indicator in enumerate(domain.indicators):
                for g, gate in enumerate(indicator.gates):
                    path: list[str | int] = ["domains", d, "indicators", i, "gates", g]
                    if gate.stage not in levels and not self.origins.touched(["stages"]):
                        message = L_("gate stage %(level)s is not a stage of this questionnaire", level=gate.stage)
                        self.error([*path, "stage"], message)
                    self.check_other_expression(gate.requires, [*path, "requires"])

    def check_compliance(self) -> None:
        for c, item in enumerate(self.q.compliance):
            path: list[str | int] = ["compliance", c]
            self._check_entity_types(item.entity_types, [*path, "entity_types"])
            self.check_other_expression(item.met, [*path, "met"])
            levels = [stage.level for stage in self.q.stages]
            if item.caps_stage is not None and item.caps_stage not in levels and not self.origins.touched(["stages"]):
                message = L_("caps_stage %(level)s is not a stage of this questionnaire", level=item.caps_stage)
                self.error([*path, "caps_stage"], message)

    def check_rule_links(self) -> None:
        """``after`` and ``replaces`` name rules; ``after`` forms no cycle."""
        rules = {rule.id for rule in self.q.recommendations}
        graph: dict[str, list[str]] = {}
        for r, rec in enumerate(self.q.recommendations):
            for field in ("after", "replaces"):
                for n, name in enumerate(getattr(rec, field)):
                    path: list[str | int] = ["recommendations", r, field, n]
                    if name == rec.id:
                        self.error(path, _at(field, L_("a rule cannot name itself")))
                    elif name not in rules and not self.set_aside(name):
                        hint = _suggest(name, sorted(rules))
                        self.error(path, _at(field, L_("unknown rule %(id)s%(hint)s", id=repr(name), hint=hint)))
            graph[rec.id] = [name for name in rec.after if name in rules and name != rec.id]
        positions = {rule.id: r for r, rule in enumerate(self.q.recommendations)}
        for node, cycle in _cycles(graph):
            message = _at("after", L_("circular order %(cycle)s", cycle=cycle))
            self.error(["recommendations", positions[node], "after"], message)

    def check_recommendations(self) -> None:
        indicators = {indicator.id for indicator in self.q.indicators()}
        domains = {domain.id for domain in self.q.domains}
        items = {item.id for item in self.q.compliance}
        levels = [stage.level for stage in self.q.stages]
        self.check_rule_links()
        for r, rec in enumerate(self.q.recommendations):
            when = rec.when
            path: list[str | int] = ["recommendations", r, "when"]
            if rec.unless is not None:
                self.check_other_expression(rec.unless, ["recommendations", r, "unless"])
            low, high = HORIZON_SPANS[rec.horizon]
            if rec.months is not None and not low <= rec.months <= high:
                message = L_(
                    "months %(months)s is outside its horizon %(horizon)s (%(low)s to %(high)s months):"
                    " the roadmap would list it under the wrong period",
                    months=rec.months,
                    horizon=str(rec.horizon),
                    low=low,
                    high=high,
                )
                self.warning(["recommendations", r, "months"], message)
            if when.expr is not None:
                self.check_other_expression(when.expr, [*path, "expr"])
            if when.compliance is not None and when.compliance not in items and not self.set_aside(when.compliance):
                hint = _suggest(when.compliance, sorted(items))
                message = L_("unknown compliance item %(id)s%(hint)s", id=repr(when.compliance), hint=hint)
                self.error([*path, "compliance"], message)
            if (
                when.stage_below is not None
                and when.stage_below not in levels[1:]
                and not self.origins.touched(["stages"])
            ):
                message = L_(
                    "stage_below %(level)s is not a stage above the first (stages: %(levels)s)",
                    level=when.stage_below,
                    levels=", ".join(str(level) for level in levels),
                )
                self.error([*path, "stage_below"], message)
            if when.indicator is not None and when.indicator not in indicators and not self.set_aside(when.indicator):
                hint = _suggest(when.indicator, sorted(indicators))
                message = L_("unknown indicator %(id)s%(hint)s", id=repr(when.indicator), hint=hint)
                self.error([*path, "indicator"], message)
            if when.domain is not None and when.domain not in domains and not self.set_aside(when.domain):
                hint = _suggest(when.domain, sorted(domains))
                self.error([*path, "domain"], L_("unknown domain %(id)s%(hint)s", id=repr(when.domain), hint=hint))
            if when.question is not None:
                self._check_question_rule(when, path)
            self._check_entity_types(rec.entity_types, ["recommendations", r, "entity_types"])

    def _check_question_rule(self, when: Condition, path: list[str | int]) -> None:
        question = self.q.questions.get(when.question or "")
        if question is None and self.set_aside(when.question or ""):
            return
        if question is None:
            hint = _suggest(when.question or "", list(self.q.questions))
            self.error([*path, "question"], L_("unknown question %(id)s%(hint)s", id=repr(when.question), hint=hint))
            return
        values = question.option_values
        for index, value in enumerate(when.in_ or ()):
            if values and value not in values and not (value == "na" and question.allow_na):
                self.error([*path, "in", index], _not_an_answer(value, question.id, values))


def _cycles(graph: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """Each cycle of a graph of ids once, as (the node that closes it, ``a -> b -> a``), in graph order."""
    found: list[tuple[str, str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in graph.get(node, []):
            if state.get(target) == 1:
                found.append((node, " -> ".join([*trail[trail.index(target) :], target])))
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])
    return found


def _language_problems(document: Document) -> list[Problem]:
    """Every text must be given in each language that the questionnaire's title uses."""
    title = document.data.get("title") if isinstance(document.data, dict) else None
    if not isinstance(title, dict) or not title:
        return []
    wanted = [str(lang) for lang in title]
    problems = []
    for path, text in _texts(document.data, ()):
        missing = [lang for lang in wanted if lang not in text]
        if missing:
            message = L_(
                "missing language %(missing)s (the title has %(wanted)s)",
                missing=", ".join(missing),
                wanted=", ".join(wanted),
            )
            problems.append(document.problem(list(path), message))
    return problems


def _not_an_answer(value: str, question_id: str, values: Sequence[str]) -> Message:
    return L_(
        "%(value)s is not an answer of %(id)s (answers: %(answers)s)",
        value=repr(value),
        id=repr(question_id),
        answers=", ".join(values),
    )


def _excerpt(text: str, offset: int, *, width: int = 80) -> str:
    """``text`` quoted, or the part of it around ``offset`` when it is too long to show whole."""
    if len(text) <= width:
        return repr(text)
    start = max(0, offset - width // 2)
    end = start + width
    return ("..." if start else "") + repr(text[start:end]) + ("..." if end < len(text) else "")


def _literals(side: expressions.Operand) -> list[expressions.Literal]:
    if isinstance(side, expressions.Literal):
        return [side]
    if isinstance(side, expressions.ListLit):
        return list(side.items)
    return []


_TEXT_KEYS = frozenset({"title", "description", "text", "help", "label", "owner", "unit"})


def _texts(data: object, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], dict[str, str]]]:
    """Every language mapping in the raw data, with its path."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _TEXT_KEYS and isinstance(value, dict) and path[-1:] != ("when",):
                yield (*path, key), value
            elif key == "stage_text" and isinstance(value, dict):
                for level, text in value.items():
                    if isinstance(text, dict):
                        yield (*path, key, level), text
            else:
                yield from _texts(value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _texts(item, (*path, index))
