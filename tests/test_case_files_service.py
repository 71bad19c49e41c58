"""services.case_files: finding and creating cases, first/repeat computed from the visits."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import Engine, select

from reception_desk.services.case_files import CaseInput, create_case, find_cases, get_case, visit_status
from reception_desk.services.errors import NotFoundError, ValidationError
from reception_desk.storage.models import Case, new_id
from tests.builders import add_case, add_citizen, add_visit


def test_find_by_title_without_accents(engine: Engine) -> None:
    with engine.begin() as conn:
        land = add_case(conn, title="Tranh chấp đất đai thôn Ea Kmốt")
        add_case(conn, title="Khiếu nại bồi thường giải phóng mặt bằng")
        add_visit(conn, land, date(2025, 5, 2))
        add_visit(conn, land, date(2025, 6, 9))
    hits = find_cases(engine, "tranh chap dat")
    assert [h.id for h in hits] == [land]
    hit = hits[0]
    assert (hit.visits, hit.first_visit_on, hit.last_visit_on) == (2, date(2025, 5, 2), date(2025, 6, 9))
    assert hit.kind_label == "Khiếu nại"
    assert "2 lượt tiếp, lần gần nhất 09/06/2025" in hit.summary()
    assert find_cases(engine, "") == []


def test_find_a_citizens_cases_newest_first_without_denunciations(engine: Engine) -> None:
    with engine.begin() as conn:
        person = add_citizen(conn, "Nguyễn Thị Hồng")
        older = add_case(conn, title="Cấp giấy chứng nhận quyền sử dụng đất")
        newer = add_case(conn, title="Ô nhiễm tiếng ồn xưởng gỗ", kind="feedback")
        secret = add_case(conn, title="Tố cáo cán bộ thu tiền", kind="denunciation")
        other = add_case(conn, title="Cấp giấy phép xây dựng")
        add_visit(conn, older, date(2024, 1, 5), citizen_ids=[person])
        add_visit(conn, newer, date(2025, 1, 5), citizen_ids=[person])
        add_visit(conn, secret, date(2025, 2, 5), citizen_ids=[person])
        add_visit(conn, other, date(2025, 3, 5))
    assert [h.id for h in find_cases(engine, None, citizen_id=person)] == [newer, older]
    assert [h.id for h in find_cases(engine, "cap giay", citizen_id=person)] == [older]
    # the denunciation is still found by its title
    assert [h.id for h in find_cases(engine, "to cao can bo")] == [secret]


def test_create_case(engine: Engine) -> None:
    hit = create_case(engine, CaseInput(title="  Khiếu nại   quyết định thu hồi đất ", kind="complaint",
                                        field="Đất đai"))
    assert (hit.title, hit.kind, hit.status, hit.visits) == ("Khiếu nại quyết định thu hồi đất", "complaint", "open", 0)
    with engine.connect() as conn:
        assert conn.execute(select(Case.__table__.c.title_key)).scalar_one() == "khieu nai quyet dinh thu hoi dat"
    assert get_case(engine, hit.id).title == hit.title
    with pytest.raises(ValidationError) as caught:
        create_case(engine, CaseInput(title="", kind="gossip"))
    assert caught.value.errors == ["Tên vụ việc: chưa nhập.",
                                   "Loại vụ việc: chọn khiếu nại, tố cáo, kiến nghị hoặc phản ánh."]
    with pytest.raises(NotFoundError):
        get_case(engine, new_id())


def test_visit_status_first_then_repeat(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = add_case(conn)
    status = visit_status(engine, case_id, date(2025, 3, 1))
    assert (status.first_time, status.earlier_visits, status.last_visit_on) == (True, 0, None)
    assert status.label() == "Lần đầu"
    with engine.begin() as conn:
        first = add_visit(conn, case_id, date(2025, 3, 1), at=time(9, 0))
        add_visit(conn, case_id, date(2025, 4, 2))
    later = visit_status(engine, case_id, date(2025, 5, 1), time(8, 0))
    assert (later.first_time, later.earlier_visits, later.ordinal) == (False, 2, 3)
    assert later.label() == "Nhiều lần (lần thứ 3, lần trước 02/04/2025)"
    # a back-dated visit would be the first one
    assert visit_status(engine, case_id, date(2025, 2, 1)).first_time
    # same day, earlier hour: first; later hour: second
    assert visit_status(engine, case_id, date(2025, 3, 1), time(8, 30)).first_time
    assert visit_status(engine, case_id, date(2025, 3, 1), time(10, 0)).earlier_visits == 1
    # the visit being edited does not count itself
    own = visit_status(engine, case_id, date(2025, 3, 1), time(9, 0), exclude_visit_id=first)
    assert own.first_time


def test_visit_status_matches_the_stored_first_visit_on_ties(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = add_case(conn)
        a = add_visit(conn, case_id, date(2025, 3, 1))
        b = add_visit(conn, case_id, date(2025, 3, 1))
        stored_first = conn.execute(select(Case.__table__.c.first_visit_id)).scalar_one()
    firsts = {v for v in (a, b) if visit_status(engine, case_id, date(2025, 3, 1), None, exclude_visit_id=v).first_time}
    assert firsts == {stored_first}
