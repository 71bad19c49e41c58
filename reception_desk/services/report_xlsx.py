"""The office report as an Excel workbook (openpyxl), for the office to check, extend and send.

Sheets:

- "01-TCD", "01-XLD": the forms with their merged multi-level headers (``header_cells``), the
  column numbers, and three rows: the period, the same dates a year earlier, the change. Figures
  are numbers, not text; where the form defines a column as a sum of others (01/TCD 1 = 4 + 13 +
  22, 2 = 5 + 14 + 23, 3 = 6 + 7 + 15 + 16 + 24 + 25) the cell is an Excel formula over those
  cells, and the change row is a formula (period − previous year), so a clerk who corrects a
  figure by hand sees the totals follow;
- "Thuyết minh": the narrative, a paragraph per row, ready to copy;
- "Số liệu": every figure of the report by key (as in ``report --full`` JSON): label, unit, the
  period, the previous year and the change (formula).

Times New Roman throughout, A4 landscape fitted to the page width, header rows repeated when
printed, panes frozen under the headers.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reception_desk.domain.report_forms import TCD_TITLE, XLD_TITLE, FormColumn
from reception_desk.services.report_exports import (
    FORM_BASIS,
    FORMS,
    HEAD_HINT,
    LEAD_HEADER,
    LEAD_NUMBER,
    MAKER,
    MAKER_HINT,
    REPORT_TITLE,
    TCD_FORM,
    XLD_FORM,
    XLD_NOTE,
    atomic_write,
    attachments_line,
    column_sums,
    header_cells,
    header_depth,
    introduction,
    period_dates,
    place_date_line,
    report_subject,
    row_labels,
    signer_lines,
)
from reception_desk.services.reports import OfficeReport

FONT = "Times New Roman"
NUMBER_FORMAT = "#,##0"
CHANGE_FORMAT = "+#,##0;-#,##0;0"
SHEET_NAMES = {TCD_FORM: "01-TCD", XLD_FORM: "01-XLD"}
NARRATIVE_SHEET = "Thuyết minh"
FIGURES_SHEET = "Số liệu"
FORM_HEADER_ROW = 8  # first header row of a form sheet (title block above)
LEAD_WIDTH = 34.0
FIGURE_WIDTH = 8.5

_thin = Side(style="thin", color="000000")
_BOX = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_JUSTIFY = Alignment(horizontal="justify", vertical="top", wrap_text=True)


def _font(size: float = 12, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic)


def _put(ws: Worksheet, row: int, col: int, value: object, font: Font, align: Alignment | None = None,
         border: bool = False, number_format: str | None = None) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.font = font
    if align is not None:
        cell.alignment = align
    if border:
        cell.border = _BOX
    if number_format:
        cell.number_format = number_format


def _merged_line(ws: Worksheet, row: int, first: int, last: int, text: str, font: Font,
                 align: Alignment = _CENTRE) -> None:
    _put(ws, row, first, text, font, align)
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _print_setup(ws: Worksheet, landscape: bool, title_rows: str | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left, ws.page_margins.right = 0.6, 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.5
    if title_rows:
        ws.print_title_rows = title_rows


def form_cells(columns: Sequence[FormColumn], first_row: int) -> dict[str, object]:
    """Where a form's figure rows lie: first data row, and column letter per form column number
    (the lead column is A; form columns from B in form order)."""
    depth = header_depth(columns)
    data = first_row + depth + 1
    return {"current": data, "previous": data + 1, "change": data + 2,
            "letters": {c.number: get_column_letter(i + 2) for i, c in enumerate(columns)}}


def _form_sheet(wb: Workbook, report: OfficeReport, form: str, columns: Sequence[FormColumn],
                issued_on: date) -> None:
    ws = wb.create_sheet(SHEET_NAMES[form])
    last = len(columns) + 1
    office = report.office
    half = max(2, last // 2)
    # Unit top left, "Biểu số" top right, title and period (domain notes §8.4).
    if office.superior_body.strip():
        _merged_line(ws, 1, 1, half, office.superior_body.upper(), _font(12))
    _merged_line(ws, 2, 1, half, (office.office_name.upper() or report.narrative.office), _font(12, bold=True))
    _merged_line(ws, 1, half + 1, last, f"Biểu số: {form}", _font(12, bold=True))
    _merged_line(ws, 2, half + 1, last, FORM_BASIS, _font(10, italic=True))
    _merged_line(ws, 4, 1, last, TCD_TITLE if form == TCD_FORM else XLD_TITLE, _font(13, bold=True))
    _merged_line(ws, 5, 1, last, f"Kỳ báo cáo: {report.period.label}", _font(12, italic=True))
    _merged_line(ws, 6, 1, last, f"({period_dates(report.period)})", _font(12, italic=True))

    top = FORM_HEADER_ROW
    depth = header_depth(columns)
    header_font = _font(10, bold=True)
    # Borders on every cell of the header block first: merged cells keep the top-left's value only.
    for r in range(top, top + depth):
        for c in range(1, last + 1):
            _put(ws, r, c, None, header_font, _CENTRE, border=True)
    _put(ws, top, 1, LEAD_HEADER, header_font, _CENTRE, border=True)
    ws.merge_cells(start_row=top, start_column=1, end_row=top + depth - 1, end_column=1)
    for cell in header_cells(columns):
        row, col = top + cell.row, cell.col + 2
        _put(ws, row, col, cell.text, header_font, _CENTRE, border=True)
        if cell.rows > 1 or cell.cols > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + cell.rows - 1,
                           end_column=col + cell.cols - 1)
    number_row = top + depth
    _put(ws, number_row, 1, LEAD_NUMBER, _font(10, italic=True), _CENTRE, border=True)
    for i, column in enumerate(columns):
        _put(ws, number_row, i + 2, column.number, _font(10, italic=True), _CENTRE, border=True)

    where = form_cells(columns, top)
    letters: dict[int, str] = where["letters"]  # type: ignore[assignment]
    sums = column_sums(columns)
    labels = row_labels(report)
    rows = ((where["current"], False), (where["previous"], True))
    for (row, previous), label in zip(rows, labels, strict=False):
        _put(ws, row, 1, label, _font(11), _LEFT, border=True)
        for i, column in enumerate(columns):
            if column.number in sums:
                value: object = "=SUM(" + ",".join(f"{letters[n]}{row}" for n in sums[column.number]) + ")"
            else:
                value = report.column_value(column, previous=previous)
            _put(ws, row, i + 2, value, _font(11), _CENTRE, border=True, number_format=NUMBER_FORMAT)
    change = where["change"]
    _put(ws, change, 1, labels[2], _font(11), _LEFT, border=True)
    for i, column in enumerate(columns):
        letter = letters[column.number]
        _put(ws, change, i + 2, f"={letter}{where['current']}-{letter}{where['previous']}", _font(11), _CENTRE,
             border=True, number_format=CHANGE_FORMAT)

    row = change + 2
    if form == XLD_FORM:
        _merged_line(ws, row, 1, last, XLD_NOTE, _font(10, italic=True), _LEFT)
        ws.row_dimensions[row].height = 30
        row += 2
    signer = signer_lines(report.office)
    _merged_line(ws, row, 1, half, MAKER, _font(12, bold=True))
    _merged_line(ws, row + 1, 1, half, MAKER_HINT, _font(12, italic=True))
    lines = [(place_date_line(report.office, issued_on), _font(12, italic=True))]
    lines += [(text, _font(12, bold=True)) for text in (signer.authority, signer.position) if text]
    lines.append((HEAD_HINT, _font(12, italic=True)))
    for n, (text, font) in enumerate(lines):
        _merged_line(ws, row + n, half + 1, last, text, font)
    if signer.name:
        _merged_line(ws, row + len(lines) + 4, half + 1, last, signer.name, _font(12, bold=True))

    ws.column_dimensions["A"].width = LEAD_WIDTH
    for i in range(len(columns)):
        ws.column_dimensions[get_column_letter(i + 2)].width = FIGURE_WIDTH if form == TCD_FORM else 14
    for r in range(top, top + depth):
        ws.row_dimensions[r].height = 30
    ws.freeze_panes = ws.cell(row=where["current"], column=2)
    _print_setup(ws, landscape=True, title_rows=f"{top}:{number_row}")


def _narrative_sheet(wb: Workbook, report: OfficeReport) -> None:
    ws = wb.create_sheet(NARRATIVE_SHEET)
    ws.column_dimensions["A"].width = 110
    lines: list[tuple[str, Font, Alignment]] = [
        (REPORT_TITLE, _font(14, bold=True), _CENTRE),
        (report_subject(report), _font(14, bold=True), _CENTRE),
        (introduction(report), _font(14), _JUSTIFY),
    ]
    for section in report.narrative.sections:
        lines.append((section.title, _font(14, bold=True), _JUSTIFY))
        lines += [(text, _font(14), _JUSTIFY) for text in section.paragraphs]
    lines.append((attachments_line(), _font(14, italic=True), _JUSTIFY))
    for row, (text, font, align) in enumerate(lines, start=1):
        _put(ws, row, 1, text, font, align)
        # Excel does not grow a row for wrapped text written by a program: about 95 characters a line
        ws.row_dimensions[row].height = 19 * max(1, -(-len(text) // 95))
    _print_setup(ws, landscape=False)


def _figures_sheet(wb: Workbook, report: OfficeReport) -> None:
    ws = wb.create_sheet(FIGURES_SHEET)
    headers = ("Mã số liệu", "Nội dung", "Đơn vị tính", "Kỳ báo cáo", "Cùng kỳ năm trước", "Tăng (+), giảm (−)")
    for col, text in enumerate(headers, start=1):
        _put(ws, 1, col, text, _font(11, bold=True), _CENTRE, border=True)
    for row, figure in enumerate(report.figures(), start=2):
        _put(ws, row, 1, figure.key, _font(11), _LEFT, border=True)
        _put(ws, row, 2, figure.label, _font(11), _LEFT, border=True)
        _put(ws, row, 3, figure.unit, _font(11), _CENTRE, border=True)
        _put(ws, row, 4, figure.value, _font(11), _CENTRE, border=True, number_format=NUMBER_FORMAT)
        _put(ws, row, 5, figure.previous, _font(11), _CENTRE, border=True, number_format=NUMBER_FORMAT)
        _put(ws, row, 6, f"=D{row}-E{row}", _font(11), _CENTRE, border=True, number_format=CHANGE_FORMAT)
    for letter, width in zip("ABCDEF", (36, 60, 11, 13, 13, 13), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:F{ws.max_row}"
    _print_setup(ws, landscape=True, title_rows="1:1")


def report_xlsx(report: OfficeReport, *, issued_on: date | None = None) -> bytes:
    """The workbook as bytes (sheets "01-TCD", "01-XLD", "Thuyết minh", "Số liệu")."""
    wb = Workbook()
    wb.remove(wb.active)
    day = issued_on or date.today()
    for form, columns in FORMS:
        _form_sheet(wb, report, form, columns, day)
    _narrative_sheet(wb, report)
    _figures_sheet(wb, report)
    wb.properties.title = f"Báo cáo {report.period.name}"
    wb.properties.subject = report_subject(report)
    wb.properties.creator = report.office.office_name or report.narrative.office
    wb.properties.lastModifiedBy = ""
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_report_xlsx(report: OfficeReport, path: str | os.PathLike[str], *, issued_on: date | None = None) -> Path:
    """Build and save atomically; UserError (Vietnamese) when the file cannot be written."""
    return atomic_write(path, report_xlsx(report, issued_on=issued_on))
