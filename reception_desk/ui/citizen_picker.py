"""CitizenPicker: choose a citizen by typing part of a name (accents optional), an ID number or a phone.

Use::

    picker = CitizenPicker(parent, engine=engine)          # or picker.set_engine(engine) later
    picker.citizenChosen.connect(on_citizen)                # CitizenHit / SavedCitizen, or None

- Typing searches (debounced SEARCH_DEBOUNCE_MS, on a background thread, stale answers dropped)
  and shows a list under the field: name, birth year, ID, phone, address and earlier cases.
- Up/Down move in the list, Enter (or a click) picks, Escape closes it. The last row, or Ctrl+Enter
  at any time, "+ Công dân mới…", opens a small dialog that creates the citizen (ID number checked
  as typed: errors block, odd numbers only warn) and picks it.
- ``keep_choice=True`` (a single person, e.g. the visitor): the field then shows the chosen name;
  editing it drops the choice and emits ``citizenChosen(None)``. ``keep_choice=False`` (adding
  people to a list, e.g. the signers of a petition): the field is emptied after each pick.
- Warnings about a citizen just created (odd ID number, same number as another person) are shown
  under the field (``warning_text()``), never as a blocking box.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from reception_desk.domain.ids import check_id_number
from reception_desk.domain.text import fold
from reception_desk.services.citizens import (
    CitizenHit,
    CitizenInput,
    SavedCitizen,
    create_citizen,
    lookup_citizens,
)
from reception_desk.services.errors import ValidationError
from reception_desk.ui.background import BackgroundOp, show_failure

SEARCH_DEBOUNCE_MS = 150
RESULT_LIMIT = 15
NEW_CITIZEN_TEXT = "+ Công dân mới…"
_HIT_ROLE = Qt.ItemDataRole.UserRole
_NEW = "new"
WARNING_STYLE = "color: #8a5300;"
ERROR_STYLE = "color: #b00020;"


def hit_text(hit: CitizenHit) -> str:
    """Two lines for the list: who, then where from and which cases."""
    first = hit.summary()
    extra = []
    if hit.cases:
        extra.append("Vụ việc: " + hit.cases_summary())
    if hit.refused_k3:
        extra.append("⚠ đã từng bị từ chối tiếp (Điều 9 khoản 3)")
    return first + ("\n    " + " — ".join(extra) if extra else "")


class _Popup(QFrame):
    """The result list, floating under the field without taking the keyboard from it."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner, Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFrameShape(QFrame.Shape.Box)
        self.list = QListWidget(self)
        self.list.setObjectName("citizen_results")
        self.list.setAccessibleName("Công dân tìm được")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setWordWrap(False)
        self.list.setUniformItemSizes(False)
        self.status = QLabel(self)
        self.status.setObjectName("citizen_search_status")
        self.status.setContentsMargins(6, 2, 6, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.status)
        layout.addWidget(self.list)


class CitizenPicker(QWidget):
    """A search field with a drop-down of matching citizens; see the module docstring."""

    citizenChosen = Signal(object)  # noqa: N815 - Qt naming; CitizenHit | SavedCitizen | None

    def __init__(self, parent: QWidget | None = None, *, engine: Engine | None = None, keep_choice: bool = True,
                 allow_create: bool = True, placeholder: str | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._keep_choice = keep_choice
        self._allow_create = allow_create
        self._chosen: CitizenHit | None = None
        self._generation = 0
        self._query = ""
        self.searching = False
        self.new_dialog: NewCitizenDialog | None = None
        self.edit = QLineEdit(self)
        self.edit.setObjectName("citizen_search")
        self.edit.setAccessibleName("Tìm công dân")
        self.edit.setPlaceholderText(placeholder or "Gõ họ tên (không dấu cũng được), số giấy tờ hoặc số điện thoại…")
        self.edit.setClearButtonEnabled(True)
        self.edit.textEdited.connect(self._edited)
        self.edit.installEventFilter(self)
        self.setFocusProxy(self.edit)
        self.warning = QLabel(self)
        self.warning.setObjectName("citizen_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.warning)
        self.popup = _Popup(self)
        self.popup.list.itemClicked.connect(self._clicked)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self._search)

    # --- public API ---------------------------------------------------------------------------

    def set_engine(self, engine: Engine | None) -> None:
        self._engine = engine

    def chosen(self) -> CitizenHit | None:
        return self._chosen

    def set_chosen(self, hit: CitizenHit | None) -> None:
        """Show ``hit`` as the choice (e.g. a draft or a visit being edited) without emitting."""
        self._chosen = hit
        self.edit.setText(hit.full_name if hit is not None and self._keep_choice else "")
        self._set_warning("")

    def clear(self) -> None:
        self._chosen = None
        self.edit.clear()
        self._set_warning("")
        self.hide_popup()

    def warning_text(self) -> str:
        return self.warning.text() if not self.warning.isHidden() else ""

    def results(self) -> list[CitizenHit]:
        """The hits now listed (tests, and a caller that wants to show them elsewhere)."""
        out = []
        for row in range(self.popup.list.count()):
            value = self.popup.list.item(row).data(_HIT_ROLE)
            if isinstance(value, CitizenHit):
                out.append(value)
        return out

    def popup_visible(self) -> bool:
        return self.popup.isVisible()

    def hide_popup(self) -> None:
        self.popup.hide()

    def open_new_citizen(self) -> NewCitizenDialog:
        """The "+ Công dân mới…" dialog, prefilled from what was typed (non-modal: open())."""
        self.hide_popup()
        dialog = NewCitizenDialog(self, self._engine, self.edit.text())
        dialog.saved.connect(self._created)
        self.new_dialog = dialog
        dialog.open()
        return dialog

    # --- searching ----------------------------------------------------------------------------

    def _edited(self, text: str) -> None:
        if self._chosen is not None:
            self._chosen = None
            self.citizenChosen.emit(None)
        self._set_warning("")
        self._timer.start()

    def _search(self) -> None:
        text = self.edit.text().strip()
        self._generation += 1
        generation = self._generation
        self._query = text
        if not fold(text) or self._engine is None:
            self.searching = False
            self._show([], "")
            if not fold(text):
                self.hide_popup()
            return
        engine = self._engine
        self.searching = True
        if not self.popup_visible():
            self._show([], "Đang tìm…")

        def found(hits: list[CitizenHit]) -> None:
            if generation != self._generation:
                return  # the clerk typed on meanwhile: a newer search is coming
            self.searching = False
            status = "" if hits else f"Không thấy công dân nào khớp “{text}”."
            self._show(hits, status)

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self.searching = False
            if isinstance(exc, ValidationError):
                self._show([], str(exc))
                return
            self._show([], "Không tìm được (lỗi cơ sở dữ liệu).")
            show_failure(self, exc, "Không tìm được công dân")

        BackgroundOp(self, lambda _p, _c: lookup_citizens(engine, text, RESULT_LIMIT)).success(found).failure(
            failed).run_in_background()

    def _show(self, hits: list[CitizenHit], status: str) -> None:
        items = self.popup.list
        items.clear()
        for hit in hits:
            item = QListWidgetItem(hit_text(hit))
            item.setData(_HIT_ROLE, hit)
            item.setToolTip(hit_text(hit))
            items.addItem(item)
        if self._allow_create and self._engine is not None:
            item = QListWidgetItem(NEW_CITIZEN_TEXT + "   (Ctrl+Enter)")
            item.setData(_HIT_ROLE, _NEW)
            items.addItem(item)
        if items.count():
            items.setCurrentRow(0)
        self.popup.status.setText(status)
        self.popup.status.setVisible(bool(status))
        if self.edit.hasFocus() or hits or status:
            self._place_popup()

    def _place_popup(self) -> None:
        if not self.isVisible():
            return
        width = max(self.edit.width(), 560)
        rows = self.popup.list.count()
        row_height = max(self.popup.list.sizeHintForRow(0), self.fontMetrics().height() + 4) if rows else 0
        height = min(rows, 8) * row_height + 2 * self.popup.list.frameWidth() + 4
        if not self.popup.status.isHidden():
            height += self.popup.status.sizeHint().height()
        self.popup.resize(width, max(height, 24))
        self.popup.move(self.edit.mapToGlobal(QPoint(0, self.edit.height())))
        self.popup.show()

    # --- picking ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.edit:
            if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
                return self._key(event)
            if event.type() == QEvent.Type.FocusOut:
                QTimer.singleShot(0, self._hide_if_unfocused)
        return super().eventFilter(watched, event)

    def _hide_if_unfocused(self) -> None:
        if not self.edit.hasFocus():
            self.hide_popup()

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        items = self.popup.list
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier and self._allow_create:
            self.open_new_citizen()
            return True
        if not self.popup_visible():
            if key == Qt.Key.Key_Down and self.edit.text().strip():
                self._timer.stop()
                self._search()
                return True
            return False
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            if items.count():
                step = 1 if key == Qt.Key.Key_Down else -1
                items.setCurrentRow(max(0, min(items.count() - 1, items.currentRow() + step)))
            return True
        if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            if items.count():
                step = 5 if key == Qt.Key.Key_PageDown else -5
                items.setCurrentRow(max(0, min(items.count() - 1, items.currentRow() + step)))
            return True
        if enter:
            item = items.currentItem()
            if item is not None:
                self._pick(item)
                return True
            return False
        if key == Qt.Key.Key_Escape:
            self.hide_popup()
            return True
        return False

    def _clicked(self, item: QListWidgetItem) -> None:
        self._pick(item)

    def _pick(self, item: QListWidgetItem) -> None:
        value: Any = item.data(_HIT_ROLE)
        if value == _NEW:
            self.open_new_citizen()
            return
        if isinstance(value, CitizenHit):
            self._choose(value)

    def _choose(self, hit: CitizenHit) -> None:
        self.hide_popup()
        self.popup.list.clear()  # the next search starts from an empty list, never stale hits
        self._timer.stop()
        self._generation += 1  # a search still running must not reopen the list
        self._chosen = hit if self._keep_choice else None
        self.edit.setText(hit.full_name if self._keep_choice else "")
        warnings = getattr(hit, "warnings", ())
        self._set_warning("\n".join(warnings))
        self.citizenChosen.emit(hit)

    def _created(self, saved: SavedCitizen) -> None:
        self._choose(saved)
        self.edit.setFocus()

    def _set_warning(self, text: str) -> None:
        self.warning.setText(text)
        self.warning.setVisible(bool(text))


class NewCitizenDialog(QDialog):
    """A new citizen in a few fields; saved in the background, the typed text kept on any error."""

    saved = Signal(object)  # SavedCitizen

    def __init__(self, parent: QWidget | None, engine: Engine | None, typed: str = "") -> None:
        super().__init__(parent)
        self._engine = engine
        self.saving = False
        self.setWindowTitle("Thêm công dân mới")
        self.setMinimumWidth(480)
        self.name = QLineEdit(self)
        self.name.setObjectName("new_citizen_name")
        self.id_number = QLineEdit(self)
        self.id_number.setObjectName("new_citizen_id")
        self.birth_year = QSpinBox(self)
        self.birth_year.setObjectName("new_citizen_birth_year")
        self.birth_year.setRange(0, 2100)
        self.birth_year.setSpecialValueText("(không rõ)")
        self.birth_year.setValue(0)
        self.gender = QComboBox(self)
        self.gender.setObjectName("new_citizen_gender")
        self.gender.addItem("(không ghi)", None)
        self.gender.addItem("Nam", "nam")
        self.gender.addItem("Nữ", "nữ")
        self.phone = QLineEdit(self)
        self.phone.setObjectName("new_citizen_phone")
        self.address = QLineEdit(self)
        self.address.setObjectName("new_citizen_address")
        self.check = QLabel(self)
        self.check.setObjectName("new_citizen_check")
        self.check.setWordWrap(True)
        self.check.setStyleSheet(WARNING_STYLE)
        self.errors = QLabel(self)
        self.errors.setObjectName("new_citizen_errors")
        self.errors.setWordWrap(True)
        self.errors.setStyleSheet(ERROR_STYLE)
        self.errors.hide()
        form = QFormLayout()
        form.addRow("&Họ tên:", self.name)
        form.addRow("Số &giấy tờ (CCCD/CMND/hộ chiếu):", self.id_number)
        form.addRow("", self.check)
        form.addRow("&Năm sinh:", self.birth_year)
        form.addRow("Giới &tính:", self.gender)
        form.addRow("Số điện th&oại:", self.phone)
        form.addRow("Đị&a chỉ:", self.address)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("&Lưu và chọn", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors)
        layout.addWidget(self.buttons)
        for widget in (self.id_number,):
            widget.textChanged.connect(self._check_id)
        self.birth_year.valueChanged.connect(self._check_id)
        self.gender.currentIndexChanged.connect(self._check_id)
        self._prefill(typed.strip())
        self._check_id()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        # Enter saves from any field, whichever button last had the focus.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~(
                Qt.KeyboardModifier.KeypadModifier):
            self.save()
            return
        super().keyPressEvent(event)

    def _prefill(self, typed: str) -> None:
        compact = "".join(ch for ch in typed if ch not in " .-()+")
        if compact.isdigit() and compact.startswith("0") and len(compact) in (10, 11):
            self.phone.setText(typed)  # a mobile number (0 + 9 digits) rather than an ID
        elif compact and any(ch.isdigit() for ch in compact):
            self.id_number.setText(typed)
        else:
            self.name.setText(typed)

    def citizen_input(self) -> CitizenInput:
        return CitizenInput(
            full_name=self.name.text(),
            id_number=self.id_number.text() or None,
            birth_year=self.birth_year.value() or None,
            gender=self.gender.currentData(),
            phone=self.phone.text() or None,
            address=self.address.text() or None,
        )

    def _check_id(self) -> None:
        number = self.id_number.text().strip()
        if not number:
            self.check.setText("")
            self.check.hide()
            return
        result = check_id_number(number, sex=self.gender.currentData(), birth_year=self.birth_year.value() or None)
        lines = [f"✖ {m}" for m in result.errors] + [f"⚠ {m}" for m in result.warnings]
        if not lines:
            where = f", nơi đăng ký khai sinh: {result.province}" if result.province else ""
            born = f", năm sinh {result.birth_year}" if result.birth_year else ""
            lines = [f"✔ {result.id_type.label}{where}{born}"]
        self.check.setStyleSheet(ERROR_STYLE if result.errors else WARNING_STYLE)
        self.check.setText("\n".join(lines))
        self.check.show()

    def save(self) -> None:
        if self.saving:
            return
        if self._engine is None:
            self._show_errors("Chưa mở cơ sở dữ liệu.", [])
            return
        engine = self._engine
        data = self.citizen_input()
        self.saving = True
        self.save_button.setEnabled(False)

        def done(saved: SavedCitizen) -> None:
            self.saving = False
            self.save_button.setEnabled(True)
            self.saved.emit(saved)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.saving = False
            self.save_button.setEnabled(True)
            if isinstance(exc, ValidationError):
                self._show_errors(str(exc), exc.errors)
                return
            self._show_errors("Chưa lưu được công dân; nội dung đã nhập vẫn còn, hãy thử lại.", [])
            show_failure(self, exc, "Không lưu được công dân")

        BackgroundOp(self, lambda _p, _c: create_citizen(engine, data), writes=True).success(done).failure(
            failed).run_in_background()

    def _show_errors(self, message: str, errors: list[str]) -> None:
        self.errors.setText("\n".join([message, *errors]))
        self.errors.show()
