"""VisitForm driven as a clerk drives it (keystrokes only), on SQLite and PostgreSQL."""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from reception_desk.services.drafts import DraftStore
from reception_desk.services.visits import load_visit
from reception_desk.storage.models import Case, Visit, VisitCitizen
from reception_desk.ui import background, dialogs
from reception_desk.ui import visit_form as visit_form_module
from reception_desk.ui.visit_form import DRAFT_KIND, VisitForm, pending_drafts, restore_pending_drafts
from tests.builders import add_case, add_citizen, add_visit
from tests.test_ui_citizen_picker import OFFSCREEN_LOG_IGNORE, type_text

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]

TODAY = date(2026, 11, 20)


@pytest.fixture
def store(tmp_path: Path) -> DraftStore:
    return DraftStore(tmp_path / "drafts")


@pytest.fixture
def open_form(qtbot: QtBot, store: DraftStore, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    # No modal box may block a test: closing at teardown discards, an error box fails the test.
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a, **k: False)

    def no_box(_parent: object, title: str, message: str, *_a: object) -> None:
        raise AssertionError(f"unexpected message box: {title}: {message}")

    monkeypatch.setattr(dialogs, "show_error", no_box)
    monkeypatch.setattr(dialogs, "show_crash", no_box)

    def make(engine: Engine, **kw: object) -> VisitForm:
        form = VisitForm(engine, None, store=store, today=TODAY, **kw)  # type: ignore[arg-type]
        qtbot.addWidget(form)
        form.show()
        qtbot.waitExposed(form)
        form.activateWindow()
        qtbot.waitUntil(form.isActiveWindow, timeout=5000)
        return form

    yield make
    background.wait_idle()


def _repeat_world(engine: Engine):  # noqa: ANN202
    with engine.begin() as conn:
        duc = add_citizen(conn, "Nguyễn Văn Đức", id_number="066090001234", address="Thôn 3, xã Hòa Thắng",
                          birth_year=1990)
        add_citizen(conn, "Nguyễn Văn Dũng")
        case_id = add_case(conn, title="Tranh chấp ranh giới đất với hộ bà Hoa")
        add_visit(conn, case_id, date(2026, 10, 7), citizen_ids=[duc])
    return duc, case_id


def _focused(form: VisitForm):  # noqa: ANN202
    return QApplication.focusWidget() or form.focusWidget()


def test_single_citizen_repeat_visit_by_keyboard_alone(qtbot: QtBot, engine: Engine, open_form, store) -> None:  # noqa: ANN001
    duc, case_id = _repeat_world(engine)
    started = clock.monotonic()
    form = open_form(engine)
    assert _focused(form) is form.citizen.edit  # the form opens on the citizen field
    qtbot.keyClicks(form.citizen.edit, "nguyen van duc")
    qtbot.waitUntil(lambda: form.citizen.popup_visible() and bool(form.citizen.results()), timeout=10_000)
    qtbot.keyClick(form.citizen.edit, Qt.Key.Key_Return)  # pick the person …
    # … the case list fills with his cases, the latest chosen, and first/repeat shows at once
    qtbot.waitUntil(lambda: form.status is not None and not form.status.first_time, timeout=10_000)
    assert "Thôn 3, xã Hòa Thắng" in form.citizen_info.text()
    assert form.status_label.text() == "Nhiều lần (lần thứ 2, lần trước 07/10/2026)"
    assert form.case_combo.currentText().startswith("Tranh chấp ranh giới đất")
    qtbot.waitUntil(lambda: _focused(form) is form.case_combo, timeout=5000)
    # Enter walks the register's columns: case search, mode, session, persons, members, content
    for _ in range(6):
        qtbot.keyClick(_focused(form), Qt.Key.Key_Return)
    assert _focused(form) is form.content
    type_text(qtbot, form.content, "Hỏi tiến độ đo đạc lại ranh giới")
    qtbot.keyClick(form.content, Qt.Key.Key_Tab)
    assert _focused(form) is form.outcome
    qtbot.keyClicks(form.outcome, "H")  # "Hướng dẫn"
    assert form.outcome.currentData() == "guided"
    qtbot.keyClick(form.outcome, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10_000)
    elapsed = clock.monotonic() - started
    assert elapsed < 30, f"{elapsed:.1f} s"
    saved = form.result
    assert not saved.status.first_time and saved.status.ordinal == 2
    record = load_visit(engine, saved.id)
    assert record.case.id == case_id
    assert [c.id for c in record.citizens] == [duc]
    assert (record.content, record.outcome, record.persons, record.is_delegation) == (
        "Hỏi tiến độ đo đạc lại ranh giới", "guided", 1, False)
    assert record.visit_date == TODAY
    assert pending_drafts(store) == []  # saved: no draft left


def test_new_citizen_new_case_delegation(qtbot: QtBot, sqlite_engine: Engine, open_form) -> None:  # noqa: ANN001
    with sqlite_engine.begin() as conn:
        reps = [add_citizen(conn, name) for name in ("Y Bih Niê", "H Lan Êban", "Ama Khim")]
    form = open_form(sqlite_engine)
    qtbot.keyClicks(form.citizen.edit, "y bih")
    qtbot.waitUntil(lambda: bool(form.citizen.results()), timeout=10_000)
    qtbot.keyClick(form.citizen.edit, Qt.Key.Key_Return)
    # no earlier case: "+ Vụ việc mới…" is chosen, first visit
    qtbot.waitUntil(lambda: form.new_case_box.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: form.status is not None and form.status.first_time, timeout=10_000)
    assert form.status_label.text() == "Lần đầu"
    type_text(qtbot, form.new_case_title, "Đòi lại đất rẫy buôn Ea Kao")
    form.persons.setFocus()
    form.persons.selectAll()
    qtbot.keyClicks(form.persons, "12")
    assert "Đoàn đông người" in form.delegation_label.text() and "tối đa 5" in form.delegation_label.text()
    assert "nên ghi người đại diện" in form.rep_warning.text()
    for name in ("h lan", "ama khim"):
        form.member_picker.edit.setFocus()
        qtbot.keyClicks(form.member_picker.edit, name)
        qtbot.waitUntil(lambda: bool(form.member_picker.results()), timeout=10_000)
        qtbot.keyClick(form.member_picker.edit, Qt.Key.Key_Return)
    assert form.members.count() == 2
    form.members.setFocus()
    form.members.setCurrentRow(0)
    qtbot.keyClick(form.members, Qt.Key.Key_Return)  # mark H Lan Êban as representative
    assert not form.rep_warning.isVisible()
    type_text(qtbot, form.content, "Đoàn 12 hộ dân đề nghị trả lại đất rẫy")
    form.outcome.setFocus()
    qtbot.keyClicks(form.outcome, "Ti")  # "Tiếp nhận đơn"
    assert form.outcome.currentData() == "received_petition"
    qtbot.keyClick(form.outcome, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10_000)
    record = load_visit(sqlite_engine, form.result.id)
    assert record.case.title == "Đòi lại đất rẫy buôn Ea Kao" and record.case.kind == "complaint"
    assert record.persons == 12 and record.is_delegation
    assert [c.id for c in record.citizens] == reps
    assert record.representative_ids == (reps[1],)


def test_errors_are_shown_in_the_form_and_nothing_typed_is_lost(qtbot: QtBot, sqlite_engine: Engine,
                                                                 open_form) -> None:  # noqa: ANN001
    _repeat_world(sqlite_engine)
    form = open_form(sqlite_engine)
    type_text(qtbot, form.content, "Nội dung đã gõ")
    qtbot.keyClick(form.content, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.errors.isVisible(), timeout=10_000)
    text = form.errors.text()
    assert "Công dân: chưa chọn" in text and "Kết quả tiếp: chưa chọn" in text and "Vụ việc: chưa chọn" in text
    assert form.isVisible() and form.content.toPlainText() == "Nội dung đã gõ"
    # refused without a ground
    form.outcome.setCurrentIndex(form.outcome.findData("refused"))
    assert form.ground.isEnabled()
    form.save()
    qtbot.waitUntil(lambda: "Căn cứ từ chối tiếp" in form.errors.text(), timeout=10_000)


def test_database_error_keeps_the_form(qtbot: QtBot, sqlite_engine: Engine, open_form,
                                       monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    duc, case_id = _repeat_world(sqlite_engine)
    form = open_form(sqlite_engine)
    qtbot.keyClicks(form.citizen.edit, "066090")
    qtbot.waitUntil(lambda: bool(form.citizen.results()), timeout=10_000)
    qtbot.keyClick(form.citizen.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.status is not None, timeout=10_000)
    type_text(qtbot, form.content, "Trình bày lại")
    form.outcome.setCurrentIndex(form.outcome.findData("guided"))

    def locked(*_a: object, **_k: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(visit_form_module, "record_visit", locked)
    started = clock.monotonic()
    form.save()
    assert clock.monotonic() - started < 0.1  # the window is not blocked while saving
    qtbot.waitUntil(lambda: form.errors.isVisible(), timeout=10_000)
    assert "Không ghi được vào cơ sở dữ liệu" in form.errors.text()
    assert form.content.toPlainText() == "Trình bày lại" and form.citizen.chosen() is not None
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Visit.__table__)).scalar_one() == 1


def test_draft_survives_and_is_offered_back(qtbot: QtBot, sqlite_engine: Engine, open_form, store,
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    duc, case_id = _repeat_world(sqlite_engine)
    form = open_form(sqlite_engine)
    qtbot.keyClicks(form.citizen.edit, "nguyen van duc")
    qtbot.waitUntil(lambda: bool(form.citizen.results()), timeout=10_000)
    qtbot.keyClick(form.citizen.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.status is not None, timeout=10_000)
    type_text(qtbot, form.content, "Đang nhập dở thì mất điện")
    form.write_draft()
    background.wait_idle()
    qtbot.waitUntil(lambda: bool(pending_drafts(store)), timeout=5000)
    [draft] = pending_drafts(store)
    assert draft.kind == DRAFT_KIND and "Nguyễn Văn Đức" in draft.title
    # the program "crashes": the form vanishes without closing properly
    form._draft_timer.stop()
    form.hide()
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a, **k: True)
    [restored] = restore_pending_drafts(None, sqlite_engine, store)
    qtbot.addWidget(restored)
    assert restored.content.toPlainText() == "Đang nhập dở thì mất điện"
    assert restored.citizen.chosen() is not None and restored.citizen.chosen().id == duc
    assert restored.case_combo.currentText().startswith("Tranh chấp ranh giới đất")
    restored.outcome.setCurrentIndex(restored.outcome.findData("guided"))
    restored.save()
    qtbot.waitUntil(lambda: not restored.isVisible(), timeout=10_000)
    assert pending_drafts(store) == []
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(VisitCitizen.__table__)).scalar_one() == 2


def test_closing_asks_and_can_discard(qtbot: QtBot, sqlite_engine: Engine, open_form, store,
                                      monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    form = open_form(sqlite_engine)
    type_text(qtbot, form.content, "Thử")
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a, **k: True)
    qtbot.keyClick(form.content, Qt.Key.Key_Escape)
    assert not form.isVisible()
    assert len(pending_drafts(store)) == 1
    form2 = open_form(sqlite_engine)
    type_text(qtbot, form2.content, "Bỏ")
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a, **k: False)
    form2.reject()
    assert len(pending_drafts(store)) == 1  # only the first one kept
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a, **k: False)
    assert restore_pending_drafts(None, sqlite_engine, store) == []
    assert pending_drafts(store) == []


def test_edit_a_visit_and_see_a_conflict(qtbot: QtBot, sqlite_engine: Engine, open_form) -> None:  # noqa: ANN001
    duc, case_id = _repeat_world(sqlite_engine)
    with sqlite_engine.connect() as conn:
        visit_id = conn.execute(select(Visit.__table__.c.id)).scalar_one()
    record = load_visit(sqlite_engine, visit_id)
    form = open_form(sqlite_engine, record=record)
    assert form.citizen.chosen() is not None and form.status_label.text() in ("—", "Lần đầu", "— (chọn vụ việc)")
    qtbot.waitUntil(lambda: form.status_label.text() == "Lần đầu", timeout=10_000)
    form.content.setPlainText("Bổ sung nội dung")
    form.outcome.setCurrentIndex(form.outcome.findData("guided"))
    # another desk saves first
    other = record.to_input()
    other.content, other.outcome, other.host = "Sửa ở máy khác", "transferred", "Cán bộ B"
    from reception_desk.services.visits import update_visit

    update_visit(sqlite_engine, visit_id, 1, other, today=TODAY)
    form.save()
    qtbot.waitUntil(lambda: form.errors.isVisible(), timeout=10_000)
    assert "vừa được sửa ở máy khác" in form.errors.text()
    assert "Kết quả tiếp: (trống) → “Chuyển đơn”" in form.errors.text()
    assert form.content.toPlainText() == "Bổ sung nội dung"
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(Visit.__table__.c.content)).scalar_one() == "Sửa ở máy khác"
        assert conn.execute(select(func.count()).select_from(Case.__table__)).scalar_one() == 1
