"""Every modal dialog the program opens, behind one small function each.

Production code calls ``dialogs.ask_open_file(...)``, ``dialogs.show_error(...)`` …; a test
monkeypatches that one name instead of driving a native dialog (pytest-qt "note on dialogs").
Button texts are set in Vietnamese here because Qt ships no Vietnamese translation of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reception_desk import APP_TITLE, __version__

JSONL_FILTER = "Tệp dữ liệu trao đổi (*.jsonl);;Mọi tệp (*)"
MAX_LISTED_ERRORS = 200  # a file with thousands of bad lines should not build a gigantic dialog


def parent_widget(parent: QObject | None) -> QWidget | None:
    """A widget to centre a dialog on: the given one, else the active window."""
    if isinstance(parent, QWidget):
        return parent.window()
    return QApplication.activeWindow()


def ask_open_file(parent: QObject | None, title: str, file_filter: str = JSONL_FILTER) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent_widget(parent), title, str(Path.home()), file_filter)
    return Path(path) if path else None


def ask_save_file(
    parent: QObject | None, title: str, suggested_name: str, file_filter: str = JSONL_FILTER
) -> Path | None:
    start = str(Path.home() / suggested_name)
    path, _ = QFileDialog.getSaveFileName(parent_widget(parent), title, start, file_filter)
    return Path(path) if path else None


def _message_box(parent: QObject | None, icon: QMessageBox.Icon, title: str, message: str) -> QMessageBox:
    box = QMessageBox(parent_widget(parent))
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(message)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.addButton("Đóng", QMessageBox.ButtonRole.AcceptRole)
    return box


def show_error(parent: QObject | None, title: str, message: str, details: Sequence[str] = ()) -> None:
    """A problem the user can act on; ``details`` lists e.g. every bad line of an imported file."""
    if not details:
        _message_box(parent, QMessageBox.Icon.Warning, title, message).exec()
        return
    shown = list(details[:MAX_LISTED_ERRORS])
    if len(details) > MAX_LISTED_ERRORS:
        shown.append(f"… và {len(details) - MAX_LISTED_ERRORS} lỗi khác")
    text = f"{message}\n\nCó {len(details)} lỗi:"
    DetailsDialog(parent_widget(parent), title, text, "\n".join(shown)).exec()


def show_info(parent: QObject | None, title: str, message: str) -> None:
    _message_box(parent, QMessageBox.Icon.Information, title, message).exec()


def ask_yes_no(
    parent: QObject | None, title: str, question: str, yes: str = "Đồng ý", no: str = "Không"
) -> bool:
    box = QMessageBox(parent_widget(parent))
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(question)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
    box.addButton(no, QMessageBox.ButtonRole.NoRole)
    box.exec()
    return box.clickedButton() is yes_button


def show_about(parent: QObject | None) -> None:
    text = (
        f"{APP_TITLE} — phiên bản {__version__}\n\n"
        "Sổ theo dõi tiếp công dân, tiếp nhận và xử lý đơn thư, chuyển đơn và báo cáo thống kê "
        "cho Ban Tiếp công dân các cấp. Chạy được không cần mạng: dữ liệu nằm trong một tệp SQLite "
        "trên máy, hoặc trên máy chủ PostgreSQL dùng chung của cơ quan.\n\n"
        "Phát hành theo giấy phép GNU GPL phiên bản 3 trở lên."
    )
    _message_box(parent, QMessageBox.Icon.Information, "Giới thiệu", text).exec()


def show_report(parent: QObject | None, title: str, message: str, report: str) -> None:
    """A result worth keeping (an import summary table): monospace, with "Sao chép chi tiết"."""
    dialog = DetailsDialog(parent_widget(parent), title, message, report)
    dialog.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    dialog.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    dialog.exec()


class DetailsDialog(QDialog):
    """A message above a read-only text the user can copy (an error list, a traceback)."""

    def __init__(self, parent: QWidget | None, title: str, text: str, details: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        message = QLabel(text)
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(message)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Chi tiết")
        layout.addWidget(self.details)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("Sao chép chi tiết")
        self.copy_button.clicked.connect(self.copy_details)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText("Đã sao chép")


class CrashDialog(DetailsDialog):
    """An unexpected error: apologise, say where the log is, and let the user copy the details."""

    def __init__(self, parent: QWidget | None, summary: str, details: str, log_path: Path | None) -> None:
        where = f"\nChi tiết đã được ghi vào {log_path}." if log_path else ""
        text = (
            "Chương trình gặp một lỗi chưa lường trước. Dữ liệu đã lưu không bị ảnh hưởng; thao tác "
            f"đang làm có thể chưa hoàn tất.{where}\n\nLỗi: {summary}"
        )
        super().__init__(parent, "Lỗi không mong muốn", text, details)


def show_crash(parent: QObject | None, summary: str, details: str, log_path: Path | None) -> None:
    CrashDialog(parent_widget(parent), summary, details, log_path).exec()
