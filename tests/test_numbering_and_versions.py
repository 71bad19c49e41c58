"""Gap-free numbering under concurrency, and optimistic locking, on both databases."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import Engine, insert, select

from reception_desk.domain.text import fold
from reception_desk.storage.models import Citizen, utcnow
from reception_desk.storage.numbering import last_number, next_number
from reception_desk.storage.versioning import StaleVersion, update_versioned


def test_numbers_restart_each_year_and_series(engine: Engine) -> None:
    with engine.begin() as conn:
        assert [next_number(conn, "PC", 2025) for _ in range(3)] == [1, 2, 3]
        assert next_number(conn, "PC", 2026) == 1
        assert next_number(conn, "HD", 2025) == 1
        assert last_number(conn, "PC", 2025) == 3


def test_rolled_back_number_is_given_back(engine: Engine) -> None:
    with engine.begin() as conn:
        next_number(conn, "PC", 2025)
    with pytest.raises(RuntimeError):
        with engine.begin() as conn:
            next_number(conn, "PC", 2025)
            raise RuntimeError("letter failed")
    with engine.begin() as conn:
        assert next_number(conn, "PC", 2025) == 2


def test_concurrent_desks_get_distinct_gap_free_numbers(engine: Engine) -> None:
    got: list[int] = []
    lock = threading.Lock()

    def desk() -> None:
        for _ in range(25):
            with engine.begin() as conn:
                n = next_number(conn, "PC", 2030)
            with lock:
                got.append(n)

    threads = [threading.Thread(target=desk) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 151))


def _citizen(engine: Engine) -> uuid.UUID:
    cid = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(insert(Citizen.__table__).values(
            id=cid, full_name="Trần Thị Hà", name_key=fold("Trần Thị Hà"), created_at=utcnow(),
            updated_at=utcnow(), version=1))
    return cid


def test_second_save_with_stale_version_is_refused(engine: Engine) -> None:
    table = Citizen.__table__
    cid = _citizen(engine)
    with engine.begin() as conn:  # desk A saves first
        assert update_versioned(conn, table, cid, 1, {"phone": "0905000002"}) == 2
    with pytest.raises(StaleVersion) as info:  # desk B read version 1 too
        with engine.begin() as conn:
            update_versioned(conn, table, cid, 1, {"phone": "0911111111"})
    assert info.value.current is not None and info.value.current["phone"] == "0905000002"
    with engine.connect() as conn:
        row = conn.execute(select(table.c.phone, table.c.version).where(table.c.id == cid)).one()
    assert tuple(row) == ("0905000002", 2)


def test_update_of_deleted_row_reports_none(engine: Engine) -> None:
    with pytest.raises(StaleVersion) as info:
        with engine.begin() as conn:
            update_versioned(conn, Citizen.__table__, uuid.uuid4(), 1, {"phone": "1"})
    assert info.value.current is None
