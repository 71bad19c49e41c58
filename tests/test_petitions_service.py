"""services.petitions on SQLite and PostgreSQL: every rule, conflicts, attachments, masking, duplicates."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import Engine, delete, func, select

from reception_desk.services import petitions as svc
from reception_desk.services.errors import ConflictError, NotFoundError, UserError, ValidationError
from reception_desk.services.petitions import PetitionInput
from reception_desk.services.visibility import CONFIDENTIAL_SIGNER, Viewer
from reception_desk.storage import duplicate_queries
from reception_desk.storage.models import Attachment, AuditEvent, Petition, PetitionSigner
from tests.builders import add_agency, add_case, add_citizen

TODAY = date(2025, 6, 15)
HANDLER = Viewer(user="lanh_dao", may_see_denouncers=True)


def _input(**values: object) -> PetitionInput:
    base: dict[str, object] = {"received_on": date(2025, 6, 10), "channel": "post", "kind": "complaint",
                               "summary": "Khiếu nại việc thu hồi đất tại thôn 3, xã Ea Tíh"}
    base.update(values)
    return PetitionInput(**base)  # type: ignore[arg-type]


def _citizens(engine: Engine, *names: str) -> list[UUID]:
    with engine.begin() as conn:
        return [add_citizen(conn, name) for name in names]


def _register(engine: Engine, **values: object) -> svc.SavedPetition:
    return svc.register_petition(engine, _input(**values), actor="test", today=TODAY)


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model.__table__)).scalar_one()


# --- register --------------------------------------------------------------------------------------


def test_register_stores_petition_signers_and_audit(engine: Engine) -> None:
    a, b = _citizens(engine, "Nguyễn Văn An", "Trần Thị Bình")
    summary = "Khie\u0302\u0301u na\u0323i  việc thu hồi đất"  # NFD, doubled space
    saved = _register(engine, signer_ids=[b, a, b], summary=summary, field="Đất đai", handling="accept",
                      eligible=True, dated_on=date(2025, 6, 1))
    assert saved.version == 1 and not saved.confidential
    with engine.connect() as conn:
        row = conn.execute(select(Petition.__table__).where(Petition.__table__.c.id == saved.id)).mappings().one()
        signers = conn.execute(select(PetitionSigner.__table__.c.citizen_id).where(
            PetitionSigner.__table__.c.petition_id == saved.id).order_by(PetitionSigner.__table__.c.ordinal)).all()
        audit = conn.execute(select(AuditEvent.__table__).where(
            AuditEvent.__table__.c.entity_id == str(saved.id))).mappings().one()
    assert row["summary"] == "Khiếu nại việc thu hồi đất"
    assert row["summary_key"] == "khieu nai viec thu hoi dat"
    assert (row["channel"], row["kind"], row["handling"], row["field"]) == ("post", "complaint", "accept", "Đất đai")
    assert [s[0] for s in signers] == [b, a]  # order kept, repeated signer once
    assert audit["action"] == "petition.register" and audit["actor"] == "test"
    assert "Bình" not in audit["detail"] and json.loads(audit["detail"])["signers"] == 2


def test_anonymous_petition_has_no_signers(engine: Engine) -> None:
    (a,) = _citizens(engine, "Lê Văn Cường")
    saved = _register(engine, kind="denunciation", anonymous=True, signer_ids=[])
    view = svc.load_petition(engine, saved.id, HANDLER)
    assert view.anonymous and view.signers == () and view.signers_text == "(đơn nặc danh)"
    with pytest.raises(ValidationError) as both:
        _register(engine, anonymous=True, signer_ids=[a])
    assert "nặc danh" in both.value.errors[0]
    with pytest.raises(ValidationError) as neither:
        _register(engine, signer_ids=[])
    assert "Chưa có người đứng đơn" in neither.value.errors[0]


def test_denunciation_is_always_confidential(engine: Engine) -> None:
    (a,) = _citizens(engine, "Phạm Văn Dũng")
    saved = _register(engine, kind="denunciation", signer_ids=[a], confidential=False)
    assert saved.confidential
    asked = _register(engine, kind="complaint", signer_ids=[a], confidential=True)
    assert asked.confidential
    plain = _register(engine, kind="feedback", signer_ids=[a])
    assert not plain.confidential


def test_validation_lists_every_error_in_vietnamese_and_writes_nothing(engine: Engine) -> None:
    before = _count(engine, Petition)
    bad = PetitionInput(received_on=date(2025, 7, 1), channel="fax", kind=None, signer_ids=[], summary="  ",
                        dated_on=date(2025, 7, 2), eligible=False, handling="accept")
    with pytest.raises(ValidationError) as caught:
        svc.register_petition(engine, bad, today=TODAY)
    text = "\n".join(caught.value.errors)
    for expected in ("ở tương lai", "Nguồn đơn “fax” không hợp lệ", "Chưa chọn loại đơn", "Chưa có người đứng đơn",
                     "Chưa nhập tóm tắt", "Ngày ghi trên đơn", "phải ghi rõ lý do", "không thể thụ lý"):
        assert expected in text
    assert "lỗi cần sửa" in str(caught.value)
    assert _count(engine, Petition) == before
    with pytest.raises(ValidationError, match="Chưa nhập ngày nhận"):
        svc.register_petition(engine, _input(received_on=None, anonymous=True), today=TODAY)


def test_transferred_in_needs_the_source_agency(engine: Engine) -> None:
    (a,) = _citizens(engine, "Võ Thị Hoa")
    with engine.begin() as conn:
        agency = add_agency(conn, "Thanh tra tỉnh")
    with pytest.raises(ValidationError, match="chọn cơ quan đã chuyển đơn"):
        _register(engine, channel="transferred_in", signer_ids=[a])
    saved = _register(engine, channel="transferred_in", signer_ids=[a], source_agency_id=agency,
                      incoming_number=" 123/TTr-NV ")
    view = svc.load_petition(engine, saved.id)
    assert (view.source_agency_name, view.incoming_number) == ("Thanh tra tỉnh", "123/TTr-NV")
    with pytest.raises(ValidationError, match="Chỉ đơn do cơ quan khác chuyển đến"):
        _register(engine, channel="post", signer_ids=[a], source_agency_id=agency)


def test_references_must_exist(engine: Engine) -> None:
    from reception_desk.storage.models import new_id

    with pytest.raises(ValidationError) as caught:
        _register(engine, signer_ids=[new_id()], case_id=new_id(), duplicate_of_id=new_id())
    text = "\n".join(caught.value.errors)
    assert "Không tìm thấy 1 người đứng đơn" in text and "vụ việc" in text and "đơn gốc" in text


def test_ineligible_petition_records_its_reason(engine: Engine) -> None:
    saved = _register(engine, anonymous=True, eligible=False, ineligible_reason="Đơn không ký tên",
                      handling="archive")
    view = svc.load_petition(engine, saved.id)
    assert view.eligible is False and view.ineligible_reason == "Đơn không ký tên"
    with pytest.raises(ValidationError, match="Chỉ ghi lý do"):
        _register(engine, anonymous=True, eligible=True, ineligible_reason="x")


# --- update and conflicts ----------------------------------------------------------------------------


def test_update_changes_fields_and_signers(engine: Engine) -> None:
    a, b = _citizens(engine, "Nguyễn Văn An", "Trần Thị Bình")
    saved = _register(engine, signer_ids=[a])
    view = svc.load_petition(engine, saved.id)
    data = view.to_input()
    from dataclasses import replace

    updated = svc.update_petition(engine, saved.id, view.version,
                                  replace(data, signer_ids=[a, b], handling="transfer", summary="Nội dung mới"),
                                  actor="desk2", today=TODAY)
    assert updated.version == 2
    again = svc.load_petition(engine, saved.id)
    assert [s.full_name for s in again.signers] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert again.handling == "transfer" and again.summary == "Nội dung mới"
    with engine.connect() as conn:
        details = [json.loads(d) for d in conn.execute(select(AuditEvent.__table__.c.detail).where(
            AuditEvent.__table__.c.action == "petition.update")).scalars()]
    assert details == [{"version": 2, "changed": ["summary", "handling", "signers"], "attachments_added": 0,
                        "attachments_removed": 0}]


def test_second_desk_is_refused_with_what_changed(engine: Engine) -> None:
    (a,) = _citizens(engine, "Nguyễn Văn An")
    saved = _register(engine, signer_ids=[a])
    desk1 = svc.load_petition(engine, saved.id)
    desk2 = svc.load_petition(engine, saved.id)
    from dataclasses import replace

    svc.update_petition(engine, saved.id, desk1.version,
                        replace(desk1.to_input(), handling="transfer", summary="Đã bổ sung nội dung"),
                        actor="ban_1", today=TODAY)
    with pytest.raises(ConflictError) as caught:
        svc.update_petition(engine, saved.id, desk2.version, replace(desk2.to_input(), field="Nhà ở"),
                            actor="ban_2", today=TODAY)
    message = str(caught.value)
    assert "ban_1" in message and "phiên bản 1 → 2" in message
    assert "Tóm tắt nội dung: nay là “Đã bổ sung nội dung”" in message
    assert "Hướng xử lý: nay là “Chuyển đơn”" in message
    current = svc.load_petition(engine, saved.id)
    assert current.field is None and current.summary == "Đã bổ sung nội dung"  # nothing overwritten


def test_update_of_a_deleted_petition(engine: Engine) -> None:
    saved = _register(engine, anonymous=True)
    with engine.begin() as conn:
        conn.execute(delete(Petition.__table__).where(Petition.__table__.c.id == saved.id))
    with pytest.raises(NotFoundError):
        svc.update_petition(engine, saved.id, 1, _input(anonymous=True), today=TODAY)


# --- confidentiality ----------------------------------------------------------------------------------


def test_denouncer_is_masked_for_a_viewer_without_permission(engine: Engine, tmp_path: Path) -> None:
    (a,) = _citizens(engine, "Hoàng Văn Bí Mật")
    scan = tmp_path / "don_to_cao_Hoang_Van_Bi_Mat.jpg"
    scan.write_bytes(b"\xff\xd8\xff scan")
    saved = _register(engine, kind="denunciation", signer_ids=[a], attachments=[scan])
    masked = svc.load_petition(engine, saved.id)
    assert masked.signers_masked and masked.signers_text == CONFIDENTIAL_SIGNER
    assert all(s.citizen_id is None and s.id_number is None for s in masked.signers)
    assert "Bí Mật" not in repr(masked) and "Bi_Mat" not in repr(masked)
    assert masked.to_input().signer_ids is None
    with pytest.raises(UserError, match="bảo mật"):
        svc.read_attachment(engine, masked.attachments[0].id)
    # An edit by that viewer keeps the signers it could not see.
    from dataclasses import replace

    svc.update_petition(engine, saved.id, masked.version, replace(masked.to_input(), field="Tham nhũng"),
                        today=TODAY)
    shown = svc.load_petition(engine, saved.id, HANDLER)
    assert not shown.signers_masked and [s.full_name for s in shown.signers] == ["Hoàng Văn Bí Mật"]
    assert shown.field == "Tham nhũng"
    assert shown.attachments[0].file_name == scan.name
    assert svc.read_attachment(engine, shown.attachments[0].id, HANDLER).data == b"\xff\xd8\xff scan"


# --- duplicates marking --------------------------------------------------------------------------------


def test_mark_duplicate_joins_the_case_and_refuses_cycles(engine: Engine) -> None:
    with engine.begin() as conn:
        case = add_case(conn)
    first = _register(engine, anonymous=True, case_id=case)
    second = _register(engine, anonymous=True)
    marked = svc.mark_duplicate(engine, second.id, 1, first.id, actor="t")
    view = svc.load_petition(engine, second.id)
    assert marked.version == 2 and view.duplicate_of_id == first.id and view.case_id == case
    with pytest.raises(ValidationError, match="vòng lặp"):
        svc.mark_duplicate(engine, first.id, 1, second.id)
    with pytest.raises(ValidationError, match="chính nó"):
        svc.mark_duplicate(engine, first.id, 1, first.id)
    with pytest.raises(ConflictError, match="Trùng với đơn"):
        svc.mark_duplicate(engine, second.id, 1, None)  # stale: version is 2 now
    cleared = svc.mark_duplicate(engine, second.id, 2, None)
    assert cleared.version == 3 and svc.load_petition(engine, second.id).duplicate_of_id is None
    # a longer chain: third -> second -> first; first cannot become a duplicate of third
    svc.mark_duplicate(engine, second.id, 3, first.id)
    third = _register(engine, anonymous=True, duplicate_of_id=second.id)
    with pytest.raises(ValidationError, match="vòng lặp"):
        svc.mark_duplicate(engine, first.id, 1, third.id)


# --- attachments ---------------------------------------------------------------------------------------


def test_attachments_round_trip(engine: Engine, tmp_path: Path) -> None:
    saved = _register(engine, anonymous=True)
    photo = tmp_path / "ảnh hiện trường.png"
    photo.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "trang trắng.pdf"
    empty.write_bytes(b"")
    one = svc.add_attachment(engine, saved.id, photo, actor="t")
    zero = svc.add_attachment(engine, saved.id, empty, actor="t")
    assert (one.file_name, one.media_type, one.size) == ("ảnh hiện trường.png", "image/png", 10240)
    assert one.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert (zero.size, zero.media_type, zero.sha256) == (0, "application/pdf", hashlib.sha256(b"").hexdigest())
    listed = svc.list_attachments(engine, saved.id)
    assert [i.id for i in listed] == [one.id, zero.id] or {i.id for i in listed} == {one.id, zero.id}
    assert svc.read_attachment(engine, one.id).data == photo.read_bytes()
    assert svc.read_attachment(engine, zero.id).data == b""
    svc.remove_attachment(engine, zero.id)
    assert [i.id for i in svc.list_attachments(engine, saved.id)] == [one.id]
    with pytest.raises(NotFoundError):
        svc.remove_attachment(engine, zero.id)
    assert svc.human_size(0) == "0 B" and svc.human_size(10240) == "10 KB"
    assert svc.human_size(5 * 1024 * 1024 + 300_000) == "5,3 MB"
    # the petition's deletion takes its files with it
    with engine.begin() as conn:
        conn.execute(delete(Petition.__table__).where(Petition.__table__.c.id == saved.id))
    assert _count(engine, Attachment) == 0


def test_too_large_or_missing_files_are_refused(engine: Engine, tmp_path: Path) -> None:
    saved = _register(engine, anonymous=True)
    big = tmp_path / "bản quét.tif"
    with big.open("wb") as fh:
        fh.truncate(svc.MAX_ATTACHMENT_BYTES + 1)
    with pytest.raises(ValidationError, match="quá lớn .*tối đa 25,0 MB"):
        svc.add_attachment(engine, saved.id, big)
    with pytest.raises(ValidationError, match="Không tìm thấy tệp"):
        svc.add_attachment(engine, saved.id, tmp_path / "không có.pdf")
    assert _count(engine, Attachment) == 0
    # registering with a bad file saves nothing at all
    before = _count(engine, Petition)
    with pytest.raises(ValidationError, match="quá lớn"):
        _register(engine, anonymous=True, attachments=[big])
    assert _count(engine, Petition) == before


def test_update_adds_and_removes_attachments(engine: Engine, tmp_path: Path) -> None:
    a_file, b_file = tmp_path / "a.pdf", tmp_path / "b.jpg"
    a_file.write_bytes(b"%PDF-1.4 a")
    b_file.write_bytes(b"jpeg b")
    saved = _register(engine, anonymous=True, attachments=[a_file])
    (old,) = saved.attachment_ids
    from dataclasses import replace

    view = svc.load_petition(engine, saved.id)
    updated = svc.update_petition(engine, saved.id, view.version,
                                  replace(view.to_input(), attachments=[b_file], remove_attachment_ids=[old]),
                                  today=TODAY)
    names = [i.file_name for i in svc.list_attachments(engine, saved.id)]
    assert names == ["b.jpg"] and updated.version == 2


# --- duplicate suggestions ------------------------------------------------------------------------------

NOISE = [
    "Phản ánh việc chậm chi trả trợ cấp xã hội tại xã Tân Tiến",
    "Kiến nghị sửa chữa đường giao thông nông thôn thôn 5 xã Hòa Phú",
    "Tố cáo cán bộ địa chính xã Cư Êbur nhận tiền của dân",
    "Khiếu nại việc chậm cấp giấy chứng nhận quyền sử dụng đất tại phường Tân Lợi",
    "Phản ánh ô nhiễm môi trường do cơ sở chăn nuôi heo thôn 2 xã Ea Kao",
    "Khiếu nại quyết định thu hồi đất dự án đường Đông Tây xã Hòa Thắng",
]
TARGET = "Khiếu nại việc UBND xã Ea Tíh không xác nhận nguồn gốc thửa đất số 360, tờ bản đồ số 63"


def _world(engine: Engine) -> dict[str, object]:
    an, binh, cuong = _citizens(engine, "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")
    for n, text in enumerate(NOISE):
        _register(engine, anonymous=True, summary=text, received_on=date(2025, 1, 1 + n))
    same = _register(engine, signer_ids=[an], summary=TARGET, received_on=date(2025, 3, 1))
    other = _register(engine, signer_ids=[binh], summary=TARGET + " (gửi lần hai)", received_on=date(2025, 4, 1))
    unrelated = _register(engine, signer_ids=[an], summary="Phản ánh tiếng ồn karaoke ban đêm",
                          received_on=date(2025, 5, 1))
    stranger = _register(engine, signer_ids=[cuong], summary="Kiến nghị cấp nước sạch cho buôn Ky",
                         received_on=date(2025, 5, 2))
    duplicate_queries.forget_sample(engine)
    return {"an": an, "binh": binh, "same": same.id, "other": other.id, "unrelated": unrelated.id,
            "stranger": stranger.id}


def test_suggestions_ranked_same_signer_and_similar_first(engine: Engine) -> None:
    w = _world(engine)
    hits = svc.suggest_duplicates(engine, [w["an"]], TARGET, date(2025, 6, 1), months=12)
    assert [h.id for h in hits] == [w["same"], w["other"], w["unrelated"]]
    assert hits[0].same_signer and hits[0].similarity == 1.0
    assert not hits[1].same_signer and hits[1].similarity >= svc.SIMILAR
    assert hits[2].same_signer and hits[2].similarity < svc.SIMILAR
    assert hits[0].signers == "Nguyễn Văn An" and hits[1].signers == "Trần Thị Bình"
    assert hits[0].kind_label == "Khiếu nại" and hits[0].state == "Chưa xử lý"
    assert svc.suggest_duplicates(engine, [w["an"]], TARGET, date(2025, 6, 1), months=12, limit=1)[0].id == w["same"]


def test_suggestions_ignore_accents_and_case(engine: Engine) -> None:
    w = _world(engine)
    typed = "KHIEU NAI ubnd xa ea tih khong xac nhan nguon goc thua dat so 360 to ban do so 63"
    hits = svc.suggest_duplicates(engine, [], typed, date(2025, 6, 1), months=12)
    assert [h.id for h in hits] == [w["same"], w["other"]]
    assert all(h.similarity >= svc.SIMILAR for h in hits)
    # NFD input finds the same
    import unicodedata

    nfd = unicodedata.normalize("NFD", TARGET)
    assert [h.id for h in svc.suggest_duplicates(engine, [], nfd, date(2025, 6, 1))][:2] == [w["same"], w["other"]]


def test_suggestions_window_edges_and_self_exclusion(engine: Engine) -> None:
    (an,) = _citizens(engine, "Nguyễn Văn An")
    on_edge = _register(engine, signer_ids=[an], summary=TARGET, received_on=date(2024, 6, 15))
    too_old = _register(engine, signer_ids=[an], summary=TARGET, received_on=date(2024, 6, 14))
    latest = _register(engine, signer_ids=[an], summary=TARGET, received_on=date(2025, 6, 15))
    duplicate_queries.forget_sample(engine)
    hits = svc.suggest_duplicates(engine, [an], TARGET, date(2025, 6, 15), months=12, exclude_id=latest.id)
    assert [h.id for h in hits] == [on_edge.id]
    assert too_old.id not in {h.id for h in svc.suggest_duplicates(engine, [an], TARGET, date(2025, 6, 15))}
    # a petition received after the date asked about is not "earlier"; the window moved by a day
    earlier = svc.suggest_duplicates(engine, [an], TARGET, date(2025, 6, 14), months=12)
    assert [h.id for h in earlier] == [on_edge.id, too_old.id]
    assert svc.months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert svc.months_before(date(2025, 1, 15), 13) == date(2023, 12, 15)


def test_months_setting_is_the_default(engine: Engine) -> None:
    (an,) = _citizens(engine, "Nguyễn Văn An")
    old = _register(engine, signer_ids=[an], summary=TARGET, received_on=date(2024, 12, 1))
    assert svc.duplicate_months(engine) == 12
    assert [h.id for h in svc.suggest_duplicates(engine, [an], "", date(2025, 6, 1))] == [old.id]
    svc.set_duplicate_months(engine, 3)
    assert svc.duplicate_months(engine) == 3
    assert svc.suggest_duplicates(engine, [an], "", date(2025, 6, 1)) == []
    with pytest.raises(ValidationError):
        svc.set_duplicate_months(engine, 0)


def test_confidential_petitions_are_not_matched_by_signer_for_others(engine: Engine) -> None:
    (an,) = _citizens(engine, "Nguyễn Văn An")
    for n, text in enumerate(NOISE):
        _register(engine, anonymous=True, summary=text, received_on=date(2025, 1, 1 + n))
    secret = _register(engine, kind="denunciation", signer_ids=[an],
                       summary="Tố cáo trưởng thôn Buôn Tuôr thu tiền trái phép", received_on=date(2025, 5, 1))
    duplicate_queries.forget_sample(engine)
    assert svc.suggest_duplicates(engine, [an], "Xin cấp lại sổ hộ khẩu", date(2025, 6, 1)) == []
    allowed = svc.suggest_duplicates(engine, [an], "Xin cấp lại sổ hộ khẩu", date(2025, 6, 1), viewer=HANDLER)
    assert [h.id for h in allowed] == [secret.id] and allowed[0].signers == "Nguyễn Văn An"
    # found by its content, the denouncer stays masked
    by_content = svc.suggest_duplicates(engine, [], "to cao truong thon buon tuor thu tien trai phep",
                                        date(2025, 6, 1))
    assert [h.id for h in by_content] == [secret.id] and by_content[0].signers == CONFIDENTIAL_SIGNER


def test_generic_or_empty_input_suggests_nothing(engine: Engine) -> None:
    _world(engine)
    assert svc.suggest_duplicates(engine, [], "", date(2025, 6, 1)) == []
    assert svc.suggest_duplicates(engine, [], "zzzz qqqq", date(2025, 6, 1)) == []
    with pytest.raises(ValidationError):
        svc.suggest_duplicates(engine, [], TARGET, date(2025, 6, 1), months=0)


def test_common_content_suggests_nothing_and_late_entries_look_back(engine: Engine,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The staged word conditions, with the caps made small enough for a hand-built world."""
    monkeypatch.setattr(duplicate_queries, "CANDIDATE_CAP", 2)
    monkeypatch.setattr(duplicate_queries, "READ_MAX", 10)
    text = "Kiến nghị sửa cầu treo buôn Ea Sup bị sạt lở"
    old = _register(engine, anonymous=True, summary=text, received_on=date(2025, 1, 10))
    for day in range(1, 5):  # the same letter again and again, months later
        _register(engine, anonymous=True, summary=text, received_on=date(2025, 6, day))
    duplicate_queries.forget_sample(engine)
    # entered late: the newest matches are all after the date asked about; the older one is found
    late = svc.suggest_duplicates(engine, [], text, date(2025, 2, 1), months=12)
    assert [h.id for h in late] == [old.id]
    recent = svc.suggest_duplicates(engine, [], text, date(2025, 6, 30), months=12)
    assert [h.received_on for h in recent] == [date(2025, 6, 4), date(2025, 6, 3)]  # the newest CANDIDATE_CAP
    # more matches than READ_MAX even for all the words together: too common to tell a duplicate
    monkeypatch.setattr(duplicate_queries, "READ_MAX", 3)
    assert svc.suggest_duplicates(engine, [], text, date(2025, 6, 30), months=12) == []
