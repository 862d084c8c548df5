"""Store back ends for the tests: SQLite files, and a real PostgreSQL server.

A test module opts in with ``pytest_plugins = ("conftest_store",)`` and asks for ``store_url``
(run once per back end) or ``postgres_url``. The PostgreSQL server is the one
``DHTI_TEST_POSTGRES_URL`` names, else a throwaway cluster that
``scripts/postgres-test-server.sh`` starts for the session. If it cannot start, the tests that
need it fail: CI has to prove both back ends, so they are never skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER_SCRIPT = ROOT / "scripts" / "postgres-test-server.sh"
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's maintenance database (``postgres``)."""
    given = os.environ.get("DHTI_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    parent = Path(tempfile.mkdtemp(prefix="dhti-pg-"))
    parent.chmod(0o755)  # the cluster's owner (postgres, when we are root) must reach it
    folder = parent / "cluster"
    started = subprocess.run(
        [str(SERVER_SCRIPT), "start", str(folder)], capture_output=True, text=True, timeout=180, check=False
    )
    if started.returncode != 0:
        shutil.rmtree(parent, ignore_errors=True)
        pytest.fail(
            "the PostgreSQL test server did not start, so the store cannot be tested against PostgreSQL.\n"
            f"{SERVER_SCRIPT.name} said: {started.stderr.strip()}\n"
            "Install Debian's postgresql (scripts/install-system-deps.sh test) or set DHTI_TEST_POSTGRES_URL.",
            pytrace=False,
        )
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([str(SERVER_SCRIPT), "stop", str(folder)], capture_output=True, timeout=60, check=False)
        shutil.rmtree(parent, ignore_errors=True)


def _database_url(server: str, name: str) -> str:
    base, _, _ = server.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg  # noqa: PLC0415 - only PostgreSQL tests need it

    name = f"dhti_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _database_url(postgres_server, name)
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty store on each back end in turn: an SQLite file path, or a PostgreSQL URL."""
    monkeypatch.delenv("DHTI_DB", raising=False)
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return url
