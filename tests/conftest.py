"""Test fixtures: a fresh, migrated database per test, on SQLite and on a real PostgreSQL.

PostgreSQL comes from $RECEPTION_DESK_TEST_PG (an admin URL) or from a private throw-away cluster
started with the machine's binaries. With RECEPTION_DESK_REQUIRE_PG=1 (set by .ci/run) a missing
PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from reception_desk.services import interchange, interchange_fast
from reception_desk.storage import migrate
from reception_desk.storage.engine import make_engine
from tests.pgcluster import PgCluster, find_pg_bin

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

EXAMPLES = Path(__file__).resolve().parent / "data" / "examples"  # copied from ../shared/examples
REQUIRE_PG = os.environ.get("RECEPTION_DESK_REQUIRE_PG") == "1"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user data folder or keyring from a test."""
    home = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("RECEPTION_DESK_DB", raising=False)


# --- SQLite -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for every test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = make_engine(path)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "test.sqlite"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite:///{target}"


# --- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str | None]:
    env_url = os.environ.get("RECEPTION_DESK_TEST_PG")
    if env_url:
        yield env_url
        return
    bindir = find_pg_bin()
    if bindir is None:
        yield None
        return
    cluster = PgCluster(bindir)
    cluster.start()
    try:
        yield cluster.admin_url
    finally:
        cluster.stop()


def _with_db(admin_url: str, dbname: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def pg_template(pg_admin_url: str | None) -> Iterator[str | None]:
    if pg_admin_url is None:
        yield None
        return
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    name = f"rd_template_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_with_db(pg_admin_url, name))
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url(pg_admin_url: str | None, pg_template: str | None) -> Iterator[str]:
    if pg_admin_url is None or pg_template is None:
        reason = "không có PostgreSQL: cần initdb/pg_ctl trên máy hoặc biến RECEPTION_DESK_TEST_PG"
        if REQUIRE_PG:
            pytest.fail(reason)
        pytest.skip(reason)
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    name = f"rd_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    try:
        yield _with_db(pg_admin_url, name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- Either -----------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database; tests using it run once on each backend."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    eng = make_engine(sqlite_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def examples_dir() -> Path:
    if not EXAMPLES.exists():
        pytest.fail(f"thiếu thư mục ví dụ {EXAMPLES}")
    return EXAMPLES


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The fast path for any file, in ranges of 2 kB, two worker processes; records whether the
    fast path finished (True) or gave up (False) on each import."""
    monkeypatch.setattr(interchange_fast, "FAST_MIN_BYTES", 0)
    monkeypatch.setattr(interchange_fast, "RANGE_BYTES", 2000)
    monkeypatch.setattr(interchange, "PARALLEL_PARTS", 2)
    monkeypatch.setattr(interchange.os, "cpu_count", lambda: 2)
    runs: list[bool] = []
    real = interchange_fast.import_into_empty

    def spy(*args: Any) -> Any:
        outcome = real(*args)
        runs.append(outcome is not None)
        return outcome

    monkeypatch.setattr(interchange_fast, "import_into_empty", spy)
    return runs
