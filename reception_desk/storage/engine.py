"""Engines for the two supported databases: embedded SQLite (one desk) and PostgreSQL (an office)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from reception_desk.paths import default_database_path

ENV_DB = "RECEPTION_DESK_DB"
BUSY_TIMEOUT_MS = 15000


class DatabaseUrlError(ValueError):
    pass


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """--db PATH|URL, then $RECEPTION_DESK_DB, then the user data folder."""
    value = str(db) if db else os.environ.get(ENV_DB) or str(default_database_path())
    if "://" in value:
        url = make_url(value)
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise DatabaseUrlError(
                f"Cơ sở dữ liệu không được hỗ trợ: {url.get_backend_name()} (dùng tệp SQLite hoặc PostgreSQL)"
            )
        if url.get_backend_name() == "postgresql" and url.drivername != "postgresql+psycopg":
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    path = Path(value).expanduser()
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path.resolve()}"


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def sqlite_path(engine_or_url: Engine | str) -> Path | None:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API types
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        # A new file, or a bulk import holding the file in rollback-journal mode right now
        # (storage.bulk): asking for WAL then would wait for the whole import and fail. Ask
        # without waiting; the import puts WAL back itself when it ends.
        cursor.execute("PRAGMA busy_timeout=0")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            pass
        finally:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")
    # temp_store stays at its default (files): SQLite's sorter (GROUP BY, ORDER BY, CREATE INDEX)
    # then sorts in one memory buffer as large as the cache and writes a file only beyond it;
    # with temp_store=MEMORY it allocates every record on its own (the yearly report: +20 %).
    cursor.close()


def make_engine(db: str | os.PathLike[str] | None = None, **kwargs) -> Engine:  # noqa: ANN003
    url = resolve_url(db)
    # Error messages go to logs and crash reports: never with citizens' names or ID numbers in them.
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"timeout": 15}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def begin_sqlite_transaction(conn) -> None:  # noqa: ANN001 - sqlalchemy Connection
    """Open the SQLite transaction now: pysqlite only begins one before INSERT/UPDATE/DELETE, so
    DDL issued first would otherwise commit at once and survive the caller's rollback."""
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN")
