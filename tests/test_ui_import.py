"""Import, export and demo data from the window, through the background helper and real services."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from reception_desk.storage.engine import make_engine
from reception_desk.ui import background, dialogs
from reception_desk.ui.main_window import MainWindow
from tests.ui_support import OFFSCREEN_LOG_IGNORE

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]

WAIT_MS = 60_000  # imports run on a shared 2-core machine next to other test runs


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    calls: dict[str, list] = {"error": [], "report": [], "info": []}
    monkeypatch.setattr(
        dialogs, "show_error", lambda _p, t, m, details=(): calls["error"].append((t, m, list(details)))
    )
    monkeypatch.setattr(
        dialogs, "show_report", lambda _p, t, m, report: calls["report"].append((t, m, report))
    )
    monkeypatch.setattr(dialogs, "show_info", lambda _p, t, m: calls["info"].append((t, m)))
    return calls


@pytest.fixture
def window_on(qtbot: QtBot) -> Iterator:
    def make(engine: Engine) -> MainWindow:
        window = MainWindow(engine)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.database_empty is not None, timeout=WAIT_MS)
        return window

    yield make
    background.wait_idle()


def test_import_from_the_welcome_panel(
    qtbot: QtBot, window_on, db_url: str, examples_dir: Path, recorded: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example office, imported with a patched file dialog; on SQLite and PostgreSQL."""
    engine = make_engine(db_url)
    try:
        window = window_on(engine)
        assert window.showing_first_run
        monkeypatch.setattr(dialogs, "ask_open_file", lambda *_a, **_k: examples_dir / "small-office.jsonl")
        qtbot.mouseClick(window.first_run.import_button, Qt.MouseButton.LeftButton)
        visits = window.panes["visits"].model
        qtbot.waitUntil(lambda: not window.showing_first_run and visits.rowCount() == 40, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.panes["petitions"].model.rowCount() == 30, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.panes["transfers"].model.rowCount() == 15, timeout=WAIT_MS)
        assert recorded["error"] == []
        ((title, message, report),) = recorded["report"]
        assert title == "Đã nhập xong" and "small-office.jsonl" in message and "40" in report
        assert "40 lượt tiếp" in window.statusBar().currentMessage()
        window.close()
        background.wait_idle()
    finally:
        engine.dispose()


def test_a_bad_file_lists_its_errors_and_writes_nothing(
    qtbot: QtBot,
    window_on,
    sqlite_engine: Engine,
    tmp_path: Path,
    recorded: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = tmp_path / "sai.jsonl"
    bad.write_text(
        json.dumps({"type": "citizen", "id": "C1", "full_name": "Nguyễn Văn A"}, ensure_ascii=False)
        + "\n{không phải json\n"
        + json.dumps({"type": "visit", "id": "V1", "visit_date": "2025-13-45"})
        + "\n",
        encoding="utf-8",
    )
    window = window_on(sqlite_engine)
    monkeypatch.setattr(dialogs, "ask_open_file", lambda *_a, **_k: bad)
    window.import_action.trigger()
    qtbot.waitUntil(lambda: bool(recorded["error"]), timeout=WAIT_MS)
    ((title, message, details),) = recorded["error"]
    assert title == "Không nhập được dữ liệu"
    assert message and len(details) >= 2
    background.wait_idle()
    assert window.showing_first_run and window.database_empty


def test_demo_then_export(
    qtbot: QtBot,
    window_on,
    sqlite_engine: Engine,
    tmp_path: Path,
    recorded: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = window_on(sqlite_engine)
    qtbot.mouseClick(window.first_run.demo_button, Qt.MouseButton.LeftButton)
    visits = window.panes["visits"].model
    qtbot.waitUntil(lambda: not window.showing_first_run and visits.rowCount() > 0, timeout=WAIT_MS)
    assert recorded["error"] == []

    target = tmp_path / "xuat.jsonl"
    monkeypatch.setattr(dialogs, "ask_save_file", lambda *_a, **_k: target)
    window.export_action.trigger()
    qtbot.waitUntil(lambda: bool(recorded["info"]), timeout=WAIT_MS)
    assert target.exists()
    lines = target.read_text(encoding="utf-8").splitlines()
    assert sum(1 for line in lines if json.loads(line).get("type") == "visit") >= visits.rowCount()
    assert recorded["info"][0][0] == "Đã xuất xong"
