"""dhti import odk: ODK Central and Kobo exports become response files that validate and score as typed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from dhti.assess import assess
from dhti.interop.drafts import safe_stem, unique_names
from dhti.interop.xlsform import build_xlsform, xlsform_name
from dhti.resources import examples_dir

DATA = Path(__file__).parent / "data"
INTEROP = DATA / "interop"
KOBO = INTEROP / "kobo-mini.csv"
BAD_ROWS = INTEROP / "odk-bad-rows.csv"
CENTRAL = INTEROP / "odk-central-station.csv"


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_odk_central_export_scores_like_the_samples(dhti, registry, tmp_path) -> None:
    result = dhti("import", "odk", CENTRAL, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith("3 submission(s): 3 written, 0 skipped\n")
    written = sorted((tmp_path / "out").glob("*.yaml"))
    assert [path.name for path in written] == ["11-TYT-0001.yaml", "82-TYT-0001.yaml", "92-TYT-0001.yaml"]
    samples = {}
    for sample in examples_dir().glob("commune-station-*.yaml"):
        outcome = assess(sample, registry=registry)
        samples[outcome.validation.response.entity.id] = outcome.scores
    for path in written:
        outcome = assess(path, registry=registry)
        assert outcome.valid, outcome.validation.problems
        assert outcome.scores == samples[path.stem]
    text = written[0].read_text(encoding="utf-8")
    assert text.startswith("# Imported by dhti from odk-central-station.csv, row 3.\n# SubmissionDate: 2026-05-12")
    assert "# meta-instanceID: uuid:6f1c2d3e-0000-4000-8000-000000000002" in text


def test_kobo_csv_with_semicolons_na_and_option_columns(dhti, registry, tmp_path) -> None:
    result = dhti("import", "odk", KOBO, "-o", tmp_path, "--lang", "en")
    assert result.exit_code == 0, result.output
    full = load(tmp_path / "01-BV-0001.yaml")
    assert full["questionnaire"] == "mini@1.0"
    assert full["assessment"] == {"date": "2026-10-15", "assessor": "Đoàn đánh giá Sở Y tế"}
    assert full["entity"] == {
        "id": "01-BV-0001",
        "name": "Bệnh viện Đa khoa Mẫu",
        "type": "hospital",
        "province": "Hà Nội",
        "ownership": "public",
        "level": "provincial",
        "beds": 500,
    }
    assert full["answers"]["capacity.systems.in_use"] == ["his", "pacs"]
    assert full["answers"]["policy.strategy.plan"] == {"value": "draft", "evidence": "Dự thảo kế hoạch số 12/KH-BV"}
    assert full["answers"]["capacity.systems.audit"] == "2026-03-01"
    not_applicable = load(tmp_path / "01-BV-0002.yaml")
    assert not_applicable["answers"]["capacity.systems.pacs_share"] == "na"
    assert not_applicable["assessment"]["respondent"] == "Nguyễn Văn An, Phó Giám đốc"
    centre = load(tmp_path / "03-TTYT-0007.yaml")
    assert centre["entity"]["type"] == "health_centre"
    assert centre["answers"] == {
        "policy.strategy.plan": "none",
        "capacity.systems.in_use": ["his"],
        "capacity.systems.staff": 0,
    }
    assert (
        "row 4, column 'policy/policy__strategy/policy__strategy__plan': warning:"
        " policy.strategy.plan: evidence is required" in result.stderr
    )
    original = assess(DATA / "responses" / "mini-complete.yaml", registry=registry)
    assert assess(tmp_path / "01-BV-0001.yaml", registry=registry).scores == original.scores


def kobo_rows() -> list[list[str]]:
    with KOBO.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_kobo_xlsx_export_with_date_and_number_cells(dhti, tmp_path) -> None:
    rows = kobo_rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "mini"
    date_column = rows[0].index("assessment/assessment_date")
    beds_column = rows[0].index("entity/entity_beds")
    for number, row in enumerate(rows):
        cells: list[object] = list(row)
        if number:
            cells[date_column] = dt.datetime.fromisoformat(row[date_column])
            cells[beds_column] = float(row[beds_column]) if row[beds_column] else None
        sheet.append(cells)
    path = tmp_path / "kobo.xlsx"
    workbook.save(path)
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 0, result.output
    from_xlsx = load(tmp_path / "out" / "01-BV-0001.yaml")
    assert from_xlsx["assessment"]["date"] == "2026-10-15"
    assert from_xlsx["entity"]["beds"] == 500
    assert dhti("import", "odk", KOBO, "-o", tmp_path / "csv").exit_code == 0
    assert from_xlsx == load(tmp_path / "csv" / "01-BV-0001.yaml")


def test_option_columns_alone_give_the_multi_answer(dhti, write, tmp_path) -> None:
    rows = kobo_rows()
    drop = {rows[0].index("capacity/capacity__systems/capacity__systems__in_use")}
    text = "\n".join(";".join(cell for i, cell in enumerate(row) if i not in drop) for row in rows) + "\n"
    result = dhti("import", "odk", write("split.csv", text), "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert load(tmp_path / "out" / "01-BV-0001.yaml")["answers"]["capacity.systems.in_use"] == ["his", "pacs"]


def test_bad_rows_are_reported_by_row_and_skipped(dhti, tmp_path) -> None:
    result = dhti("import", "odk", BAD_ROWS, "-o", tmp_path, "--lang", "en")
    assert result.exit_code == 1
    assert sorted(path.name for path in tmp_path.glob("*.yaml")) == ["01-BV-0101.yaml", "01-BV-0106.yaml"]
    name = str(BAD_ROWS)
    iso = "must be an ISO date such as 2026-10-15"
    plan = "'policy-policy__strategy-policy__strategy__plan'"
    expected = [
        (
            f"{name}: row 3, column {plan}: error: policy.strategy.plan: 'aproved' is not one of the options"
            " (none, draft, approved); did you mean 'approved'?"
        ),
        f"{name}: row 3: error: row skipped",
        (
            f"{name}: row 4, column 'capacity-capacity__systems-capacity__systems__staff': error:"
            " capacity.systems.staff: expected a number, not 'many'"
        ),
        f"{name}: row 5: error: row has 14 cells, the header has 15; row skipped",
        f"{name}: row 6, column 'entity-entity_id': error: missing required key 'id' in entity",
        f"{name}: row 6, column 'assessment-assessment_date': error: assessment.date: {iso}",
    ]
    for line in expected:
        assert line in result.stderr.splitlines()
    assert result.stderr.endswith("6 submission(s): 2 written, 4 skipped\n")
    assert load(tmp_path / "01-BV-0106.yaml")["answers"]["capacity.systems.pacs_share"] == "na"


def central_csv(*rows: str, header: str = "") -> str:
    columns = [
        "KEY",
        "dhti_questionnaire",
        "entity-entity_id",
        "entity-entity_type",
        "assessment-assessment_date",
        "policy-policy__strategy-policy__strategy__plan",
        "capacity-capacity__systems-capacity__systems__in_use",
        "capacity-capacity__systems-capacity__systems__staff",
    ]
    header = header or ",".join(columns)
    return "\n".join([header, *rows]) + "\n"


GOOD = "uuid:1,mini@1.0,{id},hospital,2026-10-20,none,his,2"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'KEY,entity-entity_id\n"uuid:1,x\n', "malformed CSV in row 2: unexpected end of data"),
        ("KEY,entity\u2011id\n".encode("cp1258", errors="replace") + b"\xff\xfe\n", "not UTF-8 text: byte 0xff"),
        (b"", "file is empty"),
        (b"a,b\x00\n", "binary file (contains NUL bytes), not CSV"),
        (
            "KEY,entity-entity_id\n".encode("utf-16"),
            "UTF-16 text, not UTF-8: save it as UTF-8 (in Excel: Save As, CSV UTF-8)",
        ),
    ],
)
def test_unreadable_csv_files(dhti, tmp_path, content: bytes, message: str) -> None:
    path = tmp_path / "subs.csv"
    path.write_bytes(content)
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--questionnaire", "mini", "--lang", "en")
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_unknown_columns_are_listed_with_a_suggestion(dhti, write, tmp_path) -> None:
    columns = ["KEY", "dhti_questionnaire", "entity-entity_id", "entity-entity_typ", "grp-policy__strategy__plann"]
    header = ",".join([*columns, "assessment-assessment_date"])
    path = write("subs.csv", central_csv("uuid:1,mini@1.0,01-BV-1,hospital,none,2026-10-20", header=header))
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        (
            f"{path}:1:4: error: unknown column 'entity-entity_typ': not a field of mini@1.0's form nor ODK or Kobo"
            " metadata (did you mean 'entity_type'?)"
        ),
        (
            f"{path}:1:5: error: unknown column 'grp-policy__strategy__plann': not a field of mini@1.0's form nor ODK"
            " or Kobo metadata (did you mean 'policy__strategy__plan'?)"
        ),
    ]


def test_other_file_errors(dhti, write, tmp_path) -> None:
    xls = write("subs.xls", "not really")
    assert "expected a .csv or .xlsx export" in dhti("import", "odk", xls, "-o", tmp_path / "o").stderr
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK not a zip")
    result = dhti("import", "odk", fake, "-o", tmp_path / "o", "--questionnaire", "mini", "--lang", "en")
    assert result.exit_code == 1
    assert "not a readable .xlsx workbook" in result.stderr
    unnamed = write("unnamed.csv", "entity_id,policy.strategy.plan\n01-BV-1,none\n")
    result = dhti("import", "odk", unnamed, "-o", tmp_path / "o", "--lang", "en")
    assert result.exit_code == 1
    assert "cannot tell which questionnaire these submissions answer" in result.stderr
    assert "give --questionnaire ID" in result.stderr
    no_id = write("no-id.csv", "dhti_questionnaire,policy.strategy.plan\nmini@1.0,none\n")
    assert "no entity_id column" in dhti("import", "odk", no_id, "-o", tmp_path / "o").stderr
    unknown = write("unknown.csv", "dhti_questionnaire,entity_id\nnope@1.0,x\n")
    assert "unknown questionnaire 'nope'" in dhti("import", "odk", unknown, "-o", tmp_path / "o").stderr


def test_plain_question_ids_and_questionnaire_option(dhti, write, tmp_path) -> None:
    text = "entity_id,entity_type,assessment_date,policy.strategy.plan,capacity.systems.in_use,capacity.systems.staff\n"
    text += "01-BV-7,hospital,2026-10-20,none,his lis,1.5\n"
    by_id = dhti(
        "import",
        "odk",
        write("ids.csv", text),
        "-o",
        tmp_path / "a",
        "--questionnaire",
        "mini@1.0",
        "--lang",
        "en",
    )
    assert by_id.exit_code == 0, by_id.output
    assert load(tmp_path / "a" / "01-BV-7.yaml")["answers"]["capacity.systems.staff"] == 1.5
    by_file = dhti("import", "odk", tmp_path / "ids.csv", "-o", tmp_path / "b", "--questionnaire", DATA / "mini.yaml")
    assert by_file.exit_code == 0, by_file.output


def test_a_submission_from_an_older_form_keeps_its_district(dhti, write, tmp_path) -> None:
    text = "entity_id,entity_type,entity_district,assessment_date,policy.strategy.plan,capacity.systems.in_use,"
    text += "capacity.systems.staff\n01-BV-8,hospital,Quận Ba Đình,2026-10-20,none,his,2\n"
    result = dhti("import", "odk", write("old.csv", text), "-o", tmp_path / "a", "--questionnaire", "mini@1.0")
    assert result.exit_code == 0, result.output
    assert load(tmp_path / "a" / "01-BV-8.yaml")["entity"]["district"] == "Quận Ba Đình"


def test_a_short_row_is_skipped_and_does_not_name_a_questionnaire(dhti, write, tmp_path) -> None:
    path = write("subs.csv", central_csv(GOOD.format(id="A"), "a,b,c", GOOD.format(id="B")))
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert f"{path}: row 3: error: row has 3 cells, the header has 8; row skipped" in result.stderr.splitlines()
    assert result.stderr.endswith("3 submission(s): 2 written, 1 skipped\n")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["A.yaml", "B.yaml"]


def test_submissions_of_two_questionnaires_need_a_choice(dhti, write, tmp_path) -> None:
    path = write("subs.csv", central_csv(GOOD.format(id="A"), GOOD.format(id="B").replace("mini@1.0", "mini@0.9")))
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == (
        f"dhti: error: {path}: submissions of several questionnaires (mini@0.9, mini@1.0); give --questionnaire ID\n"
    )
    chosen = dhti("import", "odk", path, "-o", tmp_path / "out", "--questionnaire", "mini", "--lang", "en")
    assert chosen.exit_code == 0, chosen.output


def test_file_names_are_safe_and_distinct(dhti, write, tmp_path) -> None:
    ids = ["../../etc/passwd", "01-BV-0001", "01-bv-0001", "CON", "Bệnh viện Đà Nẵng", "   "]
    rows = [GOOD.format(id=f'"{entity_id}"') for entity_id in ids]
    result = dhti("import", "odk", write("subs.csv", central_csv(*rows)), "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1  # the blank id is an error
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert names == [
        "01-BV-0001.yaml",
        "01-bv-0001-2.yaml",
        "Benh-vien-Da-Nang.yaml",
        "entity-CON.yaml",
        "etc-passwd.yaml",
    ]
    assert (
        "row 4: warning: entity '01-bv-0001' was submitted more than once;"
        " this submission is written to 01-bv-0001-2.yaml" in result.stderr
    )
    assert load(tmp_path / "out" / "etc-passwd.yaml")["entity"]["id"] == "../../etc/passwd"


def test_existing_files_are_kept_without_force(dhti, write, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "B.yaml").write_text("keep", encoding="utf-8")
    path = write("subs.csv", central_csv(GOOD.format(id="A"), GOOD.format(id="B")))
    result = dhti("import", "odk", path, "-o", out, "--lang", "en")
    assert result.exit_code == 1
    assert f"{out / 'B.yaml'} exists already; use --force to overwrite" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["B.yaml"]
    assert dhti("import", "odk", path, "-o", out, "--force").exit_code == 0
    assert load(out / "B.yaml")["entity"]["id"] == "B"
    assert dhti("import", "odk", path, "-o", out / "B.yaml").exit_code == 2  # a file, not a folder
    assert dhti("import", "odk", path, "-o", tmp_path / "no" / "such").exit_code == 1


@pytest.mark.parametrize(
    ("entity_id", "stem"),
    [
        ("01-BV-0001", "01-BV-0001"),
        ("a/b\\c", "a-b-c"),
        ("..", "entity"),
        ("lpt1.x", "entity-lpt1.x"),
        ("x" * 200, "x" * 80),
    ],
)
def test_safe_stem(entity_id: str, stem: str) -> None:
    assert safe_stem(entity_id) == stem


def test_unique_names_ignore_case() -> None:
    assert unique_names(["a", "A", "a", "b"]) == ["a.yaml", "A-2.yaml", "a-3.yaml", "b.yaml"]


def test_import_writes_nothing_to_stdout(dhti, tmp_path) -> None:
    result = dhti("import", "odk", KOBO, "-o", tmp_path, "--lang", "en")
    assert result.stdout == ""
    assert io.StringIO(result.stderr).readline().startswith(f"{KOBO}: row 4")


def central_export(responses: list) -> str:
    """What ODK Central exports for these responses typed into the form of their questionnaire."""
    form = build_xlsform(responses[0].questionnaire, lang="vi")
    path: list[str] = []
    headers, names = ["SubmissionDate"], []
    for cells in form.survey.rows:
        row = dict(zip(form.survey.columns, cells, strict=True))
        if row["type"] in ("begin group", "end group"):
            path = [*path, row["name"]] if row["type"] == "begin group" else path[:-1]
            continue
        headers.append("-".join([*path, row["name"]]))
        names.append(row["name"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*headers, "meta-instanceID"])
    for number, response in enumerate(responses):
        values = {"dhti_questionnaire": response.questionnaire.ref}
        values |= {f"entity_{k}": str(v) for k, v in response.entity.model_dump(exclude_none=True).items()}
        values |= {f"assessment_{k}": str(v) for k, v in response.assessment.model_dump(exclude_none=True).items()}
        for qid in response.applicable & set(response.answers):
            values |= typed_in(response.questionnaire.questions[qid], response.answers[qid], set(names))
        writer.writerow(["2026-11-01T00:00:00.000Z", *(values.get(name, "") for name in names), f"uuid:{number}"])
    return out.getvalue()


def typed_in(question, answer, names: set[str]) -> dict[str, str]:
    name = xlsform_name(question.id)
    if answer.na:
        return {name: "na"} if f"{name}_na" not in names else {f"{name}_na": "na"}
    value = answer.value
    text = " ".join(value) if isinstance(value, tuple) else f"{value:g}" if isinstance(value, float) else str(value)
    typed = {name: text} if value is not None else {}
    if answer.evidence and f"{name}_evidence" in names:
        typed[f"{name}_evidence"] = answer.evidence
    return typed


def test_every_sample_typed_into_its_form_scores_the_same(dhti, registry, write, tmp_path) -> None:
    outcomes = [assess(sample, registry=registry) for sample in sorted(examples_dir().glob("*.yaml"))]
    by_questionnaire: dict[str, list] = {}
    for outcome in outcomes:
        if outcome.valid:  # a sample still being written by someone else is left out
            by_questionnaire.setdefault(outcome.validation.response.questionnaire.id, []).append(outcome)
    assert "dhti-station" in by_questionnaire
    for ref, group in by_questionnaire.items():
        export = write(f"{ref}.csv", central_export([outcome.validation.response for outcome in group]))
        result = dhti("import", "odk", export, "-o", tmp_path / ref, "--lang", "en")
        assert result.exit_code == 0, result.output
        for outcome in group:
            imported = assess(tmp_path / ref / f"{outcome.validation.response.entity.id}.yaml", registry=registry)
            assert imported.scores == outcome.scores, outcome.file


def test_two_columns_for_one_field(dhti, write, tmp_path) -> None:
    header = "dhti_questionnaire,entity_id,policy.strategy.plan,grp-policy__strategy__plan"
    path = write("dup.csv", f"{header}\nmini@1.0,01-BV-1,none,none\n")
    result = dhti("import", "odk", path, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:1:4: error: columns 'policy.strategy.plan' and 'grp-policy__strategy__plan'"
        " both hold 'policy__strategy__plan'\n"
    )


def test_a_cell_may_hold_line_breaks(dhti, write, tmp_path) -> None:
    text = "dhti_questionnaire,entity_id,entity_type,assessment_date,policy.strategy.plan,capacity.systems.in_use,"
    text += "capacity.systems.staff,assessment_notes\n"
    text += 'mini@1.0,01-BV-1,hospital,2026-10-20,none,his,1,"two\nlines\u2028here"\n'
    result = dhti("import", "odk", write("notes.csv", text), "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert load(tmp_path / "out" / "01-BV-1.yaml")["assessment"]["notes"] == "two\nlines\u2028here"
