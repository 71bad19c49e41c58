"""Optimistic locking: an update only lands if the row still has the version the editor read."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Table, select, update

from reception_desk.storage.models import utcnow


class StaleVersion(Exception):
    """The row changed (or vanished) since it was read."""

    def __init__(self, current: dict[str, Any] | None) -> None:
        super().__init__("stale version")
        self.current = current  # the row as it is now, None when deleted


def update_versioned(conn: Connection, table: Table, row_id: UUID, seen_version: int,
                     values: dict[str, Any]) -> int:
    """UPDATE … WHERE id = :id AND version = :seen; returns the new version or raises StaleVersion."""
    new_version = seen_version + 1
    result = conn.execute(
        update(table)
        .where(table.c.id == row_id, table.c.version == seen_version)
        .values(**values, version=new_version, updated_at=utcnow())
    )
    if result.rowcount != 1:
        current = conn.execute(select(table).where(table.c.id == row_id)).mappings().first()
        raise StaleVersion(dict(current) if current is not None else None)
    return new_version
