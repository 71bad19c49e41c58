"""Opening a database: create or migrate it, then seed the reference data it needs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from reception_desk.services.errors import UserError
from reception_desk.storage import migrate, reference
from reception_desk.storage.engine import DatabaseUrlError, make_engine


def open_database(db: str | os.PathLike[str] | None = None, *, upgrade: bool = True) -> Engine:
    """An engine on the database, migrated to this program's schema.

    Raises UserError with a Vietnamese message for the problems a user can fix.
    """
    try:
        engine = make_engine(db)
    except DatabaseUrlError as exc:
        raise UserError(str(exc)) from exc
    try:
        if upgrade:
            migrate.upgrade(engine)
            reference.seed(engine)
        else:
            migrate.status(engine)
    except (migrate.DatabaseTooNewError, migrate.NotOurDatabaseError) as exc:
        engine.dispose()
        raise UserError(str(exc)) from exc
    except OperationalError as exc:
        engine.dispose()
        raise UserError(f"Không mở được cơ sở dữ liệu: {_short(exc)}") from exc
    return engine


@contextmanager
def database(db: str | os.PathLike[str] | None = None) -> Iterator[Engine]:
    """open_database for one command: the engine is disposed when the block ends."""
    engine = open_database(db)
    try:
        yield engine
    finally:
        engine.dispose()


def describe(engine: Engine) -> str:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite: {Path(url.database or '').name}"
    return f"PostgreSQL: {url.host}:{url.port or 5432}/{url.database}"


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
