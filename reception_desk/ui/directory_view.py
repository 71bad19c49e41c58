"""Danh bạ cơ quan: the agencies table with a filter, add/edit, deactivate, and CSV/XLSX import.

A directory holds hundreds to a few thousand agencies (every commune of a province at most), so
the table holds the filtered list in memory; each read and write still runs through
ui.background, and the list reloads whenever any write lands (``changes().database_changed``).
Dialogs are opened with ``open()`` (window-modal, not blocking), so tests can drive them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from reception_desk.services import directory
from reception_desk.services.directory import AgencyInput, AgencyRow, ImportReport
from reception_desk.ui import background, dialogs
from reception_desk.ui.background import BackgroundOp

SEARCH_DEBOUNCE_MS = 250
IMPORT_FILTER = "Danh bạ cơ quan (*.csv *.xlsx);;Tệp CSV (*.csv);;Tệp Excel (*.xlsx);;Mọi tệp (*)"
INACTIVE_FOREGROUND = QColor("#6c757d")

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[Any], str]
    width: int = 12  # initial width in average characters; the last column stretches
    tooltip: str | None = None  # of the header, when the title is a short form
    numeric: bool = False  # right-aligned


class RowsTableModel(QAbstractTableModel):
    """A small read-only table over a list of rows (dataclasses), one ``Column`` per column."""

    def __init__(self, columns: Sequence[Column], parent: QWidget | None = None,
                 greyed: Callable[[Any], bool] | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: list[Any] = []
        self._greyed = greyed

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.columns[index.column()].text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[index.column()].numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and self._greyed is not None and self._greyed(row):
            return QBrush(INACTIVE_FOREGROUND)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].tooltip
        return None


def make_table(model: RowsTableModel, name: str, parent: QWidget) -> QTableView:
    """A row-selecting, read-only table with sensible initial column widths."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    char = view.fontMetrics().averageCharWidth()
    for i, column in enumerate(model.columns):
        title_width = header.fontMetrics().horizontalAdvance(column.header) + 24
        header.resizeSection(i, max(column.width * char + 16, title_width))
    return view


INACTIVE_SUFFIX = " (ngừng sử dụng)"

AGENCY_COLUMNS = (
    # A deactivated agency says so in words as well as in grey.
    Column("Tên cơ quan", lambda a: a.name + ("" if a.active else INACTIVE_SUFFIX), 40),
    Column("Ký hiệu", lambda a: a.short_code or "", 9),
    Column("Cấp", lambda a: a.level_label, 25),
    Column("Cơ quan cấp trên", lambda a: a.parent_name or "", 22),
    Column("Điện thoại", lambda a: a.phone or "", 13),
    Column("Email", lambda a: a.email or "", 24),
    Column("Địa chỉ", lambda a: a.address or "", 30),
)


class DirectoryView(QWidget):
    """The agency directory: filter, table, and the buttons acting on the selected agency."""

    loaded = Signal(int)  # the number of agencies shown after a reload

    def __init__(self, engine: Engine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self._generation = 0
        self.dialog: AgencyDialog | None = None
        self._select_after_reload: UUID | None = None

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Tìm cơ quan theo tên hoặc ký hiệu (gõ không dấu cũng được)…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Tìm cơ quan")
        self.show_inactive = QCheckBox("Hiện cả cơ quan ngừng sử dụng", self)
        self.count_label = QLabel(self)

        self.model = RowsTableModel(AGENCY_COLUMNS, self, greyed=lambda a: not a.active)
        self.table = make_table(self.model, "agencies_table", self)
        self.table.setAccessibleName("Danh bạ cơ quan")

        self.add_button = QPushButton("&Thêm cơ quan…", self)
        self.edit_button = QPushButton("&Sửa…", self)
        self.active_button = QPushButton("&Ngừng sử dụng", self)
        self.delete_button = QPushButton("&Xóa", self)
        self.delete_button.setToolTip("Chỉ xóa được cơ quan chưa gắn với đơn, chuyển đơn hay buổi tiếp nào")
        self.import_button = QPushButton("Nhập từ tệp &CSV/Excel…", self)

        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.show_inactive)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.active_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        buttons.addSpacing(12)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.reload)
        self.filter_edit.textChanged.connect(self._debounce.start)
        self.show_inactive.toggled.connect(self.reload)
        self.add_button.clicked.connect(self.add_agency)
        self.edit_button.clicked.connect(self.edit_selected)
        self.active_button.clicked.connect(self.toggle_active)
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(self.import_file)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        background.changes().database_changed.connect(self.reload)
        self._update_buttons()
        self.reload()

    # --- reading ----------------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        text = self.filter_edit.text()
        inactive = self.show_inactive.isChecked()
        engine = self.engine
        BackgroundOp(self, lambda _p, _c: directory.list_agencies(engine, text, include_inactive=inactive)) \
            .success(lambda rows: self._loaded(generation, rows)).run_in_background()

    def _loaded(self, generation: int, rows: list[AgencyRow]) -> None:
        if generation != self._generation:
            return  # an older query answered late
        selected = self.selected()
        wanted = self._select_after_reload or (selected.id if selected is not None else None)
        self._select_after_reload = None
        self.model.set_rows(rows)
        for i, row in enumerate(rows):
            if row.id == wanted:
                self.table.selectRow(i)
                break
        self.count_label.setText(f"{len(rows)} cơ quan")
        self._update_buttons()
        self.loaded.emit(len(rows))

    def selected(self) -> AgencyRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.row_at(rows[0].row()) if rows else None

    def select_name(self, name: str) -> bool:
        """Select the agency with this exact name if it is listed."""
        for i, row in enumerate(self.model.rows):
            if row.name == name:
                self.table.selectRow(i)
                return True
        return False

    @Slot()
    def _update_buttons(self) -> None:
        agency = self.selected()
        for button in (self.edit_button, self.active_button, self.delete_button):
            button.setEnabled(agency is not None)
        self.active_button.setText("&Dùng lại" if agency is not None and not agency.active else "&Ngừng sử dụng")

    # --- writing ----------------------------------------------------------------------------

    @Slot()
    def add_agency(self) -> None:
        self._open_dialog(None)

    @Slot()
    def edit_selected(self) -> None:
        agency = self.selected()
        if agency is not None:
            self._open_dialog(agency)

    def _open_dialog(self, agency: AgencyRow | None) -> None:
        self.dialog = AgencyDialog(self.engine, agency, self)
        self.dialog.saved.connect(self._saved)
        self.dialog.open()

    def _saved(self, agency: AgencyRow) -> None:
        # The list reloads through database_changed; select the saved agency when it arrives.
        self._select_after_reload = agency.id

    @Slot()
    def toggle_active(self) -> None:
        agency = self.selected()
        if agency is None:
            return
        engine = self.engine
        if agency.active and not dialogs.ask_yes_no(
                self, "Ngừng sử dụng cơ quan",
                f"Ẩn “{agency.name}” khỏi các danh sách chọn? Đơn, chuyển đơn và buổi tiếp đã ghi vẫn giữ tên "
                "cơ quan này; có thể dùng lại bất cứ lúc nào.", yes="Ngừng sử dụng", no="Không"):
            return
        BackgroundOp(self, lambda _p, _c: directory.set_active(engine, agency.id, agency.version, not agency.active),
                     writes=True, error_title="Không đổi được trạng thái").run_in_background()

    @Slot()
    def delete_selected(self) -> None:
        agency = self.selected()
        if agency is None:
            return
        if not dialogs.ask_yes_no(self, "Xóa cơ quan", f"Xóa hẳn “{agency.name}” khỏi danh bạ?", yes="Xóa"):
            return
        engine = self.engine
        BackgroundOp(self, lambda _p, _c: directory.delete_agency(engine, agency.id, agency.version),
                     writes=True, error_title="Không xóa được cơ quan").run_in_background()

    @Slot()
    def import_file(self) -> None:
        path = dialogs.ask_open_file(self, "Nhập danh bạ cơ quan", IMPORT_FILTER)
        if path is None:
            return
        engine = self.engine
        BackgroundOp(
            self, lambda progress, cancel: directory.import_agencies(engine, path, progress=progress, cancel=cancel),
            label=f"Đang nhập danh bạ cơ quan từ {path.name}…", writes=True,
            error_title="Không nhập được danh bạ cơ quan",
        ).success(self._imported).run_in_background()

    def _imported(self, report: ImportReport) -> None:
        dialogs.show_info(self, "Đã nhập danh bạ cơ quan", report.summary())


class AgencyDialog(QDialog):
    """Add or edit one agency; the save runs in the background and the dialog stays open on error."""

    saved = Signal(object)  # the AgencyRow as stored

    def __init__(self, engine: Engine, agency: AgencyRow | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.agency = agency
        self.setWindowTitle("Sửa thông tin cơ quan" if agency else "Thêm cơ quan")
        self.setMinimumWidth(520)
        self.name_edit = QLineEdit(self)
        self.code_edit = QLineEdit(self)
        self.code_edit.setPlaceholderText("ví dụ: UBND, STNMT")
        self.level_combo = QComboBox(self)
        self.level_combo.addItem("(không ghi)", None)
        for code, label in directory.level_choices():
            self.level_combo.addItem(label, code)
        self.parent_combo = QComboBox(self)
        self.parent_combo.addItem("(không có)", None)
        self.parent_combo.setEnabled(False)  # until the choices arrive
        self.address_edit = QLineEdit(self)
        self.phone_edit = QLineEdit(self)
        self.email_edit = QLineEdit(self)
        form = QFormLayout()
        form.addRow("&Tên cơ quan:", self.name_edit)
        form.addRow("&Ký hiệu:", self.code_edit)
        form.addRow("&Cấp:", self.level_combo)
        form.addRow("Cơ quan cấp &trên:", self.parent_combo)
        form.addRow("Đị&a chỉ:", self.address_edit)
        form.addRow("Điện t&hoại:", self.phone_edit)
        form.addRow("&Email:", self.email_edit)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("&Lưu", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        if agency is not None:
            self.name_edit.setText(agency.name)
            self.code_edit.setText(agency.short_code or "")
            self.level_combo.setCurrentIndex(max(0, self.level_combo.findData(agency.level)))
            self.address_edit.setText(agency.address or "")
            self.phone_edit.setText(agency.phone or "")
            self.email_edit.setText(agency.email or "")
        self.choices_loaded = False
        BackgroundOp(self, lambda _p, _c: directory.list_agencies(engine)).success(self._fill_parents) \
            .run_in_background()

    def _fill_parents(self, rows: list[AgencyRow]) -> None:
        own = self.agency.id if self.agency else None
        for row in rows:
            if row.id != own:
                self.parent_combo.addItem(row.name, row.id)
        if self.agency is not None and self.agency.parent_id is not None:
            index = self.parent_combo.findData(self.agency.parent_id)
            if index < 0:  # a deactivated parent is still shown as the current one
                self.parent_combo.addItem(self.agency.parent_name or "", self.agency.parent_id)
                index = self.parent_combo.count() - 1
            self.parent_combo.setCurrentIndex(index)
        self.parent_combo.setEnabled(True)
        self.choices_loaded = True

    def value(self) -> AgencyInput:
        parent_id = self.parent_combo.currentData()
        if not self.choices_loaded and self.agency is not None:
            parent_id = self.agency.parent_id  # saving before the list arrived keeps the parent
        return AgencyInput(
            name=self.name_edit.text(), short_code=self.code_edit.text(), level=self.level_combo.currentData(),
            parent_id=parent_id if isinstance(parent_id, UUID) else None, address=self.address_edit.text(),
            email=self.email_edit.text(), phone=self.phone_edit.text(),
        )

    @Slot()
    def save(self) -> None:
        data = self.value()
        engine, agency = self.engine, self.agency
        self.save_button.setEnabled(False)
        if agency is None:
            task = lambda _p, _c: directory.create_agency(engine, data)  # noqa: E731
        else:
            task = lambda _p, _c: directory.update_agency(engine, agency.id, agency.version, data)  # noqa: E731
        BackgroundOp(self, task, writes=True, error_title="Chưa lưu được cơ quan") \
            .success(self._saved).failure(self._failed).run_in_background()

    def _saved(self, row: AgencyRow) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(row)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)  # what was typed stays in the fields
        background.show_failure(self, exc, "Chưa lưu được cơ quan")
