"""The main window: the start screen, the three lists (Lượt tiếp, Đơn thư, Chuyển đơn), search,
the follow-up queues, the leaders' reception days, the desk's forms, import and export.

Everything that touches the database runs through ui.background; the window only reacts to the
results. An empty database shows the welcome panel (ui.first_run) instead of empty tables.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from reception_desk import APP_TITLE
from reception_desk.services import listing
from reception_desk.services.database import describe
from reception_desk.services.demo import fill_demo
from reception_desk.services.interchange import export_jsonl, import_jsonl
from reception_desk.services.listing import ListKind
from reception_desk.services.queues import QUEUES
from reception_desk.services.visits import load_visit
from reception_desk.ui import background, dialogs
from reception_desk.ui.answer_dialog import AnswerDialog
from reception_desk.ui.background import BackgroundOp
from reception_desk.ui.case_view import CaseView
from reception_desk.ui.directory_view import DirectoryView
from reception_desk.ui.first_run import FirstRunPanel
from reception_desk.ui.global_search import TITLE as GLOBAL_TITLE
from reception_desk.ui.global_search import GlobalSearchPane
from reception_desk.ui.letter_preview import (
    GuidanceDialog,
    ReceiptDialog,
    ReturnDialog,
    chase_transfer,
    open_issue_dialog,
    reprint_forwarding,
)
from reception_desk.ui.letters_view import TITLE as LETTERS_TITLE
from reception_desk.ui.letters_view import LettersView
from reception_desk.ui.petition_form import PetitionForm
from reception_desk.ui.petition_form import restore_pending_drafts as restore_petition_drafts
from reception_desk.ui.queues_view import QueuesView
from reception_desk.ui.reports_view import TITLE as REPORTS_TITLE
from reception_desk.ui.reports_view import ReportsView
from reception_desk.ui.sessions_view import SessionsView
from reception_desk.ui.settings_dialog import SettingsDialog
from reception_desk.ui.start_screen import StartScreen
from reception_desk.ui.table_models import TITLES, LazyListModel
from reception_desk.ui.tables import record_table
from reception_desk.ui.transfer_dialog import TransferDialog
from reception_desk.ui.visit_form import VisitForm, restore_pending_drafts

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 250
OVERVIEW_TITLE = "Tổng quan"
QUEUES_TITLE = "Theo dõi chuyển đơn"
SESSIONS_TITLE = "Lịch tiếp của lãnh đạo"

# Initial column widths in characters; the last column stretches.
_WIDTHS: dict[ListKind, tuple[int, ...]] = {
    "visits": (11, 20, 20, 32, 8, 9, 11),
    "petitions": (11, 16, 11, 28, 50),
    "transfers": (11, 14, 34, 11, 12),
}

# How an import or export summary names what it counted (keys as the interchange file spells them).
_RECORD_NAMES = {
    "citizen": "công dân",
    "agency": "cơ quan",
    "case": "vụ việc",
    "session": "buổi tiếp",
    "reception_session": "buổi tiếp",
    "visit": "lượt tiếp",
    "petition": "đơn",
    "transfer": "chuyển đơn",
    "directive": "văn bản chỉ đạo",
}


def format_count(value: int) -> str:
    """1234567 → "1.234.567" (Vietnamese groups thousands with dots)."""
    return f"{value:,}".replace(",", ".")


def _counts(counts: dict[str, int]) -> str:
    parts = []
    for key, value in counts.items():
        if isinstance(value, int) and not isinstance(value, bool) and value:
            name = _RECORD_NAMES.get(str(key), _RECORD_NAMES.get(str(key).removesuffix("s"), str(key)))
            parts.append(f"{format_count(value)} {name}")
    return ", ".join(parts)


def summarise(result: Any) -> str:
    """A readable line from what import/export/demo returned."""
    added = getattr(result, "added", None)
    if isinstance(added, dict):  # services.interchange.ImportResult
        updated = sum(getattr(result, "updated", {}).values())
        new = _counts(added) or "không có bản ghi mới"
        return new + (f"; cập nhật {format_count(updated)} bản ghi" if updated else "")
    if isinstance(result, dict):
        return _counts(result)
    if isinstance(result, int) and not isinstance(result, bool):
        return f"{format_count(result)} bản ghi"
    return ""


class ListPane(QWidget):
    """One list: a QTableView over a LazyListModel."""

    def __init__(self, engine: Engine, kind: ListKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.model = LazyListModel(engine, kind, self)
        self.view = record_table(self, self.model, f"{kind}_table", f"Danh sách {TITLES[kind].lower()}",
                                 _WIDTHS[kind], selection=QAbstractItemView.SelectionMode.ExtendedSelection,
                                 fit_titles=True)
        self.view.horizontalHeader().setHighlightSections(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)


class MainWindow(QMainWindow):
    def __init__(self, engine: Engine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.database_description = describe(engine)
        self.setWindowTitle(f"{APP_TITLE} — {self.database_description}")
        self.resize(1280, 760)
        self._count_generation = 0
        self._database_empty: bool | None = None
        self._closed = False

        self.first_run = FirstRunPanel(self.database_description)
        self.first_run.import_requested.connect(self.import_file)
        self.first_run.demo_requested.connect(self.create_demo)

        self.search_box = QLineEdit()
        self.search_box.setObjectName("search_box")
        self.search_box.setPlaceholderText("Tìm trong danh sách (gõ không dấu cũng được) — Ctrl+F")
        self.search_box.setAccessibleName("Tìm trong danh sách")
        self.search_box.setClearButtonEnabled(True)
        self.search_label = QLabel("&Tìm:")
        self.search_label.setBuddy(self.search_box)
        self.loading_label = QLabel("")
        self.loading_label.setAccessibleName("Trạng thái tải danh sách")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.search_box.textEdited.connect(lambda _text: self._debounce.start())
        self.search_box.returnPressed.connect(self._apply_search)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Các danh sách")
        self.start_screen = StartScreen(engine)
        self.start_screen.new_visit_requested.connect(self.new_visit)
        self.start_screen.new_petition_requested.connect(self.new_petition)
        self.start_screen.queue_requested.connect(self.show_queue)
        self.start_screen.session_activated.connect(self.show_session)
        self.tabs.addTab(self.start_screen, OVERVIEW_TITLE)
        self.panes: dict[ListKind, ListPane] = {}
        for kind in listing.LIST_KINDS:
            pane = ListPane(engine, kind)
            pane.model.loading_changed.connect(self._loading_changed)
            pane.view.activated.connect(lambda index, k=kind: self.open_row(k, index.row()))
            self.panes[kind] = pane
            self.tabs.addTab(pane, TITLES[kind])
        self.global_search = GlobalSearchPane(engine)
        self.global_search.status_changed.connect(self._global_status)
        self.tabs.addTab(self.global_search, GLOBAL_TITLE)
        self.queues = QueuesView(engine)
        self.queues.openCase.connect(self.open_case)
        self.tabs.addTab(self.queues, QUEUES_TITLE)
        self.sessions = SessionsView(engine)
        self.tabs.addTab(self.sessions, SESSIONS_TITLE)
        self.letters = LettersView(engine)
        self.tabs.addTab(self.letters, LETTERS_TITLE)
        self.reports = ReportsView(engine)
        self.reports.open_record.connect(self.open_report_record)
        self.reports.open_case.connect(self.open_case)
        self.reports.open_visit.connect(self.edit_visit)
        self.tabs.addTab(self.reports, REPORTS_TITLE)
        self.tabs.currentChanged.connect(self._tab_changed)
        self._case_windows: list[QDialog] = []

        lists_page = QWidget()
        lists_layout = QVBoxLayout(lists_page)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_label)
        search_row.addWidget(self.search_box, 1)
        search_row.addWidget(self.loading_label)
        lists_layout.addLayout(search_row)
        lists_layout.addWidget(self.tabs, 1)
        self.lists_page = lists_page

        self.stack = QStackedWidget()
        self.stack.addWidget(self.lists_page)
        self.stack.addWidget(self.first_run)
        self.setCentralWidget(self.stack)

        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Số dòng của danh sách")
        self.statusBar().addPermanentWidget(self.count_label)

        self.first_run.visit_requested.connect(self.new_visit)
        self._build_menus()
        background.changes().database_changed.connect(self.refresh)
        self.refresh()
        # Forms that were being filled when the program last stopped: offered back once shown.
        QTimer.singleShot(0, self.offer_drafts)

    # --- menus and shortcuts ----------------------------------------------------------------

    def _action(self, text: str, slot: Any, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&Tệp")
        self.import_action = self._action("&Nhập dữ liệu từ tệp…", self.import_file, "Ctrl+O")
        self.export_action = self._action("&Xuất dữ liệu ra tệp…", self.export_file, "Ctrl+Shift+S")
        self.demo_action = self._action("Tạo dữ liệu &mẫu", self.create_demo)
        self.quit_action = self._action("T&hoát", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        for action in (self.import_action, self.export_action, self.demo_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        desk_menu = self.menuBar().addMenu("&Nghiệp vụ")
        self.new_visit_action = self._action("&Tiếp công dân…", self.new_visit, "Ctrl+N")
        self.new_petition_action = self._action("&Nhận đơn…", self.new_petition, "Ctrl+Shift+N")
        self.edit_action = self._action("&Mở dòng đang chọn", self.open_current_row, "Ctrl+Return")
        self.transfer_action = self._action("&Chuyển đơn đang chọn…", self.transfer_selected, "Ctrl+T")
        self.answer_action = self._action("Ghi &kết quả trả lời…", self.answer_selected, "Ctrl+R")
        self.case_action = self._action("Xem &vụ việc của dòng đang chọn", self.case_of_selected, "Ctrl+E")
        for action in (self.new_visit_action, self.new_petition_action, self.edit_action):
            desk_menu.addAction(action)
        desk_menu.addSeparator()
        for action in (self.transfer_action, self.answer_action, self.case_action):
            desk_menu.addAction(action)

        letters_menu = self.menuBar().addMenu("&Văn bản")
        self.letters_action = self._action("&Sổ văn bản đi", self.show_letters, "Ctrl+7")
        self.guidance_action = self._action("Phiếu &hướng dẫn cho đơn đang chọn…", self.guidance_selected)
        self.return_action = self._action("&Trả lại đơn đang chọn…", self.return_selected)
        self.receipt_action = self._action("Giấy &biên nhận cho đơn đang chọn…", self.receipt_selected)
        self.chase_action = self._action("Văn bản đôn đốc cho lần chuyển đang chọn…", self.chase_selected)
        self.reprint_action = self._action("&In lại phiếu chuyển của lần chuyển đang chọn", self.reprint_selected)
        letters_menu.addAction(self.letters_action)
        letters_menu.addSeparator()
        for action in (self.guidance_action, self.return_action, self.receipt_action):
            letters_menu.addAction(action)
        letters_menu.addSeparator()
        for action in (self.chase_action, self.reprint_action):
            letters_menu.addAction(action)

        reports_menu = self.menuBar().addMenu("&Báo cáo")
        self.reports_action = self._action("&Báo cáo định kỳ (01/TCD, 01/XLD, lời văn)", self.show_reports, "Ctrl+8")
        self.register_action = self._action("&Sổ tiếp công dân (Mẫu 03)…", self.show_register)
        reports_menu.addAction(self.reports_action)
        reports_menu.addAction(self.register_action)

        catalog_menu = self.menuBar().addMenu("&Danh mục")
        catalog_menu.addAction(self._action("&Cơ quan, đơn vị nhận đơn…", self.show_directory))
        catalog_menu.addAction(self._action("&Lịch tiếp của lãnh đạo", self.show_sessions, "Ctrl+6"))
        catalog_menu.addSeparator()
        self.settings_action = self._action("&Cài đặt (cơ quan, ngày nghỉ)…", self.show_settings)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        catalog_menu.addAction(self.settings_action)

        view_menu = self.menuBar().addMenu("&Xem")
        self.find_action = self._action(
            "&Tìm trong danh sách", self.focus_search, QKeySequence.StandardKey.Find
        )
        view_menu.addAction(self.find_action)
        view_menu.addSeparator()
        view_menu.addAction(self._action(OVERVIEW_TITLE, self.show_overview, "Ctrl+0"))
        for number, kind in enumerate(listing.LIST_KINDS, start=1):
            view_menu.addAction(
                self._action(TITLES[kind], lambda _=False, k=kind: self.show_list(k), f"Ctrl+{number}")
            )
        view_menu.addAction(self._action(GLOBAL_TITLE, self.show_global_search, "Ctrl+4"))
        view_menu.addAction(
            self._action(f"{GLOBAL_TITLE} và gõ từ khóa", self.search_everywhere, "Ctrl+Shift+F")
        )
        view_menu.addAction(self._action(QUEUES_TITLE, lambda: self.show_queue(None), "Ctrl+5"))
        view_menu.addAction(self.letters_action)  # the same action as Văn bản → Sổ văn bản đi (Ctrl+7)
        view_menu.addAction(self.reports_action)  # and as Báo cáo → Báo cáo định kỳ (Ctrl+8)
        view_menu.addSeparator()
        self.refresh_action = self._action("&Làm mới", self.refresh_all, QKeySequence.StandardKey.Refresh)
        if self.refresh_action.shortcut() != QKeySequence("F5"):
            self.refresh_action.setShortcuts([self.refresh_action.shortcut(), QKeySequence("F5")])
        view_menu.addAction(self.refresh_action)

        help_menu = self.menuBar().addMenu("Trợ &giúp")
        help_menu.addAction(self._action("&Giới thiệu", lambda: dialogs.show_about(self)))

    # --- lists ------------------------------------------------------------------------------

    def current_kind(self) -> ListKind | None:
        """The list shown, or None on any other tab."""
        shown = self.tabs.currentWidget()
        return next((kind for kind, pane in self.panes.items() if pane is shown), None)

    def _searching_everywhere(self) -> bool:
        return self.tabs.currentWidget() is self.global_search

    def current_pane(self) -> ListPane | None:
        kind = self.current_kind()
        return None if kind is None else self.panes[kind]

    def show_global_search(self) -> None:
        if self.stack.currentWidget() is self.lists_page:
            self.tabs.setCurrentWidget(self.global_search)
            self.global_search.view.setFocus()

    @Slot()
    def search_everywhere(self) -> None:
        self.show_global_search()
        self.focus_search()

    @Slot(str)
    def _global_status(self, text: str) -> None:
        if self._searching_everywhere():
            self.count_label.setText(text)

    def show_list(self, kind: ListKind) -> None:
        if self.stack.currentWidget() is self.lists_page:
            self.tabs.setCurrentWidget(self.panes[kind])
            self.panes[kind].view.setFocus()

    @Slot()
    def focus_search(self) -> None:
        if self.stack.currentWidget() is self.lists_page:
            if not self.search_box.isEnabled():
                self.show_list(self.current_kind() or "visits")
            self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.search_box.selectAll()

    @Slot()
    def _apply_search(self) -> None:
        self._debounce.stop()
        pane = self.current_pane()
        if pane is None:
            if self._searching_everywhere():
                self.global_search.run(self.search_box.text())
            return
        model = pane.model
        if self.search_box.text().strip() != model.query:
            model.set_query(self.search_box.text())
            self._update_count()

    @Slot(int)
    def _tab_changed(self, _index: int) -> None:
        self._debounce.stop()
        pane = self.current_pane()
        searchable = pane is not None or self._searching_everywhere()
        # the box filters lists and drives the global search; the other tabs have their own controls
        self.search_box.setEnabled(searchable)
        self.search_label.setEnabled(searchable)
        self.search_box.setText(pane.model.query if pane is not None else
                                self.global_search.query if searchable else "")
        self._loading_changed()
        self._update_count()

    @Slot()
    def _loading_changed(self, _loading: bool = False) -> None:
        pane = self.current_pane()
        self.loading_label.setText("Đang tải…" if pane is not None and pane.model.loading else "")

    def _update_count(self) -> None:
        """The row count of the current list, counted off the GUI thread (a full count is slow)."""
        self._count_generation += 1
        generation, kind = self._count_generation, self.current_kind()
        if kind is None:
            self.count_label.setText(self.global_search.status if self._searching_everywhere() else "")
            return
        query = self.panes[kind].model.query
        self.count_label.setText(f"{TITLES[kind]}: đang đếm…")

        def shown(count: int) -> None:
            if generation == self._count_generation:
                found = f" khớp “{query}”" if query else ""
                self.count_label.setText(f"{TITLES[kind]}{found}: {format_count(count)} dòng")

        BackgroundOp(self, lambda _p, _c: listing.count_rows(self.engine, kind, query)).success(
            shown
        ).run_in_background()

    @Slot()
    def refresh(self) -> None:
        """Re-read everything: after F5, an import, or any write (background.changes())."""

        def checked(empty: bool) -> None:
            self._database_empty = empty
            if empty:
                self.stack.setCurrentWidget(self.first_run)
                self.count_label.setText("")
                return
            self.stack.setCurrentWidget(self.lists_page)
            for pane in self.panes.values():
                pane.model.reload()
            self.global_search.rerun()
            self._update_count()

        BackgroundOp(self, lambda _p, _c: listing.database_is_empty(self.engine)).success(
            checked
        ).run_in_background()

    @Slot()
    def refresh_all(self) -> None:
        """F5: the lists, and the register (which otherwise re-reads itself after each write)."""
        self.refresh()
        self.letters.refresh()

    @property
    def database_empty(self) -> bool | None:
        """Whether the last refresh found no records; None until the first check has answered."""
        return self._database_empty

    @property
    def showing_first_run(self) -> bool:
        return self.stack.currentWidget() is self.first_run

    # --- the desk: forms, follow-up, cases ---------------------------------------------------

    def _show_tab(self, widget: QWidget) -> bool:
        """Bring a tab forward; False while the welcome panel stands for an empty database."""
        if self.stack.currentWidget() is not self.lists_page:
            return False
        self.tabs.setCurrentWidget(widget)
        return True

    @Slot()
    def show_overview(self) -> None:
        if self._show_tab(self.start_screen):
            self.start_screen.new_visit_button.setFocus()

    @Slot(object)
    def show_queue(self, queue: str | None) -> None:
        """The follow-up tab, on ``queue`` (a services.queues name) when given."""
        if queue in QUEUES:
            self.queues.tabs.setCurrentIndex(QUEUES.index(queue))  # type: ignore[arg-type]
        if self._show_tab(self.queues):
            self.queues.view.setFocus()

    @Slot()
    def show_letters(self) -> None:
        if self._show_tab(self.letters):
            self.letters.view.setFocus()

    def _selected_petition(self) -> Any:
        """The petition of the Đơn thư list under the cursor, or None (with a hint in the status bar)."""
        row = self.selected_row("petitions") if self.current_kind() == "petitions" else None
        if row is None:
            self.statusBar().showMessage("Chọn một đơn trong danh sách Đơn thư.", 8000)
        return row

    def _selected_transfer_id(self) -> Any:
        """The transfer under the cursor of the Chuyển đơn list or the Theo dõi tab, or None."""
        if self.tabs.currentWidget() is self.queues:
            queue_row = self.queues.selected_row()
            if queue_row is not None:
                return queue_row.transfer_id
        elif self.current_kind() == "transfers":
            row = self.selected_row("transfers")
            if row is not None:
                return row.id
        self.statusBar().showMessage("Chọn một lần chuyển đơn (danh sách Chuyển đơn hoặc Theo dõi chuyển đơn).", 8000)
        return None

    @staticmethod
    def _about(row: Any) -> str:
        return f"Đơn {row.kind_label.lower()} nhận ngày {row.received_on:%d/%m/%Y} — {row.signers}"

    @Slot()
    def guidance_selected(self) -> None:
        row = self._selected_petition()
        if row is not None:
            open_issue_dialog(GuidanceDialog(self.engine, row.id, self, about=self._about(row)))

    @Slot()
    def return_selected(self) -> None:
        row = self._selected_petition()
        if row is not None:
            open_issue_dialog(ReturnDialog(self.engine, row.id, self, about=self._about(row)))

    @Slot()
    def receipt_selected(self) -> None:
        row = self._selected_petition()
        if row is not None:
            open_issue_dialog(ReceiptDialog(self.engine, self, petition_id=row.id, about=self._about(row)))

    @Slot()
    def chase_selected(self) -> None:
        transfer_id = self._selected_transfer_id()
        if transfer_id is not None:
            chase_transfer(self, self.engine, transfer_id)

    @Slot()
    def reprint_selected(self) -> None:
        transfer_id = self._selected_transfer_id()
        if transfer_id is not None:
            reprint_forwarding(self, self.engine, transfer_id)

    @Slot()
    def show_reports(self) -> None:
        if self._show_tab(self.reports):
            self.reports.period_combo.setFocus()

    @Slot()
    def show_register(self) -> None:
        """Báo cáo → Sổ tiếp công dân: the register of the period chosen on the Báo cáo tab."""
        if self._show_tab(self.reports):
            self.reports.open_register()

    @Slot(object)
    def open_report_record(self, row: Any) -> None:
        """A record behind a report figure (services.reports.RecordRow), opened where the desk
        edits it: a visit or a petition in its form, a transfer in the answer form, a case in the
        case window, a reception day in the leaders' schedule, a directive in its case."""
        if row.record == "visit":
            self.edit_visit(row.id)
        elif row.record == "petition":
            self.edit_petition(row.id)
        elif row.record == "transfer":
            self.open_answer(row.id)
        elif row.record == "case":
            self.open_case(row.id)
        elif row.record == "session":
            self.show_session(row.id, row.day)
        elif row.case_id is not None:
            self.open_case(row.case_id)
        else:
            self.statusBar().showMessage("Văn bản chỉ đạo này không gắn với vụ việc nào để mở.", 8000)

    @Slot()
    def show_sessions(self) -> None:
        if self._show_tab(self.sessions):
            self.sessions.setFocus()

    @Slot(object, object)
    def show_session(self, session_id: Any, day: date) -> None:
        if self._show_tab(self.sessions):
            self.sessions.show_session(session_id, day)

    @Slot()
    def show_directory(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Danh mục cơ quan, đơn vị nhận đơn")
        dialog.resize(1000, 640)
        layout = QVBoxLayout(dialog)
        layout.addWidget(DirectoryView(self.engine, dialog), 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        close.rejected.connect(dialog.reject)
        layout.addWidget(close)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    @Slot()
    def show_settings(self) -> None:
        dialog = SettingsDialog(self.engine, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    @Slot()
    def new_visit(self) -> VisitForm:
        """Ctrl+N from anywhere: an empty visit form (several may be open at once)."""
        form = VisitForm(self.engine, self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.show()
        form.raise_()
        form.activateWindow()
        return form

    @Slot()
    def new_petition(self) -> PetitionForm:
        """Ctrl+Shift+N: an empty petition form (signers, summary, duplicates suggested as typed)."""
        form = PetitionForm(self.engine, self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.show()
        form.raise_()
        form.activateWindow()
        return form

    def edit_petition(self, petition_id: Any) -> PetitionForm:
        form = PetitionForm(self.engine, self, petition_id=petition_id)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.show()
        return form

    def edit_visit(self, visit_id: Any) -> None:
        engine = self.engine

        def opened(record: Any) -> None:
            form = VisitForm(engine, self, record=record)
            form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            form.show()

        BackgroundOp(self, lambda _p, _c: load_visit(engine, visit_id),
                     error_title="Không mở được lượt tiếp").success(opened).run_in_background()

    def selected_row(self, kind: ListKind) -> Any:
        """The row under the cursor of a list, or None."""
        pane = self.panes[kind]
        index = pane.view.currentIndex()
        return pane.model.row_at(index.row()) if index.isValid() else None

    def open_row(self, kind: ListKind, row: int) -> None:
        """Enter or double-click in a list: a visit or a petition opens in its form, a transfer in
        the answer form."""
        item = self.panes[kind].model.row_at(row)
        if item is None:
            return
        if kind == "visits":
            self.edit_visit(item.id)
        elif kind == "petitions":
            self.edit_petition(item.id)
        else:
            self.open_answer(item.id)

    @Slot()
    def open_current_row(self) -> None:
        kind = self.current_kind()
        if kind is not None:
            index = self.panes[kind].view.currentIndex()
            if index.isValid():
                self.open_row(kind, index.row())

    def open_transfer(self, petition_id: Any) -> TransferDialog:
        dialog = TransferDialog(self.engine, petition_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_answer(self, transfer_id: Any) -> AnswerDialog:
        dialog = AnswerDialog(self.engine, transfer_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    @Slot()
    def transfer_selected(self) -> None:
        row = self.selected_row("petitions") if self.current_kind() == "petitions" else None
        if row is None:
            self.statusBar().showMessage("Chọn một đơn trong danh sách Đơn thư để chuyển.", 8000)
            return
        self.open_transfer(row.id)

    @Slot()
    def answer_selected(self) -> None:
        if self.tabs.currentWidget() is self.queues:
            self.queues.answer_selected()
            return
        row = self.selected_row("transfers") if self.current_kind() == "transfers" else None
        if row is None:
            self.statusBar().showMessage("Chọn một dòng trong danh sách Chuyển đơn để ghi kết quả trả lời.", 8000)
            return
        self.open_answer(row.id)

    @Slot()
    def case_of_selected(self) -> None:
        kind = self.current_kind()
        row = self.selected_row(kind) if kind is not None else None
        if row is None:
            self.statusBar().showMessage("Chọn một dòng trong danh sách để xem vụ việc của nó.", 8000)
            return
        if row.case_id is None:
            self.statusBar().showMessage("Dòng này chưa gắn với vụ việc nào.", 8000)
            return
        self.open_case(row.case_id)

    @Slot(object)
    def open_case(self, case_id: Any) -> CaseView:
        """The case's timeline in its own window (several may be open side by side)."""
        window = QDialog(self)
        window.setWindowTitle("Vụ việc")
        window.resize(980, 680)
        view = CaseView(self.engine, window)
        layout = QVBoxLayout(window)
        layout.addWidget(view, 1)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(lambda _=None, w=window: self._case_windows.remove(w)
                                 if w in self._case_windows else None)
        self._case_windows.append(window)
        view.show_case(case_id)
        window.show()
        return view

    @Slot()
    def offer_drafts(self) -> None:
        """Forms left unsaved by a crash or a power cut: offered back once (ui.visit_form,
        ui.petition_form ask their own question)."""
        if not self._closed:
            restore_pending_drafts(self, self.engine)
            restore_petition_drafts(self, self.engine)

    # --- import, export, demo ---------------------------------------------------------------

    @Slot()
    def import_file(self) -> None:
        path = dialogs.ask_open_file(self, "Nhập dữ liệu từ tệp")
        if path is None:
            return
        engine = self.engine
        BackgroundOp(
            self,
            lambda progress, cancel: import_jsonl(engine, path, progress=progress, cancel=cancel),
            label=f"Đang nhập dữ liệu từ {path.name}…",
            writes=True,
            error_title="Không nhập được dữ liệu",
        ).success(lambda result: self._imported(path, result)).cancelled(
            lambda: self.statusBar().showMessage("Đã hủy nhập dữ liệu; không có gì được ghi.", 10_000)
        ).run_in_background()

    @Slot()
    def export_file(self) -> None:
        suggested = f"ban-tiep-cong-dan-{date.today():%Y-%m-%d}.jsonl"
        path = dialogs.ask_save_file(self, "Xuất dữ liệu ra tệp", suggested)
        if path is None:
            return
        engine = self.engine
        BackgroundOp(
            self,
            lambda progress, cancel: export_jsonl(engine, path, progress=progress, cancel=cancel),
            label=f"Đang xuất dữ liệu ra {path.name}…",
            error_title="Không xuất được dữ liệu",
        ).success(lambda result: self._done("Đã xuất xong", path, result, show=True)).cancelled(
            lambda: self.statusBar().showMessage("Đã hủy xuất dữ liệu.", 10_000)
        ).run_in_background()

    @Slot()
    def create_demo(self) -> None:
        if self._database_empty is False and not dialogs.ask_yes_no(
            self,
            "Tạo dữ liệu mẫu",
            "Cơ sở dữ liệu đã có hồ sơ. Thêm dữ liệu mẫu (giả) vào cùng cơ sở dữ liệu này?",
            yes="Thêm dữ liệu mẫu",
            no="Không",
        ):
            return
        engine = self.engine
        BackgroundOp(
            self,
            lambda progress, cancel: fill_demo(engine, size="small", progress=progress, cancel=cancel),
            label="Đang tạo dữ liệu mẫu…",
            writes=True,
            error_title="Không tạo được dữ liệu mẫu",
        ).success(lambda result: self._done("Đã tạo dữ liệu mẫu", None, result)).cancelled(
            lambda: self.statusBar().showMessage("Đã hủy tạo dữ liệu mẫu; không có gì được ghi.", 10_000)
        ).run_in_background()

    def _imported(self, path: Path, result: Any) -> None:
        self._done("Đã nhập xong", path, result)
        report = result.summary() if callable(getattr(result, "summary", None)) else ""
        warnings = list(getattr(result, "warnings", []) or [])
        if warnings:
            report += "\n\nCảnh báo:\n" + "\n".join(warnings)
        if report:
            dialogs.show_report(self, "Đã nhập xong", f"Đã nhập dữ liệu từ {path.name}.", report)

    def _done(self, what: str, path: Path | None, result: Any, show: bool = False) -> None:
        summary = summarise(result)
        message = f"{what}" + (f" ({path.name})" if path else "") + (f": {summary}." if summary else ".")
        self.statusBar().showMessage(message, 15_000)
        log.info(message)
        if show:
            dialogs.show_info(self, what, message + (f"\n\nTệp: {path}" if path else ""))

    # --- closing ----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        busy = [op for op in background.running() if op.label is not None]
        if busy and not dialogs.ask_yes_no(
            self,
            "Đang xử lý",
            "Một thao tác đang chạy. Hủy thao tác đó và đóng chương trình?",
            yes="Hủy và đóng",
            no="Tiếp tục chờ",
        ):
            event.ignore()
            return
        if not self._closed:
            self._closed = True
            background.changes().database_changed.disconnect(self.refresh)
        background.shutdown()
        event.accept()
