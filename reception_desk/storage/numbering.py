"""Gap-free document numbers per series per calendar year (Decree 30/2020: numbering restarts 1 January).

The number is taken inside the caller's transaction with an UPDATE that locks the sequence row, so
concurrent desks on one PostgreSQL queue up instead of getting the same number, and a rolled-back
letter gives its number back (no gap). SQLite serialises writers by itself.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from reception_desk.storage.models import DocumentNumber, utcnow


def next_number(conn: Connection, series: str, year: int) -> int:
    table = DocumentNumber.__table__
    bump = (
        update(table)
        .where(table.c.series == series, table.c.year == year)
        .values(last_number=table.c.last_number + 1, updated_at=utcnow())
        .returning(table.c.last_number)
    )
    number = conn.execute(bump).scalar()
    if number is not None:
        return int(number)
    # First number of the year: create the row; if another desk created it meanwhile, bump theirs.
    try:
        with conn.begin_nested():
            conn.execute(insert(table).values(series=series, year=year, last_number=1, updated_at=utcnow()))
        return 1
    except IntegrityError:
        return int(conn.execute(bump).scalar_one())


def last_number(conn: Connection, series: str, year: int) -> int:
    table = DocumentNumber.__table__
    value = conn.execute(
        select(table.c.last_number).where(table.c.series == series, table.c.year == year)
    ).scalar()
    return int(value or 0)
