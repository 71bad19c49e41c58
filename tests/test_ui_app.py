"""ui.app.run_gui: opening the right database, a clear message instead of a traceback."""

from __future__ import annotations

import faulthandler
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from reception_desk.ui import app as app_module
from reception_desk.ui import crash, dialogs
from reception_desk.ui.main_window import MainWindow
from tests.ui_support import OFFSCREEN_LOG_IGNORE

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]


@pytest.fixture(autouse=True)
def _restore_global_hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """run_gui installs process-wide hooks; give pytest its own back afterwards."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    was_enabled = faulthandler.is_enabled()
    yield
    crash.disable_faulthandler()
    if was_enabled:
        faulthandler.enable(sys.__stderr__)


def _close_when_shown(seen: list[MainWindow]) -> None:
    def check() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if windows and windows[0].database_empty is not None:
            seen.append(windows[0])
            windows[0].close()
        else:
            QTimer.singleShot(20, check)

    QTimer.singleShot(0, check)


def test_opens_the_database_from_the_environment(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "van-phong.sqlite"
    monkeypatch.setenv("RECEPTION_DESK_DB", str(db))
    seen: list[MainWindow] = []
    _close_when_shown(seen)
    assert app_module.run_gui(None) == 0
    assert db.exists()
    assert seen and seen[0].windowTitle() == "Bàn tiếp công dân — SQLite: van-phong.sqlite"
    assert seen[0].showing_first_run
    assert QApplication.applicationName() == "Bàn tiếp công dân"
    assert (crash.log_dir() / crash.LOG_NAME).exists()


def test_a_database_from_a_newer_version_is_refused_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    db = tmp_path / "moi-hon.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(
        dialogs, "show_error", lambda _p, title, message, details=(): errors.append((title, message))
    )
    assert app_module.run_gui(str(db)) == 1
    assert len(errors) == 1
    title, message = errors[0]
    assert title == "Không mở được cơ sở dữ liệu"
    assert "phiên bản mới hơn" in message
    with sqlite3.connect(db) as conn:  # untouched
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("9999_from_the_future",)
        ]


def test_a_bad_url_is_refused_with_a_message(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> None:
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, _title, message, details=(): errors.append(message))
    assert app_module.run_gui("mysql://máy-chủ/csdl") == 1
    assert errors and "không được hỗ trợ" in errors[0]


def test_a_previous_hard_crash_is_reported_on_the_next_start(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (crash.log_dir() / crash.CRASH_NAME).write_text(
        "Fatal Python error: Segmentation fault\n", encoding="utf-8"
    )
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, title, _m, details=(): errors.append(title))
    seen: list[MainWindow] = []
    _close_when_shown(seen)
    assert app_module.run_gui(str(tmp_path / "db.sqlite")) == 0
    assert errors == ["Lần trước chương trình bị dừng đột ngột"]
    assert "Segmentation fault" in (crash.log_dir() / "crash-previous.log").read_text(encoding="utf-8")
