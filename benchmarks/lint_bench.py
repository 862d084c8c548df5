"""The monotonicity search of `dhti questionnaires lint`: time per bundled questionnaire, and its worst indicator.

The search tries every answer combination of an indicator (or a seeded sample of 100,000), so
its cost grows with the indicators' sizes. For each questionnaire, the figure is the median wall
time of the whole search (every indicator, no early stop: as for a clean questionnaire), the
number of combinations tried, and the slowest indicator. Aim: a few seconds per questionnaire,
so that `lint --strict` stays a check people run on every edit.

    python benchmarks/lint_bench.py [--repeat 3] [FILE ...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from dhti import monotonicity
from dhti.questionnaire import load_questionnaire
from dhti.resources import bundled_dir


def search(path: Path) -> tuple[int, str, float]:
    """Run the whole search once: combinations tried, the slowest indicator and its time."""
    questionnaire = load_questionnaire(path)
    tried = 0
    slowest = ("", 0.0)
    for indicator in questionnaire.indicators():
        start = time.perf_counter()
        for entity_type in questionnaire.entity_types:
            checker = monotonicity._Checker(questionnaire, indicator, entity_type)  # noqa: SLF001
            size = 1
            for domain in checker.domains:
                size *= len(domain)
            for combo in checker._combinations(size):  # noqa: SLF001
                checker._check(combo)  # noqa: SLF001
                tried += 1
        took = time.perf_counter() - start
        if took > slowest[1]:
            slowest = (indicator.id, took)
    return tried, *slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = args.files or sorted(path for path in bundled_dir().glob("*.yaml") if not path.stem.endswith("-1.0"))
    print(f"{'questionnaire':<28} {'combinations':>12} {'median s':>9}  slowest indicator")
    for path in files:
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            tried, indicator, took = search(path)
            runs.append(time.perf_counter() - start)
        print(f"{path.name:<28} {tried:>12,} {statistics.median(runs):>9.2f}  {indicator} ({took:.2f} s)")


if __name__ == "__main__":
    main()
