"""The fast path of a large import into empty SQLite tables (services.interchange_fast).

A tiny file is cut into many ranges here (RANGE_BYTES patched), so that worker processes, references
to earlier and later ranges, and the whole-file checks are all exercised; every result is compared
with the general import of the same file into another empty database.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from reception_desk.services import interchange, interchange_fast
from reception_desk.services.errors import Cancelled, ValidationError
from reception_desk.services.interchange import import_jsonl
from reception_desk.storage.cases import refresh_cases
from reception_desk.storage.engine import make_engine
from tests.test_interchange import (
    EXAMPLE_COUNTS,
    EXTRAS,
    _word_index,
    content,
    counts,
    example_lines,
    write_jsonl,
)


@pytest.fixture
def general_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """Another empty migrated SQLite database, for the general import."""
    target = tmp_path / "general.sqlite"
    shutil.copyfile(sqlite_template, target)
    eng = make_engine(f"sqlite:///{target}")
    try:
        yield eng
    finally:
        eng.dispose()


def _general(engine: Engine, path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as m:
        m.setattr(interchange_fast, "FAST_MIN_BYTES", 10**15)
        return import_jsonl(engine, path)


def _all_records(examples_dir: Path) -> list[Any]:
    return [*EXTRAS, *example_lines(examples_dir)]


@pytest.mark.parametrize("order", ["file", "reversed"])
def test_fast_path_gives_the_same_database(sqlite_engine: Engine, general_engine: Engine, examples_dir: Path,
                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: list[bool],
                                           order: str) -> None:
    # reversed: nearly every reference points to a later range (set at the end of the import)
    records = _all_records(examples_dir)
    path = write_jsonl(tmp_path / "all.jsonl", records if order == "file" else records[::-1])
    assert len(interchange._layout(path, interchange_fast.fast_range_count(path.stat().st_size))[1]) > 10
    result = import_jsonl(sqlite_engine, path)
    assert fast == [True]
    assert result == _general(general_engine, path, monkeypatch)
    assert result.warnings and sum(result.added.values()) == len(records)
    assert content(sqlite_engine) == content(general_engine)
    # the first visits of the cases are set as by the general import (content compares them)
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    # a second import finds every record unchanged (the general import: the tables are not empty)
    again = import_jsonl(sqlite_engine, path)
    assert fast == [True] and sum(again.unchanged.values()) == len(records) and not sum(again.added.values())


def test_fast_path_ids_are_random_uuids_ascending_in_file_order(sqlite_engine: Engine, examples_dir: Path,
                                                                tmp_path: Path, fast: list[bool]) -> None:
    kept = str(uuid.uuid4())
    records = [*_all_records(examples_dir), {"type": "citizen", "id": kept, "full_name": "Mã là UUID"}]
    import_jsonl(sqlite_engine, write_jsonl(tmp_path / "all.jsonl", records))
    assert fast == [True]
    with sqlite_engine.connect() as conn:
        for table in ("citizen", "petition", "visit"):
            rows = conn.exec_driver_sql(f'SELECT id, external_id FROM "{table}" ORDER BY rowid').all()
            ids = [uuid.UUID(hex=i) for i, ext in rows if ext != kept]
            assert all(i.version == 4 and i.variant == uuid.RFC_4122 for i in ids)
            assert ids == sorted(ids) and len(set(ids)) == len(ids)
            # row n of a table is the n-th record of its type in the file
            assert [ext for _, ext in rows] == [r["id"] for r in records if SPEC_TABLES[r["type"]] == table]
        assert conn.exec_driver_sql("SELECT id FROM citizen WHERE external_id = ?", (kept,)).scalar() \
            == uuid.UUID(kept).hex


SPEC_TABLES = {spec.name: spec.table.name for spec in interchange.TYPES}


def _first_visit_state(engine: Engine) -> tuple[list[Any], list[Any]]:
    with engine.connect() as conn:
        cases = conn.exec_driver_sql("SELECT id, first_visit_id, first_visit_on FROM case_file ORDER BY id").all()
        visits = conn.exec_driver_sql("SELECT id, first_of_case, case_kind, case_field FROM visit ORDER BY id").all()
    return cases, visits


def test_fast_path_first_visits_found_while_inserting(sqlite_engine: Engine, examples_dir: Path, tmp_path: Path,
                                                       fast: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    # Ties the order must break as storage.cases does: same day without a time (midnight), at
    # midnight, later that day; an earlier day at a later hour; then the id when all else is equal.
    extra: list[dict[str, Any]] = [{"type": "case", "id": f"KT{n}", "title": f"Vụ thử {n}", "kind": "complaint"}
                                   for n in range(40)]
    visits = [("2024-01-05", None), ("2024-01-05", "00:00"), ("2024-01-05", "08:00"), ("2024-01-04", "09:30"),
              ("2024-01-04", "09:30"), ("2024-01-06", None)]
    # no time = 00:00, a tie broken by the id, which ascends in file order (test above)
    midnight = [("2024-02-01", "00:00"), ("2024-02-01", None), ("2024-02-01", "00:01")]
    for n in range(40):
        for k, (day, hour) in enumerate(visits[n % 3:] if n < 20 else midnight):
            visit = {"type": "visit", "id": f"VT{n}-{k}", "date": day, "reception": "regular",
                     "case_id": f"KT{n}", "persons": 1}
            if hour is not None:
                visit["time"] = hour
            extra.append(visit)
    used: list[bool] = []
    real = interchange_fast.write_first_visits
    monkeypatch.setattr(interchange_fast, "write_first_visits", lambda *a: used.append(real(*a)) or used[-1])
    import_jsonl(sqlite_engine, write_jsonl(tmp_path / "all.jsonl", [*_all_records(examples_dir), *extra]))
    assert fast == [True] and used == [True]
    found = _first_visit_state(sqlite_engine)
    # the refresh in SQL (what every later change runs) changes nothing
    with sqlite_engine.begin() as conn:
        refresh_cases(conn, None)
    assert _first_visit_state(sqlite_engine) == found
    with sqlite_engine.connect() as conn:
        firsts = dict(conn.exec_driver_sql(
            "SELECT c.external_id, v.external_id FROM case_file c JOIN visit v ON v.id = c.first_visit_id "
            "WHERE c.external_id LIKE 'KT%'").all())
        flagged = conn.exec_driver_sql("SELECT count(*) FROM visit WHERE first_of_case = 1").scalar()
        cases_with_visits = conn.exec_driver_sql("SELECT count(DISTINCT case_id) FROM visit").scalar()
    assert flagged == cases_with_visits
    assert firsts["KT0"] in ("VT0-3", "VT0-4") and firsts["KT1"] in ("VT1-2", "VT1-3")
    assert firsts["KT2"] in ("VT2-1", "VT2-2")
    assert all(firsts[f"KT{n}"] == f"VT{n}-0" for n in range(20, 40))


def test_fast_path_writes_nulls_as_null_not_nan(sqlite_engine: Engine, examples_dir: Path, tmp_path: Path,
                                                fast: list[bool]) -> None:
    # the workers' rows carry NaN for NULL (cheaper to bind); SQLite must have stored NULL
    assert math.isnan(interchange_fast._sqlite_null())
    import_jsonl(sqlite_engine, write_jsonl(tmp_path / "all.jsonl", _all_records(examples_dir)))
    assert fast == [True]
    nulls = 0
    with sqlite_engine.connect() as conn:
        for spec in interchange.TYPES:
            table = spec.table.name
            for column in spec.data_columns:
                found = dict(conn.exec_driver_sql(
                    f'SELECT typeof("{column}"), count(*) FROM "{table}" GROUP BY 1').all())
                assert "real" not in found, (table, column, found)
                nulls += found.get("null", 0)
    assert nulls > 100  # the example office leaves many optional fields out


def test_fast_path_lists_the_same_errors(sqlite_engine: Engine, general_engine: Engine, examples_dir: Path,
                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: list[bool]) -> None:
    good = example_lines(examples_dir)
    head = [
        '{"type": "citizen", "id": "X1", "full_name": "A"',
        {"type": "petition", "id": "X8", "received_on": "2025-01-02", "channel": "post", "kind": "feedback",
         "duplicate_of": "X9"},
        {"type": "visit", "id": "X5", "date": "2025-01-02", "reception": "regular", "case_id": "K404"},
        {"type": "citizen", "id": "Z1", "full_name": "Trùng ở cuối tệp", "nickname": "z"},
    ]
    tail = [
        {"type": "citizen", "id": "C2", "full_name": "Trùng mã ở phần khác"},
        {"type": "citizen", "id": "Z1", "full_name": "Trùng mã"},
        {"type": "petition", "id": "X9", "received_on": "2025-01-02", "channel": "post", "kind": "feedback",
         "duplicate_of": "X8", "citizen_ids": ["Z1", "C404"]},
        {"type": "visit", "id": "X6", "date": "2025-13-01", "reception": "regular", "case_id": "K1"},
        {"type": "case", "id": "K404", "title": "Tham chiếu từ đầu tệp", "kind": "complaint"},
    ]
    path = write_jsonl(tmp_path / "bad.jsonl", head + good + tail)
    with pytest.raises(ValidationError) as info:
        import_jsonl(sqlite_engine, path)
    with pytest.raises(ValidationError) as general:
        _general(general_engine, path, monkeypatch)
    assert info.value.errors == general.value.errors and str(info.value) == str(general.value)
    assert "line 2: duplicate_of: vòng lặp tham chiếu X8 → X9 → X8" in info.value.errors
    assert set(counts(sqlite_engine).values()) == {0}
    # only errors in ranges the workers never resolved: repeated ids and missing references alone
    only_cross = write_jsonl(tmp_path / "cross.jsonl", [*good, tail[0], {**tail[2], "duplicate_of": None}])
    with pytest.raises(ValidationError) as info:
        import_jsonl(sqlite_engine, only_cross)
    with pytest.raises(ValidationError) as general:
        _general(general_engine, only_cross, monkeypatch)
    assert info.value.errors == general.value.errors and len(info.value.errors) == 3
    assert set(counts(sqlite_engine).values()) == {0} and fast == []


def test_an_id_collision_falls_back_to_the_general_import(sqlite_engine: Engine, general_engine: Engine,
                                                          examples_dir: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch, fast: list[bool]) -> None:
    # every range draws the same ids: the primary key refuses the second range's rows
    monkeypatch.setattr(interchange_fast, "_window_ids",
                        lambda low, window, count: [f"{n:032x}" for n in range(count)])
    monkeypatch.setattr(interchange_fast, "_worker_count", lambda ranges: 0)  # the patch holds in this process
    path = write_jsonl(tmp_path / "all.jsonl", _all_records(examples_dir))
    result = import_jsonl(sqlite_engine, path)
    assert fast == [False]
    assert result == _general(general_engine, path, monkeypatch)
    assert content(sqlite_engine) == content(general_engine)


def _failing_worker(*_args: Any) -> None:
    raise SystemExit(3)


def test_a_failed_worker_falls_back_to_the_general_import(sqlite_engine: Engine, examples_dir: Path,
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          fast: list[bool]) -> None:
    monkeypatch.setattr(interchange_fast, "_fast_worker", _failing_worker)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    seen: list[int] = []
    result = import_jsonl(sqlite_engine, examples_dir / "small-office.jsonl", progress=lambda d, _t: seen.append(d))
    assert fast == [False] and result.added == EXAMPLE_COUNTS
    assert seen == sorted(seen) and seen[-1] == 108
    assert multiprocessing.active_children() == [] and list(scratch.iterdir()) == []


def test_fast_path_cancel_leaves_nothing(sqlite_engine: Engine, examples_dir: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, fast: list[bool]) -> None:
    monkeypatch.setattr(interchange, "INDEX_REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(interchange, "BULK_MIN_ROWS", 1)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    path = write_jsonl(tmp_path / "all.jsonl", _all_records(examples_dir))
    with sqlite_engine.connect() as conn:
        schema = conn.exec_driver_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name").all()
    calls: list[int] = []
    with pytest.raises(Cancelled):
        import_jsonl(sqlite_engine, path, cancel=lambda: len(calls) > 12 or bool(calls.append(1)))
    assert multiprocessing.active_children() == [] and list(scratch.iterdir()) == []
    assert set(counts(sqlite_engine).values()) == {0}
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name").all() == schema
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert import_jsonl(sqlite_engine, path).added["citizen"] == EXAMPLE_COUNTS["citizen"] + 1
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name").all() == schema


def test_fast_path_search_index_from_the_search_process(sqlite_engine: Engine, general_engine: Engine,
                                                        examples_dir: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch, fast: list[bool]) -> None:
    monkeypatch.setattr(interchange, "BULK_MIN_ROWS", 1)
    monkeypatch.setattr(interchange, "SEARCH_WORKER_MIN_ROWS", 1)
    rebuilds: list[int] = []
    real_rebuild = interchange_fast.rebuild_search_index
    monkeypatch.setattr(interchange_fast, "rebuild_search_index", lambda conn: rebuilds.append(1) or real_rebuild(conn))
    path = write_jsonl(tmp_path / "all.jsonl", _all_records(examples_dir))
    import_jsonl(sqlite_engine, path)
    assert fast == [True] and rebuilds == []
    with monkeypatch.context() as m:
        m.setattr(interchange, "SEARCH_WORKER_MIN_ROWS", 10**12)
        _general(general_engine, path, monkeypatch)
    assert _word_index(sqlite_engine) == _word_index(general_engine)
    assert _word_index(sqlite_engine)["search_petition"][0]
    with sqlite_engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO search_citizen(search_citizen) VALUES ('integrity-check')")


def test_layout_groups_keep_the_ranges_consecutive(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text("".join(json.dumps({"n": n, "pad": "x" * (n % 50)}) + "\n" for n in range(3000)))
    total, ranges = interchange._layout(path, 40)
    for parts in (1, 2, 3, 7, 40, 50):
        grouped = interchange._group(ranges, parts)
        assert 1 <= len(grouped) <= parts
        assert grouped[0][0] == 0 and grouped[-1][1] == path.stat().st_size
        assert all(a[1] == b[0] for a, b in zip(grouped, grouped[1:], strict=False))
        assert {g[2] for g in grouped} <= {r[2] for r in ranges}
    assert total == 3000
