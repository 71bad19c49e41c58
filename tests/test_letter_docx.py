"""The letters' DOCX, re-opened with python-docx: page set-up, fonts, tables, text order."""

from __future__ import annotations

import dataclasses
import io
import unicodedata

import pytest
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from reception_desk.services.errors import UserError
from reception_desk.services.letter_docx import letter_docx, letters_docx
from tests import letter_samples as samples


def _mm(length) -> float:
    return round(length.mm, 1)


def _open(data: bytes):
    return Document(io.BytesIO(data))


def _blocks(doc) -> list[Paragraph | Table]:
    """Body paragraphs and tables in document order."""
    out: list[Paragraph | Table] = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            out.append(Paragraph(child, doc))
        elif child.tag == qn("w:tbl"):
            out.append(Table(child, doc))
    return out


def _text_in_order(doc) -> list[str]:
    texts: list[str] = []
    for block in _blocks(doc):
        if isinstance(block, Paragraph):
            texts.append(block.text)
        else:
            for row in block.rows:
                for cell in row.cells:
                    texts.extend(p.text for p in cell.paragraphs)
    return [t for t in texts if t]


def _all_runs(doc):
    for block in _blocks(doc):
        paragraphs = [block] if isinstance(block, Paragraph) else [
            p for row in block.rows for cell in row.cells for p in cell.paragraphs]
        for p in paragraphs:
            yield from p.runs


def _run(doc, text: str):
    return next(r for r in _all_runs(doc) if r.text == text)


@pytest.fixture(scope="module")
def forwarding_doc():
    return _open(letter_docx(samples.forwarding()))


def test_page_setup(forwarding_doc) -> None:
    (section,) = forwarding_doc.sections
    # Word stores twentieths of a point: compare in millimetres.
    assert _mm(section.page_width) == 210 and _mm(section.page_height) == 297
    assert (_mm(section.top_margin), _mm(section.bottom_margin)) == (20, 20)
    assert (_mm(section.left_margin), _mm(section.right_margin)) == (30, 15)
    # Page numbers from page 2 on: a first-page header without them, a PAGE field in the others.
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml and "PAGE" not in section.first_page_header._element.xml
    assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"


def test_text_order_tables_and_fonts(forwarding_doc) -> None:
    content = samples.forwarding()
    texts = _text_in_order(forwarding_doc)
    assert unicodedata.is_normalized("NFC", "\n".join(texts))
    # The superior body breaks where the PDF breaks it (explicit line break).
    expected = ["ỦY BAN NHÂN DÂN\nTỈNH HÀ TĨNH", "BAN TIẾP CÔNG DÂN TỈNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc", "Số: 07/PC-BTCD", "Hà Tĩnh, ngày 05 tháng 01 năm 2026",
                "PHIẾU CHUYỂN ĐƠN", "Kính gửi: Chủ tịch Ủy ban nhân dân xã Thạch Hà.", *content.paragraphs,
                "Nơi nhận:", "- Như trên;", "- Bà Nguyễn Thị Hương (để biết);", "- Lưu: VT, TCD.",
                "KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Trần Văn Bình"]
    assert texts == expected

    tables = forwarding_doc.tables
    assert len(tables) == 2
    header, closing = tables
    for table in tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders is not None and {b.get(qn("w:val")) for b in borders} == {"nil"}
    assert header.cell(0, 0).paragraphs[1].text == "BAN TIẾP CÔNG DÂN TỈNH"
    assert header.cell(0, 1).paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert header.cell(1, 0).paragraphs[0].text == "Số: 07/PC-BTCD"
    assert closing.cell(0, 0).paragraphs[0].text == "Nơi nhận:"
    assert closing.cell(0, 1).paragraphs[-1].text == "Trần Văn Bình"
    assert _mm(header.cell(0, 0).width) == 68 and _mm(header.cell(0, 1).width) == 97

    runs = list(_all_runs(forwarding_doc))
    assert runs and {r.font.name for r in runs} == {"Times New Roman"}
    motto = _run(forwarding_doc, "Độc lập - Tự do - Hạnh phúc")
    assert motto.font.bold and motto.font.size == Pt(14)
    assert _run(forwarding_doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font.size in (Pt(12), Pt(13))
    assert _run(forwarding_doc, "Hà Tĩnh, ngày 05 tháng 01 năm 2026").font.italic
    title = _run(forwarding_doc, "PHIẾU CHUYỂN ĐƠN")
    assert title.font.bold and title.font.size == Pt(14)
    label = _run(forwarding_doc, "Nơi nhận:")
    assert label.font.bold and label.font.italic and label.font.size == Pt(12)
    assert _run(forwarding_doc, "- Lưu: VT, TCD.").font.size == Pt(11)
    name = _run(forwarding_doc, "Trần Văn Bình")
    assert name.font.bold and name.font.size == Pt(14)

    body = [b for b in _blocks(forwarding_doc) if isinstance(b, Paragraph) and b.text == content.paragraphs[0]][0]
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert abs(body.paragraph_format.first_line_indent - Cm(1.27)) < Pt(0.5)
    assert body.paragraph_format.space_after >= Pt(6)
    assert body.runs[0].font.size == Pt(14) and not body.runs[0].font.bold


def test_batch_one_section_per_letter() -> None:
    letters = [samples.forwarding(1), samples.official_letter(2), samples.multi_recipient(3)]
    doc = _open(letters_docx(letters))
    assert len(doc.sections) == 3
    for section in doc.sections:
        assert section.start_type == WD_SECTION.NEW_PAGE
        assert _mm(section.left_margin) == 30 and section.different_first_page_header_footer
        assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
        assert len(section._sectPr.findall(qn("w:pgNumType"))) == 1
    texts = _text_in_order(doc)
    numbers = [t for t in texts if t.startswith("Số:")]
    assert numbers == ["Số: 01/PC-BTCD", "Số: 02/BTCD", "Số: 03/BTCD"]
    assert len(doc.tables) == 6
    # The công văn: its "V/v" under the number, no title; several recipients one per line.
    assert "V/v đôn đốc giải quyết đơn khiếu nại của bà Nguyễn Thị Hương" in [t.replace("\n", " ") for t in texts]
    at = texts.index("Kính gửi:")
    assert texts[at + 1:at + 4] == ["- Sở Nông nghiệp và Môi trường;", "- Sở Xây dựng;",
                                    "- Ủy ban nhân dân xã Thạch Hà."]
    assert doc.core_properties.title == "Văn bản (3 văn bản)"
    with pytest.raises(UserError):
        letters_docx([])


def test_void_nfd_and_confidential_metadata() -> None:
    doc = _open(letter_docx(dataclasses.replace(samples.as_nfd(samples.denunciation_forwarding()), void=True)))
    texts = _text_in_order(doc)
    assert unicodedata.is_normalized("NFC", "\n".join(texts))
    assert "PHIẾU CHUYỂN ĐƠN TỐ CÁO" in texts and "MẬT" in texts
    (section,) = doc.sections
    assert "ĐÃ HỦY" in section.header._element.xml and "ĐÃ HỦY" in section.first_page_header._element.xml
    props = doc.core_properties
    assert props.author == "BAN TIẾP CÔNG DÂN TỈNH" and props.title == "PHIẾU CHUYỂN ĐƠN TỐ CÁO"
    assert props.last_modified_by == "" and props.comments == ""
    metadata = " ".join(str(getattr(props, k)) for k in ("author", "title", "subject", "keywords", "comments"))
    for value in samples.DENOUNCER:
        assert value not in metadata and all(value not in t for t in texts)
    # A letter that is not void has no such header.
    clean = _open(letter_docx(samples.forwarding()))
    assert "ĐÃ HỦY" not in clean.sections[0].header._element.xml
