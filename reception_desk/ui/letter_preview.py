"""The letters on screen and on paper: preview, print, save, export, void; and the small forms
that issue the documents the desk sends (hướng dẫn, trả lại đơn, biên nhận, đôn đốc).

``LetterPreviewDialog`` shows the PDF of services.letter_pdf in Qt's PDF view (every page, fitted
to the width). Its buttons: "In…" (Qt's print dialog; each page is rendered by QPdfDocument at the
printer's resolution and painted on the QPrinter, on a worker thread with progress and "Hủy"),
"Lưu PDF…", "Xuất DOCX…" (services.letter_docx, for offices that edit before signing), "Hủy văn
bản…" (a reason, then services.letters.void_letter with the version shown; the letter is drawn
again marked ĐÃ HỦY) and "Đóng". The header says the kind, number and symbol, date and status.

Issuing goes through ``issue_and_preview``: the service runs in the background (one transaction:
the number is never lost or doubled), then the preview opens. When the letterhead settings are
incomplete the service writes nothing; the clerk is told so and offered Cài đặt.

Every modal question lives behind a module-level function (``ask_printer``, ``ask_void_reason``)
so tests replace that one name, like ui.dialogs.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy import Engine

from reception_desk.domain.letters import KIND_LABELS, LetterContent, LetterKind, LetterStatus
from reception_desk.services import letter_docx, letter_pdf, letters
from reception_desk.services.errors import CancelCheck, Cancelled, Progress, UserError, ValidationError
from reception_desk.services.letters import IssuedLetter
from reception_desk.ui import dialogs
from reception_desk.ui.background import BackgroundOp, show_failure
from reception_desk.ui.form_support import date_edit, dialog_buttons, from_qdate, record_label, to_qdate
from reception_desk.ui.table_models import format_date

PDF_FILTER = "Tệp PDF (*.pdf)"
DOCX_FILTER = "Tệp Word (*.docx)"
# A page is rasterised for the printer; above 600 dpi the image only grows (an A4 page at 600 dpi
# is already 140 MB of pixels) without a sharper print on the desk's laser printers.
MAX_PRINT_DPI = 600
VOID_STYLE = "color: #a01010; font-weight: bold;"
NOTE_STYLE = "color: #8a5300;"  # as the transfer form's warnings
STATUS_LABELS = {LetterStatus.ISSUED: "Đã phát hành", LetterStatus.VOID: "ĐÃ HỦY"}

# Top-level previews (opened by a dialog that closes right after) are kept alive here.
_open_previews: list[QDialog] = []


def letter_heading(letter: IssuedLetter) -> str:
    """"Phiếu chuyển đơn số 07/PC-BTCD ngày 05/01/2026 — Đã phát hành"."""
    return (f"{KIND_LABELS[letter.kind]} số {letter.symbol} ngày {format_date(letter.issued_on)}"
            f" — {STATUS_LABELS[letter.status]}")


def file_stem(letters_: Sequence[IssuedLetter]) -> str:
    """A file name from the first letter's symbol: "07-PC-BTCD" (no slash in a file name)."""
    if not letters_:
        return "van-ban"
    stem = letters_[0].symbol.replace("/", "-").replace("\\", "-").replace(" ", "")
    return stem + (f"-va-{len(letters_) - 1}-van-ban-khac" if len(letters_) > 1 else "")


# --- modal questions (tests replace these names) ------------------------------------------------


def ask_printer(parent: QWidget | None, pages: int) -> QPrinter | None:
    """Qt's print dialog on an A4 printer; None when the clerk cancels."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setDocName("Văn bản")
    dialog = QPrintDialog(printer, dialogs.parent_widget(parent))
    dialog.setWindowTitle("In văn bản")
    dialog.setMinMax(1, max(1, pages))
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return printer


def ask_void_reason(parent: QWidget | None, symbol: str) -> str | None:
    """The reason a letter is cancelled (required by the service); None when the clerk backs out."""
    dialog = QInputDialog(dialogs.parent_widget(parent))
    dialog.setWindowTitle("Hủy văn bản")
    dialog.setLabelText(f"Văn bản số {symbol} sẽ bị đánh dấu ĐÃ HỦY; số của nó không được cấp lại.\n"
                        "Lý do hủy:")
    dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput, True)
    dialog.setOkButtonText("Hủy văn bản")
    dialog.setCancelButtonText("Không hủy")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.textValue()


# --- printing --------------------------------------------------------------------------------


def _pages(printer: QPrinter, count: int) -> list[int]:
    """The 0-based pages to print: the range chosen in the print dialog, else every page."""
    first, last = printer.fromPage(), printer.toPage()
    if first <= 0 or last <= 0:
        return list(range(count))
    return list(range(max(0, first - 1), min(count, last)))


def print_pdf(pdf: bytes, printer: QPrinter, progress: Progress | None = None,
              cancelled: CancelCheck | None = None, *, max_dpi: int = MAX_PRINT_DPI) -> int:
    """Paint every page of ``pdf`` on ``printer``; returns the number of pages printed.

    Runs on a worker thread (Qt allows QPainter on a QPrinter and QPdfDocument off the GUI
    thread): each page is rendered at the printer's resolution (at most ``max_dpi``) and drawn on
    the whole sheet, keeping its proportions.
    """
    buffer = QBuffer()
    buffer.setData(pdf)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
        raise UserError("Không đọc được văn bản PDF để in.")
    pages = _pages(printer, document.pageCount())
    printer.setFullPage(True)  # the PDF carries its own margins (NĐ 30/2020)
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("Không mở được máy in; hãy kiểm tra máy in rồi thử lại.")
    try:
        dpi = min(printer.resolution(), max_dpi)
        scale_to_device = printer.resolution() / dpi
        paper = printer.paperRect(QPrinter.Unit.DevicePixel)
        for n, page in enumerate(pages):
            if cancelled is not None and cancelled():
                raise Cancelled("Đã hủy in; các trang đã gửi tới máy in có thể vẫn được in.")
            if n:
                printer.newPage()
            points = document.pagePointSize(page)
            size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
            image = document.render(page, size)
            width, height = size.width() * scale_to_device, size.height() * scale_to_device
            fit = min(paper.width() / width, paper.height() / height)  # ≈ 1 on A4 paper
            target = QRectF((paper.width() - width * fit) / 2, 0, width * fit, height * fit)
            painter.drawImage(target, image)
            if progress is not None:
                progress(n + 1, len(pages))
    finally:
        painter.end()
    return len(pages)


# --- files ----------------------------------------------------------------------------------


def write_file(path: Path, data: bytes) -> Path:
    """Write the whole file or nothing (an old file is never left half-overwritten)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".van-ban-", suffix=path.suffix, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UserError(f"Không ghi được tệp {path}: {exc.strerror or exc}") from exc
    return path


# --- the preview -----------------------------------------------------------------------------


class LetterPreviewDialog(QDialog):
    """Issued letters (``letters``) or a batch already rendered (``contents`` + ``pdf``).

    Signals: ``rendered(pages)`` each time the PDF is shown, ``voided(IssuedLetter)``,
    ``printed(pages)``, ``file_saved(Path)``.
    """

    rendered = Signal(int)
    voided = Signal(object)
    printed = Signal(int)
    file_saved = Signal(object)

    def __init__(self, engine: Engine, parent: QWidget | None = None, *,
                 letters: Sequence[IssuedLetter] = (), contents: Sequence[LetterContent] = (),
                 pdf: bytes | None = None, title: str | None = None, file_name: str | None = None,
                 note: str | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._letters: list[IssuedLetter] = list(letters)
        self._contents: list[LetterContent] = list(contents) if not letters else [x.content for x in letters]
        self._pdf: bytes | None = None
        self._starts: list[int] = []  # first page of each letter (letters mode)
        self._busy = False
        self._title = title
        self._file_name = file_name or file_stem(self._letters)
        self.setWindowTitle("Xem trước văn bản")
        self.resize(900, 980)

        self.heading = QLabel(self)
        self.heading.setObjectName("letter_heading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.note_label = QLabel(note or "", self)
        self.note_label.setObjectName("letter_note")
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(NOTE_STYLE)
        self.note_label.setVisible(bool(note))
        self.letter_combo = QComboBox(self)
        self.letter_combo.setObjectName("letter_choice")
        self.letter_combo.setAccessibleName("Văn bản đang chọn")
        self.letter_combo.currentIndexChanged.connect(self._letter_chosen)
        self.goto_label = QLabel("Đi tới &văn bản:", self)
        self.goto_label.setBuddy(self.letter_combo)
        self.pages_label = QLabel(self)
        self.pages_label.setObjectName("pages_label")

        self._buffer = QBuffer(self)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("pdf_view")
        self.view.setAccessibleName("Văn bản")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)

        self.print_button = QPushButton("&In…", self)
        self.print_button.setObjectName("print")
        self.print_button.setToolTip("Ctrl+P")
        self.print_button.clicked.connect(self.print_letters)
        self.pdf_button = QPushButton("&Lưu PDF…", self)
        self.pdf_button.setObjectName("save_pdf")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.docx_button = QPushButton("Xuất &DOCX…", self)
        self.docx_button.setObjectName("export_docx")
        self.docx_button.clicked.connect(self.export_docx)
        self.void_button = QPushButton("&Hủy văn bản…", self)
        self.void_button.setObjectName("void")
        self.void_button.clicked.connect(self.void_current)
        self.void_button.setVisible(bool(self._letters))
        close = QPushButton("Đóng", self)
        close.setObjectName("close")
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, activated=self.print_letters)
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn), self, activated=lambda: self._zoom(1.25))
        QShortcut(QKeySequence("Ctrl+="), self, activated=lambda: self._zoom(1.25))
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut), self, activated=lambda: self._zoom(0.8))
        QShortcut(QKeySequence("Ctrl+0"), self,
                  activated=lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))

        top = QHBoxLayout()
        top.addWidget(self.goto_label)
        top.addWidget(self.letter_combo, 1)
        top.addWidget(self.pages_label)
        buttons = QHBoxLayout()
        for button in (self.print_button, self.pdf_button, self.docx_button, self.void_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.note_label)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self._fill_choices()
        self._set_busy(True)
        if pdf is not None:
            self._show_pdf(pdf, [])
        else:
            self.render()

    # --- state --------------------------------------------------------------------------------

    @property
    def letters(self) -> list[IssuedLetter]:
        return list(self._letters)

    @property
    def pdf(self) -> bytes | None:
        return self._pdf

    @property
    def page_starts(self) -> list[int]:
        return list(self._starts)

    def current_letter(self) -> IssuedLetter | None:
        index = self.letter_combo.currentIndex()
        return self._letters[index] if 0 <= index < len(self._letters) else None

    def _fill_choices(self) -> None:
        self.letter_combo.blockSignals(True)
        current = max(0, self.letter_combo.currentIndex())
        self.letter_combo.clear()
        for n, letter in enumerate(self._letters, start=1):
            void = " (đã hủy)" if letter.status is LetterStatus.VOID else ""
            self.letter_combo.addItem(f"{n}. {KIND_LABELS[letter.kind]} số {letter.symbol}{void}")
        self.letter_combo.setCurrentIndex(min(current, len(self._letters) - 1))
        self.letter_combo.blockSignals(False)
        self.letter_combo.setVisible(len(self._letters) > 1)
        self.goto_label.setVisible(len(self._letters) > 1)
        self._update_heading()

    def _update_heading(self) -> None:
        letter = self.current_letter()
        if letter is None:
            self.heading.setText(self._title or f"{len(self._contents)} văn bản")
            self.heading.setStyleSheet("")
            return
        self.heading.setText(letter_heading(letter))
        self.heading.setStyleSheet(VOID_STYLE if letter.status is LetterStatus.VOID else "")
        self.setWindowTitle(f"{KIND_LABELS[letter.kind]} số {letter.symbol}")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        ready = not busy and self._pdf is not None
        for button in (self.print_button, self.pdf_button, self.docx_button):
            button.setEnabled(ready)
        letter = self.current_letter()
        self.void_button.setEnabled(ready and letter is not None and letter.status is LetterStatus.ISSUED)

    # --- rendering ----------------------------------------------------------------------------

    def render(self) -> None:
        """Draw the letters again (after a void) on a worker thread."""
        contents = list(self._contents)
        several = len(contents) > 1

        def task(progress: Progress, cancelled: CancelCheck) -> tuple[bytes, list[int]]:
            whole = letter_pdf.render_letters(contents, progress, cancelled)
            # each letter alone, to know where it starts in the whole (a handful of letters)
            sizes = [pdf_page_count(letter_pdf.render_letter(c)) for c in contents] if several else [0]
            return whole, sizes

        self._set_busy(True)
        (
            BackgroundOp(self, task, label="Đang dựng văn bản…", error_title="Không dựng được văn bản")
            .success(lambda result: self._show_pdf(result[0], result[1]))
            .failure(self._render_failed)
            .cancelled(lambda: self._set_busy(False))
            .run_in_background()
        )

    def _render_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        show_failure(self, exc, "Không dựng được văn bản")

    def _show_pdf(self, pdf: bytes, sizes: list[int]) -> None:
        self._pdf = pdf
        self.document.close()
        self._buffer.close()
        self._buffer.setData(pdf)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        starts, page = [], 0
        for size in sizes:
            starts.append(page)
            page += size
        self._starts = starts
        count = self.document.pageCount()
        self.pages_label.setText(f"{count} trang")
        self._set_busy(False)
        self._letter_chosen(self.letter_combo.currentIndex())
        self.rendered.emit(count)

    def _letter_chosen(self, index: int) -> None:
        self._update_heading()
        self._set_busy(self._busy)
        if 0 <= index < len(self._starts) and self.document.pageCount():
            self.view.pageNavigator().jump(self._starts[index], QPointF(), self.view.zoomFactor())

    def _zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.2, min(5.0, self.view.zoomFactor() * factor)))

    # --- printing and files -------------------------------------------------------------------

    def print_letters(self) -> None:
        pdf = self._pdf
        if pdf is None or self._busy:
            return
        printer = ask_printer(self, self.document.pageCount())
        if printer is None:
            return
        self._set_busy(True)

        def done(pages: int) -> None:
            self._set_busy(False)
            self.printed.emit(pages)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            show_failure(self, exc, "Không in được")

        (
            BackgroundOp(self, lambda progress, cancelled: print_pdf(pdf, printer, progress, cancelled),
                         label="Đang gửi văn bản tới máy in…", error_title="Không in được")
            .success(done).failure(failed).cancelled(lambda: self._set_busy(False))
            .run_in_background()
        )

    def save_pdf(self) -> None:
        pdf = self._pdf
        if pdf is None or self._busy:
            return
        path = dialogs.ask_save_file(self, "Lưu văn bản thành tệp PDF", f"{self._file_name}.pdf", PDF_FILTER)
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self._write(lambda _p, _c: write_file(path, pdf), "Đang lưu tệp PDF…")

    def export_docx(self) -> None:
        contents = list(self._contents)
        if not contents or self._busy:
            return
        path = dialogs.ask_save_file(self, "Xuất văn bản ra tệp Word", f"{self._file_name}.docx", DOCX_FILTER)
        if path is None:
            return
        if path.suffix.lower() != ".docx":
            path = path.with_name(path.name + ".docx")

        def task(_progress: Progress, cancelled: CancelCheck) -> Path:
            data = letter_docx.letters_docx(contents)
            if cancelled():  # the writer cannot stop half-way; nothing is written after "Hủy"
                raise Cancelled("Đã hủy; chưa ghi tệp DOCX.")
            return write_file(path, data)

        self._write(task, "Đang xuất tệp DOCX…")

    def _write(self, task: Callable[[Progress, CancelCheck], Path], label: str) -> None:
        self._set_busy(True)

        def done(path: Path) -> None:
            self._set_busy(False)
            self.file_saved.emit(path)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            show_failure(self, exc, "Không lưu được tệp")

        BackgroundOp(self, task, label=label).success(done).failure(failed) \
            .cancelled(lambda: self._set_busy(False)).run_in_background()

    # --- voiding ------------------------------------------------------------------------------

    def void_current(self) -> None:
        letter = self.current_letter()
        if letter is None or letter.status is not LetterStatus.ISSUED or self._busy:
            return
        reason = ask_void_reason(self, letter.symbol)
        if reason is None:
            return
        engine, index = self._engine, self.letter_combo.currentIndex()
        self._set_busy(True)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            show_failure(self, exc, "Chưa hủy được văn bản")

        (
            BackgroundOp(self, lambda _p, _c: letters.void_letter(engine, letter.id, reason, letter.version),
                         writes=True, error_title="Chưa hủy được văn bản")
            .success(lambda voided: self._voided(index, voided))
            .failure(failed)
            .run_in_background()
        )

    def _voided(self, index: int, voided: IssuedLetter) -> None:
        self._letters[index] = voided
        self._contents[index] = voided.content
        self._fill_choices()
        self.voided.emit(voided)
        self.render()  # the letter again, marked ĐÃ HỦY


def pdf_page_count(pdf: bytes) -> int:
    """Pages of a PDF made in memory, read on the worker thread that made it (the print dialog's
    page range)."""
    buffer = QBuffer()
    buffer.setData(pdf)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    count = document.pageCount()
    document.close()
    return count


def show_preview(parent: QWidget | None, engine: Engine, **kwargs: Any) -> LetterPreviewDialog:
    """Open a preview window (not modal: the clerk may keep working) that deletes itself on close."""
    owner = parent if parent is not None and isValid(parent) else None
    dialog = LetterPreviewDialog(engine, owner, **kwargs)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if owner is None:  # nobody holds it: keep it alive until it closes
        _open_previews.append(dialog)
        dialog.destroyed.connect(lambda _=None, d=dialog: _open_previews.remove(d) if d in _open_previews else None)
    dialog.show()
    dialog.raise_()
    return dialog


# --- issuing ---------------------------------------------------------------------------------


def letterhead_missing(exc: BaseException) -> bool:
    """The service refused because Cài đặt → Cơ quan lacks what the letterhead prints."""
    return isinstance(exc, ValidationError) and letters.SETTINGS_HINT in str(exc)


def offer_settings(parent: QWidget | None, engine: Engine, message: str, title: str = "Chưa in được văn bản") -> None:
    """Say what is missing and offer to open Cài đặt on the office tab."""
    if dialogs.ask_yes_no(parent, title, message, yes="Mở Cài đặt", no="Đóng"):
        from reception_desk.ui.settings_dialog import SettingsDialog  # settings → templates → here

        dialog = SettingsDialog(engine, dialogs.parent_widget(parent))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()


def issue_failed(parent: QWidget | None, engine: Engine, exc: BaseException, title: str) -> None:
    if letterhead_missing(exc):
        offer_settings(parent, engine, f"{exc}\n\nMở Cài đặt để điền thông tin cơ quan?", title)
    else:
        show_failure(parent, exc, title)


def _as_list(result: IssuedLetter | Sequence[IssuedLetter]) -> list[IssuedLetter]:
    return [result] if isinstance(result, IssuedLetter) else list(result)


def issue_and_preview(parent: QWidget | None, engine: Engine,
                      task: Callable[[], IssuedLetter | Sequence[IssuedLetter]], *,
                      title: str = "Chưa lập được văn bản",
                      done: Callable[[list[IssuedLetter]], None] | None = None,
                      failed: Callable[[BaseException], None] | None = None,
                      detached: bool = False) -> BackgroundOp:
    """Run one issuing service call in the background, then preview what it issued.

    ``parent`` shows the messages; ``detached``: it closes once issued (a form), so the preview
    belongs to the window under it instead."""

    def success(result: IssuedLetter | Sequence[IssuedLetter]) -> None:
        issued = _as_list(result)
        owner = parent.parentWidget() if detached and parent is not None else parent
        show_preview(owner, engine, letters=issued, note="\n".join(w for x in issued for w in x.warnings) or None)
        if done is not None:
            done(issued)

    def failure(exc: BaseException) -> None:
        if failed is not None:
            failed(exc)
        issue_failed(parent, engine, exc, title)

    return (BackgroundOp(parent, lambda _p, _c: task(), label="Đang lập văn bản…", writes=True, error_title=title)
            .success(success).failure(failure).run_in_background())


def open_letter(parent: QWidget | None, engine: Engine, document_id: uuid.UUID) -> BackgroundOp:
    """A letter of the register, as issued (its snapshot), in the preview."""
    return (BackgroundOp(parent, lambda _p, _c: letters.load_letter(engine, document_id),
                         error_title="Không mở được văn bản")
            .success(lambda letter: show_preview(parent, engine, letters=[letter]))
            .run_in_background())


def chase_transfer(parent: QWidget | None, engine: Engine, transfer_id: uuid.UUID, *,
                   today: date | None = None) -> BackgroundOp:
    """"Văn bản đôn đốc": asks first when the transfer is not overdue yet (services' warning)."""
    day = today or date.today()

    def checked(warning: str | None) -> None:
        if warning and not dialogs.ask_yes_no(parent, "Văn bản đôn đốc", f"{warning}\n\nVẫn lập văn bản đôn đốc?",
                                              yes="Vẫn lập", no="Không"):
            return
        issue_and_preview(parent, engine, lambda: letters.issue_chase(engine, transfer_id, issued_on=day),
                          title="Chưa lập được văn bản đôn đốc")

    return (BackgroundOp(parent, lambda _p, _c: letters.chase_warning(engine, transfer_id, day),
                         error_title="Chưa lập được văn bản đôn đốc")
            .success(checked).run_in_background())


def reprint_forwarding(parent: QWidget | None, engine: Engine, transfer_id: uuid.UUID) -> BackgroundOp:
    """"In lại phiếu chuyển": the transfer's forwarding letter in force, exactly as issued; when it
    has none (transferred without printing, or the letter was voided) the clerk may issue one."""

    def found(existing: list[IssuedLetter]) -> None:
        forwarding = [x for x in existing if x.kind is LetterKind.FORWARDING]
        in_force = [x for x in forwarding if x.status is LetterStatus.ISSUED]
        if in_force:
            show_preview(parent, engine, letters=in_force)
            return
        if forwarding:
            question = (f"Phiếu chuyển đơn số {forwarding[-1].symbol} của lần chuyển này đã bị hủy. "
                        "Phát hành phiếu mới (số mới)?")
        else:
            question = "Lần chuyển đơn này chưa có phiếu chuyển đơn. Phát hành phiếu ngay?"
        if dialogs.ask_yes_no(parent, "In lại phiếu chuyển", question, yes="Phát hành phiếu", no="Không"):
            reissue = bool(forwarding)
            issue_and_preview(parent, engine,
                              lambda: letters.issue_forwarding(engine, transfer_id, reissue=reissue),
                              title="Chưa lập được phiếu chuyển đơn")

    return (BackgroundOp(parent, lambda _p, _c: letters.letters_for_transfer(engine, transfer_id),
                         error_title="Không đọc được phiếu chuyển")
            .success(found).run_in_background())


# --- the small forms: guidance, return, receipt ---------------------------------------------------


def _lines(text: str) -> list[str]:
    """One document a line; list marks typed by habit ("- ", "1. ") are dropped."""
    out = []
    for line in text.splitlines():
        item = line.strip().lstrip("-•*").strip()
        head, _, rest = item.partition(". ")
        out.append(rest.strip() if head.isdigit() and rest else item)
    return [item for item in out if item]


class IssueDialog(QDialog):
    """What the three petition letters share: a record line, a date, "Lập văn bản" and "Hủy".

    A refused issue (ValidationError, letterhead missing) keeps everything typed."""

    issued = Signal(object)  # list[IssuedLetter]

    def __init__(self, engine: Engine, parent: QWidget | None, *, title: str, about: str,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._today = today or date.today()
        self._saving = False
        self.setWindowTitle(title)
        self.setMinimumWidth(620)
        self.about_label = record_label(self, about)
        self.form = QFormLayout()
        self.date_edit = date_edit(self, self._today)
        self.date_edit.setObjectName("issued_on")
        self.date_edit.setMaximumDate(to_qdate(self._today))
        self.buttons, self.save_button = dialog_buttons(self, "Lập văn bản", self.save)
        self.save_button.setEnabled(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about_label)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def add_date_row(self) -> None:
        self.form.addRow("Ngày văn bản:", self.date_edit)

    def issued_on(self) -> date:
        return from_qdate(self.date_edit.date())

    # Declared, not defined: each form gives the service call with what was typed (the service
    # checks it, not the form).
    task: Callable[[], Callable[[], IssuedLetter]]

    def save(self) -> None:
        if self._saving:
            return
        try:
            task = self.task()
        except UserError as exc:
            show_failure(self, exc, self.windowTitle())
            return
        self._saving = True
        self.save_button.setEnabled(False)
        issue_and_preview(self, self._engine, task, title=f"Chưa lập được {self.windowTitle().lower()}",
                          done=self._done, failed=self._failed, detached=True)

    def _done(self, issued: list[IssuedLetter]) -> None:
        self._saving = False
        self.issued.emit(issued)
        self.accept()

    def _failed(self, _exc: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)


def _documents_box(parent: QWidget, name: str) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setObjectName(name)
    box.setAccessibleName("Giấy tờ, tài liệu")
    box.setTabChangesFocus(True)
    box.setPlaceholderText("Mỗi giấy tờ một dòng, ví dụ: Đơn khiếu nại ngày 20/12/2025 (bản chính, 02 tờ)")
    box.setMinimumHeight(110)
    return box


class GuidanceDialog(IssueDialog):
    """Phiếu hướng dẫn: the office is not competent; where the petitioner should turn."""

    def __init__(self, engine: Engine, petition_id: uuid.UUID, parent: QWidget | None = None, *,
                 about: str = "", today: date | None = None) -> None:
        super().__init__(engine, parent, title="Phiếu hướng dẫn", about=about or "Hướng dẫn người đứng đơn "
                         "gửi đơn đến cơ quan có thẩm quyền giải quyết.", today=today)
        self._petition_id = petition_id
        self.body_edit = QLineEdit(self)
        self.body_edit.setObjectName("competent_body")
        self.body_edit.setMaxLength(letters.MAX_TEXT)
        self.body_edit.setPlaceholderText("Ví dụ: Ủy ban nhân dân xã Thạch Hà")
        self.guidance_edit = QPlainTextEdit(self)
        self.guidance_edit.setObjectName("guidance")
        self.guidance_edit.setTabChangesFocus(True)
        self.guidance_edit.setPlaceholderText("Nội dung hướng dẫn thêm (nếu có)")
        self.guidance_edit.setMaximumHeight(110)
        self.form.addRow("Cơ quan có &thẩm quyền:", self.body_edit)
        self.form.addRow("Hướng dẫn &thêm:", self.guidance_edit)
        self.add_date_row()
        self.body_edit.setFocus()

    def task(self) -> Callable[[], IssuedLetter]:
        engine, pid, day = self._engine, self._petition_id, self.issued_on()
        body, extra = self.body_edit.text(), self.guidance_edit.toPlainText()
        return lambda: letters.issue_guidance(engine, pid, competent_body=body, guidance=extra or None,
                                              issued_on=day)


class ReturnDialog(IssueDialog):
    """Văn bản trả lại đơn và giấy tờ, tài liệu: what is returned, why, and to whom."""

    def __init__(self, engine: Engine, petition_id: uuid.UUID, parent: QWidget | None = None, *,
                 about: str = "", today: date | None = None) -> None:
        super().__init__(engine, parent, title="Trả lại đơn", about=about or "Trả lại đơn và giấy tờ, tài liệu.",
                         today=today)
        self._petition_id = petition_id
        self.documents_edit = _documents_box(self, "documents")
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setObjectName("reason")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setPlaceholderText("Ví dụ: đơn khiếu nại đã được giải quyết đúng chính sách, pháp luật")
        self.reason_edit.setMaximumHeight(90)
        self.source_box = QCheckBox("Trả cho cơ quan đã chuyển đơn đến (không gửi người đứng đơn)", self)
        self.source_box.setObjectName("to_source_agency")
        self.form.addRow("&Giấy tờ trả lại:", self.documents_edit)
        self.form.addRow("&Lý do:", self.reason_edit)
        self.form.addRow("", self.source_box)
        self.add_date_row()
        self.documents_edit.setFocus()

    def task(self) -> Callable[[], IssuedLetter]:
        engine, pid, day = self._engine, self._petition_id, self.issued_on()
        items, reason = _lines(self.documents_edit.toPlainText()), self.reason_edit.toPlainText()
        to_source = self.source_box.isChecked()
        return lambda: letters.issue_return(engine, pid, items, reason=reason, to_source_agency=to_source,
                                            issued_on=day)


class ReceiptDialog(IssueDialog):
    """Giấy biên nhận for documents handed in at the desk, for a petition or a visit."""

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, petition_id: uuid.UUID | None = None,
                 visit_id: uuid.UUID | None = None, about: str = "", today: date | None = None) -> None:
        super().__init__(engine, parent, title="Giấy biên nhận",
                         about=about or "Biên nhận giấy tờ, tài liệu công dân nộp tại bàn tiếp.", today=today)
        self._petition_id, self._visit_id = petition_id, visit_id
        self.documents_edit = _documents_box(self, "documents")
        self.form.addRow("&Giấy tờ đã nhận:", self.documents_edit)
        self.add_date_row()
        self.documents_edit.setFocus()

    def task(self) -> Callable[[], IssuedLetter]:
        engine, pid, vid, day = self._engine, self._petition_id, self._visit_id, self.issued_on()
        items = _lines(self.documents_edit.toPlainText())
        return lambda: letters.issue_receipt(engine, items, petition_id=pid, visit_id=vid, issued_on=day)


def open_issue_dialog(dialog: IssueDialog) -> IssueDialog:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog

