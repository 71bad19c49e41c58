"""Bulk writes for the interchange import: large inserts, updates and the SQLite import settings.

Rows come in the *storage form* of the database (what the DB-API driver takes), so they go through
``executemany`` (SQLite) or ``COPY`` (PostgreSQL) without any conversion. Everything runs in the
caller's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

SQLITE_CACHE_KIB = 400_000  # page cache during an import (SQLite takes it only as it needs it)
_SQLITE_DEFAULT_CACHE = -65536  # what storage.engine sets on every connection
_SQLITE_BUSY_MS = 15000  # storage.engine's busy_timeout
log = logging.getLogger(__name__)

_CHUNK = 500  # ids per IN (...) list


@dataclass
class SqliteImportMode:
    """What enter_sqlite_import changed, for leave_sqlite_import."""

    journal_switched: bool


def enter_sqlite_import(conn: Connection) -> SqliteImportMode:
    """Settings for one large import transaction; call outside any transaction (SQLite ignores
    these inside one), and leave_sqlite_import afterwards whatever happened.

    - foreign keys off: the importer resolved every reference against the file and the database
      under the write lock, so the per-row look-ups (random reads in large indexes) would only
      repeat that check;
    - a larger page cache keeps the indexes of a million-row table in memory;
    - rollback journal instead of WAL when no other connection has the file open: a WAL
      transaction of a gigabyte is written twice (to the WAL, then by the checkpoint). The rollback
      journal keeps the import just as atomic, and synchronous=FULL makes its commit durable.
      With another connection open, SQLite refuses the switch ("database is locked", asked
      without waiting) and the import simply stays in WAL.
    """
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    switched = False
    if str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower() == "wal":
        conn.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            mode = conn.exec_driver_sql("PRAGMA journal_mode=DELETE").scalar()
            switched = str(mode).lower() == "delete"
        except OperationalError:
            switched = False
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
        if switched:
            conn.exec_driver_sql("PRAGMA synchronous=FULL")
    conn.commit()  # ends SQLAlchemy's autobegun (empty) transaction
    return SqliteImportMode(journal_switched=switched)


def leave_sqlite_import(conn: Connection, mode: SqliteImportMode) -> None:
    """Back to the settings of storage.engine (WAL, foreign keys, normal cache)."""
    if conn.in_transaction():
        conn.rollback()
    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    conn.exec_driver_sql(f"PRAGMA cache_size={_SQLITE_DEFAULT_CACHE}")
    if mode.journal_switched:
        # Runs after the import committed: a reader that opened the file meanwhile can make the
        # switch back fail with "database is locked". The data is saved either way, and every new
        # connection asks for WAL again (storage.engine), so this must not turn into an error.
        try:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        except OperationalError:
            log.warning("could not switch the database back to WAL after an import; the next connection will")
        conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
    conn.commit()


def storage_ids(conn: Connection, table: str) -> list[tuple[Any, Any]]:
    """(id, external_id) of every row, ids in storage form."""
    return conn.exec_driver_sql(f'SELECT id, external_id FROM "{table}"').fetchall()


def count_rows(conn: Connection, table: str) -> int:
    return int(conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one())


class BulkWriter:
    """Inserts and updates in large batches; ``after_batch(count)`` runs after each one
    (progress and cancel)."""

    def __init__(self, conn: Connection, after_batch: Any) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.ph = "?" if self.sqlite else "%s"
        self.after_batch = after_batch

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            self.conn.exec_driver_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        else:
            # COPY is the fast bulk path of PostgreSQL; it runs in the same transaction.
            raw = self.conn.connection.dbapi_connection
            with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
        self.after_batch(len(rows))

    def update(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]], *, bump: bool = True,
               batch: int = 50_000) -> None:
        """rows: (*values of columns, [updated_at,] id); bump adds version + 1 and updated_at."""
        sets = [f'"{c}" = {self.ph}' for c in columns]
        if bump:
            sets += [f'"updated_at" = {self.ph}', '"version" = "version" + 1']
        sql = f'UPDATE "{table}" SET {", ".join(sets)} WHERE "id" = {self.ph}'
        for start in range(0, len(rows), batch):
            chunk = rows[start:start + batch]
            self.conn.exec_driver_sql(sql, chunk)
            self.after_batch(len(chunk))

    def delete_children(self, table: str, parent: str, ids: list[Any]) -> None:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            marks = ", ".join([self.ph] * len(chunk))
            self.conn.exec_driver_sql(f'DELETE FROM "{table}" WHERE "{parent}" IN ({marks})', tuple(chunk))

    def drop_indexes(self, table: str) -> list[str]:
        """SQLite: drop the table's secondary indexes; returns their CREATE statements.

        Building an index once from sorted keys is several times faster than growing it row by row
        in random order. Only the indexes with a CREATE statement are dropped (never the primary
        key or unique constraints), and they are re-created from that exact statement, in the same
        transaction: a rollback brings them back as they were.
        """
        if not self.sqlite:
            return []
        found = self.conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        ).fetchall()
        for name, _ in found:
            self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
        return [sql for _, sql in found]

    def create_indexes(self, statements: Iterable[str]) -> None:
        for statement in statements:
            self.conn.exec_driver_sql(statement)

    def existing_rows(self, table: str, columns: Sequence[str], ids: list[Any]) -> dict[Any, tuple[Any, ...]]:
        """Stored values of ``columns`` by id (storage form)."""
        names = ", ".join(f'"{c}"' for c in ["id", *columns])
        out: dict[Any, tuple[Any, ...]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            sql = f'SELECT {names} FROM "{table}" WHERE "id" IN ({", ".join([self.ph] * len(chunk))})'
            for row in self.conn.exec_driver_sql(sql, tuple(chunk)):
                out[row[0]] = tuple(row[1:])
        return out

    def existing_children(self, table: str, parent_col: str, columns: Sequence[str],
                          parents: list[Any]) -> dict[Any, list[Any]]:
        """Link rows by parent: each a tuple of ``columns`` (or the single value)."""
        names = ", ".join(f'"{c}"' for c in [parent_col, *columns])
        grouped: dict[Any, list[Any]] = {}
        for start in range(0, len(parents), _CHUNK):
            chunk = parents[start:start + _CHUNK]
            sql = f'SELECT {names} FROM "{table}" WHERE "{parent_col}" IN ({", ".join([self.ph] * len(chunk))})'
            for row in self.conn.exec_driver_sql(sql, tuple(chunk)):
                grouped.setdefault(row[0], []).append(tuple(row[1:]) if len(row) > 2 else row[1])
        return grouped


# Tables a bulk import writes, in the order their statistics matter to the reports and lists.
_BULK_TABLES = ("visit", "case_file", "petition", "transfer", "citizen", "visit_citizen", "petition_signer",
                "agency", "directive", "reception_session")


def refresh_planner_data(engine: Engine) -> None:
    """After a bulk load on PostgreSQL: VACUUM (ANALYZE) the written tables.

    Without it the visibility map is empty, so the covering indexes of the statistics cannot answer
    from the index alone (every row is fetched from the table), and the planner has no statistics
    until autovacuum comes by minutes later. VACUUM cannot run inside a transaction: it runs after
    the import committed, on its own autocommit connection. SQLite needs nothing of the kind.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(_BULK_TABLES)}")
