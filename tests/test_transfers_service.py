"""services.transfers: transfers with computed due dates, agencies' answers, optimistic locking."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine, insert, select, update

from reception_desk.services import transfers
from reception_desk.services.errors import ConflictError, NotFoundError, ValidationError
from reception_desk.services.visibility import CONFIDENTIAL_SIGNER
from reception_desk.storage import reference
from reception_desk.storage.models import Agency, AuditEvent, Petition, PetitionSigner, Transfer
from tests.builders import add_agency, add_citizen, add_petition

TODAY = date(2025, 3, 3)
# Tết Ất Tỵ: 25/01/2025 (Saturday) to 02/02/2025 (Sunday) are days off (db/reference/calendar.csv).
BEFORE_TET = date(2025, 1, 22)  # a Wednesday


def _world(engine: Engine, kind: str = "denunciation") -> dict:
    reference.seed(engine)  # calendar and deadline rules, as open_database does
    with engine.begin() as conn:
        signer = add_citizen(conn, "Trần Thị Bình")
        petition = add_petition(conn, date(2025, 1, 20), kind, summary="Tố cáo cán bộ địa chính xã")
        conn.execute(insert(PetitionSigner.__table__), [{"petition_id": petition, "citizen_id": signer, "ordinal": 0}])
        ward = add_agency(conn, "UBND phường Tân Lợi")
        police = add_agency(conn, "Công an tỉnh Đắk Lắk", level="province")
        closed = add_agency(conn, "UBND xã Hòa Thắng (đã sáp nhập)")
        conn.execute(update(Agency.__table__).where(Agency.__table__.c.id == closed).values(active=False))
    return {"petition": petition, "ward": ward, "police": police, "closed": closed}


def _transfers(engine: Engine) -> list:
    t = Transfer.__table__
    with engine.connect() as conn:
        return conn.execute(select(t).order_by(t.c.created_at)).all()


def test_transfer_to_two_agencies_computes_due_dates_over_tet(engine: Engine) -> None:
    w = _world(engine)
    saved = transfers.transfer_petition(engine, w["petition"], [w["ward"], w["police"]], BEFORE_TET,
                                        number="12/PC-BTCD", note="Gửi kèm bản sao", today=TODAY, actor="desk1")
    assert [s.agency_name for s in saved] == ["UBND phường Tân Lợi", "Công an tỉnh Đắk Lắk"]
    # Denunciation: 7 working days (Luật Tố cáo Điều 24): 23, 24/01, then Tết, then 3–7/02.
    assert {s.due_on for s in saved} == {date(2025, 2, 7)}
    assert "7 ngày làm việc" in saved[0].basis and "Điều 24" in saved[0].basis
    rows = _transfers(engine)
    assert len(rows) == 2 and {r.number for r in rows} == {"12/PC-BTCD"}
    assert all(r.answered_on is None and r.sent_on == BEFORE_TET for r in rows)
    with engine.connect() as conn:
        petition = conn.execute(select(Petition.__table__).where(Petition.__table__.c.id == w["petition"])).one()
        audit = conn.execute(select(AuditEvent.__table__).where(AuditEvent.__table__.c.action == "transfer.create")).all()
    assert petition.handling == "transfer" and petition.version == 2 == saved[0].petition_version
    assert len(audit) == 2 and {a.actor for a in audit} == {"desk1"}
    assert json.loads(audit[0].detail)["rule"] == "denunciation_check"
    detail = transfers.load_transfer(engine, saved[0].id)
    assert detail.note == "Gửi kèm bản sao"
    assert detail.signers == CONFIDENTIAL_SIGNER  # a denouncer is never named
    assert detail.due_on == date(2025, 2, 7) and not detail.answered and detail.overdue(TODAY)
    assert detail.days_overdue(TODAY) == (TODAY - date(2025, 2, 7)).days


@pytest.mark.parametrize(("kind", "due"), [
    ("recommendation", date(2025, 2, 12)),  # 10 working days (TT 05/2021)
    ("complaint", date(2025, 2, 3)),  # 10 days (Luật Khiếu nại Điều 27), 01/02 is a day off → Monday
])
def test_due_date_follows_the_rule_of_the_kind(engine: Engine, kind: str, due: date) -> None:
    w = _world(engine, kind)
    [saved] = transfers.transfer_petition(engine, w["petition"], [w["ward"]], BEFORE_TET, today=TODAY)
    assert saved.due_on == due
    context = transfers.transfer_context(engine, w["petition"])
    assert context.due_on(BEFORE_TET) == due
    assert context.basis_text() == saved.basis


def test_inactive_or_unknown_agency_is_refused_and_nothing_is_written(engine: Engine) -> None:
    w = _world(engine)
    with pytest.raises(ValidationError, match="ngừng hoạt động.*Hòa Thắng"):
        transfers.transfer_petition(engine, w["petition"], [w["ward"], w["closed"]], BEFORE_TET, today=TODAY)
    with pytest.raises(NotFoundError):
        transfers.transfer_petition(engine, w["petition"], [w["ward"], w["petition"]], BEFORE_TET, today=TODAY)
    with pytest.raises(ValidationError, match="ít nhất một cơ quan"):
        transfers.transfer_petition(engine, w["petition"], [], BEFORE_TET, today=TODAY)
    assert _transfers(engine) == []
    with engine.connect() as conn:
        handling = conn.execute(select(Petition.__table__.c.handling)).scalar_one()
    assert handling is None


def test_dates_are_checked(engine: Engine) -> None:
    w = _world(engine)
    with pytest.raises(ValidationError, match="trước ngày nhận đơn 20/01/2025"):
        transfers.transfer_petition(engine, w["petition"], [w["ward"]], date(2025, 1, 19), today=TODAY)
    with pytest.raises(ValidationError, match="sau hôm nay"):
        transfers.transfer_petition(engine, w["petition"], [w["ward"]], date(2025, 3, 4), today=TODAY)
    with pytest.raises(ValidationError, match="quá dài"):
        transfers.transfer_petition(engine, w["petition"], [w["ward"]], BEFORE_TET, number="x" * 61, today=TODAY)
    assert _transfers(engine) == []


def test_second_transfer_to_the_same_agency_waits_for_the_answer(engine: Engine) -> None:
    w = _world(engine)
    [first] = transfers.transfer_petition(engine, w["petition"], [w["ward"]], BEFORE_TET, number="5/PC",
                                          today=TODAY)
    with pytest.raises(ValidationError, match="đang chờ cơ quan trả lời.*Tân Lợi.*22/01/2025.*số 5/PC"):
        transfers.transfer_petition(engine, w["petition"], [w["police"], w["ward"]], date(2025, 2, 3), today=TODAY)
    assert len(_transfers(engine)) == 1  # the police transfer of the refused call is not written either
    context = transfers.transfer_context(engine, w["petition"])
    pending = {a.id: a.pending_since for a in context.agencies}
    assert pending[w["ward"]] == BEFORE_TET and pending[w["police"]] is None
    assert w["closed"] not in pending  # only active agencies are offered
    transfers.record_answer(engine, first.id, first.version, date(2025, 2, 5), "20/UBND", "Đã thụ lý", today=TODAY)
    again = transfers.transfer_petition(engine, w["petition"], [w["ward"]], date(2025, 2, 10), today=TODAY)
    assert len(again) == 1 and len(_transfers(engine)) == 2


def test_stale_petition_version_is_a_conflict(engine: Engine) -> None:
    w = _world(engine)
    with engine.begin() as conn:  # another desk decided meanwhile
        p = Petition.__table__
        conn.execute(update(p).where(p.c.id == w["petition"]).values(handling="accept", version=2))
    with pytest.raises(ConflictError, match="phiên bản 1 → 2.*Thụ lý"):
        transfers.transfer_petition(engine, w["petition"], [w["ward"]], BEFORE_TET, petition_version=1, today=TODAY)
    assert _transfers(engine) == []
    saved = transfers.transfer_petition(engine, w["petition"], [w["ward"]], BEFORE_TET, petition_version=2,
                                        today=TODAY)
    assert saved[0].petition_version == 3


def test_record_answer_checks_dates_and_versions(engine: Engine) -> None:
    w = _world(engine, "recommendation")
    [t] = transfers.transfer_petition(engine, w["petition"], [w["ward"]], BEFORE_TET, today=TODAY)
    with pytest.raises(ValidationError, match="trước ngày chuyển đơn 22/01/2025"):
        transfers.record_answer(engine, t.id, t.version, date(2025, 1, 21), None, None, today=TODAY)
    with pytest.raises(ValidationError, match="sau hôm nay"):
        transfers.record_answer(engine, t.id, t.version, date(2025, 3, 4), None, None, today=TODAY)
    saved = transfers.record_answer(engine, t.id, t.version, date(2025, 2, 14), " 31/UBND ",
                                    "Đã giải quyết,  trả lời công dân", today=TODAY, actor="desk1")
    assert saved.version == 2 and saved.answered and saved.answer_number == "31/UBND"
    assert saved.result == "Đã giải quyết, trả lời công dân"
    assert not saved.overdue(TODAY)
    # A second desk still holding version 1 is refused and told what changed.
    with pytest.raises(ConflictError) as err:
        transfers.record_answer(engine, t.id, 1, date(2025, 2, 20), "99/UBND", "Khác", today=TODAY, actor="desk2")
    message = str(err.value)
    assert "phiên bản 1 → 2" in message and "Ngày trả lời: (trống) → 14/02/2025" in message
    assert "Số văn bản trả lời: (trống) → 31/UBND" in message and "desk1" in message
    assert transfers.load_transfer(engine, t.id).answer_number == "31/UBND"  # nothing overwritten
    cleared = transfers.clear_answer(engine, t.id, saved.version)
    assert cleared.version == 3 and not cleared.answered and cleared.answer_number is None
    with pytest.raises(ConflictError, match="Ngày trả lời: 14/02/2025 → \\(trống\\)"):
        transfers.clear_answer(engine, t.id, saved.version)


def test_missing_rows(engine: Engine) -> None:
    w = _world(engine)
    with pytest.raises(NotFoundError):
        transfers.load_transfer(engine, w["ward"])
    with pytest.raises(NotFoundError):
        transfers.record_answer(engine, "not-a-uuid", 1, TODAY, None, None, today=TODAY)
    with pytest.raises(NotFoundError):
        transfers.transfer_context(engine, w["ward"])


def test_context_warns_when_the_office_itself_is_late(engine: Engine) -> None:
    w = _world(engine)
    context = transfers.transfer_context(engine, w["petition"])
    assert context.petition.signers == CONFIDENTIAL_SIGNER and context.petition.kind_label == "Tố cáo"
    # The office has 5 working days from receipt (20/01) to transfer a denunciation: 21–24/01, 03/02.
    assert context.own_deadline is not None and context.own_deadline.due == date(2025, 2, 3)
    assert context.late_warning(date(2025, 2, 3)) is None
    warning = context.late_warning(date(2025, 2, 4))
    assert warning is not None and "03/02/2025" in warning and "Điều 24" in warning


def test_open_petition_shows_its_signers(engine: Engine) -> None:
    w = _world(engine, "recommendation")
    with engine.begin() as conn:
        conn.execute(update(Petition.__table__).values(confidential=False))
    assert transfers.transfer_context(engine, w["petition"]).petition.signers == "Trần Thị Bình"
