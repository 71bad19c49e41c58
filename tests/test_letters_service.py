"""services.letters on SQLite and PostgreSQL: every letter, numbering, voiding, idempotence,
missing letterhead, denouncer protection, the register, and transfers issuing their letters."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Engine, func, insert, select, update

from reception_desk.domain.letters import CONFIDENTIAL_DENOUNCER, LetterKind, LetterStatus
from reception_desk.domain.text import fold
from reception_desk.services import letter_templates, letters, transfers
from reception_desk.services.errors import ConflictError, ValidationError
from reception_desk.services.settings import OfficeSettings, save_office_settings
from reception_desk.storage import reference
from reception_desk.storage.models import (
    AuditEvent,
    DocumentNumber,
    IssuedDocument,
    Petition,
    PetitionSigner,
    Transfer,
)
from tests.builders import add_agency, add_case, add_citizen, add_petition, add_visit

TODAY = date(2025, 3, 3)
SENT = date(2025, 1, 22)
DOCS = IssuedDocument.__table__
# A denouncer whose identity must never leave the office (domain notes §5).
NAME = "Nguyễn Thị Hoa"
ADDRESS = "Thôn 3, xã Thạch Hà, tỉnh Hà Tĩnh"
PHONE = "0912345678"
ID_NUMBER = "042185001234"
SECRETS = (NAME, ADDRESS, PHONE, ID_NUMBER)
# ... which the clerk also typed into the summary, in lower case without marks and spaced out.
LEAKY_SUMMARY = ("Bà nguyen thi hoa, thon 3, xa thach ha, tinh ha tinh (đt 0912 345 678, CCCD 042185001234) "
                 "tố cáo cán bộ địa chính xã thu tiền cấp giấy chứng nhận sai quy định.")


def office(engine: Engine) -> None:
    save_office_settings(engine, OfficeSettings(
        office_name="Ban Tiếp công dân tỉnh Hà Tĩnh", superior_body="Ủy ban nhân dân tỉnh Hà Tĩnh",
        office_symbol="BTCD", place_name="Hà Tĩnh", signer_name="Trần Văn Bình", signer_title="Phó Trưởng ban",
        signer_on_behalf="KT. Trưởng ban"), actor="test")


@dataclass
class World:
    petition: UUID
    citizen: UUID
    agency: UUID
    other_agency: UUID
    source_agency: UUID


def world(engine: Engine, kind: str = "denunciation", *, summary: str = LEAKY_SUMMARY, settings: bool = True,
          signer: bool = True) -> World:
    reference.seed(engine)
    if settings:
        office(engine)
    with engine.begin() as conn:
        citizen = add_citizen(conn, NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS)
        petition = add_petition(conn, date(2025, 1, 20), kind, summary=summary)
        if signer:
            conn.execute(insert(PetitionSigner.__table__), [{"petition_id": petition, "citizen_id": citizen,
                                                              "ordinal": 0}])
        agency = add_agency(conn, "Chủ tịch Ủy ban nhân dân xã Thạch Hà")
        other = add_agency(conn, "Công an tỉnh Hà Tĩnh", level="province")
        source = add_agency(conn, "Văn phòng Đoàn đại biểu Quốc hội tỉnh Hà Tĩnh", level="province")
        conn.execute(update(Petition.__table__).where(Petition.__table__.c.id == petition)
                     .values(source_agency_id=source, channel="transferred_in"))
    return World(petition, citizen, agency, other, source)


def transfer(engine: Engine, w: World, agencies: list[UUID] | None = None, sent_on: date = SENT) -> list:
    return transfers.transfer_petition(engine, w.petition, agencies or [w.agency], sent_on, today=TODAY, actor="t")


def docs(engine: Engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(DOCS).order_by(DOCS.c.series, DOCS.c.year, DOCS.c.number)).all()


def assert_no_identity(text: str) -> None:
    folded = fold(text)
    for secret in SECRETS:
        assert secret not in text and fold(secret) not in folded
    assert "0912 345 678" not in text and "042185001234" not in text


# --- every letter renders ---------------------------------------------------------------------------


def test_forwarding_letter_of_a_complaint(engine: Engine) -> None:
    w = world(engine, "complaint", summary="Khiếu nại quyết định thu hồi đất của UBND xã.")
    [t] = transfer(engine, w)
    letter = letters.issue_forwarding(engine, t.id, actor="desk1")
    c = letter.content
    assert (letter.symbol, letter.number, letter.year, letter.issued_on) == ("01/PC-BTCD", 1, 2025, SENT)
    assert c.number_line == "Số: 01/PC-BTCD" and c.title == "PHIẾU CHUYỂN ĐƠN" and c.security_mark is None
    assert c.place_date == "Hà Tĩnh, ngày 22 tháng 01 năm 2025"
    assert c.letterhead.office_name == "BAN TIẾP CÔNG DÂN TỈNH HÀ TĨNH"
    assert c.salutation == ("Chủ tịch Ủy ban nhân dân xã Thạch Hà.",)
    body = "\n".join(c.paragraphs)
    assert "Ban Tiếp công dân tỉnh Hà Tĩnh nhận được đơn khiếu nại đề ngày 20/01/2025 của ông (bà) Nguyễn Thị Hoa" in body
    assert "Nội dung đơn: Khiếu nại quyết định thu hồi đất của UBND xã." in body  # one full stop, not two
    assert "Luật Khiếu nại năm 2011" in body and "Thông tư số 05/2021/TT-TTCP" in body
    assert "để xem xét, giải quyết theo thẩm quyền và thông báo kết quả cho ông (bà) Nguyễn Thị Hoa" in body
    assert c.recipients == ("- Như trên;", "- Ông (bà) Nguyễn Thị Hoa (để biết);", "- Lưu: VT.")
    assert (c.signer.authority, c.signer.position, c.signer.name) == ("KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Trần Văn Bình")
    [row] = docs(engine)
    assert (row.kind, row.series, row.status, row.transfer_id, row.agency_id, row.issued_by) == (
        "forwarding", "PC", "issued", t.id, w.agency, "desk1")
    assert json.loads(row.content)["template"] == "forwarding"
    assert transfers.load_transfer(engine, t.id).number == "01/PC-BTCD"  # the transfer records the letter's number
    assert letters.letter_content(engine, letter.id) == c


def test_denunciation_letters_to_others_never_carry_the_denouncer(engine: Engine) -> None:
    w = world(engine, "denunciation")
    [t] = transfer(engine, w)
    forwarding = letters.issue_forwarding(engine, t.id)
    text = forwarding.content.all_text()
    assert forwarding.content.title == "PHIẾU CHUYỂN ĐƠN TỐ CÁO" and forwarding.content.security_mark == "MẬT"
    assert "giữ bí mật" in text and "Luật Tố cáo năm 2018" in text and "Điều 56" in text
    assert forwarding.content.recipients == ("- Như trên;", "- Lưu: VT.")  # only the competent body
    assert "[đã lược bỏ]" in text and "tố cáo cán bộ địa chính xã" in text
    chase = letters.issue_chase(engine, t.id, issued_on=TODAY)
    assert chase.content.security_mark == "MẬT" and "đã quá hạn 24 ngày" in chase.content.all_text()
    returned = letters.issue_return(engine, w.petition, ["Đơn tố cáo (bản chính)"], reason="Không thuộc thẩm quyền",
                                    to_source_agency=True, issued_on=TODAY)
    assert returned.content.salutation == ("Văn phòng Đoàn đại biểu Quốc hội tỉnh Hà Tĩnh.",)
    for letter in (forwarding, chase, returned):
        assert_no_identity(letter.content.all_text())
        assert_no_identity(json.dumps(json.loads(_row(engine, letter.id).content), ensure_ascii=False))
    # the denouncer's own notice is addressed to them
    notice = letters.issue_notice(engine, t.id)
    own = notice.content.all_text()
    assert NAME in own and "Thôn 3, xã Thạch Hà" in own and notice.content.subject == "Về việc chuyển đơn tố cáo"
    assert notice.content.recipients == ("- Như trên;", "- Lưu: VT.")
    assert "Phiếu chuyển đơn số 01/PC-BTCD ngày 22/01/2025" in own
    with engine.connect() as conn:
        audit = conn.execute(select(AuditEvent.__table__.c.detail).where(
            AuditEvent.__table__.c.entity_id == str(notice.id))).scalar_one()
    assert json.loads(audit)["identity_used"] is True
    # the register never names the denouncer, even for the letter addressed to them
    register = letters.list_letters(engine)
    assert {r.recipient for r in register if r.kind is LetterKind.NOTICE} == {CONFIDENTIAL_DENOUNCER}
    assert not [r for r in register if NAME in r.recipient]
    assert letters.list_letters(engine, search="Hoa") == []


def test_a_confidential_complaint_is_protected_like_a_denunciation(engine: Engine) -> None:
    w = world(engine, "complaint", summary="Ông bà nguyen thi hoa khiếu nại việc bồi thường")
    with engine.begin() as conn:
        conn.execute(update(Petition.__table__).values(confidential=True))
    [t] = transfer(engine, w)
    letter = letters.issue_forwarding(engine, t.id)
    assert letter.content.title == "PHIẾU CHUYỂN ĐƠN TỐ CÁO"
    assert_no_identity(letter.content.all_text())


def test_identity_typed_into_the_template_is_caught_and_nothing_is_issued(engine: Engine) -> None:
    w = world(engine, "denunciation")
    [t] = transfer(engine, w)
    text = letter_templates.shipped_template_text("forwarding_denunciation").replace(
        'recipients = ["Như trên"]', 'recipients = ["Như trên", "Bà Nguyễn Thị Hoa"]')
    letter_templates.save_template_override(engine, "forwarding_denunciation", text, actor="t")
    with pytest.raises(ValidationError, match="thông tin của người tố cáo"):
        letters.issue_forwarding(engine, t.id)
    assert docs(engine) == []
    with engine.connect() as conn:  # the number was given back: no gap
        assert conn.execute(select(func.count()).select_from(DocumentNumber.__table__)).scalar() == 0
    letter_templates.reset_template(engine, "forwarding_denunciation")
    assert letters.issue_forwarding(engine, t.id).number == 1


def test_guidance_return_receipt_and_notice_to_the_petitioner(engine: Engine) -> None:
    w = world(engine, "recommendation", summary="Kiến nghị sửa đường liên thôn.")
    guidance = letters.issue_guidance(engine, w.petition, agency_id=w.other_agency,
                                      guidance="Mang theo bản sao giấy tờ tùy thân.", issued_on=TODAY)
    g = guidance.content
    assert guidance.symbol == "01/HD-BTCD" and g.title == "PHIẾU HƯỚNG DẪN"
    assert g.salutation == (f"Ông (bà) {NAME}, địa chỉ: {ADDRESS}.",)
    assert "gửi đơn đến Công an tỉnh Hà Tĩnh" in g.all_text() and "Mang theo bản sao" in g.all_text()
    assert "Nghị định số 64/2014/NĐ-CP" in g.all_text()
    returned = letters.issue_return(engine, w.petition, ["Đơn kiến nghị (bản chính)", "Bản sao sổ đỏ"],
                                    reason="Đơn không thuộc thẩm quyền.", issued_on=TODAY)
    r = returned.content
    assert returned.symbol == "01/BTCD" and r.title is None and r.subject == "V/v trả lại đơn và giấy tờ, tài liệu"
    assert "1. Đơn kiến nghị (bản chính);" in r.paragraphs and "2. Bản sao sổ đỏ." in r.paragraphs
    assert "(02 mục)" in r.all_text() and "Lý do trả lại: Đơn không thuộc thẩm quyền." in r.paragraphs
    receipt = letters.issue_receipt(engine, ["Đơn kiến nghị", "Ảnh chụp hiện trường (05 tờ)"], petition_id=w.petition,
                                    issued_on=TODAY)
    assert receipt.symbol == "01/BN-BTCD" and receipt.content.title == "GIẤY BIÊN NHẬN"
    assert receipt.content.salutation == () and "Tổng cộng: 02 mục." in receipt.content.paragraphs
    [t1, t2] = transfer(engine, w, [w.agency, w.other_agency])
    notice = letters.issue_notice(engine, [t1.id, t2.id])
    assert notice.symbol == "01/TB-BTCD" and notice.content.subject == "Về việc chuyển đơn"
    assert "Chủ tịch Ủy ban nhân dân xã Thạch Hà và Công an tỉnh Hà Tĩnh" in notice.content.all_text()
    assert letters.issue_notice(engine, petition_id=w.petition).id == notice.id  # idempotent


def test_receipt_for_a_visit(engine: Engine) -> None:
    reference.seed(engine)
    office(engine)
    with engine.begin() as conn:
        citizen = add_citizen(conn, "Lê Văn Tám", address="Tổ 5, phường Bắc Hà")
        case = add_case(conn, kind="complaint")
        visit = add_visit(conn, case, date(2025, 2, 10), citizen_ids=[citizen])
    receipt = letters.issue_receipt(engine, ["Bản sao quyết định số 12/QĐ-UBND"], visit_id=visit,
                                    issued_on=date(2025, 2, 10))
    assert "Lê Văn Tám, địa chỉ: Tổ 5, phường Bắc Hà" in receipt.content.paragraphs[0]
    assert receipt.content.paragraphs[1] == "1. Bản sao quyết định số 12/QĐ-UBND."
    with pytest.raises(ValidationError, match="một đơn hoặc một lượt tiếp"):
        letters.issue_receipt(engine, ["x"])
    with pytest.raises(ValidationError, match="ít nhất một"):
        letters.issue_receipt(engine, ["  "], visit_id=visit)


def test_letters_to_the_petitioner_need_one(engine: Engine) -> None:
    w = world(engine, "complaint", signer=False)
    with pytest.raises(ValidationError, match="không có người nhận"):
        letters.issue_guidance(engine, w.petition, competent_body="Tòa án nhân dân tỉnh")
    [t] = transfer(engine, w)
    letter = letters.issue_forwarding(engine, t.id)  # no "(để biết)" copy for nobody
    assert letter.content.recipients == ("- Như trên;", "- Lưu: VT.")


# --- numbering, voiding, idempotence -----------------------------------------------------------------


def test_numbers_run_per_series_and_restart_on_first_january(engine: Engine) -> None:
    w = world(engine, "feedback", summary="Phản ánh ô nhiễm")
    symbols = []
    for day in (date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 2)):
        agency = _new_agency(engine, day)
        [t] = transfers.transfer_petition(engine, w.petition, [agency], day, today=date(2026, 1, 5))
        symbols.append(letters.issue_forwarding(engine, t.id).symbol)
    guidance = letters.issue_guidance(engine, w.petition, competent_body="Sở Tài nguyên và Môi trường",
                                      issued_on=date(2026, 1, 3))
    assert symbols == ["01/PC-BTCD", "02/PC-BTCD", "01/PC-BTCD"] and guidance.symbol == "01/HD-BTCD"
    assert [(r.series, r.year, r.number) for r in docs(engine)] == [("HD", 2026, 1), ("PC", 2025, 1),
                                                                     ("PC", 2025, 2), ("PC", 2026, 1)]


def _new_agency(engine: Engine, day: date) -> UUID:
    with engine.begin() as conn:
        return add_agency(conn, f"UBND xã {day.isoformat()}")


def test_idempotent_void_keeps_the_number_and_reissue(engine: Engine) -> None:
    w = world(engine, "complaint")
    [t] = transfer(engine, w)
    first = letters.issue_forwarding(engine, t.id)
    assert letters.issue_forwarding(engine, t.id) == first  # same letter, no new number
    with pytest.raises(ValidationError, match="lý do"):
        letters.void_letter(engine, first.id, "  ", first.version)
    with pytest.raises(ConflictError):
        letters.void_letter(engine, first.id, "In sai", first.version + 1)
    void = letters.void_letter(engine, first.id, "In sai tên cơ quan nhận", first.version, actor="desk2")
    assert void.status is LetterStatus.VOID and void.content.void and void.number == 1 and void.version == 2
    assert letters.letter_content(engine, first.id).void
    assert transfers.load_transfer(engine, t.id).number is None  # it was the letter's number
    with pytest.raises(ValidationError, match="đã bị hủy"):
        letters.void_letter(engine, first.id, "lần nữa", void.version)
    with pytest.raises(ValidationError, match="Phát hành lại"):
        letters.issue_forwarding(engine, t.id)
    second = letters.issue_forwarding(engine, t.id, reissue=True)
    assert second.number == 2 and second.symbol == "02/PC-BTCD"  # the void number is never reused
    with pytest.raises(ValidationError, match="vẫn còn hiệu lực"):
        letters.issue_forwarding(engine, t.id, reissue=True)
    assert transfers.load_transfer(engine, t.id).number == "02/PC-BTCD"
    assert [(row.number, row.status, row.void_reason, row.voided_by) for row in docs(engine)] == [
        (1, "void", "In sai tên cơ quan nhận", "desk2"), (2, "issued", None, None)]
    assert [x.symbol for x in letters.letters_for_transfer(engine, t.id)] == ["01/PC-BTCD", "02/PC-BTCD"]
    assert [c.number_line for c in letters.letters_for_period(engine, SENT, SENT)] == ["Số: 02/PC-BTCD"]
    assert len(letters.letters_for_period(engine, SENT, SENT, include_void=True)) == 2


def test_a_typed_transfer_number_is_kept(engine: Engine) -> None:
    w = world(engine, "complaint")
    [t] = transfers.transfer_petition(engine, w.petition, [w.agency], SENT, number="15/CV-TCD", today=TODAY)
    letter = letters.issue_forwarding(engine, t.id)
    assert transfers.load_transfer(engine, t.id).number == "15/CV-TCD"
    letters.void_letter(engine, letter.id, "Trùng", letter.version)
    assert transfers.load_transfer(engine, t.id).number == "15/CV-TCD"


def test_missing_letterhead_refuses_and_writes_nothing(engine: Engine) -> None:
    w = world(engine, "complaint", settings=False)
    [t] = transfer(engine, w)
    with pytest.raises(ValidationError, match="Cài đặt → Cơ quan") as failure:
        letters.issue_forwarding(engine, t.id)
    assert "ký hiệu cơ quan" in str(failure.value)
    with pytest.raises(ValidationError, match="Cài đặt → Cơ quan"):
        transfers.transfer_and_issue(engine, w.petition, [w.other_agency], SENT, today=TODAY)
    assert docs(engine) == []
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(DocumentNumber.__table__)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(Transfer.__table__)).scalar() == 1  # only the first
    assert transfers.load_transfer(engine, t.id).number is None


# --- chase -----------------------------------------------------------------------------------------


def test_chase_refused_when_answered_and_warned_when_early(engine: Engine) -> None:
    w = world(engine, "complaint")
    [t] = transfer(engine, w)
    assert letters.chase_warning(engine, t.id, on=date(2025, 1, 30)) is not None
    early = letters.issue_chase(engine, t.id, issued_on=date(2025, 1, 30))
    assert early.warnings and "Chưa quá hạn" in early.warnings[0]
    assert "(đã quá hạn" not in early.content.all_text() and "ngày 03/02/2025" in early.content.all_text()
    late = letters.issue_chase(engine, t.id, issued_on=TODAY)
    assert late.warnings == () and late.symbol == "02/BTCD"
    assert "văn bản chuyển đơn ngày 22/01/2025" in late.content.all_text()  # no forwarding letter yet
    detail = transfers.load_transfer(engine, t.id)
    transfers.record_answer(engine, t.id, detail.version, date(2025, 3, 1), "20/UBND", "Đã giải quyết", today=TODAY)
    with pytest.raises(ValidationError, match="đã trả lời ngày 01/03/2025"):
        letters.issue_chase(engine, t.id, issued_on=TODAY)


# --- transfers issue their letters in one transaction -------------------------------------------------


def test_transfer_and_issue(engine: Engine) -> None:
    w = world(engine, "denunciation")
    outcome = transfers.transfer_and_issue(engine, w.petition, [w.agency, w.other_agency], SENT,
                                           notify_petitioner=True, today=TODAY, actor="desk1")
    assert [s.number for s in outcome.transfers] == ["01/PC-BTCD", "02/PC-BTCD"]
    assert [s.version for s in outcome.transfers] == [2, 2]
    assert [x.symbol for x in outcome.letters] == ["01/PC-BTCD", "02/PC-BTCD", "01/TB-BTCD"]
    assert outcome.transfers[0].letters[-1].kind is LetterKind.NOTICE
    for letter in outcome.letters[:2]:
        assert_no_identity(letter.content.all_text())
    # the versions returned are the ones stored: the clerk can record an answer right away
    transfers.record_answer(engine, outcome.transfers[0].id, outcome.transfers[0].version, TODAY, "1/UBND", "Xong",
                            today=TODAY)
    # existing callers are untouched
    plain = transfers.transfer_petition(engine, w.petition, [w.source_agency], SENT, today=TODAY)
    assert plain[0].letters == () and plain[0].number is None


# --- the register and the batch -----------------------------------------------------------------------


def test_register_filters_and_pages(engine: Engine) -> None:
    w = world(engine, "complaint")
    [t1, t2] = transfer(engine, w, [w.agency, w.other_agency])
    a = letters.issue_forwarding(engine, t1.id)
    b = letters.issue_forwarding(engine, t2.id)
    letters.issue_guidance(engine, w.petition, competent_body="Tòa án nhân dân tỉnh Hà Tĩnh", issued_on=TODAY)
    letters.void_letter(engine, a.id, "Sai", a.version)
    assert letters.count_letters(engine) == 3
    assert [r.symbol for r in letters.list_letters(engine, kind=LetterKind.FORWARDING)] == ["02/PC-BTCD", "01/PC-BTCD"]
    assert [r.symbol for r in letters.list_letters(engine, status="void")] == ["01/PC-BTCD"]
    assert [r.symbol for r in letters.list_letters(engine, search="02/pc")] == ["02/PC-BTCD"]
    assert [r.symbol for r in letters.list_letters(engine, search="Công an")] == [b.symbol]
    assert letters.count_letters(engine, date_from=TODAY, date_to=TODAY) == 1
    page = letters.list_letters(engine, limit=2, offset=2)
    assert len(page) == 1 and page[0].kind_label == "Phiếu chuyển đơn"
    assert [r.symbol for r in letters.list_letters(engine, transfer_id=t2.id)] == ["02/PC-BTCD"]
    with pytest.raises(ValidationError, match="ở sau"):
        letters.letters_for_period(engine, TODAY, SENT)


def test_batch_of_a_thousand_letters_is_one_quick_query(engine: Engine) -> None:
    w = world(engine, "complaint")
    [t] = transfer(engine, w)
    model = _row(engine, letters.issue_forwarding(engine, t.id).id)
    now = model.created_at
    rows = []
    for n in range(2, 1202):
        snapshot = json.loads(model.content)
        snapshot["number_line"] = f"Số: {n:02d}/PC-BTCD"
        rows.append({**{c: getattr(model, c) for c in ("kind", "series", "year", "issued_on", "status", "recipient",
                                                        "subject", "issued_by")},
                     "id": uuid4(), "created_at": now, "updated_at": now, "version": 1,
                     "number": n, "symbol": f"{n:02d}/PC-BTCD", "content": json.dumps(snapshot, ensure_ascii=False)})
    rows.reverse()  # inserted out of order: the batch sorts by number
    with engine.begin() as conn:
        conn.execute(insert(DOCS), rows)
    started = time.perf_counter()
    batch = letters.letters_for_period(engine, date(2025, 1, 1), date(2025, 12, 31))
    elapsed = time.perf_counter() - started
    assert len(batch) == 1201 and batch[0].number_line == "Số: 01/PC-BTCD" and batch[-1].number_line == "Số: 1201/PC-BTCD"
    assert elapsed < 2.0, elapsed


def _row(engine: Engine, document_id: UUID):  # noqa: ANN202 - a Row
    with engine.connect() as conn:
        return conn.execute(select(DOCS).where(DOCS.c.id == document_id)).one()
