"""Messages in the user's language: each kind in Vietnamese for a small bad file made with ``dhti init --lang vi``.

Positions and the words ``error``/``warning`` stay as tools parse them; only the message is translated,
and a quoted question's text is the questionnaire's Vietnamese one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dhti.errors import Problem, Severity, first_problems
from dhti.messages import L_, Count, Local, pydantic_message
from dhti.response import Entity

DATA = Path(__file__).parent / "data"


@pytest.fixture
def template(dhti, tmp_path: Path) -> str:
    """The fillable file of the test questionnaire, as ``dhti init --lang vi`` writes it."""
    out = tmp_path / "blank.yaml"
    assert dhti("init", "mini", "-o", str(out), "--lang", "vi").exit_code == 0
    return out.read_text(encoding="utf-8")


def fill(template: str, answers: dict[str, str], *, entity_type: str = "hospital") -> str:
    """The template with an entity, a date and these answers (written as YAML values) filled in."""
    text = template.replace("  id: ~ ", "  id: 01-BV-0001 #", 1).replace("  type: ~ ", f"  type: {entity_type} #", 1)
    text = text.replace("  date: ~ ", "  date: 2026-10-15 #", 1)
    for question, value in answers.items():
        assert f"  {question}: ~\n" in text, question
        text = text.replace(f"  {question}: ~\n", f"  {question}: {value}\n", 1)
    return text


@pytest.fixture
def response_file(template: str, tmp_path: Path):
    """Write the template, filled in with these answers, as r.yaml."""

    def _write(answers: dict[str, str]) -> Path:
        path = tmp_path / "r.yaml"
        path.write_text(fill(template, answers), encoding="utf-8")
        return path

    return _write


GOOD = {
    "policy.strategy.plan": "{value: approved, evidence: 'QĐ 12/QĐ-BV'}",
    "policy.strategy.budget": "yes",
    "capacity.systems.in_use": "[his]",
    "capacity.systems.staff": "4",
}


def messages(dhti, path: Path, lang: str, *extra: str) -> list[str]:
    """The problems ``dhti validate`` prints, without the file name."""
    result = dhti("validate", str(path), "--lang", lang, *extra)
    return [line.removeprefix(f"{path}:") for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("answers", "vi", "en"),
    [
        (
            {"policy.strategy.budget": "co"},
            "error: policy.strategy.budget: cần trả lời yes hoặc no, không phải 'co'",
            "error: policy.strategy.budget: expected yes or no, not 'co'",
        ),
        (
            {"policy.strategy.plan": "{value: aproved, evidence: x}"},
            (
                "error: policy.strategy.plan: 'aproved' không phải là một trong các phương án (none, draft, approved);"
                " có phải ý bạn là 'approved'?"
            ),
            (
                "error: policy.strategy.plan: 'aproved' is not one of the options (none, draft, approved);"
                " did you mean 'approved'?"
            ),
        ),
        (
            {"capacity.systems.staff": "1000000000000001"},
            "error: capacity.systems.staff: không được lớn hơn 1.000.000.000.000.000, không phải 1000000000000001",
            "error: capacity.systems.staff: must be at most 1,000,000,000,000,000, not 1000000000000001",
        ),
        (
            {"capacity.systems.in_use": "[his, his]"},
            "error: capacity.systems.in_use: phương án 'his' được liệt kê hai lần",
            "error: capacity.systems.in_use: option 'his' is listed twice",
        ),
        (
            {"capacity.systems.staff": "na"},
            "error: capacity.systems.staff: câu hỏi này không cho phép trả lời 'na' (không áp dụng)",
            "error: capacity.systems.staff: 'na' (not applicable) is not allowed for this question",
        ),
        (
            {"policy.strategy.plan": "approved"},
            "warning: policy.strategy.plan: câu trả lời này cần có minh chứng (thêm 'evidence: ...')",
            "warning: policy.strategy.plan: evidence is required for this answer (add 'evidence: ...')",
        ),
        (
            {"capacity.systems.pacs_share": "50"},
            (
                "warning: capacity.systems.pacs_share không áp dụng cho đơn vị này (theo điều kiện hiển thị hoặc loại"
                " hình đơn vị); câu trả lời bị bỏ qua"
            ),
            (
                "warning: capacity.systems.pacs_share is not asked of this entity (skip logic or entity type);"
                " its answer is ignored"
            ),
        ),
    ],
)
def test_answer_messages_in_vietnamese_and_english(
    dhti, response_file, answers: dict[str, str], vi: str, en: str
) -> None:
    path = response_file({**GOOD, **answers})
    vietnamese = [line.split(": ", 1) for line in messages(dhti, path, "vi")]
    english = [line.split(": ", 1) for line in messages(dhti, path, "en")]
    assert vi in [message for _, message in vietnamese]
    assert en in [message for _, message in english]
    assert [where for where, _ in vietnamese] == [where for where, _ in english]  # the same LINE:COL


def test_unanswered_required_question_quotes_its_vietnamese_text(dhti, tmp_path: Path, template: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(fill(template, {k: v for k, v in GOOD.items() if k != "policy.strategy.budget"}), "utf-8")
    assert [line.split(": ", 1)[1] for line in messages(dhti, path, "vi")] == [
        "error: câu hỏi bắt buộc policy.strategy.budget chưa được trả lời: Có kinh phí không?"
    ]
    assert [line.split(": ", 1)[1] for line in messages(dhti, path, "en")] == [
        "error: required question policy.strategy.budget is unanswered: Is there a budget?"
    ]
    lenient = messages(dhti, path, "vi", "--lenient")
    assert lenient[0].endswith(
        "warning: câu hỏi bắt buộc policy.strategy.budget chưa được trả lời: Có kinh phí không?"
        " (tính 0 điểm: --lenient)"
    )


def test_entity_and_key_messages(dhti, tmp_path: Path, template: str) -> None:
    text = fill(template, GOOD, entity_type="hospitl").replace("  beds: ~ ", "  beds: -5 #")
    path = tmp_path / "r.yaml"
    path.write_text(text + "  foo.bar: 1\nanswer: {}\n", encoding="utf-8")
    found = [line.split(": ", 1)[1] for line in messages(dhti, path, "vi")]
    assert found == [
        (
            "error: đơn vị loại 'hospitl' không được trả lời bộ câu hỏi 'mini' (các loại được phép: hospital,"
            " health_centre) (có phải ý bạn là 'hospital'?)"
        ),
        "error: entity.beds: phải lớn hơn hoặc bằng 0",
        "error: không có câu hỏi mã 'foo.bar'",
        "error: khóa 'answer' không hợp lệ (có phải ý bạn là 'answers'?)",
    ]


def test_json_carries_the_messages_in_the_chosen_language(dhti, tmp_path: Path, template: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(fill(template, {**GOOD, "policy.strategy.budget": "co"}), encoding="utf-8")
    validated = json.loads(dhti("validate", str(path), "--format", "json", "--lang", "vi").stdout)
    scored = json.loads(dhti("score", str(path), "--format", "json", "--lang", "vi").stdout)
    expected = "policy.strategy.budget: cần trả lời yes hoặc no, không phải 'co'"
    for item in (validated[0], scored[0]):
        assert list(item["errors"][0]) == ["line", "column", "severity", "message"]
        assert item["errors"][0]["severity"] == "error"
        assert item["errors"][0]["message"] == expected
    english = json.loads(dhti("validate", str(path), "--format", "json", "--lang", "en").stdout)
    assert english[0]["errors"][0]["message"] == "policy.strategy.budget: expected yes or no, not 'co'"


@pytest.mark.parametrize(
    ("content", "vi"),
    [
        (b"a: 1\na: 2\n", "2:1: error: khóa 'a' bị trùng: mỗi khóa chỉ được xuất hiện một lần"),
        (b"a:\n\tb: 1\n", "2:1: error: có ký tự tab trong phần thụt lề; YAML chỉ thụt lề bằng dấu cách"),
        (
            b"a: [1\n",
            (
                "2:1: error: YAML không hợp lệ: không thấy dấu ',' hoặc ']' như mong đợi (khi đọc một danh"
                " sách [...] bắt đầu ở dòng 1, cột 4)"
            ),
        ),
        (
            "a: 1\n".encode("utf-16"),
            "1:1: error: văn bản mã hóa UTF-16, không phải UTF-8: hãy lưu lại dưới dạng UTF-8 rồi thử lại",
        ),
        (
            b"a: \xff\n",
            "1:4: error: không phải văn bản UTF-8: không giải mã được byte 0xff; hãy lưu tệp dưới dạng UTF-8",
        ),
        (b"a: &x\n  b: *x\n", "1:4: error: alias đệ quy: một anchor tham chiếu đến chính nó"),
        (b"a: " + b"[" * 70 + b"]" * 70 + b"\n", "1:67: error: lồng nhau sâu quá 64 cấp"),
        (b"# only a comment\n", "1:1: error: tệp không chứa tài liệu YAML nào (chỉ có chú thích?)"),
        (b"x" * (5 * 1024 * 1024 + 1), "1:1: error: tệp có dung lượng 5,0 MiB; giới hạn là 5 MiB"),
    ],
)
def test_yaml_reading_errors_in_vietnamese(dhti, tmp_path: Path, content: bytes, vi: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    assert messages(dhti, path, "vi") == [vi]


def test_alias_bomb_in_vietnamese(dhti, tmp_path: Path) -> None:
    lines = ['a0: ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{n}: [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 7)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(f"{line.split(':')[0]}: &{line.split(':')[0]}{line.split(':', 1)[1]}" for line in lines))
    (found,) = messages(dhti, path, "vi")
    assert found.endswith("error: tài liệu mở rộng thành hơn 200000 nút (alias bomb?)")


def test_questionnaire_lint_in_vietnamese(dhti, tmp_path: Path) -> None:
    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    broken = text.replace("type: yes_no", "type: yesno", 1).replace("- id: capacity.systems.staff", "- id: policy", 1)
    path = tmp_path / "q.yaml"
    path.write_text(broken, encoding="utf-8")
    result = dhti("questionnaires", "lint", str(path), "--lang", "vi")
    found = [line.removeprefix(f"{path}:").split(": ", 2)[1:] for line in result.stdout.splitlines()]
    assert ["error", "mã 'policy' bị trùng: mỗi mã chỉ được dùng một lần trong bộ câu hỏi"] in found
    assert any(message.startswith("domains[0].indicators[0].questions[1].type: phải là ") for _, message in found)
    english = dhti("questionnaires", "lint", str(path), "--lang", "en").stdout
    assert "error: duplicate id 'policy': ids must be unique in the questionnaire" in english
    assert "questions[1].type: Input should be 'choice', 'yes_no'," in english


def test_registry_messages_in_vietnamese(dhti, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "broken.yaml").write_text("id: broken\nid: again\n", encoding="utf-8")
    monkeypatch.setenv("DHTI_QUESTIONNAIRES", f"{DATA}:{folder}")
    unknown = dhti("init", "minii", "-o", str(tmp_path / "x.yaml"), "--lang", "vi")
    assert unknown.exit_code == 1
    assert f"dhti: skipping a questionnaire: {folder / 'broken.yaml'}:2:1: error: khóa 'id' bị trùng" in unknown.stderr
    assert "dhti: error: không có bộ câu hỏi 'minii'; có phải ý bạn là 'mini'?" in unknown.stderr
    version = dhti("init", "mini@9", "-o", str(tmp_path / "x.yaml"), "--lang", "vi")
    assert "dhti: error: bộ câu hỏi 'mini' không có phiên bản '9' (hiện có: 1.0)" in version.stderr


def test_a_folder_without_responses_in_vietnamese(dhti, tmp_path: Path) -> None:
    result = dhti("validate", str(tmp_path), "--lang", "vi")
    assert result.exit_code == 1
    assert f"dhti: error: {tmp_path}: thư mục này không có tệp trả lời nào (*.yaml, *.yml)" in result.stderr


def test_the_count_of_problems_not_shown_is_translated() -> None:
    problems = [Problem.of("r.yaml", line, 1, L_("file is empty")) for line in range(1, 1_253)]
    summary = first_problems(problems)[-1]
    assert str(summary) == "r.yaml:51:1: error: … and 1,202 more problems"
    assert summary.render("vi") == "r.yaml:51:1: error: … và 1.202 vấn đề khác"


def test_english_is_the_message_id_and_needs_no_catalogue() -> None:
    message = L_("%(length)s characters; the limit is %(limit)s", length=Count(20_001), limit=Count(20_000))
    assert str(message) == "20,001 characters; the limit is 20,000"
    assert message.render("vi") == "20.001 ký tự; giới hạn là 20.000"
    problem = Problem.of("f.yaml", 3, 7, message, Severity.WARNING)
    assert (problem.message, str(problem)) == (str(message), "f.yaml:3:7: warning: " + str(message))
    assert problem.as_json("vi")["message"] == "20.001 ký tự; giới hạn là 20.000"


def test_a_questionnaire_text_falls_back_as_the_report_does() -> None:
    text = Local.of({"en": "Is there a plan?", "vi": "Có kế hoạch không?"})
    assert (text.render("vi"), text.render("en"), text.render("fr")) == (
        "Có kế hoạch không?",
        "Is there a plan?",
        "Is there a plan?",
    )
    assert Local.of({"vi": "Chỉ tiếng Việt"}).render("en") == "Chỉ tiếng Việt"


def test_pydantic_errors_keep_pydantic_english_and_are_translated() -> None:
    for data in ({"id": "a", "type": "hospital", "beds": "many"}, {"id": "a", "type": "hospital", "beds": 10**6}):
        with pytest.raises(ValueError, match="validation error") as info:
            Entity.model_validate(data)
        (error,) = info.value.errors(include_url=False)  # type: ignore[attr-defined]
        message = pydantic_message(error)
        assert str(message) == error["msg"]
        assert message.render("vi") != error["msg"]
        assert message.render("vi").startswith("phải ")


def test_the_report_notes_validation_warnings_in_its_language(dhti, response_file, tmp_path: Path) -> None:
    path = response_file({**GOOD, "policy.strategy.plan": "approved"})
    for lang, note in (("vi", "câu trả lời này cần có minh chứng"), ("en", "evidence is required for this answer")):
        out = tmp_path / f"report-{lang}.html"
        assert dhti("report", str(path), "-o", str(out), "--lang", lang).exit_code == 0
        assert f"policy.strategy.plan: {note}" in out.read_text(encoding="utf-8")


def test_store_errors_in_vietnamese(dhti, tmp_path: Path) -> None:
    missing = tmp_path / "no.sqlite"
    result = dhti("db", "list", "--db", str(missing), "--lang", "vi")
    assert result.exit_code == 1
    advice = "hãy thêm các lần đánh giá bằng lệnh: dhti db ingest FILE|DIR"
    assert result.stderr == f"dhti: error: kho dữ liệu {missing} chưa tồn tại; {advice}\n"


def test_import_errors_follow_dhti_lang(dhti, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DHTI_LANG", "vi")
    table = tmp_path / "submissions.csv"
    table.write_text("entity_id,colour\n01-BV-0001,blue\n", encoding="utf-8")
    result = dhti("import", "odk", str(table), "-o", str(tmp_path / "out"), "--questionnaire", "mini", lang=None)
    assert result.exit_code == 1
    assert f"{table}:1:2: error: cột 'colour' không hợp lệ: không phải trường của biểu mẫu mini@1.0" in result.stderr


def test_a_file_that_fails_says_why_in_the_readers_language(tmp_path: Path) -> None:
    """A file whose scoring or storing fails is marked with a message to translate, not English text."""
    from dhti.errors import DhtiError  # noqa: PLC0415 - only this test raises one by hand
    from dhti.jobs.ingest import failed, unscored  # noqa: PLC0415
    from dhti.messages import L_  # noqa: PLC0415

    problem = unscored(tmp_path / "a.yaml", DhtiError(L_("file is empty"))).problems[0]
    assert problem.message == "not scored: file is empty"
    assert problem.render("vi").endswith(": error: chưa chấm điểm được: tệp trống")
    crash = failed("b.yaml", L_("not stored: %(reason)s", reason="OverflowError: too big")).problems[0]
    assert crash.render("vi") == "b.yaml:1:1: error: chưa lưu được vào kho dữ liệu: OverflowError: too big"
