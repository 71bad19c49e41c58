"""CitizenPicker driven with the keyboard (offscreen): search as you type, pick, create inline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, select

from reception_desk.services.citizens import CitizenHit, SavedCitizen
from reception_desk.storage.models import Citizen
from reception_desk.ui import background
from reception_desk.ui.citizen_picker import CitizenPicker
from tests.builders import add_case, add_citizen, add_visit

# The offscreen platform cannot raise a window (the floating result list): a limit of the test platform.
OFFSCREEN_LOG_IGNORE = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)",
                                                 r"This plugin does not support raise\(\)")
pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]


@pytest.fixture
def picker(qtbot: QtBot, sqlite_engine: Engine) -> Iterator[CitizenPicker]:
    widget = CitizenPicker(engine=sqlite_engine)
    qtbot.addWidget(widget)
    widget.resize(600, 60)
    widget.show()
    qtbot.waitExposed(widget)
    widget.edit.setFocus()
    yield widget
    background.wait_idle()


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like a clerk: ASCII as key presses, Vietnamese letters as an input method commits them
    (QTest cannot press keys for non-ASCII characters)."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def _type_and_wait(qtbot: QtBot, picker: CitizenPicker, text: str) -> None:
    qtbot.keyClicks(picker.edit, text)
    qtbot.waitUntil(lambda: picker.popup_visible() and not picker.searching and picker._query == text.strip(),
                    timeout=10_000)


def test_typing_without_accents_offers_the_person_with_cases(qtbot: QtBot, picker: CitizenPicker,
                                                             sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as conn:
        duc = add_citizen(conn, "Nguyễn Văn Đức", id_number="066090001234", address="Thôn 3, xã Hòa Thắng",
                          birth_year=1990)
        add_citizen(conn, "Nguyễn Văn Đông")
        case_id = add_case(conn, title="Tranh chấp ranh giới đất")
        add_visit(conn, case_id, date(2025, 3, 4), citizen_ids=[duc])
    _type_and_wait(qtbot, picker, "nguyen van duc")
    hits = picker.results()
    assert [h.full_name for h in hits] == ["Nguyễn Văn Đức"]
    text = picker.popup.list.item(0).text()
    assert "sinh 1990" in text and "066090001234" in text and "Thôn 3, xã Hòa Thắng" in text
    assert "Tranh chấp ranh giới đất (người này đến lần cuối 04/03/2025)" in text
    assert picker.popup.list.item(1).text().startswith("+ Công dân mới…")
    with qtbot.waitSignal(picker.citizenChosen, timeout=2000) as chosen:
        qtbot.keyClick(picker.edit, Qt.Key.Key_Return)
    assert isinstance(chosen.args[0], CitizenHit) and chosen.args[0].id == duc
    assert picker.chosen() is not None and picker.edit.text() == "Nguyễn Văn Đức"
    assert not picker.popup_visible()
    # editing the name drops the choice
    with qtbot.waitSignal(picker.citizenChosen, timeout=2000) as dropped:
        qtbot.keyClick(picker.edit, Qt.Key.Key_Backspace)
    assert dropped.args[0] is None and picker.chosen() is None


def test_arrow_keys_choose_among_namesakes(qtbot: QtBot, picker: CitizenPicker, sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as conn:
        add_citizen(conn, "Lê Văn An", birth_year=1950)
        add_citizen(conn, "Lê Văn An", birth_year=1988)
    _type_and_wait(qtbot, picker, "le van an")
    assert len(picker.results()) == 2
    second = picker.results()[1]
    qtbot.keyClick(picker.edit, Qt.Key.Key_Down)
    with qtbot.waitSignal(picker.citizenChosen, timeout=2000) as chosen:
        qtbot.keyClick(picker.edit, Qt.Key.Key_Enter)
    assert chosen.args[0].id == second.id


def test_stale_results_are_dropped(qtbot: QtBot, picker: CitizenPicker, sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as conn:
        add_citizen(conn, "Trần Văn Bảy")
        add_citizen(conn, "Trần Thị Tám")
    qtbot.keyClicks(picker.edit, "tran")
    qtbot.wait(200)  # the first search starts …
    qtbot.keyClicks(picker.edit, " thi")  # … and is overtaken
    qtbot.waitUntil(lambda: not picker.searching and picker._query == "tran thi" and picker.popup_visible(),
                    timeout=10_000)
    background.wait_idle()
    qtbot.wait(50)
    assert [h.full_name for h in picker.results()] == ["Trần Thị Tám"]


def test_id_prefix_then_new_citizen_inline(qtbot: QtBot, picker: CitizenPicker, sqlite_engine: Engine) -> None:
    _type_and_wait(qtbot, picker, "0661900")
    assert picker.results() == []
    assert "Không thấy công dân nào" in picker.popup.status.text()
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)  # the only row: "+ Công dân mới…"
    dialog = picker.new_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.id_number.text() == "0661900"
    assert "12 chữ số" in dialog.check.text()  # checked as typed
    qtbot.keyClicks(dialog.id_number, "04321")
    assert "Căn cước" in dialog.check.text() and "Đắk Lắk" in dialog.check.text()
    # saving without a name: refused in Vietnamese, what was typed stays
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.isVisible(), timeout=10_000)
    assert "Họ tên: chưa nhập" in dialog.errors.text()
    assert dialog.id_number.text() == "066190004321"
    type_text(qtbot, dialog.name, "Hoàng Thị Mai")
    with qtbot.waitSignal(picker.citizenChosen, timeout=10_000) as chosen:
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    saved = chosen.args[0]
    assert isinstance(saved, SavedCitizen) and saved.full_name == "Hoàng Thị Mai"
    assert picker.edit.text() == "Hoàng Thị Mai"
    with sqlite_engine.connect() as conn:
        row = conn.execute(select(Citizen.__table__)).mappings().one()
    assert (row["full_name"], row["id_number"], row["birth_year"]) == ("Hoàng Thị Mai", "066190004321", 1990)


def test_warnings_of_a_new_citizen_show_under_the_field(qtbot: QtBot, picker: CitizenPicker) -> None:
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    dialog = picker.new_dialog
    assert dialog is not None
    type_text(qtbot, dialog.name, "Y Bih Niê")
    qtbot.keyClicks(dialog.id_number, "240123456")
    with qtbot.waitSignal(picker.citizenChosen, timeout=10_000):
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert "CMND 9 số" in picker.warning_text()


def test_list_mode_empties_the_field_after_each_pick(qtbot: QtBot, sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as conn:
        add_citizen(conn, "Đinh Văn Hùng")
    widget = CitizenPicker(engine=sqlite_engine, keep_choice=False)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.edit.setFocus()
    _type_and_wait(qtbot, widget, "dinh")
    with qtbot.waitSignal(widget.citizenChosen, timeout=2000) as chosen:
        qtbot.keyClick(widget.edit, Qt.Key.Key_Return)
    assert chosen.args[0].full_name == "Đinh Văn Hùng"
    assert widget.edit.text() == "" and widget.chosen() is None
    background.wait_idle()
