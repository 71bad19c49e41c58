"""The documents the desk issues, as pure data: kinds, numbers, dates, recipients, redaction.

A letter is assembled by the letters service (facts from the database, wording from the editable
templates in ``resources/templates/``, letterhead from the settings) into a ``LetterContent``; the
PDF and DOCX writers only lay that content out (Decree 30/2020, domain notes §7). Nothing here
knows about SQL, Qt or ReportLab.

Denouncer protection (Luật Tố cáo Điều 8, 56; domain notes §5): a document for a denunciation that
goes to anyone but the denouncer never carries the denouncer's name, address, phone, ID number or
signature. ``redact`` removes them from free text (a clerk may have typed the name into the
summary), and ``leaked_identity`` is the last check before a document is written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from reception_desk.domain.text import fold


class LetterKind(StrEnum):
    FORWARDING = "forwarding"  # Phiếu chuyển đơn (to the competent agency)
    NOTICE = "notice"  # Thông báo việc chuyển đơn (to the petitioner)
    GUIDANCE = "guidance"  # Phiếu hướng dẫn (to the citizen, office not competent)
    RETURN = "return"  # Văn bản trả lại đơn và giấy tờ, tài liệu
    CHASE = "chase"  # Văn bản đôn đốc (to an agency whose answer is overdue)
    RECEIPT = "receipt"  # Giấy biên nhận (documents handed in at the desk; TT 04/2021 Mẫu 02)


KIND_LABELS: dict[LetterKind, str] = {
    LetterKind.FORWARDING: "Phiếu chuyển đơn",
    LetterKind.NOTICE: "Thông báo việc chuyển đơn",
    LetterKind.GUIDANCE: "Phiếu hướng dẫn",
    LetterKind.RETURN: "Văn bản trả lại đơn",
    LetterKind.CHASE: "Văn bản đôn đốc",
    LetterKind.RECEIPT: "Giấy biên nhận",
}


class LetterStatus(StrEnum):
    ISSUED = "issued"
    VOID = "void"  # cancelled: keeps its number, never reused (domain notes §7.4)


REDACTED = "[đã lược bỏ]"
CONFIDENTIAL_DENOUNCER = "Người tố cáo (thông tin được giữ bí mật)"


def number_text(number: int) -> str:
    """Numbers below 10 get a leading zero (NĐ 30/2020 Phụ lục I)."""
    if number < 1:
        raise ValueError("số văn bản phải từ 1 trở lên")
    return f"{number:02d}"


def symbol_text(pattern: str, number: int, series: str, office_symbol: str) -> str:
    """The number and symbol as printed after "Số: ", e.g. ``07/PC-BTCD`` or ``15/BTCD``.

    ``pattern`` comes from the template (``{number}/{series}-{office}`` for typed documents,
    ``{number}/{office}`` for a công văn), so an office can follow its own registry's rules.
    """
    return pattern.format(number=number_text(number), series=series, office=office_symbol)


def place_date_line(place_name: str, day: date) -> str:
    """"Hà Tĩnh, ngày 05 tháng 01 năm 2026": days 1–9 and months 1–2 get a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place_name}, ngày {day.day:02d} tháng {month} năm {day.year}"


def salutation_lines(recipients: list[str]) -> tuple[str, ...]:
    """"Kính gửi:" recipients: one on the same line; several, one per line with "-", ";" and "."."""
    names = [r.strip().rstrip(".;") for r in recipients if r and r.strip()]
    if not names:
        return ()
    if len(names) == 1:
        return (f"{names[0]}.",)
    return tuple(f"- {name}{'.' if i == len(names) - 1 else ';'}" for i, name in enumerate(names))


def recipient_lines(recipients: list[str], archive: str) -> tuple[str, ...]:
    """"Nơi nhận:" list: "- X;" per line, last "- Lưu: VT, <archive>."."""
    lines = [f"- {r.strip().rstrip('.;')};" for r in recipients if r and r.strip()]
    lines.append(f"- Lưu: {archive.strip().rstrip('.')}." if archive.strip() else "- Lưu: VT.")
    return tuple(lines)


@dataclass(frozen=True, slots=True)
class Letterhead:
    superior_body: str  # cơ quan chủ quản, upper case, may be empty
    office_name: str  # cơ quan ban hành, upper case, bold
    place_name: str


@dataclass(frozen=True, slots=True)
class SignerBlock:
    authority: str  # "KT. TRƯỞNG BAN" (may be empty when the head signs)
    position: str  # "PHÓ TRƯỞNG BAN"
    name: str  # "Trần Văn B" (no academic titles)


@dataclass(frozen=True, slots=True)
class LetterContent:
    """Everything the PDF/DOCX writers print, already worded, NFC, masked and checked."""

    kind: LetterKind
    letterhead: Letterhead
    number_line: str  # "Số: 07/PC-BTCD"
    place_date: str  # "Hà Tĩnh, ngày 05 tháng 01 năm 2026"
    title: str | None  # "PHIẾU CHUYỂN ĐƠN"; None for a công văn
    subject: str | None  # trích yếu under the title, or "V/v …" under the number of a công văn
    salutation: tuple[str, ...]  # lines after "Kính gửi:" (empty: no Kính gửi line)
    paragraphs: tuple[str, ...]  # body, one string per paragraph
    recipients: tuple[str, ...]  # lines under "Nơi nhận:"
    signer: SignerBlock
    security_mark: str | None = None  # "MẬT" for a denunciation forwarding letter (cell 10a) ⚠
    void: bool = False  # a cancelled letter is printed marked "ĐÃ HỦY"
    document_id: str | None = None  # the issued document's id, for the register

    def all_text(self) -> str:
        """Every printed string, for the confidentiality check and for tests."""
        parts = [self.letterhead.superior_body, self.letterhead.office_name, self.number_line,
                 self.place_date, self.title or "", self.subject or "", *self.salutation,
                 *self.paragraphs, *self.recipients, self.signer.authority, self.signer.position,
                 self.signer.name, self.security_mark or ""]
        return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class Identity:
    """What identifies a denouncer: every value that must not leave the office."""

    values: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, *values: str | None) -> Identity:
        # Very short values (a 2-letter given name) would redact ordinary words; names are kept
        # whole, numbers and phones from 6 characters.
        kept = tuple(v.strip() for v in values if v and len(v.strip()) >= 6)
        return cls(kept)


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` character by character, remembering where each folded character came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(unicodedata.normalize("NFC", text)):
        if ch.isspace():
            if out and out[-1] == " ":  # runs of spaces fold to one, as fold() does for the needle
                continue
            folded = " "
        else:
            folded = fold(ch)
        for f in folded or "":
            out.append(f)
            where.append(i)
    return "".join(out), where


_DIGIT_GAP = r"[\s.\-]*"  # how people space out a phone or ID number: "0912 345 678", "0912.345.678"


def _digits_pattern(value: str) -> re.Pattern[str] | None:
    """For a number (phone, ID), a pattern that finds it however its digits are spaced out, and a
    phone written "0912…" also as "+84 912…"; None for a value that is not a number."""
    digits = re.sub(r"[\s.\-+()]", "", value)
    if len(digits) < 6 or not digits.isdigit():
        return None
    body = _DIGIT_GAP.join(digits)
    if digits.startswith("0"):
        body = f"(?:{body}|\\+?84{_DIGIT_GAP}{_DIGIT_GAP.join(digits[1:])})"
    return re.compile(rf"(?<!\d){body}(?!\d)")


def redact(text: str, identity: Identity) -> str:
    """Replace every occurrence of an identity value (ignoring case, marks and spacing of digits)."""
    if not text or not identity.values:
        return text
    text = unicodedata.normalize("NFC", text)
    folded, where = _folded_with_map(text)
    spans: list[tuple[int, int]] = []
    for value in identity.values:
        pattern = _digits_pattern(value)
        if pattern is not None:
            spans.extend(m.span() for m in pattern.finditer(text))
            continue
        needle = fold(value)
        if not needle:
            continue
        start = folded.find(needle)
        while start >= 0:
            end = start + len(needle)
            spans.append((where[start], where[end - 1] + 1))
            start = folded.find(needle, end)
    if not spans:
        return text
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    pieces: list[str] = []
    last = 0
    for s, e in merged:
        pieces.append(text[last:s])
        pieces.append(REDACTED)
        last = e
    pieces.append(text[last:])
    return "".join(pieces)


def leaked_identity(content: LetterContent, identity: Identity) -> list[str]:
    """The identity values found in a letter (ignoring case and marks); empty when it is safe."""
    text = content.all_text()
    folded = fold(text)
    leaks = []
    for value in identity.values:
        pattern = _digits_pattern(value)
        if pattern is not None:
            if pattern.search(text):
                leaks.append(value)
        elif fold(value) and fold(value) in folded:
            leaks.append(value)
    return leaks


# --- the stored snapshot (issued_document.content) ------------------------------------------------


def content_to_dict(content: LetterContent) -> dict[str, Any]:
    """The printed text as plain JSON data; ``document_id`` and ``void`` are the row's, not the text's."""
    return {
        "kind": content.kind.value,
        "letterhead": {"superior_body": content.letterhead.superior_body,
                       "office_name": content.letterhead.office_name,
                       "place_name": content.letterhead.place_name},
        "number_line": content.number_line,
        "place_date": content.place_date,
        "title": content.title,
        "subject": content.subject,
        "salutation": list(content.salutation),
        "paragraphs": list(content.paragraphs),
        "recipients": list(content.recipients),
        "signer": {"authority": content.signer.authority, "position": content.signer.position,
                   "name": content.signer.name},
        "security_mark": content.security_mark,
    }


def content_from_dict(data: dict[str, Any], *, void: bool = False, document_id: str | None = None) -> LetterContent:
    """A snapshot made by ``content_to_dict`` back as the content the writers print."""
    head = data["letterhead"]
    signer = data["signer"]
    return LetterContent(
        kind=LetterKind(data["kind"]),
        letterhead=Letterhead(head["superior_body"], head["office_name"], head["place_name"]),
        number_line=data["number_line"],
        place_date=data["place_date"],
        title=data.get("title"),
        subject=data.get("subject"),
        salutation=tuple(data.get("salutation") or ()),
        paragraphs=tuple(data.get("paragraphs") or ()),
        recipients=tuple(data.get("recipients") or ()),
        signer=SignerBlock(signer["authority"], signer["position"], signer["name"]),
        security_mark=data.get("security_mark"),
        void=void,
        document_id=document_id,
    )


# --- wording helpers ----------------------------------------------------------------------------

# Words after which the rest of an agency name is a place name (capitalised word by word).
_PLACE_WORDS = ("tỉnh", "thành phố", "xã", "phường", "huyện", "quận", "thị xã", "thị trấn", "đặc khu")


def office_name_in_text(upper_name: str) -> str:
    """An agency name written in capitals on the letterhead, as it reads inside a sentence.

    "BAN TIẾP CÔNG DÂN TỈNH HÀ TĨNH" → "Ban Tiếp công dân tỉnh Hà Tĩnh": first word capitalised
    (and the word after "Ban", a "Ban X" being a proper name), lower case up to a place word
    ("tỉnh", "xã", …), each word of the place name capitalised. An office whose name does not fit
    this saves its own wording (services.letter_templates.save_office_in_text).
    """
    words = unicodedata.normalize("NFC", upper_name).lower().split()
    if not words:
        return ""
    out = [words[0].capitalize()]
    in_place = False
    i = 1
    while i < len(words):
        two = " ".join(words[i:i + 2])
        if not in_place and (two in _PLACE_WORDS or words[i] in _PLACE_WORDS):
            step = 2 if two in _PLACE_WORDS else 1
            out.extend(words[i:i + step])
            i += step
            in_place = True
            continue
        word = words[i]
        out.append(word.capitalize() if in_place or (i == 1 and out[0] == "Ban") else word)
        i += 1
    return " ".join(out)


def honorific(gender: str | None) -> str:
    """"ông", "bà" or "ông (bà)" before a citizen's name (gender as the citizens service stores it)."""
    return {"nam": "ông", "nữ": "bà"}.get((gender or "").strip().lower(), "ông (bà)")


def date_text(day: date | None) -> str:
    """A date inside the body of a letter: 05/01/2026."""
    return day.strftime("%d/%m/%Y") if day else ""


def join_names(names: list[str]) -> str:
    """"A", "A và B", "A, B và C"."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]
