"""Transfers in the GUI (offscreen), driven like a clerk: the transfer and answer forms, the queues
with their overdue rows, and the case view."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, insert, select, update

from reception_desk.services import transfers
from reception_desk.services.visibility import CONFIDENTIAL_SIGNER
from reception_desk.storage import reference
from reception_desk.storage.models import Agency, Petition, PetitionSigner, Transfer
from reception_desk.ui import background, dialogs
from reception_desk.ui.answer_dialog import AnswerDialog
from reception_desk.ui.case_view import CaseView
from reception_desk.ui.queues_view import QueuesView
from reception_desk.ui.table_models import OVERDUE_BACKGROUND, OVERDUE_FOREGROUND
from reception_desk.ui.transfer_dialog import TransferDialog
from tests.builders import add_agency, add_case, add_citizen, add_petition, add_transfer, add_visit
from tests.ui_support import OFFSCREEN_LOG_IGNORE

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]

TODAY = date(2025, 3, 3)  # a Monday


@pytest.fixture(autouse=True)
def _idle() -> Iterator[None]:
    yield
    background.wait_idle()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages the forms would show in a box (a modal box would block the test)."""
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _parent, _title, message, _details=(): shown.append(message))
    return shown


def _world(engine: Engine) -> dict:
    reference.seed(engine)
    w: dict = {}
    with engine.begin() as conn:
        w["case"] = add_case(conn, kind="recommendation", title="Kiến nghị sửa đường liên thôn")
        w["citizen"] = add_citizen(conn, "Lê Văn Cường", id_number="066090001234")
        add_visit(conn, w["case"], date(2025, 2, 24), citizen_ids=[w["citizen"]], content="Trình bày kiến nghị")
        w["petition"] = add_petition(conn, date(2025, 2, 24), "recommendation", case_id=w["case"],
                                     summary="Kiến nghị sửa đường liên thôn bị sạt lở")
        conn.execute(insert(PetitionSigner.__table__),
                     [{"petition_id": w["petition"], "citizen_id": w["citizen"], "ordinal": 0}])
        w["ward"] = add_agency(conn, "UBND phường Tân Lợi")
        w["police"] = add_agency(conn, "Công an tỉnh Đắk Lắk")
        w["commune"] = add_agency(conn, "UBND xã Hòa Thắng")
    return w


def _show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)


def _open_transfer(qtbot: QtBot, engine: Engine, petition, today: date = TODAY) -> TransferDialog:  # noqa: ANN001
    dialog = TransferDialog(engine, petition, today=today)
    _show(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10_000)
    dialog.filter_edit.setFocus()
    return dialog


def _transfers(engine: Engine) -> list:
    t = Transfer.__table__
    with engine.connect() as conn:
        return conn.execute(select(t, Agency.__table__.c.name).join(Agency.__table__)
                            .order_by(Agency.__table__.c.name)).all()


def test_transfer_to_two_agencies_with_the_keyboard(qtbot: QtBot, engine: Engine, errors: list[str]) -> None:
    w = _world(engine)
    dialog = _open_transfer(qtbot, engine, w["petition"], date(2025, 3, 6))
    assert "Lê Văn Cường" in dialog.petition_label.text() and "sạt lở" in dialog.petition_label.text()
    qtbot.keyClicks(dialog.filter_edit, "tan loi")
    assert [dialog.agency_list.item(n).isHidden() for n in range(3)].count(False) == 1
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    assert dialog.filter_edit.text() == "" and dialog.isVisible()  # Enter ticked, did not save
    qtbot.keyClicks(dialog.filter_edit, "cong an")
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    assert dialog.chosen_label.text() == "Đã chọn: Công an tỉnh Đắk Lắk; UBND phường Tân Lợi"
    # Tab to the list, Tab to the date; Down on the day section goes back one day at a time.
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.agency_list, Qt.Key.Key_Tab)
    assert dialog.date_edit.hasFocus()
    assert dialog.due_label.text() == "thứ Năm, 20/03/2025"  # from today, Thursday 06/03
    for _ in range(2):  # 06/03 → 04/03
        qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Down)
    assert dialog.sent_on() == date(2025, 3, 4)
    # Recommendation: 10 working days (TT 05/2021) from Tuesday 04/03 → Tuesday 18/03.
    assert dialog.due_label.text() == "thứ Ba, 18/03/2025"
    assert "10 ngày làm việc" in dialog.basis_label.text() and "05/2021" in dialog.basis_label.text()
    qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.number_edit, "15/PC-BTCD")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.keyClick(dialog.number_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert errors == []
    assert len(saved.args[0]) == 2 and not dialog.isVisible()
    rows = _transfers(engine)
    assert [r.name for r in rows] == ["Công an tỉnh Đắk Lắk", "UBND phường Tân Lợi"]
    assert {(r.sent_on, r.due_on, r.number) for r in rows} == {(date(2025, 3, 4), date(2025, 3, 18), "15/PC-BTCD")}
    with engine.connect() as conn:
        assert conn.execute(select(Petition.__table__.c.handling)).scalar_one() == "transfer"

    # Opened again: the two agencies wait for an answer and cannot be ticked a second time.
    again = _open_transfer(qtbot, engine, w["petition"])
    waiting = [again.agency_list.item(n) for n in range(3)
               if not again.agency_list.item(n).flags() & Qt.ItemFlag.ItemIsUserCheckable]
    assert len(waiting) == 2 and all("đang chờ trả lời" in item.text() for item in waiting)
    qtbot.keyClicks(again.filter_edit, "tan loi")
    qtbot.keyClick(again.filter_edit, Qt.Key.Key_Return)
    assert again.chosen_ids() == [] and not again.save_button.isEnabled()


def test_a_refused_save_keeps_the_form(qtbot: QtBot, sqlite_engine: Engine, errors: list[str]) -> None:
    w = _world(sqlite_engine)
    dialog = _open_transfer(qtbot, sqlite_engine, w["petition"])
    qtbot.keyClicks(dialog.filter_edit, "hoa thang")
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    dialog.number_edit.setText("7/PC")
    with sqlite_engine.begin() as conn:  # another desk edits the petition meanwhile
        conn.execute(update(Petition.__table__).values(handling="guide", version=2))
    dialog.save()
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert "bàn khác" in errors[0] and "Hướng dẫn" in errors[0]
    assert dialog.isVisible() and dialog.number_edit.text() == "7/PC"
    qtbot.waitUntil(lambda: dialog.context is not None and dialog.context.petition.version == 2, timeout=10_000)
    assert dialog.chosen_ids() == [w["commune"]]  # the tick survived the reload
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [r.name for r in _transfers(sqlite_engine)] == ["UBND xã Hòa Thắng"]


def test_record_an_answer_and_a_second_desk_is_told(qtbot: QtBot, engine: Engine, errors: list[str]) -> None:
    w = _world(engine)
    [t] = transfers.transfer_petition(engine, w["petition"], [w["ward"]], date(2025, 2, 25), number="9/PC",
                                      today=TODAY)
    first = AnswerDialog(engine, t.id, today=TODAY)
    second = AnswerDialog(engine, t.id, today=TODAY)
    qtbot.addWidget(second)  # the other desk: opened before the first one saves, not on screen
    _show(qtbot, first)
    first.activateWindow()
    for dialog in (first, second):
        qtbot.waitUntil(lambda d=dialog: d.detail is not None, timeout=10_000)
    assert "UBND phường Tân Lợi" in first.summary_label.text() and "9/PC" in first.summary_label.text()
    first.date_edit.setFocus()
    qtbot.keyClick(first.date_edit, Qt.Key.Key_Down)  # 03/03 → 02/03
    qtbot.keyClick(first.date_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(first.number_edit, "31/UBND")
    qtbot.keyClick(first.number_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(first.result_edit, "Da thu ly")
    with qtbot.waitSignal(first.saved, timeout=10_000):
        qtbot.keyClick(first.result_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    saved = transfers.load_transfer(engine, t.id)
    assert (saved.answered_on, saved.answer_number, saved.result) == (date(2025, 3, 2), "31/UBND", "Da thu ly")

    second.number_edit.setText("40/UBND")
    second.save()
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert "Ngày trả lời: (trống) → 02/03/2025" in errors[0] and "31/UBND" in errors[0]
    assert transfers.load_transfer(engine, t.id).answer_number == "31/UBND"  # not overwritten
    qtbot.waitUntil(lambda: second.detail is not None and second.detail.version == 2, timeout=10_000)
    assert second.number_edit.text() == "40/UBND" and "Đã ghi ở bàn khác" in second.summary_label.text()


def _queue_world(engine: Engine) -> dict:
    w = _world(engine)
    with engine.begin() as conn:
        secret = add_petition(conn, date(2025, 2, 3), "denunciation", summary="Tố cáo cán bộ")
        conn.execute(insert(PetitionSigner.__table__), [{"petition_id": secret, "citizen_id": w["citizen"],
                                                        "ordinal": 0}])
        sent = date(2025, 2, 25)
        w["late"] = add_transfer(conn, w["petition"], w["ward"], sent, due_on=date(2025, 2, 27))
        w["secret_late"] = add_transfer(conn, secret, w["police"], sent, due_on=date(2025, 2, 28))
        w["today"] = add_transfer(conn, w["petition"], w["police"], sent, due_on=TODAY)
        w["soon"] = add_transfer(conn, w["petition"], w["commune"], sent, due_on=date(2025, 3, 7))
        add_transfer(conn, w["petition"], w["commune"], sent, due_on=date(2025, 2, 26), answered_on=date(2025, 2, 26))
    return w


def _cell(view: QueuesView, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return view.model.data(view.model.index(row, column), role)


def _wait_rows(qtbot: QtBot, view: QueuesView, count: int) -> None:
    qtbot.waitUntil(lambda: not view.model.loading and view.model.rowCount() == count, timeout=10_000)


def test_queues_view_makes_overdue_rows_stand_out(qtbot: QtBot, sqlite_engine: Engine, errors: list[str]) -> None:
    w = _queue_world(sqlite_engine)
    view = QueuesView(sqlite_engine, today=TODAY)
    _show(qtbot, view)
    qtbot.waitUntil(lambda: view.counts is not None, timeout=10_000)
    assert [view.tabs.tabText(n) for n in range(3)] == ["Sắp đến hạn (2)", "Quá hạn (2)", "Chờ trả lời (4)"]
    assert view.current_queue() == "overdue"
    _wait_rows(qtbot, view, 2)
    assert [view.model.row_at(n).transfer_id for n in range(2)] == [w["late"], w["secret_late"]]
    assert _cell(view, 0, 0) == "quá hạn 4 ngày" and _cell(view, 1, 0) == "quá hạn 3 ngày"
    assert _cell(view, 0, 0, Qt.ItemDataRole.BackgroundRole).color() == OVERDUE_BACKGROUND
    assert _cell(view, 0, 2, Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_FOREGROUND
    assert _cell(view, 0, 2, Qt.ItemDataRole.FontRole).bold()
    assert _cell(view, 1, 7) == CONFIDENTIAL_SIGNER and _cell(view, 0, 7) == "Lê Văn Cường"
    # Due soon: today's row says so and is marked, the later one is plain.
    view.tabs.setCurrentIndex(0)
    _wait_rows(qtbot, view, 2)
    assert _cell(view, 0, 0) == "đến hạn hôm nay" and _cell(view, 1, 0) == "còn 4 ngày"
    assert _cell(view, 0, 0, Qt.ItemDataRole.FontRole).bold()
    assert _cell(view, 1, 0, Qt.ItemDataRole.BackgroundRole) is None
    # By agency: the police has one overdue and one due today among its waiting transfers.
    view.tabs.setCurrentIndex(2)
    _wait_rows(qtbot, view, 4)
    view.set_agency(w["police"])
    assert "Công an tỉnh Đắk Lắk — quá hạn 1, chờ 2" == view.agency_combo.currentText()
    _wait_rows(qtbot, view, 2)
    assert {view.model.row_at(n).transfer_id for n in range(2)} == {w["secret_late"], w["today"]}
    # Double-click opens the case; the denunciation has none, so its answer form opens instead.
    view.set_agency(None)
    view.set_queue("overdue")
    _wait_rows(qtbot, view, 2)
    with qtbot.waitSignal(view.openCase, timeout=2000) as opened:
        view._activated(view.model.index(0, 2))
    assert opened.args[0] == w["case"]
    view.view.setCurrentIndex(view.model.index(0, 0))
    dialog = view.open_answer(view.selected_row().transfer_id)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=10_000)
    dialog.number_edit.setText("12/UBND")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    # The answered transfer leaves the queue and the counts follow (every write refreshes).
    _wait_rows(qtbot, view, 1)
    qtbot.waitUntil(lambda: view.tabs.tabText(1) == "Quá hạn (1)", timeout=10_000)
    assert errors == []


def test_case_view_timeline(qtbot: QtBot, sqlite_engine: Engine) -> None:
    w = _queue_world(sqlite_engine)
    view = CaseView(sqlite_engine)
    view._today = TODAY
    _show(qtbot, view)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.show_case(w["case"])
    assert view.title_label.text() == "Kiến nghị sửa đường liên thôn"
    assert "1 lượt tiếp · 1 đơn · 4 lần chuyển đơn (3 chờ trả lời, 1 quá hạn)" in view.header_label.text()
    assert view.people.item(0, 0).text() == "Lê Văn Cường"
    assert view.people.item(0, 1).text() == "Người đến tiếp, Người đứng đơn"
    kinds = [view.events.item(n, 1).text() for n in range(view.events.rowCount())]
    assert kinds[:2] == ["Tiếp công dân", "Nhận đơn"] and kinds.count("Hạn trả lời") == 3
    late = next(n for n in range(view.events.rowCount()) if "Quá hạn 4 ngày" in view.events.item(n, 3).text())
    assert view.events.item(late, 2).background().color() == OVERDUE_BACKGROUND
    assert view.events.item(late, 2).font().bold()
    view.events.setCurrentCell(1, 0)
    assert view.transfer_button.isEnabled() and not view.answer_button.isEnabled()
    dialog = view.open_transfer(w["petition"])
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10_000)
    assert "Lê Văn Cường" in dialog.petition_label.text()
    dialog.reject()
    view.events.setCurrentCell(late, 0)
    assert view.answer_button.isEnabled()
