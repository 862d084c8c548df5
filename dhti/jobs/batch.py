"""``dhti batch``: validate, score and store a folder of files (as ``db ingest`` does), and report on them.

A batch runs in two passes over worker processes. The first validates and scores the files the
store does not hold yet, and the parent stores each one in its own transaction. The second
writes the reports that are missing, under names the parent claimed beforehand in
``OUT/.dhti-batch.json``. Every step is atomic and keyed by the content hash, so a batch that
is killed and started again finishes the work without doing any file twice.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import errno
import json
import logging
import multiprocessing
import os
import re
import signal
import stat
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Self, TypeVar

from dhti.assess import assess_bytes
from dhti.errors import DhtiError, InputError, Problem
from dhti.i18n import N_, translations
from dhti.jobs.ingest import (
    Assessed,
    Progress,
    assess_isolated,
    describe,
    display_name,
    no_progress,
    not_assessed,
    read_response,
    store_assessed,
    unscored,
)
from dhti.messages import Message
from dhti.outcomes import FileResult, Status
from dhti.outfiles import cannot_write, make_folder, remove_stale_temporaries, write_atomic
from dhti.registry import Registry, response_files
from dhti.report.render import ReportFormat
from dhti.safetext import without_accents
from dhti.store.record import content_hash

if TYPE_CHECKING:
    from dhti.response import Response
    from dhti.store.api import Store, StoredAssessment

T = TypeVar("T")
R = TypeVar("R")
STATE_FILE = ".dhti-batch.json"
LOCK_FILE = ".dhti-batch.lock"
PDF_TASKS_PER_WORKER = 40  # a PDF worker is replaced after this many files, which bounds its memory
MAX_JOBS = 32  # and never more than twice the CPUs: more workers only add memory, not speed
REPORT_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # what slug() and claim_name() make
PARENT_CHECK_SECONDS = 0.5
DIED_SCORING = N_("the worker process died while scoring this file (out of memory or a crash in a library)")
DIED_REPORTING = N_("the worker process died while writing its report (out of memory or a crash in a library)")
log = logging.getLogger(__name__)


class BatchError(DhtiError):
    """A batch cannot run: bad folders, nothing to do, or another batch writing the same output."""


# Report names


def slug(entity_id: str) -> str:
    """A file-name-safe form of an entity id: lower-case ASCII letters, digits and single dashes."""
    text = re.sub(r"[^a-z0-9]+", "-", without_accents(entity_id).lower()).strip("-")
    return text[:60].rstrip("-") or "entity"


def report_base(entity_id: str, assessment_date: dt.date) -> str:
    return f"{slug(entity_id)}-{assessment_date.isoformat()}"


def claim_name(base: str, *, taken: set[str], exists: Callable[[str], bool]) -> str:
    """``base``, else ``base-2``, ``base-3``...: the first name neither claimed nor on disk."""
    number = 1
    while True:
        name = base if number == 1 else f"{base}-{number}"
        if name not in taken and not exists(name):
            taken.add(name)
            return name
        number += 1


# The batch's memory in OUT


@dataclass
class BatchState:
    """Which report name each content hash owns in OUT; saved before any report is written."""

    path: Path
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, output: Path, *, lang: str = "en") -> BatchState:
        path = output / STATE_FILE
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            names = data["reports"]
            if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
                raise TypeError(names)  # noqa: TRY301 - one message for every kind of damage
        except (OSError, ValueError, KeyError, TypeError) as err:
            _ = translations(lang).gettext
            msg = _("%(file)s is damaged (%(reason)s); delete it to let the batch name its reports afresh")
            raise BatchError(msg % {"file": path, "reason": f"{err!s:.60}"}) from err
        return cls(path, _usable_names(path, names))

    def save(self) -> None:
        text = json.dumps({"format": 1, "reports": dict(sorted(self.names.items()))}, indent=1)
        write_atomic(self.path, text + "\n", force=True)


def _usable_names(path: Path, names: dict[str, str]) -> dict[str, str]:
    """The manifest's names that dhti could have made; any other would put a report outside OUT."""
    usable: dict[str, str] = {}
    for digest, name in names.items():
        if REPORT_NAME.fullmatch(name) and len(name) <= 100 and name not in usable.values():
            usable[str(digest)] = name
        else:
            log.warning("%s: %r is not a report name dhti makes; naming that report afresh", path, name[:120])
    return usable


@contextlib.contextmanager
def output_lock(output: Path, *, lang: str = "en") -> Iterator[None]:
    """Hold OUT for this batch; a second batch into the same OUT is refused, not interleaved."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only; elsewhere batches are not locked
    except ImportError:  # pragma: no cover
        yield
        return
    _ = translations(lang).gettext
    handle = _open_lock(output / LOCK_FILE, lang)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            msg = _("another dhti batch is writing into %(folder)s; wait for it to finish") % {"folder": output}
            raise BatchError(msg) from err
        yield
    finally:
        os.close(handle)  # releases the lock


def _open_lock(path: Path, lang: str) -> int:
    """The lock file, opened without following a symlink: a planted link would create a file anywhere."""
    _ = translations(lang).gettext
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        handle = os.open(path, flags, 0o644)
    except OSError as err:
        if err.errno == errno.ELOOP:
            msg = _("%(file)s is a symbolic link; remove it and run the batch again (dhti makes its own lock file)")
            raise BatchError(msg % {"file": path}) from err
        raise cannot_write(path, err) from err
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise BatchError(_("%(file)s is not a regular file; remove it and run the batch again") % {"file": path})
    return handle


# Worker processes

_worker_registry: Registry | None = None


def _init_worker(override: Path | None, parent: int) -> None:
    global _worker_registry  # noqa: PLW0603 - one registry per worker process, loaded once
    # Ctrl-C is the parent's to handle: it cancels what is queued and lets running files finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with(parent)
    _worker_registry = Registry.discover(override=override)


def _exit_with(parent: int) -> None:
    """End this worker when the batch's process dies (killed, out of memory), instead of idling forever.

    A worker holds both ends of the pool's pipes, so it never sees them close; it watches its
    parent's pid instead, which changes when the parent is gone. (Where the pid does not change,
    on Windows, workers end with the pool as before.)
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="dhti-parent-watch", daemon=True).start()


def _registry_here() -> Registry:
    if _worker_registry is None:  # pragma: no cover - set by the pool's initializer
        msg = "worker started without a registry"
        raise RuntimeError(msg)
    return _worker_registry


def _single_files(files: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [(file,) for file in files]


def _assess_chunk(files: tuple[str, ...], *, lenient: bool) -> list[Assessed]:
    registry = _registry_here()
    return [assess_isolated(file, registry=registry, lenient=lenient) for file in files]


@dataclass(frozen=True)
class ReportJob:
    file: str  # as shown (see display_name)
    path: str  # as on disk
    digest: str
    outputs: tuple[tuple[ReportFormat, Path], ...]
    lang: str
    lenient: bool
    report_date: dt.date = field(default_factory=dt.date.today)
    store_at: str | None = None  # the store to compare with: its path (SQLite) or URL


# Each worker opens the store once, and reads each peer group (entity type and questionnaire) once.
_worker_stores: dict[str, Store] = {}
_worker_peers: dict[tuple[str, str, str], list[StoredAssessment]] = {}


def _comparisons(store_at: str, response: Response) -> tuple[list[StoredAssessment], list[StoredAssessment]]:
    """The entity's stored history and its peers' latest assessments, as ``dhti report --db`` gives them."""
    from dhti.store import open_store  # noqa: PLC0415 - SQLAlchemy in the workers only when reporting

    store = _worker_stores.get(store_at)
    if store is None:
        store = _worker_stores[store_at] = open_store(store_at, create=False)
    key = (store_at, response.entity.type, response.questionnaire.id)
    if key not in _worker_peers:
        _worker_peers[key] = store.peers(entity_type=key[1], questionnaire=key[2])
    return store.history(response.entity.id), _worker_peers[key]


def _write_reports(job: ReportJob) -> tuple[str, ...] | Problem:
    from dhti.report.render import write_report  # noqa: PLC0415 - the report libraries load in workers only

    raw = read_response(Path(job.path), job.file)
    outcome = assess_bytes(raw, file=job.file, registry=_registry_here(), lenient=job.lenient)
    if content_hash(raw) != job.digest or not outcome.valid:
        changed = translations(job.lang).gettext("the file changed while the batch ran; run the batch again")
        return Problem(job.file, 1, 1, changed)
    response = outcome.validation.response
    history, peers = _comparisons(job.store_at, response) if job.store_at and response else ([], [])
    for fmt, path in job.outputs:
        if not path.exists():  # else an earlier try of this job wrote it, before its pool broke
            write_report(
                outcome, path, fmt=fmt, lang=job.lang, report_date=job.report_date, history=history, peers=peers
            )
    return tuple(path.name for _fmt, path in job.outputs)


class Workers:
    """The worker processes, started on first use and shared by both passes of a batch.

    Spawned, not forked: a worker starts clean. With PDFs, a worker is replaced after
    :data:`PDF_TASKS_PER_WORKER` tasks, which gives its memory back.
    """

    def __init__(self, jobs: int, override: Path | None, *, pdf: bool) -> None:
        self.jobs, self.override, self.pdf = jobs, override, pdf
        self._pool: cf.ProcessPoolExecutor | None = None
        self._size = jobs

    def pool(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = cf.ProcessPoolExecutor(
                max_workers=self._size,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.override, os.getpid()),
                max_tasks_per_child=PDF_TASKS_PER_WORKER if self.pdf else None,
            )
        return self._pool

    def run(
        self, function: Callable[[T], R], items: Sequence[T], *, alone: Callable[[T], Sequence[T]] = lambda item: [item]
    ) -> Iterator[tuple[T, cf.Future[R]]]:
        """Each item with its finished future, in the order they finish, even when a worker dies.

        A worker that dies (a crash in a library, the OOM killer) breaks its pool, and with it the
        future of every item not yet finished. Those items run again in a fresh pool; the ones
        broken a second time are split by ``alone`` and each part runs on its own, so that only
        a part that kills its worker by itself is yielded with a ``BrokenProcessPool`` future.
        """
        broken = yield from self._round(function, items)
        if broken:
            self._replace(self.jobs)
            broken = yield from self._round(function, broken)
        parts = [part for item in broken for part in alone(item)]
        if not parts:
            return
        self._replace(1)  # one worker, one part at a time: a part that kills it breaks no other
        for part in parts:
            died = yield from self._round(function, [part], last=True)
            if died:
                self._replace(1)
        self._replace(self.jobs)

    def _round(
        self, function: Callable[[T], R], items: Sequence[T], *, last: bool = False
    ) -> Generator[tuple[T, cf.Future[R]], None, list[T]]:
        """Run ``items``; returns those whose futures broke, which are yielded too only if ``last``."""
        try:
            futures = {self.pool().submit(function, item): item for item in items}
        except cf.process.BrokenProcessPool:  # a worker died after its last task: no future broke, the pool did
            self._replace(self._size)
            futures = {self.pool().submit(function, item): item for item in items}
        broken: list[T] = []
        try:
            for future in cf.as_completed(futures):
                died = isinstance(future.exception(), cf.process.BrokenProcessPool)
                if died:
                    broken.append(futures[future])
                if last or not died:
                    yield futures[future], future
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return broken

    def _replace(self, size: int) -> None:
        """Drop the pool (a broken pool has ended its workers already); the next use starts one of ``size``."""
        self.close()
        self._pool, self._size = None, size

    def close(self, *, cancel: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=not cancel, cancel_futures=cancel)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_rest: object) -> None:
        self.close(cancel=kind is not None)


# The batch


@dataclass(frozen=True)
class BatchOptions:
    jobs: int = 1
    pdf: bool = False
    lang: str = "vi"
    lenient: bool = False
    questionnaire: Path | None = None  # --questionnaire: checked against this file instead
    report_date: dt.date = field(default_factory=dt.date.today)  # the reports' date: earlier due dates are overdue

    @property
    def formats(self) -> tuple[ReportFormat, ...]:
        return (ReportFormat.HTML, ReportFormat.PDF) if self.pdf else (ReportFormat.HTML,)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def max_jobs() -> int:
    """The most worker processes a batch starts: twice the CPUs, and never more than :data:`MAX_JOBS`."""
    return min(MAX_JOBS, 2 * default_jobs())


def capped_jobs(requested: int) -> int:
    return max(1, min(requested, max_jobs()))


def check_folders(source: Path, output: Path, *, lang: str = "en") -> None:
    _ = translations(lang).gettext
    folders = {"source": source, "output": output}
    if not source.is_dir():
        raise BatchError(_("%(source)s is not a folder") % folders)
    source_real, output_real = source.resolve(), output.resolve()
    if output_real == source_real or output_real.is_relative_to(source_real):
        raise BatchError(
            _("the output folder %(output)s is inside %(source)s; put the reports somewhere else") % folders
        )
    if output.exists() and not output.is_dir():
        raise BatchError(_("%(output)s is a file; give a folder for the reports") % folders)


def _reopenable(store: Store) -> str:
    """What a worker passes to ``open_store`` to read the same store: an SQLite file's path, else the URL."""
    return str(store.location.path) if store.location.path is not None else store.location.url


def run_batch(
    source: Path,
    output: Path,
    *,
    store: Store,
    options: BatchOptions,
    progress: Progress = no_progress,
) -> list[FileResult]:
    """``dhti batch``: validate, score, store and report on every response under ``source``.

    Files the store holds already are not scored again, and reports that exist are not
    written again, so running a batch twice (or again after it was killed) finishes the job.
    """
    check_folders(source, output, lang=options.lang)
    try:
        files = response_files([source])
    except DhtiError as err:
        raise BatchError(str(err)) from err
    make_folder(output, parents=True)
    with output_lock(output, lang=options.lang):
        remove_stale_temporaries(output)  # of reports an interrupted run was writing
        state = BatchState.load(output, lang=options.lang)
        jobs = min(capped_jobs(options.jobs), len(files))
        with Workers(jobs, options.questionnaire, pdf=options.pdf) as workers:
            batch = _Batch(store, options, progress, output, state, workers)
            return batch.report_pass(files, batch.store_pass(files))


@dataclass(frozen=True)
class _Batch:
    store: Store
    options: BatchOptions
    progress: Progress
    output: Path
    state: BatchState
    workers: Workers

    def store_pass(self, files: Sequence[Path]) -> list[FileResult]:
        """Assess and store the files the store does not hold; the others are looked up."""
        digests = {file: _digest_or_none(file) for file in files}
        known = self.store.stored_hashes(d for d in digests.values() if d is not None)
        by_id = {a.id: a for a in self.store.get_many(sorted(set(known.values())))}
        results: dict[Path, FileResult] = {}
        for file, digest in digests.items():
            if digest in known:
                results[file] = _known(display_name(file), by_id[known[digest]])
        todo = [file for file in files if file not in results]
        with self.progress(N_("Scoring and storing"), len(todo)) as advance:
            for chunk, assessed in _assess_in_workers(self.workers, todo, self.options):
                for file, one in zip(chunk, assessed, strict=True):
                    results[file] = store_assessed(self.store, one)
                advance(len(chunk))
        return [results[file] for file in files]

    def report_pass(self, files: Sequence[Path], results: list[FileResult]) -> list[FileResult]:
        """Claim a name for each stored assessment, save the claims, then write the missing reports."""
        by_id = {a.id: a for a in self.store.get_many(sorted({r.assessment_id for r in results if r.assessment_id}))}
        self.claim_names(by_id.values())
        self.state.save()
        jobs: dict[int, ReportJob] = {}
        named: list[FileResult] = []
        for file, result in zip(files, results, strict=True):
            if result.assessment_id is None:
                named.append(result)
                continue
            assessment = by_id[result.assessment_id]
            name = self.state.names[assessment.content_hash]
            outputs = tuple((fmt, self.output / f"{name}.{fmt}") for fmt in self.options.formats)
            missing = tuple((fmt, path) for fmt, path in outputs if not path.exists())
            if missing and assessment.id not in jobs:
                options = self.options
                jobs[assessment.id] = ReportJob(
                    result.file,
                    str(file),
                    assessment.content_hash,
                    missing,
                    options.lang,
                    options.lenient,
                    options.report_date,
                    _reopenable(self.store),
                )
            named.append(replace(result, reports=tuple(path.name for _fmt, path in outputs)))
        written = self.write_reports(list(jobs.values()))
        return [_with_written(result, file, jobs, written) for file, result in zip(files, named, strict=True)]

    def write_reports(self, jobs: Sequence[ReportJob]) -> dict[str, tuple[str, ...] | Problem]:
        """Write the reports in the workers, the largest responses first so none is left to run alone."""
        done: dict[str, tuple[str, ...] | Problem] = {}
        largest_first = sorted(jobs, key=lambda job: -_size(job.path))
        label = N_("Writing HTML and PDF reports") if self.options.pdf else N_("Writing HTML reports")
        with self.progress(label, len(jobs)) as advance:
            for job, future in self.workers.run(_write_reports, largest_first):
                done[job.path] = _report_outcome(future, job)
                advance(1)
        return done

    def claim_names(self, assessments: Iterable[StoredAssessment]) -> None:
        """Name each new content hash's reports; in a stable order, so reruns agree."""
        names = self.state.names
        taken = set(names.values())
        fresh = sorted(
            (report_base(a.record.entity_id, a.record.assessment_date), a.record.source_file, a.content_hash)
            for a in assessments
            if a.content_hash not in names
        )
        for base, _source, digest in fresh:
            if digest not in names:
                names[digest] = claim_name(base, taken=taken, exists=lambda name: _any_report(self.output, name))


def _known(file: str, assessment: StoredAssessment) -> FileResult:
    return FileResult(
        file,
        Status.DUPLICATE,
        entity_id=assessment.record.entity_id,
        assessment_date=assessment.record.assessment_date,
        index=assessment.record.index,
        assessment_id=assessment.id,
    )


def _size(file: str) -> int:
    try:
        return Path(file).stat().st_size
    except OSError:
        return 0


def _digest_or_none(file: Path) -> str | None:
    try:
        return content_hash(read_response(file, str(file)))
    except InputError:
        return None


def _assess_in_workers(
    workers: Workers, files: Sequence[Path], options: BatchOptions
) -> Iterator[tuple[list[Path], list[Assessed]]]:
    """Files with their assessments, a chunk at a time (a task per file would cost more than the file)."""
    size = max(1, min(25, len(files) // (max(1, options.jobs) * 4)))
    chunks = [tuple(str(f) for f in files[start : start + size]) for start in range(0, len(files), size)]
    assess = partial(_assess_chunk, lenient=options.lenient)
    for chunk, future in workers.run(assess, chunks, alone=_single_files):
        yield [Path(file) for file in chunk], _chunk_outcome(chunk, future, options.lang)


def _chunk_outcome(chunk: tuple[str, ...], future: cf.Future[list[Assessed]], lang: str) -> list[Assessed]:
    """A chunk's assessments; if the task itself failed, each of its files is failed with the reason."""
    try:
        return future.result()
    except cf.process.BrokenProcessPool:  # this file, run alone, killed its worker (see Workers.run)
        return [not_assessed(file, translations(lang).gettext(DIED_SCORING)) for file in chunk]
    except Exception as err:  # noqa: BLE001 - the other chunks go on
        return [unscored(file, err) for file in chunk]


def _any_report(output: Path, name: str) -> bool:
    return any((output / f"{name}.{fmt}").exists() for fmt in ReportFormat)


def _report_outcome(future: cf.Future[tuple[str, ...] | Problem], job: ReportJob) -> tuple[str, ...] | Problem:
    try:
        return future.result()
    except cf.process.BrokenProcessPool:  # this report, written alone, killed its worker (see Workers.run)
        return Problem(job.file, 1, 1, translations(job.lang).gettext(DIED_REPORTING))
    except Exception as err:  # noqa: BLE001 - one broken report must not stop the others
        reason = describe(err)
        shown = reason.render(job.lang) if isinstance(reason, Message) else reason
        text = translations(job.lang).gettext("report not written: %(reason)s") % {"reason": shown}
        return Problem(job.file, 1, 1, text)


def _with_written(
    result: FileResult, file: Path, jobs: dict[int, ReportJob], written: dict[str, tuple[str, ...] | Problem]
) -> FileResult:
    job = jobs.get(result.assessment_id or -1)
    if job is None or job.path != str(file):
        return result
    outcome = written.get(job.path)
    if isinstance(outcome, Problem):
        return replace(result, problems=(*result.problems, outcome))
    return replace(result, written=outcome or ())
