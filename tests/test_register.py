"""The Sổ tiếp công dân (Mẫu 03) register: rows, order, paging, and the denouncer kept secret."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import Engine, update

from reception_desk.services.errors import ValidationError
from reception_desk.services.register import REGISTER_COLUMNS, register_count, register_page
from reception_desk.services.visibility import CONFIDENTIAL_SIGNER, Viewer
from reception_desk.storage.models import Visit
from tests.builders import add_agency, add_case, add_citizen, add_petition, add_transfer, add_visit

START, END = date(2025, 4, 1), date(2025, 4, 30)


@pytest.fixture
def world(engine: Engine) -> Engine:
    with engine.begin() as conn:
        an = add_citizen(conn, "Nguyễn Văn An", id_number="042190000222", address="Xã Thạch Hà")
        binh = add_citizen(conn, "Lê Thị Bình", address="Phường Bắc Hà")
        secret = add_citizen(conn, "Trần Thị Bí Mật", id_number="042190000111", address="Thôn Kín")
        old_agency = add_agency(conn, "UBND xã Thạch Hà")
        new_agency = add_agency(conn, "Sở Tài nguyên và Môi trường")
        land = add_case(conn, kind="complaint", title="Tranh chấp ranh đất")
        bribe = add_case(conn, kind="denunciation", title="Tố cáo nhận hối lộ")
        road = add_case(conn, kind="recommendation", title="Kiến nghị làm đường")
        p = add_petition(conn, date(2025, 3, 1), "complaint", case_id=land)
        add_transfer(conn, p, old_agency, date(2025, 3, 2), answered_on=date(2025, 3, 20))
        add_transfer(conn, p, new_agency, date(2025, 4, 2), due_on=date(2025, 4, 16))

        add_visit(conn, land, date(2025, 3, 31), citizen_ids=[an])  # the day before
        first = add_visit(conn, land, date(2025, 4, 1), at=time(14, 0), citizen_ids=[an], content="Đòi lại ranh đất")
        add_visit(conn, road, date(2025, 4, 1), at=time(8, 30), citizen_ids=[binh], host="Trần Văn Tiếp")
        add_visit(conn, road, date(2025, 4, 1), citizen_ids=[binh])  # no time: first of its day
        add_visit(conn, bribe, date(2025, 4, 15), "leader_scheduled", citizen_ids=[secret])
        add_visit(conn, road, date(2025, 4, 30), persons=9, representative_ids=[binh, an])  # last day
        add_visit(conn, road, date(2025, 5, 1))  # the day after
        conn.execute(update(Visit.__table__).where(Visit.__table__.c.id == first).values(outcome="transferred"))
    return engine


def all_rows(engine: Engine, limit: int, viewer: Viewer | None = None) -> list:
    rows, page = [], register_page(engine, START, END, limit=limit, viewer=viewer)
    rows += page.rows
    while page.next is not None:
        page = register_page(engine, START, END, after=page.next, limit=limit, viewer=viewer)
        rows += page.rows
    return rows


def test_rows_in_register_order_with_the_form_s_cells(world: Engine) -> None:
    rows = all_rows(world, 200)
    assert register_count(world, START, END) == len(rows) == 5
    assert [r.number for r in rows] == [1, 2, 3, 4, 5]
    assert [(r.day, r.at) for r in rows] == [(date(2025, 4, 1), None), (date(2025, 4, 1), time(8, 30)),
                                            (date(2025, 4, 1), time(14, 0)), (date(2025, 4, 15), None),
                                            (date(2025, 4, 30), None)]
    land = rows[2]
    assert land.cells() == (
        "3", "01/04/2025 14:00", "Nguyễn Văn An, Xã Thạch Hà", "CCCD 042190000222", "Đòi lại ranh đất",
        "Khiếu nại; 01 người", "UBND xã Thạch Hà", "", "", "Chuyển đơn: Sở Tài nguyên và Môi trường",
        "UBND xã Thạch Hà đã trả lời ngày 20/03/2025; chờ Sở Tài nguyên và Môi trường trả lời, hạn 16/04/2025; "
        "vụ việc: mới", "")
    assert len(land.cells()) == len(REGISTER_COLUMNS) == 12
    assert rows[1].note == "Người tiếp: Trần Văn Tiếp"
    assert rows[1].content == "Kiến nghị làm đường"  # no content typed: the case's title
    delegation = rows[4]
    assert delegation.citizen == "Đoàn 9 người; đại diện: Lê Thị Bình, Phường Bắc Hà; Nguyễn Văn An, Xã Thạch Hà"
    assert delegation.classification == "Kiến nghị; 09 người; đoàn đông người"


def test_denouncer_is_never_shown_unless_allowed(world: Engine) -> None:
    row = all_rows(world, 200)[3]
    assert (row.citizen, row.id_documents, row.confidential) == (CONFIDENTIAL_SIGNER, "", True)
    assert row.note == "Lãnh đạo tiếp định kỳ"
    assert not any("Bí Mật" in cell or "042190000111" in cell for r in all_rows(world, 200) for cell in r.cells())
    allowed = all_rows(world, 200, Viewer("thanh.tra", may_see_denouncers=True))[3]
    assert allowed.citizen == "Trần Thị Bí Mật, Thôn Kín" and allowed.id_documents == "CCCD 042190000111"


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5])
def test_pages_continue_the_numbering(world: Engine, limit: int) -> None:
    whole = all_rows(world, 200)
    paged = all_rows(world, limit)
    assert [(r.number, r.visit_id) for r in paged] == [(r.number, r.visit_id) for r in whole]


def test_bad_input(world: Engine) -> None:
    with pytest.raises(ValidationError, match="trước ngày bắt đầu"):
        register_page(world, END, START)
    with pytest.raises(ValidationError, match="Số dòng mỗi trang"):
        register_page(world, START, END, limit=0)
    cursor = register_page(world, START, END, limit=1).next
    assert cursor is not None
    with pytest.raises(ValidationError, match="không thuộc khoảng ngày"):
        register_page(world, date(2025, 5, 1), date(2025, 5, 31), after=cursor)
    assert register_page(world, date(2026, 1, 1), date(2026, 1, 31)).rows == []
