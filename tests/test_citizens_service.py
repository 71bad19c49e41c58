"""services.citizens: look-up as you type, create with ID checks, edits with optimistic locking."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import pytest
from sqlalchemy import Engine, select

from reception_desk.services.citizens import (
    CitizenInput,
    RecordChanged,
    create_citizen,
    get_citizen,
    lookup_citizens,
    update_citizen,
)
from reception_desk.services.errors import ConflictError, NotFoundError, ValidationError
from reception_desk.storage.models import AuditEvent, Citizen, new_id
from tests.builders import add_case, add_citizen, add_visit

TODAY = date(2026, 11, 20)


def test_lookup_ignores_accents_and_case(engine: Engine) -> None:
    with engine.begin() as conn:
        duc = add_citizen(conn, "Nguyễn Văn Đức", id_number="066090001234", phone="0905 123 456",
                          address="Thôn 3, xã Hòa Thắng", birth_year=1990)
        add_citizen(conn, "Nguyễn Văn Dũng")
        add_citizen(conn, "Trần Thị Đức Hạnh")
    hits = lookup_citizens(engine, "nguyen van duc")
    assert [h.full_name for h in hits] == ["Nguyễn Văn Đức"]
    hit = hits[0]
    assert (hit.id, hit.version, hit.birth_year, hit.phone) == (duc, 1, 1990, "0905 123 456")
    assert hit.address == "Thôn 3, xã Hòa Thắng"
    # upper case, NFD input (VNI / macOS input methods), a word still being typed
    assert [h.id for h in lookup_citizens(engine, unicodedata.normalize("NFD", "NGUYỄN VĂN Đ"))][0] == duc
    assert {h.full_name for h in lookup_citizens(engine, "duc")} == {"Nguyễn Văn Đức", "Trần Thị Đức Hạnh"}
    assert lookup_citizens(engine, "   ") == []


def test_lookup_by_id_number_and_phone_prefix(engine: Engine) -> None:
    with engine.begin() as conn:
        a = add_citizen(conn, "Lê Thị Lan", id_number="066190004321", phone="0912.345.678")
        add_citizen(conn, "Lê Văn Nam", id_number="052080009999", phone="0987 000 111")
    assert [h.id for h in lookup_citizens(engine, "06619")] == [a]
    assert [h.id for h in lookup_citizens(engine, "0912 345")] == [a]
    assert lookup_citizens(engine, "0999") == []


def test_lookup_shows_latest_cases_but_hides_denunciations(engine: Engine) -> None:
    with engine.begin() as conn:
        person = add_citizen(conn, "Phạm Văn Bình")
        cases = [add_case(conn, title=f"Vụ việc {n}") for n in range(4)]
        for n, case_id in enumerate(cases):
            add_visit(conn, case_id, date(2025, 1, 1 + n), citizen_ids=[person])
        add_visit(conn, cases[0], date(2025, 2, 1), citizen_ids=[person])  # case 0 is now the latest
        secret = add_case(conn, kind="denunciation", title="Tố cáo cán bộ địa chính")
        add_visit(conn, secret, date(2025, 3, 1), citizen_ids=[person])
    hit = lookup_citizens(engine, "pham van binh")[0]
    assert [c.title for c in hit.cases] == ["Vụ việc 0", "Vụ việc 3", "Vụ việc 2"]
    assert hit.cases[0].last_visit_on == date(2025, 2, 1)
    assert hit.cases[0].visits == 2
    assert "Vụ việc 0 (người này đến lần cuối 01/02/2025)" in hit.cases_summary()
    assert all("Tố cáo" not in c.title for c in hit.cases)


def test_create_normalises_and_derives(engine: Engine) -> None:
    saved = create_citizen(engine, CitizenInput(
        full_name=unicodedata.normalize("NFD", "  nguyễn   Thị Hoa "), id_number="066 190 004 321",
        gender="nữ", phone="0905 111 222"), today=TODAY)
    assert saved.full_name == "nguyễn Thị Hoa"
    assert saved.id_number == "066190004321"
    assert saved.id_type == "cccd"
    assert saved.birth_year == 1990  # read from the number
    assert saved.warnings == ()
    with engine.connect() as conn:
        row = conn.execute(select(Citizen.__table__).where(Citizen.__table__.c.id == saved.id)).mappings().one()
        assert row["name_key"] == "nguyen thi hoa"
        assert unicodedata.is_normalized("NFC", row["full_name"])
        assert conn.execute(select(AuditEvent.__table__.c.action).where(
            AuditEvent.__table__.c.entity_id == str(saved.id))).scalar_one() == "create"
    assert lookup_citizens(engine, "hoa")[0].id == saved.id


def test_create_refuses_bad_input_in_vietnamese(engine: Engine) -> None:
    with pytest.raises(ValidationError) as caught:
        create_citizen(engine, CitizenInput(full_name=" ", id_number="12345", birth_year=1800, phone="abc"),
                       today=TODAY)
    errors = caught.value.errors
    assert any(e.startswith("Họ tên: chưa nhập") for e in errors)
    assert any("12 chữ số" in e for e in errors)
    assert any(e.startswith("Năm sinh") for e in errors)
    assert any(e.startswith("Số điện thoại") for e in errors)
    with engine.connect() as conn:
        assert conn.execute(select(Citizen.__table__.c.id)).first() is None


def test_odd_id_numbers_warn_but_save(engine: Engine) -> None:
    old = create_citizen(engine, CitizenInput(full_name="Võ Văn Tư", id_number="240123456"), today=TODAY)
    assert old.id_type == "cmnd" and any("CMND 9 số" in w for w in old.warnings)
    mismatch = create_citizen(engine, CitizenInput(full_name="Võ Thị Năm", id_number="066190004322",
                                                   birth_year=1985), today=TODAY)
    assert any("khác năm sinh đã nhập" in w for w in mismatch.warnings)
    assert mismatch.birth_year == 1985  # what the clerk typed is kept
    twin = create_citizen(engine, CitizenInput(full_name="Võ T. Năm", id_number="066190004322"), today=TODAY)
    assert any("đã có ở công dân Võ Thị Năm" in w for w in twin.warnings)
    passport = create_citizen(engine, CitizenInput(full_name="John Smith", id_number="b1234567"), today=TODAY)
    assert (passport.id_type, passport.id_number, passport.warnings) == ("passport", "B1234567", ())


def test_update_and_conflict_lists_the_other_desks_changes(engine: Engine) -> None:
    first = create_citizen(engine, CitizenInput(full_name="Đỗ Văn Ba", phone="0905000111",
                                                address="Tổ 1, phường Tân Lợi"), today=TODAY)
    # desk A saves a new phone and address
    a = update_citizen(engine, first.id, first.version,
                       CitizenInput(full_name="Đỗ Văn Ba", phone="0905999888", address="Tổ 7, phường Tân Lợi"),
                       today=TODAY)
    assert a.version == 2
    # desk B still has version 1 open
    with pytest.raises(RecordChanged) as caught:
        update_citizen(engine, first.id, first.version,
                       CitizenInput(full_name="Đỗ Văn Ba", phone="0905000111", birth_year=1970), today=TODAY)
    error = caught.value
    assert isinstance(error, ConflictError)
    assert "Số điện thoại: “0905000111” → “0905999888”" in str(error)
    assert "Địa chỉ: “Tổ 1, phường Tân Lợi” → “Tổ 7, phường Tân Lợi”" in str(error)
    assert "Năm sinh" not in str(error)  # B's own edit is not what changed
    assert error.current_version == 2
    assert len(error.changes) == 2
    current = get_citizen(engine, first.id)
    assert (current.phone, current.birth_year, current.version) == ("0905999888", None, 2)
    with engine.connect() as conn:
        details = [json.loads(d) for d in conn.execute(select(AuditEvent.__table__.c.detail).where(
            AuditEvent.__table__.c.entity_id == str(first.id), AuditEvent.__table__.c.action == "update"))
            .scalars()]
    assert details == [{"version": 2, "changes": {"phone": ["0905000111", "0905999888"],
                                                  "address": ["Tổ 1, phường Tân Lợi", "Tổ 7, phường Tân Lợi"]}}]


def test_update_of_a_missing_citizen(engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        update_citizen(engine, new_id(), 1, CitizenInput(full_name="Ai đó"))
    with pytest.raises(NotFoundError):
        get_citizen(engine, new_id())


def test_lookup_limit_checked(engine: Engine) -> None:
    with pytest.raises(ValidationError):
        lookup_citizens(engine, "an", limit=0)
