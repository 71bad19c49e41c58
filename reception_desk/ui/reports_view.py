"""ReportsView: the "Báo cáo" tab — the office's period report in one step.

The clerk picks a report year and one of its official periods (domain.periods.period_choices:
Quý I–IV, 6 tháng, 9 tháng, năm, with their 15 → 14 cut-off dates shown) or types a free range,
then "Lập báo cáo" computes services.reports.office_report on a worker thread (a busy bar and
"Hủy" meanwhile; the window stays usable). The tab then shows:

- Biểu 01/TCD and Biểu 01/XLD as tables: every figure with this period, the same dates a year
  earlier and the change (▲ red for more, ▼ green for fewer, so colour is never the only sign);
  Enter or double-click opens the records behind the figure (ui.report_drilldown) — on the
  "Cùng kỳ năm trước" column, those of the previous year;
- the narrative, read-only, with "Sao chép" (clipboard) to paste into the office's report;
- "Xuất PDF…", "Xuất Excel…", "Xuất Word…": the report through services.reports.export_report
  on a worker thread. The writers live in services.report_exports (imported here when present):
  a format without a writer is refused with a Vietnamese message, nothing is written;
- "Sổ tiếp công dân (Mẫu 03)…": the register of the same dates (RegisterDialog), a lazy list of
  the twelve columns, exported to PDF or printed (the same PDF, A4 landscape, through Qt's print
  dialog) with progress and "Hủy" when services.report_pdf offers ``register_pdf``.

A save made after the report was computed is noticed (background.changes()) and the tab says
the report should be made again; nothing is recomputed behind the clerk's back.
"""

from __future__ import annotations

import importlib
import importlib.util
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPageLayout
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy import Engine

from reception_desk.domain.periods import (
    FREE_RANGE,
    MAX_YEAR,
    MIN_YEAR,
    ReportPeriod,
    format_day,
    free_period,
    official_report_period,
    period_choices,
)
from reception_desk.services import reports
from reception_desk.services.errors import CancelCheck, Cancelled, Progress, UserError
from reception_desk.services.register import PAGE_SIZE as REGISTER_PAGE_SIZE
from reception_desk.services.register import (
    REGISTER_COLUMNS,
    RegisterCursor,
    RegisterPage,
    RegisterRow,
    register_count,
    register_page,
)
from reception_desk.services.reports import Figure, OfficeReport, office_report
from reception_desk.services.settings import load_office_settings
from reception_desk.services.visibility import Viewer, desk_viewer
from reception_desk.ui import background, dialogs, letter_preview
from reception_desk.ui.background import BackgroundOp
from reception_desk.ui.form_support import date_edit, from_qdate, to_qdate
from reception_desk.ui.report_drilldown import ReportDrilldownDialog, dots
from reception_desk.ui.table_models import PagedTableModel, one_line
from reception_desk.ui.tables import record_table

TITLE = "Báo cáo"
FREE_RANGE_LABEL = "Khoảng ngày tự chọn"
INCREASE = QColor("#a61b1b")
DECREASE = QColor("#1b6e2d")
UNCHANGED = QColor("#5f5f5f")
EXPORTS_MODULE = "reception_desk.services.report_exports"


@dataclass(frozen=True)
class ExportFormat:
    code: str  # services.reports.FILE_FORMATS
    button: str
    name: str  # how the clerk calls the file
    file_filter: str
    suffix: str


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("pdf", "Xuất &PDF…", "PDF", "Tệp PDF (*.pdf)", ".pdf"),
    ExportFormat("xlsx", "Xuất &Excel…", "Excel", "Bảng tính Excel (*.xlsx)", ".xlsx"),
    ExportFormat("docx", "Xuất &Word…", "Word", "Văn bản Word (*.docx)", ".docx"),
)
_FORMATS = {f.code: f for f in EXPORT_FORMATS}


def report_year(today: date) -> int:
    """The report year ``today`` falls in: from 15 December on, the next year's periods run."""
    return today.year + 1 if (today.month, today.day) >= (12, 15) else today.year


def default_period(today: date) -> ReportPeriod:
    """The last quarter that has ended by ``today`` (what a clerk reports on most often)."""
    year = report_year(today)
    ended = [p for p in period_choices(year) if p.code.startswith("q") and p.end < today]
    return ended[-1] if ended else official_report_period("q4", year - 1)


def export_problem(fmt: str) -> str | None:
    """Why the report cannot be written as ``fmt`` in this build (Vietnamese), or None.

    The writers register themselves when services.report_exports is imported; a writer's own
    module (services.report_<fmt>) may still be missing while it is being written.
    """
    spec = _FORMATS[fmt]
    try:
        importlib.import_module(EXPORTS_MODULE)
    except ImportError:
        return "Bản này chưa có bộ xuất báo cáo ra tệp (PDF, Excel, Word); hãy dùng phần lời văn (Sao chép)."
    if fmt not in reports.EXPORTERS or importlib.util.find_spec(f"reception_desk.services.report_{fmt}") is None:
        return f"Bản này chưa có bộ ghi tệp {spec.name} cho báo cáo."
    return None


def register_pdf_writer() -> Callable[..., int] | None:
    """services.report_pdf.register_pdf when this build has it."""
    try:
        module = importlib.import_module("reception_desk.services.report_pdf")
    except ImportError:
        return None
    return getattr(module, "register_pdf", None)


def _missing_writer(exc: ImportError, what: str) -> UserError:
    return UserError(f"Không xuất được {what}: bản này thiếu thành phần “{exc.name or exc}”. "
                     "Hãy cài đặt lại chương trình.")


def change_text(change: int) -> str:
    if change > 0:
        return f"▲ {dots(change)}"
    if change < 0:
        return f"▼ {dots(-change)}"
    return "0"


def file_stem(period: ReportPeriod) -> str:
    if period.is_official:
        return f"bao-cao-{period.code}-{period.year}"
    return f"bao-cao-{period.start:%Y-%m-%d}-den-{period.end:%Y-%m-%d}"


def with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


_Index = QModelIndex | QPersistentModelIndex


class FigureTableModel(QAbstractTableModel):
    """The figures of one form: label, this period, the same period last year, the change."""

    HEADERS = ("Số liệu", "Kỳ báo cáo", "Cùng kỳ năm trước", "Tăng (+), giảm (−)", "Đơn vị", "Cột biểu")
    CURRENT, PREVIOUS, CHANGE = 1, 2, 3

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._figures: list[Figure] = []

    def set_figures(self, figures: Sequence[Figure]) -> None:
        self.beginResetModel()
        self._figures = list(figures)
        self.endResetModel()

    def figure_at(self, row: int) -> Figure:
        return self._figures[row]

    def figures(self) -> list[Figure]:
        return list(self._figures)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._figures)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._figures):
            return None
        figure, column = self._figures[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (figure.label, dots(figure.value), dots(figure.previous), change_text(figure.change),
                    figure.unit, ", ".join(str(c) for c in figure.columns))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.CURRENT, self.PREVIOUS, self.CHANGE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.CHANGE:
            return QBrush(INCREASE if figure.change > 0 else DECREASE if figure.change < 0 else UNCHANGED)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.CHANGE:
                if figure.change == 0:
                    return "Bằng cùng kỳ năm trước"
                return f"{'Tăng' if figure.change > 0 else 'Giảm'} {dots(abs(figure.change))} {figure.unit} " \
                       "so với cùng kỳ năm trước"
            hint = "Enter hoặc nhấp đúp: xem các bản ghi của số liệu này"
            return f"{figure.label}\n{hint}" if column == 0 else hint
        if role == Qt.ItemDataRole.UserRole:
            return figure.key
        return None


def _table(parent: QWidget, name: str, accessible: str, model: QAbstractTableModel,
           widths: Sequence[int]) -> QTableView:
    return record_table(parent, model, name, accessible, widths, fit_titles=True, row_padding=8)


class ReportsView(QWidget):
    """The "Báo cáo" tab. Signals for the main window: ``open_record(RecordRow)``, ``open_case(id)``,
    ``open_visit(id)`` (from the register); ``report_ready(OfficeReport)``, ``exported(Path)``."""

    open_record = Signal(object)
    open_case = Signal(object)
    open_visit = Signal(object)
    report_ready = Signal(object)
    exported = Signal(object)

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, today: date | None = None,
                 viewer: Viewer | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._today = today
        self._viewer = viewer if viewer is not None else desk_viewer()
        self._generation = 0
        self.report: OfficeReport | None = None
        self.report_op: BackgroundOp | None = None
        self.export_op: BackgroundOp | None = None
        self.last_drilldown: ReportDrilldownDialog | None = None
        self.last_register: RegisterDialog | None = None
        self.stale = False

        chosen = default_period(self.today)
        self.year_spin = QSpinBox(self)
        self.year_spin.setObjectName("report_year")
        self.year_spin.setAccessibleName("Năm báo cáo")
        self.year_spin.setRange(max(MIN_YEAR, 1990), min(MAX_YEAR, 2100))
        self.year_spin.setValue(chosen.year or report_year(self.today))
        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("report_period")
        self.period_combo.setAccessibleName("Kỳ báo cáo")
        self.from_edit = date_edit(self, chosen.start)
        self.from_edit.setObjectName("report_from")
        self.from_edit.setAccessibleName("Từ ngày")
        self.to_edit = date_edit(self, chosen.end)
        self.to_edit.setObjectName("report_to")
        self.to_edit.setAccessibleName("Đến ngày")
        self.make_button = QPushButton("&Lập báo cáo", self)
        self.make_button.setObjectName("make_report")
        self.make_button.setToolTip("Tính số liệu của kỳ và cùng kỳ năm trước")
        self.make_button.clicked.connect(self.make_report)
        self.cancel_button = QPushButton("&Hủy", self)
        self.cancel_button.setObjectName("cancel_report")
        self.cancel_button.clicked.connect(self.cancel)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("report_busy")
        self.busy.setRange(0, 0)  # an indicator: the report does not know its progress
        self.busy.setMaximumWidth(160)
        self.busy.setTextVisible(False)
        self.status_label = QLabel("Chọn kỳ báo cáo rồi bấm “Lập báo cáo”.", self)
        self.status_label.setObjectName("report_status")
        self.status_label.setAccessibleName("Trạng thái báo cáo")
        self.status_label.setWordWrap(True)

        picker = QHBoxLayout()
        year_label = QLabel("&Năm:", self)
        year_label.setBuddy(self.year_spin)
        period_label = QLabel("&Kỳ:", self)
        period_label.setBuddy(self.period_combo)
        picker.addWidget(year_label)
        picker.addWidget(self.year_spin)
        picker.addWidget(period_label)
        self.period_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        picker.addWidget(self.period_combo)
        picker.addWidget(QLabel("từ", self))
        picker.addWidget(self.from_edit)
        picker.addWidget(QLabel("đến", self))
        picker.addWidget(self.to_edit)
        picker.addWidget(self.make_button)
        picker.addWidget(self.cancel_button)
        picker.addWidget(self.busy)
        picker.addStretch(1)

        self.title_label = QLabel("", self)
        self.title_label.setObjectName("report_title")
        self.title_label.setTextFormat(Qt.TextFormat.RichText)
        self.title_label.setWordWrap(True)

        self.tcd_model = FigureTableModel(self)
        self.xld_model = FigureTableModel(self)
        widths = (30, 9, 12, 12, 7, 6)
        self.tcd_view = _table(self, "tcd_table", "Biểu 01/TCD", self.tcd_model, widths)
        self.xld_view = _table(self, "xld_table", "Biểu 01/XLD", self.xld_model, widths)
        for view in (self.tcd_view, self.xld_view):
            # the label takes what the numbers leave: no sideways scrolling to see the change
            view.horizontalHeader().setStretchLastSection(False)
            view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            view.activated.connect(lambda index, v=view: self.open_figure(v, index))
        self.forms = QTabWidget(self)
        self.forms.setObjectName("report_forms")
        self.forms.addTab(self.tcd_view, "Biểu 01/TCD — Tiếp công dân")
        self.forms.addTab(self.xld_view, "Biểu 01/XLD — Xử lý đơn")

        self.narrative_edit = QPlainTextEdit(self)
        self.narrative_edit.setObjectName("report_narrative")
        self.narrative_edit.setAccessibleName("Phần lời văn của báo cáo")
        self.narrative_edit.setReadOnly(True)
        self.narrative_edit.setPlaceholderText("Phần lời văn hiện ra ở đây sau khi lập báo cáo.")
        self.copy_button = QPushButton("Sao &chép", self)
        self.copy_button.setObjectName("copy_narrative")
        self.copy_button.setToolTip("Chép phần lời văn để dán vào báo cáo của cơ quan")
        self.copy_button.clicked.connect(self.copy_narrative)
        narrative_box = QGroupBox("Phần lời văn", self)
        narrative_layout = QVBoxLayout(narrative_box)
        narrative_layout.addWidget(self.narrative_edit, 1)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_button)
        narrative_layout.addLayout(copy_row)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.forms)
        self.splitter.addWidget(narrative_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([1800, 1000])  # proportions: the forms get the larger share

        self.detail_button = QPushButton("Xem bản ghi của số liệu", self)
        self.detail_button.setObjectName("open_figure")
        self.detail_button.setToolTip("Enter hoặc nhấp đúp trên một dòng của biểu")
        self.detail_button.clicked.connect(self.open_selected_figure)
        self.export_buttons: dict[str, QPushButton] = {}
        for spec in EXPORT_FORMATS:
            button = QPushButton(spec.button, self)
            button.setObjectName(f"export_{spec.code}")
            button.clicked.connect(lambda _=False, f=spec.code: self.export(f))
            button.setToolTip(export_problem(spec.code) or f"Ghi báo cáo đang xem ra tệp {spec.name}")
            self.export_buttons[spec.code] = button
        self.register_button = QPushButton("&Sổ tiếp công dân (Mẫu 03)…", self)
        self.register_button.setObjectName("open_register")
        self.register_button.setToolTip("Sổ tiếp công dân của khoảng ngày đang chọn")
        self.register_button.clicked.connect(self.open_register)
        actions = QHBoxLayout()
        actions.addWidget(self.detail_button)
        actions.addStretch(1)
        for button in self.export_buttons.values():
            actions.addWidget(button)
        actions.addSpacing(16)
        actions.addWidget(self.register_button)

        layout = QVBoxLayout(self)
        layout.addLayout(picker)
        layout.addWidget(self.status_label)
        layout.addWidget(self.title_label)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(actions)

        self._fill_periods(chosen.code)
        self.year_spin.valueChanged.connect(lambda _y: self._fill_periods(self._chosen_code()))
        self.period_combo.currentIndexChanged.connect(self._period_chosen)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._dates_typed)
        background.changes().database_changed.connect(self._data_changed)
        self._set_busy(False)

    # --- the period picker -------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self._today or date.today()

    def _chosen_code(self) -> str:
        return str(self.period_combo.currentData() or FREE_RANGE)

    def _fill_periods(self, code: str) -> None:
        """The year's official periods (with their dates), then the free range; keeps ``code``."""
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        for period in period_choices(self.year_spin.value()):
            self.period_combo.addItem(period.label, period.code)
        self.period_combo.addItem(FREE_RANGE_LABEL, FREE_RANGE)
        index = self.period_combo.findData(code)
        self.period_combo.setCurrentIndex(index if index >= 0 else 0)
        self.period_combo.blockSignals(False)
        self._period_chosen()

    def _period_chosen(self, _index: int = -1) -> None:
        code = self._chosen_code()
        if code == FREE_RANGE:
            return
        period = official_report_period(code, self.year_spin.value())
        for edit, value in ((self.from_edit, period.start), (self.to_edit, period.end)):
            edit.blockSignals(True)
            edit.setDate(to_qdate(value))
            edit.blockSignals(False)

    def _dates_typed(self) -> None:
        """Typing a date makes the period a free range (unless the dates are an official period)."""
        if self._chosen_code() != FREE_RANGE:
            self.period_combo.blockSignals(True)
            self.period_combo.setCurrentIndex(self.period_combo.findData(FREE_RANGE))
            self.period_combo.blockSignals(False)

    def set_period(self, period: ReportPeriod) -> None:
        """Show ``period`` in the picker (an official one by its year and code)."""
        if period.is_official and period.year is not None:
            self.year_spin.blockSignals(True)
            self.year_spin.setValue(period.year)
            self.year_spin.blockSignals(False)
            self._fill_periods(period.code)
            return
        self.period_combo.setCurrentIndex(self.period_combo.findData(FREE_RANGE))
        for edit, value in ((self.from_edit, period.start), (self.to_edit, period.end)):
            edit.blockSignals(True)
            edit.setDate(to_qdate(value))
            edit.blockSignals(False)

    def chosen_period(self) -> ReportPeriod:
        """The period in the picker; ValueError (Vietnamese) when the dates are the wrong way round."""
        code = self._chosen_code()
        if code != FREE_RANGE:
            return official_report_period(code, self.year_spin.value())
        return free_period(from_qdate(self.from_edit.date()), from_qdate(self.to_edit.date()))

    # --- making the report -------------------------------------------------------------------

    @property
    def computing(self) -> bool:
        return self.report_op is not None

    def _set_busy(self, computing: bool) -> None:
        self.busy.setVisible(computing)
        self.cancel_button.setVisible(computing)
        self.make_button.setEnabled(not computing)
        has_report = self.report is not None
        self.detail_button.setEnabled(has_report)
        self.copy_button.setEnabled(has_report)
        exporting = self.export_op is not None
        for button in self.export_buttons.values():
            button.setEnabled(has_report and not exporting)

    def make_report(self) -> BackgroundOp | None:
        """Compute the report of the chosen period on a worker thread."""
        try:
            period = self.chosen_period()
        except ValueError as exc:
            self.status_label.setText(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return None
        self._generation += 1
        generation, engine = self._generation, self._engine
        start, end = period.start, period.end

        def task(_progress: Progress, cancelled: CancelCheck) -> OfficeReport:
            report = office_report(engine, start, end)
            if cancelled():
                raise Cancelled("Đã hủy lập báo cáo.")
            return report

        self.status_label.setText(f"Đang lập báo cáo {period.label}…")
        op = BackgroundOp(self, task, error_title="Không lập được báo cáo")
        op.success(lambda report: self._report_arrived(generation, report))
        op.failure(lambda exc: self._report_failed(generation, exc))
        op.cancelled(lambda: None)
        self.report_op = op
        self._set_busy(True)
        return op.run_in_background()

    def cancel(self) -> None:
        """Stop waiting for the report: the tab is usable at once, a late answer is dropped."""
        if self.report_op is None:
            return
        self.report_op.cancel()
        self.report_op = None
        self._generation += 1
        self._set_busy(False)
        self.status_label.setText("Đã hủy lập báo cáo.")

    def _report_arrived(self, generation: int, report: OfficeReport) -> None:
        if generation != self._generation or not isValid(self):
            return  # cancelled, or an older request answered after a newer one
        self.report_op = None
        self.report = report
        self.stale = False
        self.tcd_model.set_figures(report.figures("tcd."))
        self.xld_model.set_figures(report.figures("xld."))
        self.narrative_edit.setPlainText(report.narrative.text)
        prev = report.previous_period
        self.title_label.setText(
            f"<b>Báo cáo {report.period.name}</b> — số liệu từ ngày {format_day(report.period.start)} đến ngày "
            f"{format_day(report.period.end)}, so với cùng kỳ từ ngày {format_day(prev.start)} đến ngày "
            f"{format_day(prev.end)}")
        received = report.current.get("xld.received.total", 0)
        visits = report.current.get("tcd.total.visits", 0)
        self.status_label.setText(f"Đã lập báo cáo: {dots(visits)} lượt tiếp, {dots(received)} đơn tiếp nhận. "
                                  "Enter trên một dòng để xem các bản ghi của số liệu đó.")
        self._set_busy(False)
        for view in (self.tcd_view, self.xld_view):
            if view.model().rowCount():
                view.selectRow(0)
        self.report_ready.emit(report)

    def _report_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation or not isValid(self):
            return
        self.report_op = None
        self._set_busy(False)
        self.status_label.setText("Không lập được báo cáo.")
        background.show_failure(self, exc, "Không lập được báo cáo")

    def _data_changed(self) -> None:
        if isValid(self) and self.report is not None and not self.stale:
            self.stale = True
            self.status_label.setText("Dữ liệu đã thay đổi sau khi lập báo cáo: bấm “Lập báo cáo” để tính lại.")

    # --- narrative and drill-down ------------------------------------------------------------

    def copy_narrative(self) -> None:
        text = self.narrative_edit.toPlainText()
        if text:
            QGuiApplication.clipboard().setText(text)
            self.status_label.setText("Đã chép phần lời văn; dán (Ctrl+V) vào báo cáo của cơ quan.")

    def open_figure(self, view: QTableView, index: QModelIndex) -> ReportDrilldownDialog | None:
        """The records behind the figure of ``index``'s row (of the previous year on that column)."""
        if self.report is None or not index.isValid():
            return None
        model = view.model()
        assert isinstance(model, FigureTableModel)
        figure = model.figure_at(index.row())
        if index.column() == FigureTableModel.PREVIOUS:
            period, value = self.report.previous_period, figure.previous
        else:
            period, value = self.report.period, figure.value
        dialog = ReportDrilldownDialog(self._engine, figure, period, value, self, viewer=self._viewer)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_record.connect(self.open_record)
        dialog.open_case.connect(self.open_case)
        dialog.show()
        self.last_drilldown = dialog
        return dialog

    def open_selected_figure(self) -> ReportDrilldownDialog | None:
        view = self.forms.currentWidget()
        assert isinstance(view, QTableView)
        return self.open_figure(view, view.currentIndex())

    # --- exports -----------------------------------------------------------------------------

    def export(self, fmt: str, path: Path | None = None) -> BackgroundOp | None:
        """Write the report shown as ``fmt`` (pdf, xlsx, docx) to a file the clerk chooses."""
        spec = _FORMATS[fmt]
        report = self.report
        if report is None:
            return None
        problem = export_problem(fmt)
        if problem is not None:
            self.status_label.setText(problem)
            dialogs.show_error(self, f"Không xuất được tệp {spec.name}", problem)
            return None
        if path is None:
            path = dialogs.ask_save_file(self, f"Xuất báo cáo ra tệp {spec.name}",
                                         file_stem(report.period) + spec.suffix, spec.file_filter)
            if path is None:
                return None
        target = with_suffix(path, spec.suffix)

        def task(_progress: Progress, _cancelled: CancelCheck) -> Path:
            try:
                reports.export_report(report, fmt, target)
            except ImportError as exc:  # a writer's module or library missing from this build
                raise _missing_writer(exc, f"tệp {spec.name}") from exc
            return target

        def done(written: Path) -> None:
            self.export_op = None
            self._set_busy(self.computing)
            self.status_label.setText(f"Đã xuất báo cáo ra tệp {spec.name}: {written}")
            self.exported.emit(written)

        def failed(exc: BaseException) -> None:
            self.export_op = None
            self._set_busy(self.computing)
            self.status_label.setText(f"Không xuất được tệp {spec.name}.")
            background.show_failure(self, exc, f"Không xuất được tệp {spec.name}")

        self.status_label.setText(f"Đang xuất báo cáo ra tệp {spec.name}…")
        op = BackgroundOp(self, task, error_title=f"Không xuất được tệp {spec.name}").success(done).failure(failed)
        self.export_op = op
        self._set_busy(self.computing)
        return op.run_in_background()

    # --- the register ------------------------------------------------------------------------

    def open_register(self) -> RegisterDialog | None:
        """The Sổ tiếp công dân of the period in the picker."""
        try:
            period = self.chosen_period()
        except ValueError as exc:
            self.status_label.setText(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return None
        dialog = RegisterDialog(self._engine, period, self, viewer=self._viewer)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_visit.connect(self.open_visit)
        dialog.show()
        self.last_register = dialog
        return dialog


# --- Sổ tiếp công dân (Mẫu 03) ----------------------------------------------------------------


@dataclass(frozen=True)
class _RegisterColumn:
    header: str
    index: int  # in RegisterRow.cells()


REGISTER_TABLE_COLUMNS: tuple[_RegisterColumn, ...] = tuple(
    _RegisterColumn(": ".join(path), n - 1) for n, path in REGISTER_COLUMNS)
_REGISTER_WIDTHS = (5, 16, 30, 18, 36, 20, 20, 14, 14, 22, 26)
REGISTER_PDF_PAGE = 500


class RegisterModel(PagedTableModel):
    """The register's rows, a page at a time (services.register.register_page)."""

    def __init__(self, engine: Engine, period: ReportPeriod, parent: QObject | None = None, *,
                 viewer: Viewer | None = None, page_size: int = REGISTER_PAGE_SIZE) -> None:
        super().__init__(engine, REGISTER_TABLE_COLUMNS, parent, page_size=page_size)
        self.period = period
        self._viewer = viewer

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row: RegisterRow = self._rows[index.row()]
        text = row.cells()[REGISTER_TABLE_COLUMNS[index.column()].index]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return one_line(text)
        if role == Qt.ItemDataRole.ToolTipRole:
            return text or None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def row_at(self, row: int) -> RegisterRow:
        return self._rows[row]

    def _page_reader(self, after: RegisterCursor | None) -> Callable[[], RegisterPage]:
        engine, viewer, limit = self._engine, self._viewer, self._page_size
        start, end = self.period.start, self.period.end
        return lambda: register_page(engine, start, end, after=after, limit=limit, viewer=viewer)


class RegisterDialog(QDialog):
    """The Sổ tiếp công dân (Mẫu 03) of a period: a lazy list and, when offered, a PDF export."""

    open_visit = Signal(object)
    counted = Signal(int)
    exported = Signal(object)
    printed = Signal(int)  # pages sent to the printer

    def __init__(self, engine: Engine, period: ReportPeriod, parent: QWidget | None = None, *,
                 viewer: Viewer | None = None, page_size: int = REGISTER_PAGE_SIZE) -> None:
        super().__init__(parent)
        self._engine = engine
        self.period = period
        self._viewer = viewer if viewer is not None else desk_viewer()
        self.count: int | None = None
        self.export_op: BackgroundOp | None = None
        self.setWindowTitle(f"Sổ tiếp công dân (Mẫu 03) — từ ngày {format_day(period.start)} "
                            f"đến ngày {format_day(period.end)}")
        self.resize(1280, 680)

        self.count_label = QLabel("Đang đếm…", self)
        self.count_label.setObjectName("register_count")
        self.count_label.setAccessibleName("Số lượt tiếp trong sổ")
        self.model = RegisterModel(engine, period, self, viewer=self._viewer, page_size=page_size)
        self.view = _table(self, "register_table", "Sổ tiếp công dân", self.model, _REGISTER_WIDTHS)
        self.view.activated.connect(lambda index: self._open(index.row()))

        self.writer = register_pdf_writer()
        self.pdf_button = QPushButton("Xuất &PDF để in…", self)
        self.pdf_button.setObjectName("register_pdf")
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.print_button = QPushButton("&In sổ…", self)
        self.print_button.setObjectName("register_print")
        self.print_button.clicked.connect(lambda: self.print_register())
        if self.writer is None:
            for button in (self.pdf_button, self.print_button):
                button.setEnabled(False)
                button.setToolTip("Bản này chưa có bộ in sổ tiếp công dân ra tệp PDF.")
        self.status_label = QLabel("Enter hoặc nhấp đúp: mở lượt tiếp.", self)
        self.status_label.setObjectName("register_status")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText("Đóng")
        close.rejected.connect(self.reject)
        # Enter in the list opens the visit (activated); no button may take it as the default too
        for button in (self.pdf_button, self.print_button, close.button(QDialogButtonBox.StandardButton.Close)):
            button.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.pdf_button)
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.count_label)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self.model.reload()
        self._count()

    def _count(self) -> None:
        engine, start, end = self._engine, self.period.start, self.period.end

        def counted(count: int) -> None:
            if isValid(self):
                self.count = count
                self.count_label.setText(f"{self.period.label}: {dots(count)} lượt tiếp công dân.")
                self.counted.emit(count)

        BackgroundOp(self, lambda _p, _c: register_count(engine, start, end),
                     error_title="Không đếm được sổ tiếp công dân").success(counted).run_in_background()

    def _open(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_visit.emit(self.model.row_at(row).visit_id)

    def _set_working(self, working: bool) -> None:
        for button in (self.pdf_button, self.print_button):
            button.setEnabled(not working and self.writer is not None)

    def _writing(self, target: Path) -> Callable[[Progress, CancelCheck], int]:
        """The task writing the register of the period to ``target`` (values taken now: the
        dialog may be closed while the task runs)."""
        writer, engine, viewer, start, end = self.writer, self._engine, self._viewer, self.period.start, self.period.end
        assert writer is not None

        def task(progress: Progress, cancelled: CancelCheck) -> int:
            total = register_count(engine, start, end)
            office = load_office_settings(engine)

            def rows() -> Iterator[RegisterRow]:
                done, after = 0, None
                while True:
                    if cancelled():
                        raise Cancelled("Đã hủy in sổ tiếp công dân.")
                    page = register_page(engine, start, end, after=after, limit=REGISTER_PDF_PAGE, viewer=viewer)
                    yield from page.rows
                    done += len(page.rows)
                    progress(done, total)
                    if page.next is None:
                        return
                    after = page.next

            try:
                return writer(rows(), start, end, target, office=office)
            except ImportError as exc:
                raise _missing_writer(exc, "sổ tiếp công dân") from exc

        return task

    def _run(self, task: Callable[[Progress, CancelCheck], Any], label: str, done: Callable[[Any], None],
             title: str) -> BackgroundOp:
        def finished(result: Any) -> None:
            self.export_op = None
            self._set_working(False)
            done(result)

        def stopped() -> None:
            self.export_op = None
            self._set_working(False)
            self.status_label.setText("Đã hủy; không có tệp nào được ghi.")

        def failed(exc: BaseException) -> None:
            self.export_op = None
            self._set_working(False)
            self.status_label.setText(f"{title}.")
            background.show_failure(self, exc, title)

        self._set_working(True)
        self.status_label.setText(label)
        self.export_op = (BackgroundOp(self, task, label=label, error_title=title)
                          .success(finished).cancelled(stopped).failure(failed).run_in_background())
        return self.export_op

    def export_pdf(self, path: Path | None = None) -> BackgroundOp | None:
        """The whole register of the period as a PDF (A4 landscape), page by page on a worker
        thread with progress and "Hủy" (cancelling writes nothing)."""
        if self.writer is None:
            return None
        start, end = self.period.start, self.period.end
        if path is None:
            path = dialogs.ask_save_file(self, "Lưu sổ tiếp công dân thành tệp PDF",
                                         f"so-tiep-cong-dan-{start:%Y-%m-%d}-den-{end:%Y-%m-%d}.pdf",
                                         "Tệp PDF (*.pdf)")
            if path is None:
                return None
        target = with_suffix(path, ".pdf")

        def done(count: int) -> None:
            self.status_label.setText(f"Đã lưu sổ ({dots(count)} lượt tiếp) vào tệp {target}")
            self.exported.emit(target)

        return self._run(self._writing(target),
                         f"Đang dựng sổ tiếp công dân {self.period.label}…", done, "Không lưu được sổ tiếp công dân")

    def print_register(self) -> BackgroundOp | None:
        """Print the register: the PDF is made on a worker thread, then Qt's print dialog, then
        the pages go to the printer on a worker thread (ui.letter_preview.print_pdf), landscape."""
        if self.writer is None:
            return None

        folder = tempfile.TemporaryDirectory(prefix="so-tiep-cong-dan-")
        write = self._writing(Path(folder.name) / "so.pdf")

        def render(progress: Progress, cancelled: CancelCheck) -> tuple[bytes, int]:
            with folder:  # removed as soon as the bytes are read, whatever happens
                write(progress, cancelled)
                pdf = (Path(folder.name) / "so.pdf").read_bytes()
            return pdf, letter_preview.pdf_page_count(pdf)

        def rendered(result: tuple[bytes, int]) -> None:
            pdf, pages = result
            printer = letter_preview.ask_printer(self, pages)
            if printer is None:
                self.status_label.setText("Đã không in.")
                return
            printer.setDocName("Sổ tiếp công dân")
            printer.setPageOrientation(QPageLayout.Orientation.Landscape)  # the form is wide

            def sent(count: int) -> None:
                self.status_label.setText(f"Đã gửi {dots(count)} trang sổ tới máy in.")
                self.printed.emit(count)

            self._run(lambda progress, cancelled: letter_preview.print_pdf(pdf, printer, progress, cancelled),
                      "Đang gửi sổ tiếp công dân tới máy in…", sent, "Không in được sổ tiếp công dân")

        return self._run(render, f"Đang dựng sổ tiếp công dân {self.period.label} để in…", rendered,
                         "Không in được sổ tiếp công dân")
