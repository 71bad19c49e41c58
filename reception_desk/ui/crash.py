"""The application shell's safety net: a log file, a crash dialog for bugs, a fault handler.

- ``setup_logging``: a rotating log in <user data>/logs/, the file the crash dialog points to;
- ``install_excepthook``: an exception nobody caught is logged and shown in a dialog with
  "Sao chép chi tiết", instead of a traceback on a console the user never sees;
- ``enable_faulthandler``: a hard crash (segfault inside Qt, …) writes the Python stacks to
  crash.log; the next start moves that file aside and tells the user.
"""

from __future__ import annotations

import faulthandler
import logging
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import IO

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from reception_desk.paths import user_data_dir
from reception_desk.ui import dialogs

log = logging.getLogger(__name__)

LOG_NAME = "reception-desk.log"
CRASH_NAME = "crash.log"

_log_path: Path | None = None
_crash_file: IO[str] | None = None
_in_report = False


def log_dir() -> Path:
    path = user_data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def setup_logging(directory: Path | None = None) -> Path:
    """Log INFO and above to a rotating file; returns its path."""
    global _log_path
    directory = directory or log_dir()
    path = directory / LOG_NAME
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path for h in root.handlers):
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    _log_path = path
    return path


def enable_faulthandler(directory: Path | None = None) -> str | None:
    """Write hard-crash stacks to crash.log; returns what the previous run's crash left there."""
    global _crash_file
    directory = directory or log_dir()
    path = directory / CRASH_NAME
    previous: str | None = None
    if path.exists() and path.stat().st_size > 0:
        previous = path.read_text(encoding="utf-8", errors="replace")
        path.replace(directory / "crash-previous.log")
    if _crash_file is None:
        _crash_file = path.open("w", encoding="utf-8")  # kept open: the handler writes at crash time
        faulthandler.enable(_crash_file)
    return previous


def disable_faulthandler() -> None:
    """On a clean exit: stop the handler and leave an empty crash.log behind."""
    global _crash_file
    if _crash_file is not None:
        faulthandler.disable()
        _crash_file.close()
        _crash_file = None


def report_exception(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    parent: QObject | None = None,
) -> None:
    """Log an unexpected exception and show the crash dialog (if a GUI is running)."""
    global _in_report
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    log.error("Lỗi không mong muốn:\n%s", details)
    if _in_report or QApplication.instance() is None:
        # An error while showing the dialog: the log has it, do not loop.
        print(details, file=sys.stderr)
        return
    _in_report = True
    try:
        summary = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
        dialogs.show_crash(parent, summary, details, _log_path)
    finally:
        _in_report = False


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    report_exception(exc_type, exc, tb)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    # No dialog from a non-GUI thread; background.py delivers its own errors to the GUI thread.
    if args.exc_value is not None:
        log.error(
            "Lỗi trong luồng %s:\n%s",
            args.thread.name if args.thread else "?",
            "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)),
        )


def install_excepthook() -> None:
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
