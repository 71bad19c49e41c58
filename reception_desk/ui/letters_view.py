"""LettersView: the register of outgoing documents (Sổ văn bản đi).

A lazy table (ui.table_models.PagedTableModel over services.letters.list_letters, newest first)
of every document the desk issued: number and symbol, date, kind, recipient, subject, status. A
cancelled document keeps its line and its number, greyed and struck through, with the reason in
its tooltip. Filters: the period (this year by default), the kind, the status and a text (a piece
of the symbol, the recipient or the subject). Enter or double-click opens the document as issued
in the preview (print, PDF, DOCX, void). "In cả kỳ…" renders every document of the period (of the
kind and status chosen; the text filter does not apply) into one PDF on a worker thread, with
progress and "Hủy", then opens it in the preview to print or save.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy import Engine

from reception_desk.domain.letters import KIND_LABELS, LetterContent, LetterKind, LetterStatus
from reception_desk.services import letter_pdf, letters
from reception_desk.services.errors import CancelCheck, Progress, UserError
from reception_desk.services.letters import LetterRow
from reception_desk.ui import background
from reception_desk.ui.background import BackgroundOp
from reception_desk.ui.form_support import date_edit, from_qdate, to_qdate
from reception_desk.ui.letter_preview import LetterPreviewDialog, open_letter, show_preview
from reception_desk.ui.table_models import PagedTableModel, format_date, one_line
from reception_desk.ui.tables import record_table

TITLE = "Văn bản đi"
PAGE_SIZE = 200
SEARCH_DEBOUNCE_MS = 250
VOID_FOREGROUND = QColor("#6c6c6c")
STATUS_TEXT = {LetterStatus.ISSUED: "Đã phát hành", LetterStatus.VOID: "Đã hủy"}
# (label, how the period is computed from today); "Tùy chọn" keeps the dates typed.
PERIODS: tuple[tuple[str, Callable[[date], tuple[date | None, date | None]] | None], ...] = (
    ("Năm nay", lambda t: (date(t.year, 1, 1), date(t.year, 12, 31))),
    ("Tháng này", lambda t: (t.replace(day=1), (t.replace(day=28) + timedelta(days=4)).replace(day=1)
                             - timedelta(days=1))),
    ("Tháng trước", lambda t: ((t.replace(day=1) - timedelta(days=1)).replace(day=1),
                               t.replace(day=1) - timedelta(days=1))),
    ("Quý này", lambda t: (date(t.year, 3 * ((t.month - 1) // 3) + 1, 1),
                           (date(t.year + (t.month > 9), (3 * ((t.month - 1) // 3) + 3) % 12 + 1, 1)
                            - timedelta(days=1)))),
    ("Năm trước", lambda t: (date(t.year - 1, 1, 1), date(t.year - 1, 12, 31))),
    ("Mọi ngày", lambda _t: (None, None)),
    ("Tùy chọn", None),
)
CUSTOM = len(PERIODS) - 1
EVERY_DAY = CUSTOM - 1

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class _Column:
    header: str
    text: Callable[[LetterRow], str]
    full_text: Callable[[LetterRow], str | None] | None = None


def status_text(row: LetterRow) -> str:
    if row.status is LetterStatus.VOID:
        return STATUS_TEXT[row.status] + (f": {one_line(row.void_reason)}" if row.void_reason else "")
    return STATUS_TEXT[row.status]


COLUMNS: tuple[_Column, ...] = (
    _Column("Số, ký hiệu", lambda r: r.symbol),
    _Column("Ngày", lambda r: format_date(r.issued_on)),
    _Column("Loại văn bản", lambda r: r.kind_label),
    _Column("Nơi nhận", lambda r: one_line(r.recipient), lambda r: r.recipient),
    _Column("Trích yếu", lambda r: one_line(r.subject), lambda r: r.subject),
    _Column("Trạng thái", status_text),
)
_WIDTHS = (16, 11, 22, 36, 40)


@dataclass(frozen=True, slots=True)
class _Page:
    rows: list[LetterRow]
    next: int | None  # the offset of the next page; None after the last


@dataclass(frozen=True, slots=True)
class RegisterFilter:
    date_from: date | None = None
    date_to: date | None = None
    kind: LetterKind | None = None
    status: LetterStatus | None = None
    search: str = ""

    def arguments(self) -> dict[str, Any]:
        return {"date_from": self.date_from, "date_to": self.date_to, "kind": self.kind, "status": self.status,
                "search": self.search or None}


class LetterModel(PagedTableModel):
    """The register with its filters, fetched a page at a time as the clerk scrolls."""

    def __init__(self, engine: Engine, parent: QObject | None = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(engine, COLUMNS, parent, page_size=page_size)
        self.filter = RegisterFilter()
        self._struck = QFont()
        self._struck.setStrikeOut(True)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row: LetterRow = self._rows[index.row()]
        column = COLUMNS[index.column()]
        void = row.status is LetterStatus.VOID
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if void:
                when = f" ngày {row.voided_at.astimezone():%d/%m/%Y}" if row.voided_at else ""
                who = f" ({row.voided_by})" if row.voided_by else ""
                return f"Văn bản đã hủy{when}{who}; số không được cấp lại. Lý do: {row.void_reason or ''}"
            return column.full_text(row) if column.full_text else None
        if void and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(VOID_FOREGROUND)
        if void and role == Qt.ItemDataRole.FontRole:
            return self._struck
        return None

    def row_at(self, row: int) -> LetterRow:
        return self._rows[row]

    def set_filter(self, value: RegisterFilter) -> None:
        if value != self.filter:
            self.filter = value
            self.reload()

    def _page_reader(self, offset: int | None) -> Callable[[], _Page]:
        engine, arguments, limit, start = self._engine, self.filter.arguments(), self._page_size, offset or 0

        def read() -> _Page:
            rows = letters.list_letters(engine, limit=limit, offset=start, **arguments)
            return _Page(rows, start + len(rows) if len(rows) == limit else None)

        return read


class LettersView(QWidget):
    """The "Văn bản đi" tab; ``countChanged(int)`` after each count."""

    countChanged = Signal(int)  # noqa: N815 - Qt signal naming
    batchReady = Signal(object)  # noqa: N815 - the preview of "In cả kỳ"

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._today = today
        self._count_generation = 0
        self.batch_op: BackgroundOp | None = None
        self.last_preview: LetterPreviewDialog | None = None

        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("period")
        self.period_combo.setAccessibleName("Kỳ")
        for label, _compute in PERIODS:
            self.period_combo.addItem(label)
        self.from_edit = date_edit(self, self.today)
        self.from_edit.setObjectName("date_from")
        self.from_edit.setAccessibleName("Từ ngày")
        self.to_edit = date_edit(self, self.today)
        self.to_edit.setObjectName("date_to")
        self.to_edit.setAccessibleName("Đến ngày")
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("kind")
        self.kind_combo.setAccessibleName("Loại văn bản")
        self.kind_combo.addItem("Mọi loại", None)
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind.value)
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("status")
        self.status_combo.setAccessibleName("Trạng thái")
        self.status_combo.addItem("Mọi trạng thái", None)
        self.status_combo.addItem("Đã phát hành", LetterStatus.ISSUED.value)
        self.status_combo.addItem("Đã hủy", LetterStatus.VOID.value)
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("letter_search")
        self.search_edit.setAccessibleName("Tìm văn bản")
        self.search_edit.setPlaceholderText("Số, ký hiệu, nơi nhận hoặc trích yếu")
        self.search_edit.setClearButtonEnabled(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self.search_edit.textEdited.connect(lambda _t: self._debounce.start())
        self.search_edit.returnPressed.connect(self.apply_filter)

        self.model = LetterModel(engine, self)
        self.view = record_table(self, self.model, "letters_table", "Sổ văn bản đi", _WIDTHS)
        self.view.activated.connect(lambda index: self.open_row(index.row()))
        self.view.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.model.page_loaded.connect(lambda _n: self._update_buttons())

        self.open_button = QPushButton("&Xem, in văn bản", self)
        self.open_button.setObjectName("open_letter")
        self.open_button.setToolTip("Enter")
        self.open_button.clicked.connect(self.open_selected)
        self.batch_button = QPushButton("In &cả kỳ…", self)
        self.batch_button.setObjectName("print_period")
        self.batch_button.setToolTip("Mọi văn bản của kỳ (theo loại và trạng thái đã chọn) trong một tệp PDF")
        self.batch_button.clicked.connect(self.print_period)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("letters_count")
        self.count_label.setAccessibleName("Số văn bản")
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("letters_status")
        refresh = QPushButton("Làm mới", self)
        refresh.setToolTip("F5")
        refresh.clicked.connect(self.refresh)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("Kỳ:", self))
        filters.addWidget(self.period_combo)
        filters.addWidget(QLabel("từ", self))
        filters.addWidget(self.from_edit)
        filters.addWidget(QLabel("đến", self))
        filters.addWidget(self.to_edit)
        filters.addWidget(self.kind_combo)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.search_edit, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.batch_button)
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.count_label)
        buttons.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self._set_period(0)
        self.period_combo.currentIndexChanged.connect(self._period_chosen)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._dates_typed)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.status_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        background.changes().database_changed.connect(self.refresh)
        self._update_buttons()
        self.apply_filter(force=True)

    # --- filters ------------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self._today or date.today()

    def _set_period(self, index: int) -> None:
        compute = PERIODS[index][1]
        if compute is None:
            return
        start, end = compute(self.today)
        for edit, value in ((self.from_edit, start), (self.to_edit, end)):
            edit.blockSignals(True)
            if value is not None:
                edit.setDate(to_qdate(value))
            edit.setEnabled(value is not None)
            edit.blockSignals(False)

    def _period_chosen(self, index: int) -> None:
        if index == CUSTOM:
            for edit in (self.from_edit, self.to_edit):
                edit.setEnabled(True)
        else:
            self._set_period(index)
        self.apply_filter()

    def _dates_typed(self) -> None:
        if self.period_combo.currentIndex() != CUSTOM:
            self.period_combo.blockSignals(True)
            self.period_combo.setCurrentIndex(CUSTOM)
            self.period_combo.blockSignals(False)
        self.apply_filter()

    def set_period(self, date_from: date | None, date_to: date | None) -> None:
        """Show a period (None, None: every day)."""
        if date_from is None and date_to is None:
            self.period_combo.setCurrentIndex(EVERY_DAY)
            return
        self.period_combo.blockSignals(True)
        self.period_combo.setCurrentIndex(CUSTOM)
        self.period_combo.blockSignals(False)
        for edit, value in ((self.from_edit, date_from), (self.to_edit, date_to)):
            edit.blockSignals(True)
            edit.setEnabled(True)
            if value is not None:
                edit.setDate(to_qdate(value))
            edit.blockSignals(False)
        self.apply_filter()

    def period(self) -> tuple[date | None, date | None]:
        if self.period_combo.currentIndex() == EVERY_DAY:
            return None, None
        return from_qdate(self.from_edit.date()), from_qdate(self.to_edit.date())

    def current_filter(self) -> RegisterFilter:
        start, end = self.period()
        kind = self.kind_combo.currentData()
        status = self.status_combo.currentData()
        return RegisterFilter(start, end, LetterKind(kind) if kind else None,
                              LetterStatus(status) if status else None, self.search_edit.text().strip())

    def apply_filter(self, force: bool = False) -> None:
        self._debounce.stop()
        value = self.current_filter()
        if value.date_from and value.date_to and value.date_from > value.date_to:
            self.status_label.setText(f"Từ ngày {format_date(value.date_from)} ở sau đến ngày "
                                      f"{format_date(value.date_to)}.")
            return
        self.status_label.setText("")
        if force or value != self.model.filter:
            self.model.filter = value
            self.model.reload()
            self._count()

    # --- loading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        if not isValid(self):
            return
        self.model.reload()
        self._count()

    def _count(self) -> None:
        self._count_generation += 1
        generation, engine, arguments = self._count_generation, self._engine, self.model.filter.arguments()
        self.count_label.setText("Đang đếm…")

        def counted(count: int) -> None:
            if generation == self._count_generation and isValid(self):
                self.count_label.setText(f"{count:,} văn bản".replace(",", "."))
                self.countChanged.emit(count)

        BackgroundOp(self, lambda _p, _c: letters.count_letters(engine, **arguments),
                     error_title="Không đếm được văn bản").success(counted).run_in_background()

    # --- actions ------------------------------------------------------------------------------

    def selected_row(self) -> LetterRow | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected_row() is not None)

    def open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            open_letter(self, self._engine, self.model.row_at(row).id)

    def open_selected(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.open_row(index.row())

    def print_period(self) -> BackgroundOp | None:
        """Every document of the period (kind and status as filtered) in one PDF, in the background."""
        value = self.current_filter()
        start, end = value.date_from, value.date_to
        if start is None or end is None:
            self.status_label.setText("Chọn một kỳ (từ ngày … đến ngày …) để in cả kỳ.")
            return None
        if start > end:
            return None
        kinds = [value.kind] if value.kind else list(LetterKind)
        only = value.status
        engine = self._engine

        def task(progress: Progress, cancelled: CancelCheck) -> tuple[list[LetterContent], bytes]:
            contents: list[LetterContent] = []
            for kind in kinds:  # in number order within each kind, the kinds in register order
                contents += letters.letters_for_period(engine, start, end, kind,
                                                       include_void=only is not LetterStatus.ISSUED)
            if only is LetterStatus.VOID:
                contents = [c for c in contents if c.void]
            if not contents:
                raise UserError(f"Không có văn bản nào từ ngày {format_date(start)} đến ngày {format_date(end)} "
                                "theo bộ lọc đã chọn.")
            return contents, letter_pdf.render_letters(contents, progress, cancelled)

        what = value.kind and KIND_LABELS[value.kind].lower() or "văn bản"
        self.batch_button.setEnabled(False)
        self.status_label.setText(f"Đang dựng {what} từ {format_date(start)} đến {format_date(end)}…")

        def ready(result: tuple[list[LetterContent], bytes]) -> None:
            contents, pdf = result
            self.batch_button.setEnabled(True)
            self.status_label.setText(f"Đã dựng {len(contents)} văn bản.")
            title = (f"{len(contents)} {what} từ ngày {format_date(start)} đến ngày {format_date(end)}")
            self.last_preview = show_preview(self, engine, contents=contents, pdf=pdf, title=title,
                                             file_name=f"van-ban-di-{start:%Y-%m-%d}-den-{end:%Y-%m-%d}")
            self.batchReady.emit(self.last_preview)

        def stopped() -> None:
            self.batch_button.setEnabled(True)
            self.status_label.setText("Đã hủy in cả kỳ.")

        def failed(exc: BaseException) -> None:
            self.batch_button.setEnabled(True)
            self.status_label.setText("")
            background.show_failure(self, exc, "Không in được cả kỳ")

        self.batch_op = (
            BackgroundOp(self, task, label=f"Đang dựng {what} từ {format_date(start)} đến {format_date(end)}…",
                         error_title="Không in được cả kỳ")
            .success(ready).cancelled(stopped).failure(failed).run_in_background()
        )
        return self.batch_op
