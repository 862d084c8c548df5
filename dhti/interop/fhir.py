"""FHIR R4: a questionnaire as a ``Questionnaire`` and a response as a ``QuestionnaireResponse``.

Domains and indicators are ``group`` items, questions keep their dhti id as ``linkId``, option
points travel as the ``itemWeight`` extension (and the older ``ordinalValue`` on the coding),
vi and en texts as the ``translation`` extension.  The entity and the assessment date are items
of their own (``entity-id``, ``assessment-date``...) as well as ``subject`` and ``authored``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from dhti.interop.fhir_logic import CODED, NA, EnableWhenWriter, FhirPathWriter
from dhti.interop.texts import entity_type_text, label, labels
from dhti.questionnaire import Indicator, Question, Questionnaire, QuestionType, pick
from dhti.response import ASSESSMENT_FIELDS, ENTITY_FIELDS, Answer, Response

Json = dict[str, object]

EXT = "http://hl7.org/fhir/StructureDefinition/"
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
TRANSLATION = EXT + "translation"
ITEM_WEIGHT = EXT + "itemWeight"
ORDINAL_VALUE = EXT + "ordinalValue"
OPTION_EXCLUSIVE = EXT + "questionnaire-optionExclusive"
ITEM_CONTROL = EXT + "questionnaire-itemControl"
UNIT = EXT + "questionnaire-unit"
MIN_VALUE = EXT + "minValue"
MAX_VALUE = EXT + "maxValue"
DATA_ABSENT = EXT + "data-absent-reason"
ENABLE_WHEN_EXPRESSION = SDC + "sdc-questionnaire-enableWhenExpression"
UCUM = "http://unitsofmeasure.org"
DEFAULT_BASE = "urn:dhti:questionnaire:"

ENTITY_GROUP_LINK = "about-entity"
ASSESSMENT_GROUP_LINK = "about-assessment"
REQUIRED_FIELDS = frozenset({"entity.id", "entity.type", "assessment.date"})


def canonical_url(questionnaire: Questionnaire, base: str | None = None) -> str:
    """The questionnaire's canonical URL: ``urn:dhti:questionnaire:ID``, or ``BASE/Questionnaire/ID``."""
    if base:
        return f"{base.rstrip('/')}/Questionnaire/{questionnaire.id}"
    return f"{DEFAULT_BASE}{questionnaire.id}"


def field_link(group: str, key: str) -> str:
    """The linkId of an entity or assessment field, such as ``entity-id`` (never a dhti id: those have no ``-``)."""
    return f"{group}-{key}"


# ---------------------------------------------------------------------------------- Questionnaire


def questionnaire_resource(questionnaire: Questionnaire, *, lang: str, base: str | None = None) -> Json:
    """The questionnaire as a FHIR R4 ``Questionnaire`` resource (JSON)."""
    builder = _QuestionnaireBuilder(questionnaire, lang)
    resource: Json = {
        "resourceType": "Questionnaire",
        "id": questionnaire.id,
        "language": builder.lang,
        "url": canonical_url(questionnaire, base),
        "version": questionnaire.version,
        "name": "".join(part.capitalize() for part in questionnaire.id.split("-")),
        **builder.text("title", questionnaire.title),
        "status": "active",
        "subjectType": ["Organization"],
        **builder.text("description", questionnaire.description),
        "item": [builder.entity_group(), builder.assessment_group(), *builder.domains()],
    }
    return resource


class _QuestionnaireBuilder:
    def __init__(self, questionnaire: Questionnaire, lang: str) -> None:
        self.q = questionnaire
        self.languages = questionnaire.languages
        self.lang = lang if lang in self.languages else self.languages[0]
        self.enable_when = EnableWhenWriter(questionnaire)
        self.fhirpath = FhirPathWriter(questionnaire)

    def text(self, key: str, text: Mapping[str, str] | None) -> Json:
        """``key`` in the base language and ``_key`` with the other languages as translations."""
        if not text:
            return {}
        others = [lang for lang in self.languages if lang != self.lang and lang in text]
        result: Json = {key: pick(text, self.lang)}
        if others:
            result[f"_{key}"] = {"extension": [_translation(lang, text[lang]) for lang in others]}
        return result

    def coding(self, code: str, text: Mapping[str, str]) -> Json:
        return {"code": code, **self.text("display", text)}

    def entity_group(self) -> Json:
        items = [self.field_item("entity", key) for key in ENTITY_FIELDS]
        return {
            "linkId": ENTITY_GROUP_LINK,
            **self.text("text", labels("entity", self.languages)),
            "type": "group",
            "item": items,
        }

    def assessment_group(self) -> Json:
        items = [self.field_item("assessment", key) for key in ASSESSMENT_FIELDS]
        group_text = self.text("text", labels("assessment", self.languages))
        return {"linkId": ASSESSMENT_GROUP_LINK, **group_text, "type": "group", "item": items}

    def field_item(self, group: str, key: str) -> Json:
        kinds = {"beds": "integer", "date": "date", "notes": "text", "type": "choice"}
        item: Json = {
            "linkId": field_link(group, key),
            **self.text("text", labels(f"{group}.{key}", self.languages)),
            "type": kinds.get(key, "string"),
            "required": f"{group}.{key}" in REQUIRED_FIELDS,
        }
        if key == "type":
            item["answerOption"] = [
                {"valueCoding": self.coding(kind, entity_type_text(kind, self.languages))}
                for kind in self.q.entity_types
            ]
        if key == "beds":
            item["extension"] = [{"url": MIN_VALUE, "valueInteger": 0}]
        return item

    def domains(self) -> Iterator[Json]:
        for d, domain in enumerate(self.q.domains, start=1):
            indicators = [
                self.indicator(indicator, f"{d}.{i}") for i, indicator in enumerate(domain.indicators, start=1)
            ]
            yield {
                "linkId": domain.id,
                "prefix": f"{d}.",
                **self.text("text", domain.title),
                "type": "group",
                "item": indicators,
            }

    def indicator(self, indicator: Indicator, prefix: str) -> Json:
        questions = [
            self.question(question, f"{prefix}.{n}") for n, question in enumerate(indicator.questions, start=1)
        ]
        return {
            "linkId": indicator.id,
            "prefix": prefix,
            **self.text("text", indicator.title),
            "type": "group",
            "item": questions,
        }

    def question(self, question: Question, prefix: str) -> Json:
        enable_when, expression = self.skip_logic(question)
        extensions = [*expression, *self.value_extensions(question)]
        item: Json = {
            **({"extension": extensions} if extensions else {}),
            "linkId": question.id,
            "prefix": prefix,
            **self.text("text", question.text),
            "type": _item_type(question),
            **enable_when,
            "required": question.required,
        }
        if question.type is QuestionType.MULTI:
            item["repeats"] = True
        if question.type in CODED:
            item["answerOption"] = self.options(question)
        item["item"] = self.children(question)
        return item

    def skip_logic(self, question: Question) -> tuple[Json, list[Json]]:
        """``enableWhen`` (and ``enableBehavior``) when it can say it, else an SDC FHIRPath extension."""
        if not question.entity_types and self.q.condition(question.id) is None:
            return {}, []
        written = self.enable_when.applies(question)
        if written is None:
            expression: Json = {"language": "text/fhirpath", "expression": self.fhirpath.applies(question)}
            if question.relevant:
                expression["description"] = question.relevant
            return {}, [{"url": ENABLE_WHEN_EXPRESSION, "valueExpression": expression}]
        result: Json = {"enableWhen": list(written.conditions)}
        if not written.single:
            result["enableBehavior"] = written.behavior
        return result, []

    def options(self, question: Question) -> list[Json]:
        if question.type is QuestionType.YES_NO:
            choices = [("yes", labels("yes", self.languages), 1.0), ("no", labels("no", self.languages), 0.0)]
        else:
            choices = [(option.value, option.label, option.points) for option in question.options or ()]
        options: list[Json] = []
        for value, text, points in choices:
            weight = _number(points)
            coding = {**self.coding(value, text), "extension": [{"url": ORDINAL_VALUE, "valueDecimal": weight}]}
            options.append({"extension": [{"url": ITEM_WEIGHT, "valueDecimal": weight}], "valueCoding": coding})
        if question.allow_na:
            na: Json = {"valueCoding": self.coding(NA, labels("na", self.languages))}
            if question.type is QuestionType.MULTI:
                na["extension"] = [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}]
            options.append(na)
        return options

    def value_extensions(self, question: Question) -> list[Json]:
        extensions: list[Json] = []
        if question.type in (QuestionType.NUMBER, QuestionType.PERCENT):
            extensions.append({"url": MIN_VALUE, "valueDecimal": 0})
        if question.type is QuestionType.PERCENT:
            extensions.append({"url": MAX_VALUE, "valueDecimal": 100})
            extensions.append({"url": UNIT, "valueCoding": {"system": UCUM, "code": "%", "display": "%"}})
        elif question.unit:
            extensions.append({"url": UNIT, "valueCoding": {"display": pick(question.unit, self.lang)}})
        return extensions

    def children(self, question: Question) -> list[Json]:
        """Help as a display item; evidence and comment as text items nested under the question."""
        children: list[Json] = []
        if question.help:
            control = {"coding": [{"system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help"}]}
            children.append(
                {
                    "linkId": f"{question.id}-help",
                    **self.text("text", question.help),
                    "type": "display",
                    "extension": [{"url": ITEM_CONTROL, "valueCodeableConcept": control}],
                }
            )
        for kind, item_type in (("evidence", "string"), ("comment", "text")):
            text = self.text("text", labels(kind, self.languages))
            children.append({"linkId": f"{question.id}-{kind}", **text, "type": item_type, "required": False})
        return children


def _item_type(question: Question) -> str:
    return {
        QuestionType.CHOICE: "choice",
        QuestionType.MULTI: "choice",
        QuestionType.YES_NO: "choice",
        QuestionType.NUMBER: "decimal",
        QuestionType.PERCENT: "decimal",
        QuestionType.TEXT: "text",
        QuestionType.DATE: "date",
    }[question.type]


def _translation(lang: str, content: str) -> Json:
    return {
        "url": TRANSLATION,
        "extension": [{"url": "lang", "valueCode": lang}, {"url": "content", "valueString": content}],
    }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


# ---------------------------------------------------------------------------------- QuestionnaireResponse


def response_resource(response: Response, *, lang: str, base: str | None = None) -> Json:
    """A validated response as a FHIR R4 ``QuestionnaireResponse`` (answers to skipped questions left out)."""
    questionnaire = response.questionnaire
    lang = lang if lang in questionnaire.languages else questionnaire.languages[0]
    entity, assessment = response.entity, response.assessment
    subject: Json = {"identifier": {"value": entity.id}}
    if entity.name:
        subject["display"] = entity.name
    resource: Json = {
        "resourceType": "QuestionnaireResponse",
        "language": lang,
        "questionnaire": f"{canonical_url(questionnaire, base)}|{questionnaire.version}",
        "status": "completed" if _complete(response) else "in-progress",
        "subject": subject,
        "authored": assessment.date.isoformat(),
        "item": [
            _field_group(ENTITY_GROUP_LINK, "entity", entity.model_dump(exclude_none=True)),
            _field_group(ASSESSMENT_GROUP_LINK, "assessment", assessment.model_dump(exclude_none=True)),
            *_answer_groups(response, lang),
        ],
    }
    return resource


def _complete(response: Response) -> bool:
    questions = response.questionnaire.questions
    return all(
        qid in response.answers and (response.answers[qid].value is not None or response.answers[qid].na)
        for qid in response.applicable
        if questions[qid].required
    )


def _field_group(link_id: str, group: str, values: Mapping[str, object]) -> Json:
    items: list[Json] = []
    for key, value in values.items():
        if isinstance(value, dt.date):
            answer: Json = {"valueDate": value.isoformat()}
        elif isinstance(value, int):
            answer = {"valueInteger": value}
        elif key == "type" and group == "entity":
            answer = {"valueCoding": {"code": str(value)}}
        else:
            answer = {"valueString": str(value)}
        items.append({"linkId": field_link(group, key), "answer": [answer]})
    return {"linkId": link_id, "item": items}


def _answer_groups(response: Response, lang: str) -> Iterator[Json]:
    questionnaire = response.questionnaire
    for domain in questionnaire.domains:
        indicators = []
        for indicator in domain.indicators:
            items = [
                _answer_item(question, response.answers[question.id], lang)
                for question in indicator.questions
                if question.id in response.answers and question.id in response.applicable
            ]
            if items:
                indicators.append({"linkId": indicator.id, "item": items})
        if indicators:
            yield {"linkId": domain.id, "item": indicators}


def _answer_item(question: Question, answer: Answer, lang: str) -> Json:
    item: Json = {"linkId": question.id}
    if answer.na and question.type in CODED:
        item["answer"] = [{"valueCoding": {"code": NA, "display": label("na", lang)}}]
    elif answer.na:
        item["extension"] = [{"url": DATA_ABSENT, "valueCode": "not-applicable"}]
    elif answer.value is not None and answer.value != ():  # FHIR has no empty answer list
        item["answer"] = _values(question, answer.value, lang)
    children = [
        {"linkId": f"{question.id}-{kind}", "answer": [{"valueString": text}]}
        for kind, text in (("evidence", answer.evidence), ("comment", answer.comment))
        if text
    ]
    if children:
        item["item"] = children
    return item


def _values(question: Question, value: object, lang: str) -> list[Json]:
    if question.type in CODED:
        chosen = value if isinstance(value, tuple) else (str(value),)
        return [{"valueCoding": _answer_coding(question, code, lang)} for code in chosen]
    if isinstance(value, dt.date):
        return [{"valueDate": value.isoformat()}]
    if isinstance(value, float):
        return [{"valueDecimal": _number(value)}]
    return [{"valueString": str(value)}]


def _answer_coding(question: Question, code: str, lang: str) -> Json:
    option = question.option(code)
    if option is not None:
        return {"code": code, "display": pick(option.label, lang)}
    return {"code": code, "display": label(code, lang)}  # yes or no
