"""The main window on a real QTableView (offscreen): first run, lazy paging, search, colours."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, insert

from reception_desk.services.listing import PAGE_SIZE
from reception_desk.storage.engine import make_engine
from reception_desk.storage.models import PetitionSigner
from reception_desk.ui import background
from reception_desk.ui.main_window import MainWindow, format_count, summarise
from reception_desk.ui.table_models import OVERDUE_BACKGROUND, OVERDUE_TEXT
from tests.builders import add_agency, add_case, add_citizen, add_petition, add_transfer, add_visit
from tests.ui_support import OFFSCREEN_LOG_IGNORE, insert_visits

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]

OpenWindow = Callable[[Engine], MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[OpenWindow]:
    def make(engine: Engine) -> MainWindow:
        window = MainWindow(engine)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.database_empty is not None, timeout=10_000)
        return window

    yield make
    background.wait_idle()


def _table(window: MainWindow, kind: str) -> QTableView:
    view = window.panes[kind].view  # type: ignore[index]
    assert isinstance(view, QTableView)
    return view


def _cell(view: QTableView, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return view.model().data(view.model().index(row, column), role)


def _column(view: QTableView, header: str) -> int:
    model = view.model()
    for column in range(model.columnCount()):
        if model.headerData(column, Qt.Orientation.Horizontal) == header:
            return column
    raise AssertionError(f"no column {header}")


def test_empty_database_shows_the_welcome_panel(open_window: OpenWindow, sqlite_engine: Engine) -> None:
    window = open_window(sqlite_engine)
    assert window.showing_first_run
    assert window.windowTitle().startswith("Bàn tiếp công dân — SQLite: ")
    assert window.first_run.import_button.text() == "&Nhập dữ liệu từ tệp…"
    assert window.first_run.demo_button.isVisible()


def test_visits_are_fetched_page_by_page_as_the_user_scrolls(
    qtbot: QtBot, open_window: OpenWindow, sqlite_engine: Engine
) -> None:
    insert_visits(sqlite_engine, 450)
    window = open_window(sqlite_engine)
    assert window.tabs.currentWidget() is window.start_screen  # the day starts on the overview
    view = _table(window, "visits")
    model = view.model()
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE and not window.showing_first_run)
    window.show_list("visits")
    assert not window.showing_first_run and view.isVisible()
    assert _cell(view, 0, 0) == (date(2024, 1, 1) + timedelta(days=449 // 5)).strftime("%d/%m/%Y")
    qtbot.waitUntil(lambda: window.count_label.text() == "Lượt tiếp: 450 dòng")
    for expected in (2 * PAGE_SIZE, 450):
        view.scrollToBottom()  # the view itself asks the model for more (canFetchMore/fetchMore)
        qtbot.waitUntil(lambda expected=expected: model.rowCount() == expected)
    view.scrollToBottom()
    qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 450 and model.exhausted
    first_time = _column(view, "Lần đầu/Nhiều lần")
    assert _cell(view, 449, first_time) == "Lần đầu"  # the oldest visit of the case
    assert _cell(view, 0, first_time) == "Nhiều lần"


def test_search_box_filters_without_accents(
    qtbot: QtBot, open_window: OpenWindow, sqlite_engine: Engine
) -> None:
    insert_visits(sqlite_engine, 30)
    with sqlite_engine.begin() as conn:
        other = add_case(conn, title="Chế độ chính sách người có công")
        duc = add_citizen(conn, "Nguyễn Văn Đức")
        add_visit(conn, other, date(2023, 5, 1), citizen_ids=[duc], content="Hỏi về trợ cấp")
        lan = add_citizen(conn, "Nguyễn Thị Lan")
        add_visit(conn, other, date(2023, 5, 2), citizen_ids=[lan], content="Bà Lan đề nghị cấp lại sổ")
    window = open_window(sqlite_engine)
    view = _table(window, "visits")
    qtbot.waitUntil(lambda: view.model().rowCount() == 32 and not window.showing_first_run)
    window.show_list("visits")

    qtbot.keyClicks(window.search_box, "nguyen")
    qtbot.waitUntil(lambda: view.model().rowCount() == 2 and not view.model().loading)
    content = _column(view, "Nội dung")
    assert {_cell(view, r, content) for r in range(2)} == {
        "Hỏi về trợ cấp",
        "Bà Lan đề nghị cấp lại sổ",
    }
    qtbot.waitUntil(lambda: window.count_label.text() == "Lượt tiếp khớp “nguyen”: 2 dòng")

    window.search_box.clear()
    qtbot.keyClicks(window.search_box, "xyz khong co")
    qtbot.waitUntil(lambda: window.current_pane().model.query == "xyz khong co" and not view.model().loading)
    assert view.model().rowCount() == 0

    window.search_box.clear()
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.model().rowCount() == 32)


def test_keyboard_shortcuts(qtbot: QtBot, open_window: OpenWindow, sqlite_engine: Engine) -> None:
    insert_visits(sqlite_engine, 3)
    window = open_window(sqlite_engine)
    window.activateWindow()
    qtbot.waitUntil(lambda: not window.showing_first_run)
    _table(window, "visits").setFocus()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_kind() == "petitions"
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_kind() == "transfers"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_kind() == "visits"
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search_box.hasFocus)

    insert_visits(sqlite_engine, 4)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: _table(window, "visits").model().rowCount() == 7)


def _petitions_and_transfers(engine: Engine, today: date) -> None:
    with engine.begin() as conn:
        signer = add_citizen(conn, "Trần Văn Tố")
        public_signer = add_citizen(conn, "Lê Thị Hoa")
        secret = add_petition(
            conn, today - timedelta(days=3), "denunciation", summary="Tố cáo cán bộ địa chính"
        )
        public = add_petition(conn, today - timedelta(days=2), "complaint", summary="Khiếu nại thu hồi đất")
        conn.execute(
            insert(PetitionSigner.__table__),
            [
                {"petition_id": secret, "citizen_id": signer, "ordinal": 0},
                {"petition_id": public, "citizen_id": public_signer, "ordinal": 0},
            ],
        )
        agency = add_agency(conn, "UBND xã Ea Tu")
        add_transfer(
            conn, public, agency, today - timedelta(days=40), number="01/PC", due_on=today - timedelta(days=5)
        )
        add_transfer(
            conn,
            public,
            agency,
            today - timedelta(days=30),
            number="02/PC",
            due_on=today - timedelta(days=5),
            answered_on=today - timedelta(days=6),
        )


def _check_petitions_and_transfers(qtbot: QtBot, window: MainWindow) -> None:
    petitions = _table(window, "petitions")
    qtbot.waitUntil(lambda: petitions.model().rowCount() == 2)
    window.show_list("petitions")
    signer_col = _column(petitions, "Người đứng đơn")
    kind_col = _column(petitions, "Loại đơn")
    by_kind = {_cell(petitions, r, kind_col): _cell(petitions, r, signer_col) for r in range(2)}
    assert by_kind == {"Tố cáo": "Người tố cáo (bảo mật)", "Khiếu nại": "Lê Thị Hoa"}

    transfers = _table(window, "transfers")
    window.show_list("transfers")
    qtbot.waitUntil(lambda: transfers.model().rowCount() == 2)
    number = _column(transfers, "Số văn bản")
    rows = {_cell(transfers, r, number): r for r in range(2)}
    late, answered = rows["01/PC"], rows["02/PC"]
    brush = _cell(transfers, late, 0, Qt.ItemDataRole.BackgroundRole)
    assert brush is not None and brush.color() == OVERDUE_BACKGROUND
    assert _cell(transfers, late, _column(transfers, "Ngày trả lời")) == OVERDUE_TEXT
    assert _cell(transfers, answered, 0, Qt.ItemDataRole.BackgroundRole) is None
    # what the view paints comes from the same model data: render it once to be sure nothing breaks
    transfers.viewport().grab()


def test_confidential_signers_and_overdue_transfers(
    qtbot: QtBot, open_window: OpenWindow, db_url: str
) -> None:
    """On SQLite and on PostgreSQL."""
    engine = make_engine(db_url)
    try:
        _petitions_and_transfers(engine, date.today())
        window = open_window(engine)
        _check_petitions_and_transfers(qtbot, window)
        window.close()
        background.wait_idle()
    finally:
        engine.dispose()


def test_counts_and_summaries_are_written_the_vietnamese_way() -> None:
    assert format_count(1234567) == "1.234.567"
    assert summarise({"visits": 40, "petitions": 30, "errors": []}) == "40 lượt tiếp, 30 đơn"
    assert summarise({"citizen": 8}) == "8 công dân"
    assert summarise(None) == ""


def test_search_everywhere_tab(qtbot: QtBot, open_window: OpenWindow, sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as conn:
        case_id = add_case(conn, title="Tranh chấp lối đi chung")
        duc = add_citizen(conn, "Nguyễn Văn Đức", id_number="067181000001")
        add_visit(conn, case_id, date(2025, 1, 2), citizen_ids=[duc])
    window = open_window(sqlite_engine)
    qtbot.waitUntil(lambda: not window.showing_first_run)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_kind() is None and window.tabs.currentWidget() is window.global_search
    qtbot.keyClicks(window.search_box, "nguyen duc")
    results = window.global_search.model
    qtbot.waitUntil(lambda: results.rowCount() >= 1 and not window.global_search.loading)
    titles = [results.data(results.index(r, 2)) for r in range(results.rowCount())]
    assert "Nguyễn Văn Đức" in titles
    assert results.data(results.index(titles.index("Nguyễn Văn Đức"), 0)) == "Công dân"
    assert window.count_label.text().startswith("Tìm kiếm toàn bộ “nguyen duc”: ")
    # the lists keep their own filter
    window.show_list("visits")
    assert window.search_box.text() == ""
