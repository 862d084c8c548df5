"""dhti export fhir / fhir-response and dhti import fhir-response: R4 resources that round-trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import question, questionnaire
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from fhirpathpy import evaluate as fhirpath
from fhirpathpy.models import models
from hypothesis import given, settings
from hypothesis import strategies as st

from dhti.assess import assess
from dhti.interop.fhir import ITEM_WEIGHT, TRANSLATION, questionnaire_resource, response_resource
from dhti.interop.fhir_import import import_response
from dhti.interop.fhir_logic import EnableWhenWriter, FhirPathWriter
from dhti.questionnaire import applicable_questions
from dhti.resources import examples_dir
from dhti.response import validate_file

DATA = Path(__file__).parent / "data"
INTEROP = DATA / "interop"
COMPLETE = DATA / "responses" / "mini-complete.yaml"


def walk(items: list[dict]):
    for item in items:
        yield item
        yield from walk(item.get("item", []))


def item(resource: dict, link_id: str) -> dict:
    return next(found for found in walk(resource["item"]) if found["linkId"] == link_id)


@pytest.mark.parametrize("ref", ["mini", "dhti-station", "dhti-facility", "dhti-agency"])
def test_questionnaire_is_valid_r4(registry, ref: str) -> None:
    if ref not in registry.ids():
        pytest.skip(f"{ref} is not loadable yet")
    resource = questionnaire_resource(registry.get(ref), lang="vi")
    FhirQuestionnaire.model_validate(resource)
    link_ids = [found["linkId"] for found in walk(resource["item"])]
    assert len(link_ids) == len(set(link_ids))
    assert set(registry.get(ref).questions) <= set(link_ids)


def test_questionnaire_items_options_weights_and_translations(dhti, tmp_path) -> None:
    out = tmp_path / "q.json"
    result = dhti("export", "fhir", "mini", "-o", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    resource = json.loads(out.read_text(encoding="utf-8"))
    assert resource["url"] == "urn:dhti:questionnaire:mini"
    assert resource["language"] == "en"
    assert resource["title"] == "Mini questionnaire"
    assert resource["_title"]["extension"][0] == {
        "url": TRANSLATION,
        "extension": [{"url": "lang", "valueCode": "vi"}, {"url": "content", "valueString": "Bộ câu hỏi rút gọn"}],
    }
    plan = item(resource, "policy.strategy.plan")
    assert plan["type"] == "choice"
    assert plan["prefix"] == "1.1.1"
    approved = plan["answerOption"][2]
    assert approved["extension"] == [{"url": ITEM_WEIGHT, "valueDecimal": 2}]
    assert approved["valueCoding"]["code"] == "approved"
    assert approved["valueCoding"]["_display"]["extension"][0]["extension"][1]["valueString"] == "Đã phê duyệt"
    assert [child["linkId"] for child in plan["item"]] == [
        "policy.strategy.plan-evidence",
        "policy.strategy.plan-comment",
    ]
    budget = item(resource, "policy.strategy.budget")
    assert [option["valueCoding"]["code"] for option in budget["answerOption"]] == ["yes", "no"]
    assert budget["enableBehavior"] == "all"
    assert budget["enableWhen"] == [
        {"question": "policy.strategy.plan", "operator": "exists", "answerBoolean": True},
        {"question": "policy.strategy.plan", "operator": "!=", "answerCoding": {"code": "none"}},
    ]
    share = item(resource, "capacity.systems.pacs_share")
    assert share["type"] == "decimal"
    assert {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueDecimal": 100} in share["extension"]
    assert share["enableWhen"][0] == {"question": "entity-type", "operator": "=", "answerCoding": {"code": "hospital"}}
    assert item(resource, "capacity.systems.in_use")["repeats"] is True
    assert item(resource, "entity-id")["required"] is True


def test_fhir_export_prints_without_output(dhti) -> None:
    result = dhti("export", "fhir", "mini", "--base", "https://so-y-te.example.vn/fhir/")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["url"] == "https://so-y-te.example.vn/fhir/Questionnaire/mini"


def samples() -> list[Path]:
    return [*sorted(examples_dir().glob("*.yaml")), COMPLETE]


def test_every_sample_round_trips_with_the_same_scores(registry, tmp_path) -> None:
    checked = 0
    for sample in samples():
        validation = validate_file(sample, registry=registry)
        if validation.response is None:
            continue  # a sample still being written by someone else
        resource = response_resource(validation.response, lang="vi")
        FhirResponse.model_validate(resource)
        exported = tmp_path / f"{sample.stem}.json"
        exported.write_text(json.dumps(resource, ensure_ascii=False), encoding="utf-8")
        back = tmp_path / f"{sample.stem}.yaml"
        import_response(exported, back, registry=registry)
        before, after = assess(sample, registry=registry), assess(back, registry=registry)
        assert after.valid, after.validation.problems
        assert after.scores == before.scores, sample
        assert after.recommendations == before.recommendations
        assert after.validation.response.entity == before.validation.response.entity
        checked += 1
    assert checked >= 4


def test_fhir_response_commands(dhti, tmp_path) -> None:
    exported = dhti("export", "fhir-response", COMPLETE, "--lang", "en")
    assert exported.exit_code == 0, exported.output
    resource = json.loads(exported.stdout)
    assert resource["questionnaire"] == "urn:dhti:questionnaire:mini|1.0"
    assert resource["status"] == "completed"
    assert resource["subject"] == {"identifier": {"value": "01-BV-0001"}, "display": "Bệnh viện Đa khoa Mẫu"}
    assert resource["authored"] == "2026-10-15"
    plan = item(resource, "policy.strategy.plan")
    assert plan["answer"] == [{"valueCoding": {"code": "draft", "display": "Draft"}}]
    assert plan["item"] == [
        {"linkId": "policy.strategy.plan-evidence", "answer": [{"valueString": "Dự thảo kế hoạch số 12/KH-BV"}]}
    ]
    assert [a["valueCoding"]["code"] for a in item(resource, "capacity.systems.in_use")["answer"]] == ["his", "pacs"]
    assert item(resource, "capacity.systems.staff")["answer"] == [{"valueDecimal": 4}]
    path = tmp_path / "r.json"
    path.write_text(exported.stdout, encoding="utf-8")
    result = dhti("import", "fhir-response", path, "-o", tmp_path / "r.yaml", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(f"wrote {tmp_path / 'r.yaml'}\n")
    text = (tmp_path / "r.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Imported by dhti from r.json (a FHIR QuestionnaireResponse).\nquestionnaire: mini@1.0\n")
    assert dhti("validate", tmp_path / "r.yaml").exit_code == 0
    again = dhti("import", "fhir-response", path, "-o", tmp_path / "r.yaml")
    assert again.exit_code == 1
    assert "exists already; use --force" in again.stderr


def test_na_on_a_number_is_a_data_absent_reason(dhti, write) -> None:
    text = COMPLETE.read_text(encoding="utf-8").replace(
        "capacity.systems.pacs_share: 60", "capacity.systems.pacs_share: na"
    )
    result = dhti("export", "fhir-response", write("na.yaml", text))
    assert result.exit_code == 0, result.output
    share = item(json.loads(result.stdout), "capacity.systems.pacs_share")
    assert share == {
        "linkId": "capacity.systems.pacs_share",
        "extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "not-applicable"}
        ],
    }


def test_a_response_from_another_tool(dhti, registry, tmp_path) -> None:
    out = tmp_path / "other.yaml"
    result = dhti("import", "fhir-response", INTEROP / "fhir-other-tool-mini.json", "-o", out)
    assert result.exit_code == 0, result.output
    validation = validate_file(out, registry=registry)
    response = validation.response
    assert response is not None, validation.problems
    assert response.entity.id == "01-BV-0200"
    assert str(response.assessment.date) == "2026-11-03"
    answers = response.answers
    assert answers["policy.strategy.plan"].evidence == "Quyết định 7/QĐ-BV"
    assert answers["policy.strategy.budget"].value == "yes"
    assert answers["capacity.systems.in_use"].value == ("his", "pacs")
    assert answers["capacity.systems.pacs_share"].na
    assert answers["capacity.systems.staff"].value == 6
    assert answers["capacity.systems.staff"].comment == "Hai người kiêm nhiệm"


BROKEN = INTEROP / "fhir-broken.json"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, ":7:1: error: invalid JSON: Expecting ',' delimiter"),
        ('{"resourceType": "Patient"}', ":1:2: error: not a FHIR QuestionnaireResponse (resourceType 'Patient')"),
        ("[1, 2]", ":1:1: error: expected a JSON object with resourceType 'QuestionnaireResponse'"),
        ('{"resourceType": "QuestionnaireResponse", "status": "x", "item": [], "item": []}', "duplicate key 'item'"),
        ('{"resourceType": "QuestionnaireResponse", "x": NaN}', "NaN is not a JSON number"),
        ('{"resourceType": "QuestionnaireResponse", "status": "completed"}', "no questionnaire canonical URL"),
        (
            '{"resourceType": "QuestionnaireResponse",\n "questionnaire": "urn:dhti:questionnaire:nope|1.0"}',
            ":2:2: error: questionnaire 'urn:dhti:questionnaire:nope|1.0': unknown questionnaire 'nope'",
        ),
        (
            '{"resourceType": "QuestionnaireResponse", "status": "entered-in-error"}',
            "this response is marked entered-in-error",
        ),
    ],
)
def test_files_that_are_not_responses(dhti, write, tmp_path, text: str | None, message: str) -> None:
    path = BROKEN if text is None else write("r.json", text)
    result = dhti("import", "fhir-response", path, "-o", tmp_path / "r.yaml")
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.yaml").exists()


def test_patient_fixture_is_refused(dhti, tmp_path) -> None:
    result = dhti("import", "fhir-response", INTEROP / "fhir-patient.json", "-o", tmp_path / "r.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{INTEROP / 'fhir-patient.json'}:2:3: error: not a FHIR QuestionnaireResponse (resourceType 'Patient');"
        " dhti imports QuestionnaireResponse resources\n"
    )


def response_json(items: list[dict]) -> str:
    resource = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "urn:dhti:questionnaire:mini|1.0",
        "status": "completed",
        "subject": {"identifier": {"value": "01-BV-9"}},
        "authored": "2026-10-20",
        "item": [{"linkId": "entity-type", "answer": [{"valueCoding": {"code": "hospital"}}]}, *items],
    }
    return json.dumps(resource, indent=1)


def position(text: str, link_id: str) -> str:
    """LINE:COL of the item with ``link_id`` in a JSON text written by :func:`response_json`."""
    needle = f'"linkId": "{link_id}"'
    line = next(number for number, content in enumerate(text.splitlines(), start=1) if needle in content)
    return f"{line}:{text.splitlines()[line - 1].index(needle) + 1}"


def test_item_problems_point_at_their_link_id(dhti, write, tmp_path) -> None:
    items = [
        {"linkId": "policy.strategy.plann", "answer": [{"valueCoding": {"code": "draft"}}]},
        {"linkId": "capacity.systems.staff", "answer": [{"valueDecimal": 1}, {"valueDecimal": 2}]},
        {"linkId": "capacity.systems.vendor", "answer": [{"valueQuantity": {"value": 1}}]},
        {"linkId": "capacity.systems.audit", "answer": [{}]},
        {"answer": []},
    ]
    path = write("r.json", response_json(items))
    result = dhti("import", "fhir-response", path, "-o", tmp_path / "r.yaml")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{path}:1:1: error: QuestionnaireResponse.item[5] has no linkId" in lines
    assert any(
        line.endswith(
            "error: unknown linkId 'policy.strategy.plann': not an item of mini@1.0"
            " (did you mean 'policy.strategy.plan'?)"
        )
        for line in lines
    )
    assert any("capacity.systems.staff: a number question takes one answer, found 2" in line for line in lines)
    assert any("capacity.systems.vendor: valueQuantity answers are not understood" in line for line in lines)
    assert any("capacity.systems.audit: each answer needs exactly one value[x], found 0" in line for line in lines)
    staff = next(line for line in lines if "takes one answer" in line)
    assert staff.startswith(f"{path}:{position(response_json(items), 'capacity.systems.staff')}: error:")


@pytest.mark.parametrize(
    ("answer", "link_id", "message"),
    [
        ({"valueDecimal": 10**4000}, "capacity.systems.staff", "valueDecimal is too large (over 1e308)"),
        ({"valueInteger": -(10**400)}, "capacity.systems.staff", "valueInteger is too large (over 1e308)"),
        ({"valueDecimal": True}, "capacity.systems.staff", "valueDecimal must be a JSON number, not true or false"),
        ({"valueInteger": 1.5}, "capacity.systems.staff", "valueInteger must be a JSON integer, not 1.5"),
        ({"valueString": {"a": 1}}, "entity-id", "valueString must be a JSON string, not an object"),
        ({"valueString": [1]}, "entity-name", "valueString must be a JSON string, not a list"),
        ({"valueDate": 20261020}, "assessment-date", "valueDate must be a JSON string, not a number"),
        ({"valueBoolean": "yes"}, "policy.strategy.plan", "valueBoolean must be true or false, not a string"),
        ({"valueString": None}, "capacity.systems.staff-evidence", "valueString must be a JSON string, not null"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_at_its_item(
    dhti, write, answer: dict, link_id: str, message: str
) -> None:
    text = response_json([{"linkId": link_id, "answer": [answer]}])
    path = write("r.json", text)
    result = dhti("import", "fhir-response", path, "-o", path.with_suffix(".yaml"), "--lenient")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:{position(text, link_id)}: error: {link_id}: {message}\n"
    assert not path.with_suffix(".yaml").exists()


def test_validation_errors_are_reported_at_the_item(dhti, write, tmp_path) -> None:
    items = [
        {"linkId": "policy.strategy.plan", "answer": [{"valueCoding": {"code": "aproved"}}]},
        {"linkId": "capacity.systems.in_use", "answer": [{"valueCoding": {"code": "his"}}]},
        {"linkId": "capacity.systems.staff", "answer": [{"valueDecimal": 1}]},
    ]
    path = write("r.json", response_json(items))
    result = dhti("import", "fhir-response", path, "-o", tmp_path / "r.yaml")
    assert result.exit_code == 1
    where = position(response_json(items), "policy.strategy.plan")
    assert f"{path}:{where}: error: policy.strategy.plan: 'aproved' is not one of the options" in result.stderr
    assert not (tmp_path / "r.yaml").exists()
    missing = write("m.json", response_json(items[1:]))
    strict = dhti("import", "fhir-response", missing, "-o", tmp_path / "m.yaml")
    assert strict.exit_code == 1
    assert "required question policy.strategy.plan is unanswered" in strict.stderr
    lenient = dhti("import", "fhir-response", missing, "-o", tmp_path / "m.yaml", "--lenient")
    assert lenient.exit_code == 0, lenient.output


def test_questionnaire_option_overrides_the_canonical(dhti, write, tmp_path) -> None:
    text = response_json([{"linkId": "policy.strategy.plan", "answer": [{"valueCoding": {"code": "none"}}]}])
    path = write("r.json", text.replace("urn:dhti:questionnaire:mini|1.0", "http://other.example/Questionnaire/x"))
    args = ["import", "fhir-response", path, "-o", tmp_path / "r.yaml", "--lenient"]
    assert dhti(*args).exit_code == 1
    assert dhti(*args, "--questionnaire", "mini").exit_code == 0
    assert dhti(*args, "--questionnaire", DATA / "mini.yaml", "--force").exit_code == 0


def test_export_fhir_response_of_an_invalid_file(dhti) -> None:
    result = dhti("export", "fhir-response", DATA / "responses" / "mini-problems.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "mini-problems.yaml:" in result.stderr
    lenient_text = COMPLETE.read_text(encoding="utf-8").replace('  policy.strategy.budget: "yes"\n', "")
    assert "policy.strategy.budget" not in lenient_text


def test_lenient_export_is_in_progress(dhti, write) -> None:
    text = COMPLETE.read_text(encoding="utf-8").replace('  policy.strategy.budget: "yes"\n', "")
    path = write("draft.yaml", text)
    assert dhti("export", "fhir-response", path).exit_code == 1
    result = dhti("export", "fhir-response", path, "--lenient")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "in-progress"


# ------------------------------------------------------------------ skip logic means the same in FHIR

SOURCES = {
    "d.i.a": question("d.i.a"),
    "d.i.m": question("d.i.m", "multi"),
    "d.i.n": question("d.i.n", "number"),
    "d.i.y": question("d.i.y", "yes_no"),
    "d.i.c": question("d.i.c", allow_na=True),
    "d.i.k": question("d.i.k", "multi", allow_na=True),
}
CONDITIONS = [
    "d.i.a == 'some'",
    "d.i.a != 'some'",
    "d.i.a in ['some', 'all']",
    "d.i.a not in ['none']",
    "'all' in d.i.m",
    "'all' not in d.i.m",
    "d.i.m in ['some', 'all']",
    "d.i.m not in ['none', 'all']",
    "d.i.n > 3",
    "3 >= d.i.n",
    "d.i.n != 2",
    "d.i.y == 'yes'",
    "d.i.c != 'some'",
    "d.i.c not in ['none', 'all']",
    "'some' not in d.i.k",
    "d.i.y == 'yes' and d.i.a != 'none'",
    "d.i.y == 'no' or d.i.a == 'all' or 'some' in d.i.m",
    "d.i.c != 'none' or d.i.n < 5",
    "not (d.i.a == 'some' or d.i.n > 1)",
    "d.i.n == d.i.n",
    "'some' in d.i.a",
]
VALUES = {
    "d.i.a": st.sampled_from(["none", "some", "all"]),
    # An empty list [] is not sent: FHIR and ODK cannot tell "none chosen" from "unanswered".
    "d.i.m": st.lists(st.sampled_from(["none", "some", "all"]), unique=True, min_size=1).map(tuple),
    "d.i.n": st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.5, 10.0]),
    "d.i.y": st.sampled_from(["yes", "no"]),
    "d.i.c": st.sampled_from(["none", "some", "all", "na"]),
    "d.i.k": st.one_of(
        st.just("na"), st.lists(st.sampled_from(["none", "some", "all"]), unique=True, min_size=1).map(tuple)
    ),
}
answers_strategy = st.fixed_dictionaries({}, optional=dict(VALUES))


def logic_questionnaire():
    targets = [
        question(f"d.t.q{n}", "yes_no", relevant=condition, entity_types=["hospital"] if n % 3 == 0 else None)
        for n, condition in enumerate(CONDITIONS)
    ]
    return questionnaire({"d": {"d.i": list(SOURCES.values()), "d.t": targets}})


LOGIC = logic_questionnaire()
PATHS = {qid: FhirPathWriter(LOGIC).applies(q) for qid, q in LOGIC.questions.items() if qid.startswith("d.t.")}
WHENS = {qid: EnableWhenWriter(LOGIC).applies(q) for qid, q in LOGIC.questions.items() if qid.startswith("d.t.")}


def fhir_answers(qid: str, value: object) -> list[dict]:
    if isinstance(value, float):
        return [{"valueDecimal": value}]
    chosen = value if isinstance(value, tuple) else (value,)
    return [{"valueCoding": {"code": code}} for code in chosen]


def enable_when_holds(conditions: tuple[dict, ...], behavior: str, answers: dict[str, list[object]]) -> bool:
    results = []
    for condition in conditions:
        given_answers = answers.get(condition["question"], [])
        expected = next(value for key, value in condition.items() if key.startswith("answer"))
        expected = expected["code"] if isinstance(expected, dict) else expected
        op = condition["operator"]
        if op == "exists":
            results.append(bool(given_answers) == expected)
        elif op == "=":
            results.append(any(answer == expected for answer in given_answers))
        elif op == "!=":
            results.append(not any(answer == expected for answer in given_answers))
        else:
            compare = {">": float.__gt__, "<": float.__lt__, ">=": float.__ge__, "<=": float.__le__}[op]
            results.append(any(compare(float(answer), float(expected)) for answer in given_answers))
    return all(results) if behavior == "all" else any(results)


@settings(max_examples=60, deadline=None)
@given(answers=answers_strategy, entity_type=st.sampled_from(["hospital", "health_centre"]))
def test_enable_when_and_fhirpath_agree_with_dhti(answers: dict[str, object], entity_type: str) -> None:
    from dhti.response import Answer, comparable  # noqa: PLC0415

    typed = {qid: Answer(None, na=True) if value == "na" else Answer(value) for qid, value in answers.items()}
    expected = applicable_questions(LOGIC, entity_type, {qid: comparable(answer) for qid, answer in typed.items()})
    items = [{"linkId": "entity-type", "answer": [{"valueCoding": {"code": entity_type}}]}]
    items += [{"linkId": qid, "answer": fhir_answers(qid, value)} for qid, value in answers.items()]
    resource = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [{"linkId": "d", "item": items}],
    }
    plain: dict[str, list[object]] = {
        entry["linkId"]: [a.get("valueCoding", {}).get("code", a.get("valueDecimal")) for a in entry["answer"]]
        for entry in items
    }
    for qid, expression in PATHS.items():
        assert fhirpath(resource, expression, {"resource": resource}, models["r4"]) == [qid in expected], (
            qid,
            expression,
        )
        when = WHENS[qid]
        if when is not None:
            assert enable_when_holds(when.conditions, when.behavior, plain) == (qid in expected), (qid, when)


def test_which_conditions_need_an_expression() -> None:
    """enableWhen says all but an 'any' list under an entity type, an 'or' of 'all' lists, not, two questions."""
    inexpressible = [CONDITIONS[int(qid.removeprefix("d.t.q"))] for qid, when in WHENS.items() if when is None]
    assert inexpressible == [
        "d.i.m in ['some', 'all']",  # and entity type hospital
        "d.i.c != 'none' or d.i.n < 5",
        "not (d.i.a == 'some' or d.i.n > 1)",
        "d.i.n == d.i.n",
        "'some' in d.i.a",
    ]
