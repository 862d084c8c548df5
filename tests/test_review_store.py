"""The store's reviews on SQLite and PostgreSQL: schema 0003, recording a review, reading it back."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from dhti.assess import assess
from dhti.registry import Registry
from dhti.store import (
    AssessmentFilter,
    ReviewedAnswer,
    ReviewRecord,
    StoreError,
    api,
    content_hash,
    open_store,
    record_from_outcome,
)
from dhti.store import models as m
from dhti.store.connect import migrations_config

pytest_plugins = ("conftest_store",)

STORE_DATA = Path(__file__).parent / "data" / "store"
HOSPITAL = STORE_DATA / "hospital-2026.yaml"
TABLES_0002 = (
    "assessments",
    "responses",
    "domain_scores",
    "indicator_scores",
    "recommendations",
    "gdhm_readings",
    "compliance_items",
)


def _outcome(registry: Registry, path: Path, text: str | None = None):
    if text is not None:
        path.write_text(text, encoding="utf-8")
    return assess(path, registry=registry, display=path.name)


def _corrected(tmp_path: Path, registry: Registry, staff: str = "2"):
    """The hospital's response with one answer corrected (IT staff 6 -> ``staff``), its record and bytes."""
    text = HOSPITAL.read_text(encoding="utf-8").replace("staff: 6", f"staff: {staff}")
    text = f"# verified: IT staff {staff}\n{text}"
    path = tmp_path / f"verified-{staff}.yaml"
    outcome = _outcome(registry, path, text)
    return record_from_outcome(outcome), path.read_bytes()


def _review(self_id: int, staff: str = "2", *, reviewer: str = "Lê Văn Tâm") -> ReviewRecord:
    answers = (
        ReviewedAnswer("policy.strategy.plan", '"approved"', '"approved"', "yes", None, changed=False),
        ReviewedAnswer("capacity.systems.staff", "6", staff, "no", "Chỉ có hai cán bộ CNTT chuyên trách", changed=True),
    )
    return ReviewRecord(self_id, reviewer, dt.date(2026, 11, 20), "yaml", answers)


def _ingest(store: api.Store, registry: Registry, path: Path = HOSPITAL) -> int:
    return store.ingest(_outcome(registry, path), path.read_bytes()).assessment_id


def test_a_review_is_stored_beside_the_self_assessment_it_checks(
    store_url: str, registry: Registry, tmp_path: Path
) -> None:
    with open_store(store_url) as store:
        self_id = _ingest(store, registry)
        before = store.get(self_id)
        verified, raw = _corrected(tmp_path, registry)
        stored = store.record_review(_review(self_id), verified, raw, b"sheet: yaml bytes\n")
        assert (stored.self_id, stored.reviewer, stored.review_date) == (self_id, "Lê Văn Tâm", dt.date(2026, 11, 20))
        assert stored.answers == _review(self_id).answers  # every answer, the confirmed one too
        assert [a.question for a in stored.changed] == ["capacity.systems.staff"]
        assert (stored.sheet_format, stored.sheet_hash) == ("yaml", content_hash(b"sheet: yaml bytes\n"))
        assert store.review_sheet(stored.id) == b"sheet: yaml bytes\n"
        checked = store.get(stored.verified_id)
        assert (checked.status, checked.verifies) == ("verified", self_id)
        assert checked.record == verified
        assert store.response_bytes(stored.verified_id) == raw
        # The self-assessment and its bytes are untouched.
        assert store.get(self_id) == before
        assert (before.status, before.verifies) == ("self-assessed", None)
        assert store.response_bytes(self_id) == HOSPITAL.read_bytes()
        assert store.review_of(self_id) == stored
        assert store.review_of(stored.verified_id) == stored


def test_every_existing_read_gives_self_assessments_only_unless_asked(
    store_url: str, registry: Registry, tmp_path: Path
) -> None:
    with open_store(store_url) as store:
        self_id = _ingest(store, registry)
        other = _ingest(store, registry, STORE_DATA / "centre-2026.yaml")
        verified, raw = _corrected(tmp_path, registry)
        verified_id = store.record_review(_review(self_id), verified, raw, b"sheet").verified_id
        ids = [self_id, other]
        assert sorted(a.id for a in store.assessments()) == ids
        assert [a.id for a in store.history("01-BV-0001")] == [self_id]
        assert sorted(a.id for a in store.latest_per_entity()) == ids
        assert sorted(a.id for a, _before in store.latest_and_previous()) == ids
        assert [a.id for a in store.peers(entity_type="hospital", questionnaire="mini")] == [self_id]
        assert store.count() == 2
        assert sorted(a.id for a in store.select(AssessmentFilter())) == ids
        # Asked for, the verified one comes too.
        assert [a.id for a in store.assessments(status="verified")] == [verified_id]
        assert sorted(a.id for a in store.assessments(status=None)) == [*ids, verified_id]
        assert [a.id for a in store.latest_per_entity(status="verified")] == [verified_id]
        assert [a.id for a in store.history("01-BV-0001", status=None)] == [self_id, verified_id]
        assert store.count(status=None) == 3


def test_the_latest_review_of_each_self_assessment_in_the_filter(
    store_url: str, registry: Registry, tmp_path: Path
) -> None:
    with open_store(store_url) as store:
        self_id = _ingest(store, registry)
        centre = _ingest(store, registry, STORE_DATA / "centre-2026.yaml")
        _ingest(store, registry, STORE_DATA / "hospital-2025.yaml")  # never reviewed
        first = store.record_review(_review(self_id, "2"), *_corrected(tmp_path, registry, "2"), b"first")
        second = store.record_review(_review(self_id, "3"), *_corrected(tmp_path, registry, "3"), b"second")
        assert [r.id for r in store.reviews()] == [second.id]  # the later of the two
        assert store.review_of(self_id) == second
        assert store.review_of(first.verified_id) == first
        assert store.reviews(AssessmentFilter(entity_type="health_centre")) == []
        assert [r.id for r in store.reviews(AssessmentFilter(province="ha noi"))] == [second.id]
        assert store.reviews(AssessmentFilter(until=dt.date(2025, 12, 31))) == []
        assert store.review_of(centre) is None
        assert store.review_of(0) is None
        assert store.review_of(10**12) is None


def _totals(store_url: str) -> dict[str, int]:
    engine = sa.create_engine(store_url if "://" in store_url else f"sqlite:///{store_url}")
    with engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        found = {name: conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one() for name in names}  # noqa: S608
    engine.dispose()
    return found


def test_refused_reviews_store_nothing(store_url: str, registry: Registry, tmp_path: Path) -> None:
    with open_store(store_url) as store:
        self_id = _ingest(store, registry)
        verified, raw = _corrected(tmp_path, registry)
        stored = store.record_review(_review(self_id), verified, raw, b"sheet")
        centre = record_from_outcome(_outcome(registry, STORE_DATA / "centre-2026.yaml"))
        before = _totals(store_url)
        refusals = [
            (_review(99), verified, raw, r"has no assessment #99"),
            (_review(stored.verified_id), verified, b"other bytes", r"#2 is itself a verified assessment"),
            (_review(self_id), verified, raw, r"this review is stored already .*\(review #1, verified assessment #2\)"),
            (
                _review(self_id),
                centre,
                b"centre",
                r"verified assessment is of '../TTYT Bát Xát/02' on mini@1.0, not of",
            ),
        ]
        for review, record, verified_raw, message in refusals:
            with pytest.raises(StoreError, match=message):
                store.record_review(review, record, verified_raw, b"another sheet")
        bad = ReviewRecord(self_id, "X", dt.date(2026, 11, 20), "pdf", ())
        with pytest.raises(StoreError, match=r"a review sheet is yaml or xlsx, not 'pdf'"):
            store.record_review(bad, verified, b"pdf bytes", b"sheet")
        with pytest.raises(StoreError, match=r"has no review #7"):
            store.review_sheet(7)
    assert _totals(store_url) == before


def _store_at_0002(store_url: str, registry: Registry) -> None:
    """A store as dhti wrote it at schema 0002: three real assessments with all their rows."""
    engine = sa.create_engine(store_url if "://" in store_url else f"sqlite:///{store_url}")
    with engine.begin() as conn:
        config = migrations_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        for name in ("hospital-2025.yaml", "hospital-2026.yaml", "centre-2026.yaml"):
            raw = (STORE_DATA / name).read_bytes()
            record = record_from_outcome(_outcome(registry, STORE_DATA / name))
            values = {
                "content_hash": content_hash(raw),
                "entity_id": record.entity_id,
                "entity_name": record.entity_name,
                "entity_type": record.entity_type,
                "province": record.province,
                "questionnaire_id": record.questionnaire_id,
                "questionnaire_version": record.questionnaire_version,
                "assessment_date": record.assessment_date,
                "index_score": record.index,
                "stage": record.stage,
                "completeness": record.completeness,
                "source_file": record.source_file,
                "ingested_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
                "score_stage": record.score_stage,
                "compliance_recorded": True,
            }
            columns = ", ".join(values)
            marks = ", ".join(f":{name}" for name in values)
            ident = conn.execute(sa.text(f"INSERT INTO assessments ({columns}) VALUES ({marks}) RETURNING id"), values)  # noqa: S608
            number = ident.scalar_one()
            conn.execute(m.responses.insert(), {"assessment_id": number, "raw": raw})
            for table, rows in api._child_rows(number, record):
                if rows:
                    conn.execute(table.insert(), rows)
    engine.dispose()


def test_a_store_at_0002_upgrades_in_place_keeping_every_row(
    store_url: str, registry: Registry, tmp_path: Path
) -> None:
    _store_at_0002(store_url, registry)
    before = _totals(store_url)
    assert before["assessments"] == 3
    assert before["indicator_scores"] > 0
    earlier = r"an earlier dhti wrote it \(schema revision '0002', this dhti reads '0003'\).*dhti db ingest FILE --db"
    with pytest.raises(StoreError, match=earlier):
        open_store(store_url, create=False)  # a command that only reads says how to upgrade
    with open_store(store_url) as store:  # one that writes upgrades it
        stored = store.assessments()
        assert sorted((a.id, a.status, a.verifies) for a in stored) == [(n, "self-assessed", None) for n in (1, 2, 3)]
        for assessment in stored:
            path = STORE_DATA / assessment.record.source_file
            assert assessment.record == record_from_outcome(_outcome(registry, path))
            assert store.response_bytes(assessment.id) == path.read_bytes()
    after = _totals(store_url)
    assert after == before | {"reviews": 0, "review_answers": 0}  # every row kept, the new tables empty
    with open_store(store_url, create=False) as store:
        assert [a.id for a in store.latest_per_entity()] == [3, 2]
    with open_store(store_url) as store:  # and it takes reviews
        review = store.record_review(_review(2), *_corrected(tmp_path, registry), b"sheet")
        assert store.get(review.verified_id).verifies == 2
    assert _totals(store_url)["review_answers"] == 2


_RECORDER = """
import datetime as dt, sys
from pathlib import Path
from dhti.assess import assess
from dhti.registry import Registry
from dhti.store import ReviewRecord, ReviewedAnswer, open_store, record_from_outcome
path = Path(sys.argv[2])
record = record_from_outcome(assess(path, registry=Registry.discover(environ={"DHTI_QUESTIONNAIRES": sys.argv[4]})))
answers = tuple(ReviewedAnswer(f"q{n}", "1", "1", "yes", None, changed=False) for n in range(50))
with open_store(sys.argv[1]) as store:
    for number in range(5):
        review = ReviewRecord(int(sys.argv[3]), "R" + sys.argv[3], dt.date(2026, 11, 20), "yaml", answers)
        raw = path.read_bytes() + f"# review {number}\\n".encode()
        store.record_review(review, record, raw, raw)
"""


def test_two_processes_recording_reviews_at_once_keep_every_review(
    store_url: str, registry: Registry, tmp_path: Path
) -> None:
    with open_store(store_url) as store:
        first = _ingest(store, registry)
        second = _ingest(store, registry, STORE_DATA / "hospital-2025.yaml")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _RECORDER, store_url, str(path), str(ident), str(STORE_DATA.parent)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path, ident in ((HOSPITAL, first), (STORE_DATA / "hospital-2025.yaml", second))
    ]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], [err for _out, err in outputs]
    with open_store(store_url) as store:
        assert store.count(status="verified") == 10
        assert sorted(r.self_id for r in store.reviews()) == [first, second]
        assert all(len(r.answers) == 50 for r in store.reviews())
    assert _totals(store_url)["review_answers"] == 500
