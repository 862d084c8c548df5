"""Whether a better answer can lower an indicator's score (the monotonicity warning of ``lint``, contract 1.2).

For each indicator, lint tries the answer combinations of its questions and of the questions their
``relevant`` reads (directly or through others): all of them, or a seeded sample of
:data:`SAMPLE` where there are more. For every combination and every question, it tries each
answer that scores higher (a higher-scoring option, ``yes`` for ``no``, a number in a higher band)
and reports the first pair of answer sets in which the indicator's score falls.

Answers are drawn from what a respondent can give: each option (and each set of options of a small
``multi``), one number per band and at each number the conditions compare with, ``na`` where
allowed, nothing where not required. The entity types of the questionnaire are tried one by one.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from dhti import expressions
from dhti.errors import InputError, Problem, Severity
from dhti.messages import L_, Decimal
from dhti.questionnaire import (
    Indicator,
    Question,
    Questionnaire,
    QuestionType,
    WhenSkipped,
    applies_to,
    lint_document,
)
from dhti.response import NA
from dhti.scoring import question_score, weighted_mean
from dhti.yamlio import Document, load

SAMPLE = 100_000
"""How many combinations lint tries when an indicator has more."""
SEED = 20261201
"""The seed of the sample, so that two runs of lint agree."""
MULTI_SUBSETS_UP_TO = 5
"""A multi question with at most this many options is tried with every set of them."""
TOLERANCE = 1e-9
MAX_VARIABLES = 20
"""The most questions an indicator's search may vary at once (its questions that are not free, and those
their conditions read). Each combination costs about the square of this; above it, lint says the
indicator was not searched instead of running for hours on a questionnaire no one would write."""

Choice = object  # an answer value as scoring takes it, "na", or None for unanswered


@dataclass(frozen=True)
class Unsearched:
    """An indicator with too many interdependent questions to search."""

    indicator: Indicator
    variables: int


@dataclass(frozen=True)
class Counterexample:
    """Two answer sets that differ in one better answer, the second scoring lower than the first."""

    indicator: Indicator
    entity_type: str
    before: Mapping[str, Choice]
    after: Mapping[str, Choice]
    question: str
    high: float
    low: float


def counterexamples(questionnaire: Questionnaire) -> Iterator[Counterexample]:
    """The first counterexample of each indicator that has one, in file order."""
    for found in findings(questionnaire):
        if isinstance(found, Counterexample):
            yield found


def findings(questionnaire: Questionnaire) -> Iterator[Counterexample | Unsearched]:
    """Per indicator, in file order: its first counterexample, or that it was too large to search."""
    for indicator in questionnaire.indicators():
        if not any(question.scored for question in indicator.questions):
            continue
        tried: set[tuple[tuple[str, bool], ...]] = set()
        for entity_type in questionnaire.entity_types:
            checker = _Checker(questionnaire, indicator, entity_type)
            if checker.asked_key in tried:
                continue  # the same questions are asked of this type as of one already tried
            tried.add(checker.asked_key)
            if len(checker.variables) > MAX_VARIABLES:
                yield Unsearched(indicator, len(checker.variables))
                break
            found = checker.first()
            if found is not None:
                yield found
                break


class _Checker:
    """The search for one indicator and one entity type.

    Two kinds of question need not be searched one by one. A question that is neither scored nor
    read by a condition changes nothing. A scored question that no condition reads, that has no
    condition of its own and whose answer is always given (required, no ``na``) is *free*: a better
    answer to it always raises the weighted mean, and for every other question the difference
    between two scores is a linear function of the free questions' weighted sum, so it is negative
    for some sum only if it is negative at the lowest or the highest. The free questions are
    therefore searched together, as one variable with two values: all at their worst answers, all at
    their best. For the same reasons a scored question that no condition reads but that has a
    condition of its own is tried at its worst and best answers only (and unanswered or ``na`` where
    it may be), whatever its options.
    """

    def __init__(self, questionnaire: Questionnaire, indicator: Indicator, entity_type: str) -> None:
        self.q = questionnaire
        self.indicator = indicator
        self.entity_type = entity_type
        every = _variables(questionnaire, indicator, entity_type)
        read = {ref.question for qid in every for ref in _references(questionnaire, qid)}
        free = [qid for qid in every if _is_free(questionnaire.questions[qid], read, entity_type)]
        self.asked_key = tuple((qid, applies_to(questionnaire.questions[qid], entity_type)) for qid in every)
        self.variables = [
            qid for qid in every if qid not in free and (questionnaire.questions[qid].scored or qid in read)
        ]
        questions = [questionnaire.questions[qid] for qid in self.variables]
        self.domains = [
            _answers(questionnaire, question) if question.id in read else _extremes(questionnaire, question)
            for question in questions
        ]
        self.strengths = [
            [_strength(question, value) for value in domain]
            for question, domain in zip(questions, self.domains, strict=True)
        ]
        self.steps = [_next_better(row) for row in self.strengths]  # the answers one step better than each
        in_sum = {question.id for question in indicator.questions if question.scored}
        self.weights = [question.weight if question.id in in_sum else None for question in questions]
        self.zero = [question.when_skipped is WhenSkipped.ZERO for question in questions]
        self.asked = [applies_to(question, entity_type) for question in questions]
        self.conditions = [questionnaire.condition(question.id) for question in questions]
        self.positions = {qid: position for position, qid in enumerate(self.variables)}
        self.depends = [self._depends(position) for position in range(len(self.variables))]
        self.memo: dict[tuple[int, tuple[int, ...]], bool] = {}
        self.free = [_Free.of(questionnaire.questions[qid], questionnaire) for qid in free]
        if self.free:  # one more variable: 0 = every free question at its worst answer, 1 = at its best
            self.domains.append([0, 1])
            self.steps.append([[], []])
        self.cache: dict[tuple[int, ...], tuple[float | None, frozenset[str]]] = {}

    def _depends(self, position: int) -> tuple[int, ...]:
        """The variables whose answers decide whether this one is asked (through its condition, and theirs)."""
        found: set[int] = set()
        waiting = [ref.question for ref in _references(self.q, self.variables[position])]
        while waiting:
            qid = waiting.pop()
            other = self.positions.get(qid)
            if other is None or other in found or other == position:
                continue
            found.add(other)
            waiting += [ref.question for ref in _references(self.q, qid)]
        return tuple(sorted(found))

    def first(self) -> Counterexample | None:
        if not self.variables:
            return None
        size = 1
        for domain in self.domains:
            size *= len(domain)
        for combo in self._combinations(size):
            found = self._check(combo)
            if found is not None:
                return found
        return None

    def _combinations(self, size: int) -> Iterator[tuple[int, ...]]:
        ranges = [range(len(domain)) for domain in self.domains]
        if size <= SAMPLE:
            yield from itertools.product(*ranges)
            return
        rng = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
        for _ in range(SAMPLE):
            yield tuple(rng.randrange(len(domain)) for domain in self.domains)

    def _check(self, combo: tuple[int, ...]) -> Counterexample | None:
        score, applicable = self._scored(combo)
        if score is None:
            return None
        for position, qid in enumerate(self.variables):
            if qid not in applicable:
                continue  # its answer is not read: changing it changes nothing
            for index in self.steps[position][combo[position]]:
                better = (*combo[:position], index, *combo[position + 1 :])
                other = self._scored(better)[0]
                if other is not None and other < score - TOLERANCE:
                    return Counterexample(
                        self.indicator,
                        self.entity_type,
                        self._shown(combo),
                        self._shown(better),
                        qid,
                        score,
                        other,
                    )
        return None

    def _applicable(self, combo: tuple[int, ...]) -> frozenset[str]:
        decided: dict[int, bool] = {}

        def lookup(qid: str) -> expressions.Value | None:
            position = self.positions.get(qid)
            if position is None or not is_applicable(position):
                return None
            return _comparable(self.domains[position][combo[position]])

        def is_applicable(position: int) -> bool:
            if position not in decided:
                decided[position] = False
                condition = self.conditions[position]
                if not self.asked[position]:
                    pass
                elif condition is None:
                    decided[position] = True
                else:
                    key = (position, tuple(combo[other] for other in self.depends[position]))
                    if key not in self.memo:
                        self.memo[key] = expressions.evaluate(condition, lookup)
                    decided[position] = self.memo[key]
            return decided[position]

        return frozenset(qid for position, qid in enumerate(self.variables) if is_applicable(position))

    def _scored(self, combo: tuple[int, ...]) -> tuple[float | None, frozenset[str]]:
        """The indicator's score for this combination, and the questions it asks."""
        if combo not in self.cache:
            applicable = self._applicable(combo)
            self.cache[combo] = (self._compute(combo, applicable), applicable)
        return self.cache[combo]

    def _compute(self, combo: tuple[int, ...], applicable: frozenset[str]) -> float | None:
        pairs = []
        for position, weight in enumerate(self.weights):
            if weight is None or not self.asked[position]:
                continue
            if self.variables[position] not in applicable:
                if self.zero[position]:
                    pairs.append((weight, 0.0))
                continue
            strength = self.strengths[position][combo[position]]
            if strength is not None:
                pairs.append((weight, strength))
        if self.free:
            best = combo[-1] == 1
            pairs += [(free.weight, free.high if best else free.low) for free in self.free]
        mean = weighted_mean(pairs)
        return None if mean is None else 100 * mean

    def _shown(self, combo: tuple[int, ...]) -> dict[str, Choice]:
        """The answers of the questions asked in this combination (the rest do not matter), in file order."""
        applicable = self._scored(combo)[1]
        shown = {qid: self.domains[p][combo[p]] for p, qid in enumerate(self.variables) if qid in applicable}
        if self.free:
            best = combo[-1] == 1
            shown.update((free.id, free.best if best else free.worst) for free in self.free)
        order = {qid: n for n, qid in enumerate(_variables(self.q, self.indicator, self.entity_type))}
        return dict(sorted(shown.items(), key=lambda item: order.get(item[0], len(order))))


@dataclass(frozen=True)
class _Free:
    """A free question (see :class:`_Checker`): its weight, and its worst and best answers with their scores."""

    id: str
    weight: float
    worst: Choice
    low: float
    best: Choice
    high: float

    @classmethod
    def of(cls, question: Question, questionnaire: Questionnaire) -> _Free:
        rated = [
            (s, value) for value in _answers(questionnaire, question) if (s := _strength(question, value)) is not None
        ]
        low = min(rated, key=lambda item: item[0])
        high = max(rated, key=lambda item: item[0])
        return cls(question.id, question.weight, low[1], low[0], high[1], high[0])


def _extremes(questionnaire: Questionnaire, question: Question) -> list[Choice]:
    """A question's worst and best answers, and the answers that leave it out (unanswered, ``na``)."""
    answers = _answers(questionnaire, question)
    rated = [(s, value) for value in answers if (s := _strength(question, value)) is not None]
    if not rated:
        return answers
    ends = [min(rated, key=lambda item: item[0])[1], max(rated, key=lambda item: item[0])[1]]
    unrated = [value for value in answers if _strength(question, value) is None]
    return list(dict.fromkeys([*ends, *unrated]))


def _is_free(question: Question, read: set[str], entity_type: str) -> bool:
    return (
        question.scored
        and question.type in _ORDERED
        and applies_to(question, entity_type)
        and question.relevant is None
        and question.id not in read
        and question.required
        and not question.allow_na
    )


def _references(questionnaire: Questionnaire, qid: str) -> list[expressions.Ref]:
    condition = questionnaire.condition(qid)
    return expressions.references(condition) if condition is not None else []


def _variables(questionnaire: Questionnaire, indicator: Indicator, entity_type: str) -> list[str]:
    """The indicator's questions asked of the entity type, and every question their conditions read."""
    found: list[str] = []
    waiting = [question.id for question in indicator.questions if applies_to(question, entity_type)]
    while waiting:
        qid = waiting.pop(0)
        if qid in found or qid not in questionnaire.questions:
            continue
        found.append(qid)
        condition = questionnaire.condition(qid)
        if condition is not None:
            waiting += [ref.question for ref in expressions.references(condition)]
    return found


def _answers(questionnaire: Questionnaire, question: Question) -> list[Choice]:
    """The answers lint tries for a question."""
    values: list[Choice]
    kind = question.type
    if kind is QuestionType.YES_NO:
        values = ["no", "yes"]
    elif kind is QuestionType.CHOICE:
        values = list(question.option_values)
    elif kind is QuestionType.MULTI:
        options = list(question.option_values)
        if len(options) <= MULTI_SUBSETS_UP_TO:
            values = [tuple(c) for n in range(len(options) + 1) for c in itertools.combinations(options, n)]
        else:
            values = [(), *((option,) for option in options), tuple(options)]
    elif kind in (QuestionType.NUMBER, QuestionType.PERCENT):
        values = [*sorted(set(_numbers(questionnaire, question)))]
    else:
        values = [None]  # text and date: not scored; conditions on them see no answer
    if question.allow_na:
        values.append(NA)
    if not question.required and None not in values:
        values.append(None)
    return values


def _numbers(questionnaire: Questionnaire, question: Question) -> list[float]:
    top = 100.0 if question.type is QuestionType.PERCENT else float("inf")
    numbers = [0.0]
    for band in question.bands or ():
        numbers += [band.min, band.min - 1]
    if question.linear is not None:
        low, high = question.linear.from_, question.linear.to
        numbers += [low, high, (low + high) / 2]
    for literal in _literals_compared_with(questionnaire, question.id):
        numbers += [literal - 1, literal, literal + 1]
    return [number for number in numbers if 0 <= number <= top]


def _literals_compared_with(questionnaire: Questionnaire, qid: str) -> list[float]:
    """The numbers that conditions compare a question with."""
    found = []
    sources: list[expressions.Expr] = [*questionnaire.conditions.values(), *questionnaire.parsed_expressions.values()]
    for expr in sources:
        for comparison in expressions.comparisons(expr):
            sides = (comparison.left, comparison.right)
            if any(isinstance(side, expressions.Ref) and side.question == qid for side in sides):
                found += [
                    side.value
                    for side in sides
                    if isinstance(side, expressions.Literal) and isinstance(side.value, float)
                ]
    return found


def _next_better(strengths: list[float | None]) -> list[list[int]]:
    """For each answer, the answers of the lowest strength above its own.

    Checking these steps alone finds every fall a bigger improvement shows: a path of single steps
    leads from any answer to any better one, and if the score falls along the path, it falls on a step.
    """
    steps: list[list[int]] = []
    for current in strengths:
        above = [s for s in strengths if s is not None and current is not None and s > current + TOLERANCE]
        if not above:
            steps.append([])
            continue
        lowest = min(above)
        steps.append([i for i, s in enumerate(strengths) if s is not None and abs(s - lowest) <= TOLERANCE])
    return steps


def _strength(question: Question, value: Choice) -> float | None:
    """How good an answer is (its s), or None where answers are not ordered (none, na, text)."""
    if value is None or value == NA or question.type not in _ORDERED:
        return None
    return question_score(question, value)  # type: ignore[arg-type]


_ORDERED = frozenset(
    {QuestionType.CHOICE, QuestionType.YES_NO, QuestionType.MULTI, QuestionType.NUMBER, QuestionType.PERCENT}
)


def _comparable(value: Choice) -> expressions.Value | None:
    if value is None or value == NA:
        return None
    if isinstance(value, tuple):
        return frozenset(value)
    return value  # type: ignore[return-value]


def describe(answers: Mapping[str, Choice]) -> str:
    """Answer sets as lint prints them: ``{q1: none, q2: [his, lis], q3: 40}``."""
    return "{" + ", ".join(f"{qid}: {_text(value)}" for qid, value in answers.items()) + "}"


def _text(value: Choice) -> str:
    if value is None:
        return "~"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, float):
        return expressions.value_text(value)
    return str(value)


def lint_file(path: str | Path, *, display: str | None = None) -> tuple[Questionnaire | None, list[Problem]]:
    """:func:`dhti.questionnaire.lint_file`, then a warning for each indicator a better answer can lower."""
    try:
        document = load(path, display=display)
    except InputError as err:
        return None, list(err.problems)
    questionnaire, problems = lint_document(document)
    if questionnaire is None:
        return None, problems
    return questionnaire, sorted(set(problems + warnings(questionnaire, document)))


def warnings(questionnaire: Questionnaire, document: Document) -> list[Problem]:
    """One warning per indicator whose score can fall when one answer gets better, at the indicator's id."""
    paths = {
        indicator.id: ("domains", d, "indicators", i, "id")
        for d, domain in enumerate(questionnaire.domains)
        for i, indicator in enumerate(domain.indicators)
    }
    found = []
    for example in findings(questionnaire):
        if isinstance(example, Unsearched):
            message = L_(
                "indicator %(id)s was not searched for scores that fall when an answer gets better:"
                " %(count)s of its questions depend on one another (at most %(limit)s are searched)",
                id=repr(example.indicator.id),
                count=example.variables,
                limit=MAX_VARIABLES,
            )
            found.append(document.problem(list(paths[example.indicator.id]), message, severity=Severity.WARNING))
            continue
        message = L_(
            "indicator %(id)s can score lower when one answer gets better (%(question)s):"
            " %(before)s scores %(high)s, but %(after)s scores %(low)s",
            id=repr(example.indicator.id),
            question=example.question,
            before=describe(example.before),
            high=Decimal(example.high),
            after=describe(example.after),
            low=Decimal(example.low),
        )
        found.append(document.problem(list(paths[example.indicator.id]), message, severity=Severity.WARNING))
    return found
