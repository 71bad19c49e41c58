"""Lịch tiếp công dân của lãnh đạo: a month calendar, the month's sessions, the session dialog, and
the small "upcoming sessions" list of the start screen.

Session days are marked on the calendar (scheduled and ad-hoc in two colours, with a legend, and
in bold so colour is not the only signal). Everything that reads or writes runs through
ui.background; dialogs are opened with ``open()`` so tests can drive them.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from PySide6.QtCore import QDate, QLocale, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from reception_desk.domain.enums import SessionKind
from reception_desk.domain.text import fold
from reception_desk.services import directory, sessions
from reception_desk.services.directory import AgencyRow
from reception_desk.services.sessions import NamedRef, SavedSession, SessionInput, mode_for
from reception_desk.ui import background, dialogs
from reception_desk.ui.background import BackgroundOp
from reception_desk.ui.directory_view import Column, RowsTableModel, make_table

SCHEDULED_BACKGROUND = QColor("#cfe8d5")  # pale green: định kỳ
ADHOC_BACKGROUND = QColor("#fbe3c3")  # pale orange: đột xuất
CASE_SEARCH_DEBOUNCE_MS = 250
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
VIETNAMESE = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)


def day_text(day: date) -> str:
    """"Thứ Ba 10/03/2026"."""
    return f"{WEEKDAYS[day.weekday()]} {day:%d/%m/%Y}"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def leader_text(s: SavedSession) -> str:
    text = s.leader + (f" ({s.leader_position})" if s.leader_position else "")
    if s.authorised_by:
        text += f", được {s.authorised_by} ủy quyền"
    return text


SESSION_COLUMNS = (
    Column("Ngày", lambda s: day_text(s.held_on), 18),
    Column("Hình thức", lambda s: s.kind_label, 9),
    Column("Chế độ tiếp", lambda s: s.mode_label, 17),
    Column("Lãnh đạo chủ trì", leader_text, 27),
    Column("Cơ quan", lambda s: str(len(s.agencies)) if s.agencies else "", 6, "Số cơ quan tham dự", True),
    Column("Vụ việc", lambda s: str(len(s.cases)) if s.cases else "", 6, "Số vụ việc dự kiến tiếp", True),
    Column("Lượt tiếp", lambda s: str(s.visit_count) if s.visit_count else "", 6,
           "Số lượt tiếp đã ghi trong buổi tiếp", True),
    Column("Địa điểm", lambda s: s.place or "", 10),
)


class SessionsView(QWidget):
    """The month calendar of leaders' reception days and the list of the shown month's sessions."""

    loaded = Signal(int)  # sessions shown after a reload

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.today = today or date.today()
        self._generation = 0
        self._marked: list[QDate] = []
        self.dialog: SessionDialog | None = None
        self._select_after_reload: UUID | None = None

        self.calendar = QCalendarWidget(self)
        self.calendar.setObjectName("sessions_calendar")
        self.calendar.setLocale(VIETNAMESE)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setGridVisible(True)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setSelectedDate(_qdate(self.today))
        self.calendar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.calendar.setMinimumWidth(360)
        legend = QHBoxLayout()
        for colour, text in ((SCHEDULED_BACKGROUND, "Định kỳ"), (ADHOC_BACKGROUND, "Đột xuất")):
            swatch = QLabel(self)
            swatch.setFixedSize(14, 14)
            swatch.setStyleSheet(f"background: {colour.name()}; border: 1px solid #999;")
            legend.addWidget(swatch)
            legend.addWidget(QLabel(text, self))
            legend.addSpacing(10)
        legend.addStretch(1)
        self.day_label = QLabel(self)
        self.day_label.setWordWrap(True)
        self.day_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.day_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left = QVBoxLayout()
        left.addWidget(self.calendar)
        left.addLayout(legend)
        left.addWidget(self.day_label, 1)

        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.model = RowsTableModel(SESSION_COLUMNS, self)
        self.table = make_table(self.model, "sessions_table", self)
        self.table.setAccessibleName("Các buổi tiếp trong tháng")
        self.add_button = QPushButton("&Thêm buổi tiếp…", self)
        self.edit_button = QPushButton("&Sửa…", self)
        self.delete_button = QPushButton("&Xóa", self)
        self.today_button = QPushButton("&Hôm nay", self)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.today_button)
        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(self.table, 1)
        right.addLayout(buttons)

        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(right, 1)

        self.calendar.currentPageChanged.connect(lambda _y, _m: self.reload())
        self.calendar.selectionChanged.connect(self._day_selected)
        self.calendar.activated.connect(self._day_activated)
        self.add_button.clicked.connect(self.add_session)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.today_button.clicked.connect(self.go_today)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        background.changes().database_changed.connect(self.reload)
        self._update_buttons()
        self.reload()

    # --- reading ----------------------------------------------------------------------------

    def shown_month(self) -> tuple[int, int]:
        return self.calendar.yearShown(), self.calendar.monthShown()

    @Slot()
    def reload(self) -> None:
        year, month = self.shown_month()
        self.title.setText(f"Lịch tiếp công dân của lãnh đạo — tháng {month}/{year}")
        self._generation += 1
        generation = self._generation
        start, end = _month_bounds(year, month)
        engine = self.engine
        BackgroundOp(self, lambda _p, _c: sessions.sessions_between(engine, start, end)) \
            .success(lambda rows: self._loaded(generation, rows)).run_in_background()

    def _loaded(self, generation: int, rows: list[SavedSession]) -> None:
        if generation != self._generation:
            return
        selected = self.selected()
        wanted = self._select_after_reload or (selected.id if selected is not None else None)
        self._select_after_reload = None
        self.model.set_rows(rows)
        self._mark_days(rows)
        for i, row in enumerate(rows):
            if row.id == wanted:
                self.table.selectRow(i)
                break
        self._update_buttons()
        self._day_selected()
        self.loaded.emit(len(rows))

    def _mark_days(self, rows: list[SavedSession]) -> None:
        for day in self._marked:
            self.calendar.setDateTextFormat(day, QTextCharFormat())
        self._marked = []
        for row in rows:
            fmt = QTextCharFormat()
            adhoc = row.kind == SessionKind.ADHOC
            if any(r.held_on == row.held_on and r.kind == SessionKind.ADHOC for r in rows):
                adhoc = True  # a day with an ad-hoc session shows it: the rarer event
            fmt.setBackground(QBrush(ADHOC_BACKGROUND if adhoc else SCHEDULED_BACKGROUND))
            fmt.setForeground(QBrush(QColor("#1a1a1a")))
            fmt.setFontWeight(QFont.Weight.Bold)
            day = _qdate(row.held_on)
            self.calendar.setDateTextFormat(day, fmt)
            self._marked.append(day)

    def sessions_on(self, day: date) -> list[SavedSession]:
        return [s for s in self.model.rows if s.held_on == day]

    def selected(self) -> SavedSession | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    @Slot()
    def _day_selected(self) -> None:
        day = _pydate(self.calendar.selectedDate())
        found = self.sessions_on(day)
        if not found:
            self.day_label.setText(f"{day_text(day)}: không có buổi tiếp của lãnh đạo.")
            return
        parts = []
        for s in found:
            lines = [f"<b>{day_text(day)} — {s.mode_label}</b>", _escape(leader_text(s))]
            if s.place:
                lines.append("Địa điểm: " + _escape(s.place))
            if s.agencies:
                lines.append("Cơ quan tham dự: " + _escape(", ".join(a.name for a in s.agencies)))
            if s.cases:
                lines.append("Vụ việc dự kiến: " + _escape("; ".join(c.name for c in s.cases)))
            parts.append("<br>".join(lines))
        self.day_label.setText("<br><br>".join(parts))
        current = self.selected()
        if current is None or current.held_on != day:
            self.table.selectRow(self.model.rows.index(found[0]))

    @Slot()
    def _update_buttons(self) -> None:
        has = self.selected() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    @Slot()
    def go_today(self) -> None:
        self.calendar.setSelectedDate(_qdate(self.today))
        self.calendar.showSelectedDate()

    def show_session(self, session_id: UUID, day: date) -> None:
        """Bring a session into view (e.g. chosen on the start screen)."""
        self._select_after_reload = session_id
        self.calendar.setSelectedDate(_qdate(day))
        self.calendar.showSelectedDate()
        self.reload()

    # --- writing ----------------------------------------------------------------------------

    @Slot(QDate)
    def _day_activated(self, value: QDate) -> None:
        found = self.sessions_on(_pydate(value))
        if found:
            self._open_dialog(found[0])
        else:
            self.add_session()

    @Slot()
    def add_session(self) -> None:
        self._open_dialog(None)

    @Slot()
    def edit_selected(self) -> None:
        session = self.selected()
        if session is not None:
            self._open_dialog(session)

    def _open_dialog(self, session: SavedSession | None) -> None:
        self.dialog = SessionDialog(self.engine, session, self, day=_pydate(self.calendar.selectedDate()))
        self.dialog.saved.connect(self._saved)
        self.dialog.open()

    def _saved(self, saved: SavedSession) -> None:
        # The list reloads through database_changed; show the saved session's day and select it.
        self._select_after_reload = saved.id
        self.calendar.setSelectedDate(_qdate(saved.held_on))
        self.calendar.showSelectedDate()

    @Slot()
    def delete_selected(self) -> None:
        session = self.selected()
        if session is None:
            return
        if not dialogs.ask_yes_no(self, "Xóa buổi tiếp",
                                  f"Xóa buổi tiếp {day_text(session.held_on)} của {session.leader}?", yes="Xóa"):
            return
        engine = self.engine
        BackgroundOp(self, lambda _p, _c: sessions.delete_session(engine, session.id, session.version),
                     writes=True, error_title="Không xóa được buổi tiếp").run_in_background()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SessionDialog(QDialog):
    """Add or edit one leader's reception session, with attending agencies and planned cases."""

    saved = Signal(object)  # the SavedSession as stored

    def __init__(self, engine: Engine, session: SavedSession | None, parent: QWidget | None = None, *,
                 day: date | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.session = session
        self.setWindowTitle("Sửa buổi tiếp của lãnh đạo" if session else "Thêm buổi tiếp của lãnh đạo")
        self.setMinimumWidth(760)
        self._case_generation = 0
        self.agencies_loaded = False

        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setLocale(VIETNAMESE)
        self.date_edit.setDate(_qdate(session.held_on if session else day or date.today()))
        self.kind_combo = QComboBox(self)
        for kind in SessionKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.leader_edit = QLineEdit(self)
        self.leader_edit.setPlaceholderText("Họ tên người chủ trì buổi tiếp")
        self.position_edit = QLineEdit(self)
        self.position_edit.setPlaceholderText("ví dụ: Chủ tịch UBND tỉnh")
        self.authorised_check = QCheckBox("Người đứng đầu ủy quyền cho cấp phó tiếp thay", self)
        self.authorised_edit = QLineEdit(self)
        self.authorised_edit.setPlaceholderText("Họ tên, chức vụ người ủy quyền")
        self.place_edit = QLineEdit(self)
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.note_edit.fontMetrics().lineSpacing() * 3 + 12)
        self.mode_label = QLabel(self)

        form = QFormLayout()
        form.addRow("&Ngày tiếp:", self.date_edit)
        form.addRow("&Hình thức:", self.kind_combo)
        form.addRow("&Lãnh đạo chủ trì:", self.leader_edit)
        form.addRow("&Chức vụ:", self.position_edit)
        form.addRow("", self.authorised_check)
        form.addRow("Người ủ&y quyền:", self.authorised_edit)
        form.addRow("Đị&a điểm:", self.place_edit)
        form.addRow("Ghi chú:", self.note_edit)
        form.addRow("Chế độ tiếp:", self.mode_label)

        # Attending agencies: a filter over a checkable list.
        self.agency_filter = QLineEdit(self)
        self.agency_filter.setPlaceholderText("Lọc cơ quan…")
        self.agency_filter.setClearButtonEnabled(True)
        self.agency_list = QListWidget(self)
        self.agency_list.setAccessibleName("Cơ quan tham dự")
        self.agency_count = QLabel(self)
        agencies_box = QGroupBox("Cơ quan tham dự", self)
        agencies_layout = QVBoxLayout(agencies_box)
        agencies_layout.addWidget(self.agency_filter)
        agencies_layout.addWidget(self.agency_list, 1)
        agencies_layout.addWidget(self.agency_count)

        # Planned cases: search, then add to the chosen list.
        self.case_search = QLineEdit(self)
        self.case_search.setPlaceholderText("Tìm vụ việc theo tên (không cần dấu)…")
        self.case_results = QListWidget(self)
        self.case_results.setAccessibleName("Vụ việc tìm thấy")
        self.case_add = QPushButton("Thêm ↓", self)
        self.case_chosen = QListWidget(self)
        self.case_chosen.setAccessibleName("Vụ việc dự kiến")
        self.case_remove = QPushButton("Bỏ vụ việc đã chọn", self)
        cases_box = QGroupBox("Vụ việc dự kiến tiếp", self)
        cases_layout = QGridLayout(cases_box)
        cases_layout.addWidget(self.case_search, 0, 0, 1, 2)
        cases_layout.addWidget(self.case_results, 1, 0, 1, 2)
        cases_layout.addWidget(self.case_add, 2, 1)
        cases_layout.addWidget(self.case_chosen, 3, 0, 1, 2)
        cases_layout.addWidget(self.case_remove, 4, 1)

        lists = QHBoxLayout()
        lists.addWidget(agencies_box, 1)
        lists.addWidget(cases_box, 1)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("&Lưu", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(lists, 1)
        layout.addWidget(self.buttons)

        self._case_timer = QTimer(self)
        self._case_timer.setSingleShot(True)
        self._case_timer.setInterval(CASE_SEARCH_DEBOUNCE_MS)
        self._case_timer.timeout.connect(self._search_cases)
        self.case_search.textChanged.connect(self._case_timer.start)
        self.case_search.returnPressed.connect(self._search_cases)
        self.case_add.clicked.connect(self._add_case)
        self.case_results.itemDoubleClicked.connect(lambda _i: self._add_case())
        self.case_remove.clicked.connect(self._remove_case)
        self.agency_filter.textChanged.connect(self._filter_agencies)
        self.agency_list.itemChanged.connect(lambda _i: self._count_agencies())
        self.authorised_check.toggled.connect(self._authorised_toggled)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._update_mode())
        self.authorised_edit.textChanged.connect(lambda _t: self._update_mode())
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        chosen_agencies: set[UUID] = set()
        if session is not None:
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(session.kind)))
            self.leader_edit.setText(session.leader)
            self.position_edit.setText(session.leader_position or "")
            self.authorised_check.setChecked(bool(session.authorised_by))
            self.authorised_edit.setText(session.authorised_by or "")
            self.place_edit.setText(session.place or "")
            self.note_edit.setPlainText(session.note or "")
            for case in session.cases:
                self._add_chosen_case(case)
            chosen_agencies = {a.id for a in session.agencies}
        self._authorised_toggled(self.authorised_check.isChecked())
        self._update_mode()
        self._invited = session.agencies if session else ()
        self._chosen_agencies = chosen_agencies
        self.agency_count.setText("Đang tải danh bạ…")
        BackgroundOp(self, lambda _p, _c: directory.list_agencies(engine)).success(self._fill_agencies) \
            .run_in_background()

    # --- agencies ---------------------------------------------------------------------------

    def _fill_agencies(self, rows: list[AgencyRow]) -> None:
        self.agency_list.blockSignals(True)
        listed = set()
        for row in rows:
            self._add_agency_item(row.id, row.name)
            listed.add(row.id)
        for ref in self._invited:  # deactivated since: still shown, and still ticked
            if ref.id not in listed:
                self._add_agency_item(ref.id, ref.name + " (ngừng sử dụng)")
        self.agency_list.blockSignals(False)
        self.agencies_loaded = True
        self._count_agencies()

    def _add_agency_item(self, agency_id: UUID, name: str) -> None:
        item = QListWidgetItem(name, self.agency_list)
        item.setData(Qt.ItemDataRole.UserRole, agency_id)
        item.setData(Qt.ItemDataRole.UserRole + 1, fold(name))
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        ticked = agency_id in self._chosen_agencies
        item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    @Slot(str)
    def _filter_agencies(self, text: str) -> None:
        words = fold(text).split()
        for i in range(self.agency_list.count()):
            item = self.agency_list.item(i)
            key = item.data(Qt.ItemDataRole.UserRole + 1)
            item.setHidden(not all(w in key for w in words))

    def set_agency_checked(self, name: str, checked: bool = True) -> bool:
        for i in range(self.agency_list.count()):
            item = self.agency_list.item(i)
            if item.text() == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return True
        return False

    def chosen_agency_ids(self) -> list[UUID]:
        if not self.agencies_loaded:
            return list(self._chosen_agencies)  # saving before the list arrived keeps the invitations
        return [self.agency_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.agency_list.count())
                if self.agency_list.item(i).checkState() == Qt.CheckState.Checked]

    def _count_agencies(self) -> None:
        self.agency_count.setText(f"Đã chọn {len(self.chosen_agency_ids())} cơ quan")

    # --- cases ------------------------------------------------------------------------------

    @Slot()
    def _search_cases(self) -> None:
        self._case_timer.stop()
        self._case_generation += 1
        generation = self._case_generation
        text = self.case_search.text()
        engine = self.engine
        BackgroundOp(self, lambda _p, _c: sessions.case_choices(engine, text)) \
            .success(lambda rows: self._cases_found(generation, rows)).run_in_background()

    def _cases_found(self, generation: int, rows: list[NamedRef]) -> None:
        if generation != self._case_generation:
            return
        self.case_results.clear()
        for ref in rows:
            item = QListWidgetItem(ref.name, self.case_results)
            item.setData(Qt.ItemDataRole.UserRole, ref)
            item.setToolTip(ref.name)
        if rows:
            self.case_results.setCurrentRow(0)

    @Slot()
    def _add_case(self) -> None:
        item = self.case_results.currentItem()
        if item is not None:
            self._add_chosen_case(item.data(Qt.ItemDataRole.UserRole))

    def _add_chosen_case(self, ref: NamedRef) -> None:
        if ref.id in self.chosen_case_ids():
            return
        item = QListWidgetItem(ref.name, self.case_chosen)
        item.setData(Qt.ItemDataRole.UserRole, ref)
        item.setToolTip(ref.name)

    @Slot()
    def _remove_case(self) -> None:
        row = self.case_chosen.currentRow()
        if row >= 0:
            self.case_chosen.takeItem(row)

    def chosen_case_ids(self) -> list[UUID]:
        return [self.case_chosen.item(i).data(Qt.ItemDataRole.UserRole).id for i in range(self.case_chosen.count())]

    # --- the rest ---------------------------------------------------------------------------

    @Slot(bool)
    def _authorised_toggled(self, checked: bool) -> None:
        self.authorised_edit.setEnabled(checked)
        self._update_mode()

    def _update_mode(self) -> None:
        authorised = self.authorised_edit.text() if self.authorised_check.isChecked() else None
        self.mode_label.setText(mode_for(self.kind_combo.currentData(), authorised).label)

    def value(self) -> SessionInput:
        return SessionInput(
            held_on=_pydate(self.date_edit.date()), kind=self.kind_combo.currentData(),
            leader=self.leader_edit.text(), leader_position=self.position_edit.text(),
            authorised_by=self.authorised_edit.text() if self.authorised_check.isChecked() else None,
            place=self.place_edit.text(), note=self.note_edit.toPlainText(),
            agency_ids=self.chosen_agency_ids(), case_ids=self.chosen_case_ids(),
        )

    @Slot()
    def save(self) -> None:
        data = self.value()
        if self.authorised_check.isChecked() and not (data.authorised_by or "").strip():
            dialogs.show_error(self, "Chưa lưu được buổi tiếp",
                               "Hãy ghi người ủy quyền, hoặc bỏ chọn “ủy quyền cho cấp phó tiếp thay”.")
            self.authorised_edit.setFocus()
            return
        engine, session = self.engine, self.session
        self.save_button.setEnabled(False)
        if session is None:
            task = lambda _p, _c: sessions.create_session(engine, data)  # noqa: E731
        else:
            task = lambda _p, _c: sessions.update_session(engine, session.id, session.version, data)  # noqa: E731
        BackgroundOp(self, task, writes=True).success(self._saved).failure(self._failed).run_in_background()

    def _saved(self, saved: SavedSession) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(saved)
        self.accept()
        if saved.warnings:
            dialogs.show_info(self.parentWidget(), "Đã lưu buổi tiếp", "Đã lưu. Lưu ý: " + " ".join(saved.warnings))

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)  # what was typed stays in the dialog
        background.show_failure(self, exc, "Chưa lưu được buổi tiếp")


class UpcomingSessionsWidget(QWidget):
    """The next leaders' reception days, for the start screen; double-click opens one."""

    session_activated = Signal(object, object)  # (session id, date)
    loaded = Signal(int)

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, today: date | None = None,
                 limit: int = 5) -> None:
        super().__init__(parent)
        self.engine = engine
        self.today = today
        self.limit = limit
        self._generation = 0
        self.title = QLabel("Lịch tiếp sắp tới của lãnh đạo", self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Lịch tiếp sắp tới của lãnh đạo")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        self.list.itemActivated.connect(self._activated)
        background.changes().database_changed.connect(self.reload)
        self.reload()

    @Slot()
    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        today = self.today or date.today()
        engine, limit = self.engine, self.limit
        BackgroundOp(self, lambda _p, _c: sessions.upcoming_sessions(engine, today, limit)) \
            .success(lambda rows: self._loaded(generation, today, rows)).run_in_background()

    def _loaded(self, generation: int, today: date, rows: list[SavedSession]) -> None:
        if generation != self._generation:
            return
        self.list.clear()
        for s in rows:
            when = "Hôm nay" if s.held_on == today else day_text(s.held_on)
            item = QListWidgetItem(f"{when} · {s.kind_label} · {leader_text(s)}", self.list)
            item.setData(Qt.ItemDataRole.UserRole, (s.id, s.held_on))
            if s.place:
                item.setToolTip(f"Địa điểm: {s.place}")
        if not rows:
            item = QListWidgetItem("Chưa có buổi tiếp nào của lãnh đạo được lên lịch.", self.list)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.loaded.emit(len(rows))

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if data:
            self.session_activated.emit(*data)
