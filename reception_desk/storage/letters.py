"""Set-based queries on the register of issued documents (issued_document)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, Select, Table, func, insert, select

from reception_desk.domain.text import fold
from reception_desk.storage.models import IssuedDocument

documents: Table = IssuedDocument.__table__  # type: ignore[assignment]

# The columns a register row shows (everything but the snapshot).
REGISTER_COLUMNS = ("id", "version", "kind", "series", "year", "number", "symbol", "issued_on", "status",
                    "void_reason", "voided_at", "voided_by", "transfer_id", "petition_id", "visit_id", "agency_id",
                    "citizen_id", "recipient", "subject", "issued_by")


def insert_document(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(documents), [row])


def documents_of(conn: Connection, *, kind: str | None = None, transfer_ids: Sequence[uuid.UUID] = (),
                 petition_id: uuid.UUID | None = None) -> list[Row[Any]]:
    """The documents of some transfers or of a petition, oldest number first, snapshot included."""
    d = documents
    query = select(d)
    if kind is not None:
        query = query.where(d.c.kind == kind)
    if transfer_ids:
        query = query.where(d.c.transfer_id.in_(list(transfer_ids)))
    if petition_id is not None:
        query = query.where(d.c.petition_id == petition_id)
    return list(conn.execute(query.order_by(d.c.year, d.c.issued_on, d.c.series, d.c.number)))


def period_contents(conn: Connection, kind: str, date_from: date, date_to: date,
                    include_void: bool) -> list[Row[Any]]:
    """One query for a period's letters of one kind (id, status, content), in number order."""
    d = documents
    query = (select(d.c.id, d.c.status, d.c.content)
             .where(d.c.kind == kind, d.c.issued_on >= date_from, d.c.issued_on <= date_to))
    if not include_void:
        query = query.where(d.c.status == "issued")
    return list(conn.execute(query.order_by(d.c.year, d.c.series, d.c.number)))


def register_query(*, date_from: date | None = None, date_to: date | None = None, kind: str | None = None,
                   status: str | None = None, series: str | None = None, search: str | None = None,
                   transfer_id: uuid.UUID | None = None, petition_id: uuid.UUID | None = None) -> Select[Any]:
    """The register (sổ đăng ký văn bản đi) filtered; the caller orders, pages or counts it."""
    d = documents
    query = select(*(d.c[name] for name in REGISTER_COLUMNS))
    if date_from is not None:
        query = query.where(d.c.issued_on >= date_from)
    if date_to is not None:
        query = query.where(d.c.issued_on <= date_to)
    if kind is not None:
        query = query.where(d.c.kind == kind)
    if status is not None:
        query = query.where(d.c.status == status)
    if series is not None:
        query = query.where(d.c.series == series)
    if transfer_id is not None:
        query = query.where(d.c.transfer_id == transfer_id)
    if petition_id is not None:
        query = query.where(d.c.petition_id == petition_id)
    if search:
        # A piece of the symbol, recipient or subject, ignoring case and diacritics (đ → d), as
        # every search of the program does; LIKE's own wildcards in the text are taken literally.
        folded = fold(search).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(d.c.search_key.like(f"%{folded}%", escape="\\"))
    return query


def count_register(conn: Connection, query: Select[Any]) -> int:
    return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar() or 0)
