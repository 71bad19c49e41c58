"""Gap-free numbers under concurrency: 8 OS processes issuing 500 documents each on one PostgreSQL.

Each issue is the letters service's own transaction shape: take the series' next number
(storage.numbering, row-locking UPDATE) and insert the issued_document row in the same
transaction. PostgreSQL only (the pg_url fixture; SQLite serialises writers by itself). The numbers must come out exactly 1..4000, each once (the unique constraint on
(series, year, number) would also refuse a duplicate).
"""

from __future__ import annotations

import json
import multiprocessing
import time
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from reception_desk.storage import letters as store
from reception_desk.storage.engine import make_engine
from reception_desk.storage.models import utcnow
from reception_desk.storage.numbering import last_number, next_number

PROCESSES = 8
EACH = 500
SERIES = "PC"
YEAR = 2026


def issue_many(url: str, count: int, desk: int) -> list[int]:
    """One desk: ``count`` documents, one transaction each."""
    engine = make_engine(url)
    numbers = []
    try:
        for _ in range(count):
            with engine.begin() as conn:
                number = next_number(conn, SERIES, YEAR)
                now = utcnow()
                store.insert_document(conn, {
                    "id": uuid.uuid4(), "created_at": now, "updated_at": now, "version": 1, "kind": "forwarding",
                    "series": SERIES, "year": YEAR, "number": number, "symbol": f"{number:02d}/{SERIES}-BTCD",
                    "issued_on": date(YEAR, 3, 2), "status": "issued", "recipient": f"Cơ quan {desk}",
                    "content": json.dumps({"desk": desk}), "issued_by": f"desk{desk}",
                })
            numbers.append(number)
    finally:
        engine.dispose()
    return numbers


def test_eight_desks_get_numbers_one_to_four_thousand(pg_url: str) -> None:
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(issue_many, [(pg_url, EACH, desk) for desk in range(PROCESSES)])
    elapsed = time.perf_counter() - started
    handed_out = sorted(n for numbers in results for n in numbers)
    assert handed_out == list(range(1, PROCESSES * EACH + 1))
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            stored = list(conn.execute(select(store.documents.c.number).where(store.documents.c.series == SERIES)
                                       .order_by(store.documents.c.number)).scalars())
            assert stored == handed_out
            assert conn.execute(select(func.count(func.distinct(store.documents.c.issued_by)))).scalar() == PROCESSES
            assert last_number(conn, SERIES, YEAR) == PROCESSES * EACH
    finally:
        engine.dispose()
    assert elapsed < 90, f"{elapsed:.1f} s"


def test_a_failed_issue_gives_its_number_back(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        with pytest.raises(RuntimeError, match="printer"), engine.begin() as conn:
            assert next_number(conn, SERIES, YEAR) == 1
            raise RuntimeError("printer jammed before the row was written")
        assert issue_many(pg_url, 2, 0) == [1, 2]
    finally:
        engine.dispose()
