"""Batch figures: scoring throughput against the YAML floor, PDF speed-up with 2 jobs, peak memory.

1. Throughput: N generated responses (default 2,000) validated and scored from their bytes,
   and validated, scored and stored into a new SQLite store (``dhti db ingest``), against the
   floor of parsing the same files with PyYAML's C loader. Aim: scoring <= 3x the floor.
2. PDF speed-up: ``dhti batch --pdf`` on a few responses with 1 job and with 2. Aim: >= 1.7x.
3. Peak memory: ``dhti db ingest`` of M responses (default 10,000) in one process, its peak
   resident size. Aim: <= 200 MB.

    python benchmarks/batch_bench.py [-n 2000] [--pdfs 12] [--memory-files 10000]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from score_bench import response_text  # the same generated responses as benchmarks/score_bench.py

from dhti.assess import assess_bytes
from dhti.jobs.batch import BatchOptions, run_batch
from dhti.jobs.ingest import ingest_files
from dhti.registry import Registry
from dhti.store import open_store


def generate(folder: Path, count: int, registry: Registry, *, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    questionnaires = [registry.get(ref) for ref in ("dhti-facility", "dhti-station", "dhti-agency")]
    folder.mkdir(parents=True)
    paths = []
    for number in range(count):
        path = folder / f"r{number:05d}.yaml"
        path.write_text(response_text(questionnaires[number % 3], number, rng), encoding="utf-8")
        paths.append(path)
    return paths


def best_of(function: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append(time.perf_counter() - start)
    return min(runs)


def throughput(paths: list[Path], registry: Registry, work: Path, repeat: int) -> None:
    def floor() -> None:
        for path in paths:
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)

    def score() -> None:
        for path in paths:
            assess_bytes(path.read_bytes(), file=str(path), registry=registry)

    def ingest() -> None:
        database = work / f"ingest-{time.monotonic_ns()}.sqlite"
        with open_store(database) as store:
            ingest_files(store, paths, registry=registry)

    base, scored, stored = best_of(floor, repeat), best_of(score, repeat), best_of(ingest, 1)
    count = len(paths)
    print(f"{count} responses: YAML C-loader floor {base:.2f} s ({count / base:.0f}/s)")
    print(f"  validate + score: {scored:.2f} s ({count / scored:.0f}/s) = {scored / base:.2f}x the floor (aim <= 3x)")
    print(f"  validate + score + store in SQLite: {stored:.2f} s ({count / stored:.0f}/s) = {stored / base:.2f}x")


def pdf_speedup(paths: list[Path], work: Path, repeat: int) -> None:
    source = work / "pdf-in"
    source.mkdir()
    for path in paths:
        (source / path.name).write_bytes(path.read_bytes())
    timings: dict[int, list[float]] = {1: [], 2: []}
    for attempt in range(repeat):
        for jobs in (1, 2):  # interleaved, so a busy neighbour on the machine slows both alike
            with open_store(work / f"pdf-{jobs}-{attempt}.sqlite") as store:
                options = BatchOptions(jobs=jobs, pdf=True)
                start = time.perf_counter()
                results = run_batch(source, work / f"pdf-out-{jobs}-{attempt}", store=store, options=options)
                timings[jobs].append(time.perf_counter() - start)
            if not all(len(r.written) == 2 for r in results):
                sys.exit("every file should have got an HTML and a PDF report")
    one, two = min(timings[1]), min(timings[2])
    print(f"PDF batch of {len(paths)} responses (HTML + PDF each), incl. worker start-up, best of {repeat}:")
    print(f"  1 job {one:.2f} s, 2 jobs {two:.2f} s: speed-up {one / two:.2f}x (aim >= 1.7x, {os.cpu_count()} CPUs)")


def peak_memory(count: int, registry: Registry, work: Path) -> None:
    folder = work / "memory"
    generate(folder, count, registry, seed=11)
    command = [sys.executable, "-m", "dhti", "db", "ingest", str(folder), "--format", "csv"]
    start = time.perf_counter()
    database = ["--db", str(work / "memory.sqlite")]
    subprocess.run([*command, *database], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)  # noqa: S603
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(f"dhti db ingest of {count} responses: {elapsed:.1f} s, peak resident memory {peak:.0f} MB (aim <= 200 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="responses for the throughput test")
    parser.add_argument("--pdfs", type=int, default=12, help="responses for the PDF speed-up test")
    parser.add_argument("--memory-files", type=int, default=10_000, help="responses for the memory test (0: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    registry = Registry.discover()
    with tempfile.TemporaryDirectory(prefix="dhti-batch-bench-") as temporary:
        work = Path(temporary)
        paths = generate(work / "responses", args.n, registry)
        throughput(paths, registry, work, args.repeat)
        if args.pdfs:
            pdf_speedup(paths[: args.pdfs], work, min(args.repeat, 2))
        if args.memory_files:
            peak_memory(args.memory_files, registry, work)
    print(f"(best of {args.repeat} runs for the floor and for scoring; Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
