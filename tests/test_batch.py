"""Batches: safe report names, parallel scoring and storing, reports, and resuming after a kill."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from processes import live_processes

from dhti.errors import OutputError
from dhti.jobs import batch
from dhti.jobs.batch import (
    STATE_FILE,
    BatchError,
    BatchOptions,
    Status,
    claim_name,
    output_lock,
    report_base,
    run_batch,
    slug,
)
from dhti.store import open_store

pytest_plugins = ("conftest_store",)

STORE_DATA = Path(__file__).parent / "data" / "store"


@pytest.mark.parametrize(
    ("entity_id", "expected"),
    [
        ("01-BV-0001", "01-bv-0001"),
        ("../../etc/passwd", "etc-passwd"),
        ("..", "entity"),
        ("/", "entity"),
        ("Trạm Y tế Đồng Văn", "tram-y-te-dong-van"),
        ('a\\b:c*d?e"f<g>h|i\x00j', "a-b-c-d-e-f-g-h-i-j"),
        ("CON", "con"),
        ("x" * 200, "x" * 60),
        ("生", "entity"),
    ],
)
def test_slugs_are_plain_file_names(entity_id: str, expected: str) -> None:
    assert slug(entity_id) == expected


def test_names_are_claimed_once_and_never_over_a_file_on_disk() -> None:
    taken = {"01-bv-0001-2026-10-15"}
    on_disk = {"01-bv-0001-2026-10-15-2"}
    base = report_base("01-BV-0001", dt.date(2026, 10, 15))
    assert claim_name(base, taken=taken, exists=on_disk.__contains__) == "01-bv-0001-2026-10-15-3"
    assert claim_name(base, taken=taken, exists=on_disk.__contains__) == "01-bv-0001-2026-10-15-4"
    assert claim_name("other", taken=taken, exists=on_disk.__contains__) == "other"


def _folder(tmp_path: Path, *names: str) -> Path:
    source = tmp_path / "responses"
    source.mkdir()
    for name in names:
        shutil.copy(STORE_DATA / name, source / name)
    return source


def test_a_batch_stores_and_reports_then_a_rerun_skips_everything(tmp_path: Path, store_url: str) -> None:
    source = _folder(tmp_path, "hospital-2025.yaml", "hospital-2026.yaml", "centre-2026.yaml", "invalid.yaml")
    out = tmp_path / "out"
    options = BatchOptions(jobs=2, lang="en")
    with open_store(store_url) as store:
        first = run_batch(source, out, store=store, options=options)
        second = run_batch(source, out, store=store, options=options)
        assert store.count() == 3
    by_file = {Path(r.file).name: r for r in first}
    assert by_file["invalid.yaml"].status is Status.INVALID
    assert "finished' is not one of the options" in str(by_file["invalid.yaml"].errors)
    assert by_file["hospital-2025.yaml"].reports == ("01-bv-0001-2025-10-15.html",)
    assert by_file["centre-2026.yaml"].reports == ("ttyt-bat-xat-02-2026-09-01.html",)
    assert all(r.written == r.reports for r in first)
    reports = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert reports == ["01-bv-0001-2025-10-15.html", "01-bv-0001-2026-10-15.html", "ttyt-bat-xat-02-2026-09-01.html"]
    later = (out / "01-bv-0001-2026-10-15.html").read_text(encoding="utf-8")
    assert "Bệnh viện Đa khoa Mẫu" in later
    # The workers read the store as `dhti report --db` does: the later report has the trend.
    assert "since the assessment of 15 October 2025" in later
    assert "since the assessment of" not in (out / "01-bv-0001-2025-10-15.html").read_text(encoding="utf-8")
    assert [r.status for r in second if r.status is not Status.INVALID] == [Status.DUPLICATE] * 3
    assert all(r.written == () for r in second)
    assert [r.reports for r in second] == [r.reports for r in first]
    state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    assert sorted(state["reports"].values()) == [name.removesuffix(".html") for name in reports]


def test_same_entity_and_date_get_numbered_names_and_copies_one_report(tmp_path: Path) -> None:
    source = _folder(tmp_path, "hospital-2026.yaml")
    text = (STORE_DATA / "hospital-2026.yaml").read_text(encoding="utf-8")
    (source / "resubmitted.yaml").write_text(text.replace("staff: 6", "staff: 7"), encoding="utf-8")
    (source / "copy.yaml").write_bytes((source / "hospital-2026.yaml").read_bytes())
    out = tmp_path / "out"
    with open_store(tmp_path / "s.sqlite") as store:
        results = run_batch(source, out, store=store, options=BatchOptions(jobs=1))
        assert store.count() == 2
    by_file = {Path(r.file).name: r for r in results}
    assert by_file["copy.yaml"].reports == by_file["hospital-2026.yaml"].reports
    assert {by_file["copy.yaml"].status, by_file["hospital-2026.yaml"].status} == {Status.STORED, Status.DUPLICATE}
    assert sorted(p.name for p in out.glob("*.html")) == ["01-bv-0001-2026-10-15-2.html", "01-bv-0001-2026-10-15.html"]
    assert sum(len(r.written) for r in results) == 2


def test_a_pdf_batch_adds_pdfs_beside_existing_html(tmp_path: Path) -> None:
    source = _folder(tmp_path, "centre-2026.yaml")
    out = tmp_path / "out"
    with open_store(tmp_path / "s.sqlite") as store:
        run_batch(source, out, store=store, options=BatchOptions(jobs=1))
        [result] = run_batch(source, out, store=store, options=BatchOptions(jobs=1, pdf=True))
    assert result.reports == ("ttyt-bat-xat-02-2026-09-01.html", "ttyt-bat-xat-02-2026-09-01.pdf")
    assert result.written == ("ttyt-bat-xat-02-2026-09-01.pdf",)
    assert (out / "ttyt-bat-xat-02-2026-09-01.pdf").read_bytes().startswith(b"%PDF-")


def test_folders_that_cannot_be_used(tmp_path: Path) -> None:
    source = _folder(tmp_path, "centre-2026.yaml")
    (tmp_path / "empty").mkdir()
    (tmp_path / "a-file").write_text("x")
    with open_store(tmp_path / "s.sqlite") as store:
        cases = [
            (source, source, r"output folder .* is inside"),
            (source, source / "reports", r"output folder .* is inside"),
            (tmp_path / "empty", tmp_path / "out", r"no response files \(\*.yaml, \*.yml\) in this folder"),
            (source, tmp_path / "a-file", r"is a file; give a folder"),
            (tmp_path / "a-file", tmp_path / "out", r"is not a folder"),
        ]
        for given, out, message in cases:
            with pytest.raises(BatchError, match=message):
                run_batch(given, out, store=store, options=BatchOptions(lang="en"))
        assert store.count() == 0


def test_a_second_batch_into_the_same_output_is_refused(tmp_path: Path) -> None:
    source = _folder(tmp_path, "centre-2026.yaml")
    out = tmp_path / "out"
    out.mkdir()
    busy = pytest.raises(BatchError, match=r"another dhti batch is writing into")
    with output_lock(out), open_store(tmp_path / "s.sqlite") as store, busy:
        run_batch(source, out, store=store, options=BatchOptions(lang="en"))


def test_a_damaged_state_file_is_reported(tmp_path: Path) -> None:
    source = _folder(tmp_path, "centre-2026.yaml")
    out = tmp_path / "out"
    out.mkdir()
    (out / STATE_FILE).write_text('{"reports": [1, 2]}')
    with open_store(tmp_path / "s.sqlite") as store, pytest.raises(BatchError, match=r"is damaged .*delete it"):
        run_batch(source, out, store=store, options=BatchOptions(lang="en"))


def _responses(folder: Path, count: int) -> None:
    template = (STORE_DATA / "hospital-2026.yaml").read_text(encoding="utf-8")
    folder.mkdir()
    for number in range(count):
        text = template.replace('"01-BV-0001"', f'"01-BV-{number:04d}"')
        (folder / f"r{number:03d}.yaml").write_text(text.replace("staff: 6", f"staff: {number % 11}"), encoding="utf-8")


def _batch(source: Path, out: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "dhti", "batch", str(source), "-o", str(out), "--db", url, "--jobs", "2"]


def test_a_batch_killed_midway_finishes_on_the_next_run_with_every_file_done_once(
    tmp_path: Path, store_url: str
) -> None:
    source, out = tmp_path / "responses", tmp_path / "out"
    _responses(source, 40)
    env = {**os.environ, "DHTI_LANG": "en"}
    running = subprocess.Popen(
        _batch(source, out, store_url),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.html"))) < 3:
        time.sleep(0.02)
    os.killpg(running.pid, signal.SIGKILL)  # the parent and its workers, wherever they are
    running.wait(timeout=30)
    reported_before = len(list(out.glob("*.html")))
    assert 3 <= reported_before < 40, "the batch should have been killed midway"
    again = subprocess.run(
        [*_batch(source, out, store_url), "--format", "json"], env=env, capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    results = json.loads(again.stdout)
    assert len(results) == 40
    assert sum(len(r["written"]) for r in results) == 40 - reported_before
    with open_store(store_url) as store:
        stored = store.assessments()
    assert sorted(a.record.entity_id for a in stored) == [f"01-BV-{n:04d}" for n in range(40)]
    names = sorted(p.name for p in out.iterdir())
    expected = sorted(f"01-bv-{n:04d}-2026-10-15.html" for n in range(40))
    assert names == sorted([*expected, STATE_FILE, ".dhti-batch.lock"])  # no partial files, no -2 copies


def test_a_report_that_fails_is_reported_against_its_file(registry, monkeypatch: pytest.MonkeyPatch) -> None:
    centre = str(STORE_DATA / "centre-2026.yaml")
    job = batch.ReportJob(centre, centre, "0" * 64, (), "en", lenient=False)
    monkeypatch.setattr(batch, "_worker_registry", registry)
    changed = batch._write_reports(job)
    assert isinstance(changed, batch.Problem)
    assert changed.message == "the file changed while the batch ran; run the batch again"
    for error, message in [
        (RuntimeError("boom"), "report not written: RuntimeError: boom"),
        (OutputError("disk full"), "report not written: disk full"),
    ]:
        future: cf.Future[tuple[str, ...] | batch.Problem] = cf.Future()
        future.set_exception(error)
        problem = batch._report_outcome(future, job)
        assert isinstance(problem, batch.Problem)
        assert (problem.file, problem.message) == (job.file, message)


def _digest(path: Path) -> str:
    return batch.content_hash(path.read_bytes())


def test_manifest_names_that_are_not_dhti_names_are_ignored_and_named_afresh(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = _folder(tmp_path, "centre-2026.yaml", "hospital-2025.yaml", "hospital-2026.yaml")
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    tampered = {
        _digest(source / "centre-2026.yaml"): str(outside / "abs-target"),
        _digest(source / "hospital-2025.yaml"): "../outside/up",
        _digest(source / "hospital-2026.yaml"): "kept-name-2026",  # a name dhti could have made: honoured
    }
    (out / STATE_FILE).write_text(json.dumps({"format": 1, "reports": tampered}))
    with open_store(tmp_path / "s.sqlite") as store:
        results = run_batch(source, out, store=store, options=BatchOptions(jobs=1))
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "up.html").exists()
    assert sorted(r.reports[0] for r in results) == [
        "01-bv-0001-2025-10-15.html",
        "kept-name-2026.html",
        "ttyt-bat-xat-02-2026-09-01.html",
    ]
    assert all((out / r.reports[0]).is_file() for r in results)
    ignored = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(ignored) == 2
    assert all("is not a report name dhti makes; naming that report afresh" in m for m in ignored)


def test_a_symlinked_lock_file_is_refused(tmp_path: Path) -> None:
    source = _folder(tmp_path, "centre-2026.yaml")
    out, aim = tmp_path / "out", tmp_path / "elsewhere" / "made-by-the-lock"
    out.mkdir()
    aim.parent.mkdir()
    (out / batch.LOCK_FILE).symlink_to(aim)
    refused = pytest.raises(BatchError, match=r"\.dhti-batch\.lock is a symbolic link")
    with open_store(tmp_path / "s.sqlite") as store, refused:
        run_batch(source, out, store=store, options=BatchOptions(lang="en"))
    assert not aim.exists()


def test_jobs_are_capped_at_twice_the_cpus_and_at_most_32() -> None:
    cpus = batch.default_jobs()
    assert batch.max_jobs() == min(32, 2 * cpus)
    assert batch.capped_jobs(1000) == batch.max_jobs()
    assert batch.capped_jobs(1) == 1


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the workers")
def test_workers_exit_when_the_batch_is_killed(tmp_path: Path) -> None:
    source, out = tmp_path / "responses", tmp_path / "out"
    _responses(source, 40)
    running = subprocess.Popen(
        [*_batch(source, out, str(tmp_path / "s.sqlite")), "--pdf"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(live_processes(parent=running.pid)) < 3:  # two workers, the tracker
            time.sleep(0.05)
        children = live_processes(parent=running.pid)
        assert len(children) >= 3, "the batch should have started its workers"
        os.kill(running.pid, signal.SIGKILL)  # the parent only
        running.wait(timeout=30)
        deadline = time.monotonic() + 30  # a guard, not a timing: they exit within a second or two
        while time.monotonic() < deadline and set(children) & set(live_processes(group=running.pid)):
            time.sleep(0.1)
        assert set(children) & set(live_processes(group=running.pid)) == set()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(running.pid, signal.SIGKILL)
