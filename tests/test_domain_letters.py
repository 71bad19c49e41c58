"""domain.letters: numbers, dates, recipient lines, office wording, snapshots, redaction, leak check."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from reception_desk.domain.letters import (
    REDACTED,
    Identity,
    LetterContent,
    Letterhead,
    LetterKind,
    SignerBlock,
    content_from_dict,
    content_to_dict,
    honorific,
    join_names,
    leaked_identity,
    number_text,
    office_name_in_text,
    place_date_line,
    recipient_lines,
    redact,
    salutation_lines,
    symbol_text,
)

DENOUNCER = Identity.of("Nguyễn Thị Hoa", "Thôn 3, xã Thạch Hà", "0912345678", "042185001234", "An", None)


@pytest.mark.parametrize(("number", "text"), [(1, "01"), (9, "09"), (10, "10"), (1234, "1234")])
def test_number_text(number: int, text: str) -> None:
    assert number_text(number) == text


def test_number_text_refuses_zero() -> None:
    with pytest.raises(ValueError, match="từ 1"):
        number_text(0)


@pytest.mark.parametrize(("pattern", "expected"), [
    ("{number}/{series}-{office}", "07/PC-BTCD"),
    ("{number}/{office}", "07/BTCD"),
    ("{number}/{office}-{series}", "07/BTCD-PC"),
])
def test_symbol_text(pattern: str, expected: str) -> None:
    assert symbol_text(pattern, 7, "PC", "BTCD") == expected


@pytest.mark.parametrize(("day", "line"), [
    (date(2026, 1, 5), "Hà Tĩnh, ngày 05 tháng 01 năm 2026"),
    (date(2026, 2, 28), "Hà Tĩnh, ngày 28 tháng 02 năm 2026"),
    (date(2026, 3, 9), "Hà Tĩnh, ngày 09 tháng 3 năm 2026"),
    (date(2026, 12, 31), "Hà Tĩnh, ngày 31 tháng 12 năm 2026"),
])
def test_place_date_line(day: date, line: str) -> None:
    assert place_date_line("Hà Tĩnh", day) == line


@pytest.mark.parametrize(("names", "lines"), [
    ([], ()),
    (["Chủ tịch UBND xã Y"], ("Chủ tịch UBND xã Y.",)),
    (["A;", "B", " ", "C."], ("- A;", "- B;", "- C.")),
])
def test_salutation_lines(names: list[str], lines: tuple[str, ...]) -> None:
    assert salutation_lines(names) == lines


def test_recipient_lines() -> None:
    assert recipient_lines(["Như trên", "Ông A (để biết);"], "VT, TCD.") == (
        "- Như trên;", "- Ông A (để biết);", "- Lưu: VT, TCD.")
    assert recipient_lines([], "") == ("- Lưu: VT.",)


@pytest.mark.parametrize(("upper", "text"), [
    ("BAN TIẾP CÔNG DÂN TỈNH HÀ TĨNH", "Ban Tiếp công dân tỉnh Hà Tĩnh"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH", "Ủy ban nhân dân thành phố Hồ Chí Minh"),
    ("THANH TRA TỈNH ĐẮK LẮK", "Thanh tra tỉnh Đắk Lắk"),
    ("BAN TIẾP CÔNG DÂN", "Ban Tiếp công dân"),
    ("", ""),
])
def test_office_name_in_text(upper: str, text: str) -> None:
    assert office_name_in_text(upper) == text


def test_honorific_and_names() -> None:
    assert [honorific(g) for g in ("nam", "Nữ", None, "khác")] == ["ông", "bà", "ông (bà)", "ông (bà)"]
    assert join_names([]) == "" and join_names(["A"]) == "A" and join_names(["A", "", "B", "C"]) == "A, B và C"


# --- redaction ---------------------------------------------------------------------------------------


def test_identity_keeps_only_values_long_enough() -> None:
    assert DENOUNCER.values == ("Nguyễn Thị Hoa", "Thôn 3, xã Thạch Hà", "0912345678", "042185001234")


@pytest.mark.parametrize(("text", "expected"), [
    ("Bà Nguyễn Thị Hoa tố cáo", f"Bà {REDACTED} tố cáo"),
    ("bà nguyen thi hoa tố cáo", f"bà {REDACTED} tố cáo"),  # typed without marks, lower case
    ("NGUYỄN  THỊ   HOA", REDACTED),  # capitals and runs of spaces
    (unicodedata.normalize("NFD", "Nguyễn Thị Hoa"), REDACTED),  # NFD input (macOS / VNI)
    ("ở thôn 3, xa thach ha.", f"ở {REDACTED}."),
    ("đt 0912 345 678, 0912.345.678 hoặc +84 912 345 678", f"đt {REDACTED}, {REDACTED} hoặc {REDACTED}"),
    ("CCCD 042185001234.", f"CCCD {REDACTED}."),
    ("số 10912345678 không phải số của bà", "số 10912345678 không phải số của bà"),  # inside a longer number
    ("Nguyễn Thị Hoan là người khác", f"{REDACTED}n là người khác"),  # errs on the side of hiding
    ("Ông An đến nộp đơn", "Ông An đến nộp đơn"),  # too short to redact safely
    ("", ""),
])
def test_redact(text: str, expected: str) -> None:
    assert redact(text, DENOUNCER) == expected


def test_redact_without_identity_returns_the_text() -> None:
    assert redact("Nguyễn Thị Hoa", Identity()) == "Nguyễn Thị Hoa"


def _content(*paragraphs: str, signer: str = "Trần Văn Bình") -> LetterContent:
    return LetterContent(
        kind=LetterKind.FORWARDING, letterhead=Letterhead("UBND TỈNH HÀ TĨNH", "BAN TIẾP CÔNG DÂN", "Hà Tĩnh"),
        number_line="Số: 07/PC-BTCD", place_date="Hà Tĩnh, ngày 05 tháng 01 năm 2026", title="PHIẾU CHUYỂN ĐƠN TỐ CÁO",
        subject=None, salutation=("Chủ tịch UBND xã Thạch Hà.",), paragraphs=paragraphs,
        recipients=("- Như trên;", "- Lưu: VT."), signer=SignerBlock("KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", signer),
        security_mark="MẬT")


@pytest.mark.parametrize(("paragraph", "leaks"), [
    ("Nội dung tố cáo: cán bộ thu tiền sai.", []),
    ("Người tố cáo: nguyen thi hoa.", ["Nguyễn Thị Hoa"]),
    ("Liên hệ 0912 345 678 hoặc CCCD 042 185 001 234.", ["0912345678", "042185001234"]),
    ("Địa chỉ: Thôn 3, Xã Thạch Hà.", ["Thôn 3, xã Thạch Hà"]),
])
def test_leaked_identity(paragraph: str, leaks: list[str]) -> None:
    assert leaked_identity(_content(paragraph), DENOUNCER) == leaks


def test_leak_in_the_signer_block_is_found_too() -> None:
    assert leaked_identity(_content("x", signer="Nguyễn Thị Hoa"), DENOUNCER) == ["Nguyễn Thị Hoa"]


def test_redacted_text_never_leaks() -> None:
    text = "Bà nguyen thi hoa, thôn 3, xã thạch hà, đt 0912-345-678, CCCD 042185001234, tố cáo."
    assert leaked_identity(_content(redact(text, DENOUNCER)), DENOUNCER) == []


def test_snapshot_round_trip() -> None:
    content = _content("Đoạn một.", "Đoạn hai.")
    data = content_to_dict(content)
    assert content_from_dict(data) == content
    again = content_from_dict(data, void=True, document_id="abc")
    assert again.void and again.document_id == "abc" and again.all_text() == content.all_text()
