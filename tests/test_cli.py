"""Every command through click's runner: output, stderr and exit codes as a user sees them."""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import re
from pathlib import Path

import click
import pytest
import yaml

from dhti import __version__
from dhti.cli import main
from dhti.report import render

DATA = Path(__file__).parent / "data"
COMPLETE = str(DATA / "responses" / "mini-complete.yaml")
PROBLEMS = str(DATA / "responses" / "mini-problems.yaml")


def test_version(dhti) -> None:
    result = dhti("--version")
    assert result.exit_code == 0
    assert result.stdout == f"dhti, version {__version__}\n"


def test_the_version_is_the_installed_packages() -> None:
    """dhti states its version in dhti/__init__.py; the package built from it carries the same one."""
    assert importlib.metadata.version("dhti") == __version__


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["questionnaires"],
        ["questionnaires", "list"],
        ["questionnaires", "show"],
        ["questionnaires", "lint"],
        ["init"],
        ["validate"],
        ["score"],
    ],
)
def test_every_command_has_help(dhti, command: list[str]) -> None:
    result = dhti(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.stdout
    assert len(result.stdout.splitlines()) > 4


def test_usage_errors_exit_2(dhti) -> None:
    assert dhti("validate", "does-not-exist.yaml").exit_code == 2
    assert dhti("score", COMPLETE, "--format", "xml").exit_code == 2
    assert dhti("frobnicate").exit_code == 2
    assert dhti("init", "mini").exit_code == 2  # -o is required


def test_questionnaires_list(dhti) -> None:
    result = dhti("questionnaires", "list", "--lang", "en")
    assert result.exit_code == 0
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["id", "version", "entity", "types", "questions", "title", "source"]
    mini = next(row for row in rows if row.startswith("mini "))
    assert "hospital, health_centre" in mini
    assert re.search(r"\s5\s+Mini questionnaire", mini)
    assert any(row.startswith("dhti-station ") and "bundled" in row for row in rows)


def test_questionnaires_show(dhti) -> None:
    result = dhti("questionnaires", "show", "mini@1.0", "--lang", "vi")
    assert result.exit_code == 0
    assert result.stdout.startswith("Bộ câu hỏi rút gọn (mini@1.0)\n")
    assert "    1.1.1 Có kế hoạch không?" in result.stdout
    assert "        - approved = Đã phê duyệt (2)" in result.stdout
    assert "        Chỉ trả lời nếu câu 1.1.1 khác «Chưa có»" in result.stdout
    # mini cites GDHM-2: shown as a reader names it, in the language asked
    assert "  1.1 Chiến lược [policy.strategy, trọng số 1; GDHM 2; căn cứ: Chỉ số GDHM 2]\n" in result.stdout
    english = dhti("questionnaires", "show", "mini@1.0", "--lang", "en").stdout
    assert "  1.1 Strategy [policy.strategy, weight 1; GDHM 2; refs: GDHM 2]\n" in english


def test_show_unknown_questionnaire(dhti) -> None:
    result = dhti("questionnaires", "show", "minii")
    assert result.exit_code == 1
    assert result.stderr == "dhti: error: unknown questionnaire 'minii'; did you mean 'mini'?\n"


def test_lint(dhti) -> None:
    good = dhti("questionnaires", "lint", str(DATA / "mini.yaml"), "--lang", "en")
    assert good.exit_code == 0  # a warning alone passes
    # Choosing PACS (2 of 4 points) over HIS (1) opens the PACS share question, which can score 0:
    # HIS and 10 IT staff (weight 2) score (0.25 + 2 x 1) / 3 = 75.0; PACS with no images in it
    # (0.5 + 0 + 2 x 1) / 4 = 62.5. The text and date questions, neither scored nor read, are not shown.
    assert good.stdout.splitlines() == [
        (
            f"{DATA / 'mini.yaml'}:34:13: warning: indicator 'capacity.systems' can score lower when one answer"
            " gets better (capacity.systems.in_use): {capacity.systems.in_use: [his], capacity.systems.staff: 10}"
            " scores 75.0, but {capacity.systems.in_use: [pacs], capacity.systems.pacs_share: 0,"
            " capacity.systems.staff: 10} scores 62.5"
        )
    ]
    assert "ok (mini@1.0, 5 scored questions)" in good.stderr
    bad = dhti(
        "questionnaires",
        "lint",
        str(DATA / "mini.yaml"),
        str(DATA / "lint" / "many-errors.yaml"),
        "--lang",
        "en",
    )
    assert bad.exit_code == 1
    assert len(bad.stdout.splitlines()) == 18  # mini's warning and many-errors' 17 errors
    assert "1 of 2 file(s) have errors" in bad.stderr


def test_validate_text(dhti) -> None:
    result = dhti("validate", COMPLETE, PROBLEMS, "--lang", "en")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 9
    assert all(line.startswith(PROBLEMS + ":") for line in lines)
    assert "2 file(s) checked: 1 valid, 1 invalid" in result.stderr


def test_validate_ok_and_strict(dhti, write) -> None:
    assert dhti("validate", COMPLETE).exit_code == 0
    text = (
        Path(COMPLETE)
        .read_text(encoding="utf-8")
        .replace('{value: draft, evidence: "Dự thảo kế hoạch số 12/KH-BV"}', "draft")
    )
    warned = write("warned.yaml", text)
    assert dhti("validate", str(warned)).exit_code == 0
    strict = dhti("validate", str(warned), "--strict")
    assert strict.exit_code == 1
    assert "warning: policy.strategy.plan: evidence is required" in strict.stdout


def test_validate_json(dhti) -> None:
    result = dhti("validate", COMPLETE, PROBLEMS, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [item["valid"] for item in data] == [True, False]
    assert data[1]["errors"][0] == {
        "line": 6,
        "column": 3,
        "severity": "error",
        "message": "unknown key 'provice' in entity (did you mean 'province'?)",
    }
    assert data[1]["warnings"][0]["line"] == 13


def test_validate_a_folder(dhti) -> None:
    result = dhti("validate", str(DATA / "responses"), "--lang", "en")
    assert result.exit_code == 1
    assert "3 file(s) checked: 2 valid, 1 invalid" in result.stderr


@pytest.mark.parametrize("command", ["validate", "score"])
def test_a_folder_without_responses_is_an_error(dhti, tmp_path, command: str) -> None:
    # A check that checked nothing must not pass in CI.
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a response", encoding="utf-8")
    result = dhti(command, COMPLETE, str(empty))
    assert result.exit_code == 1
    assert result.stderr == f"dhti: error: {empty}: no response files (*.yaml, *.yml) in this folder\n"
    assert result.stdout == ""


def test_many_problems_are_shown_capped_in_text_and_json(dhti, write) -> None:
    keys = "".join(f"  policy.strategy.zz{i:04d}: 1\n" for i in range(300))
    path = write("r.yaml", Path(COMPLETE).read_text(encoding="utf-8").replace("answers:\n", "answers:\n" + keys, 1))
    text = dhti("validate", str(path))
    lines = text.stdout.splitlines()
    assert len(lines) == 51
    assert lines[-1] == f"{path}:62:3: error: … and 250 more problems"
    [as_json] = json.loads(dhti("validate", str(path), "--format", "json").stdout)
    assert len(as_json["errors"]) == 51
    assert as_json["errors"][-1] == {"line": 62, "column": 3, "severity": "error", "message": "… and 250 more problems"}


def test_score_csv_counts_every_error_not_only_those_shown(dhti, write) -> None:
    keys = "".join(f"  policy.strategy.zz{i:04d}: 1\n" for i in range(300))
    path = write("r.yaml", Path(COMPLETE).read_text(encoding="utf-8").replace("answers:\n", "answers:\n" + keys, 1))
    [row] = csv.DictReader(io.StringIO(dhti("score", str(path), "--format", "csv").stdout))
    assert row["errors"] == "300"


def test_score_json_keeps_unquoted_ids_as_written_and_stays_json(dhti, write) -> None:
    complete = Path(COMPLETE).read_text(encoding="utf-8")
    files = [
        write(f"{n}.yaml", complete.replace('id: "01-BV-0001"', f"id: {written}"))
        for n, written in enumerate(["0042", "42", "0x1F", "1.5e3", ".inf"])
    ]
    invalid = write("bad.yaml", complete.replace('id: "01-BV-0001"', "id: .nan").replace("type: hospital", "type: 7"))
    result = dhti("score", *map(str, files), str(invalid), "--format", "json")

    def no_constants(name: str) -> None:
        raise AssertionError(f"not JSON: {name}")

    data = json.loads(result.stdout, parse_constant=no_constants)
    assert [item["entity"]["id"] for item in data] == ["0042", "42", "0x1F", "1.5e3", ".inf", ".nan"]
    assert data[-1]["entity"]["type"] == "7"


def test_an_invalid_files_entity_is_shown_as_text_as_written(dhti, write) -> None:
    complete = Path(COMPLETE).read_text(encoding="utf-8")
    text = complete.replace('name: "Bệnh viện Đa khoa Mẫu"', "name: [a, b]")
    text = text.replace('province: "Hà Nội"', "province: true")
    result = dhti("score", str(write("r.yaml", text)), "--format", "json")
    assert result.exit_code == 1
    [data] = json.loads(result.stdout)
    assert data["entity"] == {"id": "01-BV-0001", "name": None, "type": "hospital", "province": "true"}


def test_score_json_follows_the_contract(dhti) -> None:
    result = dhti("score", COMPLETE, PROBLEMS, "--format", "json", "--lang", "en")
    assert result.exit_code == 1
    good, bad = json.loads(result.stdout)
    assert set(good) >= {
        "file",
        "entity",
        "questionnaire",
        "assessment",
        "index",
        "stage",
        "stage_label",
        "completeness",
        "domains",
        "recommendations",
        "gdhm",
        "errors",
    }
    assert good["entity"] == {
        "id": "01-BV-0001",
        "name": "Bệnh viện Đa khoa Mẫu",
        "type": "hospital",
        "province": "Hà Nội",
    }
    assert good["questionnaire"] == {"id": "mini", "version": "1.0"}
    assert good["assessment"] == {"date": "2026-10-15"}
    assert good["index"] == 63.125
    assert (good["stage"], good["stage_label"], good["completeness"]) == (4, "Advanced", 1.0)
    assert good["domains"][0] == {
        "id": "policy",
        "score": 75.0,
        "stage": 4,
        "indicators": [{"id": "policy.strategy", "score": 75.0, "stage": 4, "score_stage": 4, "gated_by": []}],
    }
    assert good["domains"][1]["score"] == pytest.approx(51.25)
    assert [(r["id"], r["priority"], r["horizon"], r["due"]) for r in good["recommendations"]] == [
        ("rec.capacity", "medium", "medium", "2028-04-15"),
        ("rec.capacity.pacs", "low", "long", "2029-10-15"),
    ]
    assert good["gdhm"] == {"2": 4}
    assert (good["score_stage"], good["capped_by"], good["compliance"]) == (4, [], [])
    assert good["errors"] == []
    assert bad["index"] is None
    assert (bad["score_stage"], bad["capped_by"], bad["compliance"]) == (None, [], [])
    assert bad["errors"][0] == {
        "line": 6,
        "column": 3,
        "severity": "error",
        "message": "unknown key 'provice' in entity (did you mean 'province'?)",
    }
    assert PROBLEMS + ":6:3: error: unknown key 'provice'" in result.stderr


def test_score_table_single_file(dhti) -> None:
    result = dhti("score", COMPLETE, "--lang", "en")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        "Bệnh viện Đa khoa Mẫu (01-BV-0001, hospital, Hà Nội)",
        "mini@1.0, assessed 2026-10-15",
        "Index 63.1  stage 4 Advanced  completeness 100%",
    ]
    assert "  1. [medium, by 2028-04-15] Invest." in result.stdout


def test_score_table_vietnamese_uses_decimal_comma(dhti) -> None:
    result = dhti("score", COMPLETE, "--lang", "vi")
    assert "Chỉ số tổng hợp 63,1  giai đoạn 4 Nâng cao" in result.stdout


def test_score_table_many_files(dhti) -> None:
    result = dhti("score", COMPLETE, PROBLEMS, "--lang", "en")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["file", "entity", "index", "stage", "policy", "capacity", "complete"]
    assert re.search(r"01-BV-0001\s+63\.1\s+4 Advanced\s+75\.0\s+51\.2\s+100%$", lines[2])
    assert re.search(r"01-TTYT-0002\s+invalid", lines[3])


def test_score_csv(dhti) -> None:
    result = dhti("score", COMPLETE, PROBLEMS, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["entity_id"] == "01-BV-0001"
    assert float(rows[0]["index"]) == 63.125
    assert float(rows[0]["domain:capacity"]) == pytest.approx(51.25)
    assert float(rows[0]["indicator:policy.strategy"]) == 75.0
    assert rows[1]["index"] == ""
    assert rows[1]["errors"] == "8"


def test_score_lenient(dhti, write) -> None:
    text = Path(COMPLETE).read_text(encoding="utf-8").replace('  policy.strategy.budget: "yes"\n', "")
    path = str(write("partial.yaml", text))
    assert dhti("score", path).exit_code == 1
    lenient = dhti("score", path, "--lenient", "--format", "json")
    assert lenient.exit_code == 0
    data = json.loads(lenient.stdout)[0]
    assert data["completeness"] == 0.8
    assert data["domains"][0]["score"] == 25.0


def test_questionnaire_override(dhti, write) -> None:
    text = Path(COMPLETE).read_text(encoding="utf-8").replace("mini@1.0", "my-own@1.0")
    path = str(write("own.yaml", text))
    assert dhti("validate", path).exit_code == 1
    result = dhti("validate", path, "--questionnaire", str(DATA / "mini.yaml"))
    assert result.exit_code == 0
    assert "warning: response names 'my-own@1.0'; checking it against mini@1.0 as asked" in result.stdout


def test_init_shows_the_points_only_when_asked(dhti, tmp_path) -> None:
    out = tmp_path / "cham-diem.yaml"
    assert dhti("init", "mini", "-o", str(out), "--lang", "vi", "--show-points").exit_code == 0
    text = out.read_text(encoding="utf-8")
    # mini's plan options earn 0, 1 and 2 points; HIS, LIS and PACS 1, 1 and 2
    assert "  #       none = Chưa có (0 điểm)\n" in text
    assert "  #       approved = Đã phê duyệt (2 điểm)\n" in text
    assert "  #       pacs = PACS (2 điểm)\n" in text
    assert "Đã phê duyệt (2)" in (tmp_path / "cham-diem.schema.json").read_text(encoding="utf-8")
    english = tmp_path / "points.yaml"
    assert dhti("init", "mini", "-o", str(english), "--lang", "en", "--show-points").exit_code == 0
    assert "  #       approved = Approved (2 points)\n" in english.read_text(encoding="utf-8")


def test_init_writes_a_fillable_file_that_validates_once_filled(dhti, tmp_path) -> None:
    out = tmp_path / "benh-vien.yaml"
    result = dhti("init", "mini", "-o", str(out), "--lang", "vi", "--entity-type", "hospital")
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=benh-vien.schema.json\n# Bộ câu hỏi rút gọn (mini@1.0)\n")
    assert (tmp_path / "benh-vien.schema.json").is_file()
    assert "  # [1.1.1] Có kế hoạch không?\n" in text
    assert "  #       approved = Đã phê duyệt\n" in text  # no points: they invite answering for the score
    assert not re.search(r"\(\d+ điểm\)", text)
    assert "  # Căn cứ: Chỉ số GDHM 2\n" in text  # the indicator's refs, as a reader names them
    # Districts were abolished in 2025: not asked; the grade is free text.
    assert "district" not in text
    assert "  level: ~       # không bắt buộc, ghi tự do: hạng bệnh viện, vd. hạng I, hạng II\n" in text
    assert "Minh chứng: bắt buộc" in text
    assert "  policy.strategy.plan: ~\n" in text
    assert "  type: hospital" in text
    # Unfilled: the required fields and questions are reported, nothing crashes.
    unfilled = dhti("validate", str(out))
    assert unfilled.exit_code == 1
    assert "entity.id: required; replace ~ with a value" in unfilled.stdout
    # Filled in by a facility that read only the comments.
    data = yaml.safe_load(text)
    data["entity"].update(id="01-BV-0009", name="Bệnh viện Mẫu")
    data["assessment"]["date"] = "2026-11-01"
    data["answers"].update(
        {
            "policy.strategy.plan": {"value": "approved", "evidence": "Quyết định 45/QĐ-BV"},
            "policy.strategy.budget": "yes",
            "capacity.systems.in_use": ["his"],
            "capacity.systems.staff": 3,
        }
    )
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    filled = dhti("validate", str(out))
    assert filled.exit_code == 0, filled.stdout


def test_init_never_overwrites_without_force(dhti, tmp_path) -> None:
    out = tmp_path / "r.yaml"
    out.write_text("keep me", encoding="utf-8")
    result = dhti("init", "mini", "-o", str(out))
    assert result.exit_code == 1
    assert "exists already; use --force to overwrite" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    assert dhti("init", "mini", "-o", str(out), "--force").exit_code == 0
    assert out.read_text(encoding="utf-8") != "keep me"


def test_init_entity_type_filters_questions(dhti, tmp_path) -> None:
    centre = tmp_path / "centre.yaml"
    assert dhti("init", "mini", "-o", str(centre), "--entity-type", "health_centre").exit_code == 0
    assert "capacity.systems.pacs_share" not in centre.read_text(encoding="utf-8")
    everyone = tmp_path / "all.yaml"
    assert dhti("init", "mini", "-o", str(everyone), "--lang", "en").exit_code == 0
    text = everyone.read_text(encoding="utf-8")
    assert "capacity.systems.pacs_share: ~" in text
    assert "Only for: hospital" in text
    bad = dhti("init", "mini", "-o", str(tmp_path / "x.yaml"), "--entity-type", "ministry")
    assert bad.exit_code == 1
    assert "entity type 'ministry' may not answer 'mini'" in bad.stderr


def test_init_into_missing_folder(dhti, tmp_path) -> None:
    result = dhti("init", "mini", "-o", str(tmp_path / "nope" / "r.yaml"))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


HOSTILE = {
    "dup.yaml": b"questionnaire: mini\nquestionnaire: mini\n",
    "tab.yaml": b"questionnaire: mini\nentity:\n\tid: 1\n",
    "latin1.yaml": "questionnaire: mini\nentity: {name: Bệnh viện}\n".encode("cp1258", errors="replace") + b"\xff",
    "binary.yaml": bytes(range(256)),
    "bomb.yaml": (
        b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    ),
    "deep.yaml": b"a: " + b"[" * 50_000 + b"]" * 50_000,
    "nan.yaml": b"questionnaire: mini\nentity: {id: x, type: hospital}\nassessment: {date: 2026-01-01}\n"
    b"answers: {capacity.systems.staff: .nan}\n",
    "list.yaml": b"- questionnaire: mini\n",
    "empty.yaml": b"",
    "huge.yaml": b"a: " + b"x" * (5 * 1024 * 1024 + 10),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("command", ["validate", "score", "lint"])
def test_bad_input_is_one_clear_message_exit_1(runner, tmp_path, name: str, command: str) -> None:
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    args = ["questionnaires", "lint", str(path)] if command == "lint" else [command, str(path)]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert re.search(re.escape(str(path)) + r":\d+:\d+: error: ", result.output)


def test_demo_scores_every_sample(dhti, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Laying out two dozen PDFs would take most of a minute and test WeasyPrint, not the demo: the
    # demo hands each report's print HTML to a stand-in here, while test_report and test_aggregate
    # check real PDFs of an entity report and of the portfolio.
    laid_out: list[str] = []

    def lay_out(html: str, *, pdfa: bool = True) -> bytes:
        assert pdfa
        laid_out.append(html)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(render, "render_pdf", lay_out)
    out = tmp_path / "demo"
    result = dhti("demo", "-o", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    samples = sorted((Path(__file__).resolve().parent.parent / "questionnaires" / "examples").glob("*.yaml"))
    for sample in samples:
        assert sample.name in result.stdout
    data = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert len(data) == len(samples)
    for sample in samples:
        assert (out / f"{sample.stem}.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        assert (out / f"{sample.stem}.pdf").read_bytes() == b"%PDF-1.7 stand-in"
    assert len(laid_out) == len(samples) + 1
    assert all(html.startswith("<!DOCTYPE html>") for html in laid_out)
    assert all(item["index"] is not None for item in data)
    assert f"  {out / 'scores.csv'}" in result.stderr
    assert (out / "dhti-demo.sqlite").is_file()
    assert "Digital transformation portfolio" in (out / "portfolio.html").read_text(encoding="utf-8")
    assert "Digital transformation portfolio" in laid_out[-1]
    assert (out / "portfolio.pdf").read_bytes() == b"%PDF-1.7 stand-in"


def test_report_html_and_pdf(dhti, tmp_path) -> None:
    html = tmp_path / "r.html"
    result = dhti("report", COMPLETE, "-o", str(html), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert f"wrote {html}" in result.stderr
    assert "Bệnh viện Đa khoa Mẫu" in html.read_text(encoding="utf-8")
    pdf = tmp_path / "r.pdf"
    assert dhti("report", COMPLETE, "-o", str(pdf), "--no-pdfa").exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF-")
    forced = tmp_path / "r.out"
    assert dhti("report", COMPLETE, "-o", str(forced), "--format", "html").exit_code == 0
    assert forced.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_refuses_an_unknown_suffix_and_an_invalid_response(dhti, tmp_path) -> None:
    unknown = dhti("report", COMPLETE, "-o", str(tmp_path / "r.docx"))
    assert unknown.exit_code == 2
    assert "name it .html or .pdf" in unknown.stderr
    invalid = dhti("report", PROBLEMS, "-o", str(tmp_path / "r.html"))
    assert invalid.exit_code == 1
    assert "unknown key 'provice'" in invalid.stderr
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric"])
def test_weights_and_points_at_the_bound_score_to_finite_json(dhti, tmp_path: Path, aggregation: str) -> None:
    text = (
        (DATA / "mini.yaml")
        .read_text(encoding="utf-8")
        .replace("aggregation: arithmetic", f"aggregation: {aggregation}")
    )
    text = text.replace(
        "    title: {en: Policy, vi: Chính sách}\n", "    title: {en: Policy, vi: Chính sách}\n    weight: 1e6\n"
    )
    text = text.replace("        refs: [GDHM-2]\n", "        refs: [GDHM-2]\n        weight: 1000000\n")
    text = re.sub(r"points: \d+", "points: 1000000", text).replace("weight: 2", "weight: 1e6")
    path = tmp_path / "heavy.yaml"
    path.write_text(text, encoding="utf-8")
    assert dhti("questionnaires", "lint", str(path)).exit_code == 0
    result = dhti("score", COMPLETE, "--questionnaire", str(path), "--format", "json")

    def refuse(constant: str) -> None:
        raise AssertionError(constant)

    (scored,) = json.loads(result.stdout, parse_constant=refuse)
    assert 0 <= scored["index"] <= 100


BUNDLED_FACILITY = Path(__file__).resolve().parent.parent / "questionnaires" / "dhti-facility.yaml"
HANOI = str(Path(__file__).resolve().parent.parent / "questionnaires" / "examples" / "central-hospital-hanoi.yaml")


def _user_folder(monkeypatch: pytest.MonkeyPatch, folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("DHTI_QUESTIONNAIRES", f"{folder}:{DATA}")
    return folder


def _deep(condition: str) -> str:
    text = (DATA / "mini.yaml").read_text(encoding="utf-8").replace("id: mini\n", "id: deep\n", 1)
    return text.replace("relevant: \"policy.strategy.plan != 'none'\"", f'relevant: "{condition}"')


@pytest.mark.parametrize(
    "condition",
    ["(" * 400 + "policy.strategy.plan != 'none'" + ")" * 400, "not " * 100_000 + "policy.strategy.plan != 'none'"],
    ids=["parentheses", "not"],
)
def test_a_broken_user_questionnaire_is_skipped_with_one_warning(dhti, monkeypatch, tmp_path, condition) -> None:
    mixed = (DATA / "lint" / "schema-and-logic.yaml").read_text(encoding="utf-8")
    folder = _user_folder(monkeypatch, tmp_path / "mine", {"deep.yaml": _deep(condition), "mixed.yaml": mixed})
    listed = dhti("questionnaires", "list", "--lang", "en")
    assert listed.exit_code == 0
    assert re.search(r"^mini ", listed.stdout, re.MULTILINE)
    assert "deep" not in listed.stdout
    warnings = listed.stderr.splitlines()
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith(f"dhti: skipping a questionnaire: {folder / 'deep.yaml'}:30:23: error: relevant:")
    assert warnings[1].startswith(f"dhti: skipping a questionnaire: {folder / 'mixed.yaml'}:9:13: error:")
    assert warnings[1].endswith(f"(and 9 more errors: dhti questionnaires lint {folder / 'mixed.yaml'})")
    validated = dhti("validate", HANOI, "--lang", "en")
    assert validated.exit_code == 0
    assert validated.stderr.count("skipping a questionnaire") == 2


def test_a_user_questionnaire_cannot_replace_a_bundled_one(dhti, monkeypatch, tmp_path) -> None:
    before = json.loads(dhti("score", HANOI, "--format", "json").stdout)[0]["index"]
    text = BUNDLED_FACILITY.read_text(encoding="utf-8")
    shadow, changed = re.subn(r"(  - id: workforce\n(?:.*\n){4})    weight: 1\n", r"\1    weight: 100\n", text)
    assert changed == 1
    folder = _user_folder(monkeypatch, tmp_path / "shadow", {"facility.yaml": shadow})
    assert dhti("questionnaires", "lint", str(folder / "facility.yaml")).exit_code == 0
    scored_alone = dhti("score", HANOI, "--questionnaire", str(folder / "facility.yaml"), "--format", "json")
    assert json.loads(scored_alone.stdout)[0]["index"] < before - 10  # the file would change the score
    result = dhti("score", HANOI, "--format", "json", "--lang", "en")
    assert json.loads(result.stdout)[0]["index"] == before
    assert result.stderr.splitlines() == [
        (
            f"dhti: skipping a questionnaire: {folder / 'facility.yaml'}:8:5: error: dhti-facility@2.0 is already"
            f" defined by {BUNDLED_FACILITY}; give this one another id or version"
        ),
    ]
    listed = dhti("questionnaires", "list", "--lang", "en")
    sources = [line.split()[-1] for line in listed.stdout.splitlines() if line.startswith("dhti-facility")]
    assert sources == ["bundled"] * 2  # versions 1.0 and 2.0


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        found.append((" ".join((*path, name)), command))
        if isinstance(command, click.Group):
            found += _commands(command, (*path, name))
    return found


@pytest.mark.parametrize("flag", ["--lenient", "--province", "--type", "--since", "--until", "--entity", "--latest"])
def test_an_option_shared_by_commands_means_one_thing(flag: str) -> None:
    """Where several commands take an option of one kind, it is declared once and explained once.

    ``simulate --province`` is of another kind: it names the provinces to make files for (repeated,
    an unknown name refused), not a filter of the store; it reads names as the filter does.
    """
    options = [
        param
        for name, command in _commands(main)
        for param in command.params
        if isinstance(param, click.Option) and flag in param.opts and name != "simulate"
    ]
    assert len(options) >= 2
    assert len({option.help for option in options}) == 1, {option.help for option in options}


def test_aggregate_filters_as_db_list_does() -> None:
    commands = dict(_commands(main))
    listed = {param.name: param for param in commands["db list"].params}
    shared = [param for param in commands["aggregate"].params if param.name in ("questionnaire", "until")]
    assert [(param.help, param.metavar) for param in shared] == [
        (listed[str(param.name)].help, listed[str(param.name)].metavar)
        for param in shared  # type: ignore[attr-defined]
    ]
