"""Where the store lives: a file path (SQLite) or a PostgreSQL URL, from an argument, DHTI_DB or a default."""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dhti.messages import L_
from dhti.store.record import StoreError

ENV_DB = "DHTI_DB"
DEFAULT_FILE_NAME = "dhti.sqlite"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


class Backend(enum.StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


@dataclass(frozen=True)
class Location:
    """A resolved store: its back end, the SQLAlchemy URL, and the SQLite file if it is one.

    An SQLite store is opened by ``path`` alone (see :mod:`dhti.store.connect`): its ``url`` is a
    label that is never parsed, since a file name may hold ``?``, ``#`` or ``%``.
    """

    backend: Backend
    url: str
    path: Path | None = None
    default: bool = False  # the user-data folder, made on first use


def default_path() -> Path:
    """The store in the platform's user-data folder (``~/.local/share/dhti/dhti.sqlite`` on Linux)."""
    import platformdirs  # noqa: PLC0415 - only needed when no store is named

    return Path(platformdirs.user_data_dir("dhti", appauthor=False)) / DEFAULT_FILE_NAME


def resolve(url_or_path: str | Path | None, *, environ: Mapping[str, str] | None = None) -> Location:
    """Turn what the user named (or ``DHTI_DB``, or nothing) into a :class:`Location`.

    A plain path means SQLite, the file of exactly that name; ``postgresql://`` and
    ``postgresql+psycopg://`` URLs mean PostgreSQL (through psycopg 3); ``sqlite:///PATH`` is
    accepted too, PATH again taken literally. Any other ``SCHEME://`` is refused.
    """
    env = os.environ if environ is None else environ
    given: str | Path | None = url_or_path if url_or_path not in (None, "") else env.get(ENV_DB) or None
    if given is None:
        return Location(Backend.SQLITE, _sqlite_url(default_path()), default_path(), default=True)
    if isinstance(given, Path):
        return _sqlite(given)
    match = _SCHEME.match(given)
    if match is None:
        return _sqlite(Path(given).expanduser())
    scheme = match.group(1).lower()
    if scheme in _POSTGRES_SCHEMES:
        return Location(Backend.POSTGRESQL, "postgresql+psycopg://" + given[match.end() :])
    if scheme in ("sqlite", "sqlite+pysqlite"):
        rest = given[match.end() :]
        if not rest.startswith("/") or rest in ("/", "/:memory:"):
            raise StoreError(
                L_("use a file for an SQLite store (sqlite:///PATH or just PATH), not %(given)s", given=repr(given))
            )
        return _sqlite(Path(rest[1:]))
    message = L_(
        "unsupported database URL scheme %(scheme)s: dhti stores into SQLite (give a file path)"
        " or PostgreSQL (postgresql://USER:PASSWORD@HOST:PORT/DATABASE)",
        scheme=repr(scheme),
    )
    raise StoreError(message)


def _sqlite(path: Path) -> Location:
    if path.is_dir():
        message = L_(
            "%(path)s is a folder; give the database file, e.g. %(example)s",
            path=str(path),
            example=str(path / DEFAULT_FILE_NAME),
        )
        raise StoreError(message)
    return Location(Backend.SQLITE, _sqlite_url(path), path)


def _sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path.absolute()}"
