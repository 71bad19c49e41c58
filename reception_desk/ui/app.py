"""Starting the GUI: ``reception-desk`` with no command calls ``run_gui(args.db)``."""

from __future__ import annotations

import logging
import signal
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from reception_desk import APP_NAME, APP_TITLE, __version__
from reception_desk.paths import resources_dir
from reception_desk.services.database import open_database
from reception_desk.services.errors import UserError
from reception_desk.ui import background, crash, dialogs
from reception_desk.ui.main_window import MainWindow

log = logging.getLogger(__name__)

WINDOWS_APP_ID = "ReceptionDesk.BanTiepCongDan"
ICON_PATH = resources_dir() / "icons" / "reception-desk.png"


def create_application() -> QApplication:
    """The QApplication with the program's names (reuses one that already exists, e.g. in tests)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    # No applicationDisplayName: Qt would append it to every window title, which already has it.
    app.setApplicationName(APP_TITLE)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_NAME)  # the app id on Wayland/X11, matched to the .desktop file
    if sys.platform == "win32":
        # Group the windows under our own taskbar icon instead of python.exe's.
        import ctypes

        ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(WINDOWS_APP_ID)
    if ICON_PATH.exists():
        app.setWindowIcon(QIcon(str(ICON_PATH)))
    return app


def _quit_on_ctrl_c(app: QApplication) -> QTimer:
    """Ctrl+C in the terminal closes the window (Python handles signals only between Qt events)."""
    signal.signal(signal.SIGINT, lambda *_: app.closeAllWindows())
    timer = QTimer(app)
    timer.start(500)
    timer.timeout.connect(lambda: None)
    return timer


def run_gui(db: str | None) -> int:
    """Open the database and the main window; the exit code of the application."""
    app = create_application()
    log_path = crash.setup_logging()
    previous_crash = crash.enable_faulthandler()
    crash.install_excepthook()
    log.info("Khởi động %s %s (log: %s)", APP_TITLE, __version__, log_path)
    try:
        try:
            engine = open_database(db)
        except UserError as exc:
            log.warning("Không mở được cơ sở dữ liệu: %s", exc)
            dialogs.show_error(None, "Không mở được cơ sở dữ liệu", str(exc), getattr(exc, "errors", []))
            return 1
        except Exception as exc:  # noqa: BLE001 - a bug: crash dialog, not a console traceback
            crash.report_exception(type(exc), exc, exc.__traceback__)
            return 1
        window = MainWindow(engine)
        window.show()
        if previous_crash:
            QTimer.singleShot(
                0,
                lambda: dialogs.show_error(
                    window,
                    "Lần trước chương trình bị dừng đột ngột",
                    "Lần chạy trước kết thúc bất thường. Thông tin kỹ thuật đã được lưu trong tệp "
                    f"{crash.log_dir() / 'crash-previous.log'}; hãy gửi tệp này cho người hỗ trợ.",
                ),
            )
        _keepalive = _quit_on_ctrl_c(app)
        try:
            return app.exec()
        finally:
            _keepalive.stop()
            background.shutdown()
            engine.dispose()
    finally:
        crash.disable_faulthandler()
