"""Letters as DOCX (python-docx), for offices that edit the wording before signing.

Same structure as the PDF (Decree 30/2020, domain notes §7): A4 with the same margins, a
borderless two-column header table (issuing body | national motto; number | place and date), the
title with its short line, "Kính gửi", a justified body with a first-line indent, and a borderless
table with "Nơi nhận" and the signer. Each letter is its own section starting on a new page, with
page numbers restarting at 1 and shown from page 2 on. Fonts are named "Times New Roman": Word
uses it, LibreOffice substitutes its metric twin.

The short solid lines under the agency name, the motto and the title are paragraph borders on an
empty paragraph indented to the line's length, so they stay lines (not underscores) when edited.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from reportlab.pdfbase.pdfmetrics import stringWidth

from reception_desk.domain.letters import KIND_LABELS, LetterContent
from reception_desk.services import letter_pdf as pdf
from reception_desk.services.errors import UserError
from reception_desk.services.fonts import DOCX_FONT, letter_fonts

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
HEADER_LEFT_MM = 68.0
FOOTER_LEFT_MM = 80.0
_CONTENT_MM = PAGE_WIDTH_MM - pdf.MARGIN_LEFT_MM - pdf.MARGIN_RIGHT_MM
_VOID_RED = RGBColor(0xC0, 0x10, 0x10)

_Style = pdf.TextStyle


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def _text_width_pt(text: str, style: _Style) -> float:
    """Width in points with the PDF's font (Times New Roman metrics, or its metric twin)."""
    return stringWidth(text, letter_fonts().name(style.bold, style.italic), style.size)


def _set_run_font(run, style: _Style) -> None:
    run.font.name = DOCX_FONT
    run.font.size = Pt(style.size)
    run.font.bold = style.bold
    run.font.italic = style.italic
    # Also for the complex-script and East Asian slots, so no theme font leaks in.
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), DOCX_FONT)
    fonts.set(qn("w:eastAsia"), DOCX_FONT)


def _paragraph(container, text: str, style: _Style, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
               space_after: float = 0.0) -> Paragraph:
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    if text:
        _set_run_font(p.add_run(text), style)
    return p


def _border(p: Paragraph, sides: tuple[str, ...], size_eighths: int = 6) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(size_eighths))
        el.set(qn("w:space"), "1")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    ppr.append(borders)


def _rule(container, column_mm: float, length_pt: float) -> Paragraph:
    """A short centred solid line: the bottom border of a thin empty paragraph indented to length."""
    p = container.add_paragraph()
    fmt = p.paragraph_format
    side = max(0.0, (column_mm * 72 / 25.4 - length_pt) / 2)
    fmt.left_indent = Pt(side)
    fmt.right_indent = Pt(side)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(4)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(2)
    _border(p, ("bottom",))
    return p


def _cell(table, row: int, col: int, width_mm: float) -> _Cell:
    cell = table.cell(row, col)
    cell.width = Mm(width_mm)
    # A new cell holds one empty paragraph; remove it so the cell starts with our text.
    for p in list(cell.paragraphs):
        p._p.getparent().remove(p._p)
    return cell


def _borderless_table(doc: DocxDocument, rows: int, left_mm: float):
    table = doc.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    # Clear borders explicitly: the document's table style could otherwise draw a grid.
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)
    # No cell padding and a fixed layout: the columns are exactly as wide as the PDF's, so the
    # motto and the agency name break (or not) in the same places.
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    widths = (left_mm, _CONTENT_MM - left_mm)
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Mm(width)
    return table, widths


def _lines(container, lines: list[str], style: _Style) -> Paragraph:
    """A centred paragraph with the lines the PDF breaks at (explicit line breaks)."""
    p = _paragraph(container, "", style)
    for i, line in enumerate(lines):
        if i:
            brk = p.add_run()
            _set_run_font(brk, style)  # the break's line takes the text's height
            brk.add_break()
        _set_run_font(p.add_run(line), style)
    return p


def _header(doc: DocxDocument, content: LetterContent) -> None:
    head = content.letterhead
    breaker = pdf.LineBreaker(letter_fonts())
    table, (lw, rw) = _borderless_table(doc, 2, HEADER_LEFT_MM)
    left_pt, right_pt = lw * pdf.MM, rw * pdf.MM
    left = _cell(table, 0, 0, lw)
    superior = _nfc(head.superior_body).upper()
    if superior:
        _lines(left, *breaker.fit(superior, (pdf.SUPERIOR, pdf.SUPERIOR_SMALL), left_pt))
    lines, style = breaker.fit(_nfc(head.office_name).upper(), (pdf.OFFICE, pdf.OFFICE_SMALL), left_pt)
    _lines(left, lines, style)
    office_w = max(breaker.width(line, style) for line in lines)
    _rule(left, lw, min(max(office_w / 3, 20 * pdf.MM), office_w / 2))

    right = _cell(table, 0, 1, rw)
    _lines(right, *breaker.fit(pdf.NATIONAL_TITLE_TEXT, (pdf.MOTTO_1, pdf.MOTTO_1_SMALL), right_pt))
    _paragraph(right, pdf.MOTTO_TEXT, pdf.MOTTO_2)
    _rule(right, rw, breaker.width(pdf.MOTTO_TEXT, pdf.MOTTO_2))

    left = _cell(table, 1, 0, lw)
    _paragraph(left, _nfc(content.number_line), pdf.NUMBER)
    if content.title is None and content.subject:
        _lines(left, breaker.wrap_balanced(_nfc(content.subject), pdf.SUBJECT_CV, left_pt - 4 * pdf.MM),
               pdf.SUBJECT_CV)
    if content.security_mark:
        mark = _nfc(content.security_mark).upper()
        p = _paragraph(left, mark, pdf.SECURITY)
        side = max(0.0, (left_pt - breaker.width(mark, pdf.SECURITY)) / 2 - 12)
        p.paragraph_format.left_indent = Pt(side)
        p.paragraph_format.right_indent = Pt(side)
        p.paragraph_format.space_before = Pt(6)
        _border(p, ("top", "left", "bottom", "right"), size_eighths=8)
    right = _cell(table, 1, 1, rw)
    _paragraph(right, _nfc(content.place_date), pdf.PLACE_DATE)


def _title(doc: DocxDocument, content: LetterContent) -> None:
    if content.title is None:
        _paragraph(doc, "", pdf.BODY)
        return
    title = _nfc(content.title).upper()
    p = _paragraph(doc, title, pdf.TITLE)
    p.paragraph_format.space_before = Pt(12)
    widest = _text_width_pt(title, pdf.TITLE)
    if content.subject:
        subject = _nfc(content.subject)
        _paragraph(doc, subject, pdf.SUBJECT)
        widest = min(_text_width_pt(subject, pdf.SUBJECT), _CONTENT_MM * pdf.MM)
    _rule(doc, _CONTENT_MM, min(max(widest / 3, 20 * pdf.MM), widest))


def _salutation(doc: DocxDocument, content: LetterContent) -> None:
    lines = [_nfc(line) for line in content.salutation if _nfc(line)]
    if not lines:
        return
    style = pdf.SALUTATION
    if len(lines) == 1:
        p = _paragraph(doc, f"{pdf.SALUTATION_TEXT} {lines[0]}", style, space_after=pdf.PARAGRAPH_SPACING)
        p.paragraph_format.space_before = Pt(6)
        return
    label_w = _text_width_pt(pdf.SALUTATION_TEXT + " ", style)
    longest = max(_text_width_pt(line, style) for line in lines)
    indent = max(pdf.FIRST_LINE_INDENT, (_CONTENT_MM * pdf.MM - label_w - longest) / 2)
    p = _paragraph(doc, pdf.SALUTATION_TEXT, style, WD_ALIGN_PARAGRAPH.LEFT)
    p.paragraph_format.left_indent = Pt(indent)
    p.paragraph_format.space_before = Pt(6)
    dash_w = _text_width_pt("- ", style)
    for i, line in enumerate(lines):
        p = _paragraph(doc, line, style, WD_ALIGN_PARAGRAPH.LEFT,
                       space_after=pdf.PARAGRAPH_SPACING if i == len(lines) - 1 else 0)
        # Hanging indent: a wrapped recipient continues under the text after "- ".
        p.paragraph_format.left_indent = Pt(indent + label_w + dash_w)
        p.paragraph_format.first_line_indent = Pt(-dash_w)


def _body(doc: DocxDocument, content: LetterContent) -> None:
    for paragraph in content.paragraphs:
        text = _nfc(paragraph)
        if not text:
            continue
        p = _paragraph(doc, text, pdf.BODY, WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=pdf.PARAGRAPH_SPACING)
        fmt = p.paragraph_format
        fmt.first_line_indent = Pt(pdf.FIRST_LINE_INDENT)
        fmt.line_spacing = 1.1  # Word's "single" is already ~1.15 em for Times New Roman


def _closing(doc: DocxDocument, content: LetterContent) -> None:
    table, (lw, rw) = _borderless_table(doc, 1, FOOTER_LEFT_MM)
    # Keep the signature block on one page with its recipients.
    row_pr = table.rows[0]._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    row_pr.append(cant_split)
    left = _cell(table, 0, 0, lw)
    p = _paragraph(left, pdf.RECIPIENTS_TEXT, pdf.RECIPIENTS_LABEL, WD_ALIGN_PARAGRAPH.LEFT)
    p.paragraph_format.space_before = Pt(6)
    dash_w = _text_width_pt("- ", pdf.RECIPIENTS)
    for line in content.recipients:
        text = _nfc(line)
        if text:
            p = _paragraph(left, text, pdf.RECIPIENTS, WD_ALIGN_PARAGRAPH.LEFT)
            if text.startswith("-"):
                p.paragraph_format.left_indent = Pt(dash_w)
                p.paragraph_format.first_line_indent = Pt(-dash_w)
    right = _cell(table, 0, 1, rw)
    first = True
    for value in (content.signer.authority, content.signer.position):
        text = _nfc(value).upper()
        if text:
            p = _paragraph(right, text, pdf.SIGNER)
            if first:
                p.paragraph_format.space_before = Pt(6)
                first = False
    name = _nfc(content.signer.name)
    if name:
        p = _paragraph(right, name, pdf.SIGNER)
        # Room for the signature and the seal.
        p.paragraph_format.space_before = Pt(pdf.SIGNATURE_SPACE)


def _page_number_field(p: Paragraph) -> None:
    run = p.add_run()
    _set_run_font(run, pdf.PAGE_NUMBER)
    append_page_number(run)


def append_page_number(run: Run) -> None:
    """A PAGE field in ``run`` (Word fills in the page number; "2" until it does)."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


# Elements that come after w:pgNumType in a w:sectPr (the schema fixes the order; Word is strict).
_AFTER_PGNUMTYPE = ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
                    "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")


def _restart_page_numbers(sect_pr) -> None:
    pg = sect_pr.find(qn("w:pgNumType"))  # a new section's sectPr is a copy of the previous one
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        following = [el for tag in _AFTER_PGNUMTYPE for el in sect_pr.findall(qn(tag))]
        if following:
            min(following, key=lambda el: list(sect_pr).index(el)).addprevious(pg)
        else:
            sect_pr.append(pg)
    pg.set(qn("w:start"), "1")


def _setup_section(section, void: bool) -> None:
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(pdf.MARGIN_TOP_MM)
    section.bottom_margin = Mm(pdf.MARGIN_BOTTOM_MM)
    section.left_margin = Mm(pdf.MARGIN_LEFT_MM)
    section.right_margin = Mm(pdf.MARGIN_RIGHT_MM)
    section.header_distance = Mm(8)
    section.footer_distance = Mm(8)
    # Page numbers restart with each letter and are not shown on its first page (§7.1).
    section.different_first_page_header_footer = True
    _restart_page_numbers(section._sectPr)
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(p)
    first = section.first_page_header
    first.is_linked_to_previous = False
    for part in (header, first) if void else ():
        # A cancelled letter says so on every page (the PDF draws a diagonal mark).
        mark = part.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = mark.add_run(pdf.VOID_TEXT)
        _set_run_font(run, _Style(20, bold=True))
        run.font.color.rgb = _VOID_RED


def _document_defaults(doc: DocxDocument, contents: list[LetterContent]) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(pdf.BODY.size)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), DOCX_FONT)
    fonts.set(qn("w:eastAsia"), DOCX_FONT)
    normal.paragraph_format.space_after = Pt(0)
    props = doc.core_properties
    if len(contents) == 1:
        props.title = _nfc(contents[0].title or contents[0].subject or KIND_LABELS[contents[0].kind])
    else:
        kinds = {c.kind for c in contents}
        label = KIND_LABELS[next(iter(kinds))] if len(kinds) == 1 else "Văn bản"
        props.title = f"{label} ({len(contents)} văn bản)"
    offices = {_nfc(c.letterhead.office_name) for c in contents}
    # Only the office: never the petitioner or a denouncer; clear the template's defaults.
    props.author = next(iter(offices)) if len(offices) == 1 else ""
    props.last_modified_by = ""
    props.subject = ", ".join(sorted({KIND_LABELS[c.kind] for c in contents}))
    props.comments = ""
    props.keywords = ""
    props.category = ""


def letters_docx(contents: Iterable[LetterContent]) -> bytes:
    """All letters in one DOCX, each in its own section starting on a new page."""
    items = list(contents)
    if not items:
        raise UserError("Không có văn bản nào để xuất.")
    doc = Document()
    _document_defaults(doc, items)
    for i, content in enumerate(items):
        section = doc.sections[0] if i == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        _setup_section(section, content.void)
        _header(doc, content)
        _title(doc, content)
        _salutation(doc, content)
        _body(doc, content)
        _closing(doc, content)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def letter_docx(content: LetterContent) -> bytes:
    """One letter as a DOCX."""
    return letters_docx([content])
