"""services.visits: one transaction per visit, the register's rules, optimistic locking."""

from __future__ import annotations

import json
from datetime import date, time

import pytest
from sqlalchemy import Engine, func, select

from reception_desk.services.case_files import CaseInput, visit_status
from reception_desk.services.citizens import RecordChanged
from reception_desk.services.errors import ConflictError, ValidationError
from reception_desk.services.visits import VisitInput, load_visit, record_visit, update_visit
from reception_desk.storage.models import (
    AuditEvent,
    Case,
    ReceptionSession,
    Visit,
    VisitCitizen,
    new_id,
    utcnow,
)
from tests.builders import add_case, add_citizen, add_visit

TODAY = date(2026, 11, 20)


def _people(engine: Engine, n: int) -> list:
    with engine.begin() as conn:
        return [add_citizen(conn, f"Người số {k}") for k in range(n)]


def _case(engine: Engine, **kw: object):  # noqa: ANN202
    with engine.begin() as conn:
        return add_case(conn, **kw)  # type: ignore[arg-type]


def _input(case_id, citizens, **kw: object) -> VisitInput:  # noqa: ANN001
    values: dict[str, object] = {"visit_date": date(2026, 11, 2), "case_id": case_id, "citizen_ids": citizens,
                                 "content": "Đề nghị xem xét lại việc thu hồi đất", "outcome": "guided"}
    values.update(kw)
    return VisitInput(**values)  # type: ignore[arg-type]


def test_record_a_single_visit(engine: Engine) -> None:
    [person] = _people(engine, 1)
    case_id = _case(engine)
    saved = record_visit(engine, _input(case_id, [person], host="Trần Văn Cán", visit_time=time(8, 15),
                                        content="  Đề nghị   xem xét  "), today=TODAY)
    assert saved.version == 1 and saved.case_id == case_id
    assert saved.status.first_time and saved.status.label() == "Lần đầu"
    assert not saved.is_delegation and saved.reception_mode == "regular"
    with engine.connect() as conn:
        row = conn.execute(select(Visit.__table__)).mappings().one()
        assert (row["content"], row["content_key"], row["outcome"]) == ("Đề nghị xem xét", "de nghi xem xet", "guided")
        links = conn.execute(select(VisitCitizen.__table__)).mappings().all()
        assert [(r["citizen_id"], r["role"], r["ordinal"]) for r in links] == [(person, "citizen", 0)]
        case = conn.execute(select(Case.__table__)).mappings().one()
        assert (case["first_visit_id"], case["first_visit_on"]) == (saved.id, date(2026, 11, 2))
        audit = conn.execute(select(AuditEvent.__table__).where(AuditEvent.__table__.c.entity == "visit")).mappings().one()
        assert audit["action"] == "create" and audit["entity_id"] == str(saved.id)
        assert json.loads(audit["detail"])["first_time"] is True


def test_repeat_visit_and_back_dated_visit_reclassify(engine: Engine) -> None:
    [person] = _people(engine, 1)
    case_id = _case(engine)
    first = record_visit(engine, _input(case_id, [person], visit_date=date(2026, 10, 1)), today=TODAY)
    second = record_visit(engine, _input(case_id, [person], visit_date=date(2026, 11, 2)), today=TODAY)
    assert second.status.label() == "Nhiều lần (lần thứ 2, lần trước 01/10/2026)"
    # a visit typed in late from the paper register, dated before both
    back = record_visit(engine, _input(case_id, [person], visit_date=date(2026, 9, 15)), today=TODAY)
    assert back.status.first_time
    with engine.connect() as conn:
        case = conn.execute(select(Case.__table__)).mappings().one()
    assert (case["first_visit_id"], case["first_visit_on"]) == (back.id, date(2026, 9, 15))
    assert load_visit(engine, first.id).status.label() == "Nhiều lần (lần thứ 2, lần trước 15/09/2026)"
    # moving the back-dated visit to another case gives the first place back
    other = _case(engine, title="Vụ việc khác")
    moved = update_visit(engine, back.id, 1, _input(other, [person], visit_date=date(2026, 9, 15)), today=TODAY)
    assert moved.status.first_time and moved.case_id == other
    assert load_visit(engine, first.id).status.first_time


@pytest.mark.parametrize(("persons", "delegation"), [(4, False), (5, True)])
def test_delegation_from_five_persons(engine: Engine, persons: int, delegation: bool) -> None:
    people = _people(engine, 3)
    case_id = _case(engine)
    saved = record_visit(engine, _input(case_id, people[:2], persons=persons, representative_ids=[people[2]]),
                         today=TODAY)
    assert saved.is_delegation is delegation
    with engine.connect() as conn:
        assert conn.execute(select(Visit.__table__.c.is_delegation)).scalar_one() is delegation
        roles = conn.execute(select(VisitCitizen.__table__.c.citizen_id, VisitCitizen.__table__.c.role,
                                    VisitCitizen.__table__.c.ordinal)).all()
    # the representative is present too: listed as a citizen after the others
    assert sorted(roles, key=lambda r: (r.role, r.ordinal)) == [
        (people[0], "citizen", 0), (people[1], "citizen", 1), (people[2], "citizen", 2),
        (people[2], "representative", 0)]


def test_representative_limit_warns_but_saves(engine: Engine) -> None:
    people = _people(engine, 3)
    case_id = _case(engine)
    saved = record_visit(engine, _input(case_id, [], persons=8, representative_ids=people), today=TODAY)
    assert any("tối đa 2 người đại diện" in w for w in saved.warnings)
    none = record_visit(engine, _input(case_id, people[:1], persons=12), today=TODAY)
    assert any("nên ghi người đại diện" in w for w in none.warnings)
    flagged = record_visit(engine, _input(case_id, people[:1], persons=3, is_delegation=True), today=TODAY)
    assert flagged.is_delegation and any("thống kê theo giá trị đã ghi" in w for w in flagged.warnings)


def test_visit_inside_a_session_takes_its_mode_and_date(engine: Engine) -> None:
    [person] = _people(engine, 1)
    case_id = _case(engine)
    now = utcnow()
    session_id = new_id()
    with engine.begin() as conn:
        conn.execute(ReceptionSession.__table__.insert(), [{
            "id": session_id, "created_at": now, "updated_at": now, "version": 1, "held_on": date(2026, 11, 5),
            "kind": "adhoc", "reception_mode": "leader_adhoc", "leader": "Chủ tịch UBND xã"}])
    saved = record_visit(engine, _input(case_id, [person], visit_date=date(2026, 11, 5), session_id=session_id),
                         today=TODAY)
    assert saved.reception_mode == "leader_adhoc"
    with pytest.raises(ValidationError) as caught:
        record_visit(engine, _input(case_id, [person], visit_date=date(2026, 11, 6), session_id=session_id),
                     today=TODAY)
    assert caught.value.errors == ["Ngày tiếp: lượt tiếp thuộc buổi tiếp của Chủ tịch UBND xã ngày 05/11/2026 "
                                   "nên phải ghi ngày 05/11/2026."]
    leader_without_session = record_visit(engine, _input(case_id, [person], reception_mode="leader_scheduled"),
                                          today=TODAY)
    assert any("chưa chọn buổi tiếp" in w for w in leader_without_session.warnings)


def test_refusal_needs_a_ground(engine: Engine) -> None:
    [person] = _people(engine, 1)
    case_id = _case(engine)
    with pytest.raises(ValidationError) as caught:
        record_visit(engine, _input(case_id, [person], outcome="refused"), today=TODAY)
    assert caught.value.errors == ["Căn cứ từ chối tiếp: chọn một khoản của Điều 9 Luật Tiếp công dân."]
    with pytest.raises(ValidationError) as caught:
        record_visit(engine, _input(case_id, [person], outcome="guided", refusal_ground="k1"), today=TODAY)
    assert "chỉ ghi khi kết quả là “Từ chối tiếp”" in caught.value.errors[0]
    saved = record_visit(engine, _input(case_id, [person], outcome="refused", refusal_ground="k3"), today=TODAY)
    assert load_visit(engine, saved.id).refusal_ground == "k3"


def test_bad_input_lists_every_error_and_writes_nothing(engine: Engine) -> None:
    people = _people(engine, 3)
    with pytest.raises(ValidationError) as caught:
        record_visit(engine, VisitInput(visit_date=date(2026, 12, 1), case_id=None, citizen_ids=people, content=" ",
                                        outcome=None, persons=2), today=TODAY)
    errors = caught.value.errors
    assert errors[0] == "Ngày tiếp: 01/12/2026 là ngày chưa đến (hôm nay 20/11/2026)."
    assert "Số người: ghi 2 nhưng đã chọn 3 công dân." in errors
    assert any(e.startswith("Nội dung: chưa nhập") for e in errors)
    assert any(e.startswith("Kết quả tiếp: chưa chọn") for e in errors)
    assert any(e.startswith("Vụ việc: chưa chọn") for e in errors)
    with pytest.raises(ValidationError) as caught:
        record_visit(engine, _input(_case(engine), [new_id()]), today=TODAY)
    assert caught.value.errors[0].startswith("Công dân: có người đã chọn không còn")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Visit.__table__)).scalar_one() == 0


def test_new_case_created_with_the_visit_in_one_transaction(engine: Engine) -> None:
    [person] = _people(engine, 1)
    with pytest.raises(ValidationError):
        record_visit(engine, _input(None, [person], content="", new_case=CaseInput("Lấn chiếm lối đi", "complaint")),
                     today=TODAY)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Case.__table__)).scalar_one() == 0
    saved = record_visit(engine, _input(None, [person], new_case=CaseInput("Lấn chiếm lối đi", "complaint")),
                         today=TODAY)
    record = load_visit(engine, saved.id)
    assert record.case.title == "Lấn chiếm lối đi" and record.case.visits == 1 and record.status.first_time


def test_load_visit_round_trips_to_input(engine: Engine) -> None:
    people = _people(engine, 6)
    case_id = _case(engine)
    data = _input(case_id, people[:4], persons=6, representative_ids=people[4:], visit_time=time(14, 30),
                  host="Lê Thị Tiếp", note="Có giấy ủy quyền")
    saved = record_visit(engine, data, today=TODAY)
    record = load_visit(engine, saved.id)
    assert [c.full_name for c in record.citizens] == [f"Người số {k}" for k in range(6)]
    assert record.representative_ids == tuple(people[4:])
    again = record.to_input()
    assert (again.persons, again.visit_time, again.host, again.note) == (6, time(14, 30), "Lê Thị Tiếp",
                                                                         "Có giấy ủy quyền")
    assert list(again.citizen_ids) == people and list(again.representative_ids) == people[4:]


def test_two_desks_edit_the_same_visit(engine: Engine) -> None:
    people = _people(engine, 3)
    case_id = _case(engine, title="Tranh chấp lối đi chung")
    other_case = _case(engine, title="Bồi thường cây trồng")
    saved = record_visit(engine, _input(case_id, people[:1]), today=TODAY)
    desk_a = load_visit(engine, saved.id).to_input()
    desk_b = load_visit(engine, saved.id).to_input()
    desk_a.content = "Đề nghị đo đạc lại ranh giới"
    desk_a.case_id = other_case
    desk_a.citizen_ids = people[:2]
    desk_a.persons = 2
    desk_a.outcome = "received_petition"
    updated = update_visit(engine, saved.id, 1, desk_a, today=TODAY)
    assert updated.version == 2
    desk_b.host = "Nguyễn Cán Bộ"
    with pytest.raises(RecordChanged) as caught:
        update_visit(engine, saved.id, 1, desk_b, today=TODAY)
    error = caught.value
    assert isinstance(error, ConflictError)
    message = str(error)
    assert "vừa được sửa ở máy khác" in message
    assert "Vụ việc: “Tranh chấp lối đi chung” → “Bồi thường cây trồng”" in message
    assert "Số người: “1” → “2”" in message
    assert "Nội dung: “Đề nghị xem xét lại việc thu hồi đất” → “Đề nghị đo đạc lại ranh giới”" in message
    assert "Kết quả tiếp: “Hướng dẫn” → “Tiếp nhận đơn”" in message
    assert "Công dân: “Người số 0” → “Người số 0, Người số 1”" in message
    assert "Người tiếp" not in message  # desk B's own change is not what the other desk did
    record = load_visit(engine, saved.id)
    assert (record.version, record.host, record.case.id) == (2, None, other_case)
    # desk B reloads and saves on the new version
    fresh = record.to_input()
    fresh.host = "Nguyễn Cán Bộ"
    assert update_visit(engine, saved.id, 2, fresh, today=TODAY).version == 3


def test_update_of_a_stale_case_reference(engine: Engine) -> None:
    [person] = _people(engine, 1)
    case_id = _case(engine)
    with engine.begin() as conn:
        visit_id = add_visit(conn, case_id, date(2026, 1, 1), citizen_ids=[person])
    data = load_visit(engine, visit_id).to_input()
    data.content, data.outcome = "Hỏi tiến độ giải quyết", "guided"
    data.case_id = new_id()
    with pytest.raises(ValidationError) as caught:
        update_visit(engine, visit_id, 1, data, today=TODAY)
    assert caught.value.errors == ["Vụ việc: không còn trong cơ sở dữ liệu (có thể đã bị xóa ở máy khác)."]
    assert visit_status(engine, case_id, date(2026, 2, 1)).earlier_visits == 1
