"""CaseView: one case (vụ việc) at a glance — header, citizens involved, and the timeline.

``CaseView(engine)`` then ``show_case(case_id)``; the case is read on a worker thread
(services.case_timeline) and read again after every successful write. In the timeline, a waiting
transfer's due date is a row of its own, styled like the overdue rows of the queues when late.
Enter or double-click: on a transfer, answer or due date → the answer form; on a petition → the
transfer form. The buttons under the timeline do the same for the selected row; "Văn bản" offers
the documents of the selected row (ui.letter_preview): for a petition the guidance, the return and
the receipt, for a visit the receipt, for a transfer the chase letter and the forwarding letter.
"""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy import Engine

from reception_desk.services.case_timeline import CaseTimeline, TimelineEvent, case_timeline
from reception_desk.ui import background
from reception_desk.ui.answer_dialog import AnswerDialog
from reception_desk.ui.background import BackgroundOp
from reception_desk.ui.letter_preview import (
    GuidanceDialog,
    ReceiptDialog,
    ReturnDialog,
    chase_transfer,
    open_issue_dialog,
    reprint_forwarding,
)
from reception_desk.ui.queues_view import DUE_TODAY_BACKGROUND, DUE_TODAY_FOREGROUND
from reception_desk.ui.table_models import OVERDUE_BACKGROUND, OVERDUE_FOREGROUND, format_date
from reception_desk.ui.transfer_dialog import TransferDialog

_EVENT_ROLE = Qt.ItemDataRole.UserRole
PEOPLE_HEADERS = ("Họ và tên", "Vai trò", "Số giấy tờ", "Điện thoại", "Địa chỉ")
EVENT_HEADERS = ("Ngày", "Loại", "Sự việc", "Chi tiết")


def header_text(timeline: CaseTimeline) -> str:
    c = timeline.case
    parts = [f"{c.kind_label} · {c.status_label}"]
    if c.field:
        parts.append(f"Lĩnh vực: {c.field}")
    if c.place:
        parts.append(f"Nơi xảy ra: {c.place}")
    if c.first_visit_on:
        parts.append(f"Tiếp lần đầu: {format_date(c.first_visit_on)}")
    if c.remote_area:
        parts.append("Vùng sâu, vùng xa")
    counts = f"{c.visits} lượt tiếp · {c.petitions} đơn · {c.transfers} lần chuyển đơn"
    if c.waiting:
        counts += f" ({c.waiting} chờ trả lời" + (f", {c.overdue} quá hạn)" if c.overdue else ")")
    return " · ".join(parts) + "\n" + counts


class CaseView(QWidget):
    """The case screen; ``loaded(CaseTimeline)`` after each read."""

    loaded = Signal(object)

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._today = today
        self._case_id: uuid.UUID | None = None
        self._timeline: CaseTimeline | None = None
        self._generation = 0
        self._bold = QFont()
        self._bold.setBold(True)

        self.title_label = QLabel("Chưa chọn vụ việc.", self)
        self.title_label.setObjectName("case_title")
        title_font = self.title_label.font()
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.header_label = QLabel("", self)
        self.header_label.setObjectName("case_header")
        self.header_label.setWordWrap(True)
        self.header_label.setTextFormat(Qt.TextFormat.PlainText)

        self.people = self._table("case_citizens", "Công dân liên quan", PEOPLE_HEADERS)
        self.events = self._table("case_timeline", "Diễn biến vụ việc", EVENT_HEADERS)
        self.events.itemDoubleClicked.connect(lambda item: self.open_event(item.row()))
        self.events.activated.connect(lambda index: self.open_event(index.row()))
        self.events.currentCellChanged.connect(lambda *_: self._update_buttons())

        self.transfer_button = QPushButton("Chuyển đơn…", self)
        self.transfer_button.setObjectName("transfer")
        self.transfer_button.clicked.connect(self.transfer_selected)
        self.answer_button = QPushButton("Ghi kết quả trả lời…", self)
        self.answer_button.setObjectName("answer")
        self.answer_button.clicked.connect(self.answer_selected)
        self.letters_button = QToolButton(self)
        self.letters_button.setObjectName("letters")
        self.letters_button.setText("Văn bản")
        self.letters_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.letters_button)
        self.guidance_action = QAction("Phiếu hướng dẫn…", menu)
        self.guidance_action.triggered.connect(lambda: self._petition_letter(GuidanceDialog))
        self.return_action = QAction("Trả lại đơn…", menu)
        self.return_action.triggered.connect(lambda: self._petition_letter(ReturnDialog))
        self.receipt_action = QAction("Giấy biên nhận…", menu)
        self.receipt_action.triggered.connect(self._receipt)
        self.chase_action = QAction("Văn bản đôn đốc…", menu)
        self.chase_action.triggered.connect(self._chase)
        self.reprint_action = QAction("In lại phiếu chuyển", menu)
        self.reprint_action.triggered.connect(self._reprint)
        for action in (self.guidance_action, self.return_action, self.receipt_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.chase_action)
        menu.addAction(self.reprint_action)
        self.letters_button.setMenu(menu)

        people_box = QWidget(self)
        people_layout = QVBoxLayout(people_box)
        people_layout.setContentsMargins(0, 0, 0, 0)
        people_layout.addWidget(QLabel("<b>Công dân liên quan</b>", people_box))
        people_layout.addWidget(self.people)
        events_box = QWidget(self)
        events_layout = QVBoxLayout(events_box)
        events_layout.setContentsMargins(0, 0, 0, 0)
        events_layout.addWidget(QLabel("<b>Diễn biến</b>", events_box))
        events_layout.addWidget(self.events)
        buttons = QHBoxLayout()
        buttons.addWidget(self.transfer_button)
        buttons.addWidget(self.answer_button)
        buttons.addWidget(self.letters_button)
        buttons.addStretch(1)
        events_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(people_box)
        splitter.addWidget(events_box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.header_label)
        layout.addWidget(splitter, 1)
        background.changes().database_changed.connect(self.reload)
        self._update_buttons()

    def _table(self, name: str, accessible: str, headers: tuple[str, ...]) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setObjectName(name)
        table.setAccessibleName(accessible)
        table.setHorizontalHeaderLabels(list(headers))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # --- loading ------------------------------------------------------------------------------

    @property
    def timeline(self) -> CaseTimeline | None:
        return self._timeline

    @property
    def today(self) -> date:
        return self._today or date.today()

    def show_case(self, case_id: uuid.UUID) -> None:
        self._case_id = case_id
        self.reload()

    def reload(self) -> None:
        if not isValid(self) or self._case_id is None:
            return
        self._generation += 1
        generation, engine, case_id, today = self._generation, self._engine, self._case_id, self.today
        (
            BackgroundOp(self, lambda _p, _c: case_timeline(engine, case_id, today=today),
                         error_title="Không mở được vụ việc")
            .success(lambda timeline: self._arrived(generation, timeline))
            .run_in_background()
        )

    def _arrived(self, generation: int, timeline: CaseTimeline) -> None:
        if generation != self._generation:
            return
        self._timeline = timeline
        self.title_label.setText(timeline.case.title)
        self.header_label.setText(header_text(timeline))
        self.setWindowTitle(f"Vụ việc: {timeline.case.title}")
        self._fill_people(timeline)
        self._fill_events(timeline)
        self._update_buttons()
        self.loaded.emit(timeline)

    def _fill_people(self, timeline: CaseTimeline) -> None:
        self.people.setRowCount(len(timeline.citizens))
        for n, person in enumerate(timeline.citizens):
            name = person.name + (f" ({person.count} người)" if person.masked and person.count > 1 else "")
            values = (name, ", ".join(person.roles), person.id_number or "", person.phone or "", person.address or "")
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if person.masked:
                    item.setToolTip("Danh tính người tố cáo được giữ bí mật (Luật Tố cáo, Điều 9 và 56)")
                self.people.setItem(n, column, item)
        self.people.resizeColumnsToContents()

    def _fill_events(self, timeline: CaseTimeline) -> None:
        self.events.setRowCount(len(timeline.events))
        today = self.today
        for n, event in enumerate(timeline.events):
            when = format_date(event.on) + (f" {event.at.strftime('%H:%M')}" if event.at else "")
            values = (when, event.kind_label, event.title, event.detail)
            due_today = event.kind == "due" and event.on == today
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(_EVENT_ROLE, n)
                if column == 3:
                    item.setToolTip(value)
                if event.overdue or due_today:
                    item.setBackground(QBrush(OVERDUE_BACKGROUND if event.overdue else DUE_TODAY_BACKGROUND))
                    item.setForeground(QBrush(OVERDUE_FOREGROUND if event.overdue else DUE_TODAY_FOREGROUND))
                    item.setFont(self._bold)
                self.events.setItem(n, column, item)
        self.events.resizeColumnsToContents()
        self.events.setColumnWidth(2, min(self.events.columnWidth(2), 360))

    # --- actions ------------------------------------------------------------------------------

    def event_at(self, row: int) -> TimelineEvent | None:
        if self._timeline is None or not (0 <= row < len(self._timeline.events)):
            return None
        return self._timeline.events[row]

    def selected_event(self) -> TimelineEvent | None:
        return self.event_at(self.events.currentRow())

    def _update_buttons(self) -> None:
        event = self.selected_event()
        self.transfer_button.setEnabled(event is not None and event.petition_id is not None)
        self.answer_button.setEnabled(event is not None and event.transfer_id is not None)
        petition = event is not None and event.petition_id is not None and event.transfer_id is None
        transfer = event is not None and event.transfer_id is not None
        visit = event is not None and event.visit_id is not None
        self.guidance_action.setEnabled(petition)
        self.return_action.setEnabled(petition)
        self.receipt_action.setEnabled(petition or visit)
        self.chase_action.setEnabled(transfer)
        self.reprint_action.setEnabled(transfer)
        self.letters_button.setEnabled(petition or transfer or visit)

    def open_event(self, row: int) -> None:
        event = self.event_at(row)
        if event is None:
            return
        if event.transfer_id is not None:
            self.open_answer(event.transfer_id)
        elif event.petition_id is not None and event.kind == "petition":
            self.open_transfer(event.petition_id)

    def transfer_selected(self) -> None:
        event = self.selected_event()
        if event is not None and event.petition_id is not None:
            self.open_transfer(event.petition_id)

    def answer_selected(self) -> None:
        event = self.selected_event()
        if event is not None and event.transfer_id is not None:
            self.open_answer(event.transfer_id)

    def _about(self, event: TimelineEvent) -> str:
        case = self._timeline.case.title if self._timeline is not None else ""
        return f"{event.kind_label} ngày {format_date(event.on)}: {event.title}" + (f" — vụ việc: {case}" if case else "")

    def _petition_letter(self, form: type[GuidanceDialog] | type[ReturnDialog]) -> None:
        event = self.selected_event()
        if event is not None and event.petition_id is not None:
            open_issue_dialog(form(self._engine, event.petition_id, self, about=self._about(event), today=self._today))

    def _receipt(self) -> None:
        event = self.selected_event()
        if event is None:
            return
        if event.petition_id is not None and event.transfer_id is None:
            open_issue_dialog(ReceiptDialog(self._engine, self, petition_id=event.petition_id,
                                            about=self._about(event), today=self._today))
        elif event.visit_id is not None:
            open_issue_dialog(ReceiptDialog(self._engine, self, visit_id=event.visit_id, about=self._about(event),
                                            today=self._today))

    def _chase(self) -> None:
        event = self.selected_event()
        if event is not None and event.transfer_id is not None:
            chase_transfer(self, self._engine, event.transfer_id, today=self._today)

    def _reprint(self) -> None:
        event = self.selected_event()
        if event is not None and event.transfer_id is not None:
            reprint_forwarding(self, self._engine, event.transfer_id)

    def open_transfer(self, petition_id: uuid.UUID) -> TransferDialog:
        dialog = TransferDialog(self._engine, petition_id, self, today=self._today)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_answer(self, transfer_id: uuid.UUID) -> AnswerDialog:
        dialog = AnswerDialog(self._engine, transfer_id, self, today=self._today)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
