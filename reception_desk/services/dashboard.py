"""The start screen's dashboard: the few set-based figures its charts draw.

For a day ``today`` (its calendar year is "this year"):

- visits and petitions per calendar month of this year and of last year (``visit_date``,
  ``received_on``; duplicates included, as the report counts petitions received);
- this year's petitions by stored kind (PetitionKind) and by channel (Channel);
- transfers overdue by receiving agency: no answer recorded and ``due_on < today`` — exactly the
  "Quá hạn" queue of services.queues — the agencies with the most first.

Months are calendar months (the dashboard shows the year's rhythm; the official report periods
with their 15th cut-off are the Báo cáo tab's business). A code a newer desk wrote and this one
does not know is counted under "other" (``OTHER_KIND`` / the channel "other" total), never lost.

Speed (1,000,000 petitions): the monthly figures are one UNION ALL of per-month COUNT(*) over the
date indexes (ix_visit_visit_date, ix_petition_received_on: covering, no table row is read); the
kinds are range counts on ix_petition_kind_received; the channels one GROUP BY over this year's
range of ix_petition_report (received_on, channel, …; covering); the overdue transfers one range
of ix_transfer_answer (answered_on, due_on, …) with a look-up per waiting transfer for its agency.
With an Engine the overdue transfers are read on a second connection while the rest is read on the first
(SQLite and the database driver release the GIL while a statement runs). Measured numbers:
docs/reports.md, "Dashboard".
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, literal, select, type_coerce, union_all

from reception_desk.domain.enums import Channel, PetitionKind
from reception_desk.storage.models import Agency, Petition, Transfer, Visit

TOP_AGENCIES = 10
MONTHS = 12
OTHER_KIND = "other"  # stored kind codes this desk does not know (never expected; counted, not hidden)
OTHER_KIND_LABEL = "Khác"
MONTH_LABELS: tuple[str, ...] = tuple(f"T{m}" for m in range(1, MONTHS + 1))

_visit: Table = Visit.__table__  # type: ignore[assignment]
_petition: Table = Petition.__table__  # type: ignore[assignment]
_transfer: Table = Transfer.__table__  # type: ignore[assignment]
_agency: Table = Agency.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class MonthlyCounts:
    """Counts per calendar month (index 0 = January) of this year and of last year."""

    this_year: tuple[int, ...]
    last_year: tuple[int, ...]

    @property
    def total_this_year(self) -> int:
        return sum(self.this_year)

    @property
    def total_last_year(self) -> int:
        return sum(self.last_year)


@dataclass(frozen=True, slots=True)
class LabelledCount:
    code: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class AgencyOverdue:
    agency_id: uuid.UUID
    name: str
    overdue: int


@dataclass(frozen=True)
class Dashboard:
    today: date
    visits: MonthlyCounts
    petitions: MonthlyCounts
    by_kind: tuple[LabelledCount, ...]  # this year; every PetitionKind in enum order, then "other" if any
    by_channel: tuple[LabelledCount, ...]  # this year; every Channel in enum order
    overdue_by_agency: tuple[AgencyOverdue, ...]  # at most TOP_AGENCIES, most overdue first, then name
    overdue_total: int  # all agencies
    overdue_agencies: int  # how many agencies hold an overdue transfer

    @property
    def year(self) -> int:
        return self.today.year


def _month_starts(year: int) -> list[date]:
    """The first day of each month of ``year`` and of the next January (13 bounds)."""
    return [date(year + (m // MONTHS), m % MONTHS + 1, 1) for m in range(MONTHS + 1)]


def _monthly(conn: Connection, column: Any, year: int) -> MonthlyCounts:
    """COUNT(*) per month of last year and this year: 24 index range counts in one statement."""
    bounds = _month_starts(year - 1)[:-1] + _month_starts(year)
    parts = [
        select(literal(n).label("n"), func.count().label("c")).where(column >= start, column < end)
        for n, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False))
    ]
    counts = dict.fromkeys(range(2 * MONTHS), 0)
    for row in conn.execute(union_all(*parts)):
        counts[int(row.n)] = int(row.c)
    values = [counts[n] for n in range(2 * MONTHS)]
    return MonthlyCounts(this_year=tuple(values[MONTHS:]), last_year=tuple(values[:MONTHS]))


def _kinds(conn: Connection, year: int, total: int) -> tuple[LabelledCount, ...]:
    """This year's petitions by kind: one range count per kind over ix_petition_kind_received
    (covering). ``total``: this year's petitions, so a kind this desk does not know shows as "other"."""
    p = _petition
    known = [k.value for k in PetitionKind]
    stmt = (
        select(p.c.kind, func.count().label("c"))
        .where(p.c.kind.in_(known), p.c.received_on >= date(year, 1, 1), p.c.received_on < date(year + 1, 1, 1))
        .group_by(p.c.kind)
    )
    counts = dict.fromkeys(known, 0)
    for row in conn.execute(stmt):
        counts[row.kind] = int(row.c)
    by_kind = tuple(LabelledCount(k.value, k.label, counts[k.value]) for k in PetitionKind)
    other = total - sum(counts.values())
    if other > 0:
        by_kind += (LabelledCount(OTHER_KIND, OTHER_KIND_LABEL, other),)
    return by_kind


def _channels(conn: Connection, year: int) -> tuple[LabelledCount, ...]:
    """This year's petitions by channel, over ix_petition_report (grouping by kind as well would
    triple the cost of the grouping: the kinds come from their own index)."""
    p = _petition
    stmt = (
        select(p.c.channel, func.count().label("c"))
        .where(p.c.received_on >= date(year, 1, 1), p.c.received_on < date(year + 1, 1, 1))
        .group_by(p.c.channel)
    )
    counts: dict[str, int] = dict.fromkeys((c.value for c in Channel), 0)
    for row in conn.execute(stmt):
        channel = row.channel if row.channel in counts else Channel.OTHER.value
        counts[channel] += int(row.c)
    return tuple(LabelledCount(c.value, c.label, counts[c.value]) for c in Channel)


def _overdue(conn: Connection, today: date, top: int) -> tuple[tuple[AgencyOverdue, ...], int, int]:
    t, a = _transfer, _agency
    # An expression, not the bare column: SQLite would otherwise walk ix_transfer_agency_id to
    # group in order, one table look-up per transfer (5× slower than one plain pass; as in queues).
    agency_key = type_coerce(func.coalesce(t.c.agency_id, t.c.agency_id), t.c.agency_id.type).label("agency_id")
    # The waiting transfers due before today are one range of ix_transfer_answer (answered_on,
    # due_on, …): one look-up each for the agency, and an office waits on few of its transfers.
    groups = (
        select(agency_key, func.count().label("overdue"))
        .where(t.c.answered_on.is_(None), t.c.due_on < today)
        .group_by(agency_key)
        .subquery()
    )
    stmt = select(groups.c.agency_id, groups.c.overdue, a.c.name).select_from(
        groups.outerjoin(a, a.c.id == groups.c.agency_id))
    rows = [AgencyOverdue(r.agency_id, r.name or "", int(r.overdue)) for r in conn.execute(stmt)]
    rows.sort(key=lambda r: (-r.overdue, r.name, str(r.agency_id)))
    return tuple(rows[:top]), sum(r.overdue for r in rows), len(rows)


def _petition_figures(conn: Connection, year: int) -> tuple[MonthlyCounts, MonthlyCounts,
                                                          tuple[LabelledCount, ...], tuple[LabelledCount, ...]]:
    visits = _monthly(conn, _visit.c.visit_date, year)
    petitions = _monthly(conn, _petition.c.received_on, year)
    by_kind = _kinds(conn, year, petitions.total_this_year)
    return visits, petitions, by_kind, _channels(conn, year)


def _overdue_on_own_connection(engine: Engine, today: date, top: int) -> tuple[tuple[AgencyOverdue, ...], int, int]:
    with engine.connect() as conn:
        return _overdue(conn, today, top)


def dashboard(source: Engine | Connection, today: date | None = None, *, top_agencies: int = TOP_AGENCIES,
              parallel: bool = True) -> Dashboard:
    """Every figure of the dashboard for ``today`` (default: the computer's date).

    Given an Engine (and ``parallel``), the overdue transfers — about half the work — are read on
    a second connection while the visits and petitions are read on the first; given a
    Connection, everything is read in the caller's transaction, one statement after the other.
    """
    today = today or date.today()
    if top_agencies < 1:
        raise ValueError("top_agencies phải lớn hơn 0")
    if isinstance(source, Connection):
        visits, petitions, by_kind, by_channel = _petition_figures(source, today.year)
        overdue = _overdue(source, today, top_agencies)
    elif not parallel:
        with source.connect() as conn:
            visits, petitions, by_kind, by_channel = _petition_figures(conn, today.year)
            overdue = _overdue(conn, today, top_agencies)
    else:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dashboard") as pool:
            later = pool.submit(_overdue_on_own_connection, source, today, top_agencies)
            with source.connect() as conn:
                visits, petitions, by_kind, by_channel = _petition_figures(conn, today.year)
            overdue = later.result()
    top, total, agencies = overdue
    return Dashboard(today=today, visits=visits, petitions=petitions, by_kind=by_kind, by_channel=by_channel,
                     overdue_by_agency=top, overdue_total=total, overdue_agencies=agencies)
