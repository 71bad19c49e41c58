"""The schema: migrations create exactly the model, on both databases; safety rails work."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from reception_desk.services.database import open_database
from reception_desk.services.errors import UserError
from reception_desk.storage import migrate
from reception_desk.storage.engine import make_engine, resolve_url
from reception_desk.storage.models import metadata


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    # Index/type noise aside, no table or column may be missing on either side.
    # (FTS5 search tables and their shadow tables, revision 0002, are not models: ignored.)
    structural = [d for d in diff if d[0] in ("add_table", "remove_table", "add_column", "remove_column")
                  and not (d[0] == "remove_table" and d[1].name.startswith("search_"))]
    assert structural == []
    assert migrate.status(engine) == "current"


def test_all_tables_exist(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    for table in ("citizen", "agency", "case_file", "reception_session", "visit", "visit_citizen",
                  "petition", "petition_signer", "transfer", "directive", "document_number",
                  "audit_event", "calendar_day", "deadline_rule"):
        assert table in names


def test_sqlite_pragmas(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_refuses_database_from_newer_program(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    engine.dispose()
    with pytest.raises(UserError, match="phiên bản mới hơn"):
        open_database(sqlite_url)
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:  # untouched
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "ffff_from_the_future"
    engine.dispose()


def test_backup_before_migrating_an_old_file(sqlite_template: Path, tmp_path: Path) -> None:
    import sqlite3

    from alembic import command

    path = tmp_path / "old.sqlite"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(path)
    with engine.begin() as conn:  # make the file one revision behind the program
        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert migrate.status(engine) == "outdated"
    backup = migrate.upgrade(engine)
    assert backup is not None and backup.exists() and backup != path
    old = sqlite3.connect(backup)  # the copy is the file as it was: a valid SQLite at 0001
    try:
        assert old.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        assert old.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        old.close()
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert migrate.status(engine) == "current"
    engine.dispose()


def test_refuses_foreign_database(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    engine = make_engine(path)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE something_else (x INTEGER)"))
    engine.dispose()
    with pytest.raises(UserError, match="không phải của Bàn tiếp công dân"):
        open_database(path)


def test_resolve_url_paths_and_urls(tmp_path: Path) -> None:
    assert resolve_url(tmp_path / "a.sqlite").startswith("sqlite:///")
    assert resolve_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    with pytest.raises(ValueError, match="không được hỗ trợ"):
        resolve_url("mysql://u@h/db")


def test_a_failed_upgrade_leaves_the_old_schema_intact(sqlite_template: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """DDL runs in the upgrade's transaction: a crash halfway must not leave half a schema."""
    from alembic import command

    path = tmp_path / "old.sqlite"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(path)
    with engine.begin() as conn:
        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    real_upgrade = command.upgrade

    def upgrade_then_fail(cfg, revision):  # noqa: ANN001
        real_upgrade(cfg, revision)
        raise RuntimeError("power cut")

    monkeypatch.setattr(migrate.command, "upgrade", upgrade_then_fail)
    with pytest.raises(RuntimeError, match="power cut"):
        migrate.upgrade(engine)
    assert migrate.current_revision(engine) == "0002"
    assert "ix_visit_stats" not in {ix["name"] for ix in inspect(engine).get_indexes("visit")}
    monkeypatch.undo()
    assert migrate.upgrade(engine) is not None  # the retry migrates (with a backup) and ends at head
    assert migrate.status(engine) == "current"
    engine.dispose()


def test_error_messages_do_not_carry_citizen_data(sqlite_engine: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError) as info:
        with sqlite_engine.begin() as conn:
            conn.execute(text("INSERT INTO citizen (id, full_name, name_key, created_at, updated_at, version) "
                              "VALUES (:i, :n, :k, :t, :t, 1)"),
                         {"i": "x" * 32, "n": "Nguyễn Văn Mật", "k": None, "t": "2025-01-01"})
    assert "Nguyễn Văn Mật" not in str(info.value)


def test_a_new_connection_does_not_wait_for_an_import_in_rollback_journal_mode(sqlite_url: str) -> None:
    """A bulk import switches the file to the rollback journal; the GUI opening it meanwhile must
    get a connection at once (reads wait only for the import's commit), not fail after 15 s."""
    import time

    importer = make_engine(sqlite_url)
    conn = importer.connect()
    conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    conn.commit()
    conn.exec_driver_sql("BEGIN IMMEDIATE")
    conn.exec_driver_sql("INSERT INTO setting (key, value, updated_at) VALUES ('x', 'y', '2025-01-01')")
    reader = make_engine(sqlite_url)
    try:
        started = time.monotonic()
        with reader.connect() as other:
            assert other.exec_driver_sql("SELECT count(*) FROM setting WHERE key = 'x'").scalar() == 0
        assert time.monotonic() - started < 5
    finally:
        reader.dispose()
        conn.commit()
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        conn.close()
        importer.dispose()
    with make_engine(sqlite_url).connect() as again:
        assert again.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert again.exec_driver_sql("SELECT value FROM setting WHERE key = 'x'").scalar() == "y"
