"""lint's monotonicity search is exact: on small random indicators it finds a fall exactly when brute force does.

The brute force here scores every combination of every answer with dhti's ordinary scorer and compares
each with every better answer to one question; the search under test tries far fewer combinations
(free questions together, unread follow-ups at their extremes, single steps), so the two agreeing
on hundreds of random indicators is what lets lint stay fast and still be a proof.
"""

from __future__ import annotations

import itertools

from builders import option, question, questionnaire, response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dhti import monotonicity
from dhti.questionnaire import Questionnaire
from dhti.scoring import question_score, score_response

ANSWERS = {"choice": ["o0", "o1", "o2"], "yes_no": ["no", "yes"], "percent": [0.0, 50.0, 100.0]}
CONDITIONS = {"choice": "{q} != 'o0'", "yes_no": "{q} == 'yes'", "percent": "{q} >= 50"}


@st.composite
def indicators(draw: st.DrawFn) -> Questionnaire:
    count = draw(st.integers(2, 4))
    kinds = [draw(st.sampled_from(sorted(ANSWERS))) for _ in range(count)]
    questions = []
    for n, kind in enumerate(kinds):
        extra: dict[str, object] = {"weight": draw(st.sampled_from([0, 1, 2])) if kind == "choice" else 1}
        if kind == "choice":
            points = draw(st.lists(st.integers(0, 3), min_size=3, max_size=3).filter(lambda p: max(p) > 0))
            extra["options"] = [option(f"o{k}", p) for k, p in enumerate(points)]
        if kind == "percent":
            extra["bands"] = [{"min": 0, "points": 0}, {"min": 50, "points": 1}]
        if n and draw(st.booleans()):
            gate = draw(st.integers(0, n - 1))
            extra["relevant"] = CONDITIONS[kinds[gate]].format(q=f"d.i.q{gate}")
            extra["when_skipped"] = draw(st.sampled_from(["zero", "exclude"]))
        extra["required"] = draw(st.booleans())
        questions.append(question(f"d.i.q{n}", kind, **extra))
    return questionnaire({"d": {"d.i": questions}})


def brute_force_falls(q: Questionnaire) -> bool:
    """Whether some answer set scores more than the same set with one answer made better."""
    ids = list(q.questions)
    domains = [[*ANSWERS[q.questions[qid].type], *([None] if not q.questions[qid].required else [])] for qid in ids]
    scores = {}
    for combo in itertools.product(*domains):
        answers = {qid: value for qid, value in zip(ids, combo, strict=True) if value is not None}
        scored = score_response(response(q, answers), lenient=True)
        indicator = scored.indicator("d.i")
        scores[combo] = (indicator.score if indicator else None, response(q, answers).applicable)
    for combo, (score, applicable) in scores.items():
        if score is None:
            continue
        for position, qid in enumerate(ids):
            if qid not in applicable or combo[position] is None:
                continue
            current = question_score(q.questions[qid], combo[position])
            for value in domains[position]:
                if value is None or question_score(q.questions[qid], value) <= current:
                    continue
                other = scores[(*combo[:position], value, *combo[position + 1 :])][0]
                if other is not None and other < score - 1e-9:
                    return True
    return False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(indicators())
def test_the_search_finds_a_fall_exactly_when_brute_force_does(q: Questionnaire) -> None:
    found = list(monotonicity.counterexamples(q))
    assert bool(found) == brute_force_falls(q)
    for example in found:  # and the pair it names really shows the fall, scored the ordinary way
        before = score_response(response(q, dict(example.before)), lenient=True).indicator("d.i")
        after = score_response(response(q, dict(example.after)), lenient=True).indicator("d.i")
        assert before is not None
        assert after is not None
        assert before.score is not None
        assert after.score is not None
        assert after.score < before.score
        assert before.score == example.high
        assert after.score == example.low
