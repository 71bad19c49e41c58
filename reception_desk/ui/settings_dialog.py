"""Cài đặt: the office's letterhead details and the calendar of days off and make-up days.

Tab "Cơ quan" edits services.settings.OfficeSettings (what the letters print; a preview shows the
header as it will read) and is saved with "Lưu". Tab "Ngày nghỉ, ngày làm bù" lists one year's days
off and make-up working days from services.settings.year_days; each addition or removal is saved
at once through services.workdays.set_day / clear_day (an administrator's edit, audited there).
Tab "Mẫu văn bản" edits the wording of the letters (ui.template_editor).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from reception_desk.domain.workdays import MAX_YEAR, MIN_YEAR
from reception_desk.services import petitions, settings, workdays
from reception_desk.services.settings import CalendarEntry, OfficeSettings
from reception_desk.ui import background
from reception_desk.ui.background import BackgroundOp
from reception_desk.ui.directory_view import Column, RowsTableModel, make_table
from reception_desk.ui.sessions_view import VIETNAMESE, WEEKDAYS
from reception_desk.ui.template_editor import TemplateEditor

# Field, label, placeholder, in the order of the letterhead (top left, then the signature block).
OFFICE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("superior_body", "Cơ quan chủ &quản:", "ỦY BAN NHÂN DÂN TỈNH …"),
    ("office_name", "&Tên cơ quan:", "BAN TIẾP CÔNG DÂN"),
    ("office_symbol", "&Ký hiệu:", "BTCD (in trong “Số: 07/PC-BTCD”)"),
    ("place_name", "Đị&a danh:", "Hà Tĩnh (in trong “Hà Tĩnh, ngày … tháng … năm …”)"),
    ("address", "Địa &chỉ:", ""),
    ("phone", "Điện t&hoại:", ""),
    ("email", "&Email:", ""),
    ("signer_on_behalf", "&Quyền hạn ký:", "KT. TRƯỞNG BAN (để trống nếu người đứng đầu ký)"),
    ("signer_title", "Chức &vụ người ký:", "PHÓ TRƯỞNG BAN"),
    ("signer_name", "&Họ tên người ký:", ""),
    ("default_host", "Người tiếp &mặc định:", "người chủ trì tiếp tại bàn khi không ghi khác"),
)

DAY_COLUMNS = (
    Column("Ngày", lambda e: f"{e.day:%d/%m/%Y}", 11),
    Column("Thứ", lambda e: WEEKDAYS[e.day.weekday()], 9),
    Column("Loại", lambda e: e.kind_label, 13),
    Column("Nguồn", lambda e: "Quản trị viên sửa" if e.edited else "Lịch chung", 15),
    Column("Tên ngày", lambda e: e.name, 30),
)


def letterhead_preview(s: OfficeSettings) -> str:
    """The letterhead's left block and date line as the letters will print them (plain text)."""
    lines = [s.superior_body.upper(), s.office_name.upper(),
             f"Số: …/PC-{s.office_symbol.upper() or '…'}",
             f"{s.place_name or '…'}, ngày … tháng … năm …", "",
             s.signer_on_behalf.upper(), s.signer_title.upper(), "(chữ ký, dấu)", s.signer_name]
    return "\n".join(lines)


class SettingsDialog(QDialog):
    """Tab "Cơ quan" (letterhead) and tab "Ngày nghỉ, ngày làm bù"."""

    settings_saved = Signal(object)  # the stored OfficeSettings
    days_loaded = Signal(int)

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, year: int | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.setWindowTitle("Cài đặt")
        self.setMinimumSize(780, 560)
        self.seen: OfficeSettings | None = None
        self._days_generation = 0
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._office_tab(), "Cơ quan")
        self.tabs.addTab(self._days_tab(year or date.today().year), "Ngày nghỉ, ngày làm bù")
        self.tabs.addTab(self._intake_tab(), "Tiếp nhận đơn")
        self.templates = TemplateEditor(engine, self)
        self.tabs.addTab(self.templates, "Mẫu văn bản")
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("&Lưu thông tin cơ quan", QDialogButtonBox.ButtonRole.ApplyRole)
        self.save_button.setEnabled(False)  # until the stored settings arrive
        close = self.buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save_office)
        self.tabs.currentChanged.connect(lambda i: self.save_button.setVisible(i == 0))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)
        engine_ = engine
        BackgroundOp(self, lambda _p, _c: settings.load_office_settings(engine_)).success(self._office_loaded) \
            .run_in_background()
        BackgroundOp(self, lambda _p, _c: petitions.duplicate_months(engine_)).success(self._months_loaded) \
            .run_in_background()
        self.reload_days()

    # --- Tiếp nhận đơn ----------------------------------------------------------------------

    def _intake_tab(self) -> QWidget:
        page = QWidget(self)
        self.months = QSpinBox(page)
        self.months.setObjectName("duplicate_months")
        self.months.setRange(1, petitions.MAX_DUPLICATE_MONTHS)
        self.months.setSuffix(" tháng")
        self.months.setEnabled(False)  # until the stored value arrives
        self.months_button = QPushButton("Lưu", page)
        self.months_button.setEnabled(False)
        self.months_button.clicked.connect(self.save_months)
        self.months_status = QLabel(page)
        row = QHBoxLayout()
        row.addWidget(self.months)
        row.addWidget(self.months_button)
        row.addStretch(1)
        form = QFormLayout()
        form.addRow("Gợi ý đơn trùng trong:", row)
        explain = QLabel("Khi nhận đơn, chương trình gợi ý các đơn đã nhận trong chừng ấy tháng gần nhất "
                         "có cùng người đứng đơn hoặc nội dung tương tự.", page)
        explain.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(explain)
        layout.addWidget(self.months_status)
        layout.addStretch(1)
        return page

    def _months_loaded(self, months: int) -> None:
        self.months.setValue(months)
        self.months.setEnabled(True)
        self.months_button.setEnabled(True)

    @Slot()
    def save_months(self) -> None:
        months, engine = self.months.value(), self.engine
        self.months_button.setEnabled(False)

        def saved(_result: object) -> None:
            self.months_button.setEnabled(True)
            self.months_status.setText(f"Đã lưu: gợi ý đơn trùng trong {months} tháng gần nhất.")

        def failed(exc: BaseException) -> None:
            self.months_button.setEnabled(True)
            background.show_failure(self, exc, "Chưa lưu được")

        BackgroundOp(self, lambda _p, _c: petitions.set_duplicate_months(engine, months), writes=True) \
            .success(saved).failure(failed).run_in_background()

    # --- Cơ quan ----------------------------------------------------------------------------

    def _office_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for name, label, placeholder in OFFICE_FIELDS:
            edit = QLineEdit(page)
            edit.setPlaceholderText(placeholder)
            edit.setObjectName(name)
            edit.textChanged.connect(self._update_preview)
            self.fields[name] = edit
            form.addRow(label, edit)
        self.preview = QLabel(page)
        self.preview.setWordWrap(True)
        self.preview.setObjectName("letterhead_preview")
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setStyleSheet("QLabel { border: 1px solid #bbb; padding: 8px; background: #fcfcfa; "
                                   "color: #1a1a1a; font-family: 'Times New Roman', serif; }")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.preview.setMinimumWidth(250)
        self.office_status = QLabel(page)
        self.office_status.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(QLabel("Xem trước trên văn bản:", page))
        right.addWidget(self.preview, 1)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)
        left.addWidget(self.office_status)
        layout = QHBoxLayout(page)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self._update_preview()
        return page

    def office_value(self) -> OfficeSettings:
        return OfficeSettings(**{name: edit.text() for name, edit in self.fields.items()})

    def _office_loaded(self, stored: OfficeSettings) -> None:
        self.seen = stored
        for name, edit in self.fields.items():
            edit.setText(getattr(stored, name))
        self._update_preview()
        self.save_button.setEnabled(True)
        self.office_status.setText("" if stored.is_complete else
                                   "Cần ghi đủ tên cơ quan, ký hiệu, địa danh, chức vụ và họ tên người ký "
                                   "để in phiếu chuyển đơn, giấy biên nhận.")

    @Slot()
    def _update_preview(self) -> None:
        self.preview.setText(letterhead_preview(self.office_value()))

    @Slot()
    def save_office(self) -> None:
        data, seen, engine = self.office_value(), self.seen, self.engine
        self.save_button.setEnabled(False)
        BackgroundOp(self, lambda _p, _c: settings.save_office_settings(engine, data, seen=seen), writes=True) \
            .success(self._office_saved).failure(self._office_failed).run_in_background()

    def _office_saved(self, stored: OfficeSettings) -> None:
        self._office_loaded(stored)  # shows the normalised text (capitals) and is the new "seen"
        self.settings_saved.emit(stored)
        self.office_status.setText("Đã lưu thông tin cơ quan.")

    def _office_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        background.show_failure(self, exc, "Chưa lưu được thông tin cơ quan")

    # --- Ngày nghỉ, ngày làm bù ---------------------------------------------------------------

    def _days_tab(self, year: int) -> QWidget:
        page = QWidget(self)
        self.year_spin = QSpinBox(page)
        self.year_spin.setRange(MIN_YEAR, MAX_YEAR)
        self.year_spin.setValue(year)
        self.year_spin.setAccessibleName("Năm")
        self.days_model = RowsTableModel(DAY_COLUMNS, page)
        self.days_table = make_table(self.days_model, "days_table", page)
        self.days_table.setAccessibleName("Ngày nghỉ và ngày làm bù")
        self.remove_button = QPushButton("&Bỏ chỉnh sửa ngày này", page)
        self.remove_button.setToolTip("Ngày trở lại theo lịch chung Nhà nước công bố (hoặc theo luật)")
        self.status = QLabel(page)
        self.status.setWordWrap(True)

        self.day_edit = QDateEdit(page)
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("dd/MM/yyyy")
        self.day_edit.setLocale(VIETNAMESE)
        self.day_edit.setDate(QDate(year, date.today().month if year == date.today().year else 1, 1))
        self.day_kind = QComboBox(page)
        self.day_kind.addItem("Ngày nghỉ", True)
        self.day_kind.addItem("Ngày làm việc (làm bù)", False)
        self.day_name = QLineEdit(page)
        self.day_name.setPlaceholderText("Tên hoặc lý do, ví dụ: Nghỉ bù Quốc khánh")
        self.add_day_button = QPushButton("&Thêm", page)

        top = QHBoxLayout()
        top.addWidget(QLabel("Năm:", page))
        top.addWidget(self.year_spin)
        top.addStretch(1)
        top.addWidget(self.remove_button)
        add = QHBoxLayout()
        add.addWidget(QLabel("Ngày:", page))
        add.addWidget(self.day_edit)
        add.addWidget(self.day_kind)
        add.addWidget(self.day_name, 1)
        add.addWidget(self.add_day_button)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.days_table, 1)
        layout.addWidget(QLabel("Thêm hoặc sửa một ngày (lưu ngay, thay cho lịch chung của ngày đó):", page))
        layout.addLayout(add)
        layout.addWidget(self.status)

        self.year_spin.valueChanged.connect(lambda _v: self.reload_days())
        self.add_day_button.clicked.connect(self.add_day)
        self.day_name.returnPressed.connect(self.add_day)
        self.remove_button.clicked.connect(self.remove_day)
        self.days_table.selectionModel().selectionChanged.connect(self._update_day_buttons)
        self._update_day_buttons()
        return page

    @Slot()
    def reload_days(self) -> None:
        self._days_generation += 1
        generation = self._days_generation
        year, engine = self.year_spin.value(), self.engine
        BackgroundOp(self, lambda _p, _c: settings.year_days(engine, year)) \
            .success(lambda rows: self._days_loaded(generation, rows)).run_in_background()

    def _days_loaded(self, generation: int, rows: list[CalendarEntry]) -> None:
        if generation != self._days_generation:
            return
        self.days_model.set_rows(rows)
        self._update_day_buttons()
        self.days_loaded.emit(len(rows))

    def selected_day(self) -> CalendarEntry | None:
        rows = self.days_table.selectionModel().selectedRows()
        return self.days_model.row_at(rows[0].row()) if rows else None

    def select_day(self, day: date) -> bool:
        for i, entry in enumerate(self.days_model.rows):
            if entry.day == day:
                self.days_table.selectRow(i)
                return True
        return False

    @Slot()
    def _update_day_buttons(self) -> None:
        entry = self.selected_day()
        self.remove_button.setEnabled(entry is not None and entry.edited)

    @Slot()
    def add_day(self) -> None:
        value = self.day_edit.date()
        day = date(value.year(), value.month(), value.day())
        is_day_off = bool(self.day_kind.currentData())
        name, engine = self.day_name.text(), self.engine
        self.add_day_button.setEnabled(False)
        BackgroundOp(self, lambda _p, _c: workdays.set_day(engine, day, is_day_off, name), writes=True,
                     error_title="Chưa lưu được ngày") \
            .success(lambda _r: self._day_added(day, is_day_off)).failure(self._day_failed).run_in_background()

    def _day_added(self, day: date, is_day_off: bool) -> None:
        self.add_day_button.setEnabled(True)
        self.day_name.clear()
        state = "ngày nghỉ" if is_day_off else "ngày làm việc"
        self.status.setText(f"Đã đặt ngày {day:%d/%m/%Y} là {state}.")
        if self.year_spin.value() != day.year:
            self.year_spin.setValue(day.year)  # reloads
        else:
            self.reload_days()

    def _day_failed(self, exc: BaseException) -> None:
        self.add_day_button.setEnabled(True)
        background.show_failure(self, exc, "Chưa lưu được ngày")

    @Slot()
    def remove_day(self) -> None:
        entry = self.selected_day()
        if entry is None or not entry.edited:
            return
        engine = self.engine
        BackgroundOp(self, lambda _p, _c: workdays.clear_day(engine, entry.day), writes=True,
                     error_title="Không bỏ được chỉnh sửa").success(self._day_cleared).run_in_background()

    def _day_cleared(self, message: str) -> None:
        self.status.setText(message)
        self.reload_days()

