"""Letters as PDF, laid out per Decree 30/2020 (domain notes §7.1, §7.3, §7.5).

The writer draws on the ReportLab canvas with its own small line breaker instead of platypus:
a letter is a fixed set of blocks (header table, title, "Kính gửi", body, "Nơi nhận" and signer),
and drawing them directly keeps one letter in a few milliseconds and a batch of 1,000 letters
well inside the 15 s the desk promises.

Geometry is kept top-down (``y`` = distance from the top edge of the paper, in points) and turned
into ReportLab's bottom-up coordinates only when drawing. Every string is NFC-normalised here
again: NFD combining marks would be drawn as separate glyphs beside their letters.
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from reception_desk.domain.letters import KIND_LABELS, LetterContent
from reception_desk.services.errors import Cancelled, UserError
from reception_desk.services.files import atomic_write
from reception_desk.services.fonts import LetterFonts, letter_fonts

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = A4

# Margins (Decree 30/2020: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm).
MARGIN_TOP_MM = 20.0
MARGIN_BOTTOM_MM = 20.0
MARGIN_LEFT_MM = 30.0
MARGIN_RIGHT_MM = 15.0

LEFT = MARGIN_LEFT_MM * MM
RIGHT = PAGE_WIDTH - MARGIN_RIGHT_MM * MM
TOP = MARGIN_TOP_MM * MM
BOTTOM = PAGE_HEIGHT - MARGIN_BOTTOM_MM * MM  # lowest y (from the top) any text may reach
WIDTH = RIGHT - LEFT

# Header table: the issuing body on the left, the national motto on the right (§7.5).
HEADER_LEFT_WIDTH = 68 * MM
HEADER_RIGHT_WIDTH = WIDTH - HEADER_LEFT_WIDTH
# Bottom table: "Nơi nhận" on the left, the signer on the right.
FOOTER_LEFT_WIDTH = 80 * MM
FOOTER_RIGHT_WIDTH = WIDTH - FOOTER_LEFT_WIDTH

FIRST_LINE_INDENT = 1.27 * 10 * MM
PARAGRAPH_SPACING = 6.0
SIGNATURE_SPACE = 26 * MM  # room for the signature and the seal between position and name

# Baseline below the top of a line box, as a fraction of the font size. With a descent of about
# 0.22 em, glyphs stay inside a line box of 1.2 em.
_ASCENT = 0.9
NATIONAL_TITLE_TEXT = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_TEXT = "Độc lập - Tự do - Hạnh phúc"
SALUTATION_TEXT = "Kính gửi:"
RECIPIENTS_TEXT = "Nơi nhận:"
VOID_TEXT = "ĐÃ HỦY"
# Administrative units: a two-line agency name breaks before one of these ("ỦY BAN NHÂN DÂN" /
# "TỈNH HÀ TĨNH"), as letterheads are set by hand.
_UNIT_WORDS = frozenset({"TỈNH", "THÀNH", "HUYỆN", "QUẬN", "THỊ", "XÃ", "PHƯỜNG", "ĐẶC"})
_VOID_COLOR = Color(0.8, 0.1, 0.1, alpha=0.28)


@dataclass(frozen=True, slots=True)
class TextStyle:
    size: float
    bold: bool = False
    italic: bool = False
    leading_factor: float = 1.2

    @property
    def leading(self) -> float:
        return self.size * self.leading_factor


# Sizes and styles of the elements (domain notes §7.3).
SUPERIOR = TextStyle(13)
SUPERIOR_SMALL = TextStyle(12)  # when the name fits on one line at 12 but not at 13
OFFICE = TextStyle(13, bold=True)
OFFICE_SMALL = TextStyle(12, bold=True)
NUMBER = TextStyle(13)
SUBJECT_CV = TextStyle(13)  # "V/v …" of a công văn, under the number
SECURITY = TextStyle(13, bold=True)
MOTTO_1 = TextStyle(13, bold=True)
MOTTO_1_SMALL = TextStyle(12, bold=True)
MOTTO_2 = TextStyle(14, bold=True)
PLACE_DATE = TextStyle(14, italic=True)
TITLE = TextStyle(14, bold=True)
SUBJECT = TextStyle(14, bold=True)
SALUTATION = TextStyle(14)
BODY = TextStyle(14, leading_factor=1.25)
RECIPIENTS_LABEL = TextStyle(12, bold=True, italic=True)
RECIPIENTS = TextStyle(11)
SIGNER = TextStyle(14, bold=True)
PAGE_NUMBER = TextStyle(14)


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


class LineBreaker:
    """Measures and breaks lines with the letters' font (also used by the DOCX writer)."""

    def __init__(self, fonts: LetterFonts) -> None:
        self.fonts = fonts

    def font(self, style: TextStyle) -> str:
        return self.fonts.name(style.bold, style.italic)

    def width(self, text: str, style: TextStyle) -> float:
        return stringWidth(text, self.font(style), style.size)

    # --- line breaking ------------------------------------------------------------------------

    def wrap(self, text: str, style: TextStyle, width: float, first_width: float | None = None) -> list[str]:
        """Greedy line breaking on spaces; a word longer than the line is cut between letters."""
        font, size = self.font(style), style.size
        space = stringWidth(" ", font, size)
        lines: list[str] = []
        current: list[str] = []
        current_w = 0.0
        limit = first_width if first_width is not None else width
        for word in text.split():
            w = stringWidth(word, font, size)
            if w > limit:  # a very long token (an address without spaces): cut it
                if current:
                    lines.append(" ".join(current))
                    current, current_w, limit = [], 0.0, width
                while stringWidth(word, font, size) > limit:
                    cut = len(word) - 1
                    while cut > 1 and stringWidth(word[:cut], font, size) > limit:
                        cut -= 1
                    lines.append(word[:cut])
                    word, limit = word[cut:], width
                current, current_w = [word], stringWidth(word, font, size)
                continue
            needed = w if not current else current_w + space + w
            if current and needed > limit:
                lines.append(" ".join(current))
                current, current_w, limit = [word], w, width
            else:
                current.append(word)
                current_w = needed
        if current:
            lines.append(" ".join(current))
        return lines

    def wrap_balanced(self, text: str, style: TextStyle, width: float) -> list[str]:
        """Centred header names: when two lines are needed, split where the longer line is shortest."""
        lines = self.wrap(text, style, width)
        if len(lines) != 2:
            return lines
        words = text.split()
        best: tuple[bool, float, list[str]] | None = None
        for i in range(1, len(words)):
            a, b = " ".join(words[:i]), " ".join(words[i:])
            longest = max(self.width(a, style), self.width(b, style))
            if longest > width:
                continue
            # Prefer a break before an administrative unit, then the shortest longer line.
            key = (words[i] not in _UNIT_WORDS, longest, [a, b])
            if best is None or key[:2] < best[:2]:
                best = key
        return best[2] if best else lines

    def fit(self, text: str, styles: tuple[TextStyle, ...], width: float) -> tuple[list[str], TextStyle]:
        """One line in the first style it fits in (13 pt, then 12 pt), else two lines at the first."""
        for style in styles:
            if self.width(text, style) <= width:
                return [text], style
        return self.wrap_balanced(text, styles[0], width), styles[0]


class _Writer(LineBreaker):
    """Draws letters one after another on one canvas; each letter starts on a new page."""

    def __init__(self, canvas: Canvas, fonts: LetterFonts) -> None:
        super().__init__(fonts)
        self.c = canvas
        self.y = TOP
        self.page_in_letter = 0
        self.void = False
        self.pages = 0

    # --- primitives ---------------------------------------------------------------------------

    def draw(self, x: float, top: float, text: str, style: TextStyle) -> None:
        self.c.setFont(self.font(style), style.size)
        self.c.drawString(x, PAGE_HEIGHT - (top + _ASCENT * style.size), text)

    def draw_centred(self, left: float, width: float, top: float, text: str, style: TextStyle) -> float:
        """Centre ``text`` in the column; returns its width."""
        w = self.width(text, style)
        self.draw(left + (width - w) / 2, top, text, style)
        return w

    def draw_justified(self, x: float, top: float, text: str, style: TextStyle, width: float) -> None:
        spaces = text.count(" ")
        extra = width - self.width(text, style)
        if spaces == 0 or extra <= 0:
            self.draw(x, top, text, style)
            return
        # Word spacing (Tw) is part of the graphics state: save/restore keeps it to this line.
        # ReportLab puts the space at code 32 in every TrueType subset, so Tw applies to it.
        self.c.saveState()
        t = self.c.beginText(x, PAGE_HEIGHT - (top + _ASCENT * style.size))
        t.setFont(self.font(style), style.size)
        t.setWordSpace(extra / spaces)
        t.textOut(text)
        self.c.drawText(t)
        self.c.restoreState()

    def rule(self, x0: float, x1: float, y: float, width: float = 0.6) -> None:
        self.c.setLineWidth(width)
        self.c.line(x0, PAGE_HEIGHT - y, x1, PAGE_HEIGHT - y)

    # --- pages --------------------------------------------------------------------------------

    def start_letter(self, content: LetterContent) -> None:
        if self.pages:
            self.c.showPage()
        self.page_in_letter = 0
        self.void = content.void
        self._begin_page()

    def new_page(self) -> None:
        self.c.showPage()
        self._begin_page()

    def _begin_page(self) -> None:
        self.pages += 1
        self.page_in_letter += 1
        self.y = TOP
        self.c.setFillColor(black)
        if self.void:
            self._void_mark()
        if self.page_in_letter > 1:
            # Page numbers from page 2 on, centred in the top margin (§7.1).
            number = str(self.page_in_letter)
            self.draw_centred(LEFT, WIDTH, (TOP - PAGE_NUMBER.leading) / 2, number, PAGE_NUMBER)

    def _void_mark(self) -> None:
        """A cancelled letter: a large diagonal "ĐÃ HỦY" under the text of every page."""
        size = 96
        font = self.fonts.bold
        self.c.saveState()
        self.c.setFillColor(_VOID_COLOR)
        self.c.translate(LEFT + WIDTH / 2, PAGE_HEIGHT / 2)
        self.c.rotate(45)
        self.c.setFont(font, size)
        self.c.drawCentredString(0, -size * 0.35, VOID_TEXT)
        self.c.restoreState()

    def ensure(self, height: float) -> None:
        if self.y + height > BOTTOM:
            self.new_page()

    # --- blocks -------------------------------------------------------------------------------

    def letter(self, content: LetterContent) -> None:
        self.start_letter(content)
        self.header(content)
        self.title(content)
        self.salutation(content)
        left, right = self._recipient_block(content), self._signer_block(content)
        closing_h = self._closing_height(left, right)
        self.body(content, closing_h)
        self.closing(left, right, closing_h)

    def header(self, content: LetterContent) -> None:
        head = content.letterhead
        lx, rx = LEFT, LEFT + HEADER_LEFT_WIDTH
        # Left column: superior body, issuing office and the short line under it.
        y_left = TOP
        superior = _nfc(head.superior_body).upper()
        if superior:
            lines, style = self.fit(superior, (SUPERIOR, SUPERIOR_SMALL), HEADER_LEFT_WIDTH)
            for line in lines:
                self.draw_centred(lx, HEADER_LEFT_WIDTH, y_left, line, style)
                y_left += style.leading
        widest = 0.0
        lines, style = self.fit(_nfc(head.office_name).upper(), (OFFICE, OFFICE_SMALL), HEADER_LEFT_WIDTH)
        for line in lines:
            widest = max(widest, self.draw_centred(lx, HEADER_LEFT_WIDTH, y_left, line, style))
            y_left += style.leading
        rule_w = max(widest / 3, 20 * MM) if widest else 0.0
        rule_w = min(rule_w, widest / 2) if widest else 0.0
        y_left += 1.5
        if rule_w:
            centre = lx + HEADER_LEFT_WIDTH / 2
            self.rule(centre - rule_w / 2, centre + rule_w / 2, y_left)
        y_left += 6
        # Right column: national motto with a line as long as the second line.
        y_right = TOP
        motto_style = MOTTO_1 if self.width(NATIONAL_TITLE_TEXT, MOTTO_1) <= HEADER_RIGHT_WIDTH else MOTTO_1_SMALL
        self.draw_centred(rx, HEADER_RIGHT_WIDTH, y_right, NATIONAL_TITLE_TEXT, motto_style)
        y_right += motto_style.leading
        motto_w = self.draw_centred(rx, HEADER_RIGHT_WIDTH, y_right, MOTTO_TEXT, MOTTO_2)
        y_right += MOTTO_2.leading + 1.5
        centre = rx + HEADER_RIGHT_WIDTH / 2
        self.rule(centre - motto_w / 2, centre + motto_w / 2, y_right)
        y_right += 6
        # Number (cell 3) and place/date (cell 4) share a row.
        row = max(y_left, y_right) + 2
        self.draw_centred(lx, HEADER_LEFT_WIDTH, row, _nfc(content.number_line), NUMBER)
        y_left = row + NUMBER.leading
        # Same baseline as the number although the date is a point larger.
        y_right = row - _ASCENT * (PLACE_DATE.size - NUMBER.size)
        for line in self.wrap(_nfc(content.place_date), PLACE_DATE, HEADER_RIGHT_WIDTH):
            self.draw_centred(rx, HEADER_RIGHT_WIDTH, y_right, line, PLACE_DATE)
            y_right += PLACE_DATE.leading
        if content.title is None and content.subject:
            # Công văn: the "V/v …" subject (cell 5b) centred under the number.
            for line in self.wrap_balanced(_nfc(content.subject), SUBJECT_CV, HEADER_LEFT_WIDTH - 4 * MM):
                self.draw_centred(lx, HEADER_LEFT_WIDTH, y_left, line, SUBJECT_CV)
                y_left += SUBJECT_CV.leading
        if content.security_mark:
            # Cell 10a: the secrecy mark in a frame under the number.
            mark = _nfc(content.security_mark).upper()
            y_left += 4
            w = self.draw_centred(lx, HEADER_LEFT_WIDTH, y_left, mark, SECURITY)
            centre = lx + HEADER_LEFT_WIDTH / 2
            self.c.setLineWidth(1)
            frame_h = SECURITY.leading + 2
            self.c.rect(centre - w / 2 - 4, PAGE_HEIGHT - (y_left - 1) - frame_h, w + 8, frame_h)
            y_left += SECURITY.leading + 4
        self.y = max(y_left, y_right) + 10

    def title(self, content: LetterContent) -> None:
        if content.title is None:
            self.y += 4
            return
        self.y += 8
        widest = 0.0
        for line in self.wrap_balanced(_nfc(content.title).upper(), TITLE, WIDTH):
            widest = self.draw_centred(LEFT, WIDTH, self.y, line, TITLE)
            self.y += TITLE.leading
        if content.subject:
            for line in self.wrap(_nfc(content.subject), SUBJECT, WIDTH - 20 * MM):
                widest = self.draw_centred(LEFT, WIDTH, self.y, line, SUBJECT)
                self.y += SUBJECT.leading
        # Short solid line under the title/subject: a third of its length, at least 2 cm.
        rule_w = min(max(widest / 3, 20 * MM), widest)
        self.y += 2
        centre = LEFT + WIDTH / 2
        self.rule(centre - rule_w / 2, centre + rule_w / 2, self.y)
        self.y += 12

    def salutation(self, content: LetterContent) -> None:
        lines = [_nfc(line) for line in content.salutation if _nfc(line)]
        if not lines:
            return
        style = SALUTATION
        label_w = self.width(SALUTATION_TEXT + " ", style)
        if len(lines) == 1:
            text = f"{SALUTATION_TEXT} {lines[0]}"
            w = self.width(text, style)
            if w <= WIDTH - FIRST_LINE_INDENT:
                self.ensure(style.leading)
                self.draw_centred(LEFT, WIDTH, self.y, text, style)
                self.y += style.leading
            else:
                x = LEFT + FIRST_LINE_INDENT
                self.draw(x, self.y, SALUTATION_TEXT, style)
                for part in self.wrap(lines[0], style, RIGHT - x - label_w):
                    self.ensure(style.leading)
                    self.draw(x + label_w, self.y, part, style)
                    self.y += style.leading
        else:
            longest = max(self.width(line, style) for line in lines)
            x = LEFT + max(FIRST_LINE_INDENT, (WIDTH - label_w - longest) / 2)
            self.ensure(style.leading * 2)
            self.draw(x, self.y, SALUTATION_TEXT, style)
            self.y += style.leading
            dash_w = self.width("- ", style)
            for line in lines:
                # Hanging indent: continuation lines start under the text after "- ".
                avail = RIGHT - x - label_w
                parts = self.wrap(line, style, avail - dash_w, first_width=avail)
                for i, part in enumerate(parts):
                    self.ensure(style.leading)
                    self.draw(x + label_w + (dash_w if i else 0), self.y, part, style)
                    self.y += style.leading
        self.y += PARAGRAPH_SPACING + 4

    def body(self, content: LetterContent, closing_h: float) -> None:
        style = BODY
        wrapped = [self.wrap(text, style, WIDTH, first_width=WIDTH - FIRST_LINE_INDENT)
                   for text in (_nfc(p) for p in content.paragraphs) if text]
        # The signature never stands alone on a page: the body's last two lines go with it.
        flat = [(n, i) for n, lines in enumerate(wrapped) for i in range(len(lines))]
        keep = flat[-2] if len(flat) >= 2 else (flat[0] if flat else None)
        for n, lines in enumerate(wrapped):
            for i, line in enumerate(lines):
                if (n, i) == keep:
                    rest = len(flat) - flat.index(keep)
                    spacing = PARAGRAPH_SPACING * (len(wrapped) - n)
                    self.ensure(rest * style.leading + spacing + 4 + closing_h)
                self.ensure(style.leading)
                x = LEFT + (FIRST_LINE_INDENT if i == 0 else 0)
                if i == len(lines) - 1:
                    self.draw(x, self.y, line, style)
                else:
                    self.draw_justified(x, self.y, line, style, RIGHT - x)
                self.y += style.leading
            self.y += PARAGRAPH_SPACING

    def _recipient_block(self, content: LetterContent) -> list[tuple[float, str, TextStyle]]:
        """(x offset, text, style) lines of the "Nơi nhận" column."""
        out: list[tuple[float, str, TextStyle]] = [(0.0, RECIPIENTS_TEXT, RECIPIENTS_LABEL)]
        dash_w = self.width("- ", RECIPIENTS)
        avail = FOOTER_LEFT_WIDTH - 4 * MM
        for line in content.recipients:
            text = _nfc(line)
            if not text:
                continue
            hang = dash_w if text.startswith("-") else 0.0
            for i, part in enumerate(self.wrap(text, RECIPIENTS, avail - hang, first_width=avail)):
                out.append((hang if i else 0.0, part, RECIPIENTS))
        return out

    def _signer_block(self, content: LetterContent) -> list[tuple[str, TextStyle, float]]:
        """(text, style, space before) lines of the signer column."""
        signer = content.signer
        out: list[tuple[str, TextStyle, float]] = []
        for value in (signer.authority, signer.position):
            for line in self.wrap_balanced(_nfc(value).upper(), SIGNER, FOOTER_RIGHT_WIDTH):
                out.append((line, SIGNER, 0.0))
        name = _nfc(signer.name)
        if name:
            out.append((name, SIGNER, SIGNATURE_SPACE))
        return out

    @staticmethod
    def _closing_height(left: list[tuple[float, str, TextStyle]], right: list[tuple[str, TextStyle, float]]) -> float:
        left_h = sum(style.leading for _x, _t, style in left)
        right_h = sum(style.leading + before for _t, style, before in right)
        return max(left_h, right_h)

    def closing(self, left: list[tuple[float, str, TextStyle]], right: list[tuple[str, TextStyle, float]],
                height: float) -> None:
        self.y += 4
        self.ensure(height)
        top = self.y
        y = top
        for dx, text, style in left:
            self.draw(LEFT + dx, y, text, style)
            y += style.leading
        bottom = y
        y = top
        rx = LEFT + FOOTER_LEFT_WIDTH
        for text, style, before in right:
            y += before
            self.draw_centred(rx, FOOTER_RIGHT_WIDTH, y, text, style)
            y += style.leading
        self.y = max(bottom, y)


def _metadata(c: Canvas, contents: Sequence[LetterContent]) -> None:
    """Title and author only; the subject line is the kind, never anything about the petitioner."""
    if len(contents) == 1:
        content = contents[0]
        title = _nfc(content.title or content.subject or KIND_LABELS[content.kind])
    else:
        kinds = {content.kind for content in contents}
        label = KIND_LABELS[next(iter(kinds))] if len(kinds) == 1 else "Văn bản"
        title = f"{label} ({len(contents)} văn bản)"
    offices = {_nfc(content.letterhead.office_name) for content in contents}
    c.setTitle(title)
    if len(offices) == 1:
        c.setAuthor(next(iter(offices)))
    c.setSubject(", ".join(sorted({KIND_LABELS[content.kind] for content in contents})))
    c.setCreator("Bàn tiếp công dân")


def render_letters(contents: Iterable[LetterContent], progress: Callable[[int, int], None] | None = None,
                   cancelled: Callable[[], bool] | None = None) -> bytes:
    """All letters in one PDF, each from a new page with its own page numbers."""
    items = list(contents)
    if not items:
        raise UserError("Không có văn bản nào để in.")
    fonts = letter_fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=1)
    _metadata(c, items)
    writer = _Writer(c, fonts)
    total = len(items)
    for done, content in enumerate(items):
        if cancelled is not None and cancelled():
            raise Cancelled("Đã hủy; chưa tạo tệp PDF.")
        writer.letter(content)
        if progress is not None:
            progress(done + 1, total)
    c.showPage()
    c.save()
    return buffer.getvalue()


def render_letter(content: LetterContent) -> bytes:
    """One letter as a PDF."""
    return render_letters([content])


def write_letters(path: str | os.PathLike[str], contents: Iterable[LetterContent],
                  progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> Path:
    """Render and save; the file appears whole or not at all (an old file is never half-overwritten)."""
    return atomic_write(path, render_letters(contents, progress, cancelled), make_parents=True)
