"""What the desk's data-entry windows share, so that each form only says what is its own.

``DeskForm`` is the base of VisitForm and PetitionForm:

* the footer: an error box, a save-state line, "Lưu (Ctrl+S)" and "Đóng (Esc)" (Ctrl+S, Ctrl+Enter
  save; no button is "default", so Enter never saves by accident);
* a failed save says why in Vietnamese inside the form (validation errors as a list, a conflict
  with what the other desk changed, a database that cannot be written) and keeps everything typed;
* the draft (services.drafts): written on a worker thread a few seconds after each change, kept or
  discarded on closing (the clerk is asked), removed once the record is saved; a lock and a flag
  keep a late write from bringing back a draft that a save or a close has settled.

``restore_drafts`` asks once, at start-up, whether to reopen the forms left unsaved.

The transfer dialogs (AnswerDialog, TransferDialog) share the date helpers and ``dialog_buttons``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from sqlalchemy.exc import DBAPIError

from reception_desk.domain.enums import LabelledEnum
from reception_desk.services.drafts import Draft, DraftStore
from reception_desk.services.errors import UserError, ValidationError
from reception_desk.ui import dialogs
from reception_desk.ui.background import BackgroundOp, show_failure
from reception_desk.ui.citizen_picker import ERROR_STYLE

log = logging.getLogger(__name__)

DRAFT_INTERVAL_MS = 3000
DB_UNREADABLE = "Không đọc được cơ sở dữ liệu; thử lại sau."
RESTORE_SHOWN = 10  # drafts listed by name in the "restore?" question; the count covers the rest

FormT = TypeVar("FormT", bound=QWidget)


# --- dates --------------------------------------------------------------------------------------


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_edit(parent: QWidget, value: date) -> QDateEdit:
    """A dd/MM/yyyy date field with a calendar popup."""
    edit = QDateEdit(to_qdate(value), parent)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    return edit


# --- fields -------------------------------------------------------------------------------------


def enum_combo(parent: QWidget, name: str, choices: type[LabelledEnum], *, none: str | None = None) -> QComboBox:
    """A list of a code's Vietnamese labels (the code as item data), with ``none`` first when given."""
    combo = QComboBox(parent)
    combo.setObjectName(name)
    if none is not None:
        combo.addItem(none, None)
    for choice in choices:
        combo.addItem(choice.label, choice.value)
    return combo


def text_box(parent: QWidget, name: str, accessible: str, placeholder: str, *, heights: tuple[int, int]
             ) -> QPlainTextEdit:
    """A multi-line field: Enter starts a new line, Tab goes on to the next field (the placeholder says so)."""
    box = QPlainTextEdit(parent)
    box.setObjectName(name)
    box.setAccessibleName(accessible)
    box.setTabChangesFocus(True)
    box.setPlaceholderText(f"{placeholder} (Tab để sang ô tiếp theo)")
    box.setMinimumHeight(heights[0])
    box.setMaximumHeight(heights[1])
    return box


# --- dialogs ------------------------------------------------------------------------------------


def record_label(parent: QWidget, text: str) -> QLabel:
    """The dialog's first lines: what record it is about, as plain text (names may hold "<")."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def dialog_buttons(dialog: QDialog, save_text: str, save: Callable[[], None]) -> tuple[QDialogButtonBox, QPushButton]:
    """The save button (default, disabled until the record is read) and "Hủy"; Ctrl+Enter saves.

    More buttons may be added to the box afterwards: the box orders them by role, not by when they
    were added (position and Tab order alike)."""
    buttons = QDialogButtonBox(dialog)
    save_button = buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
    save_button.setObjectName("save")
    save_button.setDefault(True)
    save_button.setEnabled(False)
    cancel = buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
    cancel.setAutoDefault(False)
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    for keys in ("Ctrl+Return", "Ctrl+Enter"):
        QShortcut(QKeySequence(keys), dialog, activated=save)
    return buttons, save_button


def restore_drafts(parent: QWidget | None, store: DraftStore, drafts: Sequence[Draft],
                   open_form: Callable[[Draft], FormT], *, title: str, what: str, untitled: str) -> list[FormT]:
    """Ask once whether to reopen the forms left unsaved; show them, or discard their drafts.

    ``what`` names the records in the question ("lượt tiếp", "đơn"), ``untitled`` stands for a draft
    without a title, ``title`` is the question's window title."""
    if not drafts:
        return []
    listed = "\n".join(f"• {d.title or untitled} (lưu nháp lúc {d.saved_at.astimezone():%H:%M %d/%m/%Y})"
                       for d in drafts[:RESTORE_SHOWN])
    question = (f"Có {len(drafts)} {what} đang nhập dở chưa được lưu:\n{listed}\n\n"
                "Mở lại để nhập tiếp? (Chọn “Bỏ” sẽ xóa các bản nháp này.)")
    if not dialogs.ask_yes_no(parent, title, question, yes="Mở lại", no="Bỏ"):
        for draft in drafts:
            store.discard(draft.kind, draft.key)
        return []
    forms = []
    for draft in drafts:
        form = open_form(draft)
        form.show()
        forms.append(form)
    return forms


# --- the forms' base ----------------------------------------------------------------------------


class DeskForm(QDialog):
    """Base of a data-entry form that never loses what was typed; see the module docstring.

    A subclass calls ``_footer(name)`` while building (objects named ``{name}_errors``,
    ``{name}_save_state``, ``{name}_save``), calls ``self._draft_timer.start()`` once its fields
    are filled, calls ``_touched`` when a field changes, and defines ``save``, ``draft_data`` and
    ``draft_title``."""

    saved = Signal(object)  # the service's Saved… result, after the commit

    def __init__(self, parent: QWidget | None, *, noun: str, draft_kind: str, draft_key: str,
                 store: DraftStore | None, drafted_before_save: bool) -> None:
        super().__init__(parent)
        self._noun = noun  # "lượt tiếp", "đơn": the record in messages
        self._drafted_before_save = drafted_before_save  # the save writes the draft first: messages say so
        self._store = store or DraftStore()
        self._draft_kind = draft_kind
        self._draft_key = draft_key
        self._loading = False  # filling fields from a record/draft: not a change, no draft writes
        self._dirty = False  # changed since opened or saved
        self._draft_dirty = False  # changed since the last draft was written
        # Draft writes run on worker threads; the lock and flag keep a late write from bringing back
        # a draft that a successful save (or closing) has just settled.
        self._draft_lock = threading.Lock()
        self._finished = False
        self.saving = False
        self.result: Any = None
        self._draft_timer = QTimer(self)
        self._draft_timer.setInterval(DRAFT_INTERVAL_MS)
        self._draft_timer.timeout.connect(self.write_draft)

    # --- what a form defines ------------------------------------------------------------------
    # Declared, not defined: every form has its own (VisitForm, PetitionForm). Saving starts in the
    # background and ends in ``_save_failed`` or ``_finish_save``; the draft is the form as plain
    # JSON, named by one line in the "restore?" question.
    save: Callable[[], None]
    draft_data: Callable[[], dict[str, Any]]
    draft_title: Callable[[], str]

    def has_unsaved_input(self) -> bool:
        """Whether closing should offer to keep a draft."""
        return self._dirty

    # --- footer -------------------------------------------------------------------------------

    def _footer(self, name: str, *more_buttons: QPushButton) -> QHBoxLayout:
        """Build the error box, the save-state line and Lưu / Đóng, wired to save() and reject()."""
        self.errors = QLabel(self)
        self.errors.setObjectName(f"{name}_errors")
        self.errors.setWordWrap(True)
        self.errors.setStyleSheet(ERROR_STYLE)
        self.errors.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errors.hide()
        self.save_state = QLabel(self)
        self.save_state.setObjectName(f"{name}_save_state")
        self.save_state.setStyleSheet("color: #555;")
        self.save_button = QPushButton("&Lưu (Ctrl+S)", self)
        self.save_button.setObjectName(f"{name}_save")
        self.close_button = QPushButton("Đóng (Esc)", self)
        for button in (self.save_button, self.close_button, *more_buttons):
            # Enter moves to the next field; a default button would save a half-typed form.
            button.setAutoDefault(False)
            button.setDefault(False)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        for keys in (QKeySequence.StandardKey.Save, QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)
        row = QHBoxLayout()
        row.addWidget(self.save_state, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.close_button)
        return row

    # --- saving -------------------------------------------------------------------------------

    def _start_saving(self) -> None:
        self.saving = True
        self.save_button.setEnabled(False)
        self.save_state.setText("Đang lưu…")

    def _finish_save(self, result: object, state: str = "Đã lưu") -> None:
        """The record is committed: the draft goes, the form says so, emits ``saved`` and closes."""
        self.saving = False
        self.save_button.setEnabled(True)
        self._discard_draft()
        self._dirty = False
        self.errors.hide()
        self.save_state.setText(state)
        self.result = result
        self.saved.emit(result)
        self.done(QDialog.DialogCode.Accepted)

    def _save_failed(self, exc: BaseException) -> None:
        """Say why inside the form; every field keeps what was typed, so "Lưu" can simply be tried again."""
        self.saving = False
        self.save_button.setEnabled(True)
        self.save_state.setText("Chưa lưu")
        if isinstance(exc, ValidationError):
            self._show_errors(str(exc), exc.errors)
        elif isinstance(exc, UserError):  # a ConflictError too: its message names what the other desk changed
            self._show_errors(str(exc), [])
        elif isinstance(exc, DBAPIError):
            log.warning("Lưu %s thất bại: %s", self._noun, type(getattr(exc, "orig", exc)).__name__)
            drafted = " và đã được lưu nháp" if self._drafted_before_save else ""
            self._show_errors("Không ghi được vào cơ sở dữ liệu (mất kết nối, hoặc máy khác đang ghi). Nội dung "
                              f"đã nhập vẫn còn nguyên{drafted}; hãy thử lưu lại sau ít phút.", [])
        else:
            drafted = " và đã lưu nháp" if self._drafted_before_save else ""
            self._show_errors(f"Chưa lưu được do một lỗi không mong muốn; nội dung đã nhập vẫn còn{drafted}.", [])
            show_failure(self, exc, f"Không lưu được {self._noun}")

    def _show_errors(self, message: str, errors: Sequence[str]) -> None:
        self.errors.setText("\n".join([message, *(f"• {e}" for e in errors)]))
        self.errors.show()

    def _quiet_failure(self, exc: BaseException) -> None:
        """A helper read failed (a list, a title): say it in the form, do not interrupt typing."""
        if isinstance(exc, UserError | DBAPIError):
            self.save_state.setText(DB_UNREADABLE)
            return
        show_failure(self, exc)

    # --- drafts -------------------------------------------------------------------------------

    def _touched(self, *_args: object) -> None:
        if not self._loading:
            self._dirty = True
            self._draft_dirty = True

    def _draft_ready(self) -> bool:
        """Whether a periodic draft write may run now; a form may also wait for more (a save)."""
        return not self._loading

    def write_draft(self) -> None:
        """Write the draft if anything changed since the last one (off the GUI thread)."""
        if not self._draft_dirty or not self._draft_ready():
            return
        self._draft_dirty = False
        data, title = self.draft_data(), self.draft_title()
        BackgroundOp(self, lambda _p, _c: self._save_draft(data, title)).run_in_background()

    def _save_draft(self, data: dict[str, Any], title: str) -> None:
        """Any thread: write the draft unless the record was saved (or the form closed) meanwhile."""
        try:
            with self._draft_lock:
                if not self._finished:
                    self._store.save(self._draft_kind, self._draft_key, data, title)
        except (OSError, TypeError, ValueError) as exc:  # a full disk must not stop the save itself
            log.warning("Không lưu được bản nháp: %s", exc)

    def _keep_draft(self) -> None:
        """Synchronously, when the form goes away (a small file: a few milliseconds)."""
        self._draft_timer.stop()
        self._save_draft(self.draft_data(), self.draft_title())
        with self._draft_lock:
            self._finished = True  # closed: a periodic write still queued changes nothing
        self._draft_dirty = False

    def _discard_draft(self) -> None:
        with self._draft_lock:
            self._finished = True
        self._draft_timer.stop()
        try:
            self._store.discard(self._draft_kind, self._draft_key)
        except OSError as exc:
            log.warning("Không xóa được bản nháp: %s", exc)

    # --- closing ------------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc / Đóng: a form with unsaved input asks whether to keep it as a draft."""
        if self.saving:
            return  # the save is on its way; its answer decides
        if not self._finished:  # a draft already kept (closing the window) is not asked about again
            noun = self._noun[:1].upper() + self._noun[1:]
            keep = self.has_unsaved_input() and dialogs.ask_yes_no(
                self, f"Đóng {self._noun} chưa lưu",
                f"{noun} này chưa được lưu. Giữ lại bản nháp để nhập tiếp lần sau?", yes="Giữ bản nháp", no="Bỏ")
            self._keep_draft() if keep else self._discard_draft()
        self._dirty = False
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.saving:
            event.ignore()  # the save's answer (success or a message in the form) is still to come
            return
        super().closeEvent(event)
