"""services.case_timeline: one ordered list of a case's events, citizens masked where the law says."""

from __future__ import annotations

import time as clock
from datetime import date, time, timedelta

import pytest
from sqlalchemy import Engine, insert

from reception_desk.services.case_timeline import case_timeline
from reception_desk.services.errors import NotFoundError
from reception_desk.services.visibility import CONFIDENTIAL_SIGNER
from reception_desk.storage.models import Petition, PetitionSigner, Transfer, Visit, new_id, utcnow
from tests.builders import (
    add_agency,
    add_case,
    add_citizen,
    add_directive,
    add_petition,
    add_transfer,
    add_visit,
)

TODAY = date(2025, 3, 10)


def _sign(conn, petition, *citizens) -> None:  # noqa: ANN001
    conn.execute(insert(PetitionSigner.__table__),
                 [{"petition_id": petition, "citizen_id": c, "ordinal": n} for n, c in enumerate(citizens)])


def test_events_in_order_with_first_and_repeat_visits(engine: Engine) -> None:
    with engine.begin() as conn:
        an = add_citizen(conn, "Nguyễn Văn An", id_number="001085012345", address="Thôn 3, xã Ea Tu")
        binh = add_citizen(conn, "Trần Thị Bình")
        case = add_case(conn, kind="complaint", title="Khiếu nại thu hồi đất")
        other = add_case(conn, title="Vụ việc khác")
        add_visit(conn, other, date(2025, 1, 1), citizen_ids=[binh])
        v2 = add_visit(conn, case, date(2025, 2, 3), at=time(9, 30), citizen_ids=[an], content="Hỏi kết quả")
        v1 = add_visit(conn, case, date(2025, 1, 6), citizen_ids=[an, binh], content="Trình bày lần đầu")
        petition = add_petition(conn, date(2025, 1, 6), "complaint", case_id=case, channel="in_person",
                                summary="Khiếu nại quyết định thu hồi đất")
        _sign(conn, petition, an)
        ward = add_agency(conn, "UBND phường Tân Lợi")
        police = add_agency(conn, "Công an tỉnh")
        answered = add_transfer(conn, petition, ward, date(2025, 1, 8), number="3/PC", due_on=date(2025, 1, 20),
                                answered_on=date(2025, 1, 24))
        conn.execute(Transfer.__table__.update().where(Transfer.__table__.c.id == answered)
                     .values(answer_number="15/UBND", result="Đã thụ lý"))
        waiting = add_transfer(conn, petition, police, date(2025, 2, 4), due_on=date(2025, 2, 18))
        directive = add_directive(conn, date(2025, 1, 7), number="7/CĐ", petition_id=petition,
                                  subject="Giao UBND phường kiểm tra")
    timeline = case_timeline(engine, case, today=TODAY)
    header = timeline.case
    assert header.title == "Khiếu nại thu hồi đất" and header.kind_label == "Khiếu nại"
    assert (header.visits, header.petitions, header.transfers, header.waiting, header.overdue) == (2, 1, 2, 1, 1)
    kinds = [(e.on, e.kind) for e in timeline.events]
    assert kinds == [
        (date(2025, 1, 6), "visit"), (date(2025, 1, 6), "petition"), (date(2025, 1, 7), "directive"),
        (date(2025, 1, 8), "transfer"), (date(2025, 1, 24), "answer"), (date(2025, 2, 3), "visit"),
        (date(2025, 2, 4), "transfer"), (date(2025, 2, 18), "due"),
    ]
    ev = timeline.events
    assert ev[0].title == "Tiếp lần đầu" and ev[0].visit_id == v1 and "Nguyễn Văn An, Trần Thị Bình" in ev[0].detail
    assert ev[5].title == "Tiếp lần thứ 2" and ev[5].visit_id == v2 and ev[5].at == time(9, 30)
    assert ev[1].title == "Nhận đơn khiếu nại (Trực tiếp)" and "Nguyễn Văn An" in ev[1].detail
    assert ev[2].directive_id == directive and "7/CĐ" in ev[2].title
    assert ev[3].transfer_id == answered and "3/PC" in ev[3].detail and "20/01/2025" in ev[3].detail
    assert "15/UBND" in ev[4].detail and "Trả lời sau hạn" in ev[4].detail
    assert ev[7].transfer_id == waiting and ev[7].overdue and ev[7].days_overdue == 20
    assert "Quá hạn 20 ngày" in ev[7].detail
    people = {p.name: p for p in timeline.citizens}
    assert set(people) == {"Nguyễn Văn An", "Trần Thị Bình"}
    assert people["Nguyễn Văn An"].roles == ("Người đến tiếp", "Người đứng đơn")
    assert people["Nguyễn Văn An"].id_number == "001085012345"
    assert people["Trần Thị Bình"].roles == ("Người đến tiếp",)


def test_denouncers_are_masked_everywhere(engine: Engine) -> None:
    with engine.begin() as conn:
        denouncer = add_citizen(conn, "Phạm Văn Dũng")
        helper = add_citizen(conn, "Võ Thị Hoa")
        witness = add_citizen(conn, "Đặng Văn Tâm")
        case = add_case(conn, kind="complaint", title="Đất đai và cán bộ")
        add_visit(conn, case, date(2025, 1, 6), citizen_ids=[denouncer, witness])
        secret = add_petition(conn, date(2025, 1, 6), "denunciation", case_id=case, summary="Tố cáo cán bộ")
        open_ = add_petition(conn, date(2025, 1, 7), "complaint", case_id=case, summary="Khiếu nại")
        _sign(conn, secret, denouncer, helper)
        _sign(conn, open_, denouncer, witness)
        denunciation_case = add_case(conn, kind="denunciation", title="Tố cáo")
        add_visit(conn, denunciation_case, date(2025, 2, 1), citizen_ids=[witness])
    timeline = case_timeline(engine, case, today=TODAY)
    names = [p.name for p in timeline.citizens]
    assert names == [CONFIDENTIAL_SIGNER, "Đặng Văn Tâm"]
    assert timeline.citizens[0].masked and timeline.citizens[0].count == 2
    assert timeline.citizens[0].citizen_id is None
    text = " ".join(e.title + " " + e.detail for e in timeline.events)
    assert "Phạm Văn Dũng" not in text and "Võ Thị Hoa" not in text
    # Visitors of a denunciation case are denouncers: no name at all.
    other = case_timeline(engine, denunciation_case, today=TODAY)
    assert [p.name for p in other.citizens] == [CONFIDENTIAL_SIGNER]
    assert "Đặng Văn Tâm" not in other.events[0].detail and CONFIDENTIAL_SIGNER in other.events[0].detail


def test_unknown_case(engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        case_timeline(engine, new_id())
    with pytest.raises(NotFoundError):
        case_timeline(engine, "abc")


def test_a_case_with_500_events_is_read_by_a_few_queries(engine: Engine) -> None:
    now = utcnow()
    base = {"created_at": now, "updated_at": now, "version": 1}
    with engine.begin() as conn:
        case = add_case(conn, title="Vụ việc kéo dài")
        agency = add_agency(conn)
        start = date(2020, 1, 1)
        conn.execute(insert(Visit.__table__), [
            {"id": new_id(), **base, "visit_date": start + timedelta(days=n), "reception_mode": "regular",
             "case_id": case, "persons": 1, "is_delegation": False} for n in range(200)])
        petitions = [{"id": new_id(), **base, "received_on": start + timedelta(days=n), "channel": "post",
                      "kind": "recommendation", "case_id": case, "anonymous": False, "confidential": False}
                     for n in range(150)]
        conn.execute(insert(Petition.__table__), petitions)
        conn.execute(insert(Transfer.__table__), [
            {"id": new_id(), **base, "petition_id": p["id"], "agency_id": agency,
             "sent_on": p["received_on"] + timedelta(days=2), "due_on": p["received_on"] + timedelta(days=16),
             "answered_on": p["received_on"] + timedelta(days=10)} for p in petitions[:75]])
    case_timeline(engine, case, today=TODAY)  # warm the connection pool
    started = clock.perf_counter()
    timeline = case_timeline(engine, case, today=TODAY)
    elapsed = clock.perf_counter() - started
    assert len(timeline.events) == 500
    dates = [e.on for e in timeline.events]
    assert dates == sorted(dates)
    assert elapsed < 1.0  # bench/bench_queues.py measures the target (< 100 ms)
