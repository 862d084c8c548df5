"""The loading rules and the lint warning that contract 2 adds (1.2), on small real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhti import monotonicity
from dhti.questionnaire import lint_file, load_questionnaire

LINT = Path(__file__).resolve().parent / "data" / "lint"
ERRORS = LINT / "contract2-errors.yaml"
MONOTONE = LINT / "monotone.yaml"
SAMPLED = LINT / "sampled.yaml"


def test_every_new_loading_error_is_reported_at_its_place_in_one_run(dhti) -> None:
    result = dhti("questionnaires", "lint", str(ERRORS))
    assert result.exit_code == 1
    name = str(ERRORS)
    assert result.stdout.splitlines() == [
        f"{name}:6:11: error: entity type 'clinik' is not one of the questionnaire's entity_types",
        f"{name}:14:21: error: domains[0].indicators[0].gates[0].stage: Input should be less than or equal to 5",
        f"{name}:15:34: error: requires: unknown question id 'policy.plan.budgt' (did you mean 'policy.plan.budget'?)",
        f"{name}:16:34: error: requires: 'aproved' is not an answer of 'policy.plan.status' (answers: none, approved)",
        f"{name}:27:27: error: domains[0].indicators[0].questions[1].when_skipped: Input should be 'exclude' or 'zero'",
        f"{name}:31:10: error: compliance[0].due: due must be an ISO date such as 2026-12-31",
        f"{name}:32:10: error: met: unknown question id 'policy.plan.emr' (did you mean 'policy.plan.budget'?)",
        f"{name}:33:17: error: caps_stage 9 is not a stage of this questionnaire",
        f"{name}:36:49: error: stage_below 7 is not a stage above the first (stages: 1, 2, 3, 4, 5)",
        f"{name}:39:20: error: after: unknown rule 'rec.nope' (did you mean 'rec.c'?)",
        f"{name}:42:24: error: unknown compliance item 'comp.emx' (did you mean 'comp.emr'?)",
        f"{name}:45:12: error: after: circular order rec.a -> rec.b -> rec.a",
        f"{name}:46:16: error: replaces: unknown rule 'rec.zzz' (did you mean 'rec.c'?)",
        (
            f"{name}:49:18: error: expr: expected a value or a question id but found the end of the expression"
            " (at character 23 of 'policy.plan.status == ')"
        ),
        f"{name}:50:13: error: unless: unknown question id 'policy.plan.budgt' (did you mean 'policy.plan.budget'?)",
        f"{name}:53:13: error: recommendations[2].months: Input should be greater than or equal to 1",
        (
            f"{name}:56:11: error: recommendations[3].when: an indicator or domain rule takes either 'below: N'"
            " or 'stage_below: N' (and no 'in')"
        ),
    ]


def test_a_rule_that_names_itself_is_refused(tmp_path: Path) -> None:
    text = MONOTONE.read_text(encoding="utf-8") + (
        "recommendations:\n"
        "  - id: rec.self\n"
        "    when: {indicator: plan.open, stage_below: 5}\n"
        "    priority: low\n"
        "    horizon: short\n"
        "    replaces: [rec.self]\n"
        "    text: {en: Self, vi: Tự thay}\n"
    )
    path = tmp_path / "self.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = lint_file(path)
    assert [(p.line, p.column, p.message) for p in problems] == [(53, 16, "replaces: a rule cannot name itself")]


def test_a_better_answer_that_lowers_a_score_is_a_warning_naming_both_answer_sets(dhti) -> None:
    # plan.open, no plan and 5 % IT share: status 0 and share 1 -> (0 + 1) / 2 = 50.0.
    # A draft plan opens "targets" (no = 0): status 1/4, targets 0, share 1 -> 1.25 / 3 = 41.7.
    # plan.closed counts the skipped "targets" as 0, so no plan scores (0 + 0 + 1) / 3 = 33.3 < 41.7.
    result = dhti("questionnaires", "lint", str(MONOTONE))
    assert result.exit_code == 0  # a warning alone passes
    assert result.stdout.splitlines() == [
        (
            f"{MONOTONE}:11:13: warning: indicator 'plan.open' can score lower when one answer gets better"
            " (plan.open.status): {plan.open.status: none, plan.open.share: 5} scores 50.0,"
            " but {plan.open.status: draft, plan.open.targets: no, plan.open.share: 5} scores 41.7"
        )
    ]


def test_strict_lint_fails_on_warnings_and_passes_a_clean_file(dhti, tmp_path: Path) -> None:
    strict = dhti("questionnaires", "lint", "--strict", str(MONOTONE))
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[-1] == "1 of 1 file(s) have warnings (--strict)"
    clean = tmp_path / "clean.yaml"
    text = MONOTONE.read_text(encoding="utf-8")
    clean.write_text(
        text.replace(
            "relevant: \"plan.open.status != 'none'\"",
            "relevant: \"plan.open.status != 'none'\"\n            when_skipped: zero",
        ),
        encoding="utf-8",
    )
    passed = dhti("questionnaires", "lint", "--strict", str(clean))
    assert (passed.exit_code, passed.stdout) == (0, "")


def test_loading_a_questionnaire_does_not_run_the_monotonicity_search() -> None:
    # The search is lint's: loading (what every command does) only checks the rules of 1.2.
    assert load_questionnaire(MONOTONE).id == "monotone"
    _, problems = lint_file(MONOTONE)
    assert problems == []


def test_an_indicator_with_more_combinations_than_lint_tries_is_sampled_with_a_fixed_seed() -> None:
    # Seven six-option questions that the follow-up's condition reads, and the follow-up at its
    # worst and best: 6**7 x 2 = 559,872 combinations, so lint tries a seeded 100,000 of them.
    questionnaire = load_questionnaire(SAMPLED)
    (indicator,) = questionnaire.indicators()
    checker = monotonicity._Checker(questionnaire, indicator, "hospital")
    sizes = [len(domain) for domain in checker.domains]
    assert sizes == [6] * 7 + [2]
    assert monotonicity.SAMPLE < 6**7 * 2
    first = [next(monotonicity.counterexamples(questionnaire)) for _ in range(2)]
    assert first[0] == first[1]  # the same sample, the same pair, run after run
    example = first[0]
    # The last o0 among the seven becomes o1 and opens the follow-up, answered at its worst (o0).
    assert example.before[example.question] == "o0"
    assert example.after[example.question] == "o1"
    assert example.after["big.x.follow"] == "o0"
    assert "big.x.follow" not in example.before
    assert example.low < example.high


def test_free_questions_are_searched_together_at_their_worst_and_best() -> None:
    # In mini's capacity.systems, the IT-staff count has no condition and none reads it: it is tried
    # only at 0 and 10 staff (all free questions at their worst, all at their best); the PACS share,
    # which only a condition of its own decides, only at its worst and best bands. The text and date
    # questions, neither scored nor read, are not searched at all.
    questionnaire = load_questionnaire(LINT.parent / "mini.yaml")
    indicator = next(i for i in questionnaire.indicators() if i.id == "capacity.systems")
    checker = monotonicity._Checker(questionnaire, indicator, "hospital")
    assert checker.variables == ["capacity.systems.in_use", "capacity.systems.pacs_share"]
    assert checker.domains[1] == [0.0, 90.0, "na"]
    assert [(free.id, free.worst, free.best) for free in checker.free] == [("capacity.systems.staff", 0.0, 10.0)]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"a": "none", "b": ("his", "lis"), "c": 40.0, "d": None}, "{a: none, b: [his, lis], c: 40, d: ~}"),
        ({"e": 2.5, "f": ()}, "{e: 2.5, f: []}"),
    ],
)
def test_answer_sets_read_as_yaml(answers: dict[str, object], expected: str) -> None:
    assert monotonicity.describe(answers) == expected


@pytest.mark.parametrize(
    ("horizon", "months", "warned"),
    [
        ("short", 12, True),
        ("short", 6, False),
        ("medium", 6, False),
        ("medium", 19, True),
        ("long", 18, False),
        ("long", 48, True),
    ],
)
def test_months_outside_the_horizon_are_a_warning(tmp_path: Path, horizon: str, months: int, warned: bool) -> None:
    # The roadmap groups actions by horizon (short 0-6 months, medium 6-18, long 18-36): a due date
    # outside its group's span would sit under the wrong heading.
    rule = (
        "recommendations:\n  - id: rec.x\n    when: {indicator: plan.open, stage_below: 5}\n    priority: low\n"
        f"    horizon: {horizon}\n    months: {months}\n    text: {{en: X, vi: X}}\n"
    )
    path = tmp_path / "months.yaml"
    path.write_text(MONOTONE.read_text(encoding="utf-8") + rule, encoding="utf-8")
    _, problems = lint_file(path)
    found = [(p.line, p.message) for p in problems]
    if warned:
        low, high = {"short": (0, 6), "medium": (6, 18), "long": (18, 36)}[horizon]
        assert found == [
            (
                53,
                (
                    f"months {months} is outside its horizon {horizon} ({low} to {high} months):"
                    " the roadmap would list it under the wrong period"
                ),
            )
        ]
    else:
        assert found == []


def test_true_is_not_a_number_of_months_or_a_stage(tmp_path: Path) -> None:
    text = ERRORS.read_text(encoding="utf-8").replace("    months: 0\n", "    months: true\n")
    text = text.replace("    caps_stage: 9\n", "    caps_stage: yes\n")
    path = tmp_path / "bools.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = lint_file(path)
    messages = {(p.line, p.message) for p in problems}
    assert (53, "recommendations[2].months: Input should be a valid integer") in messages
    assert (33, "compliance[0].caps_stage: Input should be a valid integer") in messages


def test_an_indicator_with_too_many_interdependent_questions_is_said_to_be_unsearched(tmp_path: Path) -> None:
    # 25 yes/no questions, each asked only when the one before is yes: all 25 depend on one another,
    # more than the 20 a search may vary, so lint says so instead of searching for hours.
    questions = "".join(
        f"          - id: chain.x.q{n}\n            text: {{en: Q{n}, vi: Câu {n}}}\n            type: yes_no\n"
        + (f"            relevant: \"chain.x.q{n - 1} == 'yes'\"\n" if n else "")
        for n in range(25)
    )
    path = tmp_path / "chain.yaml"
    path.write_text(
        "id: chain\nversion: '1.0'\ntitle: {en: Chain, vi: Chuỗi}\nentity_types: [hospital]\ndomains:\n"
        "  - id: policy\n    title: {en: Policy, vi: Chính sách}\n    indicators:\n      - id: chain.x\n"
        "        title: {en: Chain, vi: Chuỗi}\n        questions:\n" + questions,
        encoding="utf-8",
    )
    _, problems = monotonicity.lint_file(path)
    assert [(p.line, p.column, p.message) for p in problems] == [
        (
            9,
            13,
            (
                "indicator 'chain.x' was not searched for scores that fall when an answer gets better:"
                " 25 of its questions depend on one another (at most 20 are searched)"
            ),
        )
    ]
