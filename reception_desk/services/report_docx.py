"""The office report as DOCX (python-docx), for an office that pastes it into its own report.

Same content and layout as the PDF (services.report_pdf): an A4 portrait section with the Decree
30 letterhead as a borderless table (issuing body | national motto; "Số:      /BC-…" | place and
date), "BÁO CÁO" and its subject, the narrative in Times New Roman 14, justified, first-line indent
1.27 cm, 6 pt after each paragraph, "Nơi nhận" and the signer; then an A4 landscape section with
Biểu 01/TCD and 01/XLD as Word tables with merged header cells, so they can be pasted too. Page
numbers are centred in the header from page 2 on (§7.1). The sizes and texts are the letters'
(services.letter_pdf) and the exports' (services.report_exports).
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from reception_desk.domain.report_forms import TCD_TITLE, XLD_TITLE, FormColumn
from reception_desk.services import letter_pdf as lp
from reception_desk.services.fonts import DOCX_FONT, letter_fonts
from reception_desk.services.letter_docx import append_page_number
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
    HeaderCell,
    atomic_write,
    attachments_line,
    header_cells,
    header_depth,
    introduction,
    number_line,
    period_dates,
    place_date_line,
    recipients,
    report_subject,
    row_labels,
    signed_number,
    signer_lines,
    table_number,
)
from reception_desk.services.reports import OfficeReport

Style = lp.TextStyle
A4_SHORT_MM, A4_LONG_MM = 210.0, 297.0
CONTENT_MM = A4_SHORT_MM - lp.MARGIN_LEFT_MM - lp.MARGIN_RIGHT_MM
HEADER_LEFT_MM = lp.HEADER_LEFT_WIDTH / lp.MM
FOOTER_LEFT_MM = lp.FOOTER_LEFT_WIDTH / lp.MM
LAND_LEFT_MM, LAND_RIGHT_MM, LAND_TOP_MM, LAND_BOTTOM_MM = 20.0, 15.0, 20.0, 15.0
LAND_CONTENT_MM = A4_LONG_MM - LAND_LEFT_MM - LAND_RIGHT_MM
FORM_LEAD_MM = 30.0
FORM_CELL_MARGIN_TWIPS = 34  # 0.6 mm left and right in a form's cells
HEADING = Style(14, bold=True, leading_factor=1.25)
ITALIC_BODY = Style(14, italic=True, leading_factor=1.25)
# Paragraph styles of the forms' cells (one style each instead of formatting every run); ASCII
# names, so the style id python-docx derives is the name itself.
_TABLE_STYLES: dict[str, Style] = {
    "RDFormHeader": Style(6.5, bold=True),  # "người" in bold fits a 8 mm column
    "RDFormNumber": Style(7, italic=True),
    "RDFormFigure": Style(7.5),
    "RDFormLead": Style(8),
}


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def _set_font(run, style: Style) -> None:
    run.font.name = DOCX_FONT
    run.font.size = Pt(style.size)
    run.font.bold = style.bold
    run.font.italic = style.italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()  # also the complex-script slots
    fonts.set(qn("w:cs"), DOCX_FONT)
    fonts.set(qn("w:eastAsia"), DOCX_FONT)


def _para(container, text: str, style: Style, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
          space_after: float = 0.0, space_before: float = 0.0) -> Paragraph:
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(space_before), Pt(space_after)
    if text:
        _set_font(p.add_run(_nfc(text)), style)
    return p


def _lines(container, lines: Sequence[str], style: Style) -> Paragraph:
    """A centred paragraph broken where the PDF breaks it."""
    p = _para(container, "", style)
    for i, line in enumerate(lines):
        if i:
            brk = p.add_run()
            _set_font(brk, style)
            brk.add_break()
        _set_font(p.add_run(line), style)
    return p


def _rule(container, column_mm: float, length_pt: float) -> None:
    """A short centred solid line: the bottom border of a thin empty paragraph indented to length."""
    p = container.add_paragraph()
    fmt = p.paragraph_format
    side = max(0.0, (column_mm * lp.MM - length_pt) / 2)
    fmt.left_indent = fmt.right_indent = Pt(side)
    fmt.space_before, fmt.space_after = Pt(0), Pt(4)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p._p.get_or_add_pPr().append(borders)


def _empty(cell: _Cell) -> _Cell:
    """A new cell holds one empty paragraph; remove it so the cell starts with our text."""
    for p in list(cell.paragraphs):
        p._p.getparent().remove(p._p)
    return cell


# Children of w:tblPr that come after w:tblBorders / w:tblCellMar (the schema fixes the order).
_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
_AFTER_MARGINS = ("w:tblLook", "w:tblCaption", "w:tblDescription")


def _insert(parent, element, before: tuple[str, ...]) -> None:
    following = [el for tag in before for el in parent.findall(qn(tag))]
    if following:
        min(following, key=lambda el: list(parent).index(el)).addprevious(element)
    else:
        parent.append(element)


def _table(doc: DocxDocument, rows: int, widths_mm: Sequence[float], *, borders: bool) -> Table:
    # "Table Grid" (in python-docx's template) draws the form's lines in Word and LibreOffice alike;
    # the explicit borders below keep them when the table is pasted into another document.
    table = doc.add_table(rows=rows, cols=len(widths_mm), style="Table Grid" if borders else None)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER if borders else WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    edges = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single" if borders else "nil")
        if borders:
            el.set(qn("w:sz"), "4")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        edges.append(el)
    _insert(tbl_pr, edges, _AFTER_BORDERS)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(FORM_CELL_MARGIN_TWIPS) if borders else "0")  # none in a layout table
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    _insert(tbl_pr, margins, _AFTER_MARGINS)
    for col, width in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(width)
    # Cell widths straight on the XML: python-docx's cell look-ups rebuild the whole grid each time.
    for tr in table._tbl.tr_lst:
        for tc, width in zip(tr.tc_lst, widths_mm, strict=True):
            tc.width = Mm(width)
    return table


# --- the report part ---------------------------------------------------------------------------------


def _letterhead(doc: DocxDocument, report: OfficeReport, issued_on: date) -> None:
    office = report.office
    breaker = lp.LineBreaker(letter_fonts())
    lw, rw = HEADER_LEFT_MM, CONTENT_MM - HEADER_LEFT_MM
    table = _table(doc, 2, (lw, rw), borders=False)
    left = _empty(table.cell(0, 0))
    superior = _nfc(office.superior_body).upper()
    if superior:
        _lines(left, *breaker.fit(superior, (lp.SUPERIOR, lp.SUPERIOR_SMALL), lw * lp.MM))
    name = _nfc(office.office_name).upper()
    if name:
        lines, style = breaker.fit(name, (lp.OFFICE, lp.OFFICE_SMALL), lw * lp.MM)
        _lines(left, lines, style)
        widest = max(breaker.width(line, style) for line in lines)
        _rule(left, lw, min(max(widest / 3, 20 * lp.MM), widest / 2))
    right = _empty(table.cell(0, 1))
    _lines(right, *breaker.fit(lp.NATIONAL_TITLE_TEXT, (lp.MOTTO_1, lp.MOTTO_1_SMALL), rw * lp.MM))
    _para(right, lp.MOTTO_TEXT, lp.MOTTO_2)
    _rule(right, rw, breaker.width(lp.MOTTO_TEXT, lp.MOTTO_2))
    _para(_empty(table.cell(1, 0)), number_line(office), lp.NUMBER)
    _para(_empty(table.cell(1, 1)), place_date_line(office, issued_on), lp.PLACE_DATE)


def _title(doc: DocxDocument, report: OfficeReport) -> None:
    breaker = lp.LineBreaker(letter_fonts())
    _para(doc, REPORT_TITLE, lp.TITLE, space_before=12)
    subject = report_subject(report)
    _para(doc, subject, lp.SUBJECT)
    widest = min(breaker.width(subject, lp.SUBJECT), CONTENT_MM * lp.MM)
    _rule(doc, CONTENT_MM, min(max(widest / 3, 20 * lp.MM), widest))


def _body(doc: DocxDocument, text: str, style: Style = lp.BODY) -> Paragraph:
    p = _para(doc, text, style, WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=lp.PARAGRAPH_SPACING)
    fmt = p.paragraph_format
    fmt.first_line_indent = Pt(lp.FIRST_LINE_INDENT)
    fmt.line_spacing = 1.1  # Word's "single" is already ~1.15 em for Times New Roman
    return p


def _closing(doc: DocxDocument, report: OfficeReport) -> None:
    table = _table(doc, 1, (FOOTER_LEFT_MM, CONTENT_MM - FOOTER_LEFT_MM), borders=False)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left = _empty(table.cell(0, 0))
    _para(left, "Nơi nhận:", lp.RECIPIENTS_LABEL, WD_ALIGN_PARAGRAPH.LEFT, space_before=6)
    for line in recipients(report.office):
        _para(left, line, lp.RECIPIENTS, WD_ALIGN_PARAGRAPH.LEFT)
    right = _empty(table.cell(0, 1))
    signer = signer_lines(report.office)
    first = True
    for text in (signer.authority, signer.position):
        if text:
            _para(right, text, lp.SIGNER, space_before=6 if first else 0)
            first = False
    if signer.name:
        _para(right, signer.name, lp.SIGNER, space_before=lp.SIGNATURE_SPACE)


# --- the forms ---------------------------------------------------------------------------------------


def _form_heading(doc: DocxDocument, report: OfficeReport, form: str) -> None:
    office = report.office
    table = _table(doc, 1, (LAND_CONTENT_MM * 0.45, LAND_CONTENT_MM * 0.55), borders=False)
    left = _empty(table.cell(0, 0))
    if office.superior_body.strip():
        _para(left, office.superior_body.upper(), Style(12))
    _para(left, office.office_name.upper() or report.narrative.office, Style(12, bold=True))
    right = _empty(table.cell(0, 1))
    _para(right, f"Biểu số: {form}", Style(12, bold=True))
    _para(right, FORM_BASIS, Style(10, italic=True))
    _para(doc, TCD_TITLE if form == TCD_FORM else XLD_TITLE, Style(13, bold=True), space_before=6)
    _para(doc, f"Kỳ báo cáo: {report.period.label}", Style(12, italic=True))
    _para(doc, f"({period_dates(report.period)})", Style(12, italic=True), space_after=6)


def _cell_text(cell: _Cell, text: str, style: str, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER) -> None:
    """Text in a form cell, formatted by one of the document's table styles (``_TABLE_STYLES``)."""
    p = cell.paragraphs[0]
    p._p.style = style  # the style id (ASCII names: id == name); the name look-up scans every style
    p.alignment = align
    p.add_run(_nfc(text))
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _merge(table: Table, cells: Sequence[HeaderCell], first_col: int) -> dict[tuple[int, int], _Cell]:
    """Merge the header cells by writing w:gridSpan / w:vMerge (python-docx's ``merge`` rebuilds the
    grid on every call: seconds for a 30-column form). Returns the top-left cell of each header cell."""
    rows = table._tbl.tr_lst
    grid = [list(tr.tc_lst) for tr in rows]  # before any change: one tc per grid column
    drop = []
    tops = {}
    for cell in cells:
        col = cell.col + first_col
        for r in range(cell.row, cell.row + cell.rows):
            tc = grid[r][col]
            if cell.cols > 1:
                tc.grid_span = cell.cols
                tc.width = Emu(sum(grid[r][c].width for c in range(col, col + cell.cols)))
                drop += grid[r][col + 1:col + cell.cols]
            if cell.rows > 1:
                # ST_Merge: "restart" on the first row, "continue" below (python-docx's own values)
                tc.vMerge = "restart" if r == cell.row else "continue"
        tops[(cell.row, cell.col)] = _Cell(grid[cell.row][col], table)
    for tc in drop:
        tc.getparent().remove(tc)
    return tops


def _form_table(doc: DocxDocument, report: OfficeReport, columns: Sequence[FormColumn]) -> None:
    depth = header_depth(columns)
    figure_mm = (LAND_CONTENT_MM - FORM_LEAD_MM) / len(columns)
    table = _table(doc, depth + 4, (FORM_LEAD_MM, *[figure_mm] * len(columns)), borders=True)
    plain = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    for r in range(depth + 1):  # header rows and the column numbers repeat on a new page
        table._tbl.tr_lst[r].get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    lead = HeaderCell(0, 0, depth, 1, LEAD_HEADER)
    shifted = [HeaderCell(c.row, c.col + 1, c.rows, c.cols, c.text) for c in header_cells(columns)]
    tops = _merge(table, [lead, *shifted], 0)
    for cell in (lead, *shifted):
        _cell_text(tops[(cell.row, cell.col)], cell.text, "RDFormHeader")
    _cell_text(plain[depth][0], LEAD_NUMBER, "RDFormNumber")
    for i, column in enumerate(columns):
        _cell_text(plain[depth][i + 1], str(column.number), "RDFormNumber")
    current = [report.column_value(c) for c in columns]
    previous = [report.column_value(c, previous=True) for c in columns]
    rows = (list(map(table_number, current)), list(map(table_number, previous)),
            [signed_number(a - b) for a, b in zip(current, previous, strict=True)])
    for r, (label, values) in enumerate(zip(row_labels(report), rows, strict=True)):
        _cell_text(plain[depth + 1 + r][0], label, "RDFormLead", WD_ALIGN_PARAGRAPH.LEFT)
        for i, text in enumerate(values):
            _cell_text(plain[depth + 1 + r][i + 1], text, "RDFormFigure")


def _form_signatures(doc: DocxDocument, report: OfficeReport, issued_on: date) -> None:
    table = _table(doc, 1, (LAND_CONTENT_MM / 2, LAND_CONTENT_MM / 2), borders=False)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left = _empty(table.cell(0, 0))
    _para(left, MAKER, Style(12, bold=True), space_before=8)
    _para(left, MAKER_HINT, Style(12, italic=True))
    right = _empty(table.cell(0, 1))
    _para(right, place_date_line(report.office, issued_on), Style(12, italic=True), space_before=8)
    signer = signer_lines(report.office)
    for text in (signer.authority, signer.position):
        if text:
            _para(right, text, Style(12, bold=True))
    _para(right, HEAD_HINT, Style(12, italic=True))
    if signer.name:
        _para(right, signer.name, Style(12, bold=True), space_before=18 * lp.MM)


# --- sections ------------------------------------------------------------------------------------------


def _page_number_field(p: Paragraph) -> None:
    run = p.add_run()
    _set_font(run, lp.PAGE_NUMBER)
    append_page_number(run)


def _portrait(section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(A4_SHORT_MM), Mm(A4_LONG_MM)
    section.top_margin, section.bottom_margin = Mm(lp.MARGIN_TOP_MM), Mm(lp.MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(lp.MARGIN_LEFT_MM), Mm(lp.MARGIN_RIGHT_MM)
    section.header_distance = section.footer_distance = Mm(8)
    # Page numbers from page 2 on (§7.1): the first page has its own, empty, header.
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(p)


def _landscape(section) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(A4_LONG_MM), Mm(A4_SHORT_MM)
    section.top_margin, section.bottom_margin = Mm(LAND_TOP_MM), Mm(LAND_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(LAND_LEFT_MM), Mm(LAND_RIGHT_MM)
    section.header_distance = section.footer_distance = Mm(8)
    section.different_first_page_header_footer = False  # numbered: these are pages 3, 4, …
    section.header.is_linked_to_previous = True


def _defaults(doc: DocxDocument, report: OfficeReport) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(lp.BODY.size)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), DOCX_FONT)
    fonts.set(qn("w:eastAsia"), DOCX_FONT)
    normal.paragraph_format.space_after = Pt(0)
    for name, style in _TABLE_STYLES.items():
        added = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        added.base_style = normal
        added.font.size = Pt(style.size)
        added.font.bold = style.bold
        added.font.italic = style.italic
        added.paragraph_format.space_before = added.paragraph_format.space_after = Pt(0)
        added.paragraph_format.line_spacing = 1.0
    # The forms' columns are narrow: LibreOffice takes the cell margins from the table style (0.19 cm
    # in python-docx's template), not from the table, so the style gets the forms' 0.6 mm.
    grid = doc.styles["Table Grid"].element
    for side in grid.xpath("./w:tblPr/w:tblCellMar/w:left | ./w:tblPr/w:tblCellMar/w:right"):
        side.set(qn("w:w"), str(FORM_CELL_MARGIN_TWIPS))
    props = doc.core_properties
    props.title = f"Báo cáo {report.period.name}"
    props.subject = report_subject(report)
    props.author = _nfc(report.office.office_name) or report.narrative.office
    props.last_modified_by = props.comments = props.keywords = props.category = ""


def report_docx(report: OfficeReport, *, issued_on: date | None = None) -> bytes:
    """The report as DOCX bytes: letterhead, narrative, signer (portrait); the two forms (landscape)."""
    day = issued_on or date.today()
    doc = Document()
    _defaults(doc, report)
    _portrait(doc.sections[0])
    _letterhead(doc, report, day)
    _title(doc, report)
    _body(doc, introduction(report))
    for section in report.narrative.sections:
        _body(doc, section.title, HEADING)
        for text in section.paragraphs:
            _body(doc, text)
    _body(doc, attachments_line(), ITALIC_BODY)
    _closing(doc, report)
    _landscape(doc.add_section(WD_SECTION.NEW_PAGE))
    for n, (form, columns) in enumerate(FORMS):
        if n:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _form_heading(doc, report, form)
        _form_table(doc, report, columns)
        if form == XLD_FORM:
            _para(doc, XLD_NOTE, Style(10, italic=True), WD_ALIGN_PARAGRAPH.JUSTIFY, space_before=4)
        _form_signatures(doc, report, day)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def write_report_docx(report: OfficeReport, path: str | os.PathLike[str], *, issued_on: date | None = None) -> Path:
    """Build and save atomically; UserError (Vietnamese) when the file cannot be written."""
    return atomic_write(path, report_docx(report, issued_on=issued_on))
