"""Denouncer protection down to the paper (issue 5): letters about a denunciation with a known
identity, issued by the service and written as PDF and DOCX, never carry that identity in their
text, their metadata or their bytes, unless the letter is the denouncer's own notice."""

from __future__ import annotations

import io

import pdfplumber
from docx import Document
from sqlalchemy import Engine

from reception_desk.domain.text import fold
from reception_desk.services import letters
from reception_desk.services.letter_docx import letter_docx, letters_docx
from reception_desk.services.letter_pdf import render_letter, render_letters
from tests.test_letters_service import NAME, SECRETS, TODAY, transfer, world

SPACED = ("0912 345 678", "0912.345.678")


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = "\n".join(page.extract_text() or "" for page in pdf.pages)
        metadata = " ".join(str(v) for v in pdf.metadata.values())
    return pages + "\n" + metadata


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    props = doc.core_properties
    return "\n".join([*(p.text for p in doc.paragraphs), *cells, props.title or "", props.author or "",
                      props.subject or ""])


def assert_absent(text: str, data: bytes) -> None:
    folded = " ".join(fold(text).split())
    for secret in (*SECRETS, *SPACED):
        assert secret not in text, secret
        assert fold(secret) not in folded, secret
        assert secret.encode() not in data and secret.encode("utf-16-be") not in data, secret


def test_letters_to_others_about_a_denunciation_leave_no_trace_of_the_denouncer(engine: Engine) -> None:
    w = world(engine, "denunciation")
    [t] = transfer(engine, w)
    to_others = [letters.issue_forwarding(engine, t.id),
                 letters.issue_chase(engine, t.id, issued_on=TODAY),
                 letters.issue_return(engine, w.petition, ["Đơn tố cáo (bản chính)"], reason="Không thuộc thẩm quyền",
                                      to_source_agency=True, issued_on=TODAY)]
    for letter in to_others:
        pdf = render_letter(letter.content)
        assert_absent(pdf_text(pdf), pdf)
        docx = letter_docx(letter.content)
        assert_absent(docx_text(docx), docx)
    batch = render_letters([x.content for x in to_others])
    assert_absent(pdf_text(batch), batch)
    batch_docx = letters_docx([x.content for x in to_others])
    assert_absent(docx_text(batch_docx), batch_docx)
    # the notice goes to the denouncer alone, and is the one document that names them
    notice = letters.issue_notice(engine, t.id)
    own = " ".join(pdf_text(render_letter(notice.content)).split())
    assert NAME in own
