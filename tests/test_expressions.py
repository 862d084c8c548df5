"""The skip-logic language: parsing, precedence, evaluation and syntax errors with offsets."""

from __future__ import annotations

import pytest

from dhti import expressions
from dhti.expressions import ExpressionError, evaluate, parse

ANSWERS: dict[str, expressions.Value] = {
    "plan": "approved",
    "unit": "yes",
    "staff": 4.0,
    "share": 62.5,
    "systems": frozenset({"his", "pacs"}),
    "code": "1",
    "audit": "2026-03-01",
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("plan == 'approved'", True),
        ('plan == "approved"', True),
        ("plan != 'approved'", False),
        ("staff > 3", True),
        ("staff >= 4", True),
        ("staff < 4", False),
        ("staff <= 4.0", True),
        ("share > 62.4 and share < 62.6", True),
        ("'pacs' in systems", True),
        ("'lis' in systems", False),
        ("'lis' not in systems", True),
        ("plan in ['draft', 'approved']", True),
        ("plan not in ['draft', 'approved']", False),
        ("code == 1", True),
        ("code in [1, 2]", True),
        ("audit >= '2026-01-01'", True),
        ("unit == 'yes' and staff > 10", False),
        ("unit == 'yes' or staff > 10", True),
        ("not unit == 'no'", True),
        ("not (unit == 'yes' and staff > 3)", False),
        # 'and' binds tighter than 'or'
        ("staff > 10 and unit == 'no' or plan == 'approved'", True),
        ("plan == 'approved' or staff > 10 and unit == 'no'", True),
        ("(plan == 'approved' or staff > 10) and unit == 'no'", False),
        # any comparison with a question that has no usable answer is false
        ("missing == 'x'", False),
        ("missing != 'x'", False),
        ("not missing == 'x'", True),
        ("'x' in missing", False),
        ("missing in ['x']", False),
        # comparisons across types are false, never errors
        ("plan > 3", False),
        ("staff == 'four'", False),
        ("systems == 'his'", False),
        ("systems in ['his', 'lis']", True),
    ],
)
def test_evaluate(source: str, expected: bool) -> None:
    assert evaluate(parse(source), ANSWERS) is expected


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("", "empty expression", 0),
        ("plan ==", "expected a value or a question id but found the end of the expression", 7),
        ("plan = 'x'", "unexpected character '='", 5),
        ("plan == 'x' and", "expected a value or a question id", 15),
        ("(plan == 'x'", "expected ')' but found the end of the expression", 12),
        ("plan == 'x')", "unexpected ')'", 11),
        ("plan", "expected a comparison such as \"plan == 'yes'\"", 4),
        ("Plan == 'x'", "unexpected character 'P' (question ids are lower case)", 0),
        ("plan == 'x' && unit == 'y'", "unexpected character '&'", 12),
        ("plan in [unit]", "list items must be strings or numbers", 9),
        ("plan == 'unterminated", 'unexpected character "\'"', 8),
        ("__import__('os')", "unexpected character '_'", 0),
    ],
)
def test_syntax_errors_name_the_column(source: str, message: str, offset: int) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(source)
    assert message in info.value.message
    assert info.value.offset == offset


def test_references_and_comparisons_in_source_order() -> None:
    expr = parse("a.b == 'x' and ('y' in c or not d > 1)")
    assert [ref.question for ref in expressions.references(expr)] == ["a.b", "c", "d"]
    assert [cmp.op for cmp in expressions.comparisons(expr)] == ["==", "in", ">"]


def test_lookup_may_be_a_function() -> None:
    seen = []

    def lookup(question: str) -> expressions.Value | None:
        seen.append(question)
        return "yes"

    assert evaluate(parse("a == 'yes' or b == 'yes'"), lookup)
    assert seen == ["a"]  # 'or' stops at the first true operand


@pytest.mark.parametrize(
    ("source", "offset"),
    [
        ("(" * 400 + "plan != 'none'" + ")" * 400, 100),
        ("not " * 100_000 + "plan == 'x'", 400),
        ("(not " * 60 + "plan == 'x'" + ")" * 60, 250),
    ],
    ids=["parentheses", "not", "both"],
)
def test_nesting_beyond_the_limit_is_a_syntax_error(source: str, offset: int) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(source)
    assert info.value.message == f"nested more than {expressions.MAX_DEPTH} levels deep"
    assert info.value.offset == offset


def test_nesting_up_to_the_limit_parses_and_evaluates() -> None:
    limit = expressions.MAX_DEPTH
    assert evaluate(parse("(" * limit + "plan == 'approved'" + ")" * limit), ANSWERS)
    assert evaluate(parse("not " * limit + "plan == 'approved'"), ANSWERS)


class _Source(expressions.Visitor[str]):
    """Writes an expression back as source, to see what a visitor is handed."""

    def compare(self, expr: expressions.Compare) -> str:
        return f"{_side(expr.left)} {expr.op} {_side(expr.right)}"

    def negation(self, expr: expressions.Not) -> str:
        return f"not ({self.visit(expr.operand)})"

    def junction(self, expr: expressions.BoolOp) -> str:
        return "(" + f" {expr.op} ".join(self.visit(operand) for operand in expr.operands) + ")"


def _side(operand: expressions.Operand) -> str:
    if isinstance(operand, expressions.Ref):
        return operand.question
    if isinstance(operand, expressions.ListLit):
        return "[" + ", ".join(expressions.value_text(item.value) for item in operand.items) + "]"
    return expressions.value_text(operand.value)


@pytest.mark.parametrize(
    ("source", "seen"),
    [
        ("3 < a", "a > 3"),
        ("3 >= a or 'x' == b", "(a <= 3 or b == x)"),
        ("'x' in m and not (a != 2)", "(x in m and not (a != 2))"),
        ("a < b", "a < b"),
        ("1 < 2", "1 < 2"),
    ],
)
def test_a_visitor_sees_each_comparison_question_first(source: str, seen: str) -> None:
    assert _Source().visit(expressions.parse(source)) == seen
