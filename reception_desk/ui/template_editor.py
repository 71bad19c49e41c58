"""TemplateEditor: the "Mẫu văn bản" tab of Cài đặt — the wording of the letters, edited as TOML.

On the left the templates (services.letter_templates.list_templates), each saying whether the
office changed it; on the right the template's text, the placeholders it may use (double-click
inserts one at the cursor) and the buttons "Lưu" (save_template_override) and "Khôi phục mẫu gốc"
(reset_template). A refused save shows the service's message under the editor, puts the cursor on
the line it names, and keeps what was typed. Text typed into a template that is not saved yet is
kept while the clerk looks at another template (marked "*" in the list).
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from reception_desk.domain.letters import LetterContent
from reception_desk.services import letter_templates, letters
from reception_desk.services.errors import UserError, ValidationError
from reception_desk.services.letter_templates import LetterTemplate, TemplateInfo
from reception_desk.ui import background, dialogs
from reception_desk.ui.background import BackgroundOp
from reception_desk.ui.letter_preview import show_preview

_NAME_ROLE = Qt.ItemDataRole.UserRole
ERROR_STYLE = "color: #a01010;"
ERROR_LINE = QColor("#f8d7da")
_LINE = re.compile(r"dòng (\d+)")


def item_text(info: TemplateInfo, unsaved: bool = False) -> str:
    state = "đã sửa" if info.overridden else "mẫu gốc"
    return f"{'* ' if unsaved else ''}{info.label} ({info.series or '?'}, {state})"


def error_text(exc: BaseException) -> str:
    """The service's message with every problem it lists, one a line."""
    errors = exc.errors if isinstance(exc, ValidationError) else []
    message = str(exc)
    return message + ("".join(f"\n• {e}" for e in errors if e not in message) if errors else "")


class TemplateEditor(QWidget):
    """Edit the office's templates; ``saved(LetterTemplate)`` after a save or a reset."""

    saved = Signal(object)
    loaded = Signal(str)  # the name of the template shown
    failed = Signal(str)  # the message of a refused save

    def __init__(self, engine: Engine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._infos: dict[str, TemplateInfo] = {}
        self._stored: dict[str, str] = {}  # the text as saved (or shipped) per template
        self._unsaved: dict[str, str] = {}  # text typed and not saved yet
        self._current: str | None = None
        self._busy = False

        self.list = QListWidget(self)
        self.list.setObjectName("templates")
        self.list.setAccessibleName("Các mẫu văn bản")
        self.list.currentItemChanged.connect(self._chosen)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("template_text")
        self.editor.setAccessibleName("Nội dung mẫu (TOML)")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.editor.textChanged.connect(self._edited)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("template_error")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("template_status")
        self.status_label.setWordWrap(True)
        self.placeholders = QListWidget(self)
        self.placeholders.setObjectName("placeholders")
        self.placeholders.setAccessibleName("Các trường dùng được trong mẫu")
        self.placeholders.setWordWrap(True)
        self.placeholders.itemDoubleClicked.connect(self._insert_placeholder)
        self.save_button = QPushButton("&Lưu mẫu", self)
        self.save_button.setObjectName("save_template")
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton("&Khôi phục mẫu gốc", self)
        self.reset_button.setObjectName("reset_template")
        self.reset_button.clicked.connect(self.reset)
        self.preview_button = QPushButton("&Xem thử", self)
        self.preview_button.setObjectName("preview_template")
        self.preview_button.setToolTip("Xem văn bản in theo nội dung đang sửa (chưa lưu), với số liệu mẫu")
        self.preview_button.clicked.connect(self.preview)
        self.preview_note = QLabel("Xem thử dùng tiêu đề cơ quan trong Cài đặt và số liệu mẫu; "
                                   "không lấy số văn bản, không lưu gì.", self)
        self.preview_note.setWordWrap(True)

        left = QVBoxLayout()
        left.addWidget(QLabel("Mẫu văn bản:", self))
        left.addWidget(self.list, 1)  # eight templates: the placeholders get the room
        left.addWidget(QLabel("Trường dùng được (nhấp đúp để chèn):", self))
        left.addWidget(self.placeholders, 2)
        left_box = QWidget(self)
        left_box.setLayout(left)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.editor, 1)
        right.addWidget(self.error_label)
        right.addWidget(self.status_label)
        right.addWidget(self.preview_note)
        right.addLayout(buttons)
        right_box = QWidget(self)
        right_box.setLayout(right)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left_box)
        splitter.addWidget(right_box)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._set_busy(True)
        self.reload()

    # --- state --------------------------------------------------------------------------------

    @property
    def current(self) -> str | None:
        return self._current

    def is_unsaved(self, name: str) -> bool:
        return name in self._unsaved

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        ready = not busy and self._current is not None
        self.save_button.setEnabled(ready)
        self.preview_button.setEnabled(ready)
        info = self._infos.get(self._current or "")
        self.reset_button.setEnabled(ready and info is not None and info.overridden)

    def select(self, name: str) -> None:
        for n in range(self.list.count()):
            if self.list.item(n).data(_NAME_ROLE) == name:
                self.list.setCurrentRow(n)
                return

    # --- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        engine = self._engine
        BackgroundOp(self, lambda _p, _c: letter_templates.list_templates(engine),
                     error_title="Không đọc được mẫu văn bản").success(self._listed).run_in_background()

    def _listed(self, infos: list[TemplateInfo]) -> None:
        self._infos = {info.name: info for info in infos}
        current = self._current
        self.list.blockSignals(True)  # the template shown stays as it is (a save already shows it)
        self.list.clear()
        for info in infos:
            item = QListWidgetItem(item_text(info, info.name in self._unsaved), self.list)
            item.setData(_NAME_ROLE, info.name)
            item.setToolTip(f"Mẫu “{info.name}”, ký hiệu loại văn bản {info.series}")
        if current is not None:
            self.select(current)
        self.list.blockSignals(False)
        if current is None and infos:
            self.select(infos[0].name)
        self._set_busy(self._busy)

    def _refresh_item(self, name: str) -> None:
        info = self._infos.get(name)
        for n in range(self.list.count()):
            item = self.list.item(n)
            if info is not None and item.data(_NAME_ROLE) == name:
                item.setText(item_text(info, name in self._unsaved))

    def _chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        if item is None:
            return
        name = str(item.data(_NAME_ROLE))
        if name == self._current:
            return
        self._current = name
        self._show_error(None)
        self.status_label.setText("")
        self.placeholders.clear()
        for key, help_text in letter_templates.placeholders(name).items():
            entry = QListWidgetItem(f"${{{key}}} — {help_text}", self.placeholders)
            entry.setData(_NAME_ROLE, key)
        if name in self._unsaved:
            self._show_text(name, self._unsaved[name])
            return
        self._set_busy(True)
        engine = self._engine

        def read(text: str) -> None:
            self._stored[name] = text
            if self._current == name:
                self._show_text(name, text)

        def failed(exc: BaseException) -> None:
            # an override saved by another version may no longer parse: show the shipped text to fix
            self._set_busy(False)
            if self._current == name:
                self._show_error(error_text(exc))
                self._show_text(name, letter_templates.shipped_template_text(name))

        BackgroundOp(self, lambda _p, _c: letter_templates.template_text(engine, name)) \
            .success(read).failure(failed).run_in_background()

    def _show_text(self, name: str, text: str) -> None:
        self.editor.blockSignals(True)
        self.editor.setPlainText(text)
        self.editor.blockSignals(False)
        self.editor.setExtraSelections([])
        self._set_busy(False)
        self.loaded.emit(name)

    # --- editing ------------------------------------------------------------------------------

    def _edited(self) -> None:
        name = self._current
        if name is None:
            return
        text = self.editor.toPlainText()
        if text == self._stored.get(name):
            self._unsaved.pop(name, None)
        else:
            self._unsaved[name] = text
        self._refresh_item(name)

    def _insert_placeholder(self, item: QListWidgetItem) -> None:
        self.editor.insertPlainText(f"${{{item.data(_NAME_ROLE)}}}")
        self.editor.setFocus()

    def _show_error(self, message: str | None) -> None:
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))
        selections = []
        found = _LINE.search(message or "")
        if found:  # the line the service names, highlighted, with the cursor on it
            block = self.editor.document().findBlockByNumber(int(found.group(1)) - 1)
            if block.isValid():
                selection = QTextEdit.ExtraSelection()
                selection.format.setBackground(ERROR_LINE)
                selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                selection.cursor = QTextCursor(block)
                selections.append(selection)
                self.editor.setTextCursor(QTextCursor(block))
        self.editor.setExtraSelections(selections)

    # --- saving -------------------------------------------------------------------------------

    def save(self) -> None:
        name, text, engine = self._current, self.editor.toPlainText(), self._engine
        if name is None or self._busy:
            return
        self._set_busy(True)
        self.status_label.setText("")
        BackgroundOp(self, lambda _p, _c: letter_templates.save_template_override(engine, name, text),
                     writes=True, error_title="Chưa lưu được mẫu") \
            .success(lambda template: self._saved(template, "Đã lưu mẫu; các văn bản lập từ nay dùng mẫu này.")) \
            .failure(self._save_failed).run_in_background()

    def _saved(self, template: LetterTemplate, message: str) -> None:
        self._unsaved.pop(template.name, None)
        self._stored[template.name] = template.text
        self._show_error(None)
        self.status_label.setText(message)
        if self._current == template.name:
            self._show_text(template.name, template.text)
        self.saved.emit(template)
        self.reload()  # "đã sửa" / "mẫu gốc" in the list

    def _save_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(exc, UserError):
            background.show_failure(self, exc, "Chưa lưu được mẫu")
            return
        message = error_text(exc)
        self._show_error(message)  # the text typed stays in the editor
        self.failed.emit(message)

    def preview(self) -> None:
        """The letter the edited text would print, on made-up facts (nothing saved, no number taken)."""
        name, text, engine = self._current, self.editor.toPlainText(), self._engine
        if name is None or self._busy:
            return
        self.status_label.setText("")

        def shown(content: LetterContent) -> None:
            self._show_error(None)
            info = self._infos.get(name)
            show_preview(self, engine, contents=[content], title=f"Xem thử: {info.label if info else name}",
                         note="Bản xem thử với số liệu mẫu; chưa lưu mẫu, không lấy số văn bản.")

        BackgroundOp(self, lambda _p, _c: letters.sample_letter(engine, name, text),
                     error_title="Chưa xem thử được mẫu") \
            .success(shown).failure(self._preview_failed).run_in_background()

    def _preview_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, UserError):
            background.show_failure(self, exc, "Chưa xem thử được mẫu")
            return
        self._show_error(error_text(exc))  # the text typed stays in the editor

    def reset(self) -> None:
        name, engine = self._current, self._engine
        info = self._infos.get(name or "")
        if name is None or info is None or not info.overridden or self._busy:
            return
        if not dialogs.ask_yes_no(self, "Khôi phục mẫu gốc",
                                  f"Bỏ mẫu “{info.label}” do cơ quan sửa và dùng lại mẫu gốc của chương trình?",
                                  yes="Khôi phục", no="Không"):
            return
        self._set_busy(True)
        self._unsaved.pop(name, None)
        BackgroundOp(self, lambda _p, _c: letter_templates.reset_template(engine, name), writes=True,
                     error_title="Chưa khôi phục được mẫu") \
            .success(lambda template: self._saved(template, "Đã khôi phục mẫu gốc.")) \
            .failure(self._save_failed).run_in_background()
