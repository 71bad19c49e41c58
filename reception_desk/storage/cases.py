"""Set-based maintenance of the case (vụ việc) columns derived from its visits, and of the case
columns copied onto its visits.

A visit is first-time (tiếp lần đầu) when it is the earliest visit of its case, in any reception
mode; a case is first-time in a period when that earliest visit falls in the period. Both are
answered from ``case_file.first_visit_id`` / ``first_visit_on``, which must be refreshed whenever
visits of the case are added, moved to another date or case, or deleted — so a back-dated visit
re-classifies the others at once. Ties on the same date are broken by time (no time = start of the
day), then by id, so the answer is stable on both databases.

Each visit also carries copies for the statistics (``case_kind``, ``case_field``, ``first_of_case``),
which let a period's cases be counted from the visit index alone; ``refresh_cases`` refreshes the
first visit and then these copies, so every change to a case or to its visits must end with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Time, Update, false, func, literal, or_, select, update

from reception_desk.storage.models import Case, Visit

_BATCH = 500


def _first_visit_subqueries():  # noqa: ANN202
    case = Case.__table__
    visit = Visit.__table__
    first_id = (
        select(visit.c.id)
        .where(visit.c.case_id == case.c.id)
        .order_by(visit.c.visit_date, func.coalesce(visit.c.visit_time, literal(time(0), Time())), visit.c.id)
        .limit(1)
        .scalar_subquery()
    )
    first_on = select(func.min(visit.c.visit_date)).where(visit.c.case_id == case.c.id).scalar_subquery()
    return first_id, first_on


def refresh_cases(conn: Connection, case_ids: Iterable[UUID] | None = None) -> None:
    """Recompute the first visit of the given cases (all cases when None), then the copies on
    their visits."""
    refresh_first_visits(conn, case_ids)
    refresh_visit_copies(conn, case_ids)


def refresh_first_visits(conn: Connection, case_ids: Iterable[UUID] | None = None) -> None:
    """Recompute the first visit of the given cases (all cases when None)."""
    case = Case.__table__
    first_id, first_on = _first_visit_subqueries()
    _in_batches(conn, update(case).values(first_visit_id=first_id, first_visit_on=first_on), case.c.id, case_ids)


def refresh_visit_copies(conn: Connection, case_ids: Iterable[UUID] | None = None) -> None:
    """Copy the kind, the field and the first visit of the given cases (all when None) onto their
    visits. One UPDATE … FROM per batch; rows already right are not written (no index churn)."""
    case = Case.__table__
    visit = Visit.__table__
    first = func.coalesce(visit.c.id == case.c.first_visit_id, false())
    stmt = (
        update(visit)
        .values(case_kind=case.c.kind, case_field=case.c.field, first_of_case=first)
        .where(case.c.id == visit.c.case_id)
        .where(or_(visit.c.case_kind != case.c.kind, visit.c.case_field.is_distinct_from(case.c.field),
                   visit.c.first_of_case.is_distinct_from(first)))
    )
    _in_batches(conn, stmt, visit.c.case_id, case_ids)


def flag_first_visits(conn: Connection) -> None:
    """Set ``first_of_case`` on the first visit of every case, for visits just inserted with their
    case's kind and field and the flag off (a bulk load into empty tables, after
    refresh_first_visits): only those rows are written, instead of checking every visit."""
    case = Case.__table__
    visit = Visit.__table__
    firsts = select(case.c.first_visit_id).where(case.c.first_visit_id.is_not(None))
    conn.execute(update(visit).values(first_of_case=True).where(visit.c.id.in_(firsts),
                                                               visit.c.first_of_case.is_(False)))


def write_first_visits(conn: Connection, cases: list[tuple[Any, Any, Any]], visits: list[int], visit_rows: int) -> bool:
    """A bulk load into empty tables (services.interchange_fast) that found the first visit of each
    case while the rows went in: ``cases`` (first visit id, its date, case id) and the rowids of those
    visits, in storage form; ``visit_rows``: how many visits the loader inserted. Visits are found
    by rowid (the n-th row inserted into an empty table gets rowid n), which is checked first: False,
    nothing written, when the table does not hold exactly rowids 1..n (the caller then runs
    refresh_first_visits). Run before the indexes are built, this costs half as much as
    refresh_first_visits + flag_first_visits."""
    visit = Visit.__table__.name
    found = tuple(conn.exec_driver_sql(f'SELECT count(*), coalesce(max(rowid), 0) FROM "{visit}"').one())
    if found != (visit_rows, visit_rows):
        return False
    conn.exec_driver_sql(f'UPDATE "{Case.__table__.name}" SET first_visit_id = ?, first_visit_on = ? WHERE id = ?',
                         sorted(cases, key=lambda row: row[2]))  # in key order: neighbouring pages
    conn.exec_driver_sql(f'UPDATE "{visit}" SET first_of_case = 1 WHERE rowid = ?',
                         [(rowid,) for rowid in sorted(visits)])
    return True


def _in_batches(conn: Connection, stmt: Update, column: ColumnElement[Any],
                case_ids: Iterable[UUID] | None) -> None:
    """Run ``stmt`` for every row (None) or for the given cases, _BATCH ids per statement."""
    if case_ids is None:
        conn.execute(stmt)
        return
    ids = list(dict.fromkeys(case_ids))
    for start in range(0, len(ids), _BATCH):
        conn.execute(stmt.where(column.in_(ids[start : start + _BATCH])))
