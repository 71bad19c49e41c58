"""ReportDrilldownDialog: the records behind one figure of the office report.

A leader checks a number: the dialog lists the records the figure counts (services.reports.
figure_records, keyset pages of 200 read on a worker thread as the list is scrolled), says how
many there are, and recomputes the figure from those records (figure_count) next to the number
the report printed. Enter or double-click on a record asks the main window to open it
(``open_record``: a visit or a petition in its form, a transfer in the answer form, a case in
the case window); "Xem vụ việc" opens the record's case. Denouncers stay hidden
(services.visibility): the rows are read for the desk's viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy import Engine

from reception_desk.domain.periods import ReportPeriod
from reception_desk.domain.report_forms import figure_def
from reception_desk.services.reports import (
    PAGE_SIZE,
    Figure,
    RecordCursor,
    RecordRow,
    figure_count,
    figure_records,
)
from reception_desk.services.visibility import Viewer, desk_viewer
from reception_desk.ui.background import BackgroundOp
from reception_desk.ui.table_models import PagedTableModel, format_date, one_line
from reception_desk.ui.tables import record_table

_Index = QModelIndex | QPersistentModelIndex

# How the list names what it holds, by record kind (RecordRow.record).
RECORD_NAMES: dict[str, str] = {
    "visit": "lượt tiếp",
    "case": "vụ việc",
    "session": "kỳ tiếp",
    "petition": "đơn",
    "transfer": "văn bản chuyển đơn",
    "directive": "văn bản chỉ đạo",
}


def dots(value: int) -> str:
    """1234 → "1.234"."""
    return f"{value:,}".replace(",", ".")


@dataclass(frozen=True)
class _Column:
    header: str
    text: Callable[[RecordRow], str]
    full_text: Callable[[RecordRow], str | None] | None = None


COLUMNS: tuple[_Column, ...] = (
    _Column("Ngày", lambda r: format_date(r.day)),
    _Column("Nội dung", lambda r: one_line(r.title), lambda r: r.title),
    _Column("Loại", lambda r: r.kind_label),
    _Column("Người", lambda r: one_line(r.people), lambda r: r.people),
    _Column("Chi tiết", lambda r: one_line(r.detail), lambda r: r.detail),
)
_WIDTHS = (11, 40, 14, 28)


@dataclass(frozen=True, slots=True)
class _Page:
    rows: list[RecordRow]
    next: RecordCursor | None


class RecordModel(PagedTableModel):
    """The records behind one figure of one period, a page at a time."""

    def __init__(self, engine: Engine, key: str, period: ReportPeriod, parent: QObject | None = None, *,
                 viewer: Viewer | None = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(engine, COLUMNS, parent, page_size=page_size)
        self.key = key
        self.period = period
        self._viewer = viewer

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row: RecordRow = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.full_text(row) if column.full_text else None
        return None

    def row_at(self, row: int) -> RecordRow:
        return self._rows[row]

    def _page_reader(self, after: RecordCursor | None) -> Callable[[], _Page]:
        engine, key, viewer, limit = self._engine, self.key, self._viewer, self._page_size
        start, end = self.period.start, self.period.end

        def read() -> _Page:
            rows = figure_records(engine, key, start, end, limit=limit, after=after, viewer=viewer)
            return _Page(rows, rows[-1].cursor if len(rows) == limit else None)

        return read


def is_count(key: str) -> bool:
    """True when the figure is the number of its records (not a sum or maximum of persons)."""
    return figure_def(key).spec.measure == "count"


class ReportDrilldownDialog(QDialog):
    """The records behind ``figure`` in ``period`` (the report's period or its previous-year twin).

    ``value``: the number the report shows for that period. Signals: ``open_record(RecordRow)``
    and ``open_case(case id)`` for the main window; ``counted(int)`` when the recomputed figure
    arrives.
    """

    open_record = Signal(object)
    open_case = Signal(object)
    counted = Signal(int)

    def __init__(self, engine: Engine, figure: Figure, period: ReportPeriod, value: int,
                 parent: QWidget | None = None, *, viewer: Viewer | None = None,
                 page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._engine = engine
        self.figure = figure
        self.period = period
        self.value = value
        self.recomputed: int | None = None
        self.setWindowTitle(f"Số liệu chi tiết — {figure.label}")
        self.resize(1100, 620)

        self.title_label = QLabel(f"<b>{figure.label}</b><br>{period.label}: {dots(value)} {figure.unit}", self)
        self.title_label.setObjectName("drilldown_title")
        self.title_label.setTextFormat(Qt.TextFormat.RichText)
        self.count_label = QLabel("Đang tính lại từ các bản ghi…", self)
        self.count_label.setObjectName("drilldown_count")
        self.count_label.setAccessibleName("Số bản ghi")
        self.count_label.setWordWrap(True)

        self.model = RecordModel(engine, figure.key, period, self,
                                 viewer=viewer if viewer is not None else desk_viewer(), page_size=page_size)
        self.view = record_table(self, self.model, "drilldown_table", "Các bản ghi của số liệu", _WIDTHS,
                                 row_numbers=True)
        self.view.activated.connect(lambda index: self.open_row(index.row()))
        self.model.page_loaded.connect(self._loaded)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

        self.open_button = QPushButton("&Mở bản ghi", self)
        self.open_button.setObjectName("drilldown_open")
        self.open_button.setToolTip("Enter hoặc nhấp đúp")
        self.open_button.clicked.connect(self.open_selected)
        self.case_button = QPushButton("Xem &vụ việc", self)
        self.case_button.setObjectName("drilldown_case")
        self.case_button.clicked.connect(self.case_of_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Đóng")
        buttons.rejected.connect(self.reject)
        # Enter in the list opens the record (activated); no button may take it as the default too
        for button in (self.open_button, self.case_button, buttons.button(QDialogButtonBox.StandardButton.Close)):
            button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.case_button)
        row.addStretch(1)
        row.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.count_label)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)

        self._update_buttons()
        self.model.reload()
        self._recount()

    # --- counting -----------------------------------------------------------------------------

    @property
    def loaded(self) -> int:
        return self.model.rowCount()

    def _recount(self) -> None:
        engine, key, start, end = self._engine, self.figure.key, self.period.start, self.period.end

        def counted(value: int) -> None:
            if isValid(self):
                self.recomputed = value
                self._show_count()
                self.counted.emit(value)

        BackgroundOp(self, lambda _p, _c: figure_count(engine, key, start, end),
                     error_title="Không tính lại được số liệu").success(counted).run_in_background()

    def _loaded(self, _rows: int) -> None:
        self._show_count()
        self._update_buttons()
        if self.view.currentIndex().row() < 0 and self.model.rowCount():
            self.view.selectRow(0)

    def _show_count(self) -> None:
        kinds = {self.model.row_at(i).record for i in range(min(self.loaded, 1))}
        noun = RECORD_NAMES.get(next(iter(kinds)), "bản ghi") if kinds else "bản ghi"
        listed = (f"Danh sách có {dots(self.loaded)} {noun}" if self.model.exhausted
                  else f"Đã tải {dots(self.loaded)} {noun} đầu tiên (cuộn xuống để tải tiếp)")
        if self.recomputed is None:
            check = "đang tính lại từ các bản ghi…"
        elif self.recomputed == self.value:
            check = f"tính lại từ các bản ghi: {dots(self.recomputed)} {self.figure.unit}, khớp với báo cáo"
        else:
            # the records changed since the report was made (a save in between)
            check = (f"tính lại từ các bản ghi: {dots(self.recomputed)} {self.figure.unit}; dữ liệu đã thay đổi "
                     "sau khi lập báo cáo, hãy lập lại báo cáo")
        if not is_count(self.figure.key):
            check += f" (số {self.figure.unit} là {'số lớn nhất' if 'largest' in self.figure.key else 'tổng'} " \
                     "của các bản ghi)"
        self.count_label.setText(f"{listed}; {check}.")

    # --- opening ------------------------------------------------------------------------------

    def selected_row(self) -> RecordRow | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        row = self.selected_row()
        self.open_button.setEnabled(row is not None)
        self.case_button.setEnabled(row is not None and row.case_id is not None)

    def open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_record.emit(self.model.row_at(row))

    def open_selected(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.open_row(index.row())

    def case_of_selected(self) -> None:
        row = self.selected_row()
        if row is not None and row.case_id is not None:
            self.open_case.emit(row.case_id)
