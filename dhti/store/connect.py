"""Connecting to a store: the engines, read-only for commands that only read, and its schema checked or made.

A database that holds other tables and not dhti's is never touched: dhti refuses it before
writing anything (an SQLite file is first opened read-only, so not even its journal mode changes).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc

from dhti.messages import L_, Message, plain
from dhti.store import models as m
from dhti.store.location import Backend, Location
from dhti.store.record import StoreError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 60  # how long an SQLite writer waits for another one
WRITE = "dhti_write"  # execution option: take SQLite's write lock at BEGIN
_MIGRATION_LOCK = 0x64687469  # "dhti": the PostgreSQL advisory lock held while migrating
_SHOWN_TABLES = 5  # a foreign database's tables named in the message


@dataclass(frozen=True)
class Schema:
    """What a database holds, as far as dhti cares: its tables, and dhti's schema revision."""

    tables: tuple[str, ...]
    revision: str | None

    @property
    def is_dhti(self) -> bool:
        return "alembic_version" in self.tables and "assessments" in self.tables

    def refuse_foreign(self, display: str) -> None:
        """Raise unless the database is empty or a dhti store."""
        if not self.tables or self.is_dhti:
            return
        names: str | Message = ", ".join(self.tables[:_SHOWN_TABLES])
        more = len(self.tables) - _SHOWN_TABLES
        if more > 0:
            names = L_("%(names)s and %(count)s more", names=names, count=more)
        raise StoreError(L_("%(store)s is not a dhti store (it holds tables: %(names)s)", store=display, names=names))


def engine_for(location: Location, *, writable: bool) -> sa.Engine:
    if location.backend is Backend.POSTGRESQL:
        return _postgres_engine(location)
    if location.path is None:  # pragma: no cover - resolve() gives every SQLite store a path
        raise StoreError(L_("no SQLite file in %(url)s", url=location.url))
    return _sqlite_engine(location.path, writable=writable)


def sqlite_uri(path: Path, *, writable: bool) -> str:
    """The SQLite URI of a file: its name percent-encoded, so that no character in it means anything.

    A reader never writes (``PRAGMA query_only``). It opens a file it may write to read-write all
    the same, because only such a connection removes the WAL files beside it when it closes. A
    file it may not write to it opens read-only, and in a folder it cannot write to (a CD, a
    read-only share), where SQLite cannot make the WAL index, it reads the file as immutable.
    """
    absolute = path.absolute()
    if writable:
        mode = "mode=rwc"
    elif not os.access(absolute.parent, os.W_OK) and not Path(f"{absolute}-shm").exists():
        mode = "mode=ro&immutable=1"
    elif os.access(absolute, os.W_OK):
        mode = "mode=rw"
    else:
        mode = "mode=ro"
    return f"{absolute.as_uri()}?{mode}"


def _sqlite_engine(path: Path, *, writable: bool) -> sa.Engine:
    uri = sqlite_uri(path, writable=writable)

    def connect() -> sqlite3.Connection:
        # Our own connection, so that SQLAlchemy never parses the file name as part of a URL.
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)

    engine = sa.create_engine("sqlite+pysqlite://", creator=connect, poolclass=sa.pool.QueuePool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:  # noqa: ANN401 - a DB-API connection
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        if writable:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")  # readers do not block the writer, nor it them
            cursor.execute("PRAGMA synchronous = NORMAL")
        else:
            cursor.execute("PRAGMA query_only = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A writer takes the write lock at once, so two writers queue instead of deadlocking.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine


def _postgres_engine(location: Location) -> sa.Engine:
    try:
        return sa.create_engine(location.url, connect_args={"connect_timeout": 10})
    except (exc.ArgumentError, ValueError) as err:
        raise StoreError(L_("not a usable PostgreSQL URL: %(reason)s", reason=plain(str(err)))) from err
    except ImportError as err:
        message = L_(
            "PostgreSQL needs the psycopg package (pip install 'psycopg[binary]'): %(reason)s", reason=plain(str(err))
        )
        raise StoreError(message) from err


def read_schema(conn: sa.Connection) -> Schema:
    tables = tuple(sorted(sa.inspect(conn).get_table_names()))
    if "alembic_version" not in tables:
        return Schema(tables, None)
    found = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    return Schema(tables, None if found is None else str(found))


def migrate(engine: sa.Engine, location: Location, *, display: str) -> None:
    """Bring the schema to :data:`models.SCHEMA_REVISION` under a lock (several processes may open a new store)."""
    with engine.execution_options(**{WRITE: True}).begin() as conn:
        if location.backend is Backend.POSTGRESQL:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        schema = read_schema(conn)  # again, under the lock: another process may have migrated meanwhile
        schema.refuse_foreign(display)
        if schema.revision != m.SCHEMA_REVISION:
            _upgrade(conn, schema.revision, display=display)


def migrations_config() -> Any:  # noqa: ANN401 - alembic.config.Config, imported lazily
    from alembic.config import Config  # noqa: PLC0415 - Alembic is needed only to create or upgrade

    config = Config()
    config.set_main_option("script_location", "dhti.store:migrations")
    return config


def _upgrade(conn: sa.Connection, current: str | None, *, display: str) -> None:
    from alembic import command  # noqa: PLC0415
    from alembic.util.exc import CommandError  # noqa: PLC0415

    config = migrations_config()
    config.attributes["connection"] = conn
    try:
        command.upgrade(config, "head")
    except CommandError as err:
        message = L_(
            "cannot open the store %(store)s: its schema revision %(revision)s is unknown to this dhti"
            " (a newer dhti wrote it?): %(reason)s",
            store=display,
            revision=repr(current),
            reason=plain(str(err)),
        )
        raise StoreError(message) from err
    log.info("store schema migrated from %s to %s", current, m.SCHEMA_REVISION)
