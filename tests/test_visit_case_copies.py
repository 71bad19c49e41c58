"""The visits' copies of their case (case_kind, case_field, first_of_case; storage.cases) stay equal
to the case after every way a case or its visits change: saving and editing visits, back-dated
visits, imports (new, changed, fast path) and migration 0009 on a file made before it."""

from __future__ import annotations

import json
import uuid
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, column, insert, select, table

from reception_desk.services.interchange import import_jsonl
from reception_desk.services.visits import VisitInput, record_visit, update_visit
from reception_desk.storage import migrate
from reception_desk.storage.models import Case, Visit, utcnow
from tests.builders import add_case, add_citizen

TODAY = date(2026, 11, 20)
_visit = Visit.__table__
_case = Case.__table__


def copies(conn: Connection) -> dict[Any, tuple[str, str | None, bool]]:
    """Visit id → (case_kind, case_field, first_of_case) as stored."""
    rows = conn.execute(select(_visit.c.id, _visit.c.case_kind, _visit.c.case_field, _visit.c.first_of_case))
    return {r.id: (r.case_kind, r.case_field, bool(r.first_of_case)) for r in rows}


def expected(conn: Connection) -> dict[Any, tuple[str, str | None, bool]]:
    """The same, worked out from the case rows."""
    rows = conn.execute(select(_visit.c.id, _case.c.kind, _case.c.field, _case.c.first_visit_id)
                        .join(_case, _case.c.id == _visit.c.case_id))
    return {r.id: (r.kind, r.field, r.first_visit_id == r.id) for r in rows}


def assert_copies_right(engine: Engine) -> dict[Any, tuple[str, str | None, bool]]:
    with engine.connect() as conn:
        stored = copies(conn)
        assert stored == expected(conn)
    return stored


def _input(case_id: uuid.UUID, citizen: uuid.UUID, day: date, **kw: Any) -> VisitInput:
    return VisitInput(visit_date=day, case_id=case_id, citizen_ids=[citizen], content="Đề nghị giải quyết",
                      outcome="guided", **kw)


def test_saving_and_editing_visits_keeps_the_copies(engine: Engine) -> None:
    with engine.begin() as conn:
        person = add_citizen(conn, "Nguyễn Văn An")
        land = add_case(conn, kind="complaint", field="Đất đai")
        fraud = add_case(conn, kind="denunciation", field=None)
    first = record_visit(engine, _input(land, person, date(2026, 5, 4)), today=TODAY)
    second = record_visit(engine, _input(land, person, date(2026, 6, 1), visit_time=time(9)), today=TODAY)
    stored = assert_copies_right(engine)
    assert stored[first.id] == ("complaint", "Đất đai", True) and stored[second.id][2] is False
    # a back-dated visit becomes the first; the former first is now a repeat
    early = record_visit(engine, _input(land, person, date(2026, 3, 2)), today=TODAY)
    stored = assert_copies_right(engine)
    assert stored[early.id][2] and not stored[first.id][2]
    # moved to another case: it takes that case's kind and field and is its first visit; the
    # visit left behind on the first case is its first again
    update_visit(engine, early.id, early.version, _input(fraud, person, date(2026, 3, 2)), today=TODAY)
    stored = assert_copies_right(engine)
    assert stored[early.id] == ("denunciation", None, True) and stored[first.id][2]


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _records(kind: str, field: str | None) -> list[dict[str, Any]]:
    return [
        {"type": "citizen", "id": "C1", "full_name": "Trần Thị Bình"},
        {"type": "case", "id": "K1", "title": "Tranh chấp ranh giới", "kind": kind, "field": field},
        {"type": "case", "id": "K2", "title": "Đề nghị cấp sổ đỏ", "kind": "recommendation"},
        {"type": "visit", "id": "V1", "date": "2025-04-02", "reception": "regular", "case_id": "K1",
         "persons": 1, "citizen_ids": ["C1"]},
        {"type": "visit", "id": "V2", "date": "2025-02-10", "reception": "leader_scheduled", "case_id": "K1",
         "persons": 6, "citizen_ids": ["C1"]},
        {"type": "visit", "id": "V3", "date": "2025-02-11", "reception": "regular", "case_id": "K2",
         "persons": 1, "citizen_ids": ["C1"]},
    ]


def test_imports_keep_the_copies(engine: Engine, tmp_path: Path) -> None:
    import_jsonl(engine, _write(tmp_path / "a.jsonl", _records("complaint", "Đất đai")))
    stored = assert_copies_right(engine)
    assert sorted(stored.values()) == [("complaint", "Đất đai", False), ("complaint", "Đất đai", True),
                                       ("recommendation", None, True)]
    # the file again with K1 changed: its visits follow, though none of them changed
    result = import_jsonl(engine, _write(tmp_path / "b.jsonl", _records("denunciation", "Tài chính")))
    assert result.updated["case"] == 1 and result.updated["visit"] == 0
    stored = assert_copies_right(engine)
    assert sorted(stored.values()) == [("denunciation", "Tài chính", False), ("denunciation", "Tài chính", True),
                                       ("recommendation", None, True)]
    # a later file adds an earlier visit to a case stored before (not in that file)
    later = [{"type": "citizen", "id": "C1", "full_name": "Trần Thị Bình"},
             {"type": "visit", "id": "V0", "date": "2024-12-30", "reception": "regular", "case_id": "K1",
              "persons": 1, "citizen_ids": ["C1"]}]
    import_jsonl(engine, _write(tmp_path / "c.jsonl", later))
    stored = assert_copies_right(engine)
    assert sum(first for _, _, first in stored.values()) == 2  # V0 (K1) and V3 (K2)


@pytest.mark.parametrize("order", ["cases first", "visits first"])
def test_fast_path_import_fills_the_copies(sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           fast: list[bool], order: str) -> None:
    # cases first: the visits take their copies with their rows, and the first visits found while
    # they went in are written at the end; visits first: their cases come in later ranges
    # (references set at the end), and the first visits and the copies of every visit are refreshed
    from reception_desk.services import interchange_fast

    monkeypatch.setattr(interchange_fast, "RANGE_BYTES", 300)  # a few lines per range
    written: list[bool] = []
    real_write = interchange_fast.write_first_visits
    monkeypatch.setattr(interchange_fast, "write_first_visits",
                        lambda *args: written.append(True) or real_write(*args))
    refreshed: list[bool] = []
    real_refresh = interchange_fast.refresh_visit_copies
    monkeypatch.setattr(interchange_fast, "refresh_visit_copies",
                        lambda *args: refreshed.append(True) or real_refresh(*args))
    records = _records("complaint", "Đất đai")
    if order == "visits first":
        records = records[3:] + records[:3]
    import_jsonl(sqlite_engine, _write(tmp_path / "fast.jsonl", records))
    assert fast == [True]
    assert (written, refreshed) == (([True], []) if order == "cases first" else ([], [True]))
    stored = assert_copies_right(sqlite_engine)
    assert sorted(stored.values())[1] == ("complaint", "Đất đai", True)
    with sqlite_engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "ix_visit_stats" in names


def test_migration_0009_fills_the_copies_of_earlier_visits(engine: Engine) -> None:
    # the database as revision 0008 left it (downgraded from the current one)
    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0008")
    assert migrate.status(engine) != "current"
    # the visit table as revision 0008 made it: no copies yet
    old_visit = table("visit", *(column(c.name, c.type) for c in _visit.c
                                 if c.name not in ("case_kind", "case_field", "first_of_case")))
    now = utcnow()
    ids = [uuid.uuid4() for _ in range(3)]
    with engine.begin() as conn:
        land = add_case(conn, kind="complaint", field="Đất đai")
        other = add_case(conn, kind="feedback")
        for visit_id, case_id, day in ((ids[0], land, date(2025, 3, 1)), (ids[1], land, date(2025, 1, 5)),
                                       (ids[2], other, date(2025, 2, 2))):
            conn.execute(insert(old_visit), [{"id": visit_id, "created_at": now, "updated_at": now, "version": 1,
                                              "visit_date": day, "reception_mode": "regular", "case_id": case_id,
                                              "persons": 1, "is_delegation": False}])
        conn.execute(_case.update().where(_case.c.id == land).values(first_visit_id=ids[1],
                                                                    first_visit_on=date(2025, 1, 5)))
        conn.execute(_case.update().where(_case.c.id == other).values(first_visit_id=ids[2],
                                                                     first_visit_on=date(2025, 2, 2)))
    migrate.upgrade(engine)
    stored = assert_copies_right(engine)
    assert stored == {ids[0]: ("complaint", "Đất đai", False), ids[1]: ("complaint", "Đất đai", True),
                      ids[2]: ("feedback", None, True)}
    assert migrate.status(engine) == "current"
