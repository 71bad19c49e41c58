"""AnswerDialog: record the agency's answer to a transfer (ngày, số văn bản trả lời, kết quả).

Opens the transfer on a worker thread, remembers the version it read, and saves with it: when
another desk saved the same transfer meanwhile, the refusal message names what changed (from the
audit trail), the form keeps what the clerk typed and takes the new version, so a second "Lưu"
knowingly replaces the other desk's answer. "Xóa kết quả trả lời" puts the transfer back into the
queues (an answer recorded by mistake).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from reception_desk.services.errors import ConflictError
from reception_desk.services.transfers import TransferDetail, clear_answer, load_transfer, record_answer
from reception_desk.ui import dialogs
from reception_desk.ui.background import BackgroundOp, show_failure
from reception_desk.ui.form_support import date_edit, dialog_buttons, from_qdate, record_label, to_qdate
from reception_desk.ui.table_models import format_date, one_line
from reception_desk.ui.transfer_dialog import long_date

OVERDUE_STYLE = "color: #721c24; font-weight: bold;"


def transfer_summary(detail: TransferDetail, today: date) -> str:
    """What the transfer was: to whom, when, the due date and how late it is."""
    lines = [
        f"Đơn {detail.petition_kind_label.lower()} nhận ngày {format_date(detail.petition_received_on)}"
        f" — {detail.signers}",
        one_line(detail.petition_summary),
        f"Chuyển đến: {detail.agency_name}, ngày {format_date(detail.sent_on)}"
        + (f", số {detail.number}" if detail.number else ""),
    ]
    if detail.due_on:
        due = f"Hạn trả lời: {long_date(detail.due_on)}"
        if detail.overdue(today):
            due += f" — quá hạn {detail.days_overdue(today)} ngày"
        lines.append(due)
    if detail.note:
        lines.append(f"Ghi chú: {detail.note}")
    return "\n".join(line for line in lines if line)


class AnswerDialog(QDialog):
    """Record, correct or clear an agency's answer; emits ``saved(TransferDetail)``."""

    saved = Signal(object)
    loaded = Signal()

    def __init__(self, engine: Engine, transfer_id: uuid.UUID, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._transfer_id = transfer_id
        self._today = today or date.today()
        self._detail: TransferDetail | None = None
        self._busy = False
        self.setWindowTitle("Kết quả trả lời của cơ quan nhận đơn")
        self.setMinimumWidth(560)

        self.summary_label = record_label(self, "Đang đọc phiếu chuyển…")
        self.summary_label.setObjectName("transfer_summary")
        self.date_edit = date_edit(self, self._today)
        self.date_edit.setObjectName("answered_on")
        self.date_edit.setMaximumDate(to_qdate(self._today))
        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("answer_number")
        self.number_edit.setMaxLength(60)
        self.number_edit.setPlaceholderText("Số, ký hiệu văn bản trả lời (ví dụ 125/UBND-TD)")
        self.result_edit = QPlainTextEdit(self)
        self.result_edit.setObjectName("result")
        self.result_edit.setTabChangesFocus(True)
        self.result_edit.setPlaceholderText("Kết quả: đã thụ lý, đã giải quyết, trả lại đơn…")
        self.result_edit.setFixedHeight(self.fontMetrics().height() * 5)

        form = QFormLayout()
        form.addRow("Ngày trả lời:", self.date_edit)
        form.addRow("Số văn bản:", self.number_edit)
        form.addRow("Kết quả:", self.result_edit)

        self.buttons, self.save_button = dialog_buttons(self, "Lưu", self.save)
        self.clear_button: QPushButton = self.buttons.addButton(
            "Xóa kết quả trả lời", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.clear_button.setObjectName("clear")
        self.clear_button.setAutoDefault(False)
        self.clear_button.hide()
        self.clear_button.clicked.connect(self.clear)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.date_edit.setFocus()
        self._load(fill=True)

    @property
    def detail(self) -> TransferDetail | None:
        return self._detail

    def _load(self, *, fill: bool) -> None:
        engine, tid = self._engine, self._transfer_id
        (
            BackgroundOp(self, lambda _p, _c: load_transfer(engine, tid), error_title="Không mở được phiếu chuyển")
            .success(lambda detail: self._loaded(detail, fill))
            .run_in_background()
        )

    def _loaded(self, detail: TransferDetail, fill: bool) -> None:
        self._detail = detail
        text = transfer_summary(detail, self._today)
        if not fill and detail.answered:  # after a conflict: show the other desk's answer
            text += (f"\nĐã ghi ở bàn khác: ngày {format_date(detail.answered_on)}"
                     + (f", số {detail.answer_number}" if detail.answer_number else "")
                     + (f" — {one_line(detail.result)}" if detail.result else ""))
        self.summary_label.setText(text)
        self.summary_label.setStyleSheet(OVERDUE_STYLE if detail.overdue(self._today) else "")
        self.date_edit.setMinimumDate(to_qdate(min(detail.sent_on, self._today)))
        if fill:
            self.date_edit.setDate(to_qdate(detail.answered_on or self._today))
            self.number_edit.setText(detail.answer_number or "")
            self.result_edit.setPlainText(detail.result or "")
        self.clear_button.setVisible(detail.answered)
        self.save_button.setEnabled(not self._busy)
        self.loaded.emit()

    def _run(self, task: Any, label: str) -> None:
        self._busy = True
        self.save_button.setEnabled(False)
        self.clear_button.setEnabled(False)
        (
            BackgroundOp(self, task, writes=True, error_title=label)
            .success(self._saved)
            .failure(lambda exc: self._failed(exc, label))
            .run_in_background()
        )

    def save(self) -> None:
        detail = self._detail
        if detail is None or self._busy:
            return
        engine, tid, version, today = self._engine, detail.id, detail.version, self._today
        answered = from_qdate(self.date_edit.date())
        number, result = self.number_edit.text(), self.result_edit.toPlainText()
        self._run(lambda _p, _c: record_answer(engine, tid, version, answered, number or None, result or None,
                                               today=today), "Chưa ghi được kết quả trả lời")

    def clear(self) -> None:
        detail = self._detail
        if detail is None or self._busy or not detail.answered:
            return
        if not dialogs.ask_yes_no(self, "Xóa kết quả trả lời",
                                  "Xóa kết quả trả lời đã ghi? Phiếu chuyển sẽ trở lại danh sách chờ trả lời.",
                                  yes="Xóa", no="Không xóa"):
            return
        engine, tid, version = self._engine, detail.id, detail.version
        self._run(lambda _p, _c: clear_answer(engine, tid, version), "Chưa xóa được kết quả trả lời")

    def _saved(self, detail: TransferDetail) -> None:
        self._busy = False
        self._detail = detail
        self.saved.emit(detail)
        self.accept()

    def _failed(self, exc: BaseException, title: str) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self.clear_button.setEnabled(True)
        show_failure(self, exc, title)
        if isinstance(exc, ConflictError):  # take the new version, keep what was typed
            self._load(fill=False)
