"""ui.form_support: the data-entry forms' shared footer, failure messages, drafts and restore question."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from reception_desk.domain.enums import HandlingDirection, ReceptionMode
from reception_desk.services.drafts import Draft, DraftStore
from reception_desk.services.errors import ConflictError, UserError, ValidationError
from reception_desk.ui import background, dialogs
from reception_desk.ui.form_support import (
    DeskForm,
    date_edit,
    dialog_buttons,
    enum_combo,
    from_qdate,
    record_label,
    restore_drafts,
    text_box,
    to_qdate,
)
from reception_desk.ui.petition_form import PetitionForm
from reception_desk.ui.petition_form import pending_drafts as pending_petitions
from reception_desk.ui.visit_form import VisitForm
from reception_desk.ui.visit_form import pending_drafts as pending_visits
from tests.ui_support import OFFSCREEN_LOG_IGNORE

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]

KIND = "note"


class NoteForm(DeskForm):
    """The smallest DeskForm: one field; ``outcome`` is what the "service" does when saving."""

    def __init__(self, store: DraftStore, outcome: Callable[[str], Any], *, drafted_before_save: bool = False,
                 draft: Draft | None = None) -> None:
        super().__init__(None, noun="ghi chú", draft_kind=KIND, draft_key=draft.key if draft else "new-1",
                         store=store, drafted_before_save=drafted_before_save)
        self._outcome = outcome
        self.text = QLineEdit(self)
        self.text.textChanged.connect(self._touched)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(self._footer("note"))
        layout.addWidget(self.errors)
        if draft is not None:
            self._loading = True
            self.text.setText(draft.data["text"])
            self._loading = False
        self._draft_timer.start()

    def save(self) -> None:
        if self.saving:
            return
        self._start_saving()
        text, outcome = self.text.text(), self._outcome
        background.BackgroundOp(self, lambda _p, _c: outcome(text), writes=True).success(
            self._finish_save).failure(self._save_failed).run_in_background()

    def draft_data(self) -> dict[str, Any]:
        return {"text": self.text.text()}

    def draft_title(self) -> str:
        return f"Ghi chú: {self.text.text()}"


@pytest.fixture
def store(tmp_path: Path) -> DraftStore:
    return DraftStore(tmp_path / "drafts")


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Message boxes the code under test opened (title, message), none of them really shown."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, title, message, *_a: shown.append((title, message)))
    monkeypatch.setattr(dialogs, "show_crash", lambda _p, summary, *_a: shown.append(("crash", summary)))
    return shown


@pytest.fixture
def open_note(qtbot: QtBot, store: DraftStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., NoteForm]]:
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *_a, **_k: False)  # teardown closes without a question

    def make(outcome: Callable[[str], Any] = lambda text: text, **kw: Any) -> NoteForm:
        form = NoteForm(store, outcome, **kw)
        qtbot.addWidget(form)
        form.show()
        qtbot.waitExposed(form)
        form.activateWindow()  # shortcuts need the active window
        qtbot.waitUntil(form.isActiveWindow, timeout=5000)
        form.text.setFocus()
        return form

    yield make
    background.wait_idle()


def _fail_with(exc: BaseException) -> Callable[[str], Any]:
    def fail(_text: str) -> Any:
        raise exc

    return fail


# --- saving --------------------------------------------------------------------------------------


def test_a_successful_save_emits_removes_the_draft_and_closes(qtbot: QtBot, open_note: Callable[..., NoteForm],
                                                               store: DraftStore) -> None:
    form = open_note(lambda text: {"saved": text})
    form.text.setText("Họp tổ dân phố")
    form.write_draft()
    background.wait_idle()
    assert [d.title for d in store.load_all(KIND)] == ["Ghi chú: Họp tổ dân phố"]
    with qtbot.waitSignal(form.saved, timeout=10_000) as emitted:
        qtbot.keyClick(form.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert emitted.args == [{"saved": "Họp tổ dân phố"}] and form.result == {"saved": "Họp tổ dân phố"}
    assert not form.isVisible()
    assert store.load_all(KIND) == [] and form.save_state.text() == "Đã lưu"
    form._draft_dirty = True
    form.write_draft()  # a late periodic write after the save brings nothing back
    background.wait_idle()
    assert store.load_all(KIND) == []


@pytest.mark.parametrize(("exc", "expected"), [
    (ValidationError("Chưa lưu được:", ["Nội dung: chưa nhập", "Ngày: sau hôm nay"]),
     "Chưa lưu được:\n• Nội dung: chưa nhập\n• Ngày: sau hôm nay"),
    (ConflictError("Ghi chú vừa được sửa ở máy khác: Nội dung: “a” → “b”."),
     "Ghi chú vừa được sửa ở máy khác: Nội dung: “a” → “b”."),
    (UserError("Không tìm thấy ghi chú."), "Không tìm thấy ghi chú."),
])
def test_refusals_are_listed_in_the_form_and_nothing_typed_is_lost(
        qtbot: QtBot, open_note: Callable[..., NoteForm], boxes: list[tuple[str, str]], exc: BaseException,
        expected: str) -> None:
    form = open_note(_fail_with(exc))
    form.text.setText("Nội dung đang gõ")
    form.save()
    assert form.saving and not form.save_button.isEnabled() and form.save_state.text() == "Đang lưu…"
    qtbot.waitUntil(lambda: not form.saving, timeout=10_000)
    assert form.errors.text() == expected and not form.errors.isHidden()
    assert form.save_state.text() == "Chưa lưu" and form.save_button.isEnabled()
    assert form.isVisible() and form.text.text() == "Nội dung đang gõ" and boxes == []


@pytest.mark.parametrize(("drafted", "db_text", "odd_text"), [
    (True, "Nội dung đã nhập vẫn còn nguyên và đã được lưu nháp; hãy thử lưu lại sau ít phút.",
     "Chưa lưu được do một lỗi không mong muốn; nội dung đã nhập vẫn còn và đã lưu nháp."),
    (False, "Nội dung đã nhập vẫn còn nguyên; hãy thử lưu lại sau ít phút.",
     "Chưa lưu được do một lỗi không mong muốn; nội dung đã nhập vẫn còn."),
])
def test_database_and_unexpected_failures_say_the_typed_content_is_kept(
        qtbot: QtBot, open_note: Callable[..., NoteForm], boxes: list[tuple[str, str]], drafted: bool,
        db_text: str, odd_text: str) -> None:
    form = open_note(_fail_with(OperationalError("INSERT", {}, Exception("database is locked"))),
                     drafted_before_save=drafted)
    form.text.setText("Giữ nguyên")
    form.save()
    qtbot.waitUntil(lambda: not form.saving, timeout=10_000)
    assert form.errors.text() == ("Không ghi được vào cơ sở dữ liệu (mất kết nối, hoặc máy khác đang ghi). "
                                  + db_text)
    assert boxes == []  # a database that cannot be written is said in the form, no box
    form._outcome = _fail_with(KeyError("bug"))
    form.save()
    qtbot.waitUntil(lambda: not form.saving, timeout=10_000)
    assert form.errors.text() == odd_text
    assert boxes == [("crash", "KeyError: 'bug'")]  # a bug also gets the crash report
    assert form.text.text() == "Giữ nguyên"


def test_a_failed_helper_read_is_said_quietly(open_note: Callable[..., NoteForm],
                                              boxes: list[tuple[str, str]]) -> None:
    form = open_note()
    form._quiet_failure(OperationalError("SELECT", {}, Exception("no connection")))
    assert form.save_state.text() == "Không đọc được cơ sở dữ liệu; thử lại sau." and boxes == []
    form._quiet_failure(RuntimeError("bug"))
    assert boxes == [("crash", "RuntimeError: bug")]


# --- drafts --------------------------------------------------------------------------------------


def test_drafts_are_written_only_after_a_change(open_note: Callable[..., NoteForm], store: DraftStore) -> None:
    form = open_note()
    form.write_draft()
    background.wait_idle()
    assert store.load_all(KIND) == []  # nothing typed yet
    form.text.setText("Một")
    form.write_draft()
    background.wait_idle()
    (draft,) = store.load_all(KIND)
    assert draft.data == {"text": "Một"} and draft.key == "new-1"
    draft.path.unlink()
    form.write_draft()  # unchanged since: no write
    background.wait_idle()
    assert store.load_all(KIND) == []


def test_the_timer_writes_the_draft(qtbot: QtBot, open_note: Callable[..., NoteForm], store: DraftStore) -> None:
    form = open_note()
    form._draft_timer.setInterval(20)
    form.text.setText("Tự lưu nháp")
    qtbot.waitUntil(lambda: bool(store.load_all(KIND)), timeout=5000)
    assert store.load_all(KIND)[0].data == {"text": "Tự lưu nháp"}


def test_closing_asks_to_keep_or_discard(open_note: Callable[..., NoteForm], store: DraftStore,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, str]] = []

    def answer(keep: bool) -> Callable[..., bool]:
        def ask(_parent: object, title: str, text: str, **_kw: object) -> bool:
            asked.append((title, text))
            return keep

        return ask

    monkeypatch.setattr(dialogs, "ask_yes_no", answer(True))
    kept = open_note()
    kept.text.setText("Giữ")
    kept.reject()
    assert asked == [("Đóng ghi chú chưa lưu", "Ghi chú này chưa được lưu. Giữ lại bản nháp để nhập tiếp lần sau?")]
    assert [d.data for d in store.load_all(KIND)] == [{"text": "Giữ"}] and not kept.isVisible()
    kept._draft_dirty = True
    kept.write_draft()  # closed: a queued periodic write changes nothing
    background.wait_idle()
    assert [d.data for d in store.load_all(KIND)] == [{"text": "Giữ"}]

    monkeypatch.setattr(dialogs, "ask_yes_no", answer(False))
    dropped = open_note()
    dropped.text.setText("Bỏ")
    dropped.reject()
    assert store.load_all(KIND) == []  # same key: the kept draft goes too, as the clerk chose
    untouched = open_note()
    untouched.reject()
    assert len(asked) == 2  # nothing typed: no question


def test_a_form_saving_does_not_close(qtbot: QtBot, open_note: Callable[..., NoteForm]) -> None:
    form = open_note()
    form.saving = True
    form.reject()
    form.close()
    assert form.isVisible()
    form.saving = False


# --- restore question ----------------------------------------------------------------------------


def _drafts(store: DraftStore) -> list[Draft]:
    store.save(KIND, "new-a", {"text": "A"}, "Ghi chú: A")
    store.save(KIND, "new-b", {"text": "B"}, "")
    return store.load_all(KIND)


def test_restore_asks_once_and_reopens(qtbot: QtBot, store: DraftStore, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, str]] = []

    def yes(_parent: object, title: str, text: str, **kw: object) -> bool:
        asked.append((title, text))
        assert kw == {"yes": "Mở lại", "no": "Bỏ"}
        return True

    monkeypatch.setattr(dialogs, "ask_yes_no", yes)
    assert restore_drafts(None, store, [], lambda d: NoteForm(store, str, draft=d), title="T", what="ghi chú",
                          untitled="x") == []
    assert asked == []  # nothing to restore: no question
    drafts = _drafts(store)
    forms = restore_drafts(None, store, drafts, lambda d: NoteForm(store, str, draft=d), title="Ghi chú nhập dở",
                           what="ghi chú", untitled="Ghi chú chưa lưu")
    for form in forms:
        qtbot.addWidget(form)
    ((title, text),) = asked
    assert title == "Ghi chú nhập dở"
    assert text.startswith("Có 2 ghi chú đang nhập dở chưa được lưu:\n• ")
    assert "• Ghi chú: A (lưu nháp lúc " in text and "• Ghi chú chưa lưu (lưu nháp lúc " in text
    assert text.endswith("Mở lại để nhập tiếp? (Chọn “Bỏ” sẽ xóa các bản nháp này.)")
    assert sorted(f.text.text() for f in forms) == ["A", "B"] and all(f.isVisible() for f in forms)
    assert len(store.load_all(KIND)) == 2  # reopened, still on disk until saved or discarded
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *_a, **_k: False)
    for form in forms:
        form.reject()


def test_restore_declined_discards(store: DraftStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *_a, **_k: False)
    opened: list[Draft] = []
    assert restore_drafts(None, store, _drafts(store), lambda d: opened.append(d) or QWidget(), title="T",
                          what="ghi chú", untitled="x") == []
    assert opened == [] and store.load_all(KIND) == []


# --- the two desk forms --------------------------------------------------------------------------


def _close_by_the_window(qtbot: QtBot, form: DeskForm, box_name: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Type into the form's text box ``box_name``, close it by its X (answering "keep"); the questions asked."""
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda _p, title, *_a, **_k: asked.append(title) or True)
    qtbot.addWidget(form)
    form.show()
    form.findChild(QPlainTextEdit, box_name).setPlainText("Đường làng ngập nước")
    form.close()
    background.wait_idle()
    assert not form.isVisible()
    return asked


def test_a_petition_closed_by_its_window_keeps_its_draft_unasked(qtbot: QtBot, sqlite_engine: Engine,
                                                                 store: DraftStore,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _close_by_the_window(qtbot, PetitionForm(sqlite_engine, None, store=store), "petition_summary",
                                 monkeypatch)
    assert asked == []
    assert [d.data["summary"] for d in pending_petitions(store)] == ["Đường làng ngập nước"]


def test_a_visit_closed_by_its_window_asks(qtbot: QtBot, sqlite_engine: Engine, store: DraftStore,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _close_by_the_window(qtbot, VisitForm(sqlite_engine, None, store=store), "visit_content", monkeypatch)
    assert asked == ["Đóng lượt tiếp chưa lưu"]
    assert [d.data["content"] for d in pending_visits(store)] == ["Đường làng ngập nước"]


# --- dialogs and dates ---------------------------------------------------------------------------


def test_dialog_buttons_save_with_ctrl_enter_and_cancel(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    saves: list[int] = []
    label = record_label(dialog, "<b>Nguyễn Văn A</b>")
    field = QLineEdit(dialog)
    buttons, save = dialog_buttons(dialog, "Chuyển đơn", lambda: saves.append(1))
    layout = QVBoxLayout(dialog)
    layout.addWidget(label)
    layout.addWidget(field)
    layout.addWidget(buttons)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    field.setFocus()
    assert label.textFormat() == Qt.TextFormat.PlainText and label.wordWrap()
    assert save.text() == "Chuyển đơn" and save.isDefault() and not save.isEnabled()  # enabled once read
    save.setEnabled(True)
    qtbot.keyClick(field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    save.click()
    assert saves == [1, 1]
    (cancel,) = [b for b in buttons.buttons() if b is not save]
    assert cancel.text() == "Hủy" and not cancel.autoDefault()
    cancel.click()
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()


def test_dates(qtbot: QtBot) -> None:
    day = date(2026, 2, 28)
    assert to_qdate(day) == QDate(2026, 2, 28) and from_qdate(QDate(2026, 2, 28)) == day
    parent = QWidget()
    qtbot.addWidget(parent)
    edit = date_edit(parent, day)
    assert edit.displayFormat() == "dd/MM/yyyy" and edit.calendarPopup() and from_qdate(edit.date()) == day


def test_enum_combo_lists_the_labels_with_the_codes_as_data(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    modes = enum_combo(parent, "mode", ReceptionMode)
    assert modes.objectName() == "mode" and modes.count() == len(ReceptionMode)
    assert [(modes.itemText(i), modes.itemData(i)) for i in range(modes.count())] == [
        (m.label, m.value) for m in ReceptionMode]
    handling = enum_combo(parent, "handling", HandlingDirection, none="— chưa quyết định —")
    assert handling.itemText(0) == "— chưa quyết định —" and handling.itemData(0) is None
    assert handling.count() == len(HandlingDirection) + 1 and handling.currentData() is None


def test_text_box_lets_tab_leave(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    box = text_box(parent, "content", "Nội dung", "Nội dung trình bày", heights=(80, 140))
    assert box.objectName() == "content" and box.accessibleName() == "Nội dung" and box.tabChangesFocus()
    assert box.placeholderText() == "Nội dung trình bày (Tab để sang ô tiếp theo)"
    assert (box.minimumHeight(), box.maximumHeight()) == (80, 140)
