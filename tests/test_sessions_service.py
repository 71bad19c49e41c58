"""Leaders' reception days (services.sessions), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine, select

from reception_desk.services import sessions
from reception_desk.services.errors import ConflictError, NotFoundError, ValidationError
from reception_desk.services.sessions import SessionInput
from reception_desk.storage import reference
from reception_desk.storage.models import ReceptionSession, SessionAgency, SessionCase, Visit
from tests.builders import add_agency, add_case, add_visit

pytestmark = pytest.mark.pg


def _input(**changes: object) -> SessionInput:
    base = SessionInput(held_on=date(2026, 3, 10), kind="scheduled", leader="Nguyễn Văn Hùng",
                        leader_position="Chủ tịch UBND tỉnh", place="Trụ sở Tiếp công dân tỉnh")
    return replace(base, **changes)  # type: ignore[arg-type]


def _visit_mode(engine: Engine, session_id: object) -> list[str]:
    visit = Visit.__table__
    with engine.connect() as conn:
        return list(conn.execute(select(visit.c.reception_mode).where(visit.c.session_id == session_id)).scalars())


def test_create_stores_kind_mode_agencies_and_cases(engine: Engine) -> None:
    with engine.begin() as conn:
        a1 = add_agency(conn, "Sở Tài nguyên và Môi trường", level="province")
        a2 = add_agency(conn, "UBND phường Tân Lợi")
        c1 = add_case(conn, title="Tranh chấp đất đai thôn 3")
    saved = sessions.create_session(engine, _input(leader="  Nguyễn   Văn Hùng ", agency_ids=[a1, a2, a1],
                                                   case_ids=[c1]))
    assert saved.version == 1
    assert saved.leader == "Nguyễn Văn Hùng"
    assert saved.reception_mode == "leader_scheduled"
    assert saved.mode_label == "Lãnh đạo tiếp định kỳ"
    assert [a.name for a in saved.agencies] == ["Sở Tài nguyên và Môi trường", "UBND phường Tân Lợi"]
    assert [c.name for c in saved.cases] == ["Tranh chấp đất đai thôn 3"]
    assert saved.warnings == ()  # 10/03/2026 is a Tuesday
    with engine.connect() as conn:
        assert len(conn.execute(select(SessionAgency.__table__)).all()) == 2
        assert len(conn.execute(select(SessionCase.__table__)).all()) == 1
    assert sessions.session_mode(engine, saved.id) == "leader_scheduled"
    assert sessions.session_mode(engine, str(saved.id)) == "leader_scheduled"


def test_adhoc_and_authorised_deputy_modes(engine: Engine) -> None:
    adhoc = sessions.create_session(engine, _input(kind="adhoc"))
    assert adhoc.reception_mode == "leader_adhoc"
    deputy = sessions.create_session(engine, _input(leader="Trần Thị Mai", leader_position="Phó Chủ tịch",
                                                    authorised_by="Nguyễn Văn Hùng"))
    assert deputy.reception_mode == "authorised_deputy"
    assert deputy.kind == "scheduled"
    assert sessions.session_mode(engine, deputy.id) == "authorised_deputy"


def test_invalid_input_lists_every_problem_and_writes_nothing(engine: Engine) -> None:
    with pytest.raises(ValidationError) as info:
        sessions.create_session(engine, _input(kind="weekly", leader="  ", place="x" * 301))
    text = "\n".join(info.value.errors)
    assert "Hình thức" in text and "Lãnh đạo chủ trì" in text and "Địa điểm: quá dài" in text
    with pytest.raises(ValidationError, match="khác với lãnh đạo"):
        sessions.create_session(engine, _input(authorised_by="nguyen van hung"))
    with engine.connect() as conn:
        assert conn.execute(select(ReceptionSession.__table__)).first() is None


def test_holiday_is_a_warning_not_a_refusal(engine: Engine) -> None:
    reference.seed(engine)  # the official calendar, as open_database does
    saved = sessions.create_session(engine, _input(held_on=date(2026, 9, 2)))
    assert saved.id
    assert len(saved.warnings) == 1 and "02/09/2026 là ngày nghỉ" in saved.warnings[0]


def test_inactive_agency_cannot_be_newly_invited(engine: Engine) -> None:
    from reception_desk.services import directory

    with engine.begin() as conn:
        agency = add_agency(conn, "Công an tỉnh")
    saved = sessions.create_session(engine, _input(agency_ids=[agency]))
    row = directory.get_agency(engine, agency)
    directory.set_active(engine, agency, row.version, False)
    # Still on the session it attended: an unrelated edit keeps it.
    edited = sessions.update_session(engine, saved.id, saved.version, replace(saved.to_input(), note="Đã họp"))
    assert [a.name for a in edited.agencies] == ["Công an tỉnh"]
    with pytest.raises(ValidationError) as info:
        sessions.create_session(engine, _input(agency_ids=[agency]))
    assert "“Công an tỉnh” đã ngừng sử dụng" in str(info.value)


def test_update_with_stale_version_names_what_changed(engine: Engine) -> None:
    saved = sessions.create_session(engine, _input())
    desk_a = sessions.update_session(engine, saved.id, saved.version, replace(saved.to_input(), place="Hội trường B"))
    assert desk_a.version == 2 and desk_a.place == "Hội trường B"
    with pytest.raises(ConflictError) as info:
        sessions.update_session(engine, saved.id, saved.version, replace(saved.to_input(), leader="Lê Văn Tám"))
    message = str(info.value)
    assert "Địa điểm: “Hội trường B”" in message
    assert "Lãnh đạo chủ trì" in message and "Lê Văn Tám" in message
    assert sessions.get_session(engine, saved.id).leader == "Nguyễn Văn Hùng"  # nothing overwritten


def test_changing_the_mode_moves_the_visits_of_the_session(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = add_case(conn)
    saved = sessions.create_session(engine, _input())
    with engine.begin() as conn:
        add_visit(conn, case_id, saved.held_on, mode=saved.reception_mode, session_id=saved.id)
        add_visit(conn, case_id, saved.held_on, mode=saved.reception_mode, session_id=saved.id)
    edited = sessions.update_session(engine, saved.id, saved.version,
                                     replace(saved.to_input(), leader="Trần Thị Mai", authorised_by="Nguyễn Văn Hùng"))
    assert edited.visit_count == 2
    assert _visit_mode(engine, saved.id) == ["authorised_deputy", "authorised_deputy"]
    with pytest.raises(ValidationError, match="Không đổi được ngày"):
        sessions.update_session(engine, saved.id, edited.version, replace(edited.to_input(), held_on=date(2026, 3, 11)))
    assert sessions.get_session(engine, saved.id).version == edited.version  # rolled back whole


def test_delete_refused_with_visits_and_allowed_without(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = add_case(conn)
        agency = add_agency(conn)
    used = sessions.create_session(engine, _input(agency_ids=[agency], case_ids=[case_id]))
    empty = sessions.create_session(engine, _input(held_on=date(2026, 3, 25), agency_ids=[agency]))
    with engine.begin() as conn:
        add_visit(conn, case_id, used.held_on, mode=used.reception_mode, session_id=used.id)
    with pytest.raises(ValidationError, match="đã có 1 lượt tiếp"):
        sessions.delete_session(engine, used.id)
    with pytest.raises(ConflictError):
        sessions.delete_session(engine, empty.id, seen_version=empty.version + 1)
    sessions.delete_session(engine, empty.id, seen_version=empty.version)
    with pytest.raises(NotFoundError):
        sessions.get_session(engine, empty.id)
    with pytest.raises(NotFoundError):
        sessions.delete_session(engine, empty.id)
    with engine.connect() as conn:
        assert len(conn.execute(select(SessionAgency.__table__)).all()) == 1


def test_between_and_upcoming(engine: Engine) -> None:
    for day, kind in [(date(2026, 2, 10), "scheduled"), (date(2026, 3, 10), "scheduled"),
                      (date(2026, 3, 17), "adhoc"), (date(2026, 4, 10), "scheduled")]:
        sessions.create_session(engine, _input(held_on=day, kind=kind))
    march = sessions.sessions_between(engine, date(2026, 3, 1), date(2026, 3, 31))
    assert [s.held_on for s in march] == [date(2026, 3, 10), date(2026, 3, 17)]
    assert [s.kind_label for s in march] == ["Định kỳ", "Đột xuất"]
    upcoming = sessions.upcoming_sessions(engine, date(2026, 3, 10), limit=2)
    assert [s.held_on for s in upcoming] == [date(2026, 3, 10), date(2026, 3, 17)]
    assert sessions.upcoming_sessions(engine, date(2026, 5, 1)) == []
    with pytest.raises(ValidationError):
        sessions.sessions_between(engine, date(2026, 3, 31), date(2026, 3, 1))


def test_session_mode_of_unknown_session(engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        sessions.session_mode(engine, "not-a-uuid")
    with pytest.raises(NotFoundError):
        sessions.session_mode(engine, "5b8e4c62-0000-4000-8000-000000000000")


def test_case_choices_fold_accents(engine: Engine) -> None:
    with engine.begin() as conn:
        add_case(conn, title="Tranh chấp đất đai thôn 3")
        add_case(conn, title="Khiếu nại bồi thường đường 100%")
    assert [c.name for c in sessions.case_choices(engine, "dat DAI")] == ["Tranh chấp đất đai thôn 3"]
    assert [c.name for c in sessions.case_choices(engine, "100%")] == ["Khiếu nại bồi thường đường 100%"]
    assert sessions.case_choices(engine, "  ") == []
