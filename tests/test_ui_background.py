"""ui.background: results on the GUI thread, delayed progress dialog with "Hủy", error routing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from reception_desk.services.errors import CancelCheck, Cancelled, Progress, UserError, ValidationError
from reception_desk.ui import background, crash, dialogs
from reception_desk.ui.background import BackgroundOp
from tests.ui_support import OFFSCREEN_LOG_IGNORE

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]


@pytest.fixture
def parent(qtbot: QtBot) -> Iterator[QWidget]:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    background.wait_idle()


@pytest.fixture
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, list[str]]]:
    calls: list[tuple[str, str, list[str]]] = []
    monkeypatch.setattr(
        dialogs, "show_error", lambda _p, title, msg, details=(): calls.append((title, msg, list(details)))
    )
    return calls


def test_success_is_delivered_on_the_gui_thread(qtbot: QtBot, parent: QWidget) -> None:
    seen: dict[str, object] = {}

    def task(progress: Progress, cancel: CancelCheck) -> int:
        seen["worker"] = QThread.currentThread()
        return 42

    def done(result: int) -> None:
        seen["result"] = result
        seen["gui"] = QThread.currentThread()

    BackgroundOp(parent, task).success(done).run_in_background()
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 42
    assert seen["gui"] is QApplication.instance().thread()
    assert seen["worker"] is not seen["gui"]


def test_a_write_broadcasts_the_change(qtbot: QtBot, parent: QWidget) -> None:
    with qtbot.waitSignal(background.changes().database_changed, timeout=5000):
        BackgroundOp(parent, lambda p, c: None, writes=True).run_in_background()


def test_user_error_becomes_a_message_with_the_error_list(
    qtbot: QtBot, parent: QWidget, shown_errors: list
) -> None:
    def task(progress: Progress, cancel: CancelCheck) -> None:
        raise ValidationError("Tệp có 2 dòng sai; chưa nhập gì.", ["dòng 3: thiếu ngày", "dòng 9: sai mã"])

    BackgroundOp(parent, task, error_title="Không nhập được dữ liệu").run_in_background()
    qtbot.waitUntil(lambda: bool(shown_errors))
    assert shown_errors == [
        (
            "Không nhập được dữ liệu",
            "Tệp có 2 dòng sai; chưa nhập gì.",
            ["dòng 3: thiếu ngày", "dòng 9: sai mã"],
        )
    ]


def test_a_bug_goes_to_the_crash_dialog(
    qtbot: QtBot, parent: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashes: list[tuple[str, str]] = []
    monkeypatch.setattr(
        dialogs, "show_crash", lambda _p, summary, details, _log: crashes.append((summary, details))
    )

    def task(progress: Progress, cancel: CancelCheck) -> None:
        raise KeyError("không có")

    BackgroundOp(parent, task).run_in_background()
    qtbot.waitUntil(lambda: bool(crashes))
    summary, details = crashes[0]
    assert summary.startswith("KeyError")
    assert "Traceback" in details and "in task" in details


def test_progress_dialog_appears_late_and_cancel_stops_the_task(qtbot: QtBot, parent: QWidget) -> None:
    started = threading.Event()
    outcome: list[str] = []

    def task(progress: Progress, cancel: CancelCheck) -> None:
        started.set()
        for done in range(10_000):
            if cancel():
                raise Cancelled()
            progress(done, 10_000)
            time.sleep(0.005)
        outcome.append("finished")

    op = (
        BackgroundOp(parent, task, label="Đang nhập dữ liệu…", writes=True)
        .success(lambda _r: outcome.append("success"))
        .cancelled(lambda: outcome.append("cancelled"))
        .run_in_background()
    )
    assert started.wait(5)
    assert parent.findChildren(QProgressDialog) == []  # nothing flashes for short work
    qtbot.waitUntil(lambda: any(d.isVisible() for d in parent.findChildren(QProgressDialog)), timeout=5000)
    dialog = next(d for d in parent.findChildren(QProgressDialog) if d.isVisible())
    assert dialog.labelText() == "Đang nhập dữ liệu…"
    qtbot.waitUntil(lambda: dialog.value() > 0)
    cancel_button = dialog.findChild(QPushButton)
    assert cancel_button.text() == "Hủy"
    qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: op.done)
    assert outcome == ["cancelled"]
    qtbot.waitUntil(lambda: not any(d.isVisible() for d in parent.findChildren(QProgressDialog)))


def test_no_callback_after_the_view_is_gone(qtbot: QtBot, shown_errors: list) -> None:
    widget = QWidget()
    release = threading.Event()
    called: list[object] = []

    def task(progress: Progress, cancel: CancelCheck) -> None:
        release.wait(5)
        raise UserError("không quan trọng nữa")

    op = BackgroundOp(widget, task).success(called.append).run_in_background()
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget))
    release.set()
    qtbot.waitUntil(lambda: op.done)
    assert called == [] and shown_errors == []


def _alive(widget: QWidget) -> bool:
    from shiboken6 import isValid

    return isValid(widget)


def test_crash_report_is_logged(tmp_path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> None:  # noqa: ANN001
    log_path = crash.setup_logging(tmp_path)
    shown: list[str] = []
    monkeypatch.setattr(
        dialogs, "show_crash", lambda _p, summary, _details, path: shown.append(f"{summary}|{path}")
    )
    try:
        raise ZeroDivisionError("chia cho 0")
    except ZeroDivisionError as exc:
        crash.report_exception(type(exc), exc, exc.__traceback__)
    assert shown == [f"ZeroDivisionError: chia cho 0|{log_path}"]
    for handler in __import__("logging").getLogger().handlers:
        handler.flush()
    assert "ZeroDivisionError: chia cho 0" in log_path.read_text(encoding="utf-8")
