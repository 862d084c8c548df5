"""Uncertainty at national scale: 1,000 draws for 15,000 units, their ranks, and what --uncertainty adds to a score.

The cohort is a national campaign's mix (84% commune stations, 15% hospitals and health centres,
1% clinics): a few hundred responses simulated with ``dhti simulate``'s generator and scored,
then replicated to UNITS (replicas are scored alike; the draws do not care, they perturb each
unit's own arrays). The script times, wall and CPU:

1. ``dhti.uncertainty.uncertainty`` for every unit: building the arrays, DRAWS draws, the
   percentiles and stage probabilities (aim: under 10 s on 2 cores);
2. the rank intervals among the peers of each entity type (league-table ranks);
3. the first-order sensitivity of the ranks (pick-freeze matrices of 512 draws, scipy);
4. `dhti score SAMPLE --format json` with and without --uncertainty, each in new processes,
   the median difference (aim: under 0.3 s).

    python benchmarks/uncertainty.py [--units 15000] [--draws 1000] [--repeat 7] [--tiny]

``--tiny`` runs every step on 200 units and 100 draws, in seconds, for the tests.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import time
from collections.abc import Callable

from startup_bench import dhti_command  # the installed dhti script, as a user runs it

from dhti.assess import assess_bytes
from dhti.registry import Registry
from dhti.resources import examples_dir
from dhti.simulate import Plan, newest_bundled, simulate
from dhti.uncertainty import Scored, Settings, rank_intervals, sensitivity, uncertainty

MIX = (("dhti-station", 0.84), ("dhti-facility", 0.15), ("dhti-clinic", 0.01))
SAMPLE = "central-hospital-hanoi"
AIM_DRAWS_SECONDS = 10.0
AIM_SCORE_SECONDS = 0.3


def cohort(units: int, registry: Registry) -> list[Scored]:
    """UNITS scored responses in the national mix, replicated from a small simulated campaign."""
    questionnaires = {q.id: q for q in newest_bundled(registry)}
    chosen = tuple(questionnaires[name] for name, _share in MIX)
    distinct = [
        (o.validation.response, o.scores)
        for f in simulate(Plan(chosen, provinces=("Cao Bằng", "Cần Thơ", "Gia Lai"), entities=12, seed=3))
        if (o := assess_bytes(f.text.encode(), file=str(f.path), registry=registry)).validation.response and o.scores
    ]
    by_questionnaire: dict[str, list[Scored]] = {}
    for response, scores in distinct:
        by_questionnaire.setdefault(response.questionnaire.id, []).append((response, scores))  # type: ignore[arg-type]
    out: list[Scored] = []
    for name, share in MIX:
        pool = by_questionnaire[name]
        out += [pool[n % len(pool)] for n in range(max(1, round(units * share)))]
    return out[:units]


def timed(step: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def cli_seconds(repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall, CPU) time of `dhti score SAMPLE --format json` without, then with, --uncertainty.

    The runs alternate, so a busy neighbour slows both alike; CPU time (user and system of the
    child) hardly depends on the neighbour at all.
    """
    sample = str(examples_dir() / f"{SAMPLE}.yaml")
    plain = [*dhti_command(), "score", sample, "--format", "json"]
    commands = (plain, [*plain, "--uncertainty"])
    env = {key: value for key, value in os.environ.items() if key != "DHTI_QUESTIONNAIRES"}
    runs: tuple[list[tuple[float, float]], list[tuple[float, float]]] = ([], [])
    for command in commands:  # warm-up: the bytecode
        subprocess.run(command, capture_output=True, env=env, check=True)  # noqa: S603
    for _ in range(repeat):
        for times, command in zip(runs, commands, strict=True):
            before, start = _children_cpu(), time.perf_counter()
            subprocess.run(command, capture_output=True, env=env, check=True)  # noqa: S603
            times.append((time.perf_counter() - start, _children_cpu() - before))
    plain, drawn = (tuple(statistics.median(x[k] for x in times) for k in (0, 1)) for times in runs)
    return plain, drawn  # type: ignore[return-value]


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=15_000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7, help="runs of each CLI command")
    parser.add_argument("--tiny", action="store_true", help="200 units, 100 draws, 1 CLI run")
    args = parser.parse_args()
    if args.tiny:
        args.units, args.draws, args.repeat = 200, 100, 1
    registry = Registry.discover(environ={})
    units = cohort(args.units, registry)
    settings = Settings(draws=args.draws, seed=2026)
    groups = [response.entity.type for response, _scores in units]
    wall, cpu, result = timed(lambda: uncertainty(units, settings=settings))
    rows = [(f"{args.draws:,} draws for {len(units):,} units", wall, cpu, f"< {AIM_DRAWS_SECONDS:g} s")]
    wall, cpu, _ = timed(lambda: rank_intervals(result, groups=groups, order=list(range(len(units)))))  # type: ignore[arg-type]
    rows.append((f"rank intervals among {len(set(groups))} entity types", wall, cpu, "-"))
    wall, cpu, _ = timed(lambda: sensitivity(units, settings=settings, groups=groups))
    rows.append(("first-order sensitivity of ranks (pick-freeze)", wall, cpu, "-"))
    plain, drawn = cli_seconds(args.repeat)
    rows.append((f"dhti score {SAMPLE} (no --uncertainty)", *plain, "-"))
    added = (drawn[0] - plain[0], drawn[1] - plain[1])
    rows.append(("dhti score ... --uncertainty: added", *added, f"< {AIM_SCORE_SECONDS:g} s"))
    print(f"{'step':<58} {'wall s':>8} {'cpu s':>8}  aim")
    for what, seconds, cpu_seconds, aim in rows:
        print(f"{what:<58} {seconds:>8.3f} {cpu_seconds:>8.3f}  {aim}")


if __name__ == "__main__":
    main()
