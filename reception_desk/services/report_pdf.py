"""The office report and the Sổ tiếp công dân (Mẫu 03) as PDF, in the letters' fonts.

The report (``report_pdf`` / ``write_report_pdf``): A4 portrait pages laid out like the letters
(Decree 30/2020, domain notes §7: letterhead with the issuing body and the national motto,
"Số:      /BC-…" left for the registry, place and date, "BÁO CÁO" and its subject, the narrative
justified with a first-line indent, "Nơi nhận" and the signer), then one A4 landscape page per form
(Biểu 01/TCD, 01/XLD: unit top left, "Biểu số" top right, title, the data period, the table with
its merged multi-level headers from ``TCD_COLUMNS`` / ``XLD_COLUMNS``, the column numbers, the
period's row, the same period a year earlier and the change; "Người lập biểu" and the head of the
office under it). ReportLab's platypus lays the report out: it is a few pages.

The register (``register_pdf``): A4 landscape, the form's twelve columns ("Hướng xử lý" over 8–10)
repeated at the top of every page, page numbers; drawn straight on the canvas while the rows come
from ``services.register.register_page`` one page of the database at a time, so a year of a large
office is never held in memory.

Page numbers: centred in the top margin from page 2 on (§7.1). Fonts: ``services.fonts`` (Times
New Roman or the bundled metric twin), embedded as subsets by ReportLab.
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.colors import black
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import Engine

from reception_desk.domain.periods import format_day
from reception_desk.domain.report_forms import TCD_TITLE, XLD_TITLE, FormColumn
from reception_desk.services import letter_pdf as lp
from reception_desk.services.fonts import LetterFonts, letter_fonts
from reception_desk.services.register import (
    REGISTER_COLUMNS,
    REGISTER_FORM,
    REGISTER_TITLE,
    RegisterRow,
    register_page,
)
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
from reception_desk.services.settings import OfficeSettings, load_office_settings
from reception_desk.services.visibility import Viewer

MM = lp.MM
PORTRAIT = A4
LANDSCAPE = landscape(A4)
# Landscape pages (the forms, the register): the binding edge is the top, so the margins are narrower
# left and right than a portrait page's 30 mm, leaving the 29 columns of 01/TCD room.
LAND_LEFT, LAND_RIGHT, LAND_TOP, LAND_BOTTOM = 20 * MM, 15 * MM, 20 * MM, 15 * MM
LAND_WIDTH = LANDSCAPE[0] - LAND_LEFT - LAND_RIGHT

# Sizes in the forms' tables (pt): headers, figures; the lead column's width.
FORM_HEADER_SIZE = 7.0
FORM_FIGURE_SIZE = 9.0
FORM_MIN_FIGURE_SIZE = 5.5  # below this in small steps, only when nothing else fits
FORM_SMALLEST_FIGURE_SIZE = 3.0
FORM_LEAD_WIDTH = 28 * MM
FORM_MIN_COLUMN = 14.0  # pt; a column is also as wide as its longest header word
CELL_PAD = 1.5
# Baseline below the top of a line box, as a fraction of the size (as services.letter_pdf draws).
ASCENT = 0.9

# Register (Mẫu 03): column widths in mm (sum = LAND_WIDTH), cell and header sizes.
REGISTER_WIDTHS_MM = (10, 18, 33, 24, 37, 20, 22, 18, 18, 22, 22, 18)
REGISTER_SIZE = 9.0
REGISTER_HEADER_SIZE = 8.5
REGISTER_BATCH = 500  # rows read from the database at a time


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def _page_number(canvas: Canvas, page: int, pagesize: tuple[float, float]) -> None:
    """From page 2 on, centred in the top margin (NĐ 30/2020, domain notes §7.1)."""
    if page < 2:
        return
    style = lp.PAGE_NUMBER
    fonts = letter_fonts()
    canvas.saveState()
    canvas.setFillColor(black)
    canvas.setFont(fonts.name(style.bold, style.italic), style.size)
    width, height = pagesize
    canvas.drawCentredString(width / 2, height - (lp.TOP + style.size) / 2 - style.size * 0.35, str(page))
    canvas.restoreState()


# --- the report: paragraph styles ----------------------------------------------------------------


class _Styles:
    def __init__(self, fonts: LetterFonts) -> None:
        f = fonts

        def style(name: str, ts: lp.TextStyle, align: int = TA_CENTER, **kw: float) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=f.name(ts.bold, ts.italic), fontSize=ts.size, leading=ts.leading,
                                  alignment=align, **kw)

        self.title = style("title", lp.TITLE, spaceBefore=8)
        self.subject = style("subject", lp.SUBJECT)
        self.body = style("body", lp.BODY, TA_JUSTIFY, firstLineIndent=lp.FIRST_LINE_INDENT,
                          spaceAfter=lp.PARAGRAPH_SPACING)
        self.heading = style("heading", lp.TextStyle(14, bold=True, leading_factor=1.25), TA_JUSTIFY,
                             firstLineIndent=lp.FIRST_LINE_INDENT, spaceAfter=lp.PARAGRAPH_SPACING, spaceBefore=2)
        self.attachments = style("attachments", lp.TextStyle(14, italic=True, leading_factor=1.25), TA_JUSTIFY,
                                 firstLineIndent=lp.FIRST_LINE_INDENT, spaceAfter=lp.PARAGRAPH_SPACING)
        self.recipients_label = style("rl", lp.RECIPIENTS_LABEL, TA_LEFT)
        self.recipients = style("rc", lp.RECIPIENTS, TA_LEFT, leftIndent=stringWidth("- ", f.regular, 11),
                                firstLineIndent=-stringWidth("- ", f.regular, 11))
        self.signer = style("signer", lp.SIGNER)
        self.hint = style("hint", lp.TextStyle(12, italic=True))
        self.place_date = style("pd", lp.TextStyle(12, italic=True))
        self.sign_small = style("ss", lp.TextStyle(12, bold=True))
        self.form_unit = style("fu", lp.TextStyle(12))
        self.form_unit_bold = style("fub", lp.TextStyle(12, bold=True))
        self.form_no = style("fn", lp.TextStyle(12, bold=True), TA_CENTER)
        self.form_basis = style("fb", lp.TextStyle(10, italic=True), TA_CENTER)
        self.form_title = style("ft", lp.TextStyle(13, bold=True), spaceBefore=6)
        self.form_period = style("fp", lp.TextStyle(12, italic=True))
        self.form_note = style("fnote", lp.TextStyle(10, italic=True), TA_JUSTIFY, spaceBefore=4)
        self.header = style("th", lp.TextStyle(FORM_HEADER_SIZE, bold=True, leading_factor=1.15))
        self.number = style("tn", lp.TextStyle(FORM_HEADER_SIZE, italic=True, leading_factor=1.15))
        self.lead = style("tl", lp.TextStyle(8.5, leading_factor=1.15), TA_LEFT)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(_nfc(text)), style)


class _Rule(Flowable):
    """A short centred solid line (under a title and its subject)."""

    def __init__(self, length: float, space_before: float = 5, space_after: float = 10) -> None:
        super().__init__()
        self.length, self.before, self.after = length, space_before, space_after

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.avail = avail_width
        return avail_width, self.before + self.after

    def draw(self) -> None:
        self.canv.setLineWidth(0.6)
        x0 = (self.avail - self.length) / 2
        self.canv.line(x0, self.after, x0 + self.length, self.after)


class _Letterhead(Flowable):
    """The Decree 30 header of the letters (services.letter_pdf): issuing body | national motto,
    then number | place and date, with the same sizes, line fitting and short rules."""

    def __init__(self, office: OfficeSettings, issued_on: date, fonts: LetterFonts) -> None:
        super().__init__()
        self.breaker = lp.LineBreaker(fonts)
        self.office, self.issued_on = office, issued_on
        self.ops: list[tuple[str, tuple]] = []
        self.height = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.ops, self.height = self._layout(avail_width)
        return avail_width, self.height

    def _layout(self, width: float) -> tuple[list[tuple[str, tuple]], float]:
        b, ops = self.breaker, []
        left_w = lp.HEADER_LEFT_WIDTH
        right_w = width - left_w

        def centred(x: float, col_w: float, y: float, text: str, style: lp.TextStyle) -> float:
            w = b.width(text, style)
            ops.append(("text", (x + (col_w - w) / 2, y, text, style)))
            return w

        y_left = 0.0
        superior = _nfc(self.office.superior_body).upper()
        if superior:
            lines, style = b.fit(superior, (lp.SUPERIOR, lp.SUPERIOR_SMALL), left_w)
            for line in lines:
                centred(0, left_w, y_left, line, style)
                y_left += style.leading
        widest = 0.0
        office = _nfc(self.office.office_name).upper()
        if office:
            lines, style = b.fit(office, (lp.OFFICE, lp.OFFICE_SMALL), left_w)
            for line in lines:
                widest = max(widest, centred(0, left_w, y_left, line, style))
                y_left += style.leading
        y_left += 1.5
        if widest:
            rule_w = min(max(widest / 3, 20 * MM), widest / 2)
            ops.append(("rule", (left_w / 2 - rule_w / 2, left_w / 2 + rule_w / 2, y_left)))
        y_left += 6
        y_right = 0.0
        motto1 = lp.MOTTO_1 if b.width(lp.NATIONAL_TITLE_TEXT, lp.MOTTO_1) <= right_w else lp.MOTTO_1_SMALL
        centred(left_w, right_w, y_right, lp.NATIONAL_TITLE_TEXT, motto1)
        y_right += motto1.leading
        motto_w = centred(left_w, right_w, y_right, lp.MOTTO_TEXT, lp.MOTTO_2)
        y_right += lp.MOTTO_2.leading + 1.5
        centre = left_w + right_w / 2
        ops.append(("rule", (centre - motto_w / 2, centre + motto_w / 2, y_right)))
        y_right += 6
        row = max(y_left, y_right) + 2
        centred(0, left_w, row, number_line(self.office), lp.NUMBER)
        y_left = row + lp.NUMBER.leading
        y_right = row - ASCENT * (lp.PLACE_DATE.size - lp.NUMBER.size)
        for line in b.wrap(place_date_line(self.office, self.issued_on), lp.PLACE_DATE, right_w):
            centred(left_w, right_w, y_right, line, lp.PLACE_DATE)
            y_right += lp.PLACE_DATE.leading
        return ops, max(y_left, y_right) + 6

    def draw(self) -> None:
        c = self.canv
        c.setLineWidth(0.6)
        for op, args in self.ops:
            if op == "text":
                x, y, text, style = args
                c.setFont(self.breaker.font(style), style.size)
                c.drawString(x, self.height - (y + ASCENT * style.size), text)
            else:
                x0, x1, y = args
                c.line(x0, self.height - y, x1, self.height - y)


# --- the report: forms --------------------------------------------------------------------------


def _form_rows(report: OfficeReport, columns: Sequence[FormColumn]) -> list[list[str]]:
    """The three rows of figures (this period, the year before, the change) as printed strings."""
    current = [report.column_value(c) for c in columns]
    previous = [report.column_value(c, previous=True) for c in columns]
    labels = row_labels(report)
    return [[labels[0], *map(table_number, current)], [labels[1], *map(table_number, previous)],
            [labels[2], *(signed_number(a - b) for a, b in zip(current, previous, strict=True))]]


def _figure_widths(rows: list[list[str]], columns: Sequence[FormColumn], avail: float,
                   fonts: LetterFonts) -> tuple[list[float], float]:
    """Widths of the figure columns filling ``avail`` and the figures' font size.

    A column is as wide as its longest header word (a word is never cut: "nhiều", "người") and its
    widest figure; the figures' size shrinks (to 3 pt at the very least) when a very large office's
    numbers would not fit at the usual size.
    """
    n = len(columns)
    words = [FORM_MIN_COLUMN] * n
    for cell in header_cells(columns):
        if cell.cols == 1:
            longest = max(stringWidth(w, fonts.bold, FORM_HEADER_SIZE) for w in cell.text.split())
            words[cell.col] = max(words[cell.col], longest + 2 * CELL_PAD + 0.5)
    size = FORM_FIGURE_SIZE
    while True:
        need = [max(words[i], max(stringWidth(r[i + 1], fonts.regular, size) for r in rows) + 2 * CELL_PAD + 1)
                for i in range(n)]
        total = sum(need)
        if total <= avail or size <= FORM_SMALLEST_FIGURE_SIZE:
            extra = max(0.0, avail - total) / n
            return [w + extra for w in need], size
        size -= 0.5 if size > FORM_MIN_FIGURE_SIZE else 0.25


def _form_table(report: OfficeReport, columns: Sequence[FormColumn], styles: _Styles, fonts: LetterFonts,
                width: float) -> Table:
    depth = header_depth(columns)
    rows = _form_rows(report, columns)
    figures, size = _figure_widths(rows, columns, width - FORM_LEAD_WIDTH, fonts)
    figure_style = ParagraphStyle("tf", fontName=fonts.regular, fontSize=size, leading=size * 1.2, alignment=TA_CENTER)
    grid: list[list[object]] = [["" for _ in range(len(columns) + 1)] for _ in range(depth + 1 + len(rows))]
    commands: list[tuple] = []
    grid[0][0] = _p(LEAD_HEADER, styles.header)
    commands.append(("SPAN", (0, 0), (0, depth - 1)))
    for cell in header_cells(columns):
        grid[cell.row][cell.col + 1] = _p(cell.text, styles.header)
        if cell.rows > 1 or cell.cols > 1:
            commands.append(("SPAN", (cell.col + 1, cell.row), (cell.col + cell.cols, cell.row + cell.rows - 1)))
    grid[depth][0] = _p(LEAD_NUMBER, styles.number)
    for i, column in enumerate(columns):
        grid[depth][i + 1] = _p(str(column.number), styles.number)
    for r, row in enumerate(rows):
        grid[depth + 1 + r][0] = _p(row[0], styles.lead)
        for i, text in enumerate(row[1:]):
            grid[depth + 1 + r][i + 1] = Paragraph(escape(text), figure_style)
    table = Table(grid, colWidths=[FORM_LEAD_WIDTH, *figures], repeatRows=depth + 1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        *commands,
    ]))
    return table


def _form_heading(report: OfficeReport, form: str, styles: _Styles, width: float) -> list[Flowable]:
    office = report.office
    unit = [_p(office.superior_body.upper(), styles.form_unit)] if office.superior_body.strip() else []
    unit.append(_p(office.office_name.upper() or report.narrative.office, styles.form_unit_bold))
    mark = [_p(f"Biểu số: {form}", styles.form_no), _p(FORM_BASIS, styles.form_basis)]
    head = Table([[unit, mark]], colWidths=[width * 0.45, width * 0.55 - 0 * MM])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    head.hAlign = "LEFT"
    title = TCD_TITLE if form == TCD_FORM else XLD_TITLE
    return [head, _p(title, styles.form_title),
            _p(f"Kỳ báo cáo: {report.period.label}", styles.form_period),
            _p(f"({period_dates(report.period)})", styles.form_period), Spacer(1, 6)]


def _form_signatures(report: OfficeReport, styles: _Styles, width: float, issued_on: date) -> Table:
    signer = signer_lines(report.office)
    left = [_p(MAKER, styles.sign_small), _p(MAKER_HINT, styles.hint)]
    right = [_p(place_date_line(report.office, issued_on), styles.place_date)]
    right += [_p(line, styles.sign_small) for line in (signer.authority, signer.position) if line]
    right.append(_p(HEAD_HINT, styles.hint))
    right.append(Spacer(1, 18 * MM))
    if signer.name:
        right.append(_p(signer.name, styles.sign_small))
    table = Table([[left, right]], colWidths=[width / 2, width / 2])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 10)]))
    return table


def _closing(report: OfficeReport, styles: _Styles) -> Flowable:
    signer = signer_lines(report.office)
    left = [_p("Nơi nhận:", styles.recipients_label), *(_p(line, styles.recipients) for line in recipients(report.office))]
    right = [_p(line, styles.signer) for line in (signer.authority, signer.position) if line]
    right.append(Spacer(1, lp.SIGNATURE_SPACE))
    if signer.name:
        right.append(_p(signer.name, styles.signer))
    table = Table([[left, right]], colWidths=[lp.FOOTER_LEFT_WIDTH, lp.FOOTER_RIGHT_WIDTH])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 4)]))
    return table


def _story(report: OfficeReport, fonts: LetterFonts, issued_on: date) -> list[Flowable]:
    styles = _Styles(fonts)
    breaker = lp.LineBreaker(fonts)
    subject = report_subject(report)
    subject_w = min(breaker.width(subject, lp.SUBJECT), lp.WIDTH)
    story: list[Flowable] = [
        _Letterhead(report.office, issued_on, fonts),
        _p(REPORT_TITLE, styles.title),
        _p(subject, styles.subject),
        _Rule(min(max(subject_w / 3, 20 * MM), subject_w)),
        _p(introduction(report), styles.body),
    ]
    for section in report.narrative.sections:
        story.append(_p(section.title, styles.heading))
        story.extend(_p(text, styles.body) for text in section.paragraphs)
    story.append(_p(attachments_line(), styles.attachments))
    story.append(KeepTogether([Spacer(1, 4), _closing(report, styles)]))
    for form, columns in FORMS:
        story += [NextPageTemplate("landscape"), PageBreak()]
        story += _form_heading(report, form, styles, LAND_WIDTH)
        story.append(_form_table(report, columns, styles, fonts, LAND_WIDTH))
        if form == XLD_FORM:
            story.append(_p(XLD_NOTE, styles.form_note))
        story.append(KeepTogether([_form_signatures(report, styles, LAND_WIDTH, issued_on)]))
    return story


def report_pdf(report: OfficeReport, *, issued_on: date | None = None) -> bytes:
    """The report as PDF bytes: letterhead and narrative (portrait), then Biểu 01/TCD and 01/XLD
    (landscape). ``issued_on``: the month and year printed after the place name (default today)."""
    fonts = letter_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=PORTRAIT, title=f"Báo cáo {report.period.name}",
                          author=_nfc(report.office.office_name) or report.narrative.office,
                          subject=report_subject(report), creator="Bàn tiếp công dân", pageCompression=1)
    portrait_frame = Frame(lp.LEFT, lp.MARGIN_BOTTOM_MM * MM, lp.WIDTH,
                           PORTRAIT[1] - lp.TOP - lp.MARGIN_BOTTOM_MM * MM, 0, 0, 0, 0, id="portrait")
    landscape_frame = Frame(LAND_LEFT, LAND_BOTTOM, LAND_WIDTH, LANDSCAPE[1] - LAND_TOP - LAND_BOTTOM,
                            0, 0, 0, 0, id="landscape")
    doc.addPageTemplates([
        PageTemplate("portrait", [portrait_frame], pagesize=PORTRAIT,
                     onPage=lambda c, d: _page_number(c, d.page, PORTRAIT)),
        PageTemplate("landscape", [landscape_frame], pagesize=LANDSCAPE,
                     onPage=lambda c, d: _page_number(c, d.page, LANDSCAPE)),
    ])
    doc.build(_story(report, fonts, issued_on or date.today()))
    return buffer.getvalue()


def write_report_pdf(report: OfficeReport, path: str | os.PathLike[str], *, issued_on: date | None = None) -> Path:
    """Render and save atomically; UserError (Vietnamese) when the file cannot be written."""
    return atomic_write(path, report_pdf(report, issued_on=issued_on))


# --- the register (Mẫu 03) -----------------------------------------------------------------------


class _Measure:
    """Line breaking for many short cells: word widths cached (a register repeats its words)."""

    def __init__(self, font: str, size: float) -> None:
        self.font, self.size = font, size
        self.cache: dict[str, float] = {}
        self.space = stringWidth(" ", font, size)

    def width(self, word: str) -> float:
        w = self.cache.get(word)
        if w is None:
            w = self.cache[word] = stringWidth(word, self.font, self.size)
        return w

    def wrap(self, text: str, width: float) -> list[str]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            current: list[str] = []
            used = 0.0
            for word in paragraph.split():
                w = self.width(word)
                while w > width:  # a word longer than the column is cut between letters
                    if current:
                        lines.append(" ".join(current))
                        current, used = [], 0.0
                    cut = len(word) - 1
                    while cut > 1 and stringWidth(word[:cut], self.font, self.size) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    w = self.width(word)
                if current and used + self.space + w > width:
                    lines.append(" ".join(current))
                    current, used = [word], w
                else:
                    used = used + self.space + w if current else w
                    current.append(word)
            if current:
                lines.append(" ".join(current))
        return lines


class _RegisterWriter:
    """Draws the register row by row; a new page repeats the column headers."""

    PAD = 2.0

    def __init__(self, canvas: Canvas, fonts: LetterFonts, office: OfficeSettings, start: date, end: date) -> None:
        self.c, self.fonts, self.office, self.start, self.end = canvas, fonts, office, start, end
        self.widths = [w * MM for w in REGISTER_WIDTHS_MM]
        scale = LAND_WIDTH / sum(self.widths)
        self.widths = [w * scale for w in self.widths]
        self.xs = [LAND_LEFT + sum(self.widths[:i]) for i in range(len(self.widths) + 1)]
        self.cell = _Measure(fonts.regular, REGISTER_SIZE)
        self.head = _Measure(fonts.bold, REGISTER_HEADER_SIZE)
        self.leading = REGISTER_SIZE * 1.2
        self.page = 0
        self.rows = 0
        self.y = 0.0  # distance from the top edge of the page
        self.body_top = 0.0  # where this page's rows begin, under the column headers

    # drawing helpers in top-down coordinates
    def text(self, x: float, top: float, text: str, font: str, size: float) -> None:
        self.c.setFont(font, size)
        self.c.drawString(x, LANDSCAPE[1] - top - ASCENT * size, text)

    def centred(self, x0: float, x1: float, top: float, text: str, font: str, size: float) -> None:
        self.c.setFont(font, size)
        self.c.drawCentredString((x0 + x1) / 2, LANDSCAPE[1] - top - ASCENT * size, text)

    def line(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.c.line(x0, LANDSCAPE[1] - y0, x1, LANDSCAPE[1] - y1)

    def new_page(self) -> None:
        if self.page:
            self.c.showPage()
        self.c.setPageSize(LANDSCAPE)
        self.page += 1
        self.c.setLineWidth(0.5)
        _page_number(self.c, self.page, LANDSCAPE)
        self.y = LAND_TOP
        if self.page == 1:
            self.title_block()
        self.header()
        self.body_top = self.y

    def title_block(self) -> None:
        f = self.fonts
        half = LAND_WIDTH * 0.42
        y = self.y
        if self.office.superior_body.strip():
            self.centred(LAND_LEFT, LAND_LEFT + half, y, _nfc(self.office.superior_body).upper(), f.regular, 12)
            y += 14.4
        name = _nfc(self.office.office_name).upper()
        if name:
            self.centred(LAND_LEFT, LAND_LEFT + half, y, name, f.bold, 12)
            y += 14.4
        right = LAND_LEFT + LAND_WIDTH
        self.centred(right - half, right, self.y, REGISTER_FORM, f.italic, 11)
        y = max(y, self.y + 14) + 10
        self.centred(LAND_LEFT, right, y, REGISTER_TITLE, f.bold, 16)
        y += 20
        self.centred(LAND_LEFT, right, y, f"Từ ngày {format_day(self.start)} đến ngày {format_day(self.end)}",
                     f.italic, 12)
        self.y = y + 22

    def header(self) -> None:
        columns = [FormColumn(n, headers, ()) for n, headers in REGISTER_COLUMNS]
        depth = header_depth(columns)
        cells = header_cells(columns)
        lead = REGISTER_HEADER_SIZE * 1.15
        lines = {(c.row, c.col): self.head.wrap(c.text, self._span(c.col, c.cols) - 2 * self.PAD) for c in cells}
        # each header level as tall as its tallest single-level cell
        heights = [0.0] * depth
        for c in cells:
            if c.rows == 1:
                heights[c.row] = max(heights[c.row], len(lines[(c.row, c.col)]) * lead + 2 * self.PAD)
        for c in cells:  # a cell running down several levels must fit too
            need = len(lines[(c.row, c.col)]) * lead + 2 * self.PAD
            have = sum(heights[c.row:c.row + c.rows])
            if need > have:
                heights[c.row + c.rows - 1] += need - have
        top = self.y
        tops = [top + sum(heights[:i]) for i in range(depth + 1)]
        for c in cells:
            x0, x1 = self.xs[c.col], self.xs[c.col + c.cols]
            y0, y1 = tops[c.row], tops[c.row + c.rows]
            text_lines = lines[(c.row, c.col)]
            ty = y0 + (y1 - y0 - len(text_lines) * lead) / 2
            for t in text_lines:
                self.centred(x0, x1, ty, t, self.fonts.bold, REGISTER_HEADER_SIZE)
                ty += lead
            self.box(x0, y0, x1, y1)
        y = tops[-1]
        number_h = REGISTER_HEADER_SIZE * 1.2 + 2 * self.PAD
        for i, (n, _) in enumerate(REGISTER_COLUMNS):
            self.centred(self.xs[i], self.xs[i + 1], y + self.PAD, f"({n})", self.fonts.italic, REGISTER_HEADER_SIZE)
            self.box(self.xs[i], y, self.xs[i + 1], y + number_h)
        self.y = y + number_h

    def _span(self, col: int, cols: int) -> float:
        return self.xs[col + cols] - self.xs[col]

    def box(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.c.rect(x0, LANDSCAPE[1] - y1, x1 - x0, y1 - y0)

    def bottom(self) -> float:
        return LANDSCAPE[1] - LAND_BOTTOM

    def row(self, cells: Sequence[str]) -> None:
        wrapped = [self.cell.wrap(_nfc(text), self.widths[i] - 2 * self.PAD) for i, text in enumerate(cells)]
        if self.page == 0:
            self.new_page()
        # A row starts on a new page when it does not fit in what is left of this one; only a row
        # taller than a whole page is split, going on in the next page's first row.
        while wrapped:
            room = int((self.bottom() - self.y - 2 * self.PAD) // self.leading)
            tallest = max(len(lines) for lines in wrapped) or 1
            if room < tallest and (self.y > self.body_top or room < 1):
                self.new_page()
                continue
            take = min(tallest, room)
            height = take * self.leading + 2 * self.PAD
            for i, lines in enumerate(wrapped):
                ty = self.y + self.PAD
                for t in lines[:take]:
                    self.text(self.xs[i] + self.PAD, ty, t, self.fonts.regular, REGISTER_SIZE)
                    ty += self.leading
                self.box(self.xs[i], self.y, self.xs[i + 1], self.y + height)
            self.y += height
            wrapped = [lines[take:] for lines in wrapped] if tallest > take else []

    def finish(self) -> None:
        if self.page == 0:
            self.new_page()
        if self.rows == 0:
            self.row(["", "", "Không có lượt tiếp công dân nào trong khoảng ngày này.", *[""] * 9])
        total = f"Tổng số: {table_number(self.rows)} lượt tiếp công dân."
        if self.y + 20 > self.bottom():
            self.new_page()
        self.text(LAND_LEFT, self.y + 6, total, self.fonts.italic, 11)


def _register_rows(engine: Engine, start: date, end: date, viewer: Viewer | None) -> Iterator[RegisterRow]:
    page = register_page(engine, start, end, limit=REGISTER_BATCH, viewer=viewer)
    while True:
        yield from page.rows
        if page.next is None:
            return
        page = register_page(engine, start, end, after=page.next, limit=REGISTER_BATCH, viewer=viewer)


def register_pdf(source: Engine | Iterable[RegisterRow], start: date, end: date,
                 path: str | os.PathLike[str], *, office: OfficeSettings | None = None,
                 viewer: Viewer | None = None) -> int:
    """Write the Sổ tiếp công dân of [start, end] to ``path``; returns the number of rows.

    ``source``: an Engine (rows read page by page with ``register_page``, denouncers hidden unless
    ``viewer`` may see them; the office's name from the saved settings unless ``office`` is given)
    or rows already read. The file is written atomically.
    """
    if isinstance(source, Engine):
        office = office if office is not None else load_office_settings(source)
        rows: Iterable[RegisterRow] = _register_rows(source, start, end, viewer)
    else:
        rows = source
    office = office or OfficeSettings()
    fonts = letter_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LANDSCAPE, pageCompression=1)
    canvas.setTitle(f"{REGISTER_TITLE.capitalize()} {format_day(start)} – {format_day(end)}")
    if office.office_name:
        canvas.setAuthor(_nfc(office.office_name))
    canvas.setCreator("Bàn tiếp công dân")
    writer = _RegisterWriter(canvas, fonts, office, start, end)
    for row in rows:
        writer.row(row.cells())
        writer.rows += 1
    writer.finish()
    canvas.showPage()
    canvas.save()
    atomic_write(path, buffer.getvalue())
    return writer.rows
