"""Letters in the GUI (offscreen), driven like a clerk: the transfer form issues and previews the
forwarding letter, the preview prints (to a PDF printer), saves PDF and DOCX and voids, the
register of outgoing documents filters and prints a whole period in the background, and the
template editor saves a good template and explains a bad one."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QFont
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, insert, select

from reception_desk.domain.letters import LetterKind, LetterStatus
from reception_desk.services import letter_pdf, letters
from reception_desk.services.letter_templates import load_template, template_text
from reception_desk.services.settings import OfficeSettings, save_office_settings
from reception_desk.storage import reference
from reception_desk.storage.models import PetitionSigner, Transfer
from reception_desk.ui import background, dialogs, letter_preview
from reception_desk.ui.letter_preview import LetterPreviewDialog, ReturnDialog, print_pdf
from reception_desk.ui.letters_view import LettersView
from reception_desk.ui.queues_view import QueuesView
from reception_desk.ui.template_editor import TemplateEditor
from reception_desk.ui.transfer_dialog import TransferDialog
from tests.builders import add_agency, add_case, add_citizen, add_petition, add_transfer
from tests.test_ui_citizen_picker import type_text
from tests.ui_support import OFFSCREEN_LOG_IGNORE

pytestmark = [pytest.mark.gui, OFFSCREEN_LOG_IGNORE]

TODAY = date(2026, 3, 9)  # a Monday
OFFICE = OfficeSettings(office_name="BAN TIẾP CÔNG DÂN TỈNH HÀ TĨNH", superior_body="ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH",
                        office_symbol="BTCD", place_name="Hà Tĩnh", signer_name="Trần Văn Bình",
                        signer_title="PHÓ TRƯỞNG BAN", signer_on_behalf="KT. TRƯỞNG BAN")


@pytest.fixture(autouse=True)
def _idle() -> Iterator[None]:
    yield
    background.wait_idle()
    for preview in list(letter_preview._open_previews):  # top-level previews the tests opened
        preview.close()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages a box would show (a modal box would block the test)."""
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _parent, _title, message, _details=(): shown.append(message))
    return shown


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Yes/no questions asked (answered "yes")."""
    asked: list[str] = []

    def ask(_parent: object, _title: str, question: str, yes: str = "", no: str = "") -> bool:
        asked.append(question)
        return True

    monkeypatch.setattr(dialogs, "ask_yes_no", ask)
    return asked


def _world(engine: Engine, *, office: bool = True) -> dict:
    reference.seed(engine)
    if office:
        save_office_settings(engine, OFFICE)
    w: dict = {}
    with engine.begin() as conn:
        w["case"] = add_case(conn, kind="complaint", title="Khiếu nại thu hồi đất")
        w["citizen"] = add_citizen(conn, "Nguyễn Thị Hương", id_number="042180001234")
        w["petition"] = add_petition(conn, date(2026, 2, 20), "complaint", case_id=w["case"],
                                     summary="Khiếu nại quyết định thu hồi 350 m² đất nông nghiệp")
        conn.execute(insert(PetitionSigner.__table__),
                     [{"petition_id": w["petition"], "citizen_id": w["citizen"], "ordinal": 0}])
        w["ward"] = add_agency(conn, "UBND xã Thạch Hà")
        w["police"] = add_agency(conn, "Công an tỉnh Hà Tĩnh")
    return w


def _show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)


def _pages(data: bytes) -> int:
    buffer = QBuffer()
    buffer.setData(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    return document.pageCount()


def _text(data: bytes) -> str:
    buffer = QBuffer()
    buffer.setData(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    return "\n".join(document.getAllText(n).text() for n in range(document.pageCount()))


def _transfer_with_letter(engine: Engine, w: dict, sent_on: date = date(2026, 2, 25), *,
                          due_on: date | None = date(2026, 3, 20)) -> tuple[uuid.UUID, letters.IssuedLetter]:
    with engine.begin() as conn:
        tid = add_transfer(conn, w["petition"], w["ward"], sent_on, due_on=due_on)
    return tid, letters.issue_forwarding(engine, tid)


def _open_preview(qtbot: QtBot, engine: Engine, issued: list[letters.IssuedLetter]) -> LetterPreviewDialog:
    preview = LetterPreviewDialog(engine, letters=issued)
    with qtbot.waitSignal(preview.rendered, timeout=15_000):
        _show(qtbot, preview)
    return preview


# --- the transfer form ---------------------------------------------------------------------------


def test_transferring_issues_a_numbered_letter_and_opens_its_preview(
        qtbot: QtBot, engine: Engine, errors: list[str]) -> None:
    w = _world(engine)
    dialog = TransferDialog(engine, w["petition"], today=TODAY)
    _show(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10_000)
    background.wait_idle()
    qtbot.waitUntil(lambda: dialog.print_box.isChecked(), timeout=10_000)  # the letterhead is complete
    assert not dialog.notify_box.isChecked() and not dialog.settings_button.isVisible()
    qtbot.keyClicks(dialog.filter_edit, "thach ha")
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.filter_edit, "cong an")
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    dialog.notify_box.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=15_000) as saved:
        qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert errors == []
    issued = [x for s in saved.args[0] for x in s.letters]
    assert sorted((x.kind, x.symbol) for x in issued) == [
        (LetterKind.FORWARDING, "01/PC-BTCD"), (LetterKind.FORWARDING, "02/PC-BTCD"), (LetterKind.NOTICE, "01/TB-BTCD")]
    with engine.connect() as conn:  # the transfers carry their letters' numbers
        numbers = set(conn.execute(select(Transfer.__table__.c.number)).scalars())
    assert numbers == {"01/PC-BTCD", "02/PC-BTCD"}

    preview = dialog.preview
    assert isinstance(preview, LetterPreviewDialog)
    qtbot.waitUntil(lambda: preview.pdf is not None and preview.print_button.isEnabled(), timeout=15_000)
    # forwarding letters first, then the notice; each starts on its own page
    assert [x.kind for x in preview.letters] == [LetterKind.FORWARDING, LetterKind.FORWARDING, LetterKind.NOTICE]
    expected = [_pages(letter_pdf.render_letter(x.content)) for x in preview.letters]
    assert preview.document.pageCount() == sum(expected)
    assert preview.page_starts == [0, expected[0], expected[0] + expected[1]]
    assert preview.pages_label.text() == f"{sum(expected)} trang"
    assert preview.heading.text() == "Phiếu chuyển đơn số 01/PC-BTCD ngày 09/03/2026 — Đã phát hành"
    preview.letter_combo.setCurrentIndex(2)
    assert preview.heading.text().startswith("Thông báo việc chuyển đơn số 01/TB-BTCD")
    text = _text(preview.pdf)
    assert "PHIẾU CHUYỂN ĐƠN" in text and "Số: 02/PC-BTCD" in text


def test_an_incomplete_letterhead_unticks_printing_and_refuses_with_the_settings_offer(
        qtbot: QtBot, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    w = _world(sqlite_engine, office=False)
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda _p, _t, question, yes="", no="": asked.append(question) or False)
    dialog = TransferDialog(sqlite_engine, w["petition"], today=TODAY)
    _show(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.context is not None and dialog.settings_button.isVisible(), timeout=10_000)
    assert not dialog.print_box.isChecked()
    assert "Chưa đủ thông tin cơ quan" in dialog.letterhead_label.text()
    qtbot.keyClicks(dialog.filter_edit, "cong an")
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    dialog.print_box.setChecked(True)  # the clerk wants the letter anyway
    dialog.save()
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert "CHƯA được chuyển" in asked[0] and "tên cơ quan" in asked[0] and "Cài đặt" in asked[0]
    assert dialog.isVisible() and dialog.chosen_ids() == [w["police"]]  # the ticks stay
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(Transfer.__table__.c.id)).first() is None  # nothing saved

    dialog.print_box.setChecked(False)  # transfer now, print later
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    assert dialog.preview is None
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(Transfer.__table__.c.number)).scalar_one() is None


# --- the preview: print, files, void ---------------------------------------------------------------


def test_printing_to_a_pdf_printer_paints_every_page(
        qtbot: QtBot, sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = _world(sqlite_engine)
    tid, forwarding = _transfer_with_letter(sqlite_engine, w)
    notice = letters.issue_notice(sqlite_engine, tid)
    preview = _open_preview(qtbot, sqlite_engine, [forwarding, notice])
    out = tmp_path / "in.pdf"

    def pdf_printer(_parent: object, pages: int) -> QPrinter:
        assert pages == preview.document.pageCount()
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return printer

    monkeypatch.setattr(letter_preview, "ask_printer", pdf_printer)
    with qtbot.waitSignal(preview.printed, timeout=60_000) as printed:
        qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert printed.args == [preview.document.pageCount()]
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000
    assert _pages(data) == preview.document.pageCount() == 2


def test_print_pdf_prints_the_chosen_range_and_stops_when_cancelled(sqlite_engine: Engine, tmp_path: Path) -> None:
    from tests import letter_samples as samples

    pdf = letter_pdf.render_letters([samples.forwarding(), samples.long_letter(), samples.official_letter()])
    total = _pages(pdf)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "range.pdf"))
    printer.setFromTo(2, 3)
    seen: list[tuple[int, int]] = []
    assert print_pdf(pdf, printer, lambda done, of: seen.append((done, of)), max_dpi=100) == 2
    assert seen == [(1, 2), (2, 2)] and total >= 3
    assert _pages((tmp_path / "range.pdf").read_bytes()) == 2
    stopped = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    stopped.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    stopped.setOutputFileName(str(tmp_path / "stopped.pdf"))
    with pytest.raises(letter_preview.Cancelled):
        print_pdf(pdf, stopped, cancelled=lambda: True, max_dpi=100)


def test_saving_pdf_and_docx_writes_the_files(
        qtbot: QtBot, sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = _world(sqlite_engine)
    _tid, forwarding = _transfer_with_letter(sqlite_engine, w)
    preview = _open_preview(qtbot, sqlite_engine, [forwarding])
    suggested: list[str] = []
    target = {"path": tmp_path / "phieu"}  # no extension typed: the dialog adds it

    def ask_save(_parent: object, _title: str, name: str, _filter: str = "") -> Path:
        suggested.append(name)
        return target["path"]

    monkeypatch.setattr(dialogs, "ask_save_file", ask_save)
    with qtbot.waitSignal(preview.file_saved, timeout=15_000) as saved_pdf:
        qtbot.mouseClick(preview.pdf_button, Qt.MouseButton.LeftButton)
    assert saved_pdf.args[0] == tmp_path / "phieu.pdf"
    assert (tmp_path / "phieu.pdf").read_bytes() == preview.pdf
    with qtbot.waitSignal(preview.file_saved, timeout=15_000) as saved_docx:
        qtbot.mouseClick(preview.docx_button, Qt.MouseButton.LeftButton)
    assert saved_docx.args[0] == tmp_path / "phieu.docx"
    with zipfile.ZipFile(io.BytesIO((tmp_path / "phieu.docx").read_bytes())) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "PHIẾU CHUYỂN ĐƠN" in body and "01/PC-BTCD" in body
    assert suggested == ["01-PC-BTCD.pdf", "01-PC-BTCD.docx"]


def test_voiding_marks_the_letter_and_the_register(
        qtbot: QtBot, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, errors: list[str]) -> None:
    w = _world(sqlite_engine)
    _tid, forwarding = _transfer_with_letter(sqlite_engine, w)
    view = LettersView(sqlite_engine, today=TODAY)
    _show(qtbot, view)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=10_000)
    index = view.model.index(0, 5)
    assert view.model.data(index) == "Đã phát hành"
    preview = _open_preview(qtbot, sqlite_engine, [forwarding])
    assert preview.void_button.isEnabled()
    monkeypatch.setattr(letter_preview, "ask_void_reason", lambda _parent, symbol: f"Ghi sai cơ quan nhận ({symbol})")
    with qtbot.waitSignal(preview.voided, timeout=10_000) as voided:
        qtbot.mouseClick(preview.void_button, Qt.MouseButton.LeftButton)
    assert voided.args[0].status is LetterStatus.VOID
    qtbot.waitUntil(lambda: preview.heading.text().endswith("ĐÃ HỦY") and preview.print_button.isEnabled(),
                    timeout=15_000)
    assert not preview.void_button.isEnabled()
    assert "ĐÃ HỦY" in _text(preview.pdf)
    # the register reloads after the write: the line stays, greyed and struck through
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and view.model.data(view.model.index(0, 5)) != "Đã phát hành",
                    timeout=10_000)
    assert view.model.data(view.model.index(0, 5)) == "Đã hủy: Ghi sai cơ quan nhận (01/PC-BTCD)"
    font = view.model.data(view.model.index(0, 0), Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.strikeOut()
    assert "số không được cấp lại" in view.model.data(view.model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    # voiding twice is refused by the service; the preview's button is off, the service says why
    with pytest.raises(letters.ValidationError):
        letters.void_letter(sqlite_engine, forwarding.id, "lần nữa", voided.args[0].version)
    assert errors == []


# --- the register -----------------------------------------------------------------------------------


def _register_world(engine: Engine) -> dict:
    w = _world(engine)
    with engine.begin() as conn:
        w["t1"] = add_transfer(conn, w["petition"], w["ward"], date(2026, 1, 12), due_on=date(2026, 2, 1))
        w["t2"] = add_transfer(conn, w["petition"], w["police"], date(2026, 2, 25), due_on=date(2026, 3, 20))
    w["f1"] = letters.issue_forwarding(engine, w["t1"])
    w["f2"] = letters.issue_forwarding(engine, w["t2"])
    w["chase"] = letters.issue_chase(engine, w["t1"], issued_on=date(2026, 2, 10))
    w["receipt"] = letters.issue_receipt(engine, ["Đơn khiếu nại (bản chính)"], petition_id=w["petition"],
                                         issued_on=date(2026, 2, 20))
    letters.void_letter(engine, w["f1"].id, "In sai ngày", 1)
    return w


def _symbols(view: LettersView) -> list[str]:
    return [view.model.row_at(n).symbol for n in range(view.model.rowCount())]


def _settle(qtbot: QtBot, view: LettersView) -> None:
    background.wait_idle()
    qtbot.waitUntil(lambda: not view.model.loading, timeout=10_000)


def test_the_register_filters_by_period_kind_status_and_text(qtbot: QtBot, sqlite_engine: Engine) -> None:
    _register_world(sqlite_engine)
    view = LettersView(sqlite_engine, today=TODAY)
    _show(qtbot, view)
    _settle(qtbot, view)
    # this year, newest first
    assert _symbols(view) == ["02/PC-BTCD", "01/BN-BTCD", "01/BTCD", "01/PC-BTCD"]  # the chase is a công văn
    qtbot.waitUntil(lambda: view.count_label.text() == "4 văn bản", timeout=10_000)

    view.kind_combo.setCurrentIndex(view.kind_combo.findData(LetterKind.FORWARDING.value))
    _settle(qtbot, view)
    assert _symbols(view) == ["02/PC-BTCD", "01/PC-BTCD"]
    view.status_combo.setCurrentIndex(view.status_combo.findData(LetterStatus.VOID.value))
    _settle(qtbot, view)
    assert _symbols(view) == ["01/PC-BTCD"]
    view.status_combo.setCurrentIndex(0)
    view.kind_combo.setCurrentIndex(0)
    view.set_period(date(2026, 2, 1), date(2026, 2, 28))
    _settle(qtbot, view)
    assert len(_symbols(view)) == 3 and "01/PC-BTCD" not in _symbols(view)
    assert view.period_combo.currentText() == "Tùy chọn"
    type_text(qtbot, view.search_edit, "Công an")
    qtbot.keyClick(view.search_edit, Qt.Key.Key_Return)
    _settle(qtbot, view)
    assert _symbols(view) == ["02/PC-BTCD"]
    qtbot.waitUntil(lambda: view.count_label.text() == "1 văn bản", timeout=10_000)
    view.search_edit.clear()
    view.period_combo.setCurrentIndex(view.period_combo.findText("Năm trước"))
    _settle(qtbot, view)
    assert view.model.rowCount() == 0


def test_opening_a_line_of_the_register_previews_it_as_issued(qtbot: QtBot, sqlite_engine: Engine) -> None:
    w = _register_world(sqlite_engine)
    view = LettersView(sqlite_engine, today=TODAY)
    _show(qtbot, view)
    _settle(qtbot, view)
    row = _symbols(view).index("01/BN-BTCD")
    view.view.setCurrentIndex(view.model.index(row, 0))
    assert view.open_button.isEnabled()
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(view.findChildren(LetterPreviewDialog)), timeout=10_000)
    preview = view.findChildren(LetterPreviewDialog)[0]
    qtbot.waitUntil(lambda: preview.pdf is not None, timeout=15_000)
    assert preview.letters[0].id == w["receipt"].id
    assert preview.heading.text() == "Giấy biên nhận số 01/BN-BTCD ngày 20/02/2026 — Đã phát hành"
    preview.close()


def test_printing_a_whole_period_runs_in_the_background_and_can_be_cancelled(
        qtbot: QtBot, sqlite_engine: Engine, errors: list[str]) -> None:
    _register_world(sqlite_engine)
    view = LettersView(sqlite_engine, today=TODAY)
    _show(qtbot, view)
    _settle(qtbot, view)
    view.kind_combo.setCurrentIndex(view.kind_combo.findData(LetterKind.FORWARDING.value))
    _settle(qtbot, view)

    op = view.print_period()
    assert op is not None and op.label and "phiếu chuyển đơn" in op.label
    assert not view.batch_button.isEnabled()
    op.cancel()  # "Hủy" in the progress dialog: the renderer stops at its next letter
    qtbot.waitUntil(lambda: op.done, timeout=15_000)
    assert view.status_label.text() == "Đã hủy in cả kỳ." and view.batch_button.isEnabled()
    assert view.last_preview is None

    with qtbot.waitSignal(view.batchReady, timeout=30_000) as ready:
        view.print_period()
    preview = ready.args[0]
    assert isinstance(preview, LetterPreviewDialog) and not preview.void_button.isVisible()
    # both forwarding letters of the year, the void one marked as such
    assert preview.heading.text() == "2 phiếu chuyển đơn từ ngày 01/01/2026 đến ngày 31/12/2026"
    text = _text(preview.pdf)
    assert "01/PC-BTCD" in text and "02/PC-BTCD" in text and "ĐÃ HỦY" in text
    assert preview.document.pageCount() >= 2
    assert errors == []

    view.status_combo.setCurrentIndex(view.status_combo.findData(LetterStatus.ISSUED.value))
    view.set_period(date(2025, 1, 1), date(2025, 12, 31))
    view.print_period()
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert errors == ["Không có văn bản nào từ ngày 01/01/2025 đến ngày 31/12/2025 theo bộ lọc đã chọn."]


# --- the follow-up queue and the petition forms ----------------------------------------------------------


def test_a_chase_letter_before_the_due_date_is_asked_first(
        qtbot: QtBot, sqlite_engine: Engine, questions: list[str], errors: list[str]) -> None:
    w = _world(sqlite_engine)
    tid, _forwarding = _transfer_with_letter(sqlite_engine, w, due_on=date(2026, 3, 20))
    view = QueuesView(sqlite_engine, today=TODAY)
    _show(qtbot, view)
    view.set_queue("awaiting")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=10_000)
    view.view.setCurrentIndex(view.model.index(0, 0))
    assert view.chase_button.isEnabled() and view.reprint_button.isEnabled()
    qtbot.mouseClick(view.chase_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(view.findChildren(LetterPreviewDialog)), timeout=15_000)
    assert "Chưa quá hạn trả lời (hạn ngày 20/03/2026)" in questions[0]
    preview = view.findChildren(LetterPreviewDialog)[0]
    assert preview.letters[0].kind is LetterKind.CHASE and preview.letters[0].issued_on == TODAY
    assert "Chưa quá hạn" in preview.note_label.text()
    preview.close()

    background.wait_idle()  # the queue re-reads itself after the write; select the row again
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and not view.model.loading, timeout=10_000)
    view.view.setCurrentIndex(view.model.index(0, 0))
    qtbot.mouseClick(view.reprint_button, Qt.MouseButton.LeftButton)  # the forwarding letter in force
    qtbot.waitUntil(lambda: any(p.isVisible() and p.letters and p.letters[0].kind is LetterKind.FORWARDING
                                for p in view.findChildren(LetterPreviewDialog)), timeout=15_000)
    assert errors == [] and len(questions) == 1
    assert [x.kind for x in letters.letters_for_transfer(sqlite_engine, tid)] == [LetterKind.FORWARDING,
                                                                                  LetterKind.CHASE]


def test_the_return_form_keeps_what_was_typed_when_refused_then_issues(
        qtbot: QtBot, sqlite_engine: Engine, errors: list[str]) -> None:
    w = _world(sqlite_engine)
    host = QWidget()
    _show(qtbot, host)
    dialog = ReturnDialog(sqlite_engine, w["petition"], host, today=TODAY)  # goes with the host
    dialog.show()
    type_text(qtbot, dialog.documents_edit, "- Đơn khiếu nại (bản chính)")
    qtbot.keyClick(dialog.documents_edit, Qt.Key.Key_Return)  # one document a line
    type_text(qtbot, dialog.documents_edit, "2. Bản sao quyết định thu hồi đất")
    dialog.save()  # no reason typed: refused by the service
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert errors == ["Cần ghi lý do trả lại đơn."]
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert "Bản sao quyết định" in dialog.documents_edit.toPlainText()
    type_text(qtbot, dialog.reason_edit, "Đơn đã được giải quyết đúng pháp luật")
    with qtbot.waitSignal(dialog.issued, timeout=15_000) as issued:
        dialog.save()
    letter = issued.args[0][0]
    assert letter.kind is LetterKind.RETURN and letter.symbol == "01/BTCD"
    text = "\n".join(letter.content.paragraphs)
    assert "Đơn khiếu nại (bản chính)" in text and "Bản sao quyết định thu hồi đất" in text
    qtbot.waitUntil(lambda: bool(host.findChildren(LetterPreviewDialog)), timeout=15_000)


# --- the template editor ------------------------------------------------------------------------------


def test_the_template_editor_saves_a_good_edit_and_explains_a_bad_one(
        qtbot: QtBot, sqlite_engine: Engine, questions: list[str]) -> None:
    editor = TemplateEditor(sqlite_engine)
    _show(qtbot, editor)
    qtbot.waitUntil(lambda: editor.current == "forwarding" and editor.save_button.isEnabled(), timeout=10_000)
    assert "mẫu gốc" in editor.list.item(0).text()
    assert not editor.reset_button.isEnabled()
    keys = [editor.placeholders.item(n).text().split(" — ")[0] for n in range(editor.placeholders.count())]
    assert "${co_quan_nhan}" in keys and "${tom_tat}" in keys
    shipped = editor.editor.toPlainText()
    assert shipped == template_text(sqlite_engine, "forwarding")

    # a good edit: one more sentence in the archive line's place
    edited = shipped.replace('archive = "', 'archive = "TCD, ', 1) if 'archive = "' in shipped else shipped
    assert edited != shipped
    editor.editor.setPlainText(edited)
    assert editor.is_unsaved("forwarding") and editor.list.item(0).text().startswith("* ")
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert load_template(sqlite_engine, "forwarding").overridden
    assert load_template(sqlite_engine, "forwarding").text == edited
    qtbot.waitUntil(lambda: "đã sửa" in editor.list.item(0).text() and editor.reset_button.isEnabled(),
                    timeout=10_000)
    assert editor.status_label.text().startswith("Đã lưu mẫu")

    # a bad edit: a placeholder the forwarding letter does not have, on a line the message names
    bad = edited.replace('subject = ""', 'subject = "V/v ${khong_co}"', 1)
    assert bad != edited
    editor.editor.setPlainText(bad)
    with qtbot.waitSignal(editor.failed, timeout=10_000) as failed:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    message = failed.args[0]
    assert "${khong_co}" in message and editor.error_label.isVisible() and editor.error_label.text() == message
    assert editor.editor.toPlainText() == bad  # nothing typed is lost
    assert load_template(sqlite_engine, "forwarding").text == edited  # nor saved
    line = bad.splitlines().index('subject = "V/v ${khong_co}"')
    assert f"dòng {line + 1}" in message
    assert editor.editor.textCursor().blockNumber() == line  # the cursor waits on the line named
    # another template and back: the unsaved text is still there
    editor.select("notice")
    qtbot.waitUntil(lambda: editor.current == "notice" and editor.save_button.isEnabled(), timeout=10_000)
    editor.select("forwarding")
    assert editor.editor.toPlainText() == bad

    editor.editor.setPlainText(edited)  # back to the saved text: nothing unsaved
    assert not editor.is_unsaved("forwarding")
    with qtbot.waitSignal(editor.saved, timeout=10_000) as reset:
        qtbot.mouseClick(editor.reset_button, Qt.MouseButton.LeftButton)
    assert questions and not reset.args[0].overridden
    assert not load_template(sqlite_engine, "forwarding").overridden
    qtbot.waitUntil(lambda: editor.editor.toPlainText() == shipped, timeout=10_000)


def test_xem_thu_previews_the_unsaved_text_without_taking_a_number(
        qtbot: QtBot, sqlite_engine: Engine, errors: list[str]) -> None:
    from reception_desk.storage.models import DocumentNumber, IssuedDocument

    save_office_settings(sqlite_engine, OFFICE)
    editor = TemplateEditor(sqlite_engine)
    _show(qtbot, editor)
    qtbot.waitUntil(lambda: editor.current == "forwarding" and editor.preview_button.isEnabled(), timeout=10_000)
    edited = editor.editor.toPlainText().replace("để xem xét", "để khẩn trương xem xét", 1)
    editor.editor.setPlainText(edited)
    qtbot.mouseClick(editor.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(editor.findChildren(LetterPreviewDialog)), timeout=15_000)
    [dialog] = editor.findChildren(LetterPreviewDialog)
    qtbot.waitUntil(lambda: dialog.pdf is not None, timeout=15_000)
    text = " ".join(_text(dialog.pdf).split())  # lines of a paragraph joined
    assert "khẩn trương xem xét" in text and "Nguyễn Văn Mẫu" in text
    dialog.close()
    assert editor.is_unsaved("forwarding")  # trying out saves nothing
    assert not load_template(sqlite_engine, "forwarding").overridden
    with sqlite_engine.connect() as conn:
        for table in (IssuedDocument.__table__, DocumentNumber.__table__):
            assert conn.execute(select(table)).first() is None
    # a bad text is explained under the editor, as a save would, and stays
    bad = edited.replace('subject = ""', 'subject = "V/v ${khong_co}"', 1)
    editor.editor.setPlainText(bad)
    qtbot.mouseClick(editor.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.error_label.isVisible, timeout=10_000)
    assert "${khong_co}" in editor.error_label.text() and editor.editor.toPlainText() == bad
    assert not errors


# --- where the actions live: the main window's menu and the case window ------------------------------


def test_ctrl_7_shows_the_register_and_the_letters_menu_acts_on_the_selection(
        qtbot: QtBot, sqlite_engine: Engine) -> None:
    from reception_desk.ui.main_window import MainWindow

    w = _world(sqlite_engine)
    _tid, _forwarding = _transfer_with_letter(sqlite_engine, w)
    window = MainWindow(sqlite_engine)
    _show(qtbot, window)
    qtbot.waitUntil(lambda: window.database_empty is False, timeout=10_000)
    assert window.letters_action.shortcut().toString() == "Ctrl+7"
    shortcuts = [a.shortcut().toString() for a in window.findChildren(type(window.letters_action))
                 if not a.shortcut().isEmpty()]
    assert shortcuts.count("Ctrl+7") == 1  # no clash with another action
    window.letters_action.trigger()
    assert window.tabs.currentWidget() is window.letters
    qtbot.waitUntil(lambda: window.letters.model.rowCount() == 1, timeout=10_000)
    # a petition action with no petition selected only says what to select
    window.guidance_action.trigger()
    assert window.statusBar().currentMessage() == "Chọn một đơn trong danh sách Đơn thư."
    window.show_list("petitions")
    pane = window.panes["petitions"]
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=10_000)
    pane.view.setCurrentIndex(pane.model.index(0, 0))
    window.receipt_action.trigger()
    forms = [d for d in window.findChildren(letter_preview.ReceiptDialog) if d.isVisible()]
    assert len(forms) == 1 and "Nguyễn Thị Hương" in forms[0].about_label.text()
    forms[0].close()


def test_the_case_window_offers_the_letters_of_the_selected_row(qtbot: QtBot, sqlite_engine: Engine) -> None:
    from reception_desk.ui.case_view import CaseView

    w = _world(sqlite_engine)
    _transfer_with_letter(sqlite_engine, w)
    view = CaseView(sqlite_engine, today=TODAY)
    _show(qtbot, view)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.show_case(w["case"])
    rows = {view.event_at(n).kind: n for n in range(view.events.rowCount())}
    view.events.setCurrentCell(rows["petition"], 0)
    assert view.letters_button.isEnabled()
    assert view.guidance_action.isEnabled() and view.return_action.isEnabled() and view.receipt_action.isEnabled()
    assert not view.chase_action.isEnabled() and not view.reprint_action.isEnabled()
    view.events.setCurrentCell(rows["transfer"], 0)
    assert view.chase_action.isEnabled() and view.reprint_action.isEnabled()
    assert not view.guidance_action.isEnabled()
    view.reprint_action.trigger()
    qtbot.waitUntil(lambda: bool(view.findChildren(LetterPreviewDialog)), timeout=15_000)
    preview = view.findChildren(LetterPreviewDialog)[0]
    assert preview.letters[0].symbol == "01/PC-BTCD"
