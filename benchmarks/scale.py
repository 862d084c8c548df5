"""A national campaign on this machine: simulate, batch into SQLite and PostgreSQL, aggregate, entity PDFs.

A national campaign assesses about 13,000 entities a year (some 11,000 commune stations, 1,500
hospitals, the health centres and 34 Departments). In one run, this script

1. simulates ENTITIES of them (default 15,000) in the 34 provinces with ``dhti simulate``'s
   generator, mostly commune stations (see :data:`MIX`): wall time, files/s;
2. parses the same files with PyYAML's C loader, the floor scoring is measured against;
3. runs ``dhti batch`` (its library function, with WORKERS processes) into a new SQLite store.
   Batch always writes an HTML report per file, so its two passes are timed apart: validating,
   scoring and storing (the figure compared with the floor, aim <= 3x), then the reports. The
   same files validated, scored and stored in one process (``dhti db ingest``) say what one
   core costs;
4. runs the same batch into a new database on PostgreSQL (a throwaway cluster started with
   scripts/postgres-test-server.sh, unless --postgres names a server), its first pass only;
5. runs ``dhti aggregate`` of the SQLite store to HTML and to PDF in a new process each: wall
   time and peak resident memory (aim: under 5 s and 300 MB); a PDF still being written after
   --portfolio-pdf-timeout seconds is killed, and said to be;
6. writes entity PDFs cold (``dhti report SAMPLE -o x.pdf``, a new process each) against a new
   process writing a trivial WeasyPrint page (aim <= 3x), with no store and then with the
   campaign's store (peers and history read from 15,000 assessments).

    python benchmarks/scale.py [--entities 15000] [--workers 2] [--postgres URL | --no-postgres]
                               [--no-reports] [--portfolio-pdf-timeout 300] [--json FILE] [--tiny]

``--tiny`` runs every step on about 50 entities in two provinces, in seconds, for the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml
from startup_bench import dhti_command  # the installed dhti script, as a user runs it

from dhti import provinces
from dhti.jobs.batch import BatchOptions, run_batch
from dhti.jobs.ingest import ingest_files
from dhti.jobs.simulate import write_campaign
from dhti.outcomes import FileResult, Status
from dhti.registry import Registry, response_files
from dhti.resources import examples_dir
from dhti.simulate import FACILITY_TYPES, Plan, newest_bundled
from dhti.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SERVER_SCRIPT = ROOT / "scripts" / "postgres-test-server.sh"
# The facilities' shares, by questionnaire: ``dhti simulate`` gives every facility type of one
# questionnaire the same count, so dhti-facility has as many health centres as hospitals. The
# Departments (one per province) and the Ministry come on top, from dhti-agency.
MIX = (("dhti-station", 0.84), ("dhti-facility", 0.15), ("dhti-clinic", 0.01))
AGENCY = "dhti-agency"
TINY_PROVINCES = ("Cao Bằng", "Cần Thơ")
SAMPLES = ("central-hospital-hanoi", "commune-station-urban-can-tho", "provincial-department-da-nang")
TRIVIAL_SCRIPT = "import sys, weasyprint; weasyprint.HTML(string='<p>hello</p>').write_pdf(sys.argv[1])"
SCORING = "Scoring and storing"  # the labels of batch's two passes, as it shows them in progress
REPORTING = "Writing HTML reports"
AIM_FLOOR = 3.0
AIM_AGGREGATE_SECONDS = 5.0
AIM_AGGREGATE_MB = 300.0
AIM_PDF = 3.0
# A row of one process is met only if both its wall and its CPU time meet the aim: on a shared
# machine, other work slows the wall time of the measured command, or of the floor it is compared
# with (which flatters the ratio); the CPU time of one process hardly changes with it.
BOTH = "(wall, CPU)"


@dataclass(frozen=True)
class Row:
    """One figure of the table: what was measured, the figure in words, its aim and whether it was met."""

    step: str
    what: str
    figure: str
    aim: str = "-"
    met: bool | None = None
    values: dict[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return "-" if self.met is None else ("met" if self.met else "not met")


@dataclass(frozen=True)
class Settings:
    entities: int
    workers: int
    provinces: tuple[str, ...]
    repeat: int
    samples: tuple[str, ...]
    postgres: str | None  # a server's URL; None: start one
    use_postgres: bool
    portfolio_pdf_timeout: float  # seconds; 0: no portfolio PDF
    batch_reports: bool  # time batch's second pass (HTML reports) into SQLite


# 1. The campaign


def campaign_plans(registry: Registry, units: Sequence[str], total: int) -> list[Plan]:
    """One plan per questionnaire, whose counts per province make about ``total`` entities in :data:`MIX`."""
    by_id = {questionnaire.id: questionnaire for questionnaire in newest_bundled(registry)}
    facilities = max(total - len(units) - 1, len(MIX))  # the Departments and the Ministry come on top
    per_province: dict[str, int] = {}
    for ref, share in MIX[1:]:
        kinds = len(set(by_id[ref].entity_types) & set(FACILITY_TYPES))
        per_province[ref] = max(1, round(facilities * share / (len(units) * kinds)))
    others = sum(
        count * len(units) * len(set(by_id[ref].entity_types) & set(FACILITY_TYPES))
        for ref, count in per_province.items()
    )
    first = MIX[0][0]
    per_province[first] = max(1, math.ceil((facilities - others) / len(units)))  # the stations take the rest
    plans = [
        Plan(questionnaires=(by_id[ref],), provinces=tuple(units), entities=count, rounds=1, seed=2026)
        for ref, count in per_province.items()
    ]
    return [*plans, Plan(questionnaires=(by_id[AGENCY],), provinces=tuple(units), entities=1, rounds=1, seed=2026)]


def simulate_campaign(plans: Sequence[Plan], folder: Path) -> tuple[list[Path], Row]:
    start, cpu = time.perf_counter(), time.process_time()
    written = [path for plan in plans for path in write_campaign(plan, folder).written]
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    figure = f"{took:.1f} s, {len(written) / took:,.0f} files/s (CPU {cpu:.1f} s)"
    values = {**_rate(took, written), "cpu_seconds": cpu}
    return written, Row("1", "simulate (dhti.simulate), 1 process", figure, values=values)


def campaign_mix(plans: Sequence[Plan]) -> Counter[str]:
    """How many entities of each type the plans simulate."""
    mix: Counter[str] = Counter()
    for plan in plans:
        questionnaire = plan.questionnaires[0]
        for entity_type in questionnaire.entity_types:
            facility = entity_type in FACILITY_TYPES
            mix[entity_type] += plan.entities * len(plan.provinces) if facility else len(plan.provinces)
    if mix["ministry"]:
        mix["ministry"] = 1
    return mix


def _rate(seconds: float, files: Sequence[object]) -> dict[str, float]:
    return {"seconds": seconds, "files": len(files), "files_per_second": len(files) / seconds}


# 2. The floor


@dataclass(frozen=True)
class Floor:
    seconds: float
    cpu: float  # CPU seconds: unlike the wall time, hardly changed by other work on the machine
    files: int


def yaml_floor(paths: Sequence[Path], repeat: int) -> tuple[Floor, Row]:
    def parse() -> None:
        for path in paths:
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

    took, cpu = best_of(parse, repeat)
    figure = f"{took:.2f} s, {len(paths) / took:,.0f} files/s (CPU {cpu:.2f} s; best of {repeat})"
    values = {**_rate(took, paths), "cpu_seconds": cpu}
    return Floor(took, cpu, len(paths)), Row(
        "2", "PyYAML CSafeLoader floor, 1 process", figure, "the floor", values=values
    )


def best_of(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The shortest wall time and the least CPU time of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def children_cpu() -> float:
    """CPU seconds used so far by this process's live children (batch's workers), from Linux's /proc."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for listing in Path("/proc/self/task").glob("*/children"):
        for pid in listing.read_text(encoding="ascii").split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
            except OSError:  # it ended meanwhile
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime and stime
    return total


# 3 and 4. Batch


class _StopBeforeReports(Exception):  # noqa: N818 - not an error: the report pass is not measured
    pass


@dataclass
class PhaseClock:
    """A progress display for ``run_batch`` that notes when each pass ends (and may stop before the reports)."""

    start: float = field(default_factory=time.perf_counter)
    ends: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of the batch and its workers by then
    stop_before_reports: bool = False
    cpu_start: float = field(default_factory=time.process_time)

    @contextlib.contextmanager
    def __call__(self, label: str, _total: int) -> Iterator[Callable[[int], object]]:
        if label == REPORTING and self.stop_before_reports:
            raise _StopBeforeReports
        yield lambda _steps: None
        self.ends[label] = time.perf_counter()
        self.cpu[label] = time.process_time() - self.cpu_start + children_cpu()

    def took(self, label: str) -> float:
        if label not in self.ends:
            sys.exit(f"dhti batch did not report a pass named {label!r}: update benchmarks/scale.py")
        return self.ends[label] - self.start


def batch_into(store_url: str, source: Path, output: Path, *, workers: int, reports: bool) -> PhaseClock:
    """Run ``dhti batch`` into a new store; the clock holds when its passes ended."""
    clock = PhaseClock(stop_before_reports=not reports)
    with open_store(store_url) as store:
        clock.start, clock.cpu_start = time.perf_counter(), time.process_time()  # the store's schema is made
        try:
            results = run_batch(source, output, store=store, options=BatchOptions(jobs=workers), progress=clock)
        except _StopBeforeReports:
            stored = store.latest_per_entity()
            if len(stored) != len(response_files([source])):
                sys.exit(f"batch stored {len(stored)} assessments of {len(response_files([source]))} files")
        else:
            check_stored(results)
    return clock


def check_stored(results: Sequence[FileResult]) -> None:
    bad = [result for result in results if result.status is not Status.STORED]
    if bad:
        sys.exit(f"{len(bad)} simulated files were not stored, e.g. {bad[0].file}: {bad[0].problems[:2]}")


def batch_rows(step: str, backend: str, clock: PhaseClock, floor: Floor, workers: int) -> list[Row]:
    scored, files, cpu = clock.took(SCORING), floor.files, clock.cpu[SCORING]
    ratio = scored / floor.seconds
    what = f"batch -j {workers} -> {backend}: score + store (pass 1)"
    figure = f"{scored:.1f} s, {files / scored:,.0f} files/s = {ratio:.2f}x the floor"
    figure += f" (CPU {cpu:.1f} s = {cpu / floor.cpu:.1f}x the floor's)"
    values = {"seconds": scored, "files": files, "files_per_second": files / scored, "ratio": ratio}
    values |= {"cpu_seconds": cpu, "cpu_ratio": cpu / floor.cpu}
    rows = [Row(step, what, figure, f"<= {AIM_FLOOR:g}x", ratio <= AIM_FLOOR, values)]
    if REPORTING in clock.ends:
        whole = clock.took(REPORTING)
        reports = whole - scored
        what = f"batch -j {workers} -> {backend}: HTML reports (pass 2)"
        reports_cpu = clock.cpu[REPORTING] - cpu
        figure = (
            f"{reports:.1f} s, {files / reports:,.0f} reports/s (CPU {reports_cpu:.1f} s); whole batch {whole:.1f} s"
        )
        values = {"seconds": reports, "whole_seconds": whole, "cpu_seconds": reports_cpu}
        rows.append(Row(step, what, figure, values=values))
    return rows


def ingest_one_process(store_url: str, paths: Sequence[Path], registry: Registry, floor: Floor) -> Row:
    with open_store(store_url) as store:
        start, cpu = time.perf_counter(), time.process_time()
        results = ingest_files(store, paths, registry=registry)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
    check_stored(results)
    ratio = took / floor.seconds
    figure = f"{took:.1f} s, {len(paths) / took:,.0f} files/s = {ratio:.2f}x the floor"
    figure += f" (CPU {cpu:.1f} s = {cpu / floor.cpu:.1f}x the floor's)"
    values = {**_rate(took, paths), "ratio": ratio, "cpu_seconds": cpu, "cpu_ratio": cpu / floor.cpu}
    what = "db ingest -> SQLite: score + store, 1 process"
    met = max(ratio, values["cpu_ratio"]) <= AIM_FLOOR
    return Row("3", what, figure, f"<= {AIM_FLOOR:g}x {BOTH}", met, values)


@contextlib.contextmanager
def postgres_database(server: str | None) -> Iterator[str]:
    """A new, empty database on ``server`` (else on a throwaway cluster), dropped afterwards."""
    import psycopg  # noqa: PLC0415 - only the PostgreSQL step needs it

    with contextlib.ExitStack() as stack:
        url = server or stack.enter_context(throwaway_cluster())
        name = f"dhti_scale_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{url.rpartition('/')[0]}/{name}"
        finally:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """The URL of a PostgreSQL cluster started as tests/conftest_store.py starts one."""
    parent = Path(tempfile.mkdtemp(prefix="dhti-scale-pg-"))
    parent.chmod(0o755)  # the cluster's owner (postgres, when we are root) must reach it
    folder = parent / "cluster"
    command = [str(SERVER_SCRIPT), "start", str(folder)]
    started = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)  # noqa: S603
    try:
        if started.returncode != 0:
            sys.exit(f"the PostgreSQL server did not start: {started.stderr.strip()} (or give --postgres URL)")
        yield started.stdout.strip()
    finally:
        subprocess.run([str(SERVER_SCRIPT), "stop", str(folder)], capture_output=True, timeout=60, check=False)  # noqa: S603
        shutil.rmtree(parent, ignore_errors=True)


# 5 and 6. Fresh processes


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    cpu: float
    finished: bool = True


# A small process that starts the measured one and says what it cost. A child's peak resident
# size counts the pages of the process it was forked from (Linux keeps the larger across exec),
# so a command forked straight from this script, which holds thousands of assessments by then,
# would seem to need a few hundred MB more than it does.
LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
quiet = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=quiet)
print(pid, flush=True)
_pid, status, usage = os.wait4(pid, 0)
took = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
print(json.dumps([took, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, code]))
"""


def run_fresh(command: Sequence[str], env: dict[str, str], *, timeout: float | None = None) -> Run:
    """Run ``command`` in a new process: its wall time, CPU time and own peak resident memory.

    A command still running after ``timeout`` seconds is killed: its run is not ``finished``.
    """
    with tempfile.TemporaryFile() as errors:
        launcher = [sys.executable, "-c", LAUNCHER, *command]
        with subprocess.Popen(launcher, stdout=subprocess.PIPE, stderr=errors, env=env, text=True) as process:  # noqa: S603
            assert process.stdout is not None  # noqa: S101 - asked for with PIPE
            child = int(process.stdout.readline())
            try:
                out, _ = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(child, signal.SIGKILL)
                out, _ = process.communicate()
        took, peak, cpu, code = json.loads(out)
        if code not in (0, -signal.SIGKILL):
            errors.seek(0)
            sys.exit(f"{' '.join(command)} failed: {errors.read().decode(errors='replace')[-2000:]}")
    return Run(took, peak, cpu, finished=code == 0)  # ru_maxrss is in KiB on Linux


def clean_env(data_home: Path) -> dict[str, str]:
    """The environment of a user with no store of their own (``DHTI_DB`` unset, an empty data folder)."""
    env = {key: value for key, value in os.environ.items() if key not in ("DHTI_DB", "PYTHONDONTWRITEBYTECODE")}
    return {**env, "XDG_DATA_HOME": str(data_home)}


def aggregate_rows(sqlite: Path, work: Path, env: dict[str, str], *, repeat: int, pdf_timeout: float) -> list[Row]:
    """``dhti aggregate`` to HTML (median of ``repeat`` runs, the highest peak), then to PDF once.

    The PDF is killed after ``pdf_timeout`` seconds (0: not written at all).
    """
    aim = f"< {AIM_AGGREGATE_SECONDS:g} s {BOTH}, < {AIM_AGGREGATE_MB:g} MB"
    rows = []
    for fmt, runs, timeout in (("html", repeat, None), ("pdf", 1 if pdf_timeout else 0, pdf_timeout)):
        if not runs:
            continue
        output = work / f"portfolio.{fmt}"
        command = [*dhti_command(), "aggregate", "--db", str(sqlite), "-o", str(output), "--lang", "vi", "--force"]
        done = [run_fresh(command, env, timeout=timeout) for _ in range(runs)]
        seconds, peak = statistics.median(run.seconds for run in done), max(run.peak_mb for run in done)
        values = {"seconds": seconds, "peak_mb": peak, "slowest": max(run.seconds for run in done)}
        values["cpu_seconds"] = statistics.median(run.cpu for run in done)
        if all(run.finished for run in done):
            values["kib"] = output.stat().st_size / 1024
            figure = (
                f"{seconds:.1f} s (CPU {values['cpu_seconds']:.1f} s), peak {peak:,.0f} MB ({values['kib']:,.0f} KiB)"
            )
            if runs > 1:
                figure += f", median of {runs} (slowest {values['slowest']:.1f} s)"
        else:
            figure = f"unfinished after {seconds:.0f} s (killed), peak {peak:,.0f} MB by then"
        slowest = max(seconds, values["cpu_seconds"])
        met = all(run.finished for run in done) and slowest < AIM_AGGREGATE_SECONDS and peak < AIM_AGGREGATE_MB
        rows.append(Row("5", f"aggregate SQLite -> {fmt.upper()}, new process", figure, aim, met, values))
    return rows


def cold_pdf_rows(settings: Settings, sqlite: Path, work: Path, env: dict[str, str]) -> list[Row]:
    """Each sample's PDF written cold, with no store and with the campaign's, against the trivial page."""
    commands = {"trivial": [sys.executable, "-c", TRIVIAL_SCRIPT, str(work / "trivial.pdf")]}
    for sample in settings.samples:
        report = [*dhti_command(), "report", str(examples_dir() / f"{sample}.yaml"), "--lang", "vi", "--force"]
        commands[sample] = [*report, "-o", str(work / f"{sample}.pdf")]
        commands[f"{sample} --db"] = [*report, "-o", str(work / f"{sample}-db.pdf"), "--db", str(sqlite)]
    medians = interleaved_medians(commands, env, settings.repeat)
    trivial = medians.pop("trivial")
    what = "WeasyPrint <p>hello</p> -> PDF, new process"
    figure = f"{trivial.seconds:.2f} s (CPU {trivial.cpu:.2f} s)"
    rows = [Row("6", what, figure, "the floor", values={"seconds": trivial.seconds, "cpu_seconds": trivial.cpu})]
    for name, run in medians.items():
        sample, _, db = name.partition(" ")
        what = f"report {sample} -> PDF, new process, {'--db campaign' if db else 'no store'}"
        ratio, cpu_ratio = run.seconds / trivial.seconds, run.cpu / trivial.cpu
        figure = f"{run.seconds:.2f} s = {ratio:.1f}x the trivial page (CPU {cpu_ratio:.1f}x)"
        values = {"seconds": run.seconds, "ratio": ratio, "cpu_seconds": run.cpu, "cpu_ratio": cpu_ratio}
        rows.append(Row("6", what, figure, f"<= {AIM_PDF:g}x {BOTH}", max(ratio, cpu_ratio) <= AIM_PDF, values))
    return rows


def interleaved_medians(commands: dict[str, list[str]], env: dict[str, str], repeat: int) -> dict[str, Run]:
    """Median wall and CPU time of each command; one warm-up each, then the runs in turn, so load hits all alike."""
    for command in commands.values():
        run_fresh(command, env)  # writes bytecode and font caches, as a user's second run finds them
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            runs[name].append(run_fresh(command, env))
    return {
        name: Run(
            statistics.median(run.seconds for run in done),
            max(run.peak_mb for run in done),
            statistics.median(run.cpu for run in done),
        )
        for name, done in runs.items()
    }


# The run


def measure(settings: Settings, work: Path) -> tuple[Counter[str], list[Row]]:
    """Every step in turn; the campaign's entity types, and the figures."""
    registry = Registry.discover()
    plans = campaign_plans(registry, settings.provinces, settings.entities)
    paths, row = simulate_campaign(plans, work / "campaign")
    rows = shown([row])
    floor, row = yaml_floor(paths, settings.repeat)
    rows += shown([row])
    rows += store_rows(settings, work, paths, registry, floor)
    (work / "home").mkdir()
    env = clean_env(work / "home")
    store = work / "campaign.sqlite"
    rows += shown(aggregate_rows(store, work, env, repeat=settings.repeat, pdf_timeout=settings.portfolio_pdf_timeout))
    rows += shown(cold_pdf_rows(settings, store, work, env))
    return campaign_mix(plans), rows


def store_rows(settings: Settings, work: Path, paths: Sequence[Path], registry: Registry, floor: Floor) -> list[Row]:
    """Steps 3 and 4: batch into SQLite (both passes), db ingest in one process, batch into PostgreSQL."""
    source, workers = work / "campaign", settings.workers
    sqlite, reports = str(work / "campaign.sqlite"), settings.batch_reports
    clock = batch_into(sqlite, source, work / "reports-sqlite", workers=workers, reports=reports)
    rows = shown(batch_rows("3", "SQLite", clock, floor, workers))
    rows += shown([ingest_one_process(str(work / "ingest.sqlite"), paths, registry, floor)])
    if not settings.use_postgres:
        return rows + shown([Row("4", "batch -> PostgreSQL", "skipped (--no-postgres)")])
    with postgres_database(settings.postgres) as url:
        clock = batch_into(url, source, work / "reports-pg", workers=workers, reports=False)
    return rows + shown(batch_rows("4", "PostgreSQL", clock, floor, workers))


def shown(rows: list[Row]) -> list[Row]:
    """``rows``, each said on stderr as soon as it is measured (a full run takes a quarter of an hour)."""
    for row in rows:
        print(f"{row.step}  {row.what}: {row.figure}", file=sys.stderr, flush=True)
    return rows


def print_table(rows: Sequence[Row], header: str) -> None:
    print(header)
    titles = Row("#", "measured", "figure", "aim")
    widths = [max(len(getattr(row, name)) for row in (titles, *rows)) for name in ("what", "figure", "aim")]
    for row in (titles, *rows):
        cells = (row.what.ljust(widths[0]), row.figure.ljust(widths[1]), row.aim.ljust(widths[2]))
        verdict = "verdict" if row is titles else row.verdict
        print(f"{row.step}  {'  '.join(cells)}  {verdict}")


def settings_from(args: argparse.Namespace) -> Settings:
    units = TINY_PROVINCES if args.tiny else tuple(unit.name for unit in provinces.units())
    return Settings(
        entities=50 if args.tiny else args.entities,
        workers=args.workers,
        provinces=units,
        repeat=1 if args.tiny else args.repeat,
        samples=tuple(args.sample or (SAMPLES[:1] if args.tiny else SAMPLES)),
        postgres=args.postgres,
        use_postgres=not args.no_postgres,
        portfolio_pdf_timeout=args.portfolio_pdf_timeout,
        batch_reports=not args.no_reports,
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=15_000, help="entities to simulate (about)")
    parser.add_argument("--workers", type=int, default=2, help="dhti batch --jobs")
    server = parser.add_mutually_exclusive_group()
    server.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to make a new database on")
    server.add_argument("--start-postgres", action="store_true", help="start a throwaway cluster (the default)")
    server.add_argument("--no-postgres", action="store_true", help="skip step 4")
    parser.add_argument(
        "--portfolio-pdf-timeout",
        type=float,
        default=300,
        metavar="S",
        help="kill aggregate to PDF after S s (0: skip)",
    )
    parser.add_argument("--no-reports", action="store_true", help="stop batch into SQLite before its HTML reports")
    parser.add_argument("--sample", action="append", help=f"bundled sample for step 6 (repeat; default {SAMPLES})")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the floor and of each cold PDF")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON too")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR (new) and keep it: files, stores")
    parser.add_argument("--tiny", action="store_true", help="about 50 entities in 2 provinces, 1 run, 1 sample")
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    settings = settings_from(args)
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True)
            work = args.keep
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dhti-scale-")))
        load_before, started = os.getloadavg()[0], time.perf_counter()
        mix, rows = measure(settings, work)
        total, load_after = time.perf_counter() - started, os.getloadavg()[0]
    kinds = ", ".join(f"{count:,} {kind}" for kind, count in mix.most_common())
    header = (
        f"dhti scale benchmark: {mix.total():,} entities ({kinds}) in {len(settings.provinces)} provinces;"
        f" {settings.workers} workers, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; whole run {total:.0f} s;"
        f" load average {load_before:.1f} before, {load_after:.1f} after (other work on the machine slows every row)"
    )
    print_table(rows, header)
    if args.json:
        document = {
            "header": header,
            "settings": asdict(settings),
            "entities": dict(mix),
            "rows": [{**asdict(row), "verdict": row.verdict} for row in rows],
        }
        args.json.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
