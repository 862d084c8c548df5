"""A second, standalone scorer of dhti's contract 2, written from the contract's text alone.

It imports nothing from dhti, so that the tests can hold dhti's engine against an implementation
that shares none of its code: it reads a questionnaire and a response with ruamel.yaml (safe),
evaluates the skip-logic language of section 1.1 with a parser of its own, and returns the keys
of section 4.1 that depend on scoring (3.1-3.5). It assumes the response passed validation.

    python tests/holdout/reference.py QUESTIONNAIRE.yaml RESPONSE.yaml [--lenient]
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

DEFAULT_STAGES = (
    {"level": 1, "min": 0, "label": {"en": "Nascent"}},
    {"level": 2, "min": 20, "label": {"en": "Emerging"}},
    {"level": 3, "min": 40, "label": {"en": "Established"}},
    {"level": 4, "min": 60, "label": {"en": "Advanced"}},
    {"level": 5, "min": 80, "label": {"en": "Leading"}},
)
HORIZON_MONTHS = {"short": 6, "medium": 18, "long": 36}
PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}
UNSCORED_TYPES = {"text", "date"}


def exact(value: Any) -> Fraction:
    """A YAML number as the exact rational it is written as, so that equal scores compare equal."""
    if isinstance(value, bool):
        raise TypeError(f"not a number: {value!r}")
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def read_yaml(path: str | Path) -> Any:
    return YAML(typ="safe", pure=True).load(Path(path).read_text(encoding="utf-8"))


# --- the skip-logic language (1.1) ------------------------------------------------------------

MISSING = object()  # the value of an unanswered, `na` or not-applicable question in an expression

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'[^']*'|"[^"]*")
      | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
      | (?P<word>-?[a-z0-9_.]+)
    )""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_KEYWORDS = {"and", "or", "not", "in"}
_COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}


@dataclass(frozen=True)
class Token:
    kind: str  # string | number | name | keyword | op | end
    text: str
    value: Any = None


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    source = source.rstrip()
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise ValueError(f"cannot read {source[position:]!r} in {source!r}")
        position = match.end()
        if match["string"] is not None:
            tokens.append(Token("string", match["string"], match["string"][1:-1]))
        elif match["op"] is not None:
            tokens.append(Token("op", match["op"]))
        else:
            word = match["word"]
            if word in _KEYWORDS:
                tokens.append(Token("keyword", word))
            elif _NUMBER.fullmatch(word):
                tokens.append(Token("number", word, Fraction(word)))
            else:
                tokens.append(Token("name", word))
    tokens.append(Token("end", ""))
    return tokens


# An expression tree is a tuple: ("or", a, b), ("and", a, b), ("not", a), ("cmp", op, left, right),
# ("in", negated, item, collection), ("lit", value), ("id", question_id), ("list", [trees]).
Tree = tuple[Any, ...]


class Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.at = 0
        self.source = source

    def parse(self) -> Tree:
        tree = self.disjunction()
        self.expect("end")
        return tree

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, kind: str, text: str | None = None) -> Token:
        token = self.take()
        if token.kind != kind or (text is not None and token.text != text):
            raise ValueError(f"expected {text or kind} at {token.text!r} in {self.source!r}")
        return token

    def accept(self, kind: str, text: str) -> bool:
        token = self.peek()
        if token.kind == kind and token.text == text:
            self.at += 1
            return True
        return False

    def disjunction(self) -> Tree:
        tree = self.conjunction()
        while self.accept("keyword", "or"):
            tree = ("or", tree, self.conjunction())
        return tree

    def conjunction(self) -> Tree:
        tree = self.negation()
        while self.accept("keyword", "and"):
            tree = ("and", tree, self.negation())
        return tree

    def negation(self) -> Tree:
        if self.accept("keyword", "not"):
            return ("not", self.negation())
        return self.comparison()

    def comparison(self) -> Tree:
        left = self.operand()
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARISONS:
            self.take()
            return ("cmp", token.text, left, self.operand())
        if self.accept("keyword", "in"):
            return ("in", False, left, self.operand())
        if token.kind == "keyword" and token.text == "not" and self.tokens[self.at + 1].text == "in":
            self.at += 2
            return ("in", True, left, self.operand())
        return left

    def operand(self) -> Tree:
        token = self.take()
        if token.kind in {"string", "number"}:
            return ("lit", token.value)
        if token.kind == "name":
            return ("id", token.text)
        if token.kind == "op" and token.text == "(":
            tree = self.disjunction()
            self.expect("op", ")")
            return tree
        if token.kind == "op" and token.text == "[":
            items: list[Tree] = []
            if not self.accept("op", "]"):
                items.append(self.operand())
                while self.accept("op", ","):
                    items.append(self.operand())
                self.expect("op", "]")
            return ("list", items)
        raise ValueError(f"unexpected {token.text!r} in {self.source!r}")


def _as_text(value: Any) -> Any:
    """A number compared with a text (a choice value) compares as the text it is written as."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        return value
    number = exact(value)
    return str(number.numerator) if number.denominator == 1 else str(value)


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) != isinstance(right, str):
        return _as_text(left) == _as_text(right)
    return bool(left == right)


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is MISSING or right is MISSING:
        return False
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if isinstance(left, str) != isinstance(right, str) or isinstance(left, list) or isinstance(right, list):
        return False
    order = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}
    return bool(order[op])


class Evaluator:
    """Evaluates expression trees; ``lookup`` gives a question's value, or MISSING."""

    def __init__(self, lookup: Callable[[str], Any]) -> None:
        self.lookup = lookup
        self.trees: dict[str, Tree] = {}

    def holds(self, source: str) -> bool:
        if source not in self.trees:
            self.trees[source] = Parser(source).parse()
        return self.truth(self.trees[source])

    def truth(self, tree: Tree) -> bool:
        kind = tree[0]
        if kind == "or":
            return self.truth(tree[1]) or self.truth(tree[2])
        if kind == "and":
            return self.truth(tree[1]) and self.truth(tree[2])
        if kind == "not":
            return not self.truth(tree[1])
        if kind == "cmp":
            return _compare(tree[1], self.value(tree[2]), self.value(tree[3]))
        if kind == "in":
            return self.membership(tree[1], self.value(tree[2]), tree[3])
        raise ValueError(f"a bare value is not a condition: {tree}")

    def membership(self, negated: bool, item: Any, collection_tree: Tree) -> bool:
        if collection_tree[0] == "list":
            collection: Any = [self.value(t) for t in collection_tree[1]]
            if item is MISSING:
                return False
            found = any(_equal(item, member) for member in collection if member is not MISSING)
        else:
            collection = self.value(collection_tree)
            if item is MISSING or collection is MISSING:
                return False
            if not isinstance(collection, list):
                raise ValueError(f"`in` needs a list or a multi question: {collection_tree}")
            found = any(_equal(item, member) for member in collection)
        return found != negated

    def value(self, tree: Tree) -> Any:
        if tree[0] == "lit":
            return tree[1]
        if tree[0] == "id":
            return self.lookup(tree[1])
        raise ValueError(f"a condition is not a value: {tree}")


# --- questionnaire and response ---------------------------------------------------------------

NA = object()
UNANSWERED = object()


@dataclass
class Question:
    raw: Mapping[str, Any]
    indicator: str

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    @property
    def type(self) -> str:
        return str(self.raw["type"])

    @property
    def weight(self) -> Fraction:
        return exact(self.raw.get("weight", 1))

    @property
    def scored(self) -> bool:
        return self.type not in UNSCORED_TYPES and self.weight > 0

    def asked_of(self, entity_type: str) -> bool:
        types = self.raw.get("entity_types")
        return types is None or entity_type in types

    def normalise(self, raw: Any) -> Any:
        """The answer's value as the contract compares it: text, number, list of texts or date."""
        if isinstance(raw, Mapping):
            raw = raw.get("value")
        if raw is None:
            return UNANSWERED
        if raw == "na" and self.raw.get("allow_na", False):
            return NA
        kind = self.type
        if kind == "yes_no":
            if isinstance(raw, bool):
                return "yes" if raw else "no"
            return str(raw)
        if kind == "choice":
            return _as_text(raw) if not isinstance(raw, str) else raw
        if kind == "multi":
            return [_as_text(v) if not isinstance(v, str) else v for v in raw]
        if kind in {"number", "percent"}:
            return exact(raw)
        if kind == "date":
            return raw.isoformat() if isinstance(raw, dt.date) else str(raw)
        return raw

    def score(self, value: Any) -> Fraction:
        """3.1: the answer's score in [0, 1]."""
        kind = self.type
        if kind == "yes_no":
            return Fraction(1 if value == "yes" else 0)
        if kind == "choice":
            points = {_as_text(o["value"]): exact(o["points"]) for o in self.raw["options"]}
            return points[value] / max(points.values())
        if kind == "multi":
            points = {_as_text(o["value"]): exact(o["points"]) for o in self.raw["options"]}
            most = exact(self.raw.get("max_points", sum(points.values())))
            return min(sum(points[v] for v in value), most) / most
        if kind in {"number", "percent"}:
            return self.number_score(value)
        raise ValueError(f"{self.id}: a {kind} question has no score")

    def number_score(self, value: Fraction) -> Fraction:
        if "linear" in self.raw:
            low, high = exact(self.raw["linear"]["from"]), exact(self.raw["linear"]["to"])
            return min(max((value - low) / (high - low), Fraction(0)), Fraction(1))
        bands = self.raw["bands"]
        reached = [exact(b["points"]) for b in bands if exact(b["min"]) <= value]
        return (reached[-1] if reached else Fraction(0)) / max(exact(b["points"]) for b in bands)


@dataclass
class Response:
    entity_type: str
    date: dt.date
    answers: Mapping[str, Any]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later, or that month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _float(value: Fraction | float | None) -> float | None:
    return None if value is None else float(value)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# --- scoring (3.2-3.5) ------------------------------------------------------------------------


@dataclass
class Scorer:
    questionnaire: Mapping[str, Any]
    response: Response
    lenient: bool = False
    questions: dict[str, Question] = field(default_factory=dict)
    applicable_memo: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for domain in self.questionnaire["domains"]:
            for indicator in domain["indicators"]:
                for raw in indicator["questions"]:
                    question = Question(raw, indicator["id"])
                    self.questions[question.id] = question
        self.logic = Evaluator(self.expression_value)
        stages = self.questionnaire.get("stages") or DEFAULT_STAGES
        self.stages = sorted(stages, key=lambda s: exact(s["min"]))

    # answers and applicability

    def answer(self, question_id: str) -> Any:
        question = self.questions[question_id]
        return question.normalise(self.response.answers.get(question_id))

    def asked(self, question_id: str) -> bool:
        return self.questions[question_id].asked_of(self.response.entity_type)

    def relevant(self, question_id: str) -> bool:
        if question_id not in self.applicable_memo:
            condition = self.questions[question_id].raw.get("relevant")
            self.applicable_memo[question_id] = condition is None or self.logic.holds(str(condition))
        return self.applicable_memo[question_id]

    def applicable(self, question_id: str) -> bool:
        return self.asked(question_id) and self.relevant(question_id)

    def expression_value(self, question_id: str) -> Any:
        if not self.applicable(question_id):
            return MISSING
        value = self.answer(question_id)
        return MISSING if value is UNANSWERED or value is NA else value

    # scores

    def question_terms(self, question: Question) -> tuple[Fraction, Fraction] | None:
        """(weight, score) of a scored question in its indicator's sum, or None when it leaves it."""
        if not question.scored or not self.asked(question.id):
            return None
        if not self.relevant(question.id):
            return (question.weight, Fraction(0)) if question.raw.get("when_skipped", "exclude") == "zero" else None
        value = self.answer(question.id)
        if value is NA:
            return None
        if value is UNANSWERED:
            required = question.raw.get("required", True)
            return (question.weight, Fraction(0)) if self.lenient and required else None
        return (question.weight, question.score(value))

    def indicator_score(self, indicator: Mapping[str, Any]) -> Fraction | None:
        """On 0..100, or None when no scored question is in the sum."""
        terms = [t for raw in indicator["questions"] if (t := self.question_terms(self.questions[raw["id"]]))]
        if not terms:
            return None
        return 100 * sum(w * s for w, s in terms) / sum(w for w, _ in terms)

    def stage_of(self, score: Fraction | float | None) -> int | None:
        if score is None:
            return None
        return max(int(s["level"]) for s in self.stages if exact(s["min"]) <= score)

    def label_of(self, level: int | None) -> str | None:
        if level is None:
            return None
        label = next(s["label"] for s in self.stages if int(s["level"]) == level)
        return str(label.get("en", next(iter(label.values()))))

    def gated(self, indicator: Mapping[str, Any], score_stage: int | None) -> tuple[int | None, list[int]]:
        """The indicator's stage after its gates, and the failing gate stages at most its score stage."""
        if score_stage is None:
            return None, []
        failing = sorted({int(g["stage"]) for g in indicator.get("gates") or () if not self.logic.holds(g["requires"])})
        stage = min(score_stage, failing[0] - 1) if failing else score_stage
        return stage, [s for s in failing if s <= score_stage]

    def completeness(self) -> float:
        applicable = answered = 0
        for question in self.questions.values():
            if not question.scored or not self.applicable(question.id):
                continue
            value = self.answer(question.id)
            if value is NA:
                continue
            applicable += 1
            answered += value is not UNANSWERED
        return answered / applicable if applicable else 1.0

    def index(self, domain_scores: Sequence[tuple[Fraction, Fraction | None]]) -> Fraction | float | None:
        scored = [(w, d / 100) for w, d in domain_scores if d is not None]
        if not scored:
            return None
        total = sum(w for w, _ in scored)
        if self.questionnaire.get("aggregation", "arithmetic") == "geometric":
            return 100 * math.prod(float(d) ** float(w / total) for w, d in scored)
        return 100 * sum(w * d for w, d in scored) / total

    # Compliance, section 3.5.

    def compliance(self) -> list[dict[str, Any]]:
        items = []
        for item in self.questionnaire.get("compliance") or ():
            types = item.get("entity_types")
            if types is not None and self.response.entity_type not in types:
                continue
            due = _date(item["due"]) if item.get("due") is not None else None
            if self.logic.holds(item["met"]):
                status = "met"
            elif due is not None and due > self.response.date:
                status = "pending"
            else:
                status = "breach"
            items.append({"id": item["id"], "status": status, "due": due, "caps_stage": item.get("caps_stage")})
        return items

    # the whole result (4.1)

    def result(self) -> dict[str, Any]:
        domains_out, domain_scores, indicator_facts, domain_facts = [], [], {}, {}
        for domain in self.questionnaire["domains"]:
            indicators_out, weighted = [], []
            for indicator in domain["indicators"]:
                score = self.indicator_score(indicator)
                score_stage = self.stage_of(score)
                stage, gated_by = self.gated(indicator, score_stage)
                indicator_facts[indicator["id"]] = (score, stage)
                indicators_out.append(
                    {
                        "id": indicator["id"],
                        "score": _float(score),
                        "stage": stage,
                        "score_stage": score_stage,
                        "gated_by": gated_by,
                    }
                )
                if score is not None:
                    weighted.append((exact(indicator.get("weight", 1)), score))
            total = sum(w for w, _ in weighted)
            domain_score = sum(w * s for w, s in weighted) / total if weighted else None
            domain_facts[domain["id"]] = (domain_score, self.stage_of(domain_score))
            domain_scores.append((exact(domain.get("weight", 1)), domain_score))
            domains_out.append(
                {
                    "id": domain["id"],
                    "score": _float(domain_score),
                    "stage": self.stage_of(domain_score),
                    "indicators": indicators_out,
                }
            )
        index = self.index(domain_scores)
        score_stage = self.stage_of(index)
        compliance = self.compliance()
        breaches = [c for c in compliance if c["status"] == "breach" and c["caps_stage"] is not None]
        stage = score_stage
        if stage is not None and breaches:
            stage = min(stage, *(int(c["caps_stage"]) for c in breaches))
        capped_by = [c["id"] for c in breaches if score_stage is not None and int(c["caps_stage"]) < score_stage]
        facts = Facts(indicator_facts, domain_facts, {c["id"]: c for c in compliance})
        return {
            "index": _float(index),
            "stage": stage,
            "stage_label": self.label_of(stage),
            "score_stage": score_stage,
            "capped_by": capped_by,
            "compliance": [
                {"id": c["id"], "status": c["status"], "due": c["due"].isoformat() if c["due"] else None}
                for c in compliance
            ],
            "completeness": self.completeness(),
            "domains": domains_out,
            "recommendations": self.recommendations(facts),
            "gdhm": self.gdhm(indicator_facts),
        }

    # Recommendations, section 3.3.

    def condition(self, when: Mapping[str, Any], facts: Facts) -> Fraction | None:
        """The gap when the rule's condition holds, else None."""
        if "expr" in when:
            return Fraction(100) if self.logic.holds(when["expr"]) else None
        if "compliance" in when:
            item = facts.compliance.get(when["compliance"])
            return Fraction(100) if item is not None and item["status"] in {"breach", "pending"} else None
        if "question" in when:
            return self.question_condition(when)
        score, stage = facts.indicators[when["indicator"]] if "indicator" in when else facts.domains[when["domain"]]
        if score is None:
            return None
        if "below" in when:
            return 100 - score if score < exact(when["below"]) else None
        return 100 - score if stage is not None and stage < int(when["stage_below"]) else None

    def question_condition(self, when: Mapping[str, Any]) -> Fraction | None:
        question = self.questions[when["question"]]
        if self.applicable(question.id) and self.answer(question.id) is NA:
            # The contract is silent here; a rule that lists `na` among its values fires on it, gap 100.
            return Fraction(100) if "na" in when["in"] else None
        value = self.expression_value(question.id)
        if value is MISSING:
            return None
        wanted = [question.normalise(v) if question.type != "multi" else question.normalise([v])[0] for v in when["in"]]
        chosen = value if isinstance(value, list) else [value]
        if not any(_equal(c, w) for c in chosen for w in wanted):
            return None
        score = question.score(value) if question.type not in UNSCORED_TYPES else Fraction(0)
        return 100 - 100 * score

    def recommendations(self, facts: Facts) -> list[dict[str, Any]]:
        fired: list[tuple[Mapping[str, Any], Fraction]] = []
        for rule in self.questionnaire.get("recommendations") or ():
            types = rule.get("entity_types")
            if types is not None and self.response.entity_type not in types:
                continue
            gap = self.condition(rule["when"], facts)
            if gap is None or (rule.get("unless") and self.logic.holds(rule["unless"])):
                continue
            fired.append((rule, gap))
        removed = {name for rule, _ in fired for name in rule.get("replaces") or ()}
        kept = [(rule, gap) for rule, gap in fired if rule["id"] not in removed]
        kept.sort(key=lambda rg: (PRIORITY_RANK[rg[0]["priority"]], -rg[1], rg[0]["id"]))
        return [self.recommendation(rule, facts) for rule in after_order([rule for rule, _ in kept])]

    def recommendation(self, rule: Mapping[str, Any], facts: Facts) -> dict[str, Any]:
        months = int(rule.get("months") or HORIZON_MONTHS[rule["horizon"]])
        due = add_months(self.response.date, months)
        item = facts.compliance.get(rule["when"].get("compliance", ""))
        if item is not None and item["status"] == "pending" and item["due"] is not None:
            due = min(due, item["due"])
        return {"id": rule["id"], "priority": rule["priority"], "horizon": rule["horizon"], "due": due.isoformat()}

    # The GDHM reading, section 3.4.

    def gdhm(self, indicator_facts: Mapping[str, tuple[Fraction | None, int | None]]) -> dict[str, int]:
        if self.response.entity_type not in (self.questionnaire.get("gdhm_for") or ()):
            return {}
        codes: dict[str, list[tuple[Fraction, Fraction]]] = {}
        for domain in self.questionnaire["domains"]:
            for indicator in domain["indicators"]:
                score = indicator_facts[indicator["id"]][0]
                if indicator.get("gdhm") is not None and score is not None:
                    codes.setdefault(str(indicator["gdhm"]), []).append((exact(indicator.get("weight", 1)), score))
        reading = {}
        for code, parts in codes.items():
            mean = sum(w * s for w, s in parts) / sum(w for w, _ in parts)
            reading[code] = self.stage_of(mean)
        return reading


@dataclass
class Facts:
    indicators: Mapping[str, tuple[Fraction | None, int | None]]
    domains: Mapping[str, tuple[Fraction | None, int | None]]
    compliance: Mapping[str, Mapping[str, Any]]


def after_order(rules: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """The stable topological sort of 3.3: the first rule with no fired prerequisite still waiting."""
    waiting = list(rules)
    while waiting:
        names = {rule["id"] for rule in waiting}
        ready = next(i for i, rule in enumerate(waiting) if not names.intersection(rule.get("after") or ()))
        yield waiting.pop(ready)


def score(
    questionnaire: str | Path | Mapping[str, Any], response_path: str | Path, *, lenient: bool = False
) -> dict[str, Any]:
    """The 4.1 scoring keys for one valid response to one questionnaire (a file, or one read already)."""
    document = read_yaml(response_path)
    response = Response(
        entity_type=str(document["entity"]["type"]),
        date=_date(document["assessment"]["date"]),
        answers=document.get("answers") or {},
    )
    definition = questionnaire if isinstance(questionnaire, Mapping) else read_yaml(questionnaire)
    return Scorer(definition, response, lenient).result()


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--lenient"]
    result = score(arguments[0], arguments[1], lenient="--lenient" in sys.argv)
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
