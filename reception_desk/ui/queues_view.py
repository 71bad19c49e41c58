"""QueuesView: the follow-up queues of transfers (Theo dõi chuyển đơn).

A tab per queue with its count (services.queues: due within five working days, overdue, waiting
for an answer), an agency filter listing every agency with waiting transfers (most overdue first,
with its counts), and a lazy table that pages through the queue on a worker thread like
ui.table_models.LazyListModel. Overdue rows stand out three ways: pale red background, bold dark
red text, and a "Tình trạng" cell that says "quá hạn N ngày" (colour is never the only signal).

Double-click (or Enter) on a row opens its case through ``openCase(case_id)``; a petition not
attached to a case opens the answer form instead. "Ghi kết quả trả lời…" (Ctrl+R) records the
agency's answer for the selected row; "Văn bản đôn đốc…" issues a chase letter to the agency (asking
first when the row is not overdue yet) and "In lại phiếu chuyển" shows its forwarding letter
(ui.letter_preview). Counts and rows reload after every successful write
(ui.background.changes) and on F5.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabBar,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy import Engine

from reception_desk.services import queues
from reception_desk.services.queues import (
    QUEUE_LABELS,
    QUEUES,
    QueueCounts,
    QueueCursor,
    QueueName,
    QueuePage,
    QueueRow,
)
from reception_desk.ui import background
from reception_desk.ui.answer_dialog import AnswerDialog
from reception_desk.ui.background import BackgroundOp
from reception_desk.ui.letter_preview import chase_transfer, reprint_forwarding
from reception_desk.ui.table_models import (
    OVERDUE_BACKGROUND,
    OVERDUE_FOREGROUND,
    PagedTableModel,
    format_date,
    one_line,
)
from reception_desk.ui.tables import record_table

DUE_TODAY_BACKGROUND = QColor("#fff3cd")  # amber: the last day to answer
DUE_TODAY_FOREGROUND = QColor("#664d03")
_Index = QModelIndex | QPersistentModelIndex


def format_count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def status_text(row: QueueRow, today: date) -> str:
    if row.overdue:
        return f"quá hạn {row.days_overdue} ngày"
    if row.due_on is None:
        return "chưa có hạn"
    days = (row.due_on - today).days
    return "đến hạn hôm nay" if days == 0 else f"còn {days} ngày"


@dataclass(frozen=True)
class _Column:
    header: str
    text: Callable[[QueueRow, date], str]
    full_text: Callable[[QueueRow], str | None] | None = None


COLUMNS: tuple[_Column, ...] = (
    _Column("Tình trạng", status_text),
    _Column("Hạn trả lời", lambda r, _t: format_date(r.due_on)),
    _Column("Cơ quan nhận", lambda r, _t: r.agency_name),
    _Column("Ngày chuyển", lambda r, _t: format_date(r.sent_on)),
    _Column("Số văn bản", lambda r, _t: r.number or ""),
    _Column("Ngày nhận đơn", lambda r, _t: format_date(r.received_on)),
    _Column("Loại đơn", lambda r, _t: r.kind_label),
    _Column("Người đứng đơn", lambda r, _t: r.signers),
    _Column("Nội dung tóm tắt", lambda r, _t: one_line(r.summary), lambda r: r.summary),
)
_WIDTHS = (15, 11, 40, 11, 12, 12, 10, 22)


class QueueModel(PagedTableModel):
    """One queue (optionally one agency), fetched page by page as the user scrolls."""

    def __init__(self, engine: Engine, parent: QObject | None = None, *, today: date | None = None,
                 page_size: int = queues.PAGE_SIZE) -> None:
        super().__init__(engine, COLUMNS, parent, page_size=page_size)
        self._today = today
        self.queue: QueueName = "overdue"
        self.agency_id: uuid.UUID | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def today(self) -> date:
        return self._today or date.today()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row, self.today)
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.overdue:
                return f"Quá hạn {row.days_overdue} ngày mà chưa có văn bản trả lời"
            return column.full_text(row) if column.full_text else None
        due_today = row.due_on == self.today
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.overdue:
                return QBrush(OVERDUE_BACKGROUND)
            if due_today:
                return QBrush(DUE_TODAY_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.overdue:
                return QBrush(OVERDUE_FOREGROUND)
            if due_today:
                return QBrush(DUE_TODAY_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole and (row.overdue or due_today):
            return self._bold
        return None

    def row_at(self, row: int) -> QueueRow:
        return self._rows[row]

    def set_filter(self, queue: QueueName, agency_id: uuid.UUID | None) -> None:
        if (queue, agency_id) != (self.queue, self.agency_id):
            self.queue, self.agency_id = queue, agency_id
            self.reload()

    def _page_reader(self, cursor: QueueCursor | None) -> Callable[[], QueuePage]:
        engine, queue, agency_id, limit, today = self._engine, self.queue, self.agency_id, self._page_size, self.today
        return lambda: queues.queue_page(engine, queue, cursor, limit, agency_id=agency_id, today=today)


class QueuesView(QWidget):
    """The follow-up screen; ``openCase(uuid)`` asks the main window to show a case."""

    openCase = Signal(object)  # noqa: N815 - Qt signal naming
    countsLoaded = Signal(object)  # noqa: N815 - QueueCounts, e.g. for the start screen

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._today = today
        self._counts: QueueCounts | None = None
        self._counts_generation = 0

        self.tabs = QTabBar(self)
        self.tabs.setObjectName("queue_tabs")
        self.tabs.setExpanding(False)
        for queue in QUEUES:
            self.tabs.addTab(QUEUE_LABELS[queue])
        self.tabs.setCurrentIndex(QUEUES.index("overdue"))
        self.tabs.currentChanged.connect(self._filter_changed)
        self.agency_combo = QComboBox(self)
        self.agency_combo.setObjectName("agency_filter")
        self.agency_combo.setAccessibleName("Lọc theo cơ quan nhận đơn")
        self.agency_combo.setMinimumContentsLength(60)
        self.agency_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.agency_combo.addItem("Tất cả cơ quan", None)
        self.agency_combo.currentIndexChanged.connect(self._filter_changed)
        self.explain_label = QLabel("", self)
        self.explain_label.setObjectName("queue_explain")
        self.explain_label.setWordWrap(True)

        self.model = QueueModel(engine, self, today=today)
        self.view = record_table(self, self.model, "queue_table", "Danh sách chuyển đơn cần theo dõi", _WIDTHS,
                                 alternating=False)
        self.view.doubleClicked.connect(self._activated)
        self.view.activated.connect(self._activated)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

        self.answer_button = QPushButton("Ghi kết quả trả lời…", self)
        self.answer_button.setObjectName("answer")
        self.answer_button.setToolTip("Ctrl+R")
        self.answer_button.clicked.connect(self.answer_selected)
        self.case_button = QPushButton("Mở vụ việc", self)
        self.case_button.setObjectName("open_case")
        self.case_button.clicked.connect(self.open_selected_case)
        self.chase_button = QPushButton("Văn bản đôn đốc…", self)
        self.chase_button.setObjectName("chase")
        self.chase_button.clicked.connect(self.chase_selected)
        self.reprint_button = QPushButton("In lại phiếu chuyển", self)
        self.reprint_button.setObjectName("reprint")
        self.reprint_button.clicked.connect(self.reprint_selected)
        refresh = QPushButton("Làm mới", self)
        refresh.setToolTip("F5")
        refresh.clicked.connect(self.refresh)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=self.answer_selected)
        QShortcut(QKeySequence("F5"), self, activated=self.refresh)

        top = QHBoxLayout()
        top.addWidget(self.tabs)
        top.addStretch(1)
        top.addWidget(QLabel("Cơ quan:", self))
        top.addWidget(self.agency_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.answer_button)
        buttons.addWidget(self.case_button)
        buttons.addWidget(self.chase_button)
        buttons.addWidget(self.reprint_button)
        buttons.addStretch(1)
        buttons.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.explain_label)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        background.changes().database_changed.connect(self.refresh)
        self._update_buttons()
        self.refresh()

    # --- state --------------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self._today or date.today()

    @property
    def counts(self) -> QueueCounts | None:
        return self._counts

    def current_queue(self) -> QueueName:
        return QUEUES[max(0, self.tabs.currentIndex())]

    def set_queue(self, queue: QueueName) -> None:
        self.tabs.setCurrentIndex(QUEUES.index(queue))

    def current_agency(self) -> uuid.UUID | None:
        data = self.agency_combo.currentData()
        return uuid.UUID(data) if data else None

    def set_agency(self, agency_id: uuid.UUID | None) -> None:
        index = self.agency_combo.findData(str(agency_id) if agency_id else None)
        if index >= 0:
            self.agency_combo.setCurrentIndex(index)

    def selected_row(self) -> QueueRow | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    # --- loading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        if not isValid(self):
            return
        self.model.reload()  # first: the rows are what the clerk waits for
        self._counts_generation += 1
        generation, engine, today = self._counts_generation, self._engine, self.today
        (
            BackgroundOp(self, lambda _p, _c: queues.queue_counts(engine, today), error_title="Không đếm được")
            .success(lambda counts: self._counts_arrived(generation, counts))
            .run_in_background()
        )

    def _counts_arrived(self, generation: int, counts: QueueCounts) -> None:
        if generation != self._counts_generation:
            return
        self._counts = counts
        for n, queue in enumerate(QUEUES):
            self.tabs.setTabText(n, f"{QUEUE_LABELS[queue]} ({format_count(counts.count(queue))})")
            if queue == "overdue":
                self.tabs.setTabTextColor(n, OVERDUE_FOREGROUND if counts.overdue else QColor())
        chosen = self.current_agency()
        self.agency_combo.blockSignals(True)
        self.agency_combo.clear()
        self.agency_combo.addItem("Tất cả cơ quan", None)
        for agency in counts.by_agency:
            self.agency_combo.addItem(
                f"{agency.name} — quá hạn {format_count(agency.overdue)}, chờ {format_count(agency.awaiting)}",
                str(agency.agency_id),  # strings: QVariant compares Python objects by identity
            )
        index = self.agency_combo.findData(str(chosen) if chosen else None)
        self.agency_combo.setCurrentIndex(max(0, index))
        self.agency_combo.blockSignals(False)
        if chosen is not None and index < 0:  # the agency has nothing waiting any more
            self._filter_changed()
        self._explain()
        self.countsLoaded.emit(counts)

    def _explain(self) -> None:
        queue = self.current_queue()
        if queue == "due_soon":
            horizon = self._counts.horizon if self._counts else None
            text = ("Chưa có văn bản trả lời, hạn trả lời từ hôm nay đến hết 5 ngày làm việc tới"
                    + (f" ({format_date(horizon)})." if horizon else "."))
        elif queue == "overdue":
            text = "Đã qua hạn trả lời mà chưa có văn bản trả lời; hạn cũ nhất ở trên."
        else:
            text = "Mọi phiếu chuyển chưa có văn bản trả lời, hạn gần nhất ở trên."
        self.explain_label.setText(text)

    def _filter_changed(self, *_args: object) -> None:
        self._explain()
        self.model.set_filter(self.current_queue(), self.current_agency())
        self._update_buttons()

    # --- actions ------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        row = self.selected_row()
        self.answer_button.setEnabled(row is not None)
        self.case_button.setEnabled(row is not None and row.case_id is not None)
        self.chase_button.setEnabled(row is not None)
        self.reprint_button.setEnabled(row is not None)

    def _activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        row = self.model.row_at(index.row())
        if row.case_id is not None:
            self.openCase.emit(row.case_id)
        else:
            self.open_answer(row.transfer_id)

    def open_selected_case(self) -> None:
        row = self.selected_row()
        if row is not None and row.case_id is not None:
            self.openCase.emit(row.case_id)

    def answer_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_answer(row.transfer_id)

    def chase_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            chase_transfer(self, self._engine, row.transfer_id, today=self._today)

    def reprint_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            reprint_forwarding(self, self._engine, row.transfer_id)

    def open_answer(self, transfer_id: uuid.UUID) -> AnswerDialog:
        dialog = AnswerDialog(self._engine, transfer_id, self, today=self._today)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
