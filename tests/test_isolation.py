"""One bad file never stops ``db ingest`` or ``batch``: it is marked failed, the others are done, exit 1."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from processes import live_processes

from dhti.cli import main
from dhti.jobs import batch, ingest
from dhti.jobs.batch import BatchOptions, run_batch
from dhti.outcomes import Status
from dhti.registry import Registry
from dhti.store import open_store
from dhti.store.api import Store
from dhti.store.record import AssessmentRecord, StoreError

pytest_plugins = ("conftest_store",)

STORE_DATA = Path(__file__).parent / "data" / "store"
NOT_UTF8 = b"\xff\xfe-bad.yaml".decode("utf-8", "surrogateescape")


def _folder(tmp_path: Path) -> Path:
    """Two good responses and d-poison.yaml, a third good one that the test makes fail."""
    source = tmp_path / "responses"
    source.mkdir()
    for name in ("hospital-2026.yaml", "centre-2026.yaml"):
        shutil.copy(STORE_DATA / name, source / name)
    shutil.copy(STORE_DATA / "hospital-2025.yaml", source / "d-poison.yaml")
    return source


@pytest.fixture
def scoring_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scoring d-poison.yaml raises an error nobody foresaw (scoring runs in this process)."""
    real = ingest.assess_bytes

    def assess(raw: bytes, *, file: str, **options: object):  # type: ignore[no-untyped-def]
        if file.endswith("d-poison.yaml"):
            raise OverflowError("int too large to convert to float")
        return real(raw, file=file, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest, "assess_bytes", assess)


@pytest.fixture
def in_process_workers(monkeypatch: pytest.MonkeyPatch, registry: Registry) -> None:
    """Batch workers as threads of this process, so that a monkeypatch reaches them."""
    monkeypatch.setattr(batch, "_worker_registry", registry)

    def pool(self: batch.Workers) -> cf.Executor:
        if self._pool is None:
            self._pool = cf.ThreadPoolExecutor(1)  # type: ignore[assignment]
        return self._pool

    monkeypatch.setattr(batch.Workers, "pool", pool)


@pytest.fixture
def storing_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store refuses d-poison.yaml, as PostgreSQL refuses a NUL character."""
    real = Store.ingest_record

    def ingest(self: Store, record: AssessmentRecord, raw: bytes):  # type: ignore[no-untyped-def]
        if record.source_file.endswith("d-poison.yaml"):
            msg = f"cannot store in {self.display}: PostgreSQL text fields cannot contain NUL (0x00) bytes"
            raise StoreError(msg)
        return real(self, record, raw)

    monkeypatch.setattr(Store, "ingest_record", ingest)


def _check_ingest(runner: CliRunner, tmp_path: Path, db: str, reason: str) -> None:
    source = _folder(tmp_path)
    result = runner.invoke(main, ["db", "ingest", str(source), "--db", db, "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"{source / 'd-poison.yaml'}:1:1: error: {reason}" in result.stderr
    assert "3 file(s): 2 stored, 0 already stored, 0 invalid, 1 failed" in result.stderr
    assert [line.split()[-1] for line in result.stdout.splitlines()[2:]] == ["#1", "failed", "#2"]
    with open_store(db) as store:
        assert sorted(Path(a.record.source_file).name for a in store.assessments()) == [
            "centre-2026.yaml",
            "hospital-2026.yaml",
        ]


@pytest.mark.usefixtures("scoring_breaks")
def test_ingest_goes_on_after_a_file_whose_scoring_fails(runner: CliRunner, tmp_path: Path) -> None:
    _check_ingest(
        runner, tmp_path, str(tmp_path / "s.sqlite"), "not scored: OverflowError: int too large to convert to float"
    )


@pytest.mark.usefixtures("storing_breaks")
def test_ingest_goes_on_after_a_file_the_store_refuses(runner: CliRunner, tmp_path: Path, store_url: str) -> None:
    _check_ingest(runner, tmp_path, store_url, "not stored: cannot store in ")


def _check_batch(runner: CliRunner, tmp_path: Path, db: str, reason: str) -> None:
    source, out = _folder(tmp_path), tmp_path / "out"
    result = runner.invoke(main, ["batch", str(source), "-o", str(out), "--db", db, "--jobs", "1", "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"{source / 'd-poison.yaml'}:1:1: error: {reason}" in result.stderr
    assert "3 file(s): 2 stored, 0 already stored, 0 invalid, 1 failed; 2 report(s) written" in result.stderr
    assert sorted(p.name for p in out.glob("*.html")) == [
        "01-bv-0001-2026-10-15.html",
        "ttyt-bat-xat-02-2026-09-01.html",
    ]


@pytest.mark.usefixtures("scoring_breaks", "in_process_workers")
def test_batch_goes_on_after_a_file_whose_scoring_fails(runner: CliRunner, tmp_path: Path) -> None:
    _check_batch(runner, tmp_path, str(tmp_path / "s.sqlite"), "not scored: OverflowError: int too large")


@pytest.mark.usefixtures("storing_breaks")
def test_batch_goes_on_after_a_file_the_store_refuses(runner: CliRunner, tmp_path: Path, store_url: str) -> None:
    _check_batch(runner, tmp_path, store_url, "not stored: cannot store in ")


def _not_utf8_folder(tmp_path: Path) -> Path:
    source = tmp_path / "responses"
    source.mkdir()
    shutil.copy(STORE_DATA / "centre-2026.yaml", source / "centre-2026.yaml")
    shutil.copy(STORE_DATA / "hospital-2026.yaml", source / NOT_UTF8)
    return source


def test_ingest_stores_a_file_whose_name_is_not_utf8(runner: CliRunner, tmp_path: Path, store_url: str) -> None:
    source = _not_utf8_folder(tmp_path)
    result = runner.invoke(main, ["db", "ingest", str(source), "--db", store_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    shown = f"{source}/\\xff\\xfe-bad.yaml"
    assert sorted(entry["file"] for entry in json.loads(result.stdout)) == sorted(
        [shown, str(source / "centre-2026.yaml")]
    )
    with open_store(store_url) as store:
        assert sorted(a.record.source_file for a in store.assessments()) == sorted(
            [shown, str(source / "centre-2026.yaml")]
        )


def test_batch_reports_on_a_file_whose_name_is_not_utf8(tmp_path: Path, store_url: str) -> None:
    source, out = _not_utf8_folder(tmp_path), tmp_path / "out"
    with open_store(store_url) as store:
        results = run_batch(source, out, store=store, options=BatchOptions(jobs=1))
        again = run_batch(source, out, store=store, options=BatchOptions(jobs=1))
    by_file = {Path(r.file).name: r for r in results}
    bad = by_file["\\xff\\xfe-bad.yaml"]
    assert (bad.status, bad.written) == (Status.STORED, ("01-bv-0001-2026-10-15.html",))
    assert (out / "01-bv-0001-2026-10-15.html").is_file()
    assert [r.status for r in again] == [Status.DUPLICATE, Status.DUPLICATE]


# A file that kills its worker process outright (a crash in a library, the kernel's OOM killer).
# A monkeypatch does not reach a spawned worker, so the batch runs in a subprocess with this
# sitecustomize on PYTHONPATH: every process of the batch, workers included, loads it.
KILLER_HOOK = """
import functools, multiprocessing, os
import dhti.jobs.batch, dhti.report.render

def dies_on(real, word, name):
    @functools.wraps(real)
    def hooked(*args, **kwargs):
        if multiprocessing.parent_process() is not None and word in str(args[int(name == "report")]):
            os._exit(1)
        return real(*args, **kwargs)
    return hooked

dhti.jobs.batch.assess_isolated = dies_on(dhti.jobs.batch.assess_isolated, "kill-worker", "assess")
dhti.report.render.write_report = dies_on(dhti.report.render.write_report, "kill-report", "report")
"""
DIED = "the worker process died while {} (out of memory or a crash in a library)"  # in English: --lang en


def _many(tmp_path: Path, count: int, killer: str) -> Path:
    """``count`` good responses, and ``killer``: one more whose worker dies (see :data:`KILLER_HOOK`)."""
    source = tmp_path / "responses"
    source.mkdir()
    template = (STORE_DATA / "hospital-2026.yaml").read_text(encoding="utf-8")
    for number in range(count):
        (source / f"r{number:03d}.yaml").write_text(template.replace("01-BV-0001", f"01-BV-{number:04d}"))
    (source / killer).write_text(template.replace("01-BV-0001", killer.removesuffix(".yaml").upper()))
    return source


def _run_with_killer(tmp_path: Path, source: Path) -> tuple[int, str, Path]:
    hook, out = tmp_path / "hook", tmp_path / "out"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(KILLER_HOOK)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "dhti", "batch", str(source), "-o", str(out), "--lang", "en"]
    command += ["--db", str(tmp_path / "s.sqlite"), "--jobs", "2", "--lang", "en"]
    running = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _out, stderr = running.communicate(timeout=300)  # a guard against a hang, not a timing
        deadline = time.monotonic() + 30  # the same: the pool's helpers end a moment after the batch
        while time.monotonic() < deadline and live_processes(group=running.pid):
            time.sleep(0.1)
        assert live_processes(group=running.pid) == [], "no worker may outlive the batch"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(running.pid, signal.SIGKILL)
    return running.returncode, stderr, out


def _stored(tmp_path: Path) -> list[str]:
    with open_store(tmp_path / "s.sqlite") as store:
        return sorted(a.record.entity_id for a in store.assessments())


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the workers")
def test_a_file_that_kills_its_worker_is_failed_and_the_batch_finishes(tmp_path: Path) -> None:
    source = _many(tmp_path, 16, "kill-worker.yaml")  # two files a chunk: the killer shares its chunk
    code, stderr, out = _run_with_killer(tmp_path, source)
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert f"{source / 'kill-worker.yaml'}:1:1: error: {DIED.format('scoring this file')}" in stderr
    assert "17 file(s): 16 stored, 0 already stored, 0 invalid, 1 failed; 16 report(s) written" in stderr
    assert _stored(tmp_path) == [f"01-BV-{n:04d}" for n in range(16)]
    assert sorted(p.name for p in out.glob("*.html")) == [f"01-bv-{n:04d}-2026-10-15.html" for n in range(16)]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the workers")
def test_a_report_that_kills_its_worker_is_failed_and_the_other_reports_are_written(tmp_path: Path) -> None:
    source = _many(tmp_path, 5, "kill-report.yaml")
    code, stderr, out = _run_with_killer(tmp_path, source)
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert f"{source / 'kill-report.yaml'}:1:1: error: {DIED.format('writing its report')}" in stderr
    assert "6 file(s): 6 stored, 0 already stored, 0 invalid; 5 report(s) written" in stderr
    assert _stored(tmp_path) == sorted([*(f"01-BV-{n:04d}" for n in range(5)), "KILL-REPORT"])
    assert sorted(p.name for p in out.glob("*.html")) == [f"01-bv-{n:04d}-2026-10-15.html" for n in range(5)]


def _pid(_item: int) -> int:
    return os.getpid()


def test_a_worker_that_dies_between_two_passes_is_replaced(tmp_path: Path) -> None:
    with batch.Workers(1, None, pdf=False) as workers:
        [(_item, first)] = list(workers.run(_pid, [0]))
        os.kill(first.result(), signal.SIGKILL)  # idle: no future breaks, only the pool
        deadline = time.monotonic() + 30  # a guard: the pool notices within a moment
        while time.monotonic() < deadline and not getattr(workers.pool(), "_broken", False):
            time.sleep(0.05)
        again = [future.result() for _item, future in workers.run(_pid, [1, 2])]
    assert len(again) == 2
    assert first.result() not in again


def _wait_for(condition, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds  # a guard against a hang, not a timing
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the workers")
def test_ctrl_c_stops_the_batch_and_its_workers_and_a_rerun_finishes(tmp_path: Path) -> None:
    source = _many(tmp_path, 12, "r999.yaml")  # no hook here: every file is good
    out = tmp_path / "out"
    command = [sys.executable, "-m", "dhti", "batch", str(source), "-o", str(out), "--pdf"]
    command += ["--db", str(tmp_path / "s.sqlite"), "--jobs", "2", "--lang", "en"]
    running = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert _wait_for(lambda: any(out.glob("*.html")), seconds=240), "the report pass never started"
        os.killpg(running.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
        _out, stderr = running.communicate(timeout=60)
        assert _wait_for(lambda: not live_processes(group=running.pid), seconds=30), "no worker may outlive Ctrl-C"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(running.pid, signal.SIGKILL)
    assert running.returncode != 0
    assert "Aborted!" in stderr
    assert "Traceback" not in stderr
    assert not list(out.glob(".*.tmp"))
    again = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert again.returncode == 0, again.stderr
    assert len(_stored(tmp_path)) == 13
    assert len(list(out.glob("*.pdf"))) == len(list(out.glob("*.html"))) == 13
