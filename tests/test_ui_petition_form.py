"""PetitionForm driven as a clerk drives it (keystrokes, clicks), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, func, select

from reception_desk.services import petitions as svc
from reception_desk.services.drafts import DraftStore
from reception_desk.services.petitions import PetitionInput
from reception_desk.storage.models import Attachment, Petition
from reception_desk.ui import background, dialogs
from reception_desk.ui.petition_form import DRAFT_KIND, PetitionForm, pending_drafts, restore_pending_drafts
from tests.builders import add_agency, add_case, add_citizen
from tests.test_ui_citizen_picker import OFFSCREEN_LOG_IGNORE, type_text

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]

TODAY = date(2026, 11, 20)
SUMMARY = "Khiếu nại việc UBND xã Ea Tíh không xác nhận nguồn gốc thửa đất số 360, tờ bản đồ số 63"


@pytest.fixture
def store(tmp_path: Path) -> DraftStore:
    return DraftStore(tmp_path / "drafts")


@pytest.fixture
def open_form(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, store: DraftStore) -> Iterator:
    # Closing a form with unsaved input asks whether to keep a draft; in a test: keep it.
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *_a, **_k: True)

    def make(engine: Engine, **kw: object) -> PetitionForm:
        form = PetitionForm(engine, None, today=TODAY, store=store, **kw)  # type: ignore[arg-type]
        qtbot.addWidget(form)
        form.show()
        qtbot.waitExposed(form)
        form.activateWindow()
        return form

    yield make
    background.wait_idle()


def _focused(form: PetitionForm):  # noqa: ANN202
    return QApplication.focusWidget() or form.focusWidget()


def _petitions(engine: Engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(Petition.__table__).order_by(Petition.__table__.c.created_at)).mappings())


def test_register_by_keyboard_alone(qtbot: QtBot, engine: Engine, open_form) -> None:  # noqa: ANN001
    with engine.begin() as conn:
        an = add_citizen(conn, "Nguyễn Văn An", id_number="066090001234")
    form = open_form(engine)
    assert _focused(form) is form.received_on
    qtbot.keyClick(form.received_on, Qt.Key.Key_Return)
    assert _focused(form) is form.channel
    qtbot.keyClick(form.channel, Qt.Key.Key_Down)  # "Bưu chính"
    assert form.channel.currentData() == "post"
    assert not form.source_box.isVisible()
    qtbot.keyClick(form.channel, Qt.Key.Key_Return)
    assert _focused(form) is form.kind  # the forwarding agency is skipped: not transferred in
    qtbot.keyClick(form.kind, Qt.Key.Key_Return)
    assert _focused(form) is form.signer_picker.edit
    qtbot.keyClicks(form.signer_picker.edit, "nguyen van an")
    qtbot.waitUntil(lambda: bool(form.signer_picker.results()), timeout=10_000)
    qtbot.keyClick(form.signer_picker.edit, Qt.Key.Key_Return)
    assert form.signer_ids() == [an] and "Nguyễn Văn An" in form.signer_list.item(0).text()
    form.summary.setFocus()
    type_text(qtbot, form.summary, "Khiếu nại việc chậm bồi thường")
    qtbot.keyClick(form.summary, Qt.Key.Key_Tab)
    # no earlier petition: the suggestion list is hidden, Tab goes on to the attachments
    assert _focused(form) is form.attachment_list
    form.handling.setFocus()
    qtbot.keyClick(form.handling, Qt.Key.Key_Down)  # "Thụ lý"
    qtbot.keyClick(form.handling, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10_000)
    (row,) = _petitions(engine)
    assert (row["channel"], row["kind"], row["summary"], row["handling"]) == (
        "post", "complaint", "Khiếu nại việc chậm bồi thường", "accept")
    assert row["received_on"] == TODAY and row["id"] == form.result.id
    assert svc.load_petition(engine, row["id"]).signers[0].full_name == "Nguyễn Văn An"


def test_suggestion_click_marks_duplicate_and_joins_case(qtbot: QtBot, engine: Engine, open_form) -> None:  # noqa: ANN001
    with engine.begin() as conn:
        an = add_citizen(conn, "Nguyễn Văn An")
        case_id = add_case(conn, title="Xác nhận nguồn gốc đất thửa 360")
    first = svc.register_petition(engine, PetitionInput(
        received_on=date(2026, 9, 1), channel="in_person", kind="complaint", signer_ids=[an], summary=SUMMARY,
        case_id=case_id), today=TODAY)
    form = open_form(engine)
    form.summary.setFocus()
    type_text(qtbot, form.summary, "khieu nai ubnd xa ea tih khong xac nhan nguon goc thua dat so 360")
    qtbot.waitUntil(lambda: bool(form.suggestions()) and not form.suggesting, timeout=10_000)
    (hit,) = form.suggestions()
    assert hit.id == first.id
    assert "01/09/2026" in form.suggest_list.item(0).text() and "Nguyễn Văn An" in form.suggest_list.item(0).text()
    assert form.mark_button.isEnabled() and form.link_button.isEnabled()
    qtbot.mouseClick(form.mark_button, Qt.MouseButton.LeftButton)
    assert form.duplicate_of_id() == first.id and form.case_id() == case_id
    assert "Đơn trùng với đơn ngày 01/09/2026" in form.link_state.text()
    qtbot.waitUntil(lambda: "Xác nhận nguồn gốc đất thửa 360" in form.link_state.text(), timeout=10_000)
    form.anonymous.setChecked(True)
    qtbot.keyClick(form.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10_000)
    saved = svc.load_petition(engine, form.result.id)
    assert saved.duplicate_of_id == first.id and saved.case_id == case_id and saved.anonymous


def test_link_case_only(qtbot: QtBot, sqlite_engine: Engine, open_form) -> None:  # noqa: ANN001
    with sqlite_engine.begin() as conn:
        an = add_citizen(conn, "Trần Thị Bình")
        case_id = add_case(conn, title="Bồi thường cây trồng")
    svc.register_petition(sqlite_engine, PetitionInput(
        received_on=date(2026, 10, 1), channel="post", kind="complaint", signer_ids=[an],
        summary="Khiếu nại bồi thường cây cà phê trên đất bị thu hồi", case_id=case_id), today=TODAY)
    form = open_form(sqlite_engine)
    form.signer_picker.edit.setFocus()
    qtbot.keyClicks(form.signer_picker.edit, "tran thi binh")
    qtbot.waitUntil(lambda: bool(form.signer_picker.results()), timeout=10_000)
    qtbot.keyClick(form.signer_picker.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(form.suggestions()) and not form.suggesting, timeout=10_000)
    assert form.suggestions()[0].same_signer
    qtbot.mouseClick(form.link_button, Qt.MouseButton.LeftButton)
    assert form.case_id() == case_id and form.duplicate_of_id() is None
    type_text(qtbot, form.summary, "Xin gia hạn nộp hồ sơ")
    form.save()
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10_000)
    saved = svc.load_petition(sqlite_engine, form.result.id)
    assert saved.case_id == case_id and saved.duplicate_of_id is None


def test_denunciation_says_identity_is_confidential(qtbot: QtBot, sqlite_engine: Engine, open_form) -> None:  # noqa: ANN001
    with sqlite_engine.begin() as conn:
        add_citizen(conn, "Lê Văn Cường")
    form = open_form(sqlite_engine)
    assert not form.confidential_note.isVisible()
    form.kind.setFocus()
    qtbot.keyClick(form.kind, Qt.Key.Key_Down)  # "Tố cáo"
    assert form.kind.currentData() == "denunciation"
    assert form.confidential_note.isVisible() and "giữ bí mật" in form.confidential_note.text()
    form.signer_picker.edit.setFocus()
    qtbot.keyClicks(form.signer_picker.edit, "le van cuong")
    qtbot.waitUntil(lambda: bool(form.signer_picker.results()), timeout=10_000)
    qtbot.keyClick(form.signer_picker.edit, Qt.Key.Key_Return)
    type_text(qtbot, form.summary, "Tố cáo cán bộ địa chính nhận tiền")
    form.save()
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10_000)
    assert form.result.confidential
    # reopened by a desk without the permission: the denouncer is masked, and kept on saving
    again = open_form(sqlite_engine, petition_id=form.result.id)
    qtbot.waitUntil(lambda: again.result is None and again._seen_version == 1, timeout=10_000)
    assert "Người tố cáo (bảo mật)" in again.signer_list.item(0).text()
    assert "Cường" not in again.signer_list.item(0).text() and not again.signer_picker.isEnabled()
    again.field.setCurrentText("Tham nhũng, tiêu cực")
    again.save()
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=10_000)
    from reception_desk.services.visibility import Viewer

    shown = svc.load_petition(sqlite_engine, form.result.id, Viewer(may_see_denouncers=True))
    assert [s.full_name for s in shown.signers] == ["Lê Văn Cường"] and shown.field == "Tham nhũng, tiêu cực"


def test_errors_are_shown_in_the_form_and_the_input_kept(qtbot: QtBot, sqlite_engine: Engine, open_form) -> None:  # noqa: ANN001
    form = open_form(sqlite_engine)
    type_text(qtbot, form.summary, "Nội dung")
    form.save()  # no signer and not anonymous; "transferred in" without agency below
    qtbot.waitUntil(lambda: form.errors.isVisible(), timeout=10_000)
    assert "Chưa có người đứng đơn" in form.errors.text()
    assert form.isVisible() and form.summary.toPlainText() == "Nội dung"
    assert _petitions(sqlite_engine) == []
    form.anonymous.setChecked(True)
    form.channel.setCurrentIndex(form.channel.findData("transferred_in"))
    assert form.source_box.isVisible()
    form.save()
    qtbot.waitUntil(lambda: "chọn cơ quan đã chuyển đơn" in form.errors.text(), timeout=10_000)
    assert _petitions(sqlite_engine) == []


def test_transferred_in_with_agency_and_attachments(qtbot: QtBot, sqlite_engine: Engine, open_form,  # noqa: ANN001
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with sqlite_engine.begin() as conn:
        agency = add_agency(conn, "Ban Tiếp công dân tỉnh")
    scan = tmp_path / "don.pdf"
    scan.write_bytes(b"%PDF-1.4 " + b"x" * 3000)
    big = tmp_path / "qua_lon.tif"
    with big.open("wb") as fh:
        fh.truncate(svc.MAX_ATTACHMENT_BYTES + 1)
    form = open_form(sqlite_engine)
    qtbot.waitUntil(lambda: form.source_agency.findData(str(agency)) >= 0, timeout=10_000)
    form.channel.setCurrentIndex(form.channel.findData("transferred_in"))
    form.source_agency.setCurrentIndex(form.source_agency.findData(str(agency)))
    qtbot.keyClicks(form.incoming_number, "45/BTCD")
    form.anonymous.setChecked(True)
    type_text(qtbot, form.summary, "Phản ánh ô nhiễm")
    chosen = iter([big, scan])
    monkeypatch.setattr(dialogs, "ask_open_file", lambda *_a, **_k: next(chosen))
    qtbot.mouseClick(form.add_file_button, Qt.MouseButton.LeftButton)
    assert "quá lớn" in form.errors.text() and form.attachment_texts() == []
    qtbot.mouseClick(form.add_file_button, Qt.MouseButton.LeftButton)
    assert form.attachment_texts() == ["don.pdf — 3 KB (chưa lưu)"]
    form.save()
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10_000)
    view = svc.load_petition(sqlite_engine, form.result.id)
    assert (view.channel, view.source_agency_id, view.incoming_number) == ("transferred_in", agency, "45/BTCD")
    assert [(a.file_name, a.size) for a in view.attachments] == [("don.pdf", 3009)]
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Attachment.__table__)).scalar_one() == 1


def test_second_desk_conflict_keeps_the_input(qtbot: QtBot, engine: Engine, open_form) -> None:  # noqa: ANN001
    saved = svc.register_petition(engine, PetitionInput(
        received_on=date(2026, 11, 2), channel="post", kind="feedback", anonymous=True, summary="Đèn đường hỏng"),
        today=TODAY)
    form = open_form(engine, petition_id=saved.id)
    qtbot.waitUntil(lambda: form._seen_version == 1, timeout=10_000)
    assert form.summary.toPlainText() == "Đèn đường hỏng"
    other = svc.load_petition(engine, saved.id)
    svc.update_petition(engine, saved.id, 1, replace(other.to_input(), handling="transfer"), actor="ban_2",
                        today=TODAY)
    form.summary.setFocus()
    form.summary.moveCursor(form.summary.textCursor().MoveOperation.End)
    type_text(qtbot, form.summary, " ở thôn 4")
    form.save()
    qtbot.waitUntil(lambda: form.errors.isVisible(), timeout=10_000)
    assert "đã được sửa ở nơi khác (bởi ban_2)" in form.errors.text()
    assert "Hướng xử lý: nay là “Chuyển đơn”" in form.errors.text()
    assert form.isVisible() and form.summary.toPlainText() == "Đèn đường hỏng ở thôn 4"
    assert svc.load_petition(engine, saved.id).summary == "Đèn đường hỏng"


def test_unsaved_input_survives_as_a_draft(qtbot: QtBot, engine: Engine, open_form, store: DraftStore,  # noqa: ANN001
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with engine.begin() as conn:
        an = add_citizen(conn, "Nguyễn Văn An")
        case_id = add_case(conn, title="Xác nhận nguồn gốc đất thửa 360")
    first = svc.register_petition(engine, PetitionInput(
        received_on=date(2026, 9, 1), channel="in_person", kind="denunciation", signer_ids=[an], summary=SUMMARY,
        case_id=case_id), today=TODAY)
    form = open_form(engine)
    form.kind.setCurrentIndex(form.kind.findData("denunciation"))
    form.signer_picker.edit.setFocus()
    qtbot.keyClicks(form.signer_picker.edit, "nguyen van an")
    qtbot.waitUntil(lambda: bool(form.signer_picker.results()), timeout=10_000)
    qtbot.keyClick(form.signer_picker.edit, Qt.Key.Key_Return)
    type_text(qtbot, form.summary, SUMMARY)
    qtbot.waitUntil(lambda: bool(form.suggestions()) and not form.suggesting, timeout=10_000)
    form.mark_duplicate()
    form.eligible.setCurrentIndex(form.eligible.findData(False))
    form.reason.setText("Trùng đơn đã giải quyết")
    form.write_draft()
    background.wait_idle()
    (draft,) = pending_drafts(store)
    assert draft.kind == DRAFT_KIND and draft.data["signer_ids"] == [str(an)]
    assert "Nguyễn Văn An" not in draft.path.read_text(encoding="utf-8")  # a denouncer's name stays off the disk
    assert draft.title.startswith("Đơn tố cáo nhận ngày 20/11/2026")
    # the program dies; next start: the lead offers the drafts back
    form._finished = True
    form.hide()
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *_a, **_k: True)
    (again,) = restore_pending_drafts(None, engine, store)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.signer_ids() == [an], timeout=10_000)
    assert again.summary.toPlainText() == SUMMARY and again.kind.currentData() == "denunciation"
    assert again.duplicate_of_id() == first.id and again.case_id() == case_id
    assert "01/09/2026" in again.link_state.text()
    assert again.eligible.currentData() is False and again.reason.text() == "Trùng đơn đã giải quyết"
    again.save()
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=10_000)
    saved = svc.load_petition(engine, again.result.id)
    assert saved.duplicate_of_id == first.id and saved.eligible is False and saved.confidential
    assert pending_drafts(store) == []  # saved: no draft left
