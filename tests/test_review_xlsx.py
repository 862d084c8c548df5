"""Review sheets as Excel workbooks: drop-down lists, locked columns, headers in both languages, problems by cell."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dhti.assess import assess_bytes
from dhti.registry import Registry
from dhti.resources import examples_dir
from dhti.review_xlsx import COLUMNS, letter
from dhti.store import open_store

pytest_plugins = ("conftest_store",)

STATION = examples_dir() / "commune-station-urban-can-tho.yaml"


@pytest.fixture
def station(dhti, store_url: str) -> str:
    """A store holding one real self-assessment: the urban commune station in Cần Thơ (#1)."""
    result = dhti("db", "ingest", STATION, db=store_url)
    assert result.exit_code == 0, result.output
    return store_url


def _rows(sheet) -> dict[str, int]:
    column = COLUMNS.index("question")
    return {row[column].value: row[column].row for row in sheet.iter_rows(min_row=2) if row[column].value}


def fill(workbook_path: Path, out: Path, corrections: dict[str, object]) -> Path:
    """A reviewer's work in Excel: reviewer and date, every answer confirmed, ``corrections`` corrected."""
    workbook = load_workbook(workbook_path)
    header, answers = workbook.worksheets[0], workbook.worksheets[1]
    for row in header.iter_rows():
        if row[2].value == "reviewer":
            row[1].value = "Nguyễn Thị Hoa, Sở Y tế Cần Thơ"
        elif row[2].value == "date":
            row[1].value = "2026-11-21"
    for question, number in _rows(answers).items():
        given = answers[f"{letter('self')}{number}"].value
        answers[f"{letter('verified')}{number}"] = corrections.get(question, given)
        answers[f"{letter('evidence_checked')}{number}"] = "missing" if question in corrections else "yes"
    workbook.save(out)
    return out


def test_the_workbook_has_drop_downs_locked_self_columns_and_a_header_sheet(dhti, station: str, tmp_path: Path) -> None:
    path = tmp_path / "review.xlsx"
    result = dhti("review", "init", "92-TYT-0001", "-o", path, "--lang", "vi", db=station)
    assert result.exit_code == 0, result.output
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Phiếu kiểm tra", "Câu trả lời", "Lựa chọn"]
    header, answers, options = workbook.worksheets
    assert options.sheet_state == "hidden"
    labels = {row[2].value: (row[0].value, row[1].value) for row in header.iter_rows() if row[2].value}
    assert labels["assessment"] == ("Số lần đánh giá", 1)
    assert labels["entity"] == ("Đơn vị", "92-TYT-0001")
    assert labels["reviewer"] == ("Người kiểm tra (họ tên, đơn vị)", None)
    assert [cell.value for cell in answers[1]][: len(COLUMNS)] == [
        "STT",
        "Mã câu hỏi",
        "Câu hỏi",
        "Cách trả lời",
        "Tự đánh giá",
        "Minh chứng đơn vị nêu",
        "Ghi chú của đơn vị",
        "Giá trị sau kiểm tra",
        "Minh chứng (yes: đã xem, no: chưa kiểm tra, missing: không xuất trình được)",
        "Ghi chú của người kiểm tra",
    ]
    rows = _rows(answers)
    plan = rows["policy.governance.plan"]
    assert answers[f"{letter('self')}{plan}"].value == "in_commune_plan"
    # Locked: the sheets are protected, the self-assessed cells locked, the reviewer's cells not.
    assert answers.protection.sheet
    assert header.protection.sheet
    assert answers[f"{letter('self')}{plan}"].protection.locked
    assert not answers[f"{letter('verified')}{plan}"].protection.locked
    assert not header.cell(labels_row(header, "reviewer"), 2).protection.locked
    # Drop-downs: the question's options (from the hidden sheet) for Verified, yes/no/missing for the evidence.
    validations = answers.data_validations.dataValidation
    verified_cell = f"{letter('verified')}{plan}"
    [choice] = [v for v in validations if verified_cell in v.sqref]
    assert choice.type == "list"
    sheet_name, _, cells = choice.formula1.partition("!")
    assert sheet_name == "'Lựa chọn'"
    listed = [cell.value for row in options[cells.replace("$", "")] for cell in row]
    assert listed == ["none", "station_only", "in_commune_plan", "reviewed"]
    evidence = [v for v in validations if f"{letter('evidence_checked')}{plan}" in v.sqref]
    assert [v.formula1 for v in evidence] == ['"yes,no,missing"']
    sites = rows["capacity.connectivity.sites"]
    [percent] = [v for v in validations if f"{letter('verified')}{sites}" in v.sqref]
    assert (percent.type, percent.formula1, percent.formula2) == ("decimal", "0", "100")
    # Options with their labels, never their points.
    guide = answers[f"{letter('guide')}{plan}"].value
    assert "in_commune_plan = Trong kế hoạch chuyển đổi số của xã" in guide
    assert "điểm" not in guide
    assert answers.column_dimensions[letter("text")].width == 60


def labels_row(sheet, key: str) -> int:
    return next(row[2].row for row in sheet.iter_rows() if row[2].value == key)


def test_english_headers(dhti, station: str, tmp_path: Path) -> None:
    path = tmp_path / "review.xlsx"
    assert dhti("review", "init", "#1", "-o", path, "--lang", "en", db=station).exit_code == 0
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Review", "Answers", "Options"]
    assert workbook.worksheets[1][f"{letter('verified')}1"].value == "Verified value"


def test_a_filled_workbook_is_recorded_with_its_bytes(dhti, station: str, tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "review.xlsx"
    assert dhti("review", "init", "#1", "-o", path, db=station).exit_code == 0
    corrections = {
        "policy.governance.plan": "station_only",
        "capacity.continuity.hygiene": "antivirus, updates",
        "capacity.connectivity.sites": 50,
    }
    filled = fill(path, tmp_path / "filled.xlsx", corrections)
    result = dhti("review", "apply", filled, db=station)
    assert result.exit_code == 0, result.output
    with open_store(station, create=False) as store:
        review = store.review_of(1)
        assert review is not None
        assert (review.sheet_format, review.reviewer) == ("xlsx", "Nguyễn Thị Hoa, Sở Y tế Cần Thơ")
        assert store.review_sheet(review.id) == filled.read_bytes()
        verified = store.response_bytes(review.verified_id)
        assert store.response_bytes(1) == STATION.read_bytes()
    assert sorted(a.question for a in review.changed) == sorted(corrections)
    hygiene = next(a for a in review.changed if a.question == "capacity.continuity.hygiene")
    assert (hygiene.verified_value, hygiene.evidence_checked) == ('["antivirus", "updates"]', "missing")
    before = assess_bytes(STATION.read_bytes(), file="self", registry=registry).validation.response
    after = assess_bytes(verified, file="verified", registry=registry).validation.response
    assert before is not None
    assert after is not None
    changed = {q for q in before.answers if before.answers[q] != after.answers.get(q)}
    assert changed == set(corrections)
    assert f"({len(corrections)} of " in result.stdout


def test_a_wrong_value_in_a_cell_is_reported_at_the_cell(dhti, station: str, tmp_path: Path) -> None:
    path = tmp_path / "review.xlsx"
    assert dhti("review", "init", "#1", "-o", path, db=station).exit_code == 0
    filled = fill(
        path, tmp_path / "filled.xlsx", {"policy.governance.plan": "everywhere", "capacity.devices.workpoints": "most"}
    )
    workbook = load_workbook(filled)
    rows = _rows(workbook.worksheets[1])
    for row in workbook.worksheets[0].iter_rows():
        if row[2].value == "reviewer":
            row[1].value = None
            reviewer_cell = row[1].coordinate
    workbook.save(filled)
    result = dhti("review", "apply", filled, db=station)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    verified = letter("verified")
    plan, devices = rows["policy.governance.plan"], rows["capacity.devices.workpoints"]
    assert (
        f"{filled}:Answers!{verified}{plan}: error: policy.governance.plan: verified: 'everywhere' is not one of"
        in result.stderr
    )
    assert (
        f"{filled}:Answers!{verified}{devices}: error: capacity.devices.workpoints: verified: expected a number"
        in result.stderr
    )
    assert f"{filled}:Review!{reviewer_cell}: error: reviewer: required" in result.stderr
    with open_store(station, create=False) as store:
        assert store.reviews() == []
        assert store.count(status=None) == 1


def test_a_workbook_that_is_not_a_review_sheet_is_refused(dhti, station: str, tmp_path: Path) -> None:
    from openpyxl import Workbook  # noqa: PLC0415

    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    result = dhti("review", "apply", other, db=station)
    assert result.exit_code == 1
    assert "not a review sheet" in result.stderr
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    result = dhti("review", "apply", broken, db=station)
    assert result.exit_code == 1
    assert "broken.xlsx:1:1: error: not a readable .xlsx workbook" in result.stderr
    assert "Traceback" not in result.output


def test_text_from_the_response_is_never_a_formula(dhti, tmp_path: Path) -> None:
    response = STATION.read_text(encoding="utf-8").replace(
        'evidence: "Danh sách 18 tài khoản', 'evidence: "=HYPERLINK(\\"http://x\\") Danh sách 18 tài khoản'
    )
    path = tmp_path / "station.yaml"
    path.write_text(response, encoding="utf-8")
    db = str(tmp_path / "s.sqlite")
    assert dhti("db", "ingest", path, db=db).exit_code == 0
    out = tmp_path / "review.xlsx"
    assert dhti("review", "init", "#1", "-o", out, db=db).exit_code == 0
    answers = load_workbook(io.BytesIO(out.read_bytes())).worksheets[1]
    cells = [
        cell for row in answers.iter_rows() for cell in row if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert [cell.data_type for cell in cells] == ["s"]


def test_cells_as_excel_gives_them_back(dhti, station: str, tmp_path: Path) -> None:
    """A decimal comma typed as text, an option in capitals, a multi in another order: read as a response would."""
    path = tmp_path / "review.xlsx"
    assert dhti("review", "init", "#1", "-o", path, db=station).exit_code == 0
    corrections = {
        "capacity.devices.workpoints": "83,5",
        "capacity.continuity.hygiene": "screen_lock; antivirus, updates",  # the same options: confirmed
    }
    filled = fill(path, tmp_path / "filled.xlsx", corrections)
    result = dhti("review", "apply", filled, db=station)
    assert result.exit_code == 0, result.output
    with open_store(station, create=False) as store:
        review = store.review_of(1)
        assert review is not None
    assert [(a.question, a.self_value, a.verified_value) for a in review.changed] == [
        ("capacity.devices.workpoints", "83", "83.5")
    ]
