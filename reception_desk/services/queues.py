"""Follow-up queues of transfers (theo dõi, đôn đốc chuyển đơn).

A transfer *waits* while it has no answer (``answered_on`` is empty). The queues, for a day
``today``:

- ``overdue`` (Quá hạn): waiting and ``due_on < today`` — the due day itself is still in time;
- ``due_soon`` (Sắp đến hạn): waiting and ``today <= due_on <= horizon``, where ``horizon`` is the
  5th working day after today (``WorkCalendar.add_working_days(today, 5)``): "due within five
  working days", which always covers the rest of the current week, and stretches over Tết and
  other days off so a deadline right after a holiday shows up before the holiday;
- ``awaiting`` (Chờ trả lời): every waiting transfer, with or without a due date;
- by agency: any queue with ``agency_id``; ``queue_counts`` gives each agency's counts.

Rows come most urgent first: by due date, then id (transfers without a due date last); pages use
keyset paging on (due_on, id) like services.listing, so every page costs about the same. Days
overdue are calendar days (``today - due_on``), as a follow-up letter (văn bản đôn đốc) says them.
Signers go through services.visibility: a denouncer's name is never read.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import (
    Engine,
    Integer,
    Table,
    and_,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.engine import Connection

from reception_desk.domain.enums import PetitionKind
from reception_desk.domain.workdays import WorkCalendar
from reception_desk.services.visibility import signer_display, signers_searchable
from reception_desk.services.workdays import load_calendar
from reception_desk.storage.models import Agency, Citizen, Petition, PetitionSigner, Transfer

QueueName = Literal["due_soon", "overdue", "awaiting"]
QUEUES: tuple[QueueName, ...] = ("due_soon", "overdue", "awaiting")
QUEUE_LABELS: dict[QueueName, str] = {
    "due_soon": "Sắp đến hạn",
    "overdue": "Quá hạn",
    "awaiting": "Chờ trả lời",
}
DUE_SOON_WORKING_DAYS = 5
PAGE_SIZE = 200

_transfer: Table = Transfer.__table__  # type: ignore[assignment]
_petition: Table = Petition.__table__  # type: ignore[assignment]
_agency: Table = Agency.__table__  # type: ignore[assignment]
_signer: Table = PetitionSigner.__table__  # type: ignore[assignment]
_citizen: Table = Citizen.__table__  # type: ignore[assignment]


def due_soon_horizon(today: date, calendar: WorkCalendar) -> date:
    """The last due date of the "due soon" queue: the 5th working day after ``today``."""
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)


@dataclass(frozen=True, slots=True)
class AgencyCount:
    agency_id: uuid.UUID
    name: str
    overdue: int
    due_soon: int
    awaiting: int


@dataclass(frozen=True)
class QueueCounts:
    today: date
    horizon: date  # the due-soon queue ends on this day
    due_soon: int
    overdue: int
    awaiting: int
    # Every agency with a waiting transfer: most overdue first, then most waiting, then name.
    by_agency: list[AgencyCount] = field(default_factory=list)

    def count(self, queue: QueueName) -> int:
        return int(getattr(self, queue))

    def top_overdue(self, n: int = 5) -> list[AgencyCount]:
        return [a for a in self.by_agency if a.overdue > 0][:n]


@dataclass(frozen=True, slots=True)
class QueueCursor:
    """The next page starts strictly after this (due_on, id); ``due_on`` None: among undated rows."""

    due_on: date | None
    id: uuid.UUID


@dataclass(frozen=True, slots=True)
class QueueRow:
    transfer_id: uuid.UUID
    version: int
    petition_id: uuid.UUID
    case_id: uuid.UUID | None
    received_on: date
    kind_label: str
    summary: str | None
    signers: str  # masked for confidential petitions
    confidential: bool
    agency_id: uuid.UUID
    agency_name: str
    sent_on: date
    number: str | None
    due_on: date | None
    days_overdue: int  # calendar days after the due date; 0 when not overdue

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    next: QueueCursor | None  # None when nothing follows


def _waiting() -> Any:
    return _transfer.c.answered_on.is_(None)


def _queue_conditions(queue: QueueName, today: date, horizon: date | None) -> list[Any]:
    t = _transfer
    if queue == "overdue":
        return [_waiting(), t.c.due_on < today]
    if queue == "due_soon":
        return [_waiting(), t.c.due_on >= today, t.c.due_on <= horizon]
    if queue == "awaiting":
        return [_waiting()]
    raise ValueError(f"hàng đợi không hợp lệ “{queue}” (cho phép: {', '.join(QUEUES)})")


def queue_counts(engine: Engine, today: date | None = None, *, calendar: WorkCalendar | None = None) -> QueueCounts:
    """Counts of every queue and per agency, in one grouped scan of the waiting transfers."""
    today = today or date.today()
    calendar = calendar or load_calendar(engine)
    horizon = due_soon_horizon(today, calendar)
    t, a = _transfer, _agency
    overdue = func.sum(case((t.c.due_on < today, 1), else_=0))
    due_soon = func.sum(case((and_(t.c.due_on >= today, t.c.due_on <= horizon), 1), else_=0))
    # Group by an expression, not the bare column: SQLite would otherwise walk ix_transfer_agency_id
    # to group in order and fetch every transfer through it (~0.9 s at 400k transfers instead of
    # ~0.1 s for one plain scan); PostgreSQL hashes either way.
    agency_key = type_coerce(func.coalesce(t.c.agency_id, t.c.agency_id), t.c.agency_id.type).label("agency_id")
    groups_q = (
        select(agency_key, cast(overdue, Integer).label("overdue"), cast(due_soon, Integer).label("due_soon"),
               func.count().label("awaiting"))
        .where(_waiting())
        .group_by(agency_key)
        .subquery()
    )
    stmt = select(groups_q, a.c.name).select_from(groups_q.outerjoin(a, a.c.id == groups_q.c.agency_id))
    with engine.connect() as conn:
        groups = [AgencyCount(r.agency_id, r.name or "", int(r.overdue or 0), int(r.due_soon or 0), int(r.awaiting))
                  for r in conn.execute(stmt)]
    groups.sort(key=lambda g: (-g.overdue, -g.awaiting, g.name))
    return QueueCounts(
        today=today,
        horizon=horizon,
        due_soon=sum(g.due_soon for g in groups),
        overdue=sum(g.overdue for g in groups),
        awaiting=sum(g.awaiting for g in groups),
        by_agency=groups,
    )


def _page_keys(conn: Connection, conds: list[Any], after: QueueCursor | None, limit: int,
               with_undated: bool) -> list[tuple[uuid.UUID, date | None]]:
    t = _transfer
    keys: list[tuple[uuid.UUID, date | None]] = []
    if after is None or after.due_on is not None:
        where = [*conds, t.c.due_on.is_not(None)]
        if after is not None:
            where.append(or_(t.c.due_on > after.due_on, and_(t.c.due_on == after.due_on, t.c.id > after.id)))
        # Walks the due_on index in order and stops when the page is full.
        stmt = select(t.c.id, t.c.due_on).where(*where).order_by(t.c.due_on, t.c.id).limit(limit)
        keys = [(r[0], r[1]) for r in conn.execute(stmt)]
    if with_undated and len(keys) < limit:
        where = [*conds, t.c.due_on.is_(None)]
        if after is not None and after.due_on is None:
            where.append(t.c.id > after.id)
        stmt = select(t.c.id, t.c.due_on).where(*where).order_by(t.c.id).limit(limit - len(keys))
        keys += [(r[0], None) for r in conn.execute(stmt)]
    return keys


def _kind_label(code: str) -> str:
    try:
        return PetitionKind(code).label
    except ValueError:
        return code


def _rows(conn: Connection, ids: Sequence[uuid.UUID], today: date) -> dict[uuid.UUID, QueueRow]:
    t, p, a = _transfer, _petition, _agency
    stmt = (
        select(t.c.id, t.c.version, t.c.petition_id, t.c.agency_id, t.c.sent_on, t.c.number, t.c.due_on,
               p.c.case_id, p.c.received_on, p.c.kind, p.c.summary, p.c.confidential, p.c.anonymous,
               a.c.name)
        .select_from(t.join(p, p.c.id == t.c.petition_id).outerjoin(a, a.c.id == t.c.agency_id))
        .where(t.c.id.in_(ids))
    )
    found = list(conn.execute(stmt))
    open_petitions = list({r.petition_id for r in found if signers_searchable(bool(r.confidential))})
    names: dict[uuid.UUID, list[str]] = {}
    if open_petitions:
        for petition_id, full_name in conn.execute(
            select(_signer.c.petition_id, _citizen.c.full_name)
            .join(_citizen, _citizen.c.id == _signer.c.citizen_id)
            .where(_signer.c.petition_id.in_(open_petitions))
            .order_by(_signer.c.petition_id, _signer.c.ordinal, _citizen.c.name_key)
        ):
            names.setdefault(petition_id, []).append(full_name)
    return {
        r.id: QueueRow(
            transfer_id=r.id,
            version=r.version,
            petition_id=r.petition_id,
            case_id=r.case_id,
            received_on=r.received_on,
            kind_label=_kind_label(r.kind),
            summary=r.summary,
            signers=signer_display(bool(r.confidential), names.get(r.petition_id, []),
                                   anonymous=bool(r.anonymous)),
            confidential=bool(r.confidential),
            agency_id=r.agency_id,
            agency_name=r.name or "",
            sent_on=r.sent_on,
            number=r.number,
            due_on=r.due_on,
            days_overdue=(today - r.due_on).days if r.due_on is not None and r.due_on < today else 0,
        )
        for r in found
    }


# The share of all transfers that a queue holds, about (the bench office: 12% wait for an answer).
_QUEUE_SHARE = 0.12


def _agency_condition(conn: Connection, agency_id: uuid.UUID, limit: int) -> Any:
    """``agency_id = :id``, written so SQLite takes the cheaper of its two indexes.

    SQLite has no statistics on how transfers spread over agencies and always starts from
    ix_transfer_agency_id, reading every transfer of the agency: fine for most, ~0.1 s for an
    agency holding a fifth of 400,000 transfers. For such an agency, walking ix_transfer_due_on and
    skipping other agencies' rows fills a page sooner (about limit × total / (agency × share) rows
    read instead of agency rows), so the column is written ``+agency_id``, which SQLite does not
    match to an index. PostgreSQL keeps statistics and chooses by itself.
    """
    t = _transfer
    if conn.dialect.name != "sqlite":
        return t.c.agency_id == agency_id
    agency_rows = conn.execute(select(func.count()).where(t.c.agency_id == agency_id)).scalar_one()  # index only
    total = conn.execute(select(func.max(literal_column("rowid"))).select_from(t)).scalar() or 0  # O(1)
    if agency_rows * agency_rows * _QUEUE_SHARE <= limit * total:
        return t.c.agency_id == agency_id
    return type_coerce(literal_column("+transfer.agency_id"), t.c.agency_id.type) == agency_id


def queue_page(
    engine: Engine,
    queue: QueueName,
    cursor: QueueCursor | None = None,
    limit: int = PAGE_SIZE,
    *,
    agency_id: uuid.UUID | None = None,
    today: date | None = None,
    calendar: WorkCalendar | None = None,
) -> QueuePage:
    """One page of a queue, most urgent first, after ``cursor``; optionally one agency only."""
    if limit < 1:
        raise ValueError("limit must be positive")
    today = today or date.today()
    horizon = None
    if queue == "due_soon":
        horizon = due_soon_horizon(today, calendar or load_calendar(engine))
    conds = _queue_conditions(queue, today, horizon)
    with engine.connect() as conn:
        if agency_id is not None:
            conds.append(_agency_condition(conn, agency_id, limit))
        keys = _page_keys(conn, conds, cursor, limit, with_undated=queue == "awaiting")
        if not keys:
            return QueuePage([], None)
        by_id = _rows(conn, [k for k, _ in keys], today)
    rows = [by_id[k] for k, _ in keys if k in by_id]
    nxt = None
    if len(keys) == limit:
        last_id, last_due = keys[-1]
        nxt = QueueCursor(last_due, last_id)
    return QueuePage(rows, nxt)
