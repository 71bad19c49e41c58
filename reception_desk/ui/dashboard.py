"""DashboardWidget: the start screen's charts (QtCharts), drawn from services.dashboard.

Four charts of the current calendar year:

- visits and petitions per month, this year (solid, up to the current month) against last year
  (dashed), one line each;
- this year's petitions by kind (pie, the legend says the numbers);
- this year's petitions by channel (horizontal bars, most used on top);
- transfers overdue today by receiving agency, the ten with the most (horizontal bars; a click
  opens the "Quá hạn" follow-up queue).

Everything comes from one ``services.dashboard.dashboard`` call on a worker thread
(ui.background). After a save (``background.changes().database_changed``) the charts are read
again, debounced (``DEBOUNCE_MS``: ten saves in a row cost one reading) and never two readings at
once: a save while a reading runs asks for one more after it, and only the newest answer is drawn
(``_generation``). While the widget is hidden (another tab is shown) a save only marks it out of
date; it reads again when shown.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QShowEvent
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QSizePolicy, QVBoxLayout, QWidget
from shiboken6 import isValid
from sqlalchemy import Engine

from reception_desk.services.dashboard import MONTH_LABELS, TOP_AGENCIES, Dashboard, LabelledCount, dashboard
from reception_desk.ui import background
from reception_desk.ui.background import BackgroundOp

DEBOUNCE_MS = 400
CHART_HEIGHT = 280
NAME_CHARS = 42  # an agency's name on the axis is cut after this many characters
VISITS_COLOUR = QColor("#1f5fa8")
PETITIONS_COLOUR = QColor("#c8631a")
BAR_COLOUR = QColor("#3b7dc4")
OVERDUE_COLOUR = QColor("#b00020")
KIND_COLOURS = (QColor("#1f5fa8"), QColor("#b00020"), QColor("#2e8b57"), QColor("#d68a00"), QColor("#7a7a7a"))


def dots(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _short(name: str, used: set[str]) -> str:
    """An axis label: the name cut to NAME_CHARS, made unique (two agencies may share a name)."""
    text = name if len(name) <= NAME_CHARS else name[:NAME_CHARS - 1].rstrip() + "…"
    text = text or "(không rõ tên)"
    base, n = text, 2
    while text in used:
        text = f"{base} ({n})"
        n += 1
    used.add(text)
    return text


def _chart_view(name: str, title: str) -> QChartView:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)  # redrawn after every save
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(4, 4, 4, 4))
    font = QFont(chart.titleFont())
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setTitle(title)
    view = QChartView(chart)
    view.setObjectName(name)
    view.setAccessibleName(title)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(CHART_HEIGHT)
    view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return view


def _clear(chart: QChart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


def _count_axis(maximum: int) -> QValueAxis:
    axis = QValueAxis()
    axis.setLabelFormat("%d")
    axis.setRange(0, max(maximum, 4))
    axis.applyNiceNumbers()
    axis.setMinorTickCount(0)
    return axis


class DashboardWidget(QWidget):
    """The dashboard group of the start screen. ``loaded(Dashboard)`` after each drawing;
    ``overdue_requested()`` when the overdue chart is clicked."""

    loaded = Signal(object)
    overdue_requested = Signal()

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, today: date | None = None,
                 debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self._engine = engine
        self._today = today
        self._generation = 0
        self._running: BackgroundOp | None = None
        self._again = False  # a save arrived while a reading ran
        self._dirty = False  # a save arrived while hidden
        self.data: Dashboard | None = None
        self.readings = 0  # readings started (the tests count them)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.refresh)

        self.group = QGroupBox("Thống kê trong năm", self)
        self.monthly_view = _chart_view("chart_monthly", "Lượt tiếp và đơn nhận theo tháng")
        self.kinds_view = _chart_view("chart_kinds", "Đơn nhận trong năm theo loại")
        self.channels_view = _chart_view("chart_channels", "Đơn nhận trong năm theo nguồn")
        self.overdue_view = _chart_view("chart_overdue", "Chuyển đơn quá hạn theo cơ quan")
        self.overdue_view.setToolTip("Nhấp vào một cột để mở danh sách chuyển đơn quá hạn")
        self.status = QLabel("Đang tải số liệu…", self)
        self.status.setObjectName("dashboard_status")
        self.status.setAccessibleName("Trạng thái thống kê")
        grid = QGridLayout(self.group)
        grid.addWidget(self.monthly_view, 0, 0)
        grid.addWidget(self.kinds_view, 0, 1)
        grid.addWidget(self.channels_view, 1, 0)
        grid.addWidget(self.overdue_view, 1, 1)
        grid.addWidget(self.status, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.group)

        background.changes().database_changed.connect(self.schedule_refresh)
        self.refresh()

    @property
    def today(self) -> date:
        return self._today or date.today()

    @property
    def busy(self) -> bool:
        """A reading is running or waiting for the debounce."""
        return self._running is not None or self._debounce.isActive()

    # --- reading --------------------------------------------------------------------------------

    @Slot()
    def schedule_refresh(self) -> None:
        """After a save: read again once the saves stop for DEBOUNCE_MS (or when shown)."""
        if not isValid(self):
            return
        if not self.isVisible():
            self._dirty = True
            return
        self._debounce.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self._dirty = False
            self.schedule_refresh()

    @Slot()
    def refresh(self) -> None:
        """Read the figures now, unless a reading runs (then once more when it ends)."""
        self._debounce.stop()
        if self._running is not None:
            self._again = True
            return
        self._generation += 1
        self.readings += 1
        generation, engine, today = self._generation, self._engine, self.today
        op = BackgroundOp(self, lambda _p, _c: dashboard(engine, today), error_title="Không đọc được thống kê")
        op.success(lambda data: self._arrived(generation, data))
        op.failure(lambda exc: self._failed(generation, exc))
        self._running = op
        op.run_in_background()

    def _finished(self) -> bool:
        """The reading ended; True when its answer is to be drawn."""
        self._running = None
        if self._again:
            self._again = False
            self.refresh()  # the database changed meanwhile: this answer is already old
            return False
        return True

    def _arrived(self, generation: int, data: Dashboard) -> None:
        if not isValid(self) or not self._finished() or generation != self._generation:
            return
        self.show_data(data)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if not isValid(self) or not self._finished() or generation != self._generation:
            return
        self.status.setText(f"Không đọc được thống kê: {exc}")

    # --- drawing --------------------------------------------------------------------------------

    def show_data(self, data: Dashboard) -> None:
        self.data = data
        self.group.setTitle(f"Thống kê năm {data.year} (so với năm {data.year - 1})")
        self._draw_monthly(data)
        self._draw_kinds(data.by_kind)
        self._draw_bars(self.channels_view.chart(), sorted(data.by_channel, key=lambda c: (c.count, c.label)),
                        "Số đơn", BAR_COLOUR)
        self._draw_overdue(data)
        self.status.setText(
            f"Số liệu đến ngày {data.today:%d/%m/%Y}: năm {data.year} có {dots(data.visits.total_this_year)} "
            f"lượt tiếp và {dots(data.petitions.total_this_year)} đơn (cả năm {data.year - 1}: "
            f"{dots(data.visits.total_last_year)} lượt tiếp, {dots(data.petitions.total_last_year)} đơn).")
        self.loaded.emit(data)

    def _draw_monthly(self, data: Dashboard) -> None:
        chart = self.monthly_view.chart()
        _clear(chart)
        months = data.today.month  # this year's line stops at the current month
        lines = (
            (f"Lượt tiếp {data.year}", data.visits.this_year[:months], VISITS_COLOUR, False),
            (f"Lượt tiếp {data.year - 1}", data.visits.last_year, VISITS_COLOUR, True),
            (f"Đơn {data.year}", data.petitions.this_year[:months], PETITIONS_COLOUR, False),
            (f"Đơn {data.year - 1}", data.petitions.last_year, PETITIONS_COLOUR, True),
        )
        x_axis = QBarCategoryAxis()
        x_axis.append(list(MONTH_LABELS))
        y_axis = _count_axis(max(max(data.visits.this_year + data.visits.last_year),
                                 max(data.petitions.this_year + data.petitions.last_year)))
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for name, values, colour, dashed in lines:
            series = QLineSeries()
            series.setName(name)
            for month, value in enumerate(values):
                series.append(month, value)
            pen = QPen(colour.lighter(145) if dashed else colour)  # the legend tells the years apart
            pen.setWidthF(1.5 if dashed else 2.5)
            if dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            series.setPen(pen)
            series.setPointsVisible(not dashed)
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setTitle(f"Lượt tiếp và đơn nhận theo tháng, năm {data.year} (nét liền) và {data.year - 1} (nét đứt)")

    def _draw_kinds(self, kinds: tuple[LabelledCount, ...]) -> None:
        chart = self.kinds_view.chart()
        _clear(chart)
        series = QPieSeries()
        total = sum(k.count for k in kinds)
        for n, kind in enumerate(kinds):
            if kind.count:
                share = round(100 * kind.count / total)
                piece = series.append(f"{kind.label}: {dots(kind.count)} ({share}%)", kind.count)
                piece.setColor(KIND_COLOURS[n % len(KIND_COLOURS)])
        series.setPieSize(0.8)
        chart.addSeries(series)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        chart.setTitle(f"Đơn nhận trong năm theo loại: {dots(total)} đơn" if total
                       else "Đơn nhận trong năm theo loại: chưa có đơn")

    @staticmethod
    def _draw_bars(chart: QChart, items: list[LabelledCount], name: str, colour: QColor) -> QHorizontalBarSeries:
        """Horizontal bars, one per item, the first item at the bottom."""
        _clear(chart)
        bars = QBarSet(name)
        bars.setColor(colour)
        used: set[str] = set()
        labels = [_short(item.label, used) for item in items]
        for item in items:
            bars.append(item.count)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value")
        series.setBarWidth(0.7)
        chart.addSeries(series)
        y_axis = QBarCategoryAxis()
        y_axis.append(labels)
        y_axis.setTruncateLabels(False)  # a name cut to "…" says nothing; NAME_CHARS keeps them short
        font = QFont(y_axis.labelsFont())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))  # ten names fit the height without gaps
        y_axis.setLabelsFont(font)
        x_axis = _count_axis(max((i.count for i in items), default=0))
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(y_axis)
        series.attachAxis(x_axis)
        chart.legend().setVisible(False)
        return series

    def _draw_overdue(self, data: Dashboard) -> None:
        agencies = list(reversed(data.overdue_by_agency))  # the most overdue on top
        items = [LabelledCount(str(a.agency_id), a.name, a.overdue) for a in agencies]
        chart = self.overdue_view.chart()
        series = self._draw_bars(chart, items, "Chuyển đơn quá hạn", OVERDUE_COLOUR)
        series.clicked.connect(lambda _index, _set: self.overdue_requested.emit())
        if not data.overdue_total:
            chart.setTitle("Chuyển đơn quá hạn theo cơ quan: không có")
        elif data.overdue_agencies > TOP_AGENCIES:
            chart.setTitle(f"Chuyển đơn quá hạn: {dots(data.overdue_total)} ở {data.overdue_agencies} cơ quan "
                           f"({len(agencies)} cơ quan nhiều nhất)")
        else:
            chart.setTitle(f"Chuyển đơn quá hạn: {dots(data.overdue_total)} ở {data.overdue_agencies} cơ quan")
