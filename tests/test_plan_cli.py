"""`dhti plan` as a user runs it: text and JSON, exit codes, the target file written with -o."""

from __future__ import annotations

import json
from pathlib import Path

from dhti.registry import Registry
from dhti.response import validate_file
from dhti.yamlio import load

EXAMPLES = Path(__file__).resolve().parent.parent / "questionnaires" / "examples"
STATION = str(EXAMPLES / "commune-station-urban-can-tho.yaml")  # 69.4, stage 4
CAPPED = str(EXAMPLES / "private-hospital-hcmc.yaml")  # 61.3, capped at stage 3 by four obligations
TOP = str(EXAMPLES / "central-hospital-hanoi.yaml")  # stage 5
PROBLEMS = str(Path(__file__).parent / "data" / "responses" / "mini-problems.yaml")


def test_text_lists_the_changes_by_gain_and_the_proof(dhti) -> None:
    result = dhti("plan", STATION)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == "Index 69.4, stage 4 Advanced; target: stage 5 Leading (80.0)"
    assert lines[2] == "Exact: no plan with fewer changes reaches the target."
    assert lines[3] == "4 change(s), by gain:"
    assert lines[4] == "  1. workforce.skills.trained  +4.7 points (Digital health workforce +18.8)"
    assert lines[6] == "     44% → 90%"
    assert lines[-1] == "Re-scored: 81.0, stage 5 Leading — target reached"


def test_vietnamese_text_uses_its_numbers_and_words(dhti) -> None:
    result = dhti("plan", STATION, "--lang", "vi")
    assert result.exit_code == 0, result.output
    assert "Chỉ số tổng hợp 69,4, giai đoạn 4 Nâng cao; mục tiêu: giai đoạn 5 Dẫn đầu (80,0)" in result.stdout
    assert result.stdout.splitlines()[-1] == "Chấm lại: 81,0, giai đoạn 5 Dẫn đầu — đạt mục tiêu"


def test_json_keys(dhti) -> None:
    result = dhti("plan", CAPPED, "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert set(found) >= {"file", "target", "current", "exact", "reason", "changes", "rescored", "reached"}
    assert found["target"] == {"what": "index", "id": None, "stage": 4}
    assert found["current"]["stage"] == 3
    assert found["exact"] is False
    assert "legal obligation" in found["reason"]
    assert {c["question"] for c in found["changes"]} >= {"capacity.cybersecurity.security_level"}
    assert all(set(c) >= {"question", "from", "to", "gain"} for c in found["changes"])
    assert found["rescored"]["stage"] == 4
    assert found["reached"] is True


def test_a_domain_target(dhti) -> None:
    result = dhti("plan", STATION, "--domain", "policy", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["target"]["what"] == "domain"
    assert found["target"]["id"] == "policy"
    assert all(c["domain"] == "policy" for c in found["changes"])
    assert found["rescored"]["stage"] >= found["target"]["stage"]


def test_the_top_stage_exits_1(dhti) -> None:
    result = dhti("plan", TOP)
    assert result.exit_code == 1
    assert "Stage 5 Leading is the top stage" in result.stdout


CAPPING = """\
# An obligation read from an answer that may be "not applicable": answered na, no change can meet it.
id: capping
version: "1.0"
title: {en: Capping, vi: Giới hạn}
entity_types: [hospital]
domains:
  - id: policy
    title: {en: Policy, vi: Chính sách}
    indicators:
      - id: policy.plan
        title: {en: Plan, vi: Kế hoạch}
        questions:
          - id: policy.plan.approved
            text: {en: "Is the plan approved?", vi: "Kế hoạch đã được phê duyệt chưa?"}
            type: yes_no
          - id: policy.plan.filed
            text: {en: "Is it filed?", vi: "Đã nộp chưa?"}
            type: yes_no
            weight: 0
            allow_na: true
compliance:
  - id: comp.filed
    text: {en: "The plan is filed.", vi: "Kế hoạch đã được nộp."}
    met: "policy.plan.filed == 'yes'"
    caps_stage: 2
"""
RESPONSE = """\
questionnaire: capping@1.0
entity: {id: "01-BV-0002", type: hospital}
assessment: {date: 2026-10-15}
answers:
  policy.plan.approved: "yes"
  policy.plan.filed: na
"""


def test_an_unreachable_target_exits_1(dhti, write) -> None:
    definition = write("capping.yaml", CAPPING)
    result = dhti("plan", write("r.yaml", RESPONSE), "--questionnaire", definition)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "Stage 3 cannot be reached by changing answers: no answers that can be changed meet the legal"
        " obligations that cap the index: comp.filed."
    )
    found = json.loads(
        dhti("plan", write("r.yaml", RESPONSE), "--questionnaire", definition, "--format", "json").stdout
    )
    assert found["outcome"] == "unreachable"
    assert found["reached"] is False
    assert found["changes"] == []


def test_a_stage_the_questionnaire_lacks_exits_1(dhti) -> None:
    beyond = dhti("plan", STATION, "--target-stage", "6")
    assert beyond.exit_code == 1
    assert beyond.stderr.strip() == "dhti: error: the questionnaire has no stage 6 (its stages: 1, 2, 3, 4, 5)"


def test_a_bad_file_gives_a_positioned_error(dhti) -> None:
    result = dhti("plan", PROBLEMS)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{PROBLEMS}:" in result.stderr
    assert ": error: " in result.stderr


def test_unknown_domain(dhti) -> None:
    result = dhti("plan", STATION, "--domain", "polcy")
    assert result.exit_code == 1
    assert "unknown domain 'polcy'" in result.stderr


def test_output_is_a_valid_target_response_that_keeps_the_rest(dhti, tmp_path: Path, registry: Registry) -> None:
    target = tmp_path / "target.yaml"
    result = dhti("plan", CAPPED, "-o", target)
    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.stderr
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# TARGET RESPONSE written by `dhti plan`")
    assert "# target; was: Not started" in text
    assert dhti("validate", target).exit_code == 0
    changed = {c["question"]: c["to"] for c in json.loads(dhti("plan", CAPPED, "--format", "json").stdout)["changes"]}
    before, after = load(Path(CAPPED)).data, load(target).data
    assert {k: v for k, v in before.items() if k != "answers"} == {k: v for k, v in after.items() if k != "answers"}
    assert [qid for qid in after["answers"] if qid in before["answers"]] == list(before["answers"])
    assert {qid for qid in after["answers"] if qid not in before["answers"]} == set(changed) - set(before["answers"])
    for qid, answer in before["answers"].items():
        written = after["answers"][qid]
        if qid in changed:
            value = written["value"] if isinstance(written, dict) else written
            assert value == changed[qid]
            if isinstance(answer, dict):  # the evidence and comment stay
                assert {k: v for k, v in answer.items() if k != "value"} == {
                    k: v for k, v in written.items() if k != "value"
                }
        else:
            assert written == answer
    rescored = validate_file(target, registry=registry)
    assert rescored.response is not None


def test_output_is_not_overwritten_without_force(dhti, tmp_path: Path) -> None:
    target = tmp_path / "target.yaml"
    target.write_text("keep me", encoding="utf-8")
    result = dhti("plan", STATION, "-o", target)
    assert result.exit_code == 1
    assert "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me"
    assert dhti("plan", STATION, "-o", target, "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# TARGET RESPONSE")


def test_an_indicator_target_meets_its_gate(dhti) -> None:
    hospital = str(EXAMPLES / "provincial-hospital-nghe-an.yaml")
    result = dhti("plan", hospital, "--indicator", "standards.exchange", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["target"] == {"what": "indicator", "id": "standards.exchange", "stage": 4}
    assert [c["opens"] for c in found["changes"]] == [[4]]
    assert found["reached"] is True
    text = dhti("plan", hospital, "--indicator", "standards.exchange").stdout
    assert "[meets the requirement of stage 4]" in text


def test_output_keeps_every_comment_of_the_file(dhti, tmp_path: Path) -> None:
    target = tmp_path / "target.yaml"
    assert dhti("plan", CAPPED, "-o", target).exit_code == 0
    original = Path(CAPPED).read_text(encoding="utf-8").splitlines()
    written = target.read_text(encoding="utf-8").splitlines()
    comments = [line for line in original if line.lstrip().startswith("#")]
    assert comments
    assert [line for line in written if line.lstrip().startswith("#")][2:] == comments  # after the 2 header lines
    # the answer the change brings in sits after the question that brings it in, as the questionnaire orders them
    at = written.index("  capacity.cybersecurity.level_measures: all_checked  # target; was: Not answered")
    assert written[at - 3] == "  capacity.cybersecurity.security_level:"


def test_a_file_name_with_a_line_break_stays_in_the_comment(dhti, tmp_path: Path) -> None:
    odd = tmp_path / "tram\nanswers: {}.yaml"
    odd.write_text(Path(STATION).read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / "target.yaml"
    assert dhti("plan", odd, "-o", target).exit_code == 0
    assert dhti("validate", target).exit_code == 0
    assert all(line.startswith("#") for line in target.read_text(encoding="utf-8").splitlines()[:3])
