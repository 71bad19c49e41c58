"""The desk in the main window: start screen counts, Ctrl+N, the forms opened from the lists,
the case window and the drafts offered back after a crash (offscreen, a real QTableView)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from reception_desk.services.queues import QUEUES
from reception_desk.ui import background, dialogs
from reception_desk.ui.answer_dialog import AnswerDialog
from reception_desk.ui.case_view import CaseView
from reception_desk.ui.main_window import MainWindow
from reception_desk.ui.petition_form import PetitionForm
from reception_desk.ui.transfer_dialog import TransferDialog
from reception_desk.ui.visit_form import VisitForm
from tests.builders import add_agency, add_case, add_citizen, add_petition, add_transfer, add_visit
from tests.ui_support import OFFSCREEN_LOG_IGNORE

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]

OpenWindow = Callable[[Engine], MainWindow]
TODAY = date.today()


@pytest.fixture
def open_window(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenWindow]:
    def make(engine: Engine) -> MainWindow:
        window = MainWindow(engine)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.database_empty is not None, timeout=10_000)
        return window

    yield make
    # closing a filled form asks whether to drop it: answer for the clerk, without a modal box
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *_args, **_kw: True)
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, VisitForm | PetitionForm | TransferDialog | AnswerDialog):
            widget.close()
    background.wait_idle()


def _world(engine: Engine) -> dict[str, object]:
    """A case with two visits and a petition sent to two agencies: one answer overdue, one not."""
    with engine.begin() as conn:
        citizen = add_citizen(conn, "Nguyễn Văn Đức")
        case_id = add_case(conn, title="Tranh chấp ranh giới đất thôn 3")
        first = add_visit(conn, case_id, TODAY - timedelta(days=40), citizen_ids=[citizen])
        add_visit(conn, case_id, TODAY - timedelta(days=3), citizen_ids=[citizen])
        petition = add_petition(conn, TODAY - timedelta(days=39), "complaint", case_id=case_id,
                                summary="Khiếu nại việc cấp giấy chứng nhận chồng lấn")
        late = add_agency(conn, "UBND xã Ea Tu")
        calm = add_agency(conn, "Phòng Tài nguyên và Môi trường")
        add_transfer(conn, petition, late, TODAY - timedelta(days=38), due_on=TODAY - timedelta(days=5))
        add_transfer(conn, petition, calm, TODAY - timedelta(days=2), due_on=TODAY + timedelta(days=40))
    return {"case": case_id, "petition": petition, "first_visit": first}


def _top_level(kind: type) -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_the_day_starts_on_the_overview_with_the_queue_counts(
    qtbot: QtBot, open_window: OpenWindow, sqlite_engine: Engine
) -> None:
    _world(sqlite_engine)
    window = open_window(sqlite_engine)
    start = window.start_screen
    assert window.tabs.currentWidget() is start
    qtbot.waitUntil(lambda: start.counts is not None, timeout=10_000)
    assert (start.counts.overdue, start.counts.awaiting) == (1, 2)
    assert start.cards["overdue"].text().startswith("1\n") and "#b00020" in start.cards["overdue"].styleSheet()
    assert start.cards["awaiting"].text() == "2\nChờ trả lời"
    assert start.cards["awaiting"].styleSheet() == ""  # only lateness is red
    assert [start.agencies.item(i).text() for i in range(start.agencies.count())] == [
        "UBND xã Ea Tu: 1 đơn quá hạn"]

    qtbot.mouseClick(start.cards["overdue"], Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.queues
    assert window.queues.tabs.currentIndex() == QUEUES.index("overdue")
    assert not window.search_box.isEnabled()  # the follow-up tab has its own controls
    window.show_list("petitions")
    assert window.search_box.isEnabled()


def test_ctrl_n_opens_the_visit_form_even_on_an_empty_database(
    qtbot: QtBot, open_window: OpenWindow, sqlite_engine: Engine
) -> None:
    window = open_window(sqlite_engine)
    assert window.showing_first_run
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_top_level(VisitForm)) == 1)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(_top_level(PetitionForm)) == 1)
    assert window.first_run.visit_button.text() == "Tiếp &công dân…"


def test_the_lists_open_the_forms_and_the_case(
    qtbot: QtBot, open_window: OpenWindow, sqlite_engine: Engine
) -> None:
    world = _world(sqlite_engine)
    window = open_window(sqlite_engine)
    qtbot.waitUntil(lambda: not window.showing_first_run)

    window.show_list("petitions")
    view = window.panes["petitions"].view
    qtbot.waitUntil(lambda: view.model().rowCount() == 1)
    view.setCurrentIndex(view.model().index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_top_level(TransferDialog)) == 1)
    _top_level(TransferDialog)[0].close()
    qtbot.keyClick(view, Qt.Key.Key_Return)  # Enter on a petition: its form, to read or correct it
    qtbot.waitUntil(lambda: len(_top_level(PetitionForm)) == 1)

    window.show_list("visits")
    visits = window.panes["visits"].view
    qtbot.waitUntil(lambda: visits.model().rowCount() == 2)
    visits.setCurrentIndex(visits.model().index(1, 0))  # the older, first visit
    window.case_of_selected()
    assert len(window._case_windows) == 1
    case_view = window._case_windows[0].layout().itemAt(0).widget()  # noqa: SLF001
    assert isinstance(case_view, CaseView)
    qtbot.waitUntil(lambda: case_view.timeline is not None, timeout=10_000)
    assert case_view.timeline.case.id == world["case"]

    window.show_list("transfers")
    transfers = window.panes["transfers"].view
    qtbot.waitUntil(lambda: transfers.model().rowCount() == 2)
    transfers.setCurrentIndex(transfers.model().index(0, 0))
    window.answer_selected()
    qtbot.waitUntil(lambda: len(_top_level(AnswerDialog)) == 1)

    visits_row = window.panes["visits"].model.row_at(1)
    assert visits_row.id == world["first_visit"]
    window.show_list("visits")
    window.open_row("visits", 1)
    qtbot.waitUntil(lambda: any(f.windowTitle() == "Sửa lượt tiếp" for f in _top_level(VisitForm)), timeout=10_000)


def test_unsaved_visit_forms_are_offered_back(
    qtbot: QtBot, open_window: OpenWindow, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world(sqlite_engine)
    window = open_window(sqlite_engine)
    form = window.new_visit()
    form.content.setFocus()
    qtbot.keyClicks(form.content, "Cong dan trinh bay ")  # QTest types ASCII only
    form.content.insertPlainText("việc hàng xóm lấn ranh giới")
    form.write_draft()
    assert background.wait_idle()  # the draft is written off the GUI thread: on disk before the "restart"
    asked: list[str] = []

    def answer(_parent: object, title: str, text: str, **_kw: object) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(dialogs, "ask_yes_no", answer)
    # a second start of the program while the first form's draft is on disk (as after a crash)
    second = open_window(sqlite_engine)
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert "Có 1 lượt tiếp đang nhập dở chưa được lưu" in asked[0]
    restored = [f for f in _top_level(VisitForm) if f is not form]
    assert len(restored) == 1
    assert restored[0].content.toPlainText() == "Cong dan trinh bay việc hàng xóm lấn ranh giới"
    assert second is not window
