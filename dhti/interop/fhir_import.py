"""A FHIR R4 ``QuestionnaireResponse`` read back into a dhti response file.

Items are found by ``linkId`` wherever they nest (``item.item`` or ``answer.item``); a coded
answer gives its ``code``, ``na`` is the code ``na`` or a ``data-absent-reason`` of
``not-applicable`` on the item.  Every problem points at the JSON line and column of the item
it concerns; the file is written only when it validates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dhti.errors import DhtiError, InputError, Problem, did_you_mean
from dhti.interop.drafts import Checked, Draft, DraftAnswer, DraftValue, check_draft, mentioned_question
from dhti.interop.fhir import ASSESSMENT_GROUP_LINK, DATA_ABSENT, ENTITY_GROUP_LINK, field_link
from dhti.interop.fhir_logic import NA
from dhti.messages import L_, Message, MessageError, plain
from dhti.outfiles import write_atomic
from dhti.questionnaire import Question, Questionnaire, QuestionType
from dhti.registry import Registry
from dhti.response import ASSESSMENT_FIELDS, ENTITY_FIELDS
from dhti.yamlio import read_bounded

_SCALARS = ("valueString", "valueDecimal", "valueInteger", "valueBoolean", "valueDate", "valueDateTime", "valueUri")


class _DuplicateKeyError(MessageError):
    pass


@dataclass(frozen=True)
class JsonFile:
    """A JSON document and its text, so that problems can point at lines."""

    file: str
    text: str
    data: object

    def problem(self, message: str | Message, *, link_id: str | None = None, key: str | None = None) -> Problem:
        """A problem at the item with ``link_id`` (or the first ``key``), else at the start."""
        needle = None
        if link_id is not None:
            needle = rf'"linkId"\s*:\s*{re.escape(json.dumps(link_id, ensure_ascii=False))}'
        elif key is not None:
            needle = rf'"{re.escape(key)}"\s*:'
        match = re.search(needle, self.text) if needle else None
        if match is None:
            return Problem.of(self.file, 1, 1, message)
        line = self.text.count("\n", 0, match.start()) + 1
        column = match.start() - (self.text.rfind("\n", 0, match.start()) + 1) + 1
        return Problem.of(self.file, line, column, message)


def read_json(path: Path, *, display: str | None = None) -> JsonFile:
    """Read a JSON file, refusing what is not UTF-8 JSON with a positioned error."""
    name = display or str(path)
    raw = read_bounded(path, display=name)  # a response, under the limit of a YAML response
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise InputError([Problem.of(name, line, 1, L_("not UTF-8 text; FHIR JSON is always UTF-8"))]) from err
    try:
        data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        message = L_("invalid JSON: %(detail)s", detail=plain(err.msg))
        raise InputError([Problem.of(name, err.lineno, err.colno, message)]) from err
    except ValueError as err:  # a duplicate key, NaN or Infinity
        detail = err.text if isinstance(err, MessageError) else plain(str(err))
        raise InputError([Problem.of(name, 1, 1, L_("invalid JSON: %(detail)s", detail=detail))]) from err
    except RecursionError as err:
        raise InputError([Problem.of(name, 1, 1, L_("invalid JSON: nested too deeply"))]) from err
    return JsonFile(name, text, data)


def _refuse_constant(name: str) -> object:
    raise MessageError(L_("%(name)s is not a JSON number", name=name))


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(L_("duplicate key %(key)s in an object", key=repr(key)))
        result[key] = value
    return result


def questionnaire_of(document: JsonFile, registry: Registry) -> Questionnaire:
    """Check that the document is a QuestionnaireResponse and find the questionnaire it answers."""
    data = document.data
    if not isinstance(data, dict):
        message = L_("expected a JSON object with resourceType 'QuestionnaireResponse'")
        raise InputError([document.problem(message)])
    kind = data.get("resourceType")
    if kind != "QuestionnaireResponse":
        shown = L_("no resourceType") if kind is None else L_("resourceType %(kind)s", kind=repr(kind))
        message = L_(
            "not a FHIR QuestionnaireResponse (%(shown)s); dhti imports QuestionnaireResponse resources", shown=shown
        )
        raise InputError([document.problem(message, key="resourceType")])
    if data.get("status") == "entered-in-error":
        raise InputError(
            [document.problem(L_("this response is marked entered-in-error; it is not imported"), key="status")]
        )
    if registry.override is not None:
        return registry.override
    canonical = data.get("questionnaire")
    if not isinstance(canonical, str) or not canonical:
        message = L_(
            "no questionnaire canonical URL (such as urn:dhti:questionnaire:dhti-facility|1.0); give --questionnaire"
        )
        raise InputError([document.problem(message, key="resourceType")])
    url, _, version = canonical.partition("|")
    ref = re.split(r"[/:]", url)[-1] + (f"@{version}" if version else "")
    try:
        return registry.get(ref)
    except DhtiError as err:
        reason = err.text or plain(str(err))
        message = L_("questionnaire %(canonical)s: %(reason)s", canonical=repr(canonical), reason=reason)
        raise InputError([document.problem(message, key="questionnaire")]) from err


@dataclass
class _Found:
    """What the walk over the items collected."""

    fields: dict[str, object] = field(default_factory=dict)  # link id -> value
    answers: dict[str, DraftValue] = field(default_factory=dict)
    extras: dict[tuple[str, str], str] = field(default_factory=dict)  # (question id, evidence|comment) -> text
    problems: list[Problem] = field(default_factory=list)


class _Reader:
    def __init__(self, document: JsonFile, questionnaire: Questionnaire) -> None:
        self.doc = document
        self.q = questionnaire
        self.found = _Found()
        fields = [field_link("entity", key) for key in ENTITY_FIELDS]
        fields += [field_link("assessment", key) for key in ASSESSMENT_FIELDS]
        self.field_links = frozenset(fields)
        groups = [ENTITY_GROUP_LINK, ASSESSMENT_GROUP_LINK, *(d.id for d in questionnaire.domains)]
        self.group_links = frozenset(groups + [i.id for i in questionnaire.indicators()])

    def error(self, message: str, link_id: str | None = None) -> None:
        self.found.problems.append(self.doc.problem(message, link_id=link_id))

    def walk(self, items: object, where: str) -> None:
        if items is None:
            return
        if not isinstance(items, list):
            self.error(f"{where}: 'item' must be a list")
            return
        for index, item in enumerate(items):
            link = item.get("linkId") if isinstance(item, dict) else None
            if not isinstance(item, dict) or not isinstance(link, str):
                self.error(f"{where}.item[{index}] has no linkId")
                continue
            self.visit(link, item)
            self.walk(item.get("item"), f"item {link!r}")
            for answer in _answer_list(item):
                self.walk(answer.get("item"), f"item {link!r}")

    def visit(self, link: str, item: Mapping[str, object]) -> None:
        if link in self.group_links or link.endswith("-help"):
            return
        if link in self.field_links:
            values = self.values(link, item)
            if values:
                self.found.fields[link] = values[0]
            return
        question = self.q.questions.get(link)
        if question is not None:
            self.question(question, item)
            return
        base, _, kind = link.rpartition("-")
        if base in self.q.questions and kind in ("evidence", "comment"):
            values = self.values(link, item)
            if values:
                self.found.extras[base, kind] = str(values[0])
            return
        known = [*self.q.questions, *self.field_links]
        hint = did_you_mean(link, known, aside=True)
        self.error(f"unknown linkId {link!r}: not an item of {self.q.ref}{hint}", link)

    def values(self, link: str, item: Mapping[str, object]) -> list[object]:
        values: list[object] = []
        for answer in _answer_list(item):
            keys = [key for key in answer if key.startswith("value")]
            if len(keys) != 1:
                self.error(f"{link}: each answer needs exactly one value[x], found {len(keys)}", link)
                continue
            key = keys[0]
            value = answer[key]
            if key == "valueCoding":
                code = value.get("code") if isinstance(value, dict) else None
                if not isinstance(code, str):
                    self.error(f"{link}: valueCoding without a code", link)
                    continue
                values.append(code)
            elif key in _SCALARS:
                wrong = _wrong_type(key, value)
                if wrong:
                    self.error(f"{link}: {key} {wrong}", link)
                    continue
                values.append(value[:10] if key == "valueDateTime" and isinstance(value, str) else value)
            else:
                self.error(
                    f"{link}: {key} answers are not understood; use valueCoding, valueString, valueDecimal...", link
                )
        return values

    def question(self, question: Question, item: Mapping[str, object]) -> None:
        if _not_applicable(item):
            self.found.answers[question.id] = NA
            return
        values = self.values(question.id, item)
        if not values:
            return
        if question.type is QuestionType.MULTI:
            texts = tuple(_text(value) for value in values)
            self.found.answers[question.id] = NA if texts == (NA,) else texts
        elif len(values) > 1:
            self.error(f"{question.id}: a {question.type} question takes one answer, found {len(values)}", question.id)
        else:
            self.found.answers[question.id] = _single(question, values[0])


def _wrong_type(key: str, value: object) -> str | None:
    """Why ``value`` cannot be the ``key`` of an answer (FHIR fixes each one's JSON type), if it cannot."""
    if key == "valueBoolean":
        return None if isinstance(value, bool) else f"must be true or false, not {_json_kind(value)}"
    if key in ("valueDecimal", "valueInteger"):
        integer = key == "valueInteger"
        if isinstance(value, bool) or not isinstance(value, int if integer else int | float):
            shown = value if isinstance(value, float) else _json_kind(value)
            return f"must be a JSON {'integer' if integer else 'number'}, not {shown}"
        return None if _is_float(value) else "is too large (over 1e308)"
    return None if isinstance(value, str) else f"must be a JSON string, not {_json_kind(value)}"


def _is_float(number: float) -> bool:
    """Whether a number from JSON (which allows any number of digits) is within what scores can use."""
    try:
        float(number)
    except OverflowError:
        return False
    return True


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    kinds = ((str, "a string"), (int | float, "a number"), (list, "a list"), (dict, "an object"))
    return next(name for kind, name in kinds if isinstance(value, kind))


def _answer_list(item: Mapping[str, object]) -> list[Mapping[str, object]]:
    answers = item.get("answer")
    if not isinstance(answers, list):
        return []
    return [answer for answer in answers if isinstance(answer, dict)]


def _not_applicable(item: Mapping[str, object]) -> bool:
    extensions = item.get("extension")
    if not isinstance(extensions, list):
        return False
    return any(
        isinstance(ext, dict) and ext.get("url") == DATA_ABSENT and ext.get("valueCode") == "not-applicable"
        for ext in extensions
    )


def _single(question: Question, value: object) -> DraftValue:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if question.type in (QuestionType.NUMBER, QuestionType.PERCENT) and isinstance(value, int | float):
        return value
    return _text(value)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def response_draft(document: JsonFile, questionnaire: Questionnaire) -> Draft:
    """The response the document holds; raise :class:`InputError` for items dhti cannot read."""
    reader = _Reader(document, questionnaire)
    data = document.data if isinstance(document.data, dict) else {}
    reader.walk(data.get("item"), "QuestionnaireResponse")
    if reader.found.problems:
        raise InputError(reader.found.problems)
    found = reader.found
    entity: dict[str, str | int] = {}
    for key in ENTITY_FIELDS:
        value = found.fields.get(field_link("entity", key))
        if value is not None:
            entity[key] = value if isinstance(value, int) and not isinstance(value, bool) else _text(value)
    assessment = {
        key: _text(found.fields[field_link("assessment", key)])
        for key in ASSESSMENT_FIELDS
        if field_link("assessment", key) in found.fields
    }
    _fill_from_header(data, entity, assessment)
    answers = {
        qid: DraftAnswer(
            found.answers.get(qid), found.extras.get((qid, "evidence")), found.extras.get((qid, "comment"))
        )
        for qid in questionnaire.questions
        if qid in found.answers or (qid, "evidence") in found.extras or (qid, "comment") in found.extras
    }
    return Draft(questionnaire.ref, entity, assessment, answers)


def _fill_from_header(data: Mapping[str, object], entity: dict[str, str | int], assessment: dict[str, str]) -> None:
    """Take the entity and date from ``subject`` and ``authored`` when the items do not give them."""
    subject = data.get("subject")
    if isinstance(subject, dict):
        identifier = subject.get("identifier")
        if "id" not in entity and isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
            entity["id"] = identifier["value"]
        if "name" not in entity and isinstance(subject.get("display"), str):
            entity["name"] = subject["display"]
    authored = data.get("authored")
    if "date" not in assessment and isinstance(authored, str):
        assessment["date"] = authored[:10]


def import_response(
    path: Path, output: Path, *, registry: Registry, lenient: bool = False, force: bool = False
) -> Checked:
    """Read a QuestionnaireResponse and write it as a response file that passes ``dhti validate``."""
    document = read_json(path)
    questionnaire = questionnaire_of(document, registry)
    draft = response_draft(document, questionnaire)
    header = [f"Imported by dhti from {path.name} (a FHIR QuestionnaireResponse)."]
    checked = check_draft(draft, file=str(output), registry=registry, lenient=lenient, header=header)
    if checked.validation.errors:
        raise InputError(list(_relocate(document, questionnaire, checked.validation.errors)))
    write_atomic(output, checked.text, force=force)
    return checked


def _relocate(document: JsonFile, questionnaire: Questionnaire, problems: Iterable[Problem]) -> Iterable[Problem]:
    """Validation problems of the rebuilt YAML, placed at the JSON item they are about."""
    for problem in problems:
        qid = mentioned_question(problem.message, questionnaire)
        link = qid
        if qid is None:
            match = re.match(r"(entity|assessment)\.([a-z]+):", problem.message)
            link = field_link(match.group(1), match.group(2)) if match else None
        located = document.problem(problem.message, link_id=link)
        yield Problem(located.file, located.line, located.column, problem.message, problem.severity, problem.text)
