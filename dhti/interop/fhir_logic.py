"""dhti skip logic in FHIR: ``enableWhen`` where it can say the same, an SDC FHIRPath expression otherwise.

dhti and FHIR agree that a condition on a disabled (skipped) item sees no answer.  FHIR's
``!=`` is true when a question has no answer at all, while dhti's is false, so ``!=`` and
``not in`` become an ``exists`` check plus ``!=`` conditions, all of which must hold.  An ``or``
of such groups, ``not``, and comparisons between two questions cannot be written with
``enableWhen``; they become an ``sdc-questionnaire-enableWhenExpression``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dhti import expressions
from dhti.questionnaire import Question, Questionnaire, QuestionType

ENTITY_TYPE_LINK = "entity-type"
NA = "na"
CODED = frozenset({QuestionType.CHOICE, QuestionType.MULTI, QuestionType.YES_NO})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FHIR_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

Condition = dict[str, object]
"""One ``enableWhen`` entry as FHIR JSON."""


@dataclass(frozen=True)
class EnableWhen:
    """``enableWhen`` conditions and how they combine (``all`` or ``any``; one condition needs neither)."""

    behavior: str
    conditions: tuple[Condition, ...]

    @property
    def single(self) -> bool:
        return len(self.conditions) == 1


def answer_key(question: Question, value: str | float) -> Condition:
    """The ``answer[x]`` of a condition on ``question``."""
    if question.type in CODED:
        return {"answerCoding": {"code": expressions.value_text(value)}}
    if isinstance(value, float):
        return {"answerDecimal": value}
    if question.type is QuestionType.DATE:
        return {"answerDate": value}
    return {"answerString": value}


class EnableWhenWriter(expressions.Visitor[EnableWhen | None]):
    """Translate a question's applicability into ``enableWhen`` when that says exactly the same."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.q = questionnaire

    def applies(self, question: Question) -> EnableWhen | None:
        """Conditions for the question's entity types and skip logic; ``None`` when they cannot be written."""
        parts: list[EnableWhen | None] = []
        if question.entity_types:
            conditions = tuple(self.entity_type(kind) for kind in question.entity_types)
            parts.append(EnableWhen("any", conditions))
        condition = self.q.condition(question.id)
        if condition is not None:
            parts.append(self.visit(condition))
        return parts[0] if len(parts) == 1 else _combine("all", parts)

    def entity_type(self, kind: str) -> Condition:
        return {"question": ENTITY_TYPE_LINK, "operator": "=", "answerCoding": {"code": kind}}

    def negation(self, expr: expressions.Not) -> EnableWhen | None:  # noqa: ARG002 - enableWhen has no "not"
        return None

    def junction(self, expr: expressions.BoolOp) -> EnableWhen | None:
        behavior = "all" if expr.op == "and" else "any"
        return _combine(behavior, [self.visit(operand) for operand in expr.operands])

    def compare(self, expr: expressions.Compare) -> EnableWhen | None:
        left, right, op = expr.left, expr.right, expr.op
        if op in ("in", "not in"):
            if isinstance(left, expressions.Literal) and _is_multi(self.q, right):
                return self.membership(right, [left], negate=op == "not in")  # type: ignore[arg-type]
            if isinstance(left, expressions.Ref) and isinstance(right, expressions.ListLit):
                return self.membership(left, list(right.items), negate=op == "not in")
            return None
        if not isinstance(left, expressions.Ref) or not isinstance(right, expressions.Literal):
            return None
        question = self.q.questions[left.question]
        if question.type is QuestionType.MULTI:
            return None
        if op == "!=":
            return self.membership(left, [right], negate=True)
        condition = {"question": left.question, "operator": _FHIR_OPS[op], **answer_key(question, right.value)}
        return EnableWhen("all", (condition,))

    def membership(
        self, ref: expressions.Ref, items: Sequence[expressions.Literal], *, negate: bool
    ) -> EnableWhen | None:
        """``ref`` equals (or has chosen) one of ``items``; negated: has a usable answer that is none of them."""
        question = self.q.questions[ref.question]
        if not items:
            return None
        if not negate:
            conditions = tuple(
                {"question": ref.question, "operator": "=", **answer_key(question, i.value)} for i in items
            )
            return EnableWhen("any", conditions)
        excluded = [item.value for item in items]
        if question.allow_na and question.type in CODED:
            excluded.append(NA)
        exists: Condition = {"question": ref.question, "operator": "exists", "answerBoolean": True}
        differs = [{"question": ref.question, "operator": "!=", **answer_key(question, value)} for value in excluded]
        return EnableWhen("all", (exists, *differs))


def _combine(behavior: str, parts: Sequence[EnableWhen | None]) -> EnableWhen | None:
    """Join parts under ``behavior``; ``None`` when a part is itself inexpressible or behaviours clash."""
    conditions: list[Condition] = []
    for part in parts:
        if part is None or (not part.single and part.behavior != behavior):
            return None
        conditions += part.conditions
    return EnableWhen(behavior, tuple(conditions)) if conditions else None


class FhirPathWriter(expressions.Visitor[str]):
    """Any dhti skip logic as a FHIRPath expression over the QuestionnaireResponse (SDC)."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.q = questionnaire

    def applies(self, question: Question) -> str:
        parts = []
        if question.entity_types:
            kinds = " | ".join(_string(kind) for kind in question.entity_types)
            parts.append(f"{_answers(ENTITY_TYPE_LINK, coded=True)}.where($this in ({kinds})).exists()")
        condition = self.q.condition(question.id)
        if condition is not None:
            parts.append(self.visit(condition))
        return " and ".join(f"({part})" if " or " in part else part for part in parts)

    def negation(self, expr: expressions.Not) -> str:
        return f"({self.visit(expr.operand)}).not()"

    def junction(self, expr: expressions.BoolOp) -> str:
        return "(" + f" {expr.op} ".join(self.visit(operand) for operand in expr.operands) + ")"

    def usable(self, ref: expressions.Ref) -> str:
        """The question's answers that count: its values, without ``na``."""
        question = self.q.questions[ref.question]
        values = _answers(ref.question, coded=question.type in CODED)
        return f"{values}.where($this != '{NA}')" if question.allow_na and question.type in CODED else values

    def literal(self, value: str | float, question: Question) -> str:
        if isinstance(value, float):
            return expressions.value_text(value)
        if question.type is QuestionType.DATE and _ISO_DATE.match(value):
            return f"@{value}"
        return _string(value)

    def compare(self, expr: expressions.Compare) -> str:
        left, right, op = expr.left, expr.right, expr.op
        if not isinstance(left, expressions.Ref) and not isinstance(right, expressions.Ref):
            return "true" if expressions.evaluate(expr, {}) else "false"
        if op in ("in", "not in"):
            return self.membership(left, right, negate=op == "not in")
        if not isinstance(left, expressions.Ref) or _is_multi(self.q, left) or _is_multi(self.q, right):
            return "false"
        values = self.usable(left)
        if isinstance(right, expressions.Ref):
            other = self.usable(right)
            return f"({values}.exists() and {other}.exists() and {values}.first() {_FHIR_OPS[op]} {other}.first())"
        if isinstance(right, expressions.ListLit):
            return "false"
        question = self.q.questions[left.question]
        return f"{values}.where($this {_FHIR_OPS[op]} {self.literal(right.value, question)}).exists()"

    def membership(self, item: expressions.Operand, container: expressions.Operand, *, negate: bool) -> str:
        """``item in container``: a question in a list, or a value (or question) chosen in a multi question."""
        if isinstance(container, expressions.Ref) and _is_multi(self.q, container):
            values = self.usable(container)
            if isinstance(item, expressions.Literal):
                found = f"{values}.where($this = {_string(expressions.value_text(item.value))}).exists()"
            elif isinstance(item, expressions.Ref) and not _is_multi(self.q, item):
                found = f"({self.usable(item)}.exists() and ({self.usable(item)}.first() in {values}))"
            else:
                return "false"
        elif isinstance(item, expressions.Ref) and isinstance(container, expressions.ListLit):
            values = self.usable(item)
            question = self.q.questions[item.question]
            listed = " | ".join(self.literal(literal.value, question) for literal in container.items)
            found = f"{values}.where($this in ({listed})).exists()" if listed else "false"
        else:
            return "false"
        return f"({values}.exists() and {found}.not())" if negate else found


def _is_multi(questionnaire: Questionnaire, operand: expressions.Operand) -> bool:
    return isinstance(operand, expressions.Ref) and questionnaire.questions[operand.question].type is QuestionType.MULTI


def _answers(link_id: str, *, coded: bool) -> str:
    values = f"%resource.repeat(item).where(linkId = {_string(link_id)}).answer.value"
    return f"{values}.code" if coded else values


def _string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
