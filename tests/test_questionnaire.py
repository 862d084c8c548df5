"""Questionnaire loading and lint: every error at once, each at its line and column."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from dhti.errors import InputError
from dhti.questionnaire import DEFAULT_STAGES, lint_document, lint_file, load_questionnaire
from dhti.yamlio import Document, load

DATA = Path(__file__).parent / "data"
MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")


def lint_text(write, text: str) -> list[str]:
    path = write("q.yaml", text)
    _, problems = lint_file(path)
    return [str(problem).removeprefix(f"{path}:") for problem in problems]


def test_mini_loads_with_lookup_tables() -> None:
    questionnaire = load_questionnaire(DATA / "mini.yaml")
    assert questionnaire.ref == "mini@1.0"
    assert questionnaire.stages == DEFAULT_STAGES
    assert list(questionnaire.questions)[:2] == ["policy.strategy.plan", "policy.strategy.budget"]
    assert questionnaire.indicator_of("capacity.systems.staff").id == "capacity.systems"
    assert questionnaire.scored_question_count() == 5
    assert questionnaire.scored_question_count("health_centre") == 4


def test_every_error_of_a_broken_file_at_once() -> None:
    path = DATA / "lint" / "many-errors.yaml"
    _, problems = lint_file(path, display="q.yaml")
    assert [str(problem) for problem in problems] == [
        "q.yaml:7:21: error: the first stage must start at 0",
        "q.yaml:8:21: error: stage thresholds must ascend",
        "q.yaml:15:16: error: missing language vi (the title has en, vi)",
        "q.yaml:16:15: error: 'five' is not a GDHM indicator code such as '5' or '2a'",
        "q.yaml:18:17: error: scored question 'policy.plan.exists': its best answer earns 0 points",
        "q.yaml:23:25: error: duplicate option value 'none'",
        "q.yaml:24:17: error: duplicate id 'policy.plan.exists': ids must be unique in the questionnaire",
        "q.yaml:28:15: error: a yes_no question takes no options",
        "q.yaml:31:19: error: a scored number question needs bands or linear",
        "q.yaml:32:23: error: relevant: unknown question id 'policy.plan.exist' (did you mean 'policy.plan.exists'?)",
        "q.yaml:36:49: error: band minimums must ascend",
        (
            "q.yaml:37:27: error: entity type 'hospitl' is not one of the questionnaire's entity_types"
            " (did you mean 'hospital'?)"
        ),
        "q.yaml:45:23: error: relevant: 'draft' is not an answer of 'policy.plan.exists' (answers: none, none)",
        (
            "q.yaml:45:23: error: relevant: circular condition"
            " policy.plan.loop_a -> policy.plan.loop_b -> policy.plan.loop_a"
        ),
        "q.yaml:49:23: error: relevant: unexpected character '=' (at character 20 of \"policy.plan.loop_a = 'yes'\")",
        "q.yaml:52:23: error: unknown indicator 'policy.plann' (did you mean 'policy.plan'?)",
        "q.yaml:57:47: error: 'approved' is not an answer of 'policy.plan.exists' (answers: none, none)",
    ]


def test_schema_errors_do_not_hide_logic_errors() -> None:
    path = DATA / "lint" / "schema-and-logic.yaml"
    _, problems = lint_file(path, display="q.yaml")
    assert [str(problem) for problem in problems] == [
        "q.yaml:9:13: error: domains[0].weight: Input should be greater than 0",
        "q.yaml:13:9: error: unknown key 'wieght' in domains[0].indicators[0] (did you mean 'weight'?)",
        (
            "q.yaml:20:39: error: domains[0].indicators[0].questions[0].options[1].points:"
            " Input should be less than or equal to 1000000"
        ),
        "q.yaml:21:17: error: duplicate id 'policy.plan.exists': ids must be unique in the questionnaire",
        (
            "q.yaml:24:23: error: domains[0].indicators[0].questions[1].required:"
            " Input should be a valid boolean, unable to interpret input"
        ),
        (
            "q.yaml:27:19: error: domains[0].indicators[0].questions[2].type:"
            " Input should be 'choice', 'yes_no', 'multi', 'number', 'percent', 'text' or 'date'"
        ),
        (
            "q.yaml:35:23: error: relevant: circular condition"
            " policy.plan.budget -> policy.plan.cost -> policy.plan.budget"
        ),
        "q.yaml:39:23: error: relevant: unexpected character '=' (at character 20 of \"policy.plan.exists = 'full'\")",
        "q.yaml:42:23: error: unknown indicator 'policy.plann' (did you mean 'policy.plan'?)",
        "q.yaml:46:5: error: missing required key 'priority' in recommendations[1]",
    ]


def test_loading_a_broken_file_for_scoring_lists_schema_and_logic_errors() -> None:
    with pytest.raises(InputError) as info:
        load_questionnaire(DATA / "lint" / "schema-and-logic.yaml")
    messages = [problem.message for problem in info.value.problems]
    assert len(messages) == 10
    assert any(message.startswith("duplicate id") for message in messages)
    assert any(message.startswith("unknown indicator") for message in messages)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('version: "1.0"', "version: 1.0", '3:10: error: version must be a quoted string, such as "1.0"'),
        ("id: mini", "id: Mini", "2:5: error: id: 'Mini' may use only the characters a-z0-9-"),
        ("aggregation: arithmetic", "aggregation: harmonic", "error: aggregation: Input should be 'arithmetic' or"),
        (
            "    title: {en: Policy, vi: Chính sách}",
            "    title: {en: Policy, vi: Chính sách}\n    wieght: 2",
            "10:5: error: unknown key 'wieght' in domains[0] (did you mean 'weight'?)",
        ),
        (
            "            type: choice\n",
            "            type: choise\n",
            "error: domains[0].indicators[0].questions[0].type: Input should be 'choice'",
        ),
        (
            "            type: yes_no",
            "            type: yes_no\n            weight: -1",
            "error: domains[0].indicators[0].questions[1].weight: Input should be greater than or equal to 0",
        ),
        (
            "  - id: capacity\n    title: {en: Capacity, vi: Năng lực}",
            "  - id: capacity\n    weight: 0\n    title: {en: Capacity, vi: Năng lực}",
            "error: domains[1].weight: Input should be greater than 0",
        ),
        (
            "    when: {indicator: policy.strategy, below: 60}",
            "    when: {indicator: policy.strategy}",
            "error: recommendations[0].when: an indicator or domain rule takes either 'below: N'",
        ),
        (
            "    when: {domain: capacity, below: 80}",
            "    when: {domain: capacity, question: x, below: 80}",
            "error: recommendations[1].when: name exactly one of",
        ),
        ("    priority: high", "    priority: urgent", "error: recommendations[0].priority: Input should be 'high'"),
        (
            "relevant: \"policy.strategy.plan != 'none'\"",
            "relevant: \"policy.strategy.budget == 'yes'\"",
            "error: relevant: 'policy.strategy.budget' refers to itself",
        ),
        (
            "relevant: \"'pacs' in capacity.systems.in_use\"",
            'relevant: "capacity.systems.in_use > 2"',
            "error: relevant: '>' compares numbers or dates, but 'capacity.systems.in_use' is a multi question",
        ),
        (
            "relevant: \"'pacs' in capacity.systems.in_use\"",
            "relevant: \"capacity.systems.staff == 'many'\"",
            "error: relevant: 'capacity.systems.staff' is a number question; compare it with a number",
        ),
        (
            "            linear: {from: 0, to: 10}",
            "            linear: {from: 5, to: 5}",
            "error: domains[1].indicators[0].questions[2].linear: 'from' and 'to' must differ",
        ),
        (
            "            linear: {from: 0, to: 10}",
            "            linear: {from: 0, to: 10}\n            options: []",
            "error: a number question takes no options",
        ),
        (
            "            weight: 0\n            required: false\n          - id: capacity.systems.audit",
            "            required: false\n          - id: capacity.systems.audit",
            "warning: text questions are not scored; give them weight: 0",
        ),
        ("{value: lis, points: 1,", "{value: na, points: 1,", "error: 'na' is reserved for not applicable"),
        (
            "    priority: low\n",
            "    priority: low\n    entity_types: [clinic]\n",
            "error: entity type 'clinic' is not one of the questionnaire's entity_types",
        ),
        (
            "    when: {question: capacity.systems.in_use, in: [his]}",
            "    when: {question: capacity.systems.in_uses, in: [his]}",
            "error: unknown question 'capacity.systems.in_uses' (did you mean 'capacity.systems.in_use'?)",
        ),
        (
            "stage_text:\n          1:",
            "stage_text:\n          7:",
            "error: stage_text names level 7, which is not a stage",
        ),
        (
            "title: {en: Mini questionnaire, vi: Bộ câu hỏi rút gọn}",
            "title: {en: Mini questionnaire, vi: Bộ câu hỏi rút gọn, fr: Mini}",
            "9:12: error: missing language fr (the title has en, vi, fr)",
        ),
    ],
)
def test_each_rule(write, old: str, new: str, expected: str) -> None:
    assert old in MINI
    problems = lint_text(write, MINI.replace(old, new, 1))
    assert any(expected in problem for problem in problems), problems


def test_a_list_is_not_a_questionnaire(write) -> None:
    assert lint_text(write, "- a\n- b\n") == ["1:1: error: a questionnaire must be a mapping of keys to values"]


def test_load_raises_with_every_error(write) -> None:
    path = write("q.yaml", MINI.replace("type: choice", "type: choise").replace('version: "1.0"', "version: 1"))
    with pytest.raises(InputError) as info:
        load_questionnaire(path)
    assert len(info.value.problems) == 2


def test_one_language_is_enough_for_a_user_questionnaire(write) -> None:
    text = "\n".join(line for line in MINI.splitlines())
    text = text.replace(", vi: Bộ câu hỏi rút gọn", "")
    problems = lint_text(write, text)
    # the title sets the languages: now only English is required, so 'vi' texts are extras
    assert not [p for p in problems if "error" in p], problems


@pytest.mark.parametrize(
    ("condition", "where"),
    [
        ("(" * 400 + "policy.strategy.plan != 'none'" + ")" * 400, "character 101 of ...'"),
        ("not " * 100_000 + "policy.strategy.plan != 'none'", "character 401 of ...'"),
    ],
    ids=["parentheses", "not"],
)
def test_skip_logic_nested_too_deeply_is_a_positioned_error(write, condition: str, where: str) -> None:
    old = "relevant: \"policy.strategy.plan != 'none'\""
    problems = lint_text(write, MINI.replace(old, f'relevant: "{condition}"'))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"30:23: error: relevant: nested more than 100 levels deep (at {where}")
    assert len(problems[0]) < 200  # the message quotes a window of the condition, not all of it


def _with_weights(value: str) -> str:
    """mini.yaml with the policy domain, its indicator and first question weighted ``value``."""
    text = MINI.replace(
        "    title: {en: Policy, vi: Chính sách}\n", f"    title: {{en: Policy, vi: Chính sách}}\n    weight: {value}\n"
    )
    text = text.replace("        refs: [GDHM-2]\n", f"        refs: [GDHM-2]\n        weight: {value}\n")
    text = text.replace("            type: choice\n", f"            type: choice\n            weight: {value}\n")
    return text.replace("{value: approved, points: 2,", f"{{value: approved, points: {value},")


def test_weights_and_points_too_large_to_score_safely_are_refused(write) -> None:
    assert lint_text(write, _with_weights("1e308")) == [
        "10:13: error: domains[0].weight: Input should be less than or equal to 1000000",
        "15:17: error: domains[0].indicators[0].weight: Input should be less than or equal to 1000000",
        "24:21: error: domains[0].indicators[0].questions[0].weight: Input should be less than or equal to 1000000",
        (
            "29:43: error: domains[0].indicators[0].questions[0].options[2].points:"
            " Input should be less than or equal to 1000000"
        ),
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "bands: [{min: 0,",
            "bands: [{min: -1e300,",
            "bands[0].min: Input should be greater than or equal to -1000000000000",
        ),
        (
            "linear: {from: 0, to: 10}",
            "linear: {from: 0, to: 1e300}",
            "linear.to: Input should be less than or equal to",
        ),
        ("{value: pacs, points: 2,", "{value: pacs, points: 2e6,", "options[2].points: Input should be less than or"),
    ],
)
def test_scales_too_large_to_score_safely_are_refused(write, old: str, new: str, expected: str) -> None:
    assert old in MINI
    problems = lint_text(write, MINI.replace(old, new, 1))
    assert any(expected in problem for problem in problems), problems


def _paths(data: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    return [path] + [found for key, value in children for found in _paths(value, (*path, key))]


def test_any_one_broken_value_gives_errors_and_never_a_crash() -> None:
    original = load(DATA / "mini.yaml")
    for path in _paths(original.data)[1:]:
        for bad in ({}, "X y", [{"zz": 1}]):
            data = copy.deepcopy(original.data)
            node = data
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = bad
            questionnaire, problems = lint_document(Document("q.yaml", data, None))
            if questionnaire is None:
                assert any(problem.is_error for problem in problems), (path, bad)
