"""Response files: the models, and validation against a questionnaire (every problem at once)."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from dhti import expressions, provinces
from dhti.errors import MAX_PROBLEMS_SHOWN, DhtiError, InputError, Problem, Severity, did_you_mean
from dhti.frozen import FrozenMap
from dhti.messages import L_, Count, Local, Message, MessageError, plain, pydantic_message
from dhti.questionnaire import Evidence, Question, Questionnaire, QuestionType, applicable_questions
from dhti.registry import Registry
from dhti.yamlio import Document, load

TOP_LEVEL_KEYS = ("questionnaire", "entity", "assessment", "answers")
ANSWER_KEYS = ("value", "evidence", "comment")
NA = "na"

AnswerValue = str | float | tuple[str, ...] | dt.date

# What every command and both stores can hold and show (README, "Filling in a response"): text that
# PostgreSQL stores and a terminal prints as it is, counts that a float holds exactly, and
# dates whose due dates (up to three years on) are ordinary calendar dates.
MAX_ID_CHARS = 64
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 20_000
MAX_NUMBER = 10**15
MAX_BEDS = 100_000
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)

_ID_ASCII = re.compile(r"[A-Za-z0-9 ._/-]*\Z")
_ID_RULE = L_("ids use Latin letters, digits, spaces and - _ . /")


def id_problem(text: str) -> Message | None:
    """Why ``text`` cannot be an entity id, or None.

    An id is compared character by character, so it may hold only characters that cannot be
    mistaken for others: Latin letters (Vietnamese ones included), ASCII digits, spaces and
    ``- _ . /``. A Cyrillic or full-width look-alike, or an invisible character, is refused.
    """
    if len(text) > MAX_ID_CHARS:
        return _too_long(text, MAX_ID_CHARS)
    if _ID_ASCII.match(text):
        return None
    for char in text:
        if not (_ID_ASCII.match(char) or _latin_letter(char)):
            return L_("%(character)s may not be in an id; %(rule)s", character=_character(char), rule=_ID_RULE)
    return None  # pragma: no cover - the loop finds the character the pattern refused


def text_problem(text: str, *, limit: int, invisible: bool = False) -> Message | None:
    """Why ``text`` cannot be stored and shown as written, or None.

    Refused: more than ``limit`` characters, control characters other than tab and newline
    (NUL, which PostgreSQL cannot store; ESC, CR, BS and BEL, which rewrite a terminal), and
    unless ``invisible`` is true, formatting characters such as U+200B and U+202E.
    """
    if len(text) > limit:
        return _too_long(text, limit)
    if text.isprintable():
        return None
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc" and char not in "\t\n":
            code = f"U+{ord(char):04X}"
            return L_("control character %(code)s is not allowed", code=code)
        if category == "Cf" and not invisible:
            return L_("invisible formatting character %(character)s is not allowed", character=_character(char))
    return None


def _latin_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and unicodedata.name(char, "").startswith("LATIN ")


def _character(char: str) -> str | Message:
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    if name:
        return f"{code} {name}"  # Unicode's own name, the same in every language
    return L_("%(code)s (a control character)", code=code) if unicodedata.category(char) == "Cc" else code


def _too_long(text: str, limit: int) -> Message:
    return L_("%(length)s characters; the limit is %(limit)s", length=Count(len(text)), limit=Count(limit))


def _checked(value: str | None, *, limit: int, invisible: bool = False) -> str | None:
    if value is not None:
        problem = text_problem(value, limit=limit, invisible=invisible)
        if problem:
            raise MessageError(problem)
    return value


def _name_rule(value: str | None) -> str | None:
    return _checked(value, limit=MAX_NAME_CHARS)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    # Fields that hold text: an unquoted number there is kept as the file writes it.
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ()


class Entity(_Model):
    """Who answered: ``id`` and ``type`` are required; the rest describes the entity."""

    TEXT_FIELDS = ("id", "name", "type", "province", "district", "commune", "ownership", "level")

    id: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    name: str | None = None
    type: str
    province: str | None = None
    district: str | None = None
    commune: str | None = None
    ownership: str | None = None
    level: str | None = None
    beds: int | None = Field(default=None, ge=0, le=MAX_BEDS)

    _names = field_validator("name", "type", "province", "district", "commune", "ownership", "level")(_name_rule)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        problem = id_problem(value)
        if problem:
            raise MessageError(problem)
        return value


class Assessment(_Model):
    TEXT_FIELDS = ("assessor", "respondent", "notes")

    date: dt.date
    assessor: str | None = None
    respondent: str | None = None
    notes: str | None = None

    _names = field_validator("assessor", "respondent")(_name_rule)

    @field_validator("notes")
    @classmethod
    def _notes(cls, value: str | None) -> str | None:
        return _checked(value, limit=MAX_TEXT_CHARS, invisible=True)

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        day = _iso(value)
        if day is None:
            raise MessageError(L_("must be an ISO date such as 2026-10-15"))
        if not FIRST_DATE <= day <= LAST_DATE:
            raise MessageError(
                L_("must be between %(first)s and %(last)s, not %(day)s", first=FIRST_DATE, last=LAST_DATE, day=day)
            )
        return day


ENTITY_FIELDS = tuple(Entity.model_fields)
"""The keys of ``entity:`` in a response, in the order templates, forms and exports write them."""
ASSESSMENT_FIELDS = tuple(Assessment.model_fields)
"""The keys of ``assessment:`` in a response, in the same order everywhere."""
RETIRED_ENTITY_FIELDS = frozenset({"district"})
"""Keys still read in older files but no longer asked for: districts went with two-tier local government (1/7/2025)."""
ASKED_ENTITY_FIELDS = tuple(key for key in ENTITY_FIELDS if key not in RETIRED_ENTITY_FIELDS)
"""The keys of ``entity:`` that new forms ask for (``dhti init``, the XLSForm)."""


def _iso(value: object) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Answer:
    """One answer: its typed value (``None`` for ``na``), and what the respondent added."""

    value: AnswerValue | None
    na: bool = False
    evidence: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Response:
    """A response that passed validation (possibly with warnings), ready to score."""

    file: str
    questionnaire: Questionnaire
    entity: Entity
    assessment: Assessment
    answers: Mapping[str, Answer]
    applicable: frozenset[str]
    warnings: tuple[Problem, ...] = ()

    def usable(self, question_id: str) -> Answer | None:
        """The answer if the question is applicable, answered and not ``na``."""
        answer = self.answers.get(question_id)
        if answer is None or answer.na or question_id not in self.applicable:
            return None
        return answer

    def holds(self, source: str) -> bool:
        """Whether a gate, compliance, ``unless`` or ``expr`` expression of the questionnaire is true.

        It sees the answers as ``relevant`` does: an unanswered, ``na`` or not-applicable question has
        no value, so any comparison with it is false.
        """

        def lookup(question_id: str) -> expressions.Value | None:
            answer = self.usable(question_id)
            return comparable(answer) if answer is not None else None

        return expressions.evaluate(self.questionnaire.expression(source), lookup)


@dataclass(frozen=True)
class EntitySummary:
    """Who a file says answered, as written: kept for an invalid file too, so any field may be missing.

    Text is as the file writes it (``0042``, ``true``); a list or mapping where text belongs is ``None``.
    """

    FIELDS: ClassVar[tuple[str, ...]] = ("id", "name", "type", "province")

    id: str | None = None
    name: str | None = None
    type: str | None = None
    province: str | None = None


@dataclass(frozen=True)
class Validation:
    """The outcome of validating one file: a response when it has no errors, and every problem."""

    file: str
    response: Response | None = None
    problems: tuple[Problem, ...] = ()
    questionnaire: Questionnaire | None = None
    entity: EntitySummary = EntitySummary()

    @property
    def valid(self) -> bool:
        return self.response is not None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


def validate_file(
    path: str | Path, *, registry: Registry, lenient: bool = False, display: str | None = None
) -> Validation:
    """Load a response file and validate it; never raises for bad input."""
    name = display or str(path)
    try:
        document = load(path, display=name)
    except InputError as err:
        return Validation(name, problems=err.problems)
    return validate_document(document, registry=registry, lenient=lenient)


def validate_document(document: Document, *, registry: Registry, lenient: bool = False) -> Validation:
    return _Validator(document, registry, lenient=lenient).run()


class _Validator:
    def __init__(self, document: Document, registry: Registry, *, lenient: bool) -> None:
        self.doc = document
        self.registry = registry
        self.lenient = lenient
        self.problems: list[Problem] = []
        self.rejected: set[str] = set()  # questions whose answer was refused
        self.unknown_ids = 0

    def error(self, path: Sequence[str | int], message: Message, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, key=key))

    def warning(self, path: Sequence[str | int], message: Message, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, key=key, severity=Severity.WARNING))

    def run(self) -> Validation:
        data = self.doc.data
        if not isinstance(data, dict):
            kind = L_("a list") if isinstance(data, list) else L_("a single value (%(type)s)", type=type(data).__name__)
            message = L_(
                "a response must be a mapping with keys %(keys)s, not %(kind)s",
                keys=", ".join(TOP_LEVEL_KEYS),
                kind=kind,
            )
            self.error([], message)
            return Validation(self.doc.file, problems=tuple(self.problems))
        for key in data:
            if key not in TOP_LEVEL_KEYS:
                hint = _suggest(str(key), TOP_LEVEL_KEYS)
                self.error([key], L_("unknown key %(key)s%(hint)s", key=repr(key), hint=hint), key=True)
        questionnaire = self.questionnaire(data)
        entity = self.model(Entity, data, "entity")
        self.province(data.get("entity"))
        assessment = self.model(Assessment, data, "assessment")
        assert entity is None or isinstance(entity, Entity)  # noqa: S101 - for the type checker
        assert assessment is None or isinstance(assessment, Assessment)  # noqa: S101
        response = None
        if questionnaire is not None:
            response = self.response(questionnaire, data, entity, assessment)
        return Validation(
            self.doc.file,
            response=response,
            problems=tuple(sorted(set(self.problems))),
            questionnaire=questionnaire,
            entity=self.entity_summary(data.get("entity")),
        )

    def response(
        self,
        questionnaire: Questionnaire,
        data: Mapping[object, object],
        entity: Entity | None,
        assessment: Assessment | None,
    ) -> Response | None:
        """The response to score, or None when the file has errors (each one recorded)."""
        entity_type = entity.type if entity is not None else _raw_type(data.get("entity"))
        if entity_type is not None and entity_type not in questionnaire.entity_types:
            message = L_(
                "entity type %(type)s may not answer %(questionnaire)s (allowed: %(allowed)s)%(hint)s",
                type=repr(entity_type),
                questionnaire=repr(questionnaire.id),
                allowed=", ".join(questionnaire.entity_types),
                hint=_suggest(entity_type, questionnaire.entity_types),
            )
            self.error(["entity", "type"], message)
            entity_type = None
        answers, applicable = self.answers(questionnaire, data, entity_type)
        problems = tuple(sorted(set(self.problems)))
        if entity is None or assessment is None or any(p.is_error for p in problems):
            return None
        return Response(self.doc.file, questionnaire, entity, assessment, FrozenMap(answers), applicable, problems)

    def province(self, raw: object) -> None:
        """A warning when ``entity.province`` is a former unit or not one of the 34 (it stays optional)."""
        if not isinstance(raw, dict):
            return
        written = self.written_text(["entity", "province"], raw.get("province"))
        if written is None or text_problem(written, limit=MAX_NAME_CHARS) is not None:
            return  # absent, or refused already as an error
        message = provinces.problem(written)
        if message is not None:
            self.warning(["entity", "province"], message)

    def entity_summary(self, raw: object) -> EntitySummary:
        if not isinstance(raw, dict):
            return EntitySummary()
        return EntitySummary(**{key: self.written_text(["entity", key], raw.get(key)) for key in EntitySummary.FIELDS})

    def written_text(self, path: Sequence[str | int], value: object) -> str | None:
        """A scalar where text belongs, as the file writes it; None for a list or mapping."""
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float):  # bools too: ``true`` is shown as the file writes it
            written = self.doc.written(path)
            return str(value) if written is None else written
        return None

    def questionnaire(self, data: Mapping[object, object]) -> Questionnaire | None:
        override = self.registry.override
        ref = data.get("questionnaire")
        if ref is None and override is None:
            self.error([], L_("missing required key 'questionnaire' (e.g. questionnaire: dhti-facility@1.0)"))
            return None
        if ref is not None and not isinstance(ref, str):
            self.error(["questionnaire"], L_("questionnaire must be text such as dhti-facility@1.0"))
            return None
        if override is not None:
            if ref is not None and ref.partition("@")[0] != override.id:
                message = L_(
                    "response names %(named)s; checking it against %(used)s as asked",
                    named=repr(ref),
                    used=override.ref,
                )
                self.warning(["questionnaire"], message)
            return override
        try:
            return self.registry.get(str(ref))
        except DhtiError as err:
            self.error(["questionnaire"], err.text or plain(str(err)))
            return None

    def model(self, model: type[_Model], data: Mapping[object, object], key: str) -> _Model | None:
        raw = data.get(key)
        if not isinstance(raw, dict):
            if key in data:
                self.error([key], L_("%(key)s must be a mapping", key=repr(key)))
            else:
                self.error([], L_("missing required key %(key)s", key=repr(key)))
            return None
        try:
            return model.model_validate(self.as_written(model, raw, key))
        except ValidationError as err:
            self._model_problems(err, key, model)
            return None

    def as_written(self, model: type[_Model], raw: object, key: str) -> object:
        """``raw`` with each number in a text field replaced by the text the file writes."""
        if not isinstance(raw, dict):
            return raw
        return {
            name: self.text_as_written([key, str(name)], value) if name in model.TEXT_FIELDS else value
            for name, value in raw.items()
        }

    def text_as_written(self, path: Sequence[str | int], value: object) -> object:
        """A number where text belongs, as the file writes it: ``0042``, not 42; ``.inf``, not inf."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            written = self.doc.written(path)
            return str(value) if written is None else written
        return value

    def free_text(self, path: Sequence[str | int], value: object) -> str | None:
        """An answer's evidence or comment, or None (with an error) when it breaks the text rules."""
        if value is None:
            return None
        text = str(self.text_as_written(path, value))
        problem = text_problem(text, limit=MAX_TEXT_CHARS, invisible=True)
        if problem:
            self.error(path, _at(f"{path[1]}: {path[-1]}", problem))
            return None
        return text

    def _model_problems(self, err: ValidationError, key: str, model: type[_Model]) -> None:
        for error in err.errors(include_url=False):
            loc = (key, *(step for step in error["loc"] if isinstance(step, str | int)))
            dotted = ".".join(str(step) for step in loc)
            if error["type"] == "extra_forbidden":
                hint = _suggest(str(loc[-1]), list(model.model_fields))
                message = L_("unknown key %(key)s in %(section)s%(hint)s", key=repr(loc[-1]), section=key, hint=hint)
                self.error(loc, message, key=True)
            elif error["type"] == "missing":
                self.error(loc[:-1], L_("missing required key %(key)s in %(section)s", key=repr(loc[-1]), section=key))
            elif error.get("input", "") is None:
                self.error(loc, L_("%(field)s: required; replace ~ with a value", field=dotted))
            else:
                self.error(loc, _at(dotted, pydantic_message(error)))

    def answers(
        self, questionnaire: Questionnaire, data: Mapping[object, object], entity_type: str | None
    ) -> tuple[dict[str, Answer], frozenset[str]]:
        raw = data.get("answers")
        if raw is None:
            raw = {}
            if "answers" not in data:
                self.error([], L_("missing required key 'answers'"))
        if not isinstance(raw, dict):
            self.error(["answers"], L_("answers must be a mapping of question id to answer"))
            return {}, frozenset()
        answers: dict[str, Answer] = {}
        for key, value in raw.items():
            answer = self.answer(questionnaire, str(key), value)
            if answer is not None:
                answers[str(key)] = answer
        if entity_type is None:
            return answers, frozenset()
        lookup = {qid: comparable(answer) for qid, answer in answers.items()}
        applicable = applicable_questions(questionnaire, entity_type, lookup)
        self.completeness(questionnaire, raw, answers, applicable)
        return answers, applicable

    def answer(self, questionnaire: Questionnaire, key: str, raw: object) -> Answer | None:
        question = questionnaire.questions.get(key)
        if question is None:
            # Answers are read in file order, so an unknown id after the first few is never
            # among the problems shown: finding its closest id would be wasted time.
            self.unknown_ids += 1
            hint = _suggest(key, list(questionnaire.questions)) if self.unknown_ids <= MAX_PROBLEMS_SHOWN else ""
            self.error(["answers", key], L_("unknown question id %(id)s%(hint)s", id=repr(key), hint=hint), key=True)
            return None
        path: list[str | int] = ["answers", key]
        evidence = comment = None
        if isinstance(raw, dict):
            for extra in raw:
                if extra not in ANSWER_KEYS:
                    hint = _suggest(str(extra), ANSWER_KEYS)
                    message = L_("unknown key %(key)s in an answer%(hint)s", key=repr(extra), hint=hint)
                    self.error([*path, extra], message, key=True)
            evidence = self.free_text([*path, "evidence"], raw.get("evidence"))
            comment = self.free_text([*path, "comment"], raw.get("comment"))
            raw = raw.get("value")
            path.append("value")
        if raw is None:
            return Answer(None, evidence=evidence, comment=comment) if (evidence or comment) else None
        if isinstance(raw, str) and raw.strip().lower() == NA:
            if not question.allow_na:
                self.error(path, L_("%(id)s: 'na' (not applicable) is not allowed for this question", id=key))
                self.rejected.add(key)
                return None
            return Answer(None, na=True, evidence=evidence, comment=comment)
        if question.type is QuestionType.TEXT:
            raw = self.text_as_written(path, raw)
        try:
            value = coerce(question, raw)
        except MessageError as err:
            self.error(path, _at(key, err.text))
            self.rejected.add(key)
            return None
        return Answer(value, evidence=evidence, comment=comment)

    def completeness(
        self,
        questionnaire: Questionnaire,
        raw: Mapping[object, object],
        answers: Mapping[str, Answer],
        applicable: frozenset[str],
    ) -> None:
        for qid, answer in answers.items():
            if qid not in applicable and (answer.value is not None or answer.na):
                message = L_(
                    "%(id)s is not asked of this entity (skip logic or entity type); its answer is ignored", id=qid
                )
                self.warning(["answers", qid], message, key=True)
        for qid in applicable:
            question = questionnaire.questions[qid]
            given = answers.get(qid)
            answered = given is not None and (given.value is not None or given.na)
            if not answered and qid in self.rejected:
                continue  # its wrong answer is reported already
            where = ["answers", qid] if qid in raw else ["answers"]
            if not answered and question.required:
                text = Local.of(question.text)
                if self.lenient:
                    message = L_(
                        "required question %(id)s is unanswered: %(text)s (scored 0: --lenient)", id=qid, text=text
                    )
                    self.warning(where, message, key=qid in raw)
                else:
                    self.error(
                        where, L_("required question %(id)s is unanswered: %(text)s", id=qid, text=text), key=qid in raw
                    )
            elif answered and question.evidence is Evidence.REQUIRED and not (given and given.evidence):
                message = L_("%(id)s: evidence is required for this answer (add 'evidence: ...')", id=qid)
                self.warning(where, message, key=True)


def coerce(question: Question, raw: object) -> AnswerValue:
    """Check a raw YAML value against the question type and return it typed."""
    kind = question.type
    if kind is QuestionType.YES_NO:
        return _yes_no(raw)
    if kind is QuestionType.CHOICE:
        return _choice(question, raw)
    if kind is QuestionType.MULTI:
        return _multi(question, raw)
    if kind in (QuestionType.NUMBER, QuestionType.PERCENT):
        return _number(question, raw)
    if kind is QuestionType.DATE:
        return _date(raw)
    if isinstance(raw, dict | list | bool):
        raise MessageError(L_("expected text"))
    text = str(raw)
    problem = text_problem(text, limit=MAX_TEXT_CHARS, invisible=True)
    if problem:
        raise MessageError(problem)
    return text


def _yes_no(raw: object) -> str:
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, str) and raw.strip().lower() in ("yes", "no"):
        return raw.strip().lower()
    raise MessageError(L_("expected yes or no, not %(value)s", value=_show(raw)))


def _option_text(raw: object) -> str | None:
    if isinstance(raw, bool | dict | list) or raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _choice(question: Question, raw: object) -> str:
    value = _option_text(raw)
    values = question.option_values
    if value is None or value not in values:
        message = L_(
            "%(value)s is not one of the options (%(options)s)%(hint)s",
            value=_show(raw),
            options=", ".join(values),
            hint=did_you_mean(value or "", values),
        )
        raise MessageError(message)
    return value


def _multi(question: Question, raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list):
        example = ", ".join(question.option_values[:2])
        raise MessageError(
            L_("expected a list of options such as [%(example)s], not %(value)s", example=example, value=_show(raw))
        )
    chosen: list[str] = []
    for item in raw:
        value = _choice(question, item)
        if value in chosen:
            raise MessageError(L_("option %(value)s is listed twice", value=repr(value)))
        chosen.append(value)
    return tuple(chosen)


def _number(question: Question, raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise MessageError(L_("expected a number, not %(value)s", value=_show(raw)))
    if isinstance(raw, float) and not math.isfinite(raw):
        raise MessageError(L_("NaN and infinite numbers are not allowed"))
    if raw < 0:
        raise MessageError(L_("must be 0 or more, not %(value)s", value=_show(raw)))
    if raw > MAX_NUMBER:  # compared before float(): a huge int would overflow it
        raise MessageError(L_("must be at most %(limit)s, not %(value)s", limit=Count(MAX_NUMBER), value=_show(raw)))
    value = float(raw)
    if question.type is QuestionType.PERCENT and value > 100:
        raise MessageError(L_("a percentage must be between 0 and 100, not %(value)s", value=_show(raw)))
    return value


def _date(raw: object) -> dt.date:
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise MessageError(L_("expected an ISO date such as 2026-10-15, not %(value)s", value=_show(raw)))


def comparable(answer: Answer) -> expressions.Value | None:
    """The answer as skip-logic expressions see it (``None`` when there is none)."""
    value = answer.value
    if value is None or answer.na:
        return None
    if isinstance(value, tuple):
        return frozenset(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _raw_type(raw: object) -> str | None:
    """The entity type even when another entity field is wrong, so answers can still be checked."""
    value = raw.get("type") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


def _show(value: object) -> str | Message:
    if isinstance(value, str):
        return repr(_short(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return L_("a mapping")
    if isinstance(value, list):
        return L_("a list")
    return _short(str(value))


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _suggest(word: str, candidates: Sequence[str]) -> Message | str:
    return did_you_mean(word, candidates, aside=True)


def _at(where: str, problem: Message) -> Message:
    """``where: problem``: a field's or a question's name before what is wrong with it (no words to translate)."""
    return Message("%(where)s: %(problem)s", (("where", where), ("problem", problem)))
