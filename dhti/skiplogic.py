"""Skip logic in words, in the form's language: "Answer only if question 1.1.1 is not “No plan”".

A respondent reads the question by its number and an option by its label, never an id. Every
construct of the language (1.1 of the contract) has words, so any condition that parses can be
said; the words come from the gettext catalogue, like every other interface text.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence

from dhti import i18n
from dhti.expressions import BoolOp, Compare, Expr, ListLit, Literal, Not, Operand, Ref, Visitor, value_text
from dhti.i18n import N_
from dhti.questionnaire import Question, Questionnaire, QuestionType, pick

ONLY_IF = N_("Answer only if %(condition)s")
QUESTION = N_("question %(number)s")
QUOTED = N_("“%(text)s”")
ANSWER_TO = N_("the answer to %(question)s")
ANY = N_("%(values)s or %(last)s")
ALL = N_("%(values)s and %(last)s")
NOT = N_("it is not the case that %(condition)s")
YES_NO = {"yes": N_("Yes"), "no": N_("No"), "na": N_("Not applicable")}

# What a comparison says, by operator and by what it compares: an option or a text, a number,
# a date, or another question's answer. Ordering a text is refused at load; it reads as numbers.
SAYS = {
    ("==", "text"): N_("%(question)s is %(value)s"),
    ("==", "number"): N_("%(question)s equals %(value)s"),
    ("==", "question"): N_("%(question)s has the same answer as %(value)s"),
    ("!=", "text"): N_("%(question)s is not %(value)s"),
    ("!=", "question"): N_("%(question)s has a different answer from %(value)s"),
    ("<", "number"): N_("%(question)s is less than %(value)s"),
    ("<=", "number"): N_("%(question)s is at most %(value)s"),
    (">", "number"): N_("%(question)s is more than %(value)s"),
    (">=", "number"): N_("%(question)s is at least %(value)s"),
    ("<", "date"): N_("%(question)s is before %(value)s"),
    ("<=", "date"): N_("%(question)s is on or before %(value)s"),
    (">", "date"): N_("%(question)s is after %(value)s"),
    (">=", "date"): N_("%(question)s is on or after %(value)s"),
}
NONE_OF = N_("%(question)s is other than %(values)s")
INCLUDES = N_("%(question)s includes %(value)s")
EXCLUDES = N_("%(question)s does not include %(value)s")
INCLUDES_NONE = N_("%(question)s includes none of %(values)s")


def only_if(questionnaire: Questionnaire, question: Question, *, lang: str, numbers: Mapping[str, str]) -> str | None:
    """``Answer only if ...`` for a question with skip logic, ``None`` for one without."""
    if not question.relevant:
        return None
    condition = questionnaire.condition(question.id)
    said = question.relevant if condition is None else in_words(condition, questionnaire, lang=lang, numbers=numbers)
    return i18n.translations(lang).gettext(ONLY_IF) % {"condition": said}


def in_words(expr: Expr, questionnaire: Questionnaire, *, lang: str, numbers: Mapping[str, str]) -> str:
    """``expr`` in words; ``numbers`` names each question as the form numbers it (else by its id)."""
    return _Words(questionnaire, lang=lang, numbers=numbers).visit(expr)


class _Words(Visitor[str]):
    def __init__(self, questionnaire: Questionnaire, *, lang: str, numbers: Mapping[str, str]) -> None:
        self.q = questionnaire
        self.lang = lang
        self.numbers = numbers
        self.t = i18n.translations(lang).gettext

    def negation(self, expr: Not) -> str:
        return self.t(NOT) % {"condition": self.part(expr.operand)}

    def junction(self, expr: BoolOp) -> str:
        joint = self.t(ALL if expr.op == "and" else ANY)
        return functools.reduce(
            lambda said, more: joint % {"values": said, "last": more}, map(self.part, expr.operands)
        )

    def part(self, expr: Expr) -> str:
        """An operand of ``and``, ``or`` or ``not``: in parentheses when it is an ``and`` or ``or`` itself."""
        said = self.visit(expr)
        return f"({said})" if isinstance(expr, BoolOp) else said

    def compare(self, expr: Compare) -> str:
        if expr.op in ("in", "not in"):
            return self.membership(expr.left, expr.right, negate=expr.op == "not in")
        return self.says(expr.op, expr.left, value=self.operand(expr.right, about=expr.left), other=expr.right)

    def says(self, op: str, subject: Operand, *, value: str, other: Operand) -> str:
        """``subject op value``, worded for what is compared (``other`` is the operand ``value`` says)."""
        kind = "question" if isinstance(other, Ref) and op in ("==", "!=") else self.kind(subject, other)
        message = SAYS.get((op, kind)) or SAYS.get((op, "text")) or SAYS[op, "number"]
        return self.t(message) % {"question": self.operand(subject, about=other), "value": value}

    def membership(self, item: Operand, container: Operand, *, negate: bool) -> str:
        """``item in container``: an answer among listed values, or a value chosen in a multi question."""
        if isinstance(container, ListLit):
            return self.among(item, container, negate=negate)
        if isinstance(item, Ref):
            value = self.t(ANSWER_TO) % {"question": self.name(item)}
        else:
            value = self.operand(item, about=container)
        message = EXCLUDES if negate else INCLUDES
        return self.t(message) % {"question": self.operand(container, about=item), "value": value}

    def among(self, item: Operand, listed: ListLit, *, negate: bool) -> str:
        values = [self.operand(value, about=item) for value in listed.items]
        other: Operand = listed.items[0] if listed.items else listed
        if isinstance(item, Ref) and self.multi(item):
            message = INCLUDES_NONE if negate and len(values) > 1 else EXCLUDES if negate else INCLUDES
            return self.t(message) % {
                "question": self.name(item),
                "value": self.listed(values, ANY),
                "values": self.listed(values, ALL),
            }
        if len(values) == 1:
            return self.says("!=" if negate else "==", item, value=values[0], other=other)
        if negate:
            return self.t(NONE_OF) % {"question": self.operand(item, about=other), "values": self.listed(values, ALL)}
        return self.says("==", item, value=self.listed(values, ANY), other=other)

    def kind(self, subject: Operand, other: Operand) -> str:
        """What a comparison compares: a ``number``, a ``date`` or a ``text`` (an option, yes or no, a text)."""
        question = self.question(subject) or self.question(other)
        if question is not None:
            return _KINDS.get(question.type, "text")
        values = [side.value for side in (subject, other) if isinstance(side, Literal)]
        return "number" if any(isinstance(value, float) for value in values) else "text"

    def operand(self, operand: Operand, *, about: Operand) -> str:
        """A question by its number, a value as the question ``about`` shows it, a list as its values."""
        if isinstance(operand, Ref):
            return self.name(operand)
        if isinstance(operand, ListLit):
            return self.listed([self.operand(item, about=about) for item in operand.items], ANY)
        return self.value(operand.value, self.question(about))

    def value(self, value: str | float, question: Question | None) -> str:
        text = value_text(value)
        option = question.option(text) if question is not None else None
        if option is not None:
            return self.quoted(pick(option.label, self.lang))
        if question is not None and _a_word(question, text):
            return self.quoted(self.t(YES_NO[text]))
        if isinstance(value, float):
            shown = i18n.decimal(value, self.lang)
            return shown + "%" if question is not None and question.type is QuestionType.PERCENT else shown
        if question is not None and question.type is QuestionType.DATE:
            return _date(value, self.lang) or self.quoted(value)
        return self.quoted(value)

    def name(self, ref: Ref) -> str:
        return self.t(QUESTION) % {"number": self.numbers.get(ref.question, ref.question)}

    def question(self, operand: Operand) -> Question | None:
        return self.q.questions.get(operand.question) if isinstance(operand, Ref) else None

    def multi(self, ref: Ref) -> bool:
        question = self.question(ref)
        return question is not None and question.type is QuestionType.MULTI

    def quoted(self, text: str) -> str:
        return self.t(QUOTED) % {"text": text}

    def listed(self, values: Sequence[str], joint: str) -> str:
        """``A, B or C`` (``joint`` says how the last joins on); an empty list as ``[]``."""
        if len(values) <= 1:
            return values[0] if values else "[]"
        return self.t(joint) % {"values": ", ".join(values[:-1]), "last": values[-1]}


_KINDS = {
    QuestionType.NUMBER: "number",
    QuestionType.PERCENT: "number",
    QuestionType.DATE: "date",
}


def _a_word(question: Question, text: str) -> bool:
    """Whether ``text`` is an answer said in words: yes or no, or ``na`` where it is allowed."""
    if text == "na":
        return question.allow_na
    return question.type is QuestionType.YES_NO and text in YES_NO


def _date(text: str, lang: str) -> str | None:
    try:
        return i18n.date(dt.date.fromisoformat(text), lang)
    except ValueError:
        return None
