"""Leaders' reception days, the agency directory and the settings dialog, driven as a user would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from reception_desk.services import directory, petitions, sessions, settings
from reception_desk.services.sessions import SessionInput
from reception_desk.storage import reference
from reception_desk.ui import background, dialogs
from reception_desk.ui.directory_view import INACTIVE_SUFFIX, DirectoryView
from reception_desk.ui.sessions_view import (
    ADHOC_BACKGROUND,
    SCHEDULED_BACKGROUND,
    SessionsView,
    UpcomingSessionsWidget,
)
from reception_desk.ui.settings_dialog import SettingsDialog
from tests.builders import add_agency, add_case, add_visit
from tests.ui_support import OFFSCREEN_LOG_IGNORE

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]

WAIT_MS = 20_000  # a shared 2-core machine


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list]]:
    calls: dict[str, list] = {"error": [], "info": [], "ask": []}
    monkeypatch.setattr(dialogs, "show_error",
                        lambda _p, t, m, details=(): calls["error"].append((t, m, list(details))))
    monkeypatch.setattr(dialogs, "show_info", lambda _p, t, m: calls["info"].append((t, m)))

    def ask(_p: object, title: str, question: str, yes: str = "", no: str = "") -> bool:
        calls["ask"].append((title, question))
        return True

    monkeypatch.setattr(dialogs, "ask_yes_no", ask)
    yield calls
    background.wait_idle()


def type_text(widget: QWidget, text: str) -> None:
    """Type as a Vietnamese keyboard (Telex/VNI commit) does: one key event per character.

    QTest.keyClicks only knows ASCII keys (it asserts on "ễ"), so every character goes as a key
    event carrying its text, which is what an input method delivers to a QLineEdit.
    """
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def _click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


# --- leaders' reception days ------------------------------------------------------------------


def _sessions_view(qtbot: QtBot, engine: Engine, today: date) -> SessionsView:
    view = SessionsView(engine, today=today)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        pass
    return view


def test_add_a_session_with_agencies_and_cases(qtbot: QtBot, engine: Engine, recorded: dict) -> None:
    """On SQLite and PostgreSQL: the clerk types a session; it lands in the database and on the calendar."""
    with engine.begin() as conn:
        add_agency(conn, "Sở Tài nguyên và Môi trường")
        add_agency(conn, "Công an tỉnh")
        add_case(conn, title="Tranh chấp đất đai thôn 3")
    view = _sessions_view(qtbot, engine, date(2026, 3, 2))
    view.calendar.setSelectedDate(QDate(2026, 3, 10))
    _click(qtbot, view.add_button)
    dialog = view.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.date_edit.date() == QDate(2026, 3, 10)  # the day chosen on the calendar
    qtbot.waitUntil(lambda: dialog.agencies_loaded, timeout=WAIT_MS)
    type_text(dialog.leader_edit, "Nguyễn Văn Hùng")
    type_text(dialog.position_edit, "Chủ tịch UBND tỉnh")
    type_text(dialog.agency_filter, "cong an")
    visible = [dialog.agency_list.item(i).text() for i in range(dialog.agency_list.count())
               if not dialog.agency_list.item(i).isHidden()]
    assert visible == ["Công an tỉnh"]
    assert dialog.set_agency_checked("Công an tỉnh")
    type_text(dialog.case_search, "dat dai")
    qtbot.waitUntil(lambda: dialog.case_results.count() == 1, timeout=WAIT_MS)
    _click(qtbot, dialog.case_add)
    assert dialog.case_chosen.count() == 1
    assert dialog.mode_label.text() == "Lãnh đạo tiếp định kỳ"
    _click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    stored = sessions.sessions_between(engine, date(2026, 3, 1), date(2026, 3, 31))
    assert len(stored) == 1
    saved = stored[0]
    assert (saved.leader, saved.leader_position, saved.reception_mode) == (
        "Nguyễn Văn Hùng", "Chủ tịch UBND tỉnh", "leader_scheduled")
    assert [a.name for a in saved.agencies] == ["Công an tỉnh"]
    assert [c.name for c in saved.cases] == ["Tranh chấp đất đai thôn 3"]
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=WAIT_MS)
    fmt = view.calendar.dateTextFormat(QDate(2026, 3, 10))
    assert fmt.background().color() == SCHEDULED_BACKGROUND
    assert view.selected() is not None and view.selected().id == saved.id
    assert "Công an tỉnh" in view.day_label.text()
    assert recorded["error"] == []


def test_authorised_deputy_adhoc_and_holiday_warning(qtbot: QtBot, sqlite_engine: Engine, recorded: dict) -> None:
    reference.seed(sqlite_engine)
    view = _sessions_view(qtbot, sqlite_engine, date(2026, 9, 1))
    view.calendar.setSelectedDate(QDate(2026, 9, 2))
    _click(qtbot, view.add_button)
    dialog = view.dialog
    assert dialog is not None
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("adhoc"))
    type_text(dialog.leader_edit, "Trần Thị Mai")
    assert not dialog.authorised_edit.isEnabled()
    qtbot.keyClick(dialog.authorised_check, Qt.Key.Key_Space)
    type_text(dialog.authorised_edit, "Nguyễn Văn Hùng")
    assert dialog.mode_label.text() == "Ủy quyền tiếp"
    _click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: bool(recorded["info"]), timeout=WAIT_MS)
    assert "02/09/2026 là ngày nghỉ" in recorded["info"][0][1]
    saved = sessions.upcoming_sessions(sqlite_engine, date(2026, 9, 1))[0]
    assert (saved.kind, saved.reception_mode, saved.authorised_by) == ("adhoc", "authorised_deputy", "Nguyễn Văn Hùng")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=WAIT_MS)
    assert view.calendar.dateTextFormat(QDate(2026, 9, 2)).background().color() == ADHOC_BACKGROUND


def test_invalid_session_keeps_the_dialog_and_its_text(qtbot: QtBot, sqlite_engine: Engine, recorded: dict) -> None:
    view = _sessions_view(qtbot, sqlite_engine, date(2026, 3, 2))
    _click(qtbot, view.add_button)
    dialog = view.dialog
    assert dialog is not None
    type_text(dialog.place_edit, "Hội trường A")
    _click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: bool(recorded["error"]), timeout=WAIT_MS)
    assert "Lãnh đạo chủ trì" in recorded["error"][0][1]
    assert dialog.isVisible() and dialog.place_edit.text() == "Hội trường A" and dialog.save_button.isEnabled()


def test_second_desk_edit_is_refused_in_the_dialog(qtbot: QtBot, engine: Engine, recorded: dict) -> None:
    saved = sessions.create_session(engine, SessionInput(held_on=date(2026, 3, 10), kind="scheduled",
                                                         leader="Nguyễn Văn Hùng"))
    view = _sessions_view(qtbot, engine, date(2026, 3, 10))
    qtbot.waitUntil(lambda: view.selected() is not None, timeout=WAIT_MS)
    _click(qtbot, view.edit_button)
    dialog = view.dialog
    assert dialog is not None and dialog.leader_edit.text() == "Nguyễn Văn Hùng"
    # Another desk saves first.
    sessions.update_session(engine, saved.id, saved.version, SessionInput(
        held_on=saved.held_on, kind="scheduled", leader="Nguyễn Văn Hùng", place="Hội trường B"))
    dialog.leader_edit.clear()
    type_text(dialog.leader_edit, "Lê Văn Tám")
    _click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: bool(recorded["error"]), timeout=WAIT_MS)
    message = recorded["error"][0][1]
    assert "vừa được sửa ở máy khác" in message and "Địa điểm: “Hội trường B”" in message
    assert dialog.isVisible() and dialog.leader_edit.text() == "Lê Văn Tám"
    assert sessions.get_session(engine, saved.id).leader == "Nguyễn Văn Hùng"


def test_delete_is_refused_when_visits_were_recorded(qtbot: QtBot, sqlite_engine: Engine, recorded: dict) -> None:
    saved = sessions.create_session(sqlite_engine, SessionInput(held_on=date(2026, 3, 10), kind="scheduled",
                                                                leader="Nguyễn Văn Hùng"))
    with sqlite_engine.begin() as conn:
        add_visit(conn, add_case(conn), saved.held_on, "leader_scheduled", session_id=saved.id)
    view = _sessions_view(qtbot, sqlite_engine, date(2026, 3, 10))
    qtbot.waitUntil(lambda: view.selected() is not None, timeout=WAIT_MS)
    _click(qtbot, view.delete_button)
    qtbot.waitUntil(lambda: bool(recorded["error"]), timeout=WAIT_MS)
    assert "đã có 1 lượt tiếp" in recorded["error"][0][1]
    assert sessions.get_session(sqlite_engine, saved.id).id == saved.id


def test_upcoming_sessions_on_the_start_screen(qtbot: QtBot, sqlite_engine: Engine) -> None:
    widget = UpcomingSessionsWidget(sqlite_engine, today=date(2026, 3, 10))
    qtbot.addWidget(widget)
    qtbot.waitSignal(widget.loaded, timeout=WAIT_MS).wait()
    assert widget.texts() == ["Chưa có buổi tiếp nào của lãnh đạo được lên lịch."]
    for day in (date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 17)):
        sessions.create_session(sqlite_engine, SessionInput(held_on=day, kind="scheduled", leader="Nguyễn Văn Hùng",
                                                            leader_position="Chủ tịch UBND tỉnh"))
    with qtbot.waitSignal(widget.loaded, timeout=WAIT_MS):
        widget.reload()
    assert widget.texts() == ["Hôm nay · Định kỳ · Nguyễn Văn Hùng (Chủ tịch UBND tỉnh)",
                              "Thứ Ba 17/03/2026 · Định kỳ · Nguyễn Văn Hùng (Chủ tịch UBND tỉnh)"]
    with qtbot.waitSignal(widget.session_activated, timeout=WAIT_MS) as signal:
        widget.list.itemActivated.emit(widget.list.item(1))
    assert signal.args[1] == date(2026, 3, 17)


# --- the agency directory ---------------------------------------------------------------------


def _directory_view(qtbot: QtBot, engine: Engine) -> DirectoryView:
    view = DirectoryView(engine)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        pass
    return view


def _names(view: DirectoryView) -> list[str]:
    return [view.model.data(view.model.index(r, 0)) for r in range(view.model.rowCount())]


def test_directory_add_filter_and_deactivate(qtbot: QtBot, engine: Engine, recorded: dict) -> None:
    """On SQLite and PostgreSQL."""
    with engine.begin() as conn:
        add_agency(conn, "Ủy ban nhân dân tỉnh Hà Tĩnh", level="province")
    view = _directory_view(qtbot, engine)
    assert _names(view) == ["Ủy ban nhân dân tỉnh Hà Tĩnh"]
    _click(qtbot, view.add_button)
    dialog = view.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.choices_loaded, timeout=WAIT_MS)
    type_text(dialog.name_edit, "UBND xã Đức Thọ")
    type_text(dialog.code_edit, "ubnd")
    dialog.level_combo.setCurrentIndex(dialog.level_combo.findData("commune"))
    dialog.parent_combo.setCurrentIndex(dialog.parent_combo.findText("Ủy ban nhân dân tỉnh Hà Tĩnh"))
    type_text(dialog.email_edit, "ubnd@ductho.vn")
    _click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    stored = {a.name: a for a in directory.list_agencies(engine)}
    commune = stored["UBND xã Đức Thọ"]
    assert (commune.short_code, commune.level, commune.parent_name) == ("UBND", "commune",
                                                                         "Ủy ban nhân dân tỉnh Hà Tĩnh")
    qtbot.waitUntil(lambda: len(_names(view)) == 2, timeout=WAIT_MS)
    assert view.selected() is not None and view.selected().name == "UBND xã Đức Thọ"

    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        type_text(view.filter_edit, "duc tho")
    assert _names(view) == ["UBND xã Đức Thọ"]
    view.table.selectRow(0)
    assert view.active_button.text() == "&Ngừng sử dụng"
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        _click(qtbot, view.active_button)
    assert recorded["ask"] and _names(view) == []
    assert not directory.get_agency(engine, commune.id).active
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.show_inactive.setChecked(True)
    assert _names(view) == ["UBND xã Đức Thọ" + INACTIVE_SUFFIX]


def test_directory_duplicate_name_keeps_the_dialog(qtbot: QtBot, sqlite_engine: Engine, recorded: dict) -> None:
    with sqlite_engine.begin() as conn:
        add_agency(conn, "Sở Tư pháp")
    view = _directory_view(qtbot, sqlite_engine)
    _click(qtbot, view.add_button)
    dialog = view.dialog
    assert dialog is not None
    type_text(dialog.name_edit, "so tu phap")
    _click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: bool(recorded["error"]), timeout=WAIT_MS)
    assert "Danh bạ đã có cơ quan “Sở Tư pháp”" in recorded["error"][0][1]
    assert dialog.isVisible() and dialog.name_edit.text() == "so tu phap"


def test_directory_import_in_the_background(qtbot: QtBot, sqlite_engine: Engine, recorded: dict, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    view = _directory_view(qtbot, sqlite_engine)
    bad = tmp_path / "bad.csv"
    bad.write_text("Tên cơ quan;Email\nSở Y tế;khong-hop-le\n", encoding="utf-8-sig")
    monkeypatch.setattr(dialogs, "ask_open_file", lambda *_a, **_k: bad)
    _click(qtbot, view.import_button)
    qtbot.waitUntil(lambda: bool(recorded["error"]), timeout=WAIT_MS)
    title, _message, details = recorded["error"][0]
    assert title == "Không nhập được danh bạ cơ quan"
    assert "dòng 2: Email: “khong-hop-le”" in (details[0] if details else _message)
    good = tmp_path / "good.csv"
    good.write_text("Tên cơ quan;Cấp\nSở Y tế;tỉnh\nSở Nội vụ;tỉnh\n", encoding="utf-8-sig")
    monkeypatch.setattr(dialogs, "ask_open_file", lambda *_a, **_k: good)
    _click(qtbot, view.import_button)
    qtbot.waitUntil(lambda: bool(recorded["info"]), timeout=WAIT_MS)
    assert "thêm 2 cơ quan" in recorded["info"][0][1]
    qtbot.waitUntil(lambda: _names(view) == ["Sở Nội vụ", "Sở Y tế"], timeout=WAIT_MS)


# --- settings ---------------------------------------------------------------------------------


def test_settings_dialog_saves_the_letterhead(qtbot: QtBot, engine: Engine, recorded: dict) -> None:
    """On SQLite and PostgreSQL."""
    dialog = SettingsDialog(engine, year=2026)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=WAIT_MS)
    for name, text in (("superior_body", "Ủy ban nhân dân tỉnh Hà Tĩnh"), ("office_name", "Ban Tiếp công dân"),
                       ("office_symbol", "btcd"), ("place_name", "Hà Tĩnh"), ("signer_on_behalf", "KT. Trưởng ban"),
                       ("signer_title", "Phó Trưởng ban"), ("signer_name", "Trần Văn Bình")):
        type_text(dialog.fields[name], text)
    assert "Số: …/PC-BTCD" in dialog.preview.text() and "Hà Tĩnh, ngày … tháng … năm …" in dialog.preview.text()
    with qtbot.waitSignal(dialog.settings_saved, timeout=WAIT_MS):
        _click(qtbot, dialog.save_button)
    stored = settings.load_office_settings(engine)
    assert (stored.office_name, stored.office_symbol, stored.signer_on_behalf) == (
        "BAN TIẾP CÔNG DÂN", "BTCD", "KT. TRƯỞNG BAN")
    assert dialog.fields["office_name"].text() == "BAN TIẾP CÔNG DÂN"  # shows what was stored
    assert stored.is_complete and dialog.office_status.text() == "Đã lưu thông tin cơ quan."
    dialog.fields["email"].setText("sai")
    _click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: bool(recorded["error"]), timeout=WAIT_MS)
    assert "Email" in recorded["error"][0][1] and dialog.fields["email"].text() == "sai"


def test_settings_dialog_edits_days_off(qtbot: QtBot, sqlite_engine: Engine, recorded: dict) -> None:
    reference.seed(sqlite_engine)
    dialog = SettingsDialog(sqlite_engine, year=2026)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitSignal(dialog.days_loaded, timeout=WAIT_MS).wait()
    before = dialog.days_model.rowCount()
    assert before > 10 and dialog.select_day(date(2026, 9, 2))
    assert not dialog.remove_button.isEnabled()  # the official calendar is changed by adding an edit
    dialog.tabs.setCurrentIndex(1)
    dialog.day_edit.setDate(QDate(2026, 6, 6))
    dialog.day_kind.setCurrentIndex(dialog.day_kind.findData(False))
    type_text(dialog.day_name, "Làm bù ngày 15/5")
    with qtbot.waitSignal(dialog.days_loaded, timeout=WAIT_MS):
        _click(qtbot, dialog.add_day_button)
    assert dialog.days_model.rowCount() == before + 1
    assert dialog.select_day(date(2026, 6, 6))
    entry = dialog.selected_day()
    assert entry is not None and entry.edited and entry.kind_label == "Ngày làm bù"
    assert dialog.remove_button.isEnabled()
    with qtbot.waitSignal(dialog.days_loaded, timeout=WAIT_MS):
        _click(qtbot, dialog.remove_button)
    assert dialog.days_model.rowCount() == before
    assert "trở lại theo lịch chung" in dialog.status.text()
    type_text(dialog.day_name, "  ")
    _click(qtbot, dialog.add_day_button)
    qtbot.waitUntil(lambda: bool(recorded["error"]), timeout=WAIT_MS)
    assert "Cần ghi tên hoặc lý do" in recorded["error"][0][1]


def test_settings_dialog_sets_how_far_back_duplicates_are_suggested(qtbot: QtBot, engine: Engine) -> None:
    """On SQLite and PostgreSQL: the months of the duplicate suggestion (setting duplicates.months)."""
    dialog = SettingsDialog(engine, year=2026)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.months_button.isEnabled(), timeout=WAIT_MS)
    assert dialog.months.value() == petitions.duplicate_months(engine) == petitions.DEFAULT_DUPLICATE_MONTHS
    dialog.months.setValue(18)
    _click(qtbot, dialog.months_button)
    qtbot.waitUntil(lambda: "18 tháng" in dialog.months_status.text(), timeout=WAIT_MS)
    assert petitions.duplicate_months(engine) == 18
    assert dialog.months.maximum() == petitions.MAX_DUPLICATE_MONTHS  # the service's own bound
