"""Alembic glue: create or upgrade a database safely.

- An SQLite file is copied next to itself before any migration step runs.
- A database stamped with a revision this program does not know (written by a newer version) is
  refused with a clear message instead of being damaged.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from reception_desk.paths import db_dir
from reception_desk.storage.engine import begin_sqlite_transaction, sqlite_path


class DatabaseTooNewError(RuntimeError):
    """The database was written by a newer version of the program."""


class NotOurDatabaseError(RuntimeError):
    """The database has tables but no migration stamp of ours."""


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(db_dir()))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def status(engine: Engine) -> str:
    """'empty', 'current' or 'outdated'; raises for a database we must not touch."""
    current = current_revision(engine)
    script = ScriptDirectory.from_config(alembic_config())
    if current is None:
        tables = set(inspect(engine).get_table_names())
        if tables - {"alembic_version"}:
            raise NotOurDatabaseError(
                "Tệp cơ sở dữ liệu này không phải của Bàn tiếp công dân (có bảng nhưng không có phiên bản lược đồ)."
            )
        return "empty"
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise DatabaseTooNewError(
            f"Cơ sở dữ liệu được tạo bởi phiên bản mới hơn của chương trình (lược đồ {current}). "
            "Hãy cập nhật Bàn tiếp công dân lên phiên bản mới nhất; dữ liệu không bị thay đổi."
        )
    return "current" if current == script.get_current_head() else "outdated"


def backup_sqlite(engine: Engine, revision: str | None) -> Path | None:
    """Copy the SQLite file (consistently, through the backup API) before migrating it."""
    path = sqlite_path(engine)
    if path is None or not path.exists() or path.stat().st_size == 0:
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.truoc-nang-cap-{revision or 'goc'}-{stamp}{path.suffix}")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    if not target.exists():  # pragma: no cover - the backup API raises on failure
        shutil.copy2(path, target)
    return target


def upgrade(engine: Engine) -> Path | None:
    """Bring the database to the head revision. Returns the backup file made, if any."""
    state = status(engine)
    if state == "current":
        return None
    backup = backup_sqlite(engine, current_revision(engine)) if state == "outdated" else None
    cfg = alembic_config()
    with engine.begin() as conn:
        # All steps in one transaction, DDL included (SQLite has transactional DDL, but pysqlite
        # would commit each CREATE/DROP at once): a failed upgrade leaves the old schema intact.
        begin_sqlite_transaction(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup
