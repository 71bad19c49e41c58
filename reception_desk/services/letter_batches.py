"""Letters by the batch, and finding records by the reference a clerk or a script types.

``reception-desk letter …`` names a transfer or a document by its UUID or by the id it had in an
imported file (external id); a document also by its printed number ("07/PC-BTCD") and year.
``issue_missing_forwarding`` gives every transfer of a period that has neither a letter nor a
number of its own its forwarding letter, in one transaction (all or nothing, numbers gap-free).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import Connection, Engine, Table, and_, exists, or_, select

from reception_desk.domain.letters import LetterKind, LetterStatus
from reception_desk.domain.text import nfc
from reception_desk.services.errors import Cancelled, NotFoundError, ValidationError
from reception_desk.services.letters import IssuedLetter, issue_forwarding
from reception_desk.services.visibility import Viewer
from reception_desk.storage.models import IssuedDocument, Transfer

_transfer: Table = Transfer.__table__  # type: ignore[assignment]
_doc: Table = IssuedDocument.__table__  # type: ignore[assignment]


def _as_uuid(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


def _by_ref(conn: Connection, table: Table, ref: str) -> uuid.UUID | None:
    """The id of the row whose id or external id is ``ref`` (an id match wins)."""
    as_uuid = _as_uuid(ref)
    cond = table.c.external_id == ref
    if as_uuid is not None:
        cond = or_(table.c.id == as_uuid, cond)
    ids = conn.execute(select(table.c.id).where(cond)).scalars().all()
    if as_uuid is not None and as_uuid in ids:
        return as_uuid
    return ids[0] if ids else None


def transfer_id_for(engine: Engine, ref: str) -> uuid.UUID:
    """The transfer named by its UUID or its id in an imported file."""
    text = (ref or "").strip()
    if not text:
        raise ValidationError("Cần cho biết mã lần chuyển đơn.")
    with engine.connect() as conn:
        found = _by_ref(conn, _transfer, text)
    if found is None:
        raise NotFoundError(f"Không tìm thấy lần chuyển đơn có mã “{text}”.")
    return found


def document_id_for(engine: Engine, ref: str, year: int | None = None) -> uuid.UUID:
    """The issued document named by its UUID, or by its printed number (e.g. 07/PC-BTCD): of
    ``year`` when given, else the latest year with that number."""
    text = nfc(ref) or ""
    if not text:
        raise ValidationError("Cần cho biết mã hoặc số văn bản.")
    with engine.connect() as conn:
        found = _by_ref(conn, _doc, text)
        if found is None:
            query = select(_doc.c.id, _doc.c.year).where(_doc.c.symbol == text)
            if year is not None:
                query = query.where(_doc.c.year == year)
            row = conn.execute(query.order_by(_doc.c.year.desc()).limit(1)).first()
            found = row.id if row is not None else None
    if found is None:
        within = f" năm {year}" if year is not None else ""
        raise NotFoundError(f"Không tìm thấy văn bản “{text}”{within}.")
    return found


def _unlettered(date_from: date, date_to: date):  # noqa: ANN202 - a Select
    """Transfers sent in the period with no number of their own and no forwarding letter in force."""
    lettered = exists().where(and_(_doc.c.transfer_id == _transfer.c.id,
                                   _doc.c.kind == LetterKind.FORWARDING.value,
                                   _doc.c.status == LetterStatus.ISSUED.value))
    numbered = and_(_transfer.c.number.is_not(None), _transfer.c.number != "")
    return (select(_transfer.c.id)
            .where(_transfer.c.sent_on.between(date_from, date_to), ~numbered, ~lettered)
            .order_by(_transfer.c.sent_on, _transfer.c.created_at, _transfer.c.id))


def count_unlettered(engine: Engine, date_from: date, date_to: date) -> int:
    with engine.connect() as conn:
        return len(conn.execute(_unlettered(date_from, date_to)).scalars().all())


def issue_missing_forwarding(engine: Engine, date_from: date, date_to: date, *, viewer: Viewer | None = None,
                             progress: Callable[[int, int], None] | None = None,
                             cancelled: Callable[[], bool] | None = None) -> list[IssuedLetter]:
    """Forwarding letters for the period's transfers that have none (and no number typed by the
    clerk or brought by an import: those went out on paper already). One transaction: a failure or
    a cancel leaves no letter and takes no number."""
    if date_from > date_to:
        raise ValidationError(f"Từ ngày {date_from:%d/%m/%Y} ở sau đến ngày {date_to:%d/%m/%Y}.")
    issued: list[IssuedLetter] = []
    with engine.begin() as conn:
        ids = conn.execute(_unlettered(date_from, date_to)).scalars().all()
        for done, tid in enumerate(ids, start=1):
            if cancelled is not None and cancelled():
                raise Cancelled("Đã hủy; chưa phát hành phiếu nào.")
            issued.append(issue_forwarding(conn, tid, viewer=viewer))
            if progress is not None:
                progress(done, len(ids))
    return issued


__all__ = ["count_unlettered", "document_id_for", "issue_missing_forwarding", "transfer_id_for"]
