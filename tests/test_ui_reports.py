"""The Báo cáo tab, the drill-down, the Mẫu 03 register and the start-screen dashboard (offscreen,
real views): the report of a small world shows the right figures and narrative, a figure opens
exactly its records, exports run on a worker thread (or say in Vietnamese that a writer is
missing), and the charts draw the dashboard's figures and follow saves without blocking."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QHorizontalBarSeries, QLineSeries, QPieSeries
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from reception_desk.services import reports
from reception_desk.services.dashboard import dashboard
from reception_desk.services.reports import RecordRow
from reception_desk.ui import background, dialogs, letter_preview, reports_view
from reception_desk.ui import dashboard as ui_dashboard
from reception_desk.ui.case_view import CaseView
from reception_desk.ui.dashboard import DashboardWidget
from reception_desk.ui.main_window import MainWindow
from reception_desk.ui.report_drilldown import ReportDrilldownDialog
from reception_desk.ui.reports_view import (
    INCREASE,
    FigureTableModel,
    ReportsView,
    default_period,
    report_year,
)
from tests.builders import add_agency, add_case, add_citizen, add_petition, add_transfer, add_visit
from tests.ui_support import OFFSCREEN_LOG_IGNORE

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]

TODAY = date(2026, 3, 20)  # Q1/2026 (15/12/2025 – 14/03/2026) has just ended


@pytest.fixture(autouse=True)
def _idle() -> Iterator[None]:
    yield
    background.wait_idle()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, ReportDrilldownDialog | reports_view.RegisterDialog):
            widget.close()
    background.wait_idle()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _parent, _title, message, _details=(): shown.append(message))
    return shown


def _world(engine: Engine) -> dict[str, Any]:
    """Q1/2026 and its twin a year earlier, with records on the first and last day of the period."""
    with engine.begin() as conn:
        an = add_citizen(conn, "Nguyễn Văn An", address="thôn 3, xã Ea Tu")
        land = add_case(conn, kind="complaint", title="Tranh chấp đất đai thôn 3", field="Đất đai")
        road = add_case(conn, kind="recommendation", title="Kiến nghị sửa đường liên thôn")
        add_visit(conn, land, date(2024, 12, 15), citizen_ids=[an])  # previous year's first day
        first = add_visit(conn, land, date(2025, 12, 15), citizen_ids=[an])  # the period's first day
        add_visit(conn, road, date(2026, 3, 14), persons=2, citizen_ids=[an])  # its last day
        add_visit(conn, road, date(2026, 3, 15))  # the next period
        p1 = add_petition(conn, date(2025, 12, 15), "complaint", case_id=land, summary="Khiếu nại thu hồi đất")
        add_petition(conn, date(2026, 1, 10), "denunciation", channel="in_person", summary="Tố cáo cán bộ xã")
        add_petition(conn, date(2026, 3, 14), "recommendation", channel="zalo", case_id=road,
                     summary="Kiến nghị sửa đường")
        add_petition(conn, date(2025, 2, 1), "complaint")  # previous year
        agency = add_agency(conn, "UBND xã Ea Tu")
        add_transfer(conn, p1, agency, date(2026, 1, 5), due_on=date(2026, 2, 5))
    return {"first_visit": first, "land": land}


def _row_of(model: FigureTableModel, key: str) -> int:
    return next(n for n, f in enumerate(model.figures()) if f.key == key)


def _texts(model: FigureTableModel, row: int) -> list[str]:
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]


def _made(qtbot: QtBot, engine: Engine) -> ReportsView:
    view = ReportsView(engine, today=TODAY)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.mouseClick(view.make_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.report is not None and not view.computing, timeout=20_000)
    return view


def _load_all(qtbot: QtBot, model: Any) -> None:
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.loading, timeout=10_000)


# --- the period picker -------------------------------------------------------------------------


def test_period_picker_offers_the_official_periods_and_free_ranges(qtbot: QtBot, sqlite_engine: Engine) -> None:
    assert report_year(date(2026, 12, 15)) == 2027 and report_year(date(2026, 12, 14)) == 2026
    assert default_period(date(2026, 1, 10)).label == "Quý IV/2025 (15/09/2025 – 14/12/2025)"
    view = ReportsView(sqlite_engine, today=TODAY)
    qtbot.addWidget(view)
    combo = view.period_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Quý I/2026 (15/12/2025 – 14/03/2026)", "Quý II/2026 (15/03/2026 – 14/06/2026)",
        "Quý III/2026 (15/06/2026 – 14/09/2026)", "Quý IV/2026 (15/09/2026 – 14/12/2026)",
        "6 tháng đầu năm 2026 (15/12/2025 – 14/06/2026)", "9 tháng năm 2026 (15/12/2025 – 14/09/2026)",
        "Năm 2026 (15/12/2025 – 14/12/2026)", "Khoảng ngày tự chọn"]
    assert combo.currentIndex() == 0 and view.chosen_period().code == "q1"
    assert (view.from_edit.date().toPython(), view.to_edit.date().toPython()) == (date(2025, 12, 15), date(2026, 3, 14))

    combo.setCurrentIndex(6)  # the year
    view.year_spin.setValue(2025)
    assert view.chosen_period().label == "Năm 2025 (15/12/2024 – 14/12/2025)"
    assert view.to_edit.date().toPython() == date(2025, 12, 14)

    view.from_edit.setDate(date(2026, 2, 1))  # typing a date makes it a free range
    view.to_edit.setDate(date(2026, 1, 1))
    assert combo.currentText() == "Khoảng ngày tự chọn"
    assert view.make_report() is None  # the wrong way round: said, nothing computed
    assert view.status_label.text() == "Ngày kết thúc (01/01/2026) trước ngày bắt đầu (01/02/2026)."
    view.to_edit.setDate(date(2026, 2, 28))
    assert view.chosen_period().name == "từ ngày 01/02/2026 đến ngày 28/02/2026"


# --- the report --------------------------------------------------------------------------------


def test_reports_tab_shows_the_figures_and_the_narrative(qtbot: QtBot, sqlite_engine: Engine) -> None:
    _world(sqlite_engine)
    view = _made(qtbot, sqlite_engine)
    report = view.report
    assert report is not None and report.period.label == "Quý I/2026 (15/12/2025 – 14/03/2026)"
    assert "Báo cáo Quý I/2026" in view.title_label.text()

    tcd, xld = view.tcd_model, view.xld_model
    assert [f.key for f in tcd.figures()] == [f.key for f in report.figures("tcd.")]
    visits = _row_of(tcd, "tcd.total.visits")
    assert _texts(tcd, visits) == ["Tổng số lượt tiếp", "2", "1", "▲ 1", "lượt", "1"]
    change = tcd.index(visits, FigureTableModel.CHANGE)
    assert tcd.data(change, Qt.ItemDataRole.ForegroundRole).color() == INCREASE
    assert _texts(tcd, _row_of(tcd, "tcd.total.persons"))[1:4] == ["3", "1", "▲ 2"]
    assert _texts(tcd, _row_of(tcd, "tcd.regular.first_cases"))[1:4] == ["1", "1", "0"]
    assert _texts(tcd, _row_of(tcd, "tcd.regular.repeat_cases"))[1:4] == ["1", "0", "▲ 1"]
    assert _texts(xld, _row_of(xld, "xld.received.total"))[1:4] == ["3", "1", "▲ 2"]
    assert _texts(xld, _row_of(xld, "xld.by_channel.zalo"))[1:4] == ["1", "0", "▲ 1"]
    assert _texts(xld, _row_of(xld, "xld.by_kind.complaint"))[1:4] == ["1", "1", "0"]
    assert _texts(xld, _row_of(xld, "xld.transfers.overdue"))[1:4] == ["1", "0", "▲ 1"]

    text = view.narrative_edit.toPlainText()
    assert text == report.narrative.text
    assert "Quý I/2026, Ban Tiếp công dân đã tổ chức tiếp tổng số là: 02 lượt" in text
    assert "(tăng 01 lượt so với cùng kỳ)" in text
    assert view.narrative_edit.isReadOnly()
    qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == text

    background.changes().database_changed.emit()  # a save elsewhere: the report is out of date
    assert view.stale and "Dữ liệu đã thay đổi" in view.status_label.text()


def test_a_report_can_be_cancelled_and_a_late_answer_is_dropped(qtbot: QtBot, sqlite_engine: Engine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _world(sqlite_engine)
    release = threading.Event()
    real = reports_view.office_report

    def slow(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(reports_view, "office_report", slow)
    view = ReportsView(sqlite_engine, today=TODAY)
    qtbot.addWidget(view)
    view.show()
    op = view.make_report()
    assert op is not None and view.computing
    assert view.busy.isVisible() and view.cancel_button.isVisible() and not view.make_button.isEnabled()
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert not view.computing and view.make_button.isEnabled() and view.status_label.text() == "Đã hủy lập báo cáo."
    release.set()
    qtbot.waitUntil(lambda: op.done, timeout=10_000)
    assert view.report is None  # the answer arrived after the cancel: not shown


# --- drill-down --------------------------------------------------------------------------------


def test_drilldown_lists_exactly_the_records_behind_a_figure(qtbot: QtBot, sqlite_engine: Engine) -> None:
    world = _world(sqlite_engine)
    view = _made(qtbot, sqlite_engine)
    xld = view.xld_view
    view.forms.setCurrentWidget(xld)
    row = _row_of(view.xld_model, "xld.received.total")
    xld.setFocus()
    xld.setCurrentIndex(view.xld_model.index(row, FigureTableModel.CURRENT))
    qtbot.keyClick(xld, Qt.Key.Key_Return)  # Enter opens the figure
    dialog = view.last_drilldown
    assert dialog is not None and dialog.figure.key == "xld.received.total"
    qtbot.waitUntil(lambda: dialog.recomputed is not None and dialog.model.exhausted, timeout=10_000)
    assert dialog.model.rowCount() == dialog.value == dialog.recomputed == 3
    assert [dialog.model.row_at(i).day for i in range(3)] == [date(2025, 12, 15), date(2026, 1, 10),
                                                                date(2026, 3, 14)]
    assert dialog.count_label.text() == "Danh sách có 3 đơn; tính lại từ các bản ghi: 3 đơn, khớp với báo cáo."
    # the denouncer is not named
    assert dialog.model.data(dialog.model.index(1, 3)) == "Người tố cáo (bảo mật)"

    # the previous year's column opens the previous year's records
    previous = view.open_figure(xld, view.xld_model.index(row, FigureTableModel.PREVIOUS))
    assert previous is not None and previous.period == view.report.previous_period
    qtbot.waitUntil(lambda: previous.recomputed is not None and previous.model.exhausted, timeout=10_000)
    assert previous.model.rowCount() == previous.value == 1

    # a record opens through the main window's openers
    dialog.view.setCurrentIndex(dialog.model.index(0, 0))
    emitted: list[RecordRow] = []
    view.open_record.connect(emitted.append)
    with qtbot.waitSignal(view.open_record, timeout=5_000) as opened:
        qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    qtbot.wait(50)
    assert len(emitted) == 1  # Enter opens once (no default button pressed as well)
    record = opened.args[0]
    assert isinstance(record, RecordRow) and record.record == "petition" and record.case_id == world["land"]
    with qtbot.waitSignal(view.open_case, timeout=5_000) as case:
        qtbot.mouseClick(dialog.case_button, Qt.MouseButton.LeftButton)
    assert case.args == [world["land"]]


def test_drilldown_pages_lazily_as_the_list_scrolls(qtbot: QtBot, sqlite_engine: Engine) -> None:
    _world(sqlite_engine)
    view = _made(qtbot, sqlite_engine)
    figure = view.report.figure("tcd.total.persons")  # a person figure: the sum of its visits' persons
    dialog = ReportDrilldownDialog(sqlite_engine, figure, view.report.period, figure.value, view, page_size=1)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1 and dialog.recomputed is not None, timeout=10_000)
    assert not dialog.model.exhausted and "Đã tải 1 lượt tiếp đầu tiên" in dialog.count_label.text()
    _load_all(qtbot, dialog.model)
    assert dialog.model.rowCount() == view.report.figure("tcd.total.visits").value == 2
    assert dialog.recomputed == figure.value == 3
    assert "(số người là tổng của các bản ghi)" in dialog.count_label.text()


# --- exports -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF"), ("xlsx", b"PK"), ("docx", b"PK")])
def test_export_runs_in_the_background(qtbot: QtBot, sqlite_engine: Engine, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch, errors: list[str], fmt: str,
                                       magic: bytes) -> None:
    _world(sqlite_engine)
    view = _made(qtbot, sqlite_engine)
    if reports_view.export_problem(fmt) is not None:
        pytest.skip(f"no {fmt} writer in this build")
    target = tmp_path / "bao-cao"  # the suffix is added
    monkeypatch.setattr(dialogs, "ask_save_file", lambda *_a, **_k: target)
    with qtbot.waitSignal(view.exported, timeout=30_000) as done:
        qtbot.mouseClick(view.export_buttons[fmt], Qt.MouseButton.LeftButton)
        op = view.export_op
        assert op is not None and not op.done  # handed to a worker; the window goes on
        assert not view.export_buttons[fmt].isEnabled()
    written = done.args[0]
    assert written == target.with_suffix(f".{fmt}") and written.read_bytes().startswith(magic)
    assert view.export_buttons[fmt].isEnabled() and errors == []


def test_export_without_a_writer_says_so(qtbot: QtBot, sqlite_engine: Engine, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, errors: list[str]) -> None:
    _world(sqlite_engine)
    view = _made(qtbot, sqlite_engine)
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_save_file", lambda *_a, **_k: asked.append("?") or tmp_path / "x.docx")

    monkeypatch.setattr(reports_view, "EXPORTS_MODULE", "reception_desk.services.no_report_exports")
    qtbot.mouseClick(view.export_buttons["pdf"], Qt.MouseButton.LeftButton)
    assert errors[-1].startswith("Bản này chưa có bộ xuất báo cáo ra tệp (PDF, Excel, Word)")
    monkeypatch.undo()
    monkeypatch.setattr(dialogs, "show_error", lambda _p, _t, message, _d=(): errors.append(message))
    monkeypatch.setattr(dialogs, "ask_save_file", lambda *_a, **_k: asked.append("?") or tmp_path / "x.docx")

    monkeypatch.delitem(reports.EXPORTERS, "docx", raising=False)
    qtbot.mouseClick(view.export_buttons["docx"], Qt.MouseButton.LeftButton)
    assert errors[-1] == "Bản này chưa có bộ ghi tệp Word cho báo cáo."
    assert asked == [] and not (tmp_path / "x.docx").exists()  # refused before asking for a file

    def broken(_report: Any, _path: Path) -> None:  # a writer whose module is missing from the build
        raise ModuleNotFoundError("No module named 'reception_desk.services.report_docx'",
                                  name="reception_desk.services.report_docx")

    monkeypatch.setitem(reports.EXPORTERS, "docx", broken)
    monkeypatch.setattr(reports_view.importlib.util, "find_spec", lambda _name: object())
    op = view.export("docx", tmp_path / "x.docx")
    assert op is not None
    qtbot.waitUntil(lambda: op.done and view.export_op is None, timeout=10_000)
    assert "thiếu thành phần “reception_desk.services.report_docx”" in errors[-1]
    assert view.status_label.text() == "Không xuất được tệp Word."


# --- the register ------------------------------------------------------------------------------


def test_register_lists_the_period_and_prints_to_pdf(qtbot: QtBot, sqlite_engine: Engine, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    world = _world(sqlite_engine)
    view = ReportsView(sqlite_engine, today=TODAY)
    qtbot.addWidget(view)
    dialog = view.open_register()
    assert dialog is not None and dialog.model.columnCount() == 12
    qtbot.waitUntil(lambda: dialog.count is not None and dialog.model.exhausted, timeout=10_000)
    assert dialog.count == dialog.model.rowCount() == 2
    assert dialog.model.headerData(9, Qt.Orientation.Horizontal) == \
        "Hướng xử lý: Chuyển đơn đến cơ quan, tổ chức, đơn vị có thẩm quyền"
    first = dialog.model.row_at(0)
    assert [dialog.model.data(dialog.model.index(0, c)) for c in range(3)] == [
        "1", "15/12/2025", "Nguyễn Văn An, thôn 3, xã Ea Tu"]
    with qtbot.waitSignal(view.open_visit, timeout=5_000) as opened:
        dialog.view.setCurrentIndex(dialog.model.index(0, 0))
        qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    assert opened.args == [first.visit_id] == [world["first_visit"]]

    if dialog.writer is None:
        assert not dialog.pdf_button.isEnabled()
        return
    with qtbot.waitSignal(dialog.exported, timeout=30_000):
        op = dialog.export_pdf(tmp_path / "so")
        assert op is not None and not op.done
    assert (tmp_path / "so.pdf").read_bytes().startswith(b"%PDF")

    # printing: the same PDF through the print dialog (here a PDF printer), landscape
    printed_to = tmp_path / "in.pdf"
    asked_pages: list[int] = []

    def pdf_printer(_parent: object, pages: int) -> QPrinter:
        asked_pages.append(pages)
        printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed_to))
        return printer

    monkeypatch.setattr(letter_preview, "ask_printer", pdf_printer)
    with qtbot.waitSignal(dialog.printed, timeout=60_000) as printed:
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert printed.args == asked_pages == [1]
    assert printed_to.read_bytes().startswith(b"%PDF")
    paper = QPdfDocument()
    paper.load(str(printed_to))
    size = paper.pagePointSize(0)
    assert paper.pageCount() == 1 and size.width() > size.height()  # landscape, as the form
    paper.close()
    assert dialog.status_label.text() == "Đã gửi 1 trang sổ tới máy in."

    # "Hủy" while it runs: nothing is written
    gate = threading.Event()
    real_count = reports_view.register_count
    monkeypatch.setattr(reports_view, "register_count", lambda *a: gate.wait(10) and real_count(*a))
    op = dialog.export_pdf(tmp_path / "huy.pdf")
    assert op is not None
    op.cancel()
    gate.set()
    qtbot.waitUntil(lambda: op.done, timeout=10_000)
    assert dialog.status_label.text() == "Đã hủy; không có tệp nào được ghi."
    assert not (tmp_path / "huy.pdf").exists()


# --- the main window ---------------------------------------------------------------------------


def test_ctrl_8_and_the_report_menu(qtbot: QtBot, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    world = _world(sqlite_engine)
    window = MainWindow(sqlite_engine)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.database_empty is False, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.reports
    assert window.reports_action.shortcut().toString() == "Ctrl+8"
    menus = [a.text() for a in window.menuBar().actions()]
    assert "&Báo cáo" in menus
    # a case behind a figure opens in the case window
    case_row = RecordRow("case", world["land"], date(2025, 12, 15), "Tranh chấp đất đai thôn 3", "Khiếu nại", "",
                         "", None, world["land"], False, None)  # type: ignore[arg-type]
    window.open_report_record(case_row)
    qtbot.waitUntil(lambda: any(isinstance(w, CaseView) for d in window._case_windows
                                for w in d.findChildren(CaseView)), timeout=5_000)
    window.show_register()
    assert window.reports.last_register is not None
    for case_window in list(window._case_windows):
        case_window.close()
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *_a, **_k: True)
    window.close()


# --- the dashboard -----------------------------------------------------------------------------

DASH_TODAY = date(2026, 3, 20)


def _dashboard_world(engine: Engine) -> None:
    with engine.begin() as conn:
        case = add_case(conn)
        for day in (date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 1), date(2026, 3, 1), date(2026, 3, 2)):
            add_visit(conn, case, day)
        add_petition(conn, date(2026, 1, 5), "complaint", channel="post")
        add_petition(conn, date(2026, 2, 5), "complaint", channel="zalo")
        p = add_petition(conn, date(2026, 2, 6), "feedback", channel="zalo")
        add_petition(conn, date(2025, 2, 6), "feedback", channel="zalo")
        late, later = add_agency(conn, "UBND xã Ea Tu"), add_agency(conn, "Công an huyện")
        add_transfer(conn, p, late, date(2026, 2, 7), due_on=date(2026, 3, 1))
        add_transfer(conn, p, late, date(2026, 2, 7), due_on=date(2026, 3, 2))
        add_transfer(conn, p, later, date(2026, 2, 7), due_on=date(2026, 3, 3))


def _series(view: Any, kind: type) -> list[Any]:
    return [s for s in view.chart().series() if isinstance(s, kind)]


def _dashboard(qtbot: QtBot, engine: Engine, **kwargs: Any) -> DashboardWidget:
    widget = DashboardWidget(engine, today=DASH_TODAY, **kwargs)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.data is not None and not widget.busy, timeout=10_000)
    return widget


def test_dashboard_draws_the_figures(qtbot: QtBot, sqlite_engine: Engine) -> None:
    _dashboard_world(sqlite_engine)
    widget = _dashboard(qtbot, sqlite_engine)
    assert widget.data == dashboard(sqlite_engine, DASH_TODAY)
    lines = {s.name(): [p.y() for p in s.points()] for s in _series(widget.monthly_view, QLineSeries)}
    assert lines == {
        "Lượt tiếp 2026": [1, 0, 2],  # up to March, the current month
        "Lượt tiếp 2025": [1] + [0] * 10 + [1],
        "Đơn 2026": [1, 2, 0],
        "Đơn 2025": [0, 1] + [0] * 10,
    }
    (pie,) = _series(widget.kinds_view, QPieSeries)
    assert [(s.label(), s.value()) for s in pie.slices()] == [("Khiếu nại: 2 (67%)", 2), ("Phản ánh: 1 (33%)", 1)]
    (channels,) = _series(widget.channels_view, QHorizontalBarSeries)
    axis = next(a for a in widget.channels_view.chart().axes() if isinstance(a, QBarCategoryAxis))
    shown = dict(zip(axis.categories(), [channels.barSets()[0].at(i) for i in range(len(axis.categories()))],
                     strict=True))
    assert shown["Zalo"] == 2 and shown["Bưu chính"] == 1 and shown["Trực tiếp"] == 0
    assert axis.categories()[-1] == "Zalo"  # the most used on top
    (overdue,) = _series(widget.overdue_view, QHorizontalBarSeries)
    axis = next(a for a in widget.overdue_view.chart().axes() if isinstance(a, QBarCategoryAxis))
    assert axis.categories() == ["Công an huyện", "UBND xã Ea Tu"]
    assert [overdue.barSets()[0].at(i) for i in range(2)] == [1, 2]
    assert widget.overdue_view.chart().title() == "Chuyển đơn quá hạn: 3 ở 2 cơ quan"
    with qtbot.waitSignal(widget.overdue_requested, timeout=2_000):
        overdue.clicked.emit(0, overdue.barSets()[0])


def test_dashboard_follows_saves_without_blocking(qtbot: QtBot, sqlite_engine: Engine,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _dashboard_world(sqlite_engine)
    widget = _dashboard(qtbot, sqlite_engine, debounce_ms=100)
    assert widget.readings == 1
    delay = threading.Event()

    def slow(engine: Engine, today: date) -> Any:
        delay.wait(0.4)  # a large office: the reading takes a while
        return dashboard(engine, today)

    monkeypatch.setattr(ui_dashboard, "dashboard", slow)
    with sqlite_engine.begin() as conn:
        add_visit(conn, add_case(conn), date(2026, 3, 19))
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    for _ in range(5):  # five saves in a row: one reading
        background.changes().database_changed.emit()
    qtbot.waitUntil(lambda: widget.readings == 2, timeout=5_000)
    # a save while the reading runs: its answer is old, one more reading follows and is drawn
    with sqlite_engine.begin() as conn:
        add_visit(conn, add_case(conn), date(2026, 3, 20))
    background.changes().database_changed.emit()
    qtbot.waitUntil(lambda: widget.readings == 3 and not widget.busy, timeout=10_000)
    timer.stop()
    assert widget.data is not None and widget.data.visits.this_year[2] == 4
    # the GUI thread kept turning while the readings ran (≥ 0.8 s of work)
    assert len(ticks) >= 30 and max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) < 0.3


def test_dashboard_hidden_reads_again_when_shown(qtbot: QtBot, sqlite_engine: Engine) -> None:
    widget = _dashboard(qtbot, sqlite_engine, debounce_ms=50)
    widget.hide()
    with sqlite_engine.begin() as conn:
        add_visit(conn, add_case(conn), date(2026, 1, 2))
    background.changes().database_changed.emit()
    qtbot.wait(150)
    assert widget.readings == 1  # nothing read for a hidden chart
    widget.show()
    qtbot.waitUntil(lambda: widget.readings == 2 and not widget.busy, timeout=10_000)
    assert widget.data is not None and widget.data.visits.this_year[0] == 1


def test_the_start_screen_carries_the_dashboard(qtbot: QtBot, sqlite_engine: Engine) -> None:
    _dashboard_world(sqlite_engine)
    window = MainWindow(sqlite_engine)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.start_screen.dashboard.data is not None, timeout=10_000)
    with qtbot.waitSignal(window.start_screen.queue_requested, timeout=2_000) as asked:
        window.start_screen.dashboard.overdue_requested.emit()
    assert asked.args == ["overdue"]
    window.close()
