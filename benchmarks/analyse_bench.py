"""``dhti analyse`` on a national cohort: 15,000 commune stations of one questionnaire in an SQLite store.

Builds the store once (``dhti simulate``'s generator for dhti-station in the 34 provinces, each
file validated, scored and stored as ``dhti db ingest`` does; kept with --store PATH for the next
run), then times, in this process, each step of the analysis: reading each entity's latest
assessment and its stored response, scoring them again, laying them out as arrays, the
statistics, and writing the JSON; then ``dhti analyse`` as a user runs it (a new process) to
JSON, HTML and PDF. Aim (issue 13): under 15 s for 15,000 assessments.

    python benchmarks/analyse_bench.py [--entities 15000] [--store PATH] [--json FILE] [--tiny]

``--tiny`` runs every step on about 60 assessments, in seconds, for the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from startup_bench import dhti_command

from dhti import provinces
from dhti.analysis import analyse
from dhti.assess import assess_bytes
from dhti.jobs.aggregate import Scope
from dhti.jobs.analyse import AnalysisFormat, read_cohort, write_analysis
from dhti.jobs.batch import default_jobs
from dhti.registry import Registry
from dhti.simulate import Plan, simulate
from dhti.store import open_store

QUESTIONNAIRE = "dhti-station"
AIM_SECONDS = 15.0
REPORT_DATE = dt.date(2026, 12, 2)


class Clock:
    """Wall time and CPU time (this process and its finished children: workers, commands) since it started."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), _cpu()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, _cpu() - self.cpu


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


Row = tuple[str, float, float]  # what, wall seconds, CPU seconds


def build_store(db: Path, entities: int, registry: Registry) -> Row | None:
    """A store of ``entities`` simulated commune stations (one round), unless ``db`` holds them already."""
    if db.exists():
        with open_store(db) as store:  # a store an earlier dhti kept is upgraded in place
            if store.count() >= entities:
                return None
        db.unlink()
    names = tuple(unit.name for unit in provinces.provinces().units)
    per_province = -(-entities // len(names))
    chosen = names[: -(-entities // per_province)]
    plan = Plan((registry.get(QUESTIONNAIRE),), provinces=chosen, entities=per_province, seed=2026)
    clock = Clock()
    with open_store(db) as store:
        for item in simulate(plan):
            raw = item.text.encode("utf-8")
            store.ingest(assess_bytes(raw, file=str(item.path), registry=registry), raw)
    return ("build the store (simulate, validate, score, store)", *clock.read())


def timed_steps(db: Path, registry: Registry, output: Path) -> list[Row]:
    """The analysis step by step: read and score again (in one process, then in workers), statistics, JSON."""
    steps: list[Row] = []
    scope = Scope(questionnaire=QUESTIONNAIRE)
    with open_store(db, create=False) as store:
        for jobs in (1, None):
            clock = Clock()
            read = read_cohort(store, registry=registry, scope=scope, jobs=jobs)
            workers = "one process" if jobs == 1 else f"{default_jobs()} worker processes"
            steps.append((f"read {read.cohort.size} latest, score them again, as arrays ({workers})", *clock.read()))
        clock = Clock()
        analyse(read.cohort)
        steps.append(("alpha, correlations, question rates, distributions", *clock.read()))
        clock = Clock()
        write_analysis(
            store, output, registry=registry, fmt=AnalysisFormat.JSON, lang="vi", report_date=REPORT_DATE, force=True
        )
        steps.append(("the whole analysis to JSON (library call)", *clock.read()))
    return steps


def command(db: Path, output: Path) -> Row:
    """``dhti analyse`` in a new process, as a user runs it."""
    clock = Clock()
    subprocess.run(  # noqa: S603 - our own command
        [*dhti_command(), "analyse", "--db", str(db), "-o", str(output), "--force", "--report-date", "2026-12-02"],
        check=True,
        capture_output=True,
    )
    return (f"dhti analyse -o cohort{output.suffix} (a new process)", *clock.read())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--entities", type=int, default=15_000)
    parser.add_argument("--store", type=Path, help="Keep the store here and reuse it on the next run.")
    parser.add_argument("--json", type=Path, help="Write the figures to this file too.")
    parser.add_argument("--tiny", action="store_true", help="About 60 assessments, for the tests.")
    args = parser.parse_args(argv)
    entities = 60 if args.tiny else args.entities
    registry = Registry.discover()
    with tempfile.TemporaryDirectory(prefix="dhti-analyse-bench-") as folder:
        db = args.store or Path(folder) / "cohort.sqlite"
        built = build_store(db, entities, registry)
        rows = [built] if built else []
        rows += timed_steps(db, registry, Path(folder) / "lib.json")
        rows += [command(db, Path(folder) / f"cohort.{suffix}") for suffix in ("json", "html", "pdf")]
    print(f"dhti analyse on {entities} assessments of {QUESTIONNAIRE} (aim: under {AIM_SECONDS:g} s wall on 2 cores)")
    print(f"{'wall s':>8} {'CPU s':>8}  step  (load average now {os.getloadavg()[0]:.1f})")
    for label, wall, cpu in rows:
        print(f"{wall:8.2f} {cpu:8.2f}  {label}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"entities": entities, "rows": [dict(zip(("step", "wall", "cpu"), row, strict=True)) for row in rows]},
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
