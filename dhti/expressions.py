"""The skip-logic language of ``relevant``: a tokenizer, a precedence parser and an evaluator.

Grammar (lowest precedence first)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") operand)?
    operand    := STRING | NUMBER | QUESTION_ID | "[" [literal ("," literal)*] "]" | "(" expr ")"

A comparison that involves a question without a usable answer (unanswered, ``na`` or not
applicable) is false.  Nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from dhti.messages import L_, Message

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?![a-z_]))
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
  | (?P<name>[a-z][a-z0-9_.]*)
  """,
    re.VERBOSE,
)
_KEYWORDS = frozenset({"and", "or", "not", "in"})
COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in"})
MAX_DEPTH = 100
"""How deeply parentheses and ``not`` may nest. Real conditions nest two or three levels; the
limit keeps the parser and the evaluator, which recurse, far from Python's recursion limit."""


class ExpressionError(ValueError):
    """A syntax error in an expression, at a 0-based character offset."""

    def __init__(self, message: Message, offset: int) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.text = message
        self.offset = offset


@dataclass(frozen=True)
class Token:
    kind: str  # number | string | op | name | keyword | end
    text: str
    offset: int


@dataclass(frozen=True)
class Literal:
    value: str | float
    offset: int


@dataclass(frozen=True)
class Ref:
    """A reference to another question's answer."""

    question: str
    offset: int


@dataclass(frozen=True)
class ListLit:
    items: tuple[Literal, ...]
    offset: int


@dataclass(frozen=True)
class Compare:
    op: str
    left: Literal | Ref | ListLit
    right: Literal | Ref | ListLit
    offset: int


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or
    operands: tuple[Expr, ...]


Expr = Compare | Not | BoolOp
Operand = Literal | Ref | ListLit


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens, ending with an ``end`` token."""
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            char = source[position]
            hint = L_(" (question ids are lower case)") if char.isalpha() else ""
            raise ExpressionError(L_("unexpected character %(char)s%(hint)s", char=repr(char), hint=hint), position)
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "name" and text in _KEYWORDS:
            kind = "keyword"
        if kind != "space":
            tokens.append(Token(kind, text, position))
        position = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


def parse(source: str) -> Expr:
    """Parse an expression; raise :class:`ExpressionError` with the offending offset."""
    if not source.strip():
        raise ExpressionError(L_("empty expression"), 0)
    return _Parser(tokenize(source)).parse()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @contextmanager
    def nested(self, opening: Token) -> Iterator[None]:
        """One level deeper, opened at ``opening``: refused past :data:`MAX_DEPTH`."""
        if self.depth >= MAX_DEPTH:
            raise ExpressionError(L_("nested more than %(depth)s levels deep", depth=MAX_DEPTH), opening.offset)
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, kind: str, text: str) -> bool:
        if self.current.kind == kind and self.current.text == text:
            self.index += 1
            return True
        return False

    def expect(self, kind: str, text: str) -> None:
        if not self.accept(kind, text):
            message = L_("expected %(text)s but found %(found)s", text=repr(text), found=_describe(self.current))
            raise ExpressionError(message, self.current.offset)

    def parse(self) -> Expr:
        expr = self.or_expr()
        if self.current.kind != "end":
            raise ExpressionError(L_("unexpected %(found)s", found=_describe(self.current)), self.current.offset)
        return expr

    def or_expr(self) -> Expr:
        operands = [self.and_expr()]
        while self.accept("keyword", "or"):
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else BoolOp("or", tuple(operands))

    def and_expr(self) -> Expr:
        operands = [self.not_expr()]
        while self.accept("keyword", "and"):
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else BoolOp("and", tuple(operands))

    def not_expr(self) -> Expr:
        token = self.current
        if self.accept("keyword", "not"):
            with self.nested(token):
                return Not(self.not_expr())
        return self.comparison()

    def comparison(self) -> Expr:
        start = self.current
        if start.kind == "op" and start.text == "(":
            # A parenthesised sub-expression, or a parenthesised operand of a comparison.
            self.advance()
            with self.nested(start):
                inner = self.or_expr()
            self.expect("op", ")")
            return inner
        left = self.operand()
        op = self._comparison_operator()
        if op is None:
            message = L_(
                "expected a comparison such as %(example)s after %(found)s",
                example=_example(left),
                found=_describe(start),
            )
            raise ExpressionError(message, self.current.offset)
        right = self.operand()
        return Compare(op, left, right, start.offset)

    def _comparison_operator(self) -> str | None:
        token = self.current
        if token.kind == "op" and token.text in COMPARISONS:
            self.advance()
            return token.text
        if self.accept("keyword", "in"):
            return "in"
        if token.kind == "keyword" and token.text == "not" and self.tokens[self.index + 1].text == "in":
            self.index += 2
            return "not in"
        return None

    def operand(self) -> Operand:
        token = self.advance()
        if token.kind == "string":
            return Literal(token.text[1:-1], token.offset)
        if token.kind == "number":
            return Literal(float(token.text), token.offset)
        if token.kind == "name":
            return Ref(token.text, token.offset)
        if token.kind == "op" and token.text == "[":
            return self.list_literal(token)
        message = L_("expected a value or a question id but found %(found)s", found=_describe(token))
        raise ExpressionError(message, token.offset)

    def list_literal(self, opening: Token) -> ListLit:
        items: list[Literal] = []
        if not self.accept("op", "]"):
            while True:
                item = self.operand()
                if not isinstance(item, Literal):
                    raise ExpressionError(L_("list items must be strings or numbers"), item.offset)
                items.append(item)
                if self.accept("op", "]"):
                    break
                self.expect("op", ",")
        return ListLit(tuple(items), opening.offset)


def _describe(token: Token) -> str | Message:
    return L_("the end of the expression") if token.kind == "end" else repr(token.text)


def _example(left: Operand) -> str:
    if isinstance(left, Ref):
        return f"\"{left.question} == 'yes'\""
    return "\"'value' in question_id\""


def references(expr: Expr) -> list[Ref]:
    """Every question reference in ``expr``, in source order."""
    if isinstance(expr, Compare):
        return [side for side in (expr.left, expr.right) if isinstance(side, Ref)]
    if isinstance(expr, Not):
        return references(expr.operand)
    return [ref for operand in expr.operands for ref in references(operand)]


def comparisons(expr: Expr) -> list[Compare]:
    """Every comparison in ``expr``, in source order."""
    if isinstance(expr, Compare):
        return [expr]
    if isinstance(expr, Not):
        return comparisons(expr.operand)
    return [item for operand in expr.operands for item in comparisons(operand)]


FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
"""Each comparison with its two sides swapped: ``3 < q`` says ``q > 3``. ``in`` has no mirror."""


def question_first(expr: Compare) -> Compare:
    """``expr`` with the question on the left where only its right side is one: ``3 < q`` as ``q > 3``."""
    if expr.op in FLIPPED and isinstance(expr.left, Literal) and isinstance(expr.right, Ref):
        return Compare(FLIPPED[expr.op], expr.right, expr.left, expr.offset)
    return expr


T = TypeVar("T")


class Visitor(ABC, Generic[T]):
    """Turns an expression into something else, one method a construct.

    Every writer of skip logic (XPath, FHIR, words) is one, so a construct the language gains
    is a method each of them must write. Comparisons arrive with their question first
    (:func:`question_first`), so no writer needs to read ``3 < q`` backwards.
    """

    def visit(self, expr: Expr) -> T:
        if isinstance(expr, Compare):
            return self.compare(question_first(expr))
        if isinstance(expr, Not):
            return self.negation(expr)
        return self.junction(expr)

    @abstractmethod
    def compare(self, expr: Compare) -> T: ...

    @abstractmethod
    def negation(self, expr: Not) -> T: ...

    @abstractmethod
    def junction(self, expr: BoolOp) -> T:
        """An ``and`` or an ``or`` of two or more operands."""


# An answer as the evaluator sees it: text, a number, or a set of chosen options (multi).
Value = str | float | frozenset[str]
Lookup = Callable[[str], Value | None]


def evaluate(expr: Expr, lookup: Lookup | Mapping[str, Value]) -> bool:
    """Evaluate ``expr``; ``lookup`` gives a question's usable answer or ``None``."""
    get = lookup.get if isinstance(lookup, Mapping) else lookup
    if isinstance(expr, Compare):
        return _compare(expr, get)
    if isinstance(expr, Not):
        return not evaluate(expr.operand, get)
    if expr.op == "and":
        return all(evaluate(operand, get) for operand in expr.operands)
    return any(evaluate(operand, get) for operand in expr.operands)


def _value(operand: Operand, get: Lookup) -> Value | tuple[Value, ...] | None:
    if isinstance(operand, Literal):
        return operand.value
    if isinstance(operand, Ref):
        return get(operand.question)
    return tuple(item.value for item in operand.items)


def _compare(expr: Compare, get: Lookup) -> bool:
    left = _value(expr.left, get)
    right = _value(expr.right, get)
    if left is None or right is None:
        return False
    if expr.op in ("in", "not in"):
        found = _contains(right, left)
        if found is None:
            return False
        return found if expr.op == "in" else not found
    if isinstance(left, tuple | frozenset) or isinstance(right, tuple | frozenset):
        return False
    return _ordered(expr.op, left, right)


def _contains(container: object, item: object) -> bool | None:
    if isinstance(container, frozenset):
        return value_text(item) in container
    if isinstance(container, tuple):
        if isinstance(item, frozenset):
            return bool(item & {value_text(value) for value in container})
        return any(_equal(item, value) for value in container)
    return None


def value_text(value: object) -> str:
    """A literal or answer as the text an option value is: ``2.0`` is ``"2"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _equal(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=0.0, abs_tol=1e-12) or left == right
    return value_text(left) == value_text(right)


def _ordered(op: str, left: str | float, right: str | float) -> bool:
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if isinstance(left, str) != isinstance(right, str):
        return False
    less, equal = left < right, left == right  # type: ignore[operator]
    return {"<": less, "<=": less or equal, ">": not (less or equal), ">=": not less}[op]
