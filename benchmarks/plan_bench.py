"""Time `dhti plan` on the largest bundled questionnaire: its samples and low-scoring simulated responses.

Each response is validated and planned to every stage above its own (the index, then each
domain); the time of one plan is validation plus the search plus the proof. The aim is under
1 s for any plan.

    python benchmarks/plan_bench.py [--entities 8] [--repeat 3] [--tiny]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from dhti import simulate
from dhti.plan import Outcome, plan
from dhti.questionnaire import Questionnaire
from dhti.registry import Registry
from dhti.resources import examples_dir
from dhti.response import Response, validate_document, validate_file
from dhti.scoring import score_response
from dhti.yamlio import load_text


def largest(registry: Registry) -> Questionnaire:
    """The bundled questionnaire (newest version of each) with the most scored questions."""
    return max(simulate.newest_bundled(registry), key=lambda q: q.scored_question_count())


def samples(registry: Registry, questionnaire: Questionnaire) -> list[tuple[str, Response]]:
    found = []
    for path in sorted(examples_dir().glob("*.yaml")):
        validation = validate_file(path, registry=registry)
        if validation.response is not None and validation.response.questionnaire.ref == questionnaire.ref:
            found.append((path.stem, validation.response))
    return found


def simulated(
    registry: Registry, questionnaire: Questionnaire, entities: int, lowest: int
) -> list[tuple[str, Response]]:
    """The ``lowest`` lowest-scoring simulated responses to ``questionnaire``."""
    campaign = simulate.Plan((questionnaire,), provinces=("Cao Bằng", "Lai Châu"), entities=entities, seed=11)
    found = []
    for item in simulate.simulate(campaign):
        if item.questionnaire != questionnaire.ref:
            continue
        response = validate_document(load_text(item.text, str(item.path)), registry=registry).response
        if response is not None:
            found.append((item.path.stem, response))
    found.sort(key=lambda pair: score_response(pair[1]).index or 0.0)
    return found[:lowest]


def targets(response: Response) -> list[tuple[str | None, int]]:
    scores = score_response(response)
    wanted: list[tuple[str | None, int]] = []
    for domain in [None, *(d.id for d in response.questionnaire.domains)]:
        found = scores.stage if domain is None else scores.domain(domain).stage  # type: ignore[union-attr]
        if found is None:
            continue
        wanted += [(domain, stage.level) for stage in response.questionnaire.stages if stage.level > found.level]
    return wanted


def timed_plans(responses: list[tuple[str, Response]], repeat: int) -> list[tuple[str, float, int, bool]]:
    """(what, median seconds, changes, exact) for every response and target."""
    rows = []
    for name, response in responses:
        for domain, level in targets(response):
            runs = []
            for _ in range(repeat):
                start = time.perf_counter()
                found = plan(response, target_stage=level, domain=domain)
                runs.append(time.perf_counter() - start)
            if found.outcome is Outcome.PLANNED and not found.reached:
                raise SystemExit(f"{name}: the plan to stage {level} ({domain or 'index'}) does not re-score to it")
            what = f"{name} {domain or 'index'}→{level}"
            rows.append((what, statistics.median(runs), len(found.changes), found.exact))
    return rows


def validation_time(path: Path, registry: Registry, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        validate_file(path, registry=registry)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def report(label: str, rows: list[tuple[str, float, int, bool]]) -> None:
    times = [seconds for _, seconds, _, _ in rows]
    worst = max(rows, key=lambda row: row[1])
    exact = sum(1 for row in rows if row[3])
    print(
        f"{label:<22} {len(rows):>4} plans  median {1000 * statistics.median(times):7.1f} ms"
        f"  max {1000 * worst[1]:7.1f} ms ({worst[0]}, {worst[2]} changes)  exact {exact}/{len(rows)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=8, help="simulated units of each type per province")
    parser.add_argument("--lowest", type=int, default=5, help="how many of the lowest-scoring simulated responses")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tiny", action="store_true", help="one simulated unit, one run: the test's size")
    args = parser.parse_args()
    if args.tiny:
        args.entities, args.lowest, args.repeat = 1, 2, 1
    registry = Registry.discover()
    questionnaire = largest(registry)
    bundled = samples(registry, questionnaire)
    low = simulated(registry, questionnaire, args.entities, args.lowest)
    print(f"questionnaire          {questionnaire.ref} ({questionnaire.scored_question_count()} scored questions)")
    first = next(path for path in sorted(examples_dir().glob("*.yaml")) if path.stem == bundled[0][0])
    print(f"validating one sample  {1000 * validation_time(first, registry, args.repeat):7.1f} ms (before any plan)")
    rows = timed_plans(bundled, args.repeat)
    report("bundled samples", rows)
    simulated_rows = timed_plans(low, args.repeat)
    report("low simulated", simulated_rows)
    slowest = max(seconds for _, seconds, _, _ in rows + simulated_rows)
    print(f"slowest plan           {slowest:.3f} s (aim < 1 s)")


if __name__ == "__main__":
    main()
