"""Gap-free numbers under concurrency: 8 OS processes issuing 500 letters each on one PostgreSQL.

Each desk calls the letters service itself (services.letters.issue_receipt: settings, template,
next number with a row-locking UPDATE, the issued_document row and its audit event, one
transaction per letter). PostgreSQL only (the pg_url fixture; SQLite serialises writers by
itself). The numbers must come out exactly 1..4000, each once (the unique constraint on
(series, year, number) would also refuse a duplicate).
"""

from __future__ import annotations

import json
import multiprocessing
import time
import uuid
from datetime import date

import pytest
from sqlalchemy import func, insert, select

from reception_desk.services import letters
from reception_desk.services.settings import OfficeSettings, save_office_settings
from reception_desk.storage import letters as store
from reception_desk.storage import reference
from reception_desk.storage.engine import make_engine
from reception_desk.storage.models import PetitionSigner, utcnow
from reception_desk.storage.numbering import last_number, next_number
from tests.builders import add_citizen, add_petition

PROCESSES = 8
EACH = 500
SERIES = "PC"
RECEIPTS = "BN"  # the receipt template's series
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


def issue_receipts(url: str, count: int, desk: int, petition_id: str) -> list[int]:
    """One desk: ``count`` receipts through the letters service, one transaction each."""
    engine = make_engine(url)
    try:
        return [letters.issue_receipt(engine, [f"Đơn của bàn {desk}"], petition_id=petition_id,
                                      issued_on=date(YEAR, 3, 2), actor=f"desk{desk}").number
                for _ in range(count)]
    finally:
        engine.dispose()


def test_eight_desks_get_numbers_one_to_four_thousand(pg_url: str) -> None:
    engine = make_engine(pg_url)
    reference.seed(engine)
    save_office_settings(engine, OfficeSettings(
        office_name="Ban Tiếp công dân tỉnh Hà Tĩnh", office_symbol="BTCD", place_name="Hà Tĩnh",
        signer_name="Trần Văn Bình", signer_title="Phó Trưởng ban"), actor="test")
    with engine.begin() as conn:
        citizen = add_citizen(conn, "Lê Văn Nam")
        petition = add_petition(conn, date(YEAR, 3, 1), "complaint")
        conn.execute(insert(PetitionSigner.__table__), [{"petition_id": petition, "citizen_id": citizen,
                                                          "ordinal": 0}])
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(issue_receipts, [(pg_url, EACH, desk, str(petition)) for desk in range(PROCESSES)])
    elapsed = time.perf_counter() - started
    handed_out = sorted(n for numbers in results for n in numbers)
    assert handed_out == list(range(1, PROCESSES * EACH + 1))
    docs = store.documents
    try:
        with engine.connect() as conn:
            stored = list(conn.execute(select(docs.c.number).where(docs.c.series == RECEIPTS)
                                       .order_by(docs.c.number)).scalars())
            assert stored == handed_out
            symbols = conn.execute(select(func.count(func.distinct(docs.c.symbol)))).scalar()
            assert symbols == PROCESSES * EACH
            assert conn.execute(select(func.count(func.distinct(docs.c.issued_by)))).scalar() == PROCESSES
            assert last_number(conn, RECEIPTS, YEAR) == PROCESSES * EACH
    finally:
        engine.dispose()
    assert elapsed < 120, f"{elapsed:.1f} s"


def test_a_failed_issue_gives_its_number_back(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        with pytest.raises(RuntimeError, match="printer"), engine.begin() as conn:
            assert next_number(conn, SERIES, YEAR) == 1
            raise RuntimeError("printer jammed before the row was written")
        assert issue_many(pg_url, 2, 0) == [1, 2]
    finally:
        engine.dispose()
