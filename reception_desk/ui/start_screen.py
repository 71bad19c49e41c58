"""The start screen ("Tổng quan"): what needs doing today, one keystroke from the desk's forms.

Counts of the follow-up queues (services.queues; overdue in red), the agencies holding the most
overdue transfers, the leaders' next reception days (ui.sessions_view.UpcomingSessionsWidget) and
the two everyday actions, then the year's charts (ui.dashboard.DashboardWidget). Everything is
read in the background and re-read after every save (ui.background.changes()), so the numbers
are those of the database, never kept by hand. The page scrolls when the window is too short for
the charts.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from reception_desk.services.queues import QUEUE_LABELS, QUEUES, QueueCounts, QueueName, queue_counts
from reception_desk.ui import background
from reception_desk.ui.background import BackgroundOp
from reception_desk.ui.dashboard import DashboardWidget
from reception_desk.ui.sessions_view import UpcomingSessionsWidget

# What each count means, in the clerk's words (tooltips of the cards).
_EXPLAIN: dict[QueueName, str] = {
    "due_soon": "Đơn đã chuyển, chưa có trả lời, đến hạn trong 5 ngày làm việc tới",
    "overdue": "Đơn đã chuyển, đã quá hạn giải quyết mà cơ quan nhận chưa trả lời",
    "awaiting": "Mọi đơn đã chuyển mà cơ quan nhận chưa trả lời",
}
TOP_AGENCIES = 5


def _dots(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class _Card(QPushButton):
    """One count, large, with its name below; a click opens the list behind it."""

    def __init__(self, queue: QueueName, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.setObjectName(f"card_{queue}")
        self.setToolTip(_EXPLAIN[queue])
        self.setAccessibleName(QUEUE_LABELS[queue])
        self.setMinimumHeight(84)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.set_count(None)

    def set_count(self, count: int | None, *, alarm: bool = False) -> None:
        number = "…" if count is None else _dots(count)
        self.setText(f"{number}\n{QUEUE_LABELS[self.queue]}")
        self.count = count
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF(), 10) * 1.25)
        font.setBold(True)
        self.setFont(font)
        # red only when something is actually late: a red card that is always red stops being read
        self.setStyleSheet("QPushButton { color: #b00020; }" if alarm else "")


class StartScreen(QWidget):
    """The overview tab; the main window connects its requests to the forms and lists."""

    new_visit_requested = Signal()
    new_petition_requested = Signal()
    queue_requested = Signal(str)  # a services.queues queue name
    session_activated = Signal(object, object)  # (session id, date), from the upcoming list
    counts_loaded = Signal(object)  # QueueCounts

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self._today = today
        self._generation = 0
        self.counts: QueueCounts | None = None

        self.new_visit_button = QPushButton("Tiếp công dân…  (Ctrl+N)", self)
        self.new_visit_button.setObjectName("start_new_visit")
        self.new_visit_button.clicked.connect(self.new_visit_requested)
        self.new_petition_button = QPushButton("Nhận đơn…  (Ctrl+Shift+N)", self)
        self.new_petition_button.setObjectName("start_new_petition")
        self.new_petition_button.clicked.connect(self.new_petition_requested)
        actions = QHBoxLayout()
        actions.addWidget(self.new_visit_button)
        actions.addWidget(self.new_petition_button)
        actions.addStretch(1)

        self.cards: dict[QueueName, _Card] = {}
        follow_up = QGroupBox("Theo dõi đơn đã chuyển", self)
        grid = QGridLayout(follow_up)
        for column, queue in enumerate(QUEUES):
            card = _Card(queue, follow_up)
            card.clicked.connect(lambda _=False, q=queue: self.queue_requested.emit(q))
            self.cards[queue] = card
            grid.addWidget(card, 0, column)
        self.agencies_label = QLabel("Cơ quan có nhiều đơn quá hạn nhất:", follow_up)
        self.agencies = QListWidget(follow_up)
        self.agencies.setObjectName("overdue_agencies")
        self.agencies.setAccessibleName("Cơ quan có nhiều đơn quá hạn nhất")
        self.agencies.setMaximumHeight(self.fontMetrics().height() * (TOP_AGENCIES + 1) + 12)
        self.agencies.itemActivated.connect(lambda _item: self.queue_requested.emit("overdue"))
        grid.addWidget(self.agencies_label, 1, 0, 1, len(QUEUES))
        grid.addWidget(self.agencies, 2, 0, 1, len(QUEUES))
        self.status = QLabel("", follow_up)
        self.status.setObjectName("start_status")
        grid.addWidget(self.status, 3, 0, 1, len(QUEUES))

        self.upcoming = UpcomingSessionsWidget(engine, self, today=today)
        self.upcoming.session_activated.connect(self.session_activated)

        self.dashboard = DashboardWidget(engine, self, today=today)
        self.dashboard.overdue_requested.connect(lambda: self.queue_requested.emit("overdue"))

        columns = QHBoxLayout()
        columns.addWidget(follow_up, 3)
        columns.addWidget(self.upcoming, 2)
        page = QWidget(self)
        layout = QVBoxLayout(page)
        title = QLabel("Việc cần làm hôm nay", self)
        font = title.font()
        font.setPointSizeF(max(font.pointSizeF(), 10) * 1.4)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        layout.addLayout(actions)
        layout.addLayout(columns)
        layout.addWidget(self.dashboard, 1)
        scroll = QScrollArea(self)
        scroll.setObjectName("start_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        background.changes().database_changed.connect(self.refresh)
        self.refresh()

    @property
    def today(self) -> date:
        return self._today or date.today()

    @Slot()
    def refresh(self) -> None:
        """Re-read the counts (the upcoming sessions refresh themselves on every save)."""
        self._generation += 1
        generation, engine, today = self._generation, self.engine, self.today
        self.status.setText("Đang đếm…")
        BackgroundOp(self, lambda _p, _c: queue_counts(engine, today)).success(
            lambda counts: self._show(generation, counts)
        ).failure(lambda exc: self._failed(generation, exc)).run_in_background()

    def _show(self, generation: int, counts: QueueCounts) -> None:
        if generation != self._generation:
            return  # an older answer arriving after a newer one
        self.counts = counts
        for queue, card in self.cards.items():
            value = getattr(counts, queue)
            card.set_count(value, alarm=queue == "overdue" and value > 0)
        self.agencies.clear()
        late = [a for a in counts.by_agency if a.overdue > 0][:TOP_AGENCIES]
        for agency in late:
            item = QListWidgetItem(f"{agency.name}: {_dots(agency.overdue)} đơn quá hạn")
            item.setData(Qt.ItemDataRole.UserRole, agency.agency_id)
            self.agencies.addItem(item)
        self.agencies_label.setVisible(bool(late))
        self.agencies.setVisible(bool(late))
        self.status.setText(f"Số liệu đến ngày {counts.today:%d/%m/%Y}; "
                            f"“sắp đến hạn” là đến hạn trước hết ngày {counts.horizon:%d/%m/%Y}.")
        self.counts_loaded.emit(counts)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.status.setText(f"Không đếm được: {exc}")
