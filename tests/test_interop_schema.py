"""dhti export schema and the yaml-language-server line of dhti init: editors check what dhti checks."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from dhti.errors import OutputError
from dhti.interop.jsonschema import response_schema, schema_file_for, write_template_with_schema
from dhti.registry import Registry
from dhti.resources import examples_dir
from dhti.response import validate_file
from dhti.template import build_template
from dhti.yamlio import load

DATA = Path(__file__).parent / "data"
INTEROP = DATA / "interop"


@functools.cache
def validator(ref: str) -> Draft202012Validator:
    schema = response_schema(Registry.discover().get(ref), lang="en")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(ref: str, data: object) -> list[str]:
    return sorted(f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(ref).iter_errors(data))


def test_every_valid_sample_matches_its_schema(registry) -> None:
    checked = 0
    for sample in [*sorted(examples_dir().glob("*.yaml")), DATA / "responses" / "mini-complete.yaml"]:
        validation = validate_file(sample, registry=registry)
        if validation.response is None:
            continue  # a sample still being written by someone else
        assert errors(validation.response.questionnaire.id, load(sample).data) == [], sample
        checked += 1
    assert checked >= 4


def test_wrong_answers_are_refused_like_dhti_validate(registry) -> None:
    data = load(INTEROP / "schema-wrong-answers.yaml").data
    found = errors("mini", data)
    assert len(found) == 6
    for where in (
        "answers.policy.strategy.plan",
        "answers.policy.strategy.budget",
        "answers.capacity.systems.in_use",
        "answers.capacity.systems.staff",
        "entity.type",
    ):
        assert any(line.startswith(where) for line in found), (where, found)
    assert "answers: Additional properties are not allowed ('capacity.systems.typo' was unexpected)" in found
    assert validate_file(INTEROP / "schema-wrong-answers.yaml", registry=registry).errors


@pytest.mark.parametrize(
    ("answer", "valid"),
    [
        ({"capacity.systems.pacs_share": "na"}, True),
        ({"capacity.systems.pacs_share": " NA "}, True),
        ({"capacity.systems.staff": "na"}, False),
        ({"capacity.systems.pacs_share": 101}, False),
        ({"capacity.systems.staff": -1}, False),
        ({"capacity.systems.in_use": ["his", "his"]}, False),
        ({"capacity.systems.in_use": []}, True),
        ({"policy.strategy.budget": True}, True),
        ({"policy.strategy.budget": "Yes"}, True),
        ({"policy.strategy.plan": {"value": "draft", "evidence": "QĐ 1", "comment": "x"}}, True),
        ({"policy.strategy.plan": {"value": "draft", "proof": "QĐ 1"}}, False),
        ({"policy.strategy.plan": {"evidence": "QĐ 1"}}, True),
        ({"policy.strategy.plan": None}, True),
        ({"capacity.systems.vendor": "na"}, False),
        ({"capacity.systems.vendor": 42}, True),
        ({"capacity.systems.audit": "2026-13"}, False),
        ({"capacity.systems.audit": "2026-03-01"}, True),
    ],
)
def test_answer_forms(answer: dict[str, object], valid: bool) -> None:
    data = {
        "questionnaire": "mini@1.0",
        "entity": {"id": 101, "type": "hospital", "beds": 20},
        "assessment": {"date": "2026-10-15"},
        "answers": answer,
    }
    assert (errors("mini", data) == []) is valid


def test_top_level_shape() -> None:
    base = {"questionnaire": "mini", "entity": {"id": "x", "type": "hospital"}, "assessment": {"date": "2026-10-15"}}
    assert errors("mini", {**base, "answers": None}) == []
    assert errors("mini", {**base, "answers": {}, "extra": 1}) == [
        ": Additional properties are not allowed ('extra' was unexpected)"
    ]
    assert any(
        "questionnaire" in line for line in errors("mini", {**base, "answers": {}, "questionnaire": "other@1.0"})
    )
    assert any(
        "'date' is a required property" in line for line in errors("mini", {**base, "answers": {}, "assessment": {}})
    )


def test_schema_describes_questions_for_hover(registry) -> None:
    schema = response_schema(registry.get("mini"), lang="vi")
    plan = schema["properties"]["answers"]["properties"]["policy.strategy.plan"]
    assert plan["title"] == "Có kế hoạch không?"
    # An editor shows this as the respondent types: the options, not what each one scores.
    assert "- approved: Đã phê duyệt" in plan["description"]
    assert "(2)" not in plan["description"]
    shown = response_schema(registry.get("mini"), lang="vi", show_points=True)["properties"]["answers"]
    assert shown["properties"]["policy.strategy.plan"]["description"].endswith("- approved: Đã phê duyệt (2)")


def test_export_schema_shows_points_only_when_asked(dhti) -> None:
    hidden = dhti("export", "schema", "mini", "--lang", "vi").stdout
    shown = dhti("export", "schema", "mini", "--lang", "vi", "--show-points").stdout
    assert "Đã phê duyệt (2)" not in hidden
    assert "Đã phê duyệt (2)" in shown


def test_a_file_that_still_names_its_district_matches_the_schema(registry) -> None:
    data = load(MINI).data
    data["entity"]["district"] = "Quận Ba Đình"  # written before districts were abolished: still accepted
    assert errors("mini", data) == []
    schema = response_schema(registry.get("mini"), lang="vi")["properties"]["entity"]["properties"]
    assert schema["district"]["deprecated"] is True
    assert "hạng I" in schema["level"]["description"]


def test_export_schema_command(dhti, tmp_path) -> None:
    out = tmp_path / "mini.schema.json"
    result = dhti("export", "schema", "mini", "-o", out, "--lang", "en")
    assert result.exit_code == 0
    assert result.stderr == f"wrote {out}\n"
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["questionnaire"] == {
        "description": "The questionnaire answered: id@version (a bare id means the newest version).",
        "enum": ["mini@1.0", "mini"],
    }
    printed = dhti("export", "schema", "mini", "--lang", "en")
    assert json.loads(printed.stdout) == schema
    assert dhti("export", "schema", "nope", lang=None).exit_code == 1


def test_template_names_its_schema_on_the_first_line(registry) -> None:
    mini = registry.get("mini")
    text = build_template(mini, lang="en", file_name="benh-vien.yaml")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=benh-vien.schema.json"
    elsewhere = build_template(mini, lang="en", file_name="x.yaml", schema="https://example.vn/mini.schema.json")
    assert elsewhere.startswith("# yaml-language-server: $schema=https://example.vn/mini.schema.json\n")


def test_template_and_schema_written_together(registry, tmp_path) -> None:
    mini = registry.get("mini")
    out = tmp_path / "benh-vien.yaml"
    assert schema_file_for(out) == tmp_path / "benh-vien.schema.json"
    written = write_template_with_schema(mini, out, lang="vi", entity_type="hospital")
    assert written == (out, tmp_path / "benh-vien.schema.json")
    schema = json.loads(written[1].read_text(encoding="utf-8"))
    template = load(out).data
    found = sorted(e.json_path for e in Draft202012Validator(schema).iter_errors(template))
    assert found == ["$.assessment.date", "$.entity.id"]  # the two fields a facility must fill in first
    with pytest.raises(OutputError, match="exist already; use --force"):
        write_template_with_schema(mini, out, lang="vi")
    written[1].unlink()
    with pytest.raises(OutputError, match=r"benh-vien\.yaml exists already"):
        write_template_with_schema(mini, out, lang="vi")
    assert not written[1].exists()  # nothing written when one of the two exists


MINI = DATA / "responses" / "mini-complete.yaml"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('id: "01-BV-0001"', 'id: "01-\\u0412V-0001"'),  # a Cyrillic capital Ve, written as a YAML escape
        ('id: "01-BV-0001"', 'id: "01-BV-\\u200b0001"'),
        ('id: "01-BV-0001"', 'id: "' + "x" * 65 + '"'),
        ('id: "01-BV-0001"', 'id: "   "'),
        ('name: "Bệnh viện Đa khoa Mẫu"', 'name: "Bệnh viện\\u200b Mẫu"'),
        ('name: "Bệnh viện Đa khoa Mẫu"', 'name: "evil\\x00nul"'),
        ('name: "Bệnh viện Đa khoa Mẫu"', 'name: "Real\\rFAKE"'),
        ('name: "Bệnh viện Đa khoa Mẫu"', 'name: "' + "B" * 201 + '"'),
        ("date: 2026-10-15", "date: 9999-12-31"),
        ("date: 2026-10-15", "date: 1999-12-31"),
        ("capacity.systems.staff: 4", "capacity.systems.staff: 10000000000000000"),
        ('evidence: "Dự thảo kế hoạch số 12/KH-BV"', 'evidence: "' + "x" * 20_001 + '"'),
        ('capacity.systems.vendor: "Công ty phần mềm Y tế Việt"', 'capacity.systems.vendor: "a\\x1b]0;t\\x07"'),
    ],
)
def test_the_schema_refuses_what_validate_refuses(registry, tmp_path: Path, old: str, new: str) -> None:
    text = MINI.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "r.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert validate_file(path, registry=registry).errors
    assert errors("mini", load(path).data) != []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('id: "01-BV-0001"', "id: 0042"),
        ("type: hospital", "type: hospital\n  ownership: 3"),
        ('assessor: "Đoàn đánh giá Sở Y tế"', "assessor: 12"),
        ('evidence: "Dự thảo kế hoạch số 12/KH-BV"', 'evidence: "a\\u200db"'),
        ('id: "01-BV-0001"', 'id: "Bệnh viện Đà Nẵng/ 01_x.y"'),
        ('name: "Bệnh viện Đa khoa Mẫu"', 'name: "' + "B" * 200 + '"'),
        ("date: 2026-10-15", "date: 2099-12-31"),
        ('evidence: "Dự thảo kế hoạch số 12/KH-BV"', 'evidence: "dòng 1\\n\\tdòng 2"'),
    ],
)
def test_the_schema_accepts_what_validate_accepts(registry, tmp_path: Path, old: str, new: str) -> None:
    text = MINI.read_text(encoding="utf-8")
    path = tmp_path / "r.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert not validate_file(path, registry=registry).errors
    assert errors("mini", load(path).data) == []
