"""The interchange format: all-or-nothing import, idempotence, updates, exact round trip.

Every database test runs on SQLite and PostgreSQL (the ``engine`` fixture).
"""

from __future__ import annotations

import json
import shutil
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, create_engine, func, select, text, update
from sqlalchemy.exc import OperationalError

from reception_desk.domain.text import fold, nfc
from reception_desk.services import interchange
from reception_desk.services.errors import Cancelled, ValidationError
from reception_desk.services.interchange import ImportResult, export_jsonl, import_jsonl
from reception_desk.services.interchange_format import SURE_CHARACTERS, TYPES, _is_clean, line_is_clean
from reception_desk.storage.engine import make_engine
from reception_desk.storage.models import (
    Agency,
    AuditEvent,
    Case,
    Citizen,
    Petition,
    PetitionSigner,
    SessionAgency,
    SessionCase,
    Visit,
    VisitCitizen,
    new_id,
    utcnow,
)
from reception_desk.storage.search_queries import search_index_ready

LINK_TABLES = [VisitCitizen.__table__, PetitionSigner.__table__, SessionAgency.__table__, SessionCase.__table__]
ALL_TABLES = [spec.table for spec in TYPES] + LINK_TABLES + [AuditEvent.__table__]
EXAMPLE_COUNTS = {"agency": 2, "citizen": 8, "case": 8, "session": 0, "visit": 40, "petition": 30,
                  "transfer": 15, "directive": 5}

# Every optional field of every type, a session, self-references and a multi-line note.
EXTRAS = [
    {"type": "agency", "id": "A3", "name": "Phòng  Tiếp dân", "address": None, "email": None,
     "short_code": "PTD", "level": "commune", "parent_id": "A1", "phone": "0262 3000000", "active": False},
    {"type": "citizen", "id": "C9", "full_name": "Ksor H'Ngơn", "id_number": "C1234567", "address": "Buôn Đôn",
     "phone": None, "birth_year": 1990, "gender": "nữ", "id_type": "passport", "note": "dòng 1\ndòng 2"},
    {"type": "case", "id": "K9", "title": "Tranh chấp đất rẫy", "kind": "complaint", "field": "Đất đai",
     "place": "xã Ea Tu", "status": "in_progress", "remote_area": True},
    {"type": "session", "id": "S1", "held_on": "2025-03-14", "kind": "scheduled", "reception": "leader_scheduled",
     "leader": "Trần Văn Bình", "leader_position": "Chủ tịch UBND", "authorised_by": None, "place": "Trụ sở",
     "note": None, "agency_ids": ["A2", "A1"], "case_ids": ["K9"]},
    {"type": "visit", "id": "V41", "date": "2025-03-14", "time": "08:30", "reception": "leader_scheduled",
     "session_id": "S1", "host": "Trần Văn Bình", "case_id": "K9", "persons": 6, "is_delegation": False,
     "citizen_ids": ["C9", "C2"], "representative_ids": ["C9"], "content": "Đề nghị đo đạc lại",
     "outcome": "guided", "refusal_ground": None, "note": "ghi chú"},
    {"type": "visit", "id": "V42", "date": "2025-03-15", "reception": "regular", "case_id": "K9",
     "citizen_ids": ["C9"], "refusal_ground": "k2", "outcome": "refused"},
    {"type": "petition", "id": "P31", "received_on": "2025-03-20", "channel": "transferred_in",
     "kind": "denunciation", "case_id": "K9", "citizen_ids": ["C9", "C1"], "anonymous": False,
     "summary": "Tố cáo cán bộ địa chính", "duplicate_of": "P1", "field": "Đất đai", "handling": "accept",
     "eligible": True, "ineligible_reason": None, "confidential": False, "dated_on": "2025-03-18",
     "source_agency_id": "A3", "incoming_number": "12/CV"},
    {"type": "transfer", "id": "T16", "petition_id": "P31", "agency_id": "A3", "sent_on": "2025-03-25",
     "number": "5/PC", "due_on": "2025-04-08", "answered_on": "2025-04-01", "answer_number": "7/TL",
     "result": "Đã giải quyết"},
    {"type": "directive", "id": "D6", "issued_on": "2025-03-26", "number": "6/UBND-NC", "subject": "Chỉ đạo",
     "case_id": "K9", "petition_id": "P31"},
]


# --- helpers ----------------------------------------------------------------------------------


def write_jsonl(path: Path, records: list[Any]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def example_lines(examples_dir: Path) -> list[dict[str, Any]]:
    text_ = (examples_dir / "small-office.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text_.splitlines() if line.strip()]


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in ALL_TABLES}


def stamps(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {spec.table.name: sorted(conn.execute(select(spec.table.c.id, spec.table.c.version,
                                                              spec.table.c.updated_at)).all(), key=str)
                for spec in TYPES}


def content(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """The stored data with every UUID replaced by the record's file id: equal databases give
    equal contents whatever ids and timestamps they hold."""
    with engine.connect() as conn:
        names: dict[str, dict[Any, str]] = {}
        for spec in TYPES:
            t = spec.table
            names[t.name] = {i: e or str(i) for i, e in conn.execute(select(t.c.id, t.c.external_id))}
        out: dict[str, list[dict[str, Any]]] = {}
        for t in [spec.table for spec in TYPES] + LINK_TABLES:
            rows = []
            for row in conn.execute(select(t)).mappings():
                item = {}
                for c in t.c:
                    if c.name in ("created_at", "updated_at", "version", "external_id"):
                        continue
                    value = row[c.name]
                    target = next(iter(c.foreign_keys)).column.table.name if c.foreign_keys else None
                    if c.name == "id":
                        target = t.name
                    elif c.name == "first_visit_id":
                        target = "visit"
                    if target is not None and value is not None:
                        value = names[target][value]
                    item[c.name] = value
                rows.append(item)
            out[t.name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
        return out


@pytest.fixture
def second_url(db_url: str, sqlite_template: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Another empty migrated database on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        target = tmp_path / "second.sqlite"
        shutil.copyfile(sqlite_template, target)
        yield f"sqlite:///{target}"
        return
    admin_url = request.getfixturevalue("pg_admin_url")
    template = request.getfixturevalue("pg_template")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"rd_second_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield f"{admin_url.rpartition('/')[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def second_engine(second_url: str) -> Iterator[Engine]:
    eng = make_engine(second_url)
    try:
        yield eng
    finally:
        eng.dispose()


# --- the example office -------------------------------------------------------------------------


def test_example_imports_with_the_right_counts(engine: Engine, examples_dir: Path) -> None:
    result = import_jsonl(engine, examples_dir / "small-office.jsonl")
    assert isinstance(result, ImportResult)
    assert result.added == EXAMPLE_COUNTS
    assert sum(result.updated.values()) == 0 and sum(result.unchanged.values()) == 0
    assert result.total_lines == 108
    # V7 names C7 twice in both lists: kept once, with a warning
    assert any(w.startswith("line 25: citizen_ids: mã C7 lặp lại") for w in result.warnings)
    assert "visit (lượt tiếp)" in result.summary() and "Thêm mới" in result.summary()
    found = counts(engine)
    assert found["visit"] == 40 and found["petition"] == 30 and found["audit_event"] == 1
    assert found["visit_citizen"] > 40 and found["petition_signer"] == 30
    with engine.connect() as conn:
        v, c, k, p = Visit.__table__, Citizen.__table__, Case.__table__, Petition.__table__
        assert conn.execute(select(v.c.is_delegation).where(v.c.external_id == "V1")).scalar_one() is True
        assert conn.execute(select(v.c.is_delegation).where(v.c.external_id == "V2")).scalar_one() is False
        assert conn.execute(select(v.c.content_key).where(v.c.external_id == "V1")).scalar_one() == \
            "trinh bay noi dung"
        name, key, id_type = conn.execute(select(c.c.full_name, c.c.name_key, c.c.id_type)
                                          .where(c.c.external_id == "C1")).one()
        assert (name, key, id_type) == ("Nguyễn Văn Đức", "nguyen van duc", "cccd")
        assert conn.execute(select(k.c.title_key).where(k.c.external_id == "K1")).scalar_one() == "vu viec so 1"
        # confidential by default for denunciations only
        rows = conn.execute(select(p.c.kind, p.c.confidential, p.c.summary_key)).all()
        assert all(conf == (kind == "denunciation") for kind, conf, _ in rows)
        assert {key for _, _, key in rows} == {"noi dung don"}
        # citizens and representatives of V1 in the file's order
        links = conn.execute(
            select(VisitCitizen.role, VisitCitizen.ordinal, c.c.external_id)
            .join(c, c.c.id == VisitCitizen.citizen_id).join(v, v.c.id == VisitCitizen.visit_id)
            .where(v.c.external_id == "V1").order_by(VisitCitizen.role, VisitCitizen.ordinal)
        ).all()
        assert [tuple(r) for r in links] == [("citizen", 0, "C3"), ("citizen", 1, "C1"),
                                             ("representative", 0, "C3"), ("representative", 1, "C1")]
        # first visit of K8: V11 on 2024-12-22 (refresh_first_visits ran)
        first = conn.execute(select(k.c.first_visit_on, v.c.external_id).join(v, v.c.id == k.c.first_visit_id)
                             .where(k.c.external_id == "K8")).one()
        assert str(first[0]) == "2024-12-22" and first[1] == "V11"
        detail = json.loads(conn.execute(select(AuditEvent.detail).where(AuditEvent.action == "import")).scalar_one())
        assert detail["file"] == "small-office.jsonl" and detail["added"]["visit"] == 40
        assert search_index_ready(conn)


def test_reimport_changes_nothing(engine: Engine, examples_dir: Path) -> None:
    import_jsonl(engine, examples_dir / "small-office.jsonl")
    before_counts, before_stamps, before = counts(engine), stamps(engine), content(engine)
    again = import_jsonl(engine, examples_dir / "small-office.jsonl")
    assert again.unchanged == EXAMPLE_COUNTS
    assert sum(again.added.values()) == 0 and sum(again.updated.values()) == 0
    assert "Không có gì thay đổi" in again.summary()
    after_counts = counts(engine)
    assert after_counts.pop("audit_event") == before_counts.pop("audit_event") + 1
    assert after_counts == before_counts
    assert stamps(engine) == before_stamps  # no version bump, no updated_at change
    assert content(engine) == before


def test_changed_records_are_updated(engine: Engine, examples_dir: Path, tmp_path: Path) -> None:
    records = example_lines(examples_dir)
    import_jsonl(engine, write_jsonl(tmp_path / "a.jsonl", records))
    before = stamps(engine)
    for r in records:
        if r["id"] == "C2" and r["type"] == "citizen":
            r["phone"] = "0999 999 999"
        if r["id"] == "V2" and r["type"] == "visit":
            r["citizen_ids"] = ["C8", "C3"]  # only the order changes
        if r["id"] == "V3" and r["type"] == "visit":
            r["case_id"] = "K2"  # moves to another case: both cases' first visit is recomputed
    result = import_jsonl(engine, write_jsonl(tmp_path / "b.jsonl", records))
    assert result.updated == {**dict.fromkeys(EXAMPLE_COUNTS, 0), "citizen": 1, "visit": 2}
    assert result.unchanged["visit"] == 38 and result.unchanged["petition"] == 30
    after = stamps(engine)
    with engine.connect() as conn:
        c, v, k = Citizen.__table__, Visit.__table__, Case.__table__
        row = conn.execute(select(c.c.id, c.c.phone, c.c.version, c.c.updated_at)
                           .where(c.c.external_id == "C2")).one()
        assert row.phone == "0999 999 999" and row.version == 2
        assert row.updated_at > dict((i, u) for i, _, u in before["citizen"])[row.id]
        order = conn.execute(
            select(Citizen.external_id).join(VisitCitizen, VisitCitizen.citizen_id == Citizen.id)
            .join(v, v.c.id == VisitCitizen.visit_id).where(v.c.external_id == "V2")
            .order_by(VisitCitizen.ordinal)).scalars().all()
        assert order == ["C8", "C3"]
        first_k1 = conn.execute(select(v.c.external_id).join(k, k.c.first_visit_id == v.c.id)
                                .where(k.c.external_id == "K1")).scalar_one()
        assert first_k1 != "V3"
    unchanged_versions = [ver for table, rows in after.items() for _, ver, _ in rows
                          if table not in ("citizen", "visit")]
    assert set(unchanged_versions) == {1}


def test_references_to_records_of_an_earlier_import(engine: Engine, tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "people.jsonl", [
        {"type": "citizen", "id": "C1", "full_name": "Nguyễn Văn A"},
        {"type": "case", "id": "K1", "title": "Vụ việc", "kind": "feedback"},
        {"type": "agency", "id": "A1", "name": "Sở Xây dựng"},
    ])
    import_jsonl(engine, first)
    second = write_jsonl(tmp_path / "visits.jsonl", [
        {"type": "transfer", "id": "T1", "petition_id": "P1", "agency_id": "A1", "sent_on": "2025-02-01"},
        {"type": "petition", "id": "P1", "received_on": "2025-01-31", "channel": "post", "kind": "feedback",
         "case_id": "K1", "citizen_ids": ["C1"]},
        {"type": "visit", "id": "V1", "date": "2025-01-30", "reception": "regular", "case_id": "K1",
         "citizen_ids": ["C1"]},
    ])
    result = import_jsonl(engine, second)
    assert result.added["visit"] == result.added["petition"] == result.added["transfer"] == 1
    assert result.added["citizen"] == 0
    assert counts(engine)["citizen"] == 1
    dangling = write_jsonl(tmp_path / "dangling.jsonl", [
        {"type": "visit", "id": "V2", "date": "2025-01-30", "reception": "regular", "case_id": "K404",
         "citizen_ids": ["C1", "C404"]},
    ])
    with pytest.raises(ValidationError) as info:
        import_jsonl(engine, dangling)
    assert info.value.errors == [
        "line 1: case_id: không tìm thấy vụ việc “K404” (trong tệp hoặc cơ sở dữ liệu)",
        "line 1: citizen_ids: không tìm thấy công dân “C404” (trong tệp hoặc cơ sở dữ liệu)",
    ]


# --- errors -------------------------------------------------------------------------------------


def test_every_error_is_listed_and_nothing_is_written(engine: Engine, examples_dir: Path, tmp_path: Path) -> None:
    good = example_lines(examples_dir)
    bad = [
        '{"type": "citizen", "id": "X1", "full_name": "A"',  # 1: broken JSON
        "[1, 2]",  # 2: not an object
        {"type": "person", "id": "X2"},  # 3: unknown type
        {"id": "X3"},  # 4: no type
        {"type": "citizen", "full_name": "Không mã"},  # 5: no id
        {"type": "petition", "id": "X4", "received_on": "2025-13-01", "channel": "fax", "kind": "complaint",
         "citizen_ids": "C1"},  # 6: bad date, bad enum, list expected
        {"type": "visit", "id": "X5", "date": "2025-01-02", "reception": "regular", "case_id": "K1",
         "persons": 0, "time": "25:00"},  # 7: persons < 1, bad time
        {"type": "visit", "id": "X6", "date": None, "reception": "regular", "case_id": "K1",
         "persons": "3", "is_delegation": "yes"},  # 8: null required, not an integer, not a boolean
        {"type": "citizen", "id": "C1", "full_name": "Trùng mã"},  # 9: the example's C1 repeats it
        {"type": "petition", "id": "X7", "received_on": "2025-01-02", "channel": "post", "kind": "feedback",
         "duplicate_of": "X7"},  # 10: duplicate of itself
        {"type": "petition", "id": "X8", "received_on": "2025-01-02", "channel": "post", "kind": "feedback",
         "duplicate_of": "X9"},  # 11: a loop X8 -> X9 -> X8
        {"type": "petition", "id": "X9", "received_on": "2025-01-02", "channel": "post", "kind": "feedback",
         "duplicate_of": "X8"},  # 12
        {"type": "case", "id": "X10", "title": "x" * 501, "kind": "complaint"},  # 13: too long
        {"type": "case", "id": "X11", "title": "   ", "kind": "complaint"},  # 14: blank required text
        {"type": "transfer", "id": "X12", "petition_id": "P404", "agency_id": "A1", "sent_on": "2025-02-30"},  # 15
        {"type": "citizen", "id": "X13", "full_name": 12},  # 16: not a string
    ]
    path = write_jsonl(tmp_path / "bad.jsonl", bad + good)
    with pytest.raises(ValidationError) as info:
        import_jsonl(engine, path)
    errors = info.value.errors
    expected = [
        "line 1: json: dòng không phải JSON hợp lệ",
        "line 2: json: mỗi dòng phải là một đối tượng JSON {…}",
        "line 3: type: loại bản ghi không hợp lệ “person” (cho phép: agency, citizen, case, session, visit, "
        "petition, transfer, directive)",
        "line 4: type: thiếu trường bắt buộc",
        "line 5: id: thiếu trường bắt buộc",
        "line 6: received_on: ngày không hợp lệ “2025-13-01” (định dạng YYYY-MM-DD)",
        "line 6: channel: giá trị không hợp lệ “fax” (cho phép: in_person, post, zalo, portal, hotline, email, "
        "field_app, transferred_in, other)",
        "line 6: citizen_ids: phải là danh sách mã",
        "line 7: time: giờ không hợp lệ “25:00” (định dạng HH:MM hoặc HH:MM:SS)",
        "line 7: persons: phải từ 1 trở lên (đang là 0)",
        "line 8: date: bắt buộc, không được để null",
        "line 8: persons: phải là số nguyên (đang là “3”)",
        "line 8: is_delegation: phải là true hoặc false (đang là “yes”)",
        f"line {len(bad) + 1}: id: mã “C1” trùng với công dân ở dòng 9",
        "line 10: duplicate_of: đơn không thể là đơn trùng của chính nó",
        "line 11: duplicate_of: vòng lặp tham chiếu X8 → X9 → X8",
        "line 13: title: dài quá 500 ký tự (đang có 501)",
        "line 14: title: không được để trống",
        "line 15: sent_on: ngày không hợp lệ “2025-02-30” (định dạng YYYY-MM-DD)",
        "line 16: full_name: phải là chuỗi ký tự",
    ]
    for message in expected:
        assert any(e.startswith(message) for e in errors), (message, errors)
    # one error a line, in line order, each "line N: field: message"
    numbers = [int(e.split(":")[0].removeprefix("line ")) for e in errors]
    assert numbers == sorted(numbers)
    assert all(e.count(": ") >= 2 for e in errors)
    assert "lỗi" in str(info.value) and "chưa ghi gì" in str(info.value)
    assert set(counts(engine).values()) == {0}


def test_the_same_id_in_two_types_is_not_a_duplicate(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "f.jsonl", [
        {"type": "citizen", "id": "1", "full_name": "A"},
        {"type": "case", "id": 1, "title": "B", "kind": "feedback"},
        {"type": "visit", "id": "1", "date": "2025-01-01", "reception": "regular", "case_id": 1, "citizen_ids": [1]},
    ])
    result = import_jsonl(engine, path)
    assert result.added["citizen"] == result.added["case"] == result.added["visit"] == 1


def test_a_database_error_leaves_nothing_behind(engine: Engine, examples_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any) -> None:
        raise OperationalError("UPDATE case_file", {}, Exception("disk I/O error"))

    monkeypatch.setattr(interchange, "_refresh_cases", broken)
    with pytest.raises(OperationalError):
        import_jsonl(engine, examples_dir / "small-office.jsonl")
    assert set(counts(engine).values()) == {0}
    with engine.connect() as conn:
        assert search_index_ready(conn)


def test_cancel_rolls_everything_back(engine: Engine, examples_dir: Path) -> None:
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) >= 4  # after some tables were written

    with pytest.raises(Cancelled):
        import_jsonl(engine, examples_dir / "small-office.jsonl", cancel=cancel)
    assert len(calls) >= 4
    assert set(counts(engine).values()) == {0}
    with engine.connect() as conn:
        assert search_index_ready(conn)
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # the database is still usable and the import works afterwards
    assert import_jsonl(engine, examples_dir / "small-office.jsonl").added == EXAMPLE_COUNTS


def test_progress_is_reported(engine: Engine, examples_dir: Path, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interchange, "BATCH", 10)  # several batches even for a small file
    seen: list[tuple[int, int]] = []
    import_jsonl(engine, examples_dir / "small-office.jsonl", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 108) and seen[-1] == (108, 108)
    assert all(t == 108 for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    exported: list[tuple[int, int]] = []
    assert sum(export_jsonl(engine, tmp_path / "out.jsonl", progress=lambda d, t: exported.append((d, t))).values()) \
        == 108
    assert exported[-1] == (108, 108)


# --- text ---------------------------------------------------------------------------------------


def test_nfd_input_gives_the_same_rows_as_nfc(engine: Engine, examples_dir: Path, tmp_path: Path) -> None:
    source = (examples_dir / "small-office.jsonl").read_text(encoding="utf-8")
    extras = "\n".join(json.dumps(r, ensure_ascii=False) for r in EXTRAS) + "\n"
    nfd = tmp_path / "nfd.jsonl"
    nfd.write_text(unicodedata.normalize("NFD", source + extras), encoding="utf-8")
    assert nfd.read_text(encoding="utf-8") != source + extras
    import_jsonl(engine, nfd)
    nfc_file = tmp_path / "nfc.jsonl"
    nfc_file.write_text(source + extras, encoding="utf-8")
    again = import_jsonl(engine, nfc_file)
    assert sum(again.added.values()) == 0 and sum(again.updated.values()) == 0  # stored rows are identical
    with engine.connect() as conn:
        names = conn.execute(select(Citizen.full_name, Citizen.name_key)).all()
    assert all(unicodedata.is_normalized("NFC", n) and k == fold(n) for n, k in names)
    assert ("Ksor H'Ngơn", "ksor h'ngon") in [tuple(r) for r in names]


VIETNAMESE = st.text(alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ ÁÀẢÃẠấầẩẫậéèẻẽẹ"
                                                   "íìỉĩịóòỏõọớờởỡợúùủũụứừửữựýỳỷỹỵ\t\n\u00a0\u0301\u0323ŭ")),
                     max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.one_of(VIETNAMESE, st.text(max_size=30)))
def test_fold_and_clean_check_agree_with_plain_definitions(value: str) -> None:
    # fold() strips marks with one regex for speed; this is the character-by-character definition.
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "d")
    assert fold(value) == " ".join(plain.replace("ð", "d").replace("Ð", "d").casefold().split())
    if _is_clean(value):
        assert nfc(value) == value


# --- export and round trip ----------------------------------------------------------------------


def _add_desk_records(engine: Engine) -> None:
    """Records typed at the desk: no external id (exported with their UUID)."""
    now = utcnow()
    with engine.begin() as conn:
        agency_id, citizen_id = new_id(), new_id()
        conn.execute(Agency.__table__.insert(), [{
            "id": agency_id, "external_id": None, "created_at": now, "updated_at": now, "version": 3,
            "name": "Thanh tra tỉnh", "name_key": "thanh tra tinh", "active": True}])
        conn.execute(Citizen.__table__.insert(), [{
            "id": citizen_id, "external_id": None, "created_at": now, "updated_at": now, "version": 1,
            "full_name": "Lê Thị Desk", "name_key": "le thi desk", "id_number": None}])
        pid = conn.execute(select(Petition.id).where(Petition.external_id == "P2")).scalar_one()
        conn.execute(PetitionSigner.__table__.insert(), [{"petition_id": pid, "citizen_id": citizen_id,
                                                          "ordinal": 1}])


def test_round_trip_is_byte_exact(engine: Engine, second_engine: Engine, examples_dir: Path,
                                  tmp_path: Path) -> None:
    import_jsonl(engine, examples_dir / "small-office.jsonl")
    import_jsonl(engine, write_jsonl(tmp_path / "extras.jsonl", EXTRAS))
    _add_desk_records(engine)
    first = tmp_path / "first.jsonl"
    exported = export_jsonl(engine, first)
    assert exported == {**EXAMPLE_COUNTS, "agency": 4, "citizen": 10, "case": 9, "session": 1, "visit": 42,
                        "petition": 31, "transfer": 16, "directive": 6}
    result = import_jsonl(second_engine, first)
    assert result.added == exported and result.warnings == [line for line in result.warnings
                                                                  if "id_number" in line or "is_delegation" in line]
    second = tmp_path / "second.jsonl"
    export_jsonl(second_engine, second)
    assert first.read_bytes() == second.read_bytes()
    assert content(engine) == content(second_engine)
    # and importing one's own export changes nothing, desk records included
    again = import_jsonl(engine, first)
    assert sum(again.added.values()) == 0 and sum(again.updated.values()) == 0
    with engine.connect() as conn:
        actions = conn.execute(select(AuditEvent.action).order_by(AuditEvent.at)).scalars().all()
    assert actions.count("export") == 1 and actions.count("import") == 3


def test_export_is_deterministic_and_complete(engine: Engine, examples_dir: Path, tmp_path: Path) -> None:
    import_jsonl(engine, examples_dir / "small-office.jsonl")
    import_jsonl(engine, write_jsonl(tmp_path / "extras.jsonl", EXTRAS))
    _add_desk_records(engine)
    out = tmp_path / "out.jsonl"
    export_jsonl(engine, out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    order = [spec.name for spec in TYPES]
    assert [order.index(r["type"]) for r in lines] == sorted(order.index(r["type"]) for r in lines)
    citizens = [r["id"] for r in lines if r["type"] == "citizen" and r["id"].startswith("C")]
    assert citizens[:9] == [f"C{i}" for i in range(1, 10)]  # natural order: C9 before any C10
    desk = next(r for r in lines if r["type"] == "citizen" and r["full_name"] == "Lê Thị Desk")
    assert uuid.UUID(desk["id"])
    p2 = next(r for r in lines if r["type"] == "petition" and r["id"] == "P2")
    assert p2["citizen_ids"] == ["C7", desk["id"]]
    v41 = next(r for r in lines if r["id"] == "V41")
    assert v41 == {**EXTRAS[4], "time": "08:30:00"}
    s1 = next(r for r in lines if r["type"] == "session")
    assert s1["agency_ids"] == ["A1", "A2"] and s1["case_ids"] == ["K9"]
    a3 = next(r for r in lines if r["id"] == "A3")
    assert a3["name"] == "Phòng Tiếp dân" and a3["active"] is False and a3["parent_id"] == "A1"
    c9 = next(r for r in lines if r["id"] == "C9")
    assert c9["note"] == "dòng 1\ndòng 2" and c9["birth_year"] == 1990
    # every stored column of every table is in the file, apart from local bookkeeping and what is
    # derived from other records (a case's first visit, a visit's copies of its case)
    for spec in TYPES:
        record = next((r for r in lines if r["type"] == spec.name), None)
        assert record is not None
        stored = {c.name for c in spec.table.c} - {"id", "external_id", "created_at", "updated_at", "version",
                                                   "first_visit_id", "first_visit_on",
                                                   "case_kind", "case_field", "first_of_case"}
        stored -= {k for k, _, _ in spec.key_columns}
        written = {f.column for f in spec.scalars}
        assert stored == written, spec.name


def test_export_refuses_a_folder(engine: Engine, tmp_path: Path) -> None:
    from reception_desk.services.errors import UserError

    with pytest.raises(UserError, match="thư mục"):
        export_jsonl(engine, tmp_path)


def test_rows_written_by_import_read_back_through_the_models(engine: Engine, tmp_path: Path) -> None:
    """Values are written in the storage form directly: SQLAlchemy must read them as usual."""
    import_jsonl(engine, write_jsonl(tmp_path / "a.jsonl", [
        {"type": "case", "id": "K9", "title": "T", "kind": "complaint"},
        {"type": "citizen", "id": "C9", "full_name": "A"},
        {"type": "visit", "id": "V1", "date": "2025-03-14", "time": "08:30:15", "reception": "regular",
         "case_id": "K9", "persons": 7, "citizen_ids": ["C9"]},
    ]))
    with engine.connect() as conn:
        row = conn.execute(select(Visit.__table__).where(Visit.external_id == "V1")).mappings().one()
        case_id = conn.execute(select(Case.id).where(Case.external_id == "K9")).scalar_one()
        assert isinstance(row["id"], uuid.UUID) and row["id"].version == 4
        assert row["case_id"] == case_id
        assert str(row["visit_date"]) == "2025-03-14" and str(row["visit_time"]) == "08:30:15"
        assert row["is_delegation"] is True and row["version"] == 1 and row["created_at"].tzinfo is not None
        conn.execute(update(Visit.__table__).where(Visit.external_id == "V1").values(persons=8))
        conn.commit()


def _schema(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return sorted(conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master").all(), key=str)


def test_bulk_index_rebuild_restores_the_exact_schema(sqlite_engine: Engine, examples_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite drops secondary indexes for big inserts: they come back identical, even on cancel."""
    monkeypatch.setattr(interchange, "INDEX_REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(interchange, "BULK_MIN_ROWS", 1)  # search triggers too
    before = _schema(sqlite_engine)
    calls: list[int] = []
    with pytest.raises(Cancelled):
        import_jsonl(sqlite_engine, examples_dir / "small-office.jsonl", cancel=lambda: len(calls) > 5
                     or bool(calls.append(1)))
    assert _schema(sqlite_engine) == before and set(counts(sqlite_engine).values()) == {0}
    result = import_jsonl(sqlite_engine, examples_dir / "small-office.jsonl")
    assert result.added == EXAMPLE_COUNTS
    assert _schema(sqlite_engine) == before
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        hits = conn.exec_driver_sql("SELECT count(*) FROM search_citizen WHERE search_citizen MATCH 'nguyen'")
        assert hits.scalar() >= 1


# --- speed paths ---------------------------------------------------------------------------------


def _plain_fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "d")
    return " ".join(plain.replace("ð", "d").replace("Ð", "d").casefold().split())


def test_fold_fast_path_agrees_with_the_definition_for_every_character() -> None:
    # fold() drops the non-ASCII of a decomposed text when all of it is marks U+0300–U+033F
    for code in range(0x80, 0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        for value in (chr(code), f"Nguyễn {chr(code)}\u0301 Đức"):
            assert fold(value) == _plain_fold(value), hex(code)


JSON_TEXT = st.one_of(VIETNAMESE, st.text(max_size=20), st.sampled_from([" a", "a ", "a  b", "a\\b", 'a"b']))


@settings(max_examples=300, deadline=None)
@given(st.lists(JSON_TEXT, min_size=1, max_size=4))
def test_clean_line_means_every_text_is_clean(texts: list[str]) -> None:
    raw = orjson.dumps({"type": "citizen", **{f"f{i}": t for i, t in enumerate(texts)}}) + b"\n"
    if line_is_clean(raw):
        assert all(_is_clean(t) and nfc(t) == t for t in texts)
    if all(_is_clean(t) for t in texts) and not any(c in t for t in texts for c in ' "\\'):
        assert line_is_clean(raw)


def test_file_in_any_order_imports_the_same(engine: Engine, examples_dir: Path, tmp_path: Path) -> None:
    """References forward in the file (a visit before its case) are resolved at the end of the file."""
    lines = (examples_dir / "small-office.jsonl").read_text(encoding="utf-8").splitlines()
    reversed_file = tmp_path / "reversed.jsonl"
    reversed_file.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    assert import_jsonl(engine, reversed_file).added == EXAMPLE_COUNTS
    assert sum(import_jsonl(engine, examples_dir / "small-office.jsonl").unchanged.values()) == 108


def _journal_mode(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())


def test_sqlite_imports_with_a_rollback_journal_and_returns_to_wal(sqlite_engine: Engine, examples_dir: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    refresh = interchange._refresh_cases

    def spy(conn: Any, affected: set[Any]) -> None:
        seen.append(str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()))
        seen.append(str(conn.exec_driver_sql("PRAGMA synchronous").scalar()))
        refresh(conn, affected)

    monkeypatch.setattr(interchange, "_refresh_cases", spy)
    assert import_jsonl(sqlite_engine, examples_dir / "small-office.jsonl").added == EXAMPLE_COUNTS
    assert seen == ["delete", "2"]  # synchronous FULL while the rollback journal is used
    assert _journal_mode(sqlite_engine) == "wal"
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL, as storage.engine sets
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_stays_in_wal_when_another_connection_is_open(sqlite_engine: Engine, sqlite_url: str,
                                                             examples_dir: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    refresh = interchange._refresh_cases

    def spy(conn: Any, affected: set[Any]) -> None:
        seen.append(str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()))
        refresh(conn, affected)

    monkeypatch.setattr(interchange, "_refresh_cases", spy)
    other = make_engine(sqlite_url)
    try:
        with other.connect() as reader:
            reader.exec_driver_sql("SELECT count(*) FROM citizen").scalar()
            assert import_jsonl(sqlite_engine, examples_dir / "small-office.jsonl").added == EXAMPLE_COUNTS
            assert reader.exec_driver_sql("SELECT count(*) FROM citizen").scalar() == EXAMPLE_COUNTS["citizen"]
    finally:
        other.dispose()
    assert seen == ["wal"]
    assert _journal_mode(sqlite_engine) == "wal"


def test_bad_file_leaves_sqlite_in_wal(sqlite_engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "citizen", "id": "C1"}\n', encoding="utf-8")
    with pytest.raises(ValidationError):
        import_jsonl(sqlite_engine, bad)
    assert _journal_mode(sqlite_engine) == "wal"
    assert set(counts(sqlite_engine).values()) == {0}


# --- the parallel first pass --------------------------------------------------------------------


def _failing_worker(*_args: Any) -> None:
    """Stands in for interchange._scan_worker in a spawned process: dies without a result."""
    raise SystemExit(3)


@pytest.fixture
def three_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes even for a tiny file: three ranges, two of them read by workers."""
    monkeypatch.setattr(interchange, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(interchange, "PARALLEL_PARTS", 3)
    monkeypatch.setattr(interchange.os, "cpu_count", lambda: 4)


def _one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interchange, "PARALLEL_PARTS", 1)


def test_layout_cuts_the_file_at_line_ends(tmp_path: Path) -> None:
    lines = [b'{"type": "agency"}', b"", b"x" * 5000, b"y", b"\xc3\xa1\xc3\xa0", b"zz"]
    for ending in (b"\n", b""):
        data = b"\n".join(lines) + ending
        path = tmp_path / "f.jsonl"
        path.write_bytes(data)
        for parts in range(1, 8):
            total, ranges = interchange._layout(path, parts)
            assert total == len(lines)
            assert 1 <= len(ranges) <= parts
            assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
            assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
            for start, end, first in ranges:
                assert start < end
                assert start == 0 or data[start - 1:start] == b"\n"
                assert first == data[:start].count(b"\n") + 1


def test_parallel_first_pass_gives_the_same_database(engine: Engine, second_engine: Engine, examples_dir: Path,
                                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     three_parts: None) -> None:
    # reversed: the references point forward, across the ranges; EXTRAS bring warnings
    records = [*EXTRAS[::-1], *example_lines(examples_dir)[::-1]]
    path = write_jsonl(tmp_path / "any-order.jsonl", records)
    assert len(interchange._layout(path, 3)[1]) == 3
    parallel = import_jsonl(second_engine, path)
    _one_process(monkeypatch)
    single = import_jsonl(engine, path)
    assert parallel == single
    assert single.warnings and sum(single.added.values()) == len(records)
    assert content(second_engine) == content(engine)
    with second_engine.connect() as conn:
        assert search_index_ready(conn)
    # and the parallel re-import finds every record unchanged
    monkeypatch.setattr(interchange, "PARALLEL_PARTS", 3)
    again = import_jsonl(second_engine, path)
    assert sum(again.unchanged.values()) == len(records) and not sum(again.added.values())


def test_parallel_first_pass_lists_the_same_errors(sqlite_engine: Engine, examples_dir: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch, three_parts: None) -> None:
    good = example_lines(examples_dir)
    head = [
        '{"type": "citizen", "id": "X1", "full_name": "A"',
        {"type": "petition", "id": "X8", "received_on": "2025-01-02", "channel": "post", "kind": "feedback",
         "duplicate_of": "X9"},
        {"type": "visit", "id": "X5", "date": "2025-01-02", "reception": "regular", "case_id": "K404"},
        {"type": "citizen", "id": "Z1", "full_name": "Trùng ở cuối tệp", "nickname": "z"},
    ]
    tail = [
        {"type": "citizen", "id": "C2", "full_name": "Trùng mã ở phần khác"},  # repeats a range before
        {"type": "citizen", "id": "C2", "full_name": "Lần thứ ba"},  # ... and again in its own range
        {"type": "citizen", "id": "Z1", "full_name": "Trùng mã"},  # repeats the head
        {"type": "petition", "id": "X9", "received_on": "2025-01-02", "channel": "post", "kind": "feedback",
         "duplicate_of": "X8", "citizen_ids": ["Z1", "C404"]},  # closes a loop with the head
        {"type": "visit", "id": "X6", "date": "2025-13-01", "reception": "regular", "case_id": "K1"},
        {"type": "case", "id": "K404", "title": "Tham chiếu từ đầu tệp", "kind": "complaint"},
    ]
    path = write_jsonl(tmp_path / "bad.jsonl", head + good + tail)
    data = path.read_bytes()
    _, ranges = interchange._layout(path, 3)
    tail_start = len(data) - len(b"\n".join(json.dumps(r, ensure_ascii=False).encode() for r in tail)) - 1
    assert ranges[-1][0] <= tail_start and ranges[0][1] < tail_start  # the tail is in the last range
    with pytest.raises(ValidationError) as info:
        import_jsonl(sqlite_engine, path)
    parallel = info.value.errors
    _one_process(monkeypatch)
    with pytest.raises(ValidationError) as info:
        import_jsonl(sqlite_engine, path)
    single = info.value.errors
    assert parallel == single
    first_c2 = 1 + len(head) + next(n for n, r in enumerate(good) if r["id"] == "C2" and r["type"] == "citizen")
    last = len(head) + len(good)
    for message in [f"line {last + 1}: id: mã “C2” trùng với công dân ở dòng {first_c2}",
                    f"line {last + 2}: id: mã “C2” trùng với công dân ở dòng {first_c2}",
                    f"line {last + 3}: id: mã “Z1” trùng với công dân ở dòng 4",
                    f"line {last + 4}: citizen_ids: không tìm thấy công dân “C404” (trong tệp hoặc cơ sở dữ liệu)",
                    "line 2: duplicate_of: vòng lặp tham chiếu X8 → X9 → X8"]:
        assert message in single
    assert not any(e.startswith("line 3:") for e in single)  # K404 comes at the end of the file
    assert set(counts(sqlite_engine).values()) == {0}


def test_parallel_cancel_leaves_no_process_or_file(sqlite_engine: Engine, examples_dir: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch, three_parts: None) -> None:
    import multiprocessing
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with pytest.raises(Cancelled):
        import_jsonl(sqlite_engine, examples_dir / "small-office.jsonl", cancel=lambda: True)
    assert multiprocessing.active_children() == []
    assert list(scratch.iterdir()) == []
    assert set(counts(sqlite_engine).values()) == {0}
    assert import_jsonl(sqlite_engine, examples_dir / "small-office.jsonl").added == EXAMPLE_COUNTS
    assert multiprocessing.active_children() == []
    assert list(scratch.iterdir()) == []


def test_a_failed_worker_range_is_read_in_process(sqlite_engine: Engine, examples_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch, three_parts: None) -> None:
    monkeypatch.setattr(interchange, "_scan_worker", _failing_worker)
    seen: list[int] = []
    result = import_jsonl(sqlite_engine, examples_dir / "small-office.jsonl", progress=lambda d, _t: seen.append(d))
    assert result.added == EXAMPLE_COUNTS
    assert seen == sorted(seen)


# --- the word index built by another process (SQLite, import into empty tables) -------------------


def _word_index(engine: Engine) -> dict[str, list[Any]]:
    """Every term of each FTS5 table with its row and hit counts, and the rows each term begins."""
    out: dict[str, list[Any]] = {}
    with engine.connect() as conn:
        for fts in ("search_citizen", "search_case", "search_petition"):
            conn.exec_driver_sql(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab_{fts} USING fts5vocab(main, {fts}, row)")
            terms = conn.exec_driver_sql(f"SELECT term, doc, cnt FROM temp.vocab_{fts} ORDER BY term").all()
            hits = [(term, conn.exec_driver_sql(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid",
                                                (f'"{term}"*',)).scalars().all())
                    for term, _, _ in terms]
            out[fts] = [terms, hits]
        conn.rollback()
    return out


@pytest.fixture
def search_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bulk path and the search index process even for a small file."""
    monkeypatch.setattr(interchange, "BULK_MIN_ROWS", 1)
    monkeypatch.setattr(interchange, "SEARCH_WORKER_MIN_ROWS", 1)


def _rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = interchange.rebuild_search_index

    def spy(conn: Any) -> None:
        calls.append(1)
        original(conn)

    monkeypatch.setattr(interchange, "rebuild_search_index", spy)
    return calls


def test_search_index_built_by_another_process_is_identical(sqlite_engine: Engine, sqlite_template: Path,
                                                            examples_dir: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            search_worker: None) -> None:
    from reception_desk.services.search import search

    path = write_jsonl(tmp_path / "all.jsonl", [*EXTRAS, *example_lines(examples_dir)])
    rebuilds = _rebuilds(monkeypatch)
    with sqlite_engine.connect() as conn:  # a pooled connection that has read the (empty) index
        assert conn.exec_driver_sql("SELECT count(*) FROM search_citizen WHERE search_citizen MATCH 'nguyen'").scalar() == 0
    adopted = import_jsonl(sqlite_engine, path)
    assert rebuilds == []
    shutil.copyfile(sqlite_template, tmp_path / "rebuilt.sqlite")
    rebuilt_engine = make_engine(f"sqlite:///{tmp_path / 'rebuilt.sqlite'}")
    try:
        monkeypatch.setattr(interchange, "SEARCH_WORKER_MIN_ROWS", 10**12)
        assert import_jsonl(rebuilt_engine, path) == adopted
        assert rebuilds == [1]
        assert _word_index(sqlite_engine) == _word_index(rebuilt_engine)
        assert _word_index(sqlite_engine)["search_citizen"][0]  # not two empty indexes
        for query in ("nguyen", "nguyen van", "dat", "tranh chap", "ksor", "c1234567", "0262", "d"):
            found = [(h.kind, h.ref) for h in search(sqlite_engine, query)]
            assert found == [(h.kind, h.ref) for h in search(rebuilt_engine, query)], query
        with sqlite_engine.connect() as conn:
            assert search_index_ready(conn)
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            conn.exec_driver_sql("INSERT INTO search_citizen(search_citizen) VALUES ('integrity-check')")
    finally:
        rebuilt_engine.dispose()
    # the triggers keep it up to date afterwards; re-importing changes nothing
    with sqlite_engine.begin() as conn:
        conn.execute(update(Citizen.__table__).where(Citizen.__table__.c.external_id == "C9")
                     .values(name_key="zyxwv ngon"))
    assert [h.ref for h in search(sqlite_engine, "zyxw")] == ["C9"]
    again = import_jsonl(sqlite_engine, path)
    assert again.updated["citizen"] == 1 and not sum(again.added.values())
    assert [h.ref for h in search(sqlite_engine, "zyxw")] == []


def _leftovers(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


def test_search_process_cancel_and_failure_leave_nothing(sqlite_engine: Engine, examples_dir: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         search_worker: None) -> None:
    import multiprocessing

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(interchange.tempfile, "tempdir", str(scratch))
    path = write_jsonl(tmp_path / "all.jsonl", [*EXTRAS, *example_lines(examples_dir)])
    before = _schema(sqlite_engine)
    started: list[Any] = []
    real_builder = interchange._SearchBuilder

    def builder(*args: Any) -> Any:
        started.append(real_builder(*args))
        return started[-1]

    monkeypatch.setattr(interchange, "_SearchBuilder", builder)
    with pytest.raises(Cancelled):
        import_jsonl(sqlite_engine, path, cancel=lambda: bool(started))
    assert started and multiprocessing.active_children() == []
    assert _leftovers(scratch) == [] and _schema(sqlite_engine) == before
    assert set(counts(sqlite_engine).values()) == {0}
    # a search process that fails (here: its spill is gone) leaves the rebuild to the importer
    monkeypatch.setattr(interchange._Spill, "locations", lambda self, name: [(str(tmp_path / "gone"), 0, 1)])
    rebuilds = _rebuilds(monkeypatch)
    result = import_jsonl(sqlite_engine, path)
    assert rebuilds == [1] and len(started) == 2 and sum(result.added.values()) == len(EXTRAS) + 108
    assert _leftovers(scratch) == [] and multiprocessing.active_children() == []
    with sqlite_engine.connect() as conn:
        assert search_index_ready(conn)
        assert conn.exec_driver_sql("SELECT count(*) FROM search_citizen WHERE search_citizen MATCH 'ksor'").scalar() == 1


def test_adopted_search_index_is_read_by_the_same_connection(sqlite_engine: Engine, tmp_path: Path) -> None:
    """FTS5 caches the index structure per connection: the adopting one must not keep reading the old."""
    from reception_desk.storage.search_queries import adopt_search_index, build_search_index_file

    built = str(tmp_path / "built.sqlite")
    citizens = [[(f"nguyen van {n}", f"0{n:08d}", None) for n in range(1, 3001)]]
    build_search_index_file(built, lambda base: iter(citizens if base == "citizen" else []))
    match = "SELECT count(*) FROM search_citizen WHERE search_citizen MATCH ?"
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql(match, ("nguyen",)).scalar() == 0  # the empty index is now cached
        conn.commit()
        with conn.begin():
            assert adopt_search_index(conn, built)
            assert conn.exec_driver_sql(match, ("nguyen",)).scalar() == 3000
        assert conn.exec_driver_sql(match, ("nguyen",)).scalar() == 3000
        assert conn.exec_driver_sql(match, ("contact : 000000012*",)).scalar() == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM search_case WHERE search_case MATCH 'a*'").scalar() == 0
        conn.exec_driver_sql("INSERT INTO search_citizen(search_citizen) VALUES ('integrity-check')")
        assert search_index_ready(conn)
        # built without merging, but the adopted index merges again as rows are added (the default)
        for fts in ("search_citizen", "search_case", "search_petition"):
            assert conn.exec_driver_sql(f"SELECT v FROM {fts}_config WHERE k = 'automerge'").first() is None


def test_bulk_import_on_postgresql_leaves_tables_vacuumed_and_analysed(
        pg_url: str, examples_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Index-only scans of the reports need the visibility map a VACUUM writes after a bulk load."""
    monkeypatch.setattr(interchange, "BULK_MIN_ROWS", 1)
    engine = make_engine(pg_url)
    try:
        import_jsonl(engine, examples_dir / "small-office.jsonl")
        with engine.connect() as conn:
            rows = dict(conn.exec_driver_sql(
                "SELECT relname, last_vacuum IS NOT NULL AND last_analyze IS NOT NULL "
                "FROM pg_stat_user_tables WHERE relname IN ('visit', 'petition', 'case_file')").all())
        assert rows == {"visit": True, "petition": True, "case_file": True}
    finally:
        engine.dispose()


def test_a_denunciation_is_always_confidential(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "to-cao.jsonl"
    path.write_text(
        '{"type":"citizen","id":"C1","full_name":"Lê Văn Tố"}\n'
        '{"type":"petition","id":"P1","received_on":"2025-03-01","channel":"post","kind":"denunciation",'
        '"citizen_ids":["C1"],"anonymous":false,"summary":"Tố cáo cán bộ","confidential":false}\n',
        encoding="utf-8")
    result = import_jsonl(engine, path)
    assert any("confidential" in w for w in result.warnings)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT confidential FROM petition").scalar() in (True, 1)


def test_switch_back_to_wal_failing_after_commit_is_not_an_error(sqlite_engine: Engine, examples_dir: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The import committed: a reader blocking the journal switch must not make it look failed."""
    from sqlalchemy.exc import OperationalError

    real_exec = Connection.exec_driver_sql

    def refuse_wal(self, statement, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if statement == "PRAGMA journal_mode=WAL":
            raise OperationalError(statement, {}, Exception("database is locked"))
        return real_exec(self, statement, *args, **kwargs)

    monkeypatch.setattr(interchange, "enter_sqlite_import", _enter_with_switch(interchange.enter_sqlite_import))
    monkeypatch.setattr(Connection, "exec_driver_sql", refuse_wal)
    result = import_jsonl(sqlite_engine, examples_dir / "small-office.jsonl")
    monkeypatch.undo()
    assert result.added == EXAMPLE_COUNTS
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def _enter_with_switch(real):  # noqa: ANN001, ANN202
    def enter(conn):  # noqa: ANN001, ANN202
        mode = real(conn)
        return type(mode)(journal_switched=True)
    return enter


def test_a_delegation_flag_against_the_rule_is_kept_with_a_warning(sqlite_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "doan.jsonl"
    path.write_text(
        '{"type":"case","id":"K1","title":"Vụ việc","kind":"complaint"}\n'
        '{"type":"visit","id":"V1","date":"2025-03-01","reception":"regular","case_id":"K1","persons":3,'
        '"is_delegation":true}\n'
        '{"type":"visit","id":"V2","date":"2025-03-02","reception":"regular","case_id":"K1","persons":6}\n',
        encoding="utf-8")
    result = import_jsonl(sqlite_engine, path)
    assert [w for w in result.warnings if "is_delegation" in w] == [
        "line 2: is_delegation: 3 người nhưng is_delegation ghi khác quy tắc đoàn đông người (từ 5 người); "
        "thống kê theo giá trị đã ghi"]
    with sqlite_engine.connect() as conn:
        flags = dict(conn.exec_driver_sql("SELECT external_id, is_delegation FROM visit").all())
    assert flags == {"V1": 1, "V2": 1}


def test_sure_characters_are_printable_nfc_starters() -> None:
    # what line_is_clean's byte test takes for granted about every one of them
    seconds = {int(d.split()[1], 16) for c in range(0x110000)
               if (d := unicodedata.decomposition(chr(c))) and not d.startswith("<") and len(d.split()) == 2}
    for block in SURE_CHARACTERS:
        for code in block:
            char = chr(code)
            assert char.isprintable() and unicodedata.combining(char) == 0, hex(code)
            assert unicodedata.is_normalized("NFC", char) and code not in seconds, hex(code)  # quick check Yes


def test_the_byte_test_of_a_line_agrees_with_the_text_for_every_character() -> None:
    # every character of the Basic Multilingual Plane, alone and next to Vietnamese letters and marks
    for code in range(0x20, 0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        for value in (char, f"Lê {char}", f"{char}\u0301", f"A{char}ư", f"Ơ{char}\u0323 x"):
            raw = orjson.dumps({"type": "citizen", "full_name": value, "address": "Hà Nội"}) + b"\n"
            if line_is_clean(raw):
                assert _is_clean(value) and nfc(value) == value, (hex(code), value)
            elif _is_clean(value) and not any(c in value for c in ' "\\'):
                raise AssertionError(f"a clean text taken as unclean: {value!r}")


def test_a_line_with_a_delete_character_is_not_clean() -> None:
    # found by the property test above: DEL is ASCII but not printable, and JSON does not escape it
    raw = orjson.dumps({"type": "citizen", "full_name": "Lê\x7f"}) + b"\n"
    assert not line_is_clean(raw)
    assert not line_is_clean(orjson.dumps({"type": "citizen", "full_name": "Le\x7f"}) + b"\n")
    assert line_is_clean(orjson.dumps({"type": "citizen", "full_name": "Le Van A"}) + b"\n")
