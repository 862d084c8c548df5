"""The store's API on SQLite and on a real PostgreSQL server: ingest, read back, filters, errors."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from dhti.assess import assess
from dhti.registry import Registry
from dhti.resources import examples_dir
from dhti.store import (
    Backend,
    DomainEntry,
    StoreError,
    content_hash,
    find_assessment,
    open_store,
    record_from_outcome,
    resolve,
)
from dhti.store import models as m
from dhti.store.connect import migrations_config, sqlite_uri

pytest_plugins = ("conftest_store",)

DATA = Path(__file__).parent / "data"
STORE_DATA = DATA / "store"
ROOT = Path(__file__).resolve().parent.parent


def ingest(store, registry: Registry, name: str, *, folder: Path = STORE_DATA):
    path = folder / name
    return store.ingest(assess(path, registry=registry, display=name), path.read_bytes())


def test_ingest_keeps_scores_bytes_and_hash_exactly(store_url: str, registry: Registry) -> None:
    with open_store(store_url) as store:
        result = ingest(store, registry, "hospital-2026.yaml")
        assert result.stored
        assert result.duplicate_of is None
        [stored] = store.assessments()
    outcome = assess(STORE_DATA / "hospital-2026.yaml", registry=registry, display="hospital-2026.yaml")
    scores = outcome.scores
    assert scores is not None
    assert stored.id == result.assessment_id
    assert stored.record == record_from_outcome(outcome)  # read back exactly as it was stored
    assert (stored.record.entity_id, stored.record.entity_name, stored.record.entity_type, stored.record.province) == (
        "01-BV-0001",
        "Bệnh viện Đa khoa Mẫu",
        "hospital",
        "Hà Nội",
    )
    assert (stored.record.questionnaire_id, stored.record.questionnaire_version, stored.record.questionnaire_ref) == (
        "mini",
        "1.0",
        "mini@1.0",
    )
    assert stored.record.assessment_date == dt.date(2026, 10, 15)
    assert stored.record.index == scores.index  # bit for bit: doubles on both back ends
    assert stored.record.stage == 5
    assert stored.record.completeness == scores.completeness
    assert stored.record.domains == tuple(
        DomainEntry(d.id, d.score, d.stage.level if d.stage else None) for d in scores.domains
    )
    assert [(i.id, i.domain_id, i.score) for i in stored.record.indicators] == [
        ("policy.strategy", "policy", 100.0),
        ("capacity.systems", "capacity", 80.0),
    ]
    assert (
        stored.record.recommendation_ids
        == tuple(fired.id for fired in outcome.recommendations)
        == ("rec.capacity.pacs",)
    )
    assert stored.record.gdhm == tuple(scores.gdhm.items())
    assert stored.content_hash == content_hash((STORE_DATA / "hospital-2026.yaml").read_bytes())
    assert stored.record.source_file == "hospital-2026.yaml"
    assert stored.ingested_at.tzinfo is dt.UTC
    assert abs(dt.datetime.now(dt.UTC) - stored.ingested_at) < dt.timedelta(minutes=5)


def test_the_same_bytes_are_stored_once_and_come_back_as_submitted(store_url: str, registry: Registry) -> None:
    raw = (STORE_DATA / "hospital-2025.yaml").read_bytes()
    with open_store(store_url) as store:
        first = ingest(store, registry, "hospital-2025.yaml")
        again = ingest(store, registry, "hospital-2025.yaml")
        assert (again.stored, again.assessment_id, again.duplicate_of) == (
            False,
            first.assessment_id,
            first.assessment_id,
        )
        assert store.count() == 1
        assert store.response_bytes(first.assessment_id) == raw
        assert store.stored_hashes([content_hash(raw), "0" * 64]) == {content_hash(raw): first.assessment_id}


def test_reading_back_filters_orders_and_picks_the_latest(store_url: str, registry: Registry) -> None:
    with open_store(store_url) as store:
        for name in ("hospital-2026.yaml", "centre-2026.yaml", "hospital-2025.yaml"):
            ingest(store, registry, name)
        dates = [a.record.assessment_date.isoformat() for a in store.assessments()]
        assert dates == ["2025-10-15", "2026-09-01", "2026-10-15"]
        assert [a.record.entity_id for a in store.assessments(province="HA  NOI")] == ["01-BV-0001", "01-BV-0001"]
        assert [a.record.entity_id for a in store.assessments(province="lào cai")] == ["../TTYT Bát Xát/02"]
        assert [a.record.entity_type for a in store.assessments(entity_type="health_centre")] == ["health_centre"]
        assert len(store.assessments(questionnaire="mini")) == 3
        assert len(store.assessments(questionnaire="mini@1.0")) == 3
        assert store.assessments(questionnaire="mini@2.0") == []
        since = store.assessments(since=dt.date(2026, 9, 1), until=dt.date(2026, 9, 30))
        assert [a.record.entity_id for a in since] == ["../TTYT Bát Xát/02"]
        history = store.history("01-BV-0001")
        assert [a.record.assessment_date.year for a in history] == [2025, 2026]
        assert store.history("nobody") == []
        latest = store.latest_per_entity()
        assert [(a.record.entity_id, a.record.assessment_date.year) for a in latest] == [
            ("../TTYT Bát Xát/02", 2026),
            ("01-BV-0001", 2026),
        ]
        assert [a.record.assessment_date.year for a in store.latest_per_entity(until=dt.date(2025, 12, 31))] == [2025]
        assert [a.record.entity_id for a in store.latest_per_entity(entity_type="hospital", province="Hà Nội")] == [
            "01-BV-0001"
        ]
        assert store.entity_ids() == ["../TTYT Bát Xát/02", "01-BV-0001"]
        assert [a.id for a in store.get_many([history[1].id, history[0].id, 999])] == sorted(a.id for a in history)


def test_finding_an_assessment_by_entity_or_number(store_url: str, registry: Registry) -> None:
    with open_store(store_url) as store:
        old = ingest(store, registry, "hospital-2025.yaml").assessment_id
        new = ingest(store, registry, "hospital-2026.yaml").assessment_id
        assert find_assessment(store, "01-BV-0001").id == new
        assert find_assessment(store, f"#{old}").id == old
        assert find_assessment(store, str(old)).id == old
        with pytest.raises(StoreError, match=r"has no assessment #99"):
            find_assessment(store, "#99")
        with pytest.raises(StoreError, match=r"not an assessment id; write #12"):
            find_assessment(store, "#x")
        with pytest.raises(StoreError, match=r"no assessment of entity '01-BV-001'.*did you mean '01-BV-0001'"):
            find_assessment(store, "01-BV-001")


def test_unknown_ids_and_invalid_outcomes_are_errors(store_url: str, registry: Registry) -> None:
    with open_store(store_url) as store:
        with pytest.raises(StoreError, match=r"no assessment #7"):
            store.get(7)
        with pytest.raises(StoreError, match=r"no assessment #7"):
            store.response_bytes(7)
        with pytest.raises(StoreError, match=r"is empty; add assessments with: dhti db ingest"):
            find_assessment(store, "01-BV-0001")
        invalid = assess(STORE_DATA / "invalid.yaml", registry=registry)
        with pytest.raises(StoreError, match=r"invalid.yaml: an invalid response cannot be stored"):
            store.ingest(invalid, b"")
        assert store.count() == 0


def test_migrations_build_exactly_the_models_and_run_once(store_url: str) -> None:
    scripts = ScriptDirectory.from_config(migrations_config())
    assert scripts.get_current_head() == m.SCHEMA_REVISION
    # Every earlier revision is named, so that a reading command tells how to upgrade a store at it.
    assert sorted(r.revision for r in scripts.walk_revisions()) == sorted((*m.EARLIER_REVISIONS, m.SCHEMA_REVISION))
    open_store(store_url).close()
    with open_store(store_url) as store:  # the second open finds the schema in place
        engine = store._engine
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), m.metadata) == []
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    assert versions == [m.SCHEMA_REVISION]


def _engine_for_test(store_url: str) -> sa.Engine:
    return sa.create_engine(store_url if "://" in store_url else f"sqlite:///{store_url}")


def _store_at_0001(store_url: str, digest: str = "0" * 64) -> None:
    """A store as dhti wrote it before schema 0002: one assessment (of bytes ``digest``), with a recommendation."""
    from alembic import command  # noqa: PLC0415

    engine = _engine_for_test(store_url)
    with engine.begin() as conn:
        config = migrations_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            sa.text(
                "INSERT INTO assessments (content_hash, entity_id, entity_type, questionnaire_id,"
                " questionnaire_version, assessment_date, index_score, stage, completeness, source_file, ingested_at)"
                " VALUES (:digest, 'OLD-1', 'commune_health_station', 'dhti-station', '2.0', :day, 41.5, 3, 1.0,"
                " 'old.yaml', :now)"
            ),
            {"digest": digest, "day": dt.date(2025, 5, 1), "now": dt.datetime(2025, 5, 2, tzinfo=dt.UTC)},
        )
        conn.execute(
            sa.text(
                "INSERT INTO recommendations (assessment_id, position, rule_id, priority, horizon, gap, due)"
                " SELECT id, 0, 'rec.x', 'high', 'short', 10.0, :due FROM assessments WHERE entity_id = 'OLD-1'"
            ),
            {"due": dt.date(2025, 11, 1)},
        )
    engine.dispose()


def test_a_store_at_0001_upgrades_in_place_and_says_compliance_was_not_recorded(
    store_url: str, registry: Registry
) -> None:
    _store_at_0001(store_url)
    earlier = rf"an earlier dhti wrote it \(schema revision '0001', this dhti reads '{m.SCHEMA_REVISION}'\)"
    with pytest.raises(StoreError, match=earlier):
        open_store(store_url, create=False)  # a command that only reads never migrates, and says how to
    sample = examples_dir() / "commune-station-urban-can-tho.yaml"
    with open_store(store_url) as store:
        old = store.get(1)
        assert (old.record.entity_id, old.record.index, old.record.recommendation_ids) == ("OLD-1", 41.5, ("rec.x",))
        assert old.record.compliance is None  # not recorded, which is not "none in breach"
        assert old.record.score_stage is None
        store.ingest(assess(sample, registry=registry), sample.read_bytes())
        with store._engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), m.metadata) == []
    with open_store(store_url, create=False) as store:
        new, _old = store.latest_per_entity(entity_type="commune_health_station")  # 92-TYT-0001, OLD-1
        assert new.record.compliance is not None
        assert [(c.id, c.status) for c in new.record.compliance] == [
            ("comp.eprescribing", "met"),
            ("comp.emr", "pending"),
            ("comp.personal_data", "met"),
        ]
        assert new.record.compliance[1].due == dt.date(2026, 12, 31)
        assert new.record.score_stage == 4
        assert [latest.id for latest, _before in store.latest_and_previous()] == [new.id, 1]


def test_ingesting_the_same_bytes_again_records_what_0001_did_not_keep(store_url: str, registry: Registry) -> None:
    sample = examples_dir() / "commune-station-urban-can-tho.yaml"
    raw = sample.read_bytes()
    _store_at_0001(store_url, digest=content_hash(raw))
    with open_store(store_url) as store:
        result = store.ingest(assess(sample, registry=registry), raw)
        assert (result.stored, result.duplicate_of) == (False, 1)
        again = store.ingest(assess(sample, registry=registry), raw)  # a third time changes nothing
        assert again.duplicate_of == 1
        old = store.get(1)
    assert old.record.compliance is not None
    assert [c.status for c in old.record.compliance] == ["met", "pending", "met"]
    assert old.record.score_stage == 4
    assert old.record.index == 41.5  # what was stored stays as it was


def test_the_two_newest_assessments_of_each_entity_in_one_read(store_url: str, registry: Registry) -> None:
    with open_store(store_url) as store:
        for name in ("hospital-2025.yaml", "hospital-2026.yaml", "centre-2026.yaml"):
            ingest(store, registry, name)
        pairs = store.latest_and_previous()
        until = store.latest_and_previous(until=dt.date(2025, 12, 31))
        hospitals = store.peers(entity_type="hospital", questionnaire="mini")
        centres = store.peers(entity_type="health_centre", questionnaire="mini")
    by_entity = {latest.record.entity_id: (latest, before) for latest, before in pairs}
    hospital, earlier = by_entity["01-BV-0001"]
    assert (hospital.record.assessment_date.year, earlier and earlier.assessment_date.year) == (2026, 2025)
    assert all(before is None for entity, (_l, before) in by_entity.items() if entity != "01-BV-0001")
    assert [(latest.record.assessment_date.year, before) for latest, before in until] == [(2025, None)]
    # Peers to rank among: the newest of each entity of the type, read light.
    assert [(a.record.entity_id, a.record.assessment_date.year) for a in hospitals] == [("01-BV-0001", 2026)]
    assert hospitals[0].record.indicators == ()
    assert [a.record.entity_type for a in centres] == ["health_centre"]


def test_a_compliance_status_edited_by_hand_is_named(store_url: str) -> None:
    sample = examples_dir() / "commune-station-urban-can-tho.yaml"
    registry = Registry.discover()
    with open_store(store_url) as store:
        store.ingest(assess(sample, registry=registry), sample.read_bytes())
        with store._engine.begin() as conn:
            conn.execute(sa.text("UPDATE compliance_items SET status = 'maybe' WHERE position = 0"))
        with pytest.raises(StoreError, match=r"invalid compliance_items.status \('maybe'\)"):
            store.assessments()


def test_a_database_from_a_newer_dhti_is_refused(store_url: str) -> None:
    open_store(store_url).close()
    with open_store(store_url) as store, store._engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'f00d'"))
    with pytest.raises(StoreError, match=r"cannot open the store .*schema revision 'f00d' is unknown to this dhti"):
        open_store(store_url)


def _many_responses(folder: Path, count: int) -> list[Path]:
    template = (STORE_DATA / "hospital-2026.yaml").read_text(encoding="utf-8")
    folder.mkdir()
    paths = []
    for number in range(count):
        text = template.replace('"01-BV-0001"', f'"01-BV-{number:04d}"').replace("staff: 6", f"staff: {number % 11}")
        path = folder / f"r{number:03d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_four_processes_ingesting_at_once_lose_nothing(store_url: str, tmp_path: Path) -> None:
    """Four `dhti db ingest` runs race over the same 24 files into a new store: each stored once."""
    paths = _many_responses(tmp_path / "responses", 24)
    env = {**os.environ, "DHTI_DB": store_url}
    commands = [
        [sys.executable, "-m", "dhti", "db", "ingest", "--format", "csv", *(paths[start:] + paths[:start])]
        for start in (0, 6, 12, 18)
    ]
    racers = [subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0, 0, 0], [err for _out, err in outputs]
    statuses = [line.split(",")[1] for out, _err in outputs for line in out.splitlines()[1:]]
    assert statuses.count("stored") == 24
    assert statuses.count("duplicate") == 3 * 24
    with open_store(store_url) as store:
        stored = store.assessments()
        assert len(stored) == 24
        assert {a.record.entity_id for a in stored} == {f"01-BV-{n:04d}" for n in range(24)}
        assert all(
            store.response_bytes(a.id) == (tmp_path / "responses" / Path(a.record.source_file).name).read_bytes()
            for a in stored
        )


# Where the store is, and what goes wrong opening it


def test_locations_from_argument_environment_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = resolve(None, environ={})
    assert default.backend is Backend.SQLITE
    assert default.path == tmp_path / "data" / "dhti" / "dhti.sqlite"
    assert default.default
    assert resolve(None, environ={"DHTI_DB": "/x/y.sqlite"}).path == Path("/x/y.sqlite")
    assert resolve("", environ={"DHTI_DB": "/x/y.sqlite"}).path == Path("/x/y.sqlite")
    assert resolve("/a/b.db", environ={"DHTI_DB": "/x/y.sqlite"}).path == Path("/a/b.db")
    assert resolve(Path("rel.db")).url == f"sqlite+pysqlite:///{Path('rel.db').absolute()}"
    assert resolve("sqlite:////abs/s.db").path == Path("/abs/s.db")
    for url in ("postgresql://u:p@h:5432/d", "postgres://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"):
        location = resolve(url)
        assert (location.backend, location.url, location.path) == (
            Backend.POSTGRESQL,
            "postgresql+psycopg://u:p@h:5432/d",
            None,
        )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("mysql://u@h/d", r"unsupported database URL scheme 'mysql'.*postgresql://USER:PASSWORD@HOST:PORT/DATABASE"),
        ("sqlite://", r"use a file for an SQLite store"),
        ("sqlite:///:memory:", r"use a file for an SQLite store"),
    ],
)
def test_unusable_urls_are_refused(given: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(given)


def test_a_folder_a_missing_folder_and_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"is a folder; give the database file"):
        open_store(tmp_path)
    with pytest.raises(StoreError, match=r"cannot create the store .*folder .*nowhere does not exist"):
        open_store(tmp_path / "nowhere" / "s.db")
    not_db = tmp_path / "notes.txt"
    not_db.write_text("this is not a database, just a long enough line of text to look like a file\n" * 50)
    with pytest.raises(StoreError, match=r"cannot open the store .*notes.txt: file is not a database"):
        open_store(not_db)


def test_the_default_store_is_made_in_the_user_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DHTI_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with open_store() as store:
        assert store.display == str(tmp_path / "data" / "dhti" / "dhti.sqlite")
    assert (tmp_path / "data" / "dhti" / "dhti.sqlite").is_file()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_server_is_a_clear_error_with_the_password_hidden() -> None:
    url = f"postgresql://dhti:secret@127.0.0.1:{_closed_port()}/dhti"
    with pytest.raises(
        StoreError, match=r"cannot open the store postgresql\+psycopg://dhti:\*\*\*@127.0.0.1"
    ) as caught:
        open_store(url)
    assert "secret" not in str(caught.value)
    assert "refused" in str(caught.value).lower()


def test_a_missing_database_on_a_running_server(postgres_server: str) -> None:
    url = postgres_server.rpartition("/")[0] + "/no_such_database"
    with pytest.raises(StoreError, match=r'cannot open the store .*database "no_such_database" does not exist'):
        open_store(url)


def test_the_server_script_refuses_a_folder_in_use(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "postgres-test-server.sh"
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("x")
    result = subprocess.run([str(script), "start", str(tmp_path / "busy")], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "is not empty" in result.stderr
    usage = subprocess.run([str(script)], capture_output=True, text=True, check=False)
    assert usage.returncode == 1
    assert "usage:" in usage.stderr
    assert shutil.which("bash")


# Databases that are not dhti stores, and stores opened only to read


def _execute(store_url: str, *statements: str) -> None:
    """Run SQL on a store's database directly, as another application (or a hand edit) would."""
    if store_url.startswith("postgresql"):
        import psycopg  # noqa: PLC0415 - only PostgreSQL needs it

        with psycopg.connect(store_url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    import sqlite3  # noqa: PLC0415

    conn = sqlite3.connect(store_url)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _tables(store_url: str) -> set[str]:
    url = store_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url if "://" in url else sa.URL.create("sqlite", database=store_url))
    try:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("statements", "named"),
    [
        (["CREATE TABLE foo (x integer)", "INSERT INTO foo VALUES (1)"], "foo"),
        (
            [
                "CREATE TABLE alembic_version (version_num varchar(32))",
                "INSERT INTO alembic_version VALUES ('ab12')",
                "CREATE TABLE users (id integer)",
            ],
            "alembic_version, users",
        ),
    ],
)
def test_a_database_of_another_application_is_refused_and_left_alone(
    store_url: str, statements: list[str], named: str
) -> None:
    _execute(store_url, *statements)
    before = _tables(store_url)
    for create in (True, False):
        with pytest.raises(StoreError, match=rf"is not a dhti store \(it holds tables: {named}\)$"):
            open_store(store_url, create=create)
    assert _tables(store_url) == before


def test_an_empty_database_becomes_a_store_only_when_written(store_url: str, registry: Registry) -> None:
    if not store_url.startswith("postgresql"):
        Path(store_url).touch()  # what `touch` makes: a 0-byte file
    with pytest.raises(StoreError, match=r"the store .* is empty; add assessments with: dhti db ingest FILE\|DIR"):
        open_store(store_url, create=False)
    assert _tables(store_url) == set()
    if not store_url.startswith("postgresql"):
        assert Path(store_url).stat().st_size == 0
    with open_store(store_url) as store:
        ingest(store, registry, "hospital-2026.yaml")
    with open_store(store_url, create=False) as store:
        assert store.count() == 1


@pytest.mark.parametrize(
    "token", ["#99999999999999999999999", "#2147483648", "99999999999999999999999", "#" + "9" * 5000]
)
def test_assessment_numbers_beyond_any_id_are_not_found(store_url: str, registry: Registry, token: str) -> None:
    with open_store(store_url) as store:
        ingest(store, registry, "hospital-2026.yaml")
        with pytest.raises(StoreError, match=rf"has no assessment #{token.lstrip('#')}$"):
            find_assessment(store, token)
        with pytest.raises(StoreError, match=r"has no assessment #9223372036854775808"):
            store.get(2**63)
        with pytest.raises(StoreError, match=r"not an assessment id"):
            find_assessment(store, "#\N{SUPERSCRIPT TWO}")


@pytest.mark.parametrize(
    ("statement", "column", "shown"),
    [
        ("UPDATE assessments SET index_score = 'abc'", "index_score", "'abc'"),
        ("UPDATE assessments SET assessment_date = 'not-a-date'", "assessment_date", "'not-a-date'"),
        ("UPDATE assessments SET ingested_at = 'yesterday'", "ingested_at", "'yesterday'"),
        ("UPDATE assessments SET entity_name = x'41'", "entity_name", "b'A'"),
        ("UPDATE assessments SET stage = 'five'", "stage", "'five'"),
        ("UPDATE domain_scores SET score = x'00ff'", "domain_scores.score", "b'\\\\x00\\\\xff'"),
        ("UPDATE indicator_scores SET score = 'high'", "indicator_scores.score", "'high'"),
        ("UPDATE indicator_scores SET stage = 2.5", "indicator_scores.stage", "2.5"),
        ("UPDATE recommendations SET due = 'soon'", "recommendations.due", "'soon'"),
        ("UPDATE recommendations SET gap = 'wide'", "recommendations.gap", "'wide'"),
    ],
)
def test_a_row_edited_by_hand_is_named_not_a_crash(
    tmp_path: Path, registry: Registry, statement: str, column: str, shown: str
) -> None:
    path = str(tmp_path / "s.sqlite")
    with open_store(path) as store:
        ingest(store, registry, "hospital-2026.yaml")
    _execute(path, statement)
    message = (
        rf"store {path}: assessment #1 has an invalid {column} \({shown}\); the store may have been edited by hand"
    )
    with open_store(path, create=False) as store:
        for read in (store.assessments, store.latest_per_entity, lambda: store.history("01-BV-0001")):
            with pytest.raises(StoreError, match=message):
                read()


def test_a_score_that_is_not_a_finite_number_is_refused_on_both_back_ends(store_url: str, registry: Registry) -> None:
    with open_store(store_url) as store:
        ingest(store, registry, "hospital-2026.yaml")
        with store._engine.begin() as conn:
            conn.execute(sa.text("UPDATE assessments SET completeness = :bad").bindparams(bad=float("inf")))
    with (
        open_store(store_url, create=False) as store,
        pytest.raises(
            StoreError,
            match=r"assessment #1 has an invalid completeness \(inf\); the store may have been edited by hand",
        ),
    ):
        store.get(1)


@pytest.mark.parametrize("name", ["my?store.sqlite", "pct%41.sqlite", "file:uri.sqlite?mode=rwc", "a#b c.sqlite"])
def test_a_store_path_is_taken_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: Registry, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no SQLAlchemy warning about the name
        with open_store(name) as store:
            ingest(store, registry, "hospital-2026.yaml")
            assert store.display == name
        with open_store(name, create=False) as store:
            assert store.count() == 1
        with open_store(f"sqlite:///{tmp_path / name}", create=False) as store:
            assert store.count() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_read_commands_open_sqlite_read_only(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        ingest(store, registry, "hospital-2026.yaml")
    with open_store(path, create=False) as store:
        with store._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA query_only").scalar_one() == 1
        with pytest.raises(StoreError, match=r"readonly database"):
            ingest(store, registry, "hospital-2025.yaml")
        assert store.count() == 1


def test_a_reader_opens_the_file_read_only_when_it_may_not_write_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "my?store%41.sqlite"
    path.touch()
    assert sqlite_uri(path, writable=True) == f"file://{tmp_path}/my%3Fstore%2541.sqlite?mode=rwc"
    assert sqlite_uri(path, writable=False).endswith("?mode=rw")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == path else real_access(p, mode))
    assert sqlite_uri(path, writable=False).endswith("?mode=ro")
    monkeypatch.setattr(os, "access", lambda _p, _mode: False)
    assert sqlite_uri(path, writable=False).endswith("?mode=ro&immutable=1")
    Path(f"{path}-shm").touch()  # SQLite can use the WAL index that is there
    assert sqlite_uri(path, writable=False).endswith("?mode=ro")


def test_a_store_in_a_folder_that_cannot_be_written_is_read_without_wal_files(
    tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        ingest(store, registry, "hospital-2026.yaml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sqlite"]
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == tmp_path else real_access(p, mode))
    with open_store(path, create=False) as store:
        assert [a.record.entity_id for a in store.assessments()] == ["01-BV-0001"]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sqlite"]  # no -wal, no -shm


def _statements_to_read_pairs(store) -> int:
    count = 0

    def counted(*_args: object) -> None:
        nonlocal count
        count += 1

    sa.event.listen(store._engine, "before_cursor_execute", counted)
    try:
        store.latest_and_previous()
    finally:
        sa.event.remove(store._engine, "before_cursor_execute", counted)
    return count


def test_the_latest_and_previous_of_every_entity_take_the_same_few_reads_however_many(
    tmp_path: Path, registry: Registry
) -> None:
    paths = _many_responses(tmp_path / "responses", 12)
    with open_store(tmp_path / "store.sqlite") as store:
        for path in paths[:2]:
            store.ingest(assess(path, registry=registry), path.read_bytes())
        few = _statements_to_read_pairs(store)
        for path in paths[2:]:
            store.ingest(assess(path, registry=registry), path.read_bytes())
        many = _statements_to_read_pairs(store)
        assert len(store.latest_and_previous()) == 12
    # Two BEGINs, then the ranked pairs, the newest, and their domains, recommendations and compliance.
    assert few == many <= 7
