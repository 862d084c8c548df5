"""The assessment store: open it (migrating on the way), ingest outcomes, read assessments back.

Everything that leaves this module is a frozen value; no SQLAlchemy object escapes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy import event, exc

from dhti.assess import Outcome
from dhti.store import models as m
from dhti.store.location import Backend, Location, resolve
from dhti.store.record import (
    AssessmentRecord,
    DomainEntry,
    IndicatorEntry,
    StoreError,
    content_hash,
    fold,
    record_from_outcome,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 60  # how long an SQLite writer waits for another one
_WRITE = "dhti_write"  # execution option: take SQLite's write lock at BEGIN
_MIGRATION_LOCK = 0x64687469  # "dhti": the PostgreSQL advisory lock held while migrating
_CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class IngestResult:
    """What :meth:`Store.ingest` did: stored a new assessment, or found the same bytes stored already."""

    stored: bool
    assessment_id: int
    duplicate_of: int | None = None


@dataclass(frozen=True)
class StoredAssessment:
    """One stored assessment. Scores are 0..100 at full precision, as scored.

    ``index`` and ``stage`` are ``None`` only for a response with no scorable answer at all.
    """

    id: int
    entity_id: str
    entity_name: str | None
    entity_type: str
    province: str | None
    questionnaire_id: str
    questionnaire_version: str
    assessment_date: dt.date
    index: float | None
    stage: int | None
    completeness: float
    domains: tuple[DomainEntry, ...]
    indicators: tuple[IndicatorEntry, ...]
    recommendations: tuple[str, ...]
    content_hash: str
    source_file: str
    ingested_at: dt.datetime
    gdhm: tuple[tuple[str, int], ...] = ()

    @property
    def questionnaire_ref(self) -> str:
        return f"{self.questionnaire_id}@{self.questionnaire_version}"

    def domain(self, domain_id: str) -> DomainEntry | None:
        return next((entry for entry in self.domains if entry.id == domain_id), None)

    def indicator_score(self, indicator_id: str) -> float | None:
        return next((entry.score for entry in self.indicators if entry.id == indicator_id), None)


@dataclass(frozen=True)
class AssessmentFilter:
    """Which assessments to read; every field left ``None`` matches everything.

    ``province`` matches without regard to accents, case or spacing ("ha noi" finds "Hà Nội");
    ``questionnaire`` is an id (any version) or ``id@version``; ``since`` and ``until`` are
    inclusive assessment dates.
    """

    province: str | None = None
    entity_type: str | None = None
    questionnaire: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    entity_id: str | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        table = m.assessments.c
        found: list[sa.ColumnElement[bool]] = []
        if self.province is not None:
            found.append(table.province_key == fold(self.province))
        if self.entity_type is not None:
            found.append(table.entity_type == self.entity_type)
        if self.questionnaire is not None:
            questionnaire_id, _, version = self.questionnaire.partition("@")
            found.append(table.questionnaire_id == questionnaire_id)
            if version:
                found.append(table.questionnaire_version == version)
        if self.since is not None:
            found.append(table.assessment_date >= self.since)
        if self.until is not None:
            found.append(table.assessment_date <= self.until)
        if self.entity_id is not None:
            found.append(table.entity_id == self.entity_id)
        return found


def open_store(url_or_path: str | Path | None = None, *, create: bool = True) -> Store:
    """Open the store, creating and migrating it as needed.

    ``None`` means ``DHTI_DB``, else ``dhti.sqlite`` in the user-data folder. A path means
    SQLite; a ``postgresql://`` or ``postgresql+psycopg://`` URL means PostgreSQL. Migrations
    run under a lock, so several processes may open a new store at once. With ``create=False``
    a missing SQLite file is an error rather than a new, empty store (for commands that only read).
    """
    location = resolve(url_or_path)
    if not create and location.path is not None and not location.path.exists():
        msg = f"the store {location.path} does not exist yet; add assessments with: dhti db ingest FILE|DIR"
        raise StoreError(msg)
    _check_folder(location)
    engine = _sqlite_engine(location) if location.backend is Backend.SQLITE else _postgres_engine(location)
    store = Store(engine, location)
    try:
        _migrate(engine, location.backend)
    except (exc.SQLAlchemyError, StoreError) as err:
        store.close()
        reason = _reason(err) if isinstance(err, exc.SQLAlchemyError) else str(err)
        raise StoreError(f"cannot open the store {store.display}: {reason}") from err
    except BaseException:
        store.close()
        raise
    return store


class Store:
    """An open store; use it as a context manager, or call :meth:`close`."""

    def __init__(self, engine: sa.Engine, location: Location) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{_WRITE: True})
        self.location = location

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._engine.dispose()

    @property
    def display(self) -> str:
        """Where the store is, for messages (a URL's password hidden)."""
        if self.location.path is not None:
            return str(self.location.path)
        return sa.make_url(self.location.url).render_as_string(hide_password=True)

    # Writing

    def ingest(self, outcome: Outcome, raw: bytes) -> IngestResult:
        """Store a valid outcome and the bytes it was read from; the same bytes are stored once."""
        return self.ingest_record(record_from_outcome(outcome), raw)

    def ingest_record(self, record: AssessmentRecord, raw: bytes) -> IngestResult:
        """Store one assessment in one transaction: all of it, or (on any error) nothing."""
        digest = content_hash(raw)
        try:
            with self._guard("store"), self._writer.begin() as conn:
                existing = _id_for_hash(conn, digest)
                if existing is not None:
                    return IngestResult(stored=False, assessment_id=existing, duplicate_of=existing)
                new_id = _insert(conn, record, raw, digest)
        except StoreError as err:
            if not isinstance(err.__cause__, exc.IntegrityError):
                raise
            # Another process stored the same bytes between our look-up and our insert.
            with self._guard("read"), self._engine.connect() as conn:
                existing = _id_for_hash(conn, digest)
            if existing is None:
                raise
            return IngestResult(stored=False, assessment_id=existing, duplicate_of=existing)
        log.info("stored %s as assessment %d", record.source_file, new_id)
        return IngestResult(stored=True, assessment_id=new_id)

    # Reading

    def assessments(  # noqa: PLR0913 - one keyword per filter, as the lead's API asks
        self,
        *,
        province: str | None = None,
        entity_type: str | None = None,
        questionnaire: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        entity_id: str | None = None,
    ) -> list[StoredAssessment]:
        """Matching assessments, ordered by assessment date, entity id and id."""
        where = AssessmentFilter(province, entity_type, questionnaire, since, until, entity_id)
        return self.select(where)

    def select(self, where: AssessmentFilter) -> list[StoredAssessment]:
        table = m.assessments.c
        query = sa.select(m.assessments).where(*where.conditions())
        return self._load(query.order_by(table.assessment_date, table.entity_id, table.id))

    def history(self, entity_id: str) -> list[StoredAssessment]:
        """Every assessment of one entity, oldest first."""
        return self.assessments(entity_id=entity_id)

    def latest_per_entity(
        self,
        *,
        entity_type: str | None = None,
        questionnaire: str | None = None,
        province: str | None = None,
        until: dt.date | None = None,
    ) -> list[StoredAssessment]:
        """For each matching entity its newest assessment (as of ``until``), ordered by entity id."""
        table = m.assessments.c
        where = AssessmentFilter(province, entity_type, questionnaire, None, until)
        newest_first = (table.assessment_date.desc(), table.id.desc())
        rank = sa.func.row_number().over(partition_by=table.entity_id, order_by=newest_first)
        ranked = sa.select(table.id, rank.label("rank")).where(*where.conditions()).subquery()
        latest = sa.select(ranked.c.id).where(ranked.c.rank == 1)
        query = sa.select(m.assessments).where(table.id.in_(latest))
        return self._load(query.order_by(table.entity_id))

    def get(self, assessment_id: int) -> StoredAssessment:
        """One assessment by its id; :class:`StoreError` when there is none."""
        found = self._load(sa.select(m.assessments).where(m.assessments.c.id == assessment_id))
        if not found:
            raise StoreError(f"the store {self.display} has no assessment #{assessment_id}")
        return found[0]

    def get_many(self, assessment_ids: Sequence[int]) -> list[StoredAssessment]:
        """The assessments with these ids (unknown ids are left out), ordered by id."""
        wanted = sorted(set(assessment_ids))
        found: list[StoredAssessment] = []
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            found.extend(self._load(sa.select(m.assessments).where(m.assessments.c.id.in_(chunk))))
        return sorted(found, key=lambda assessment: assessment.id)

    def response_bytes(self, assessment_id: int) -> bytes:
        """The response exactly as it was submitted."""
        query = sa.select(m.responses.c.raw).where(m.responses.c.assessment_id == assessment_id)
        with self._guard("read"), self._engine.connect() as conn:
            raw = conn.execute(query).scalar_one_or_none()
        if raw is None:
            raise StoreError(f"the store {self.display} has no assessment #{assessment_id}")
        return bytes(raw)

    def entity_ids(self) -> list[str]:
        """Every entity id in the store, sorted."""
        query = sa.select(m.assessments.c.entity_id).distinct().order_by(m.assessments.c.entity_id)
        with self._guard("read"), self._engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def stored_hashes(self, hashes: Iterable[str]) -> dict[str, int]:
        """Which of these content hashes are stored already, and as which assessment."""
        wanted = sorted(set(hashes))
        found: dict[str, int] = {}
        table = m.assessments.c
        with self._guard("read"), self._engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                query = sa.select(table.content_hash, table.id).where(
                    table.content_hash.in_(wanted[start : start + _CHUNK])
                )
                found.update((str(digest), int(ident)) for digest, ident in conn.execute(query))
        return found

    def count(self) -> int:
        with self._guard("read"), self._engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(m.assessments)).scalar_one())

    def _load(self, query: sa.Select[Any]) -> list[StoredAssessment]:
        ids = query.with_only_columns(m.assessments.c.id).order_by(None).scalar_subquery()
        with self._guard("read"), self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            if not rows:
                return []
            children = _Children.read(conn, ids)
        return [_stored(row, children) for row in rows]

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """Database errors as :class:`StoreError`, naming the store."""
        try:
            yield
        except exc.SQLAlchemyError as err:
            raise StoreError(f"cannot {doing} in {self.display}: {_reason(err)}") from err


@dataclass(frozen=True)
class _Children:
    """The rows that hang off assessments, grouped by assessment id."""

    domains: dict[int, list[DomainEntry]]
    indicators: dict[int, list[IndicatorEntry]]
    recommendations: dict[int, list[str]]
    gdhm: dict[int, list[tuple[str, int]]]

    @classmethod
    def read(cls, conn: sa.Connection, ids: sa.ScalarSelect[Any]) -> _Children:
        domains: dict[int, list[DomainEntry]] = defaultdict(list)
        for owner, *values in _rows(conn, m.domain_scores, ids, "domain_id", "score", "stage"):
            domains[owner].append(DomainEntry(*values))
        indicators: dict[int, list[IndicatorEntry]] = defaultdict(list)
        for owner, *values in _rows(conn, m.indicator_scores, ids, "indicator_id", "score"):
            indicators[owner].append(IndicatorEntry(*values))
        recommendations: dict[int, list[str]] = defaultdict(list)
        for owner, rule_id in _rows(conn, m.recommendations, ids, "rule_id"):
            recommendations[owner].append(rule_id)
        gdhm: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for owner, code, phase in _rows(conn, m.gdhm_readings, ids, "code", "phase"):
            gdhm[owner].append((code, phase))
        return cls(domains, indicators, recommendations, gdhm)


def _rows(conn: sa.Connection, table: sa.Table, ids: sa.ScalarSelect[Any], *columns: str) -> Iterator[Sequence[Any]]:
    query = sa.select(table.c.assessment_id, *(table.c[name] for name in columns))
    yield from conn.execute(
        query.where(table.c.assessment_id.in_(ids)).order_by(table.c.assessment_id, table.c.position)
    )


def _stored(row: sa.RowMapping, children: _Children) -> StoredAssessment:
    ident = row["id"]
    return StoredAssessment(
        id=ident,
        entity_id=row["entity_id"],
        entity_name=row["entity_name"],
        entity_type=row["entity_type"],
        province=row["province"],
        questionnaire_id=row["questionnaire_id"],
        questionnaire_version=row["questionnaire_version"],
        assessment_date=row["assessment_date"],
        index=row["index_score"],
        stage=row["stage"],
        completeness=row["completeness"],
        domains=tuple(children.domains.get(ident, ())),
        indicators=tuple(children.indicators.get(ident, ())),
        recommendations=tuple(children.recommendations.get(ident, ())),
        content_hash=row["content_hash"],
        source_file=row["source_file"],
        ingested_at=_utc(row["ingested_at"]),
        gdhm=tuple(children.gdhm.get(ident, ())),
    )


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite keeps no time zone; everything is written in UTC.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _id_for_hash(conn: sa.Connection, digest: str) -> int | None:
    query = sa.select(m.assessments.c.id).where(m.assessments.c.content_hash == digest)
    found = conn.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def _insert(conn: sa.Connection, record: AssessmentRecord, raw: bytes, digest: str) -> int:
    values = {
        "content_hash": digest,
        "entity_id": record.entity_id,
        "entity_name": record.entity_name,
        "entity_type": record.entity_type,
        "province": record.province,
        "province_key": fold(record.province) if record.province is not None else None,
        "questionnaire_id": record.questionnaire_id,
        "questionnaire_version": record.questionnaire_version,
        "assessment_date": record.assessment_date,
        "index_score": record.index,
        "stage": record.stage,
        "completeness": record.completeness,
        "source_file": record.source_file,
        "ingested_at": dt.datetime.now(dt.UTC),
    }
    key = conn.execute(m.assessments.insert(), values).inserted_primary_key
    if key is None:  # pragma: no cover - both back ends report the new key
        raise StoreError("the database did not report the new assessment's id")
    ident = int(key[0])
    conn.execute(m.responses.insert(), {"assessment_id": ident, "raw": raw})
    for table, rows in _child_rows(ident, record):
        if rows:
            conn.execute(table.insert(), rows)
    return ident


def _child_rows(ident: int, record: AssessmentRecord) -> Iterator[tuple[sa.Table, list[dict[str, object]]]]:
    yield (
        m.domain_scores,
        [
            {"assessment_id": ident, "position": n, "domain_id": d.id, "score": d.score, "stage": d.stage}
            for n, d in enumerate(record.domains)
        ],
    )
    yield (
        m.indicator_scores,
        [
            {"assessment_id": ident, "position": n, "domain_id": i.domain_id, "indicator_id": i.id}
            | {"score": i.score, "stage": i.stage}
            for n, i in enumerate(record.indicators)
        ],
    )
    yield (
        m.recommendations,
        [
            {"assessment_id": ident, "position": n, "rule_id": r.id, "priority": r.priority, "horizon": r.horizon}
            | {"gap": r.gap, "due": r.due}
            for n, r in enumerate(record.recommendations)
        ],
    )
    yield (
        m.gdhm_readings,
        [
            {"assessment_id": ident, "position": n, "code": code, "phase": phase}
            for n, (code, phase) in enumerate(record.gdhm)
        ],
    )


# Opening and migrating


def _check_folder(location: Location) -> None:
    path = location.path
    if path is None or path.parent.is_dir():
        return
    if location.default:
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    raise StoreError(f"cannot create the store {path}: folder {path.parent} does not exist")


def _sqlite_engine(location: Location) -> sa.Engine:
    engine = sa.create_engine(location.url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:  # noqa: ANN401 - a DB-API connection
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")  # readers do not block the writer, nor it them
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A writer takes the write lock at once, so two writers queue instead of deadlocking.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    return engine


def _postgres_engine(location: Location) -> sa.Engine:
    try:
        return sa.create_engine(location.url, connect_args={"connect_timeout": 10})
    except (exc.ArgumentError, ValueError) as err:
        raise StoreError(f"not a usable PostgreSQL URL: {err}") from err
    except ImportError as err:
        raise StoreError(f"PostgreSQL needs the psycopg package (pip install 'psycopg[binary]'): {err}") from err


def _migrate(engine: sa.Engine, backend: Backend) -> None:
    """Bring the schema to :data:`models.SCHEMA_REVISION`; a no-op (without Alembic) when it is there."""
    with engine.connect() as conn:
        if _revision(conn) == m.SCHEMA_REVISION:
            return
    with engine.execution_options(**{_WRITE: True}).begin() as conn:
        if backend is Backend.POSTGRESQL:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        current = _revision(conn)  # again, under the lock: another process may have migrated meanwhile
        if current != m.SCHEMA_REVISION:
            _upgrade(conn, current)


def _revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    found = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    return None if found is None else str(found)


def migrations_config() -> Any:  # noqa: ANN401 - alembic.config.Config, imported lazily
    from alembic.config import Config  # noqa: PLC0415 - Alembic is needed only to create or upgrade

    config = Config()
    config.set_main_option("script_location", "dhti.store:migrations")
    return config


def _upgrade(conn: sa.Connection, current: str | None) -> None:
    from alembic import command  # noqa: PLC0415
    from alembic.util.exc import CommandError  # noqa: PLC0415

    config = migrations_config()
    config.attributes["connection"] = conn
    try:
        command.upgrade(config, "head")
    except CommandError as err:
        msg = f"its schema revision {current!r} is unknown to this dhti (a newer dhti wrote it?): {err}"
        raise StoreError(msg) from err
    log.info("store schema migrated from %s to %s", current, m.SCHEMA_REVISION)


def _reason(err: exc.SQLAlchemyError) -> str:
    """The first line of the driver's message, without SQLAlchemy's boilerplate."""
    original = getattr(err, "orig", None)
    text = str(original if original is not None else err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def find_assessment(store: Store, token: str) -> StoredAssessment:
    """What a user means by ``token``: an entity id (its newest assessment), or ``#N`` / ``N`` (assessment N).

    An entity id wins over a bare number; ``#N`` always means the assessment.
    """
    if token.startswith("#"):
        number = token[1:]
        if not number.isdigit():
            raise StoreError(f"{token!r} is not an assessment id; write #12 for assessment 12")
        return store.get(int(number))
    history = store.history(token)
    if history:
        return history[-1]
    if token.isdigit():
        return store.get(int(token))
    raise StoreError(unknown_entity(store, token))


def unknown_entity(store: Store, entity_id: str) -> str:
    """The message for an entity id the store has never seen, with the closest ids it has."""
    import difflib  # noqa: PLC0415

    known = store.entity_ids()
    if not known:
        return f"the store {store.display} is empty; add assessments with: dhti db ingest FILE|DIR"
    close = difflib.get_close_matches(entity_id, known, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"no assessment of entity {entity_id!r} in {store.display}{hint}"
