"""The one way the UI runs work off the GUI thread (modelled on Anki's ``CollectionOp``).

A view never creates a thread. It builds an op and chains callbacks::

    BackgroundOp(self, lambda progress, cancel: import_jsonl(engine, path, progress=progress,
                                                             cancel=cancel),
                 label="Đang nhập dữ liệu…", writes=True).success(self._imported).run_in_background()

The task gets ``progress(done, total)`` and ``cancel() -> bool`` (services.errors.Progress and
CancelCheck), so the same service functions run unchanged from the CLI. The helper
- runs the task on a pool thread: writes on a single-thread pool, so two writes never race
  (SQLite allows one writer), reads on a small separate pool so lists stay responsive meanwhile;
- shows a QProgressDialog with "Hủy" only when the work lasts more than ``PROGRESS_DELAY_MS``;
- delivers success or failure on the GUI thread; by default a UserError becomes a Vietnamese
  message box (with the error list of a ValidationError), Cancelled a quiet note, anything else the
  crash dialog;
- after a successful write, emits ``changes().database_changed`` so every list refreshes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog
from shiboken6 import isValid

from reception_desk.services.errors import CancelCheck, Cancelled, Progress, UserError, ValidationError
from reception_desk.ui import crash, dialogs

log = logging.getLogger(__name__)

PROGRESS_DELAY_MS = 500
_PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress updates a second cross the thread boundary

Task = Callable[[Progress, CancelCheck], Any]


class _Changes(QObject):
    database_changed = Signal()


_changes: _Changes | None = None
_pools: dict[str, QThreadPool] = {}
_running: set[BackgroundOp] = set()


def changes() -> _Changes:
    """The broadcast of successful writes (create it on the GUI thread)."""
    global _changes
    if _changes is None:
        _changes = _Changes()
    return _changes


def _pool(writes: bool) -> QThreadPool:
    name = "write" if writes else "read"
    pool = _pools.get(name)
    if pool is None:
        pool = QThreadPool()
        pool.setMaxThreadCount(1 if writes else 2)
        _pools[name] = pool
    return pool


class _Relay(QObject):
    """Carries the worker's results to the GUI thread (it lives there, so emits are queued)."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, op: BackgroundOp) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the op owns it; PySide keeps the Python side alive through the op
        self._op = op

    def run(self) -> None:
        op = self._op
        try:
            result = op._task(op._report_progress, op._cancel_event.is_set)
        except BaseException as exc:  # noqa: BLE001 - every failure is delivered to the GUI thread
            op._relay.failed.emit(exc)
        else:
            op._relay.succeeded.emit(result)


class BackgroundOp(QObject):
    """One piece of background work with its callbacks; see the module docstring."""

    def __init__(
        self,
        parent: QObject | None,
        task: Task,
        *,
        label: str | None = None,
        writes: bool = False,
        error_title: str = "Không thực hiện được",
    ) -> None:
        super().__init__()  # not parented: the op must outlive a view closed while it runs
        self._parent = parent
        self._task = task
        self._label = label
        self._writes = writes
        self._error_title = error_title
        self._on_success: Callable[[Any], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._on_cancelled: Callable[[], None] | None = None
        self._cancel_event = threading.Event()
        self._last_progress = 0.0
        self._progress: tuple[int, int] = (0, 0)
        self._dialog: QProgressDialog | None = None
        self._done = False
        self._relay = _Relay()
        self._relay.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)
        self._relay.succeeded.connect(self._succeeded, Qt.ConnectionType.QueuedConnection)
        self._relay.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_progress)
        self._runnable = _Runnable(self)

    # --- building ---------------------------------------------------------------------------

    def success(self, callback: Callable[[Any], None]) -> BackgroundOp:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> BackgroundOp:
        """Replace the default error handling (message box / crash dialog)."""
        self._on_failure = callback
        return self

    def cancelled(self, callback: Callable[[], None]) -> BackgroundOp:
        self._on_cancelled = callback
        return self

    def run_in_background(self) -> BackgroundOp:
        _running.add(self)
        if self._label is not None:
            self._timer.start(PROGRESS_DELAY_MS)
        _pool(self._writes).start(self._runnable)
        return self

    # --- state ------------------------------------------------------------------------------

    @property
    def label(self) -> str | None:
        """The progress text; None for quiet ops (list pages, counts) that show no dialog."""
        return self._label

    @property
    def done(self) -> bool:
        return self._done

    def cancel(self) -> None:
        """Ask the task to stop; it raises Cancelled at its next check."""
        self._cancel_event.set()

    # --- worker side ------------------------------------------------------------------------

    def _report_progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_progress >= _PROGRESS_INTERVAL_S or (total and done >= total):
            self._last_progress = now
            self._relay.progressed.emit(int(done), int(total))

    # --- GUI side ---------------------------------------------------------------------------

    @Slot()
    def _show_progress(self) -> None:
        if self._done:
            return
        owner = dialogs.parent_widget(self._parent)
        dialog = QProgressDialog(self._label or "", "Hủy", 0, 0, owner)
        dialog.setWindowTitle("Đang xử lý")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self._user_cancelled)
        self._dialog = dialog
        self._apply_progress()
        dialog.show()

    @Slot()
    def _user_cancelled(self) -> None:
        self.cancel()
        if self._dialog is not None and isValid(self._dialog):
            self._dialog.setLabelText("Đang hủy…")

    def _apply_progress(self) -> None:
        if self._dialog is None or not isValid(self._dialog):
            return
        done, total = self._progress
        if total > 0:
            self._dialog.setMaximum(total)
            self._dialog.setValue(min(done, total))
        else:
            self._dialog.setMaximum(0)  # busy indicator until the task knows its total

    @Slot(int, int)
    def _progressed(self, done: int, total: int) -> None:
        self._progress = (done, total)
        self._apply_progress()

    def _finish(self) -> None:
        self._done = True
        self._timer.stop()
        if self._dialog is not None and isValid(self._dialog):
            self._dialog.canceled.disconnect(self._user_cancelled)
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        _running.discard(self)

    def _parent_gone(self) -> bool:
        """The view that asked was closed and deleted meanwhile: nobody to tell."""
        return self._parent is not None and not isValid(self._parent)

    @Slot(object)
    def _succeeded(self, result: object) -> None:
        self._finish()
        if self._writes:
            changes().database_changed.emit()
        if self._parent_gone():
            return
        if self._on_success is not None:
            self._on_success(result)

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if self._parent_gone():
            if not isinstance(exc, UserError):
                log.error("Lỗi trong thao tác nền của một cửa sổ đã đóng", exc_info=exc)
            return
        if isinstance(exc, Cancelled):
            log.info("Đã hủy: %s", self._label)
            if self._on_cancelled is not None:
                self._on_cancelled()
            return
        if self._on_failure is not None:
            self._on_failure(exc)
            return
        show_failure(self._parent, exc, self._error_title)


def show_failure(parent: QObject | None, exc: BaseException, title: str = "Không thực hiện được") -> None:
    """The default reaction to a failed op: a message for a UserError, the crash dialog otherwise."""
    if isinstance(exc, UserError):
        details = exc.errors if isinstance(exc, ValidationError) else []
        dialogs.show_error(parent, title, str(exc), details)
        return
    crash.report_exception(type(exc), exc, exc.__traceback__, parent)


def running() -> list[BackgroundOp]:
    return [op for op in _running if not op.done]


def shutdown(timeout_ms: int = 30_000) -> bool:
    """Cancel what runs and wait for the workers (before the engine is disposed)."""
    for op in list(_running):
        op.cancel()
    ok = all(pool.waitForDone(timeout_ms) for pool in _pools.values())
    return ok


def wait_idle(timeout_ms: int = 30_000) -> bool:
    """Wait for the workers without cancelling them (tests, benchmarks)."""
    return all(pool.waitForDone(timeout_ms) for pool in _pools.values())
