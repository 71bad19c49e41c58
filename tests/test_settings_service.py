"""Office settings (letterhead, signer) and the per-year days off list, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine, select

from reception_desk.services import settings, workdays
from reception_desk.services.errors import ConflictError, ValidationError
from reception_desk.services.settings import OfficeSettings
from reception_desk.storage import reference
from reception_desk.storage.models import AuditEvent, Setting

pytestmark = pytest.mark.pg

FULL = OfficeSettings(
    office_name="Ban Tiếp công dân", superior_body="Ủy ban nhân dân tỉnh Hà Tĩnh", office_symbol="btcd",
    place_name="Hà Tĩnh", address="Số 1 Nguyễn Du, phường Thành Sen", phone="0239 3855 000",
    email="BTCD@hatinh.gov.vn", signer_name="Trần Văn Bình", signer_title="Phó Trưởng ban",
    signer_on_behalf="KT. Trưởng ban", default_host="Nguyễn Thị Lan",
)


def test_nothing_saved_reads_as_empty(engine: Engine) -> None:
    loaded = settings.load_office_settings(engine)
    assert loaded == OfficeSettings()
    assert not loaded.is_complete


def test_save_normalises_and_round_trips(engine: Engine) -> None:
    saved = settings.save_office_settings(engine, FULL)
    assert saved.office_name == "BAN TIẾP CÔNG DÂN"
    assert saved.superior_body == "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH"
    assert saved.office_symbol == "BTCD" and saved.signer_on_behalf == "KT. TRƯỞNG BAN"
    assert saved.email == "btcd@hatinh.gov.vn" and saved.signer_name == "Trần Văn Bình"
    assert settings.load_office_settings(engine) == saved
    assert saved.is_complete
    with engine.connect() as conn:
        keys = set(conn.execute(select(Setting.__table__.c.key)).scalars())
        audits = conn.execute(select(AuditEvent.__table__.c.action)).scalars().all()
    assert "office.place_name" in keys and all(k.startswith("office.") for k in keys)
    assert audits == ["settings.office"]
    # Saving the same again writes nothing (no second audit row).
    settings.save_office_settings(engine, saved, seen=saved)
    with engine.connect() as conn:
        assert len(conn.execute(select(AuditEvent.__table__)).all()) == 1


def test_invalid_settings_list_every_problem(engine: Engine) -> None:
    bad = replace(FULL, office_name=" ", office_symbol="Ban TCD", email="x@", phone="không có",
                  place_name="Hà Tĩnh,", signer_on_behalf="Thay mặt", signer_title="")
    with pytest.raises(ValidationError) as info:
        settings.save_office_settings(engine, bad)
    fields = [e.split(":")[0] for e in info.value.errors]
    assert fields == ["Tên cơ quan", "Ký hiệu cơ quan", "Email", "Điện thoại", "Địa danh",
                      "Quyền hạn ký (KT., TM., TL., …)", "Chức vụ người ký"]
    assert settings.load_office_settings(engine) == OfficeSettings()
    with pytest.raises(ValidationError, match="quá dài"):
        settings.save_office_settings(engine, replace(FULL, address="x" * 501))


def test_second_desk_is_refused_naming_the_field(engine: Engine) -> None:
    first = settings.save_office_settings(engine, FULL)
    settings.save_office_settings(engine, replace(first, signer_name="Lê Thị Hoa"), seen=first)
    with pytest.raises(ConflictError) as info:
        settings.save_office_settings(engine, replace(first, phone="0239 1"), seen=first)
    assert "Họ tên người ký: “Lê Thị Hoa”" in str(info.value)
    assert settings.load_office_settings(engine).phone == "0239 3855 000"


def test_year_days_lists_days_off_make_up_days_and_edits(engine: Engine) -> None:
    reference.seed(engine)
    workdays.set_day(engine, date(2026, 5, 15), True, "Nghỉ theo quyết định của tỉnh")
    workdays.set_day(engine, date(2026, 6, 6), False, "Làm bù ngày 15/5")  # a Saturday
    entries = {e.day: e for e in settings.year_days(engine, 2026)}
    assert entries[date(2026, 9, 2)].is_day_off and not entries[date(2026, 9, 2)].edited
    assert entries[date(2026, 1, 1)].kind_label == "Ngày nghỉ"
    edited_off = entries[date(2026, 5, 15)]
    assert edited_off.edited and edited_off.name == "Nghỉ theo quyết định của tỉnh"
    make_up = entries[date(2026, 6, 6)]
    assert make_up.edited and not make_up.is_day_off and make_up.kind_label == "Ngày làm bù"
    assert all(d.year == 2026 for d in entries)
    with pytest.raises(ValidationError):
        settings.year_days(engine, 1500)
