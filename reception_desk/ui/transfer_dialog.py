"""TransferDialog: send a petition to one or several agencies of the directory (chuyển đơn).

Keyboard use, in the order of the form: type the beginnings of words of an agency's name (accents
optional, e.g. "ubnd tan loi") in the filter, Enter ticks the first match and empties the filter
for the next agency (Down goes into the list, Space ticks or unticks there); Tab to the date (the
due date and its legal basis follow as the date changes), the optional letter number and note;
Enter or Ctrl+Enter saves. Agencies that already hold an unanswered transfer of the petition are
shown but cannot be ticked.

"In phiếu chuyển đơn" (ticked when the letterhead settings are complete) and "Gửi thông báo cho
người gửi đơn" issue the forwarding letters and the notice in the same transaction as the transfer
(services.transfers.transfer_petition): if a letter cannot be issued, nothing is saved, the form
keeps what was typed and says why (offering Cài đặt when the letterhead is incomplete). Once
saved, the letters open in the preview (ui.letter_preview).

Reading and saving run through ui.background; a refused save (ValidationError, ConflictError)
shows the Vietnamese message and keeps everything typed.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from reception_desk.domain.letters import LetterKind
from reception_desk.domain.text import fold
from reception_desk.services.errors import ConflictError
from reception_desk.services.settings import OfficeSettings, load_office_settings
from reception_desk.services.transfers import (
    SavedTransfer,
    TransferContext,
    transfer_context,
    transfer_petition,
)
from reception_desk.ui.background import BackgroundOp, show_failure
from reception_desk.ui.form_support import date_edit, dialog_buttons, from_qdate, record_label, to_qdate
from reception_desk.ui.letter_preview import letterhead_missing, offer_settings, show_preview
from reception_desk.ui.settings_dialog import SettingsDialog
from reception_desk.ui.table_models import format_date, one_line

_ID_ROLE = Qt.ItemDataRole.UserRole
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
WARNING_STYLE = "color: #8a5300;"
DUE_STYLE = "font-weight: bold;"


def long_date(value: date | None) -> str:
    """"thứ Sáu, 07/02/2025"."""
    return f"{WEEKDAYS[value.weekday()]}, {format_date(value)}" if value else ""


class TransferDialog(QDialog):
    """Transfer one petition; emits ``saved(list[SavedTransfer])`` and closes when it is written."""

    saved = Signal(object)
    loaded = Signal()

    def __init__(self, engine: Engine, petition_id: uuid.UUID, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._petition_id = petition_id
        self._today = today or date.today()
        self._context: TransferContext | None = None
        self._saving = False
        self.preview: QDialog | None = None  # the letters' preview opened after the save
        self.setWindowTitle("Chuyển đơn")
        self.setMinimumSize(680, 620)  # room for the list and a two-line warning without squeezing

        self.petition_label = record_label(self, "Đang đọc đơn…")

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("agency_filter")
        self.filter_edit.setPlaceholderText("Gõ tên cơ quan (không cần dấu), Enter để chọn…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.filter_edit.installEventFilter(self)
        self.agency_list = QListWidget(self)
        self.agency_list.setObjectName("agency_list")
        self.agency_list.setAccessibleName("Cơ quan nhận đơn")
        self.agency_list.setMinimumHeight(180)
        self.agency_list.itemChanged.connect(self._chosen_changed)
        self.chosen_label = QLabel("Chưa chọn cơ quan nào.", self)
        self.chosen_label.setObjectName("chosen_label")
        self.chosen_label.setWordWrap(True)

        self.date_edit = date_edit(self, self._today)
        self.date_edit.setObjectName("sent_on")
        self.date_edit.setMaximumDate(to_qdate(self._today))
        self.date_edit.dateChanged.connect(self._update_due)
        self.due_label = QLabel("", self)
        self.due_label.setObjectName("due_label")
        self.due_label.setStyleSheet(DUE_STYLE)
        self.basis_label = QLabel("", self)
        self.basis_label.setObjectName("basis_label")
        self.basis_label.setWordWrap(True)
        self.warning_label = QLabel("", self)
        self.warning_label.setObjectName("warning_label")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(WARNING_STYLE)
        self.warning_label.hide()
        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("number")
        self.number_edit.setPlaceholderText("Để trống nếu chưa có số (cấp khi in phiếu chuyển)")
        self.number_edit.setMaxLength(60)
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("note")
        self.note_edit.setMaxLength(2000)
        self.print_box = QCheckBox("&In phiếu chuyển đơn", self)
        self.print_box.setObjectName("issue_letters")
        self.print_box.setChecked(True)
        self._letters_chosen = False  # the clerk clicked a letter box: the settings' answer leaves it be
        self.print_box.clicked.connect(self._letters_touched)
        self.print_box.setToolTip("Cấp số và lập phiếu chuyển đơn cho từng cơ quan cùng lúc chuyển đơn")
        self.notify_box = QCheckBox("&Gửi thông báo cho người gửi đơn", self)
        self.notify_box.setObjectName("notify_petitioner")
        self.letterhead_label = QLabel("", self)
        self.letterhead_label.setObjectName("letterhead_label")
        self.letterhead_label.setWordWrap(True)
        self.letterhead_label.setStyleSheet(WARNING_STYLE)
        self.settings_button = QPushButton("Mở Cài đặt…", self)
        self.settings_button.setObjectName("open_settings")
        self.settings_button.setAutoDefault(False)
        self.settings_button.clicked.connect(self._open_settings)
        self.letterhead_label.hide()
        self.settings_button.hide()
        letter_row = QHBoxLayout()
        letter_row.addWidget(self.print_box)
        letter_row.addWidget(self.notify_box)
        letter_row.addStretch(1)
        letterhead_row = QHBoxLayout()
        letterhead_row.addWidget(self.letterhead_label, 1)
        letterhead_row.addWidget(self.settings_button)

        form = QFormLayout()
        form.addRow("Tìm cơ quan:", self.filter_edit)
        form.addRow("Cơ quan nhận:", self.agency_list)
        form.addRow("", self.chosen_label)
        form.addRow("Ngày chuyển:", self.date_edit)
        form.addRow("Hạn trả lời:", self.due_label)
        form.addRow("", self.basis_label)
        form.addRow("", self.warning_label)
        form.addRow("Số văn bản:", self.number_edit)
        form.addRow("Ghi chú:", self.note_edit)
        form.addRow("Văn bản:", letter_row)
        form.addRow("", letterhead_row)

        self.buttons, self.save_button = dialog_buttons(self, "Chuyển đơn", self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(self.petition_label)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setTabOrder(self.filter_edit, self.agency_list)
        self.setTabOrder(self.agency_list, self.date_edit)
        self.setTabOrder(self.date_edit, self.number_edit)
        self.setTabOrder(self.number_edit, self.note_edit)
        self.setTabOrder(self.note_edit, self.print_box)
        self.setTabOrder(self.print_box, self.notify_box)
        self.filter_edit.setFocus()
        self._load()
        self._check_letterhead()

    # --- loading ------------------------------------------------------------------------------

    @property
    def context(self) -> TransferContext | None:
        return self._context

    def _load(self, keep: set[uuid.UUID] | None = None) -> None:
        engine, petition_id = self._engine, self._petition_id
        (
            BackgroundOp(self, lambda _p, _c: transfer_context(engine, petition_id), error_title="Không mở được đơn")
            .success(lambda context: self._loaded(context, keep or set()))
            .run_in_background()
        )

    def _loaded(self, context: TransferContext, keep: set[uuid.UUID]) -> None:
        self._context = context
        p = context.petition
        self.petition_label.setText(
            f"Đơn {p.kind_label.lower()} nhận ngày {format_date(p.received_on)} — {p.signers}\n"
            + one_line(p.summary)
        )
        self.date_edit.setMinimumDate(to_qdate(min(p.received_on, self._today)))
        self.agency_list.blockSignals(True)
        self.agency_list.clear()
        for agency in context.agencies:
            text = agency.name
            item = QListWidgetItem(self.agency_list)
            item.setData(_ID_ROLE, agency.id)
            if agency.pending_since is not None:
                text += f" — đang chờ trả lời (chuyển ngày {format_date(agency.pending_since)})"
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            else:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if agency.id in keep else Qt.CheckState.Unchecked)
            item.setText(text)
            item.setData(Qt.ItemDataRole.UserRole + 1, fold(agency.name))
        self.agency_list.blockSignals(False)
        self._apply_filter(self.filter_edit.text())
        self._chosen_changed()
        self._update_due()
        self.loaded.emit()

    def _check_letterhead(self) -> None:
        engine = self._engine
        BackgroundOp(self, lambda _p, _c: load_office_settings(engine)).success(self._letterhead_read) \
            .run_in_background()

    def _letterhead_read(self, office: OfficeSettings) -> None:
        """Without a complete letterhead no letter can be issued: untick and say where to fix it."""
        complete = office.is_complete
        if not self._letters_chosen:
            self.print_box.setChecked(complete)
        self.letterhead_label.setText("" if complete else
                                      "Chưa đủ thông tin cơ quan (Cài đặt → Cơ quan) nên chưa in được phiếu chuyển "
                                      "đơn; đơn vẫn chuyển được, phiếu in sau (Văn bản → In lại phiếu chuyển).")
        self.letterhead_label.setVisible(not complete)
        self.settings_button.setVisible(not complete)

    def _letterhead_saved(self, office: OfficeSettings) -> None:
        self._letters_chosen = False  # the clerk completed the letterhead to print: tick the box
        self._letterhead_read(office)

    def _letters_touched(self) -> None:
        self._letters_chosen = True

    def _open_settings(self) -> None:
        dialog = SettingsDialog(self._engine, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.settings_saved.connect(self._letterhead_saved)
        dialog.show()

    # --- agencies -----------------------------------------------------------------------------

    def _items(self) -> list[QListWidgetItem]:
        return [self.agency_list.item(n) for n in range(self.agency_list.count())]

    def _apply_filter(self, text: str) -> None:
        words = fold(text).split()
        first: QListWidgetItem | None = None
        for item in self._items():
            # Each typed word begins a word of the name: "cong an" finds "Công an tỉnh", not
            # "Ban Tiếp công dân" (whose "dân" merely contains "an").
            key = str(item.data(Qt.ItemDataRole.UserRole + 1) or "").split()
            hidden = not all(any(part.startswith(word) for part in key) for word in words)
            item.setHidden(hidden)
            if not hidden and first is None and item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                first = item
        if first is not None:
            self.agency_list.setCurrentItem(first)

    def chosen_ids(self) -> list[uuid.UUID]:
        return [item.data(_ID_ROLE) for item in self._items() if item.checkState() == Qt.CheckState.Checked]

    def _chosen_changed(self, _item: QListWidgetItem | None = None) -> None:
        names = [item.text() for item in self._items() if item.checkState() == Qt.CheckState.Checked]
        self.chosen_label.setText("Đã chọn: " + "; ".join(names) if names else "Chưa chọn cơ quan nào.")
        self.save_button.setEnabled(bool(names) and self._context is not None and not self._saving)

    def _tick_current(self) -> None:
        """Enter in the filter: tick the highlighted match and get ready for the next name."""
        item = self.agency_list.currentItem()
        if item is None or item.isHidden() or not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)
        self.filter_edit.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.filter_edit and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                    return False  # Ctrl+Enter: the save shortcut
                if self.filter_edit.text().strip():
                    self._tick_current()
                    return True  # do not let the dialog's default button see it
                return False  # an empty filter: Enter saves, like everywhere else in the form
            if key == Qt.Key.Key_Down:
                self.agency_list.setFocus()
                return True
        return super().eventFilter(watched, event)

    # --- the due date -------------------------------------------------------------------------

    def sent_on(self) -> date:
        return from_qdate(self.date_edit.date())

    def _update_due(self) -> None:
        context = self._context
        if context is None:
            return
        sent = self.sent_on()
        due = context.due_on(sent)
        self.due_label.setText(long_date(due) if due else "(không có)")
        self.basis_label.setText(context.basis_text())
        warning = context.late_warning(sent)
        self.warning_label.setText(warning or "")
        self.warning_label.setVisible(bool(warning))

    # --- saving -------------------------------------------------------------------------------

    def save(self) -> None:
        context = self._context
        ids = self.chosen_ids()
        if context is None or self._saving or not ids:
            return
        self._saving = True
        self.save_button.setEnabled(False)
        engine, petition_id = self._engine, self._petition_id
        sent, number, note = self.sent_on(), self.number_edit.text(), self.note_edit.text()
        version, today = context.petition.version, self._today
        issue, notify = self.print_box.isChecked(), self.notify_box.isChecked()

        def task(_progress: Any, _cancel: Any) -> list[SavedTransfer]:
            return transfer_petition(engine, petition_id, ids, sent, number=number or None, note=note or None,
                                     petition_version=version, today=today, issue_letters=issue,
                                     notify_petitioner=notify)

        (
            BackgroundOp(self, task, writes=True, error_title="Chưa chuyển được đơn")
            .success(self._saved)
            .failure(self._failed)
            .run_in_background()
        )

    def _saved(self, result: list[SavedTransfer]) -> None:
        self._saving = False
        self.saved.emit(result)
        # forwarding letters in the order of the agencies, then the notice (one preview, one print)
        issued = [x for s in result for x in s.letters]
        issued = [x for x in issued if x.kind is LetterKind.FORWARDING] + \
                 [x for x in issued if x.kind is not LetterKind.FORWARDING]
        if issued:
            self.preview = show_preview(self.parentWidget(), self._engine, letters=issued)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        self._chosen_changed()
        if letterhead_missing(exc):
            offer_settings(self, self._engine, "Chưa đủ thông tin cơ quan để in phiếu chuyển đơn "
                           f"({', '.join(getattr(exc, 'errors', []) or [])}), nên đơn CHƯA được chuyển: "
                           "chưa ghi gì vào sổ. Điền thông tin trong Cài đặt → Cơ quan rồi bấm “Chuyển đơn” "
                           "lại, hoặc bỏ chọn “In phiếu chuyển đơn” để chuyển đơn và in phiếu sau.",
                           "Chưa chuyển được đơn")
            return
        show_failure(self, exc, "Chưa chuyển được đơn")
        if isinstance(exc, ConflictError):  # read the petition again; the ticks and fields stay
            self._load(set(self.chosen_ids()))
