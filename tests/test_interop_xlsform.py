"""dhti export xlsform: names, skip logic as XPath, and forms that pyxform converts without a warning."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from builders import question, questionnaire
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from dhti.interop import ConversionError
from dhti.interop.xlsform import XPathWriter, build_xlsform, form_fields, xlsform_name


def sheet_rows(path: Path, name: str) -> list[dict[str, str]]:
    workbook = load_workbook(path, read_only=True)
    rows = list(workbook[name].iter_rows(values_only=True))
    workbook.close()
    header = rows[0]
    return [{str(key): value or "" for key, value in zip(header, row, strict=True)} for row in rows[1:]]


@pytest.mark.parametrize(
    ("identifier", "name"),
    [("policy.plan.status", "policy__plan__status"), ("policy", "policy"), ("9x.y", "_9x__y"), ("a_b.c", "a_b__c")],
)
def test_names_replace_dots_with_double_underscores(identifier, name) -> None:
    assert xlsform_name(identifier) == name


def test_colliding_names_are_refused_with_both_ids() -> None:
    q = questionnaire({"policy": {"policy.plan": [question("policy.plan.a.b"), question("policy.plan.a__b")]}})
    with pytest.raises(ConversionError) as err:
        form_fields(q)
    assert str(err.value) == (
        "'policy.plan.a__b' and 'policy.plan.a.b' both become the XLSForm name 'policy__plan__a__b'; "
        "rename one of them in the questionnaire"
    )


def test_form_fields_cover_entity_question_na_flag_and_evidence(registry) -> None:
    fields = form_fields(registry.get("mini"))
    assert fields["entity_id"].key == "id"
    assert fields["assessment_date"].key == "date"
    assert fields["policy__strategy__plan"].key == "policy.strategy.plan"
    assert fields["policy__strategy__plan_evidence"].kind == "evidence"
    assert fields["capacity__systems__pacs_share_na"].kind == "na_flag"
    assert "capacity__systems__staff_evidence" not in fields  # evidence: none


RELEVANT = {
    "a == 'some'": "${d__i__a} = 'some'",
    "a != 'some'": "(${d__i__a} != '' and ${d__i__a} != 'some')",
    "a in ['some', 'all']": "(${d__i__a} = 'some' or ${d__i__a} = 'all')",
    "a not in ['none']": "(${d__i__a} != '' and ${d__i__a} != 'none')",
    "'all' in m": "selected(${d__i__m}, 'all')",
    "'all' not in m": "(count-selected(${d__i__m}) > 0 and not(selected(${d__i__m}, 'all')))",
    "m in ['some', 'all']": "(selected(${d__i__m}, 'some') or selected(${d__i__m}, 'all'))",
    "n > 3": "${d__i__n} > 3",
    "3 < n": "${d__i__n} > 3",
    "n != 2.5": "(${d__i__n} != '' and ${d__i__n} != 2.5)",
    "y == 'yes' and not (n >= 10 or a == 'none')": (
        "(${d__i__y} = 'yes' and not((${d__i__n} >= 10 or ${d__i__a} = 'none')))"
    ),
    "t < '2025-01-01'": "${d__i__t} < date('2025-01-01')",
    "na_choice != 'some'": "(${d__i__na_choice} != '' and ${d__i__na_choice} != 'na' and ${d__i__na_choice} != 'some')",
    "n == n2": "(${d__i__n} != '' and ${d__i__n2} != '' and ${d__i__n} = ${d__i__n2})",
    "m == 'all'": "false()",
    "'x' in ['x', 'y']": "true()",
}


def logic_questionnaire(relevant: str):
    return questionnaire(
        {
            "d": {
                "d.i": [
                    question("d.i.a"),
                    question("d.i.m", "multi"),
                    question("d.i.n", "number"),
                    question("d.i.n2", "number"),
                    question("d.i.y", "yes_no"),
                    question("d.i.t", "date", weight=0),
                    question("d.i.na_choice", allow_na=True),
                    question("d.i.target", "yes_no", relevant=relevant),
                ]
            }
        }
    )


@pytest.mark.parametrize(("relevant", "xpath"), RELEVANT.items())
def test_skip_logic_becomes_relevant(relevant: str, xpath: str) -> None:
    source = relevant
    for short in ("na_choice", "a", "m", "n2", "n", "y", "t"):
        source = _qualify(source, short)
    q = logic_questionnaire(source)
    assert XPathWriter(q).applies(q.questions["d.i.target"]) == xpath


def _qualify(source: str, short: str) -> str:
    import re  # noqa: PLC0415

    return re.sub(rf"(?<![\w.']){short}(?![\w.'])", f"d.i.{short}", source)


def test_entity_types_join_the_skip_logic(registry) -> None:
    mini = registry.get("mini")
    relevant = XPathWriter(mini).applies(mini.questions["capacity.systems.pacs_share"])
    assert relevant == "${entity_type} = 'hospital' and selected(${capacity__systems__in_use}, 'pacs')"


def test_mini_form_sheets(dhti, tmp_path) -> None:
    out = tmp_path / "mini.xlsx"
    result = dhti("export", "xlsform", "mini", "-o", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}\n"
    survey = {row["name"]: row for row in sheet_rows(out, "survey") if row["name"]}
    assert survey["dhti_questionnaire"]["calculation"] == "'mini@1.0'"
    plan = survey["policy__strategy__plan"]
    assert plan["type"] == "select_one policy__strategy__plan"
    assert plan["label::Vietnamese (vi)"] == "Có kế hoạch không?"
    assert plan["label::English (en)"] == "Is there a plan?"
    assert plan["required"] == "yes"
    assert plan["dhti_id"] == "policy.strategy.plan"
    share = survey["capacity__systems__pacs_share"]
    assert share["constraint"] == ". >= 0 and . <= 100"
    assert share["relevant"].endswith("and not(selected(${capacity__systems__pacs_share_na}, 'na'))")
    assert survey["capacity__systems__pacs_share_na"]["type"] == "select_multiple dhti_na"
    assert survey["capacity__systems__staff"]["constraint"] == ". >= 0"
    assert survey["capacity__systems__vendor"]["required"] == ""
    assert survey["entity_type"]["type"] == "select_one dhti_entity_types"
    assert survey["assessment_date"]["default"] == "today()"
    # Districts were abolished in 2025: the form does not ask for one; the grade is free text.
    assert "entity_district" not in survey
    assert survey["entity_level"]["label::Vietnamese (vi)"] == "Hạng (không bắt buộc, ghi tự do, vd. hạng I, hạng II)"
    groups = [row["name"] for row in sheet_rows(out, "survey") if row["type"] == "begin group"]
    assert groups == ["entity", "assessment", "policy", "policy__strategy", "capacity", "capacity__systems"]
    choices = sheet_rows(out, "choices")
    plan_choices = [(row["name"], row["points"]) for row in choices if row["list_name"] == "policy__strategy__plan"]
    assert plan_choices == [("none", "0"), ("draft", "1"), ("approved", "2")]
    settings = sheet_rows(out, "settings")[0]
    assert settings["default_language"] == "English (en)"
    assert settings["form_id"] == "mini"
    assert settings["version"] == "1.0"


def test_allow_na_choice_gets_a_not_applicable_option() -> None:
    q = questionnaire(
        {
            "standards": {
                "standards.data_quality": [question("standards.data_quality.feedback", "yes_no", allow_na=True)]
            }
        }
    )
    form = build_xlsform(q, lang="vi")
    rows = [dict(zip(form.survey.columns, row, strict=True)) for row in form.survey.rows]
    feedback = next(
        row for row in rows if row["dhti_id"] == "standards.data_quality.feedback" and row["label::English (en)"]
    )
    assert feedback["type"] == "select_one dhti_yes_no_na"
    na = [dict(zip(form.choices.columns, row, strict=True)) for row in form.choices.rows]
    assert {"list_name": "dhti_yes_no_na", "name": "na", "points": ""}.items() <= next(
        row for row in na if row["list_name"] == "dhti_yes_no_na" and row["name"] == "na"
    ).items()


@pytest.mark.parametrize("ref", ["mini", "dhti-station", "dhti-facility", "dhti-agency"])
def test_pyxform_converts_every_questionnaire_without_warnings(dhti, registry, tmp_path, ref: str) -> None:
    if ref not in registry.ids():
        pytest.skip(f"{ref} is not loadable yet")
    out = tmp_path / f"{ref}.xlsx"
    assert dhti("export", "xlsform", ref, "-o", str(out), lang=None).exit_code == 0
    warnings: list[str] = []
    result = convert(out, warnings=warnings)
    assert warnings == []
    assert result.warnings == []
    assert 'lang="Vietnamese (vi)" default="true()"' in result.xform
    assert "<dhti_questionnaire/>" in result.xform


def test_texts_that_look_like_formulas_stay_text(dhti, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DHTI_QUESTIONNAIRES", str(Path(__file__).parent / "data" / "formula"))
    out = tmp_path / "formula.xlsx"
    assert dhti("export", "xlsform", "formula-texts", "-o", str(out), lang=None).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        sheets = [archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert not any(b"<f>" in sheet or b"<f " in sheet for sheet in sheets)
    workbook = load_workbook(out)
    texts = {cell.value: cell.data_type for sheet in workbook for row in sheet.iter_rows() for cell in row}
    for text in ("=1+1", "+1", "-staff", "=staff", "@A1", "=0", "@1", "=cmd|' /C calc'!A0"):
        assert texts.get(text) == "s", text
    warnings: list[str] = []
    result = convert(out, warnings=warnings)
    assert warnings == []
    assert result.warnings == []
    assert "<value>=1+1</value>" in result.xform
    assert "<value>=staff</value>" in result.xform


def test_export_xlsform_errors(dhti, tmp_path) -> None:
    wrong_suffix = dhti("export", "xlsform", "mini", "-o", str(tmp_path / "mini.xls"), "--lang", "en")
    assert wrong_suffix.exit_code == 1
    assert "give a file name ending in .xlsx" in wrong_suffix.stderr
    unknown = dhti("export", "xlsform", "mimi", "-o", str(tmp_path / "x.xlsx"), "--lang", "en")
    assert unknown.exit_code == 1
    assert "unknown questionnaire 'mimi'; did you mean 'mini'?" in unknown.stderr
    existing = tmp_path / "keep.xlsx"
    existing.write_bytes(b"keep")
    kept = dhti("export", "xlsform", "mini", "-o", str(existing), "--lang", "en")
    assert kept.exit_code == 1
    assert "exists already; use --force" in kept.stderr
    assert existing.read_bytes() == b"keep"
    assert dhti("export", "xlsform", "mini", "-o", str(existing), "--force", lang=None).exit_code == 0
    assert dhti("export", "xlsform", "mini", lang=None).exit_code == 2  # -o is required
