"""Text normalisation and the folded search key."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reception_desk.domain.text import fold, nfc


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("ĐẶNG THỊ ĐÀO", "dang thi dao"),
        ("  Lê   Quang\tĐạt ", "le quang dat"),
        ("H'Blăng Niê", "h'blang nie"),
        ("Y Krông Ayŭn", "y krong ayun"),
        ("Hồ Chí Minh", "ho chi minh"),
        ("Phường Tân Lợi", "phuong tan loi"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text: str | None, key: str) -> None:
    assert fold(text) == key


def test_nfd_and_nfc_fold_alike() -> None:
    name = "Nguyễn Thị Ánh Tuyết Đoàn"
    assert fold(unicodedata.normalize("NFD", name)) == fold(name)


def test_nfc_stores_precomposed() -> None:
    decomposed = unicodedata.normalize("NFD", "Trần Thị Hà")
    assert nfc(decomposed) == "Trần Thị Hà"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))
    assert nfc(None) is None
    assert nfc("  dòng 1  \r\n  dòng   2 ") == "dòng 1\ndòng 2"


@given(st.text())
def test_fold_is_idempotent_and_ascii_for_vietnamese(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once == fold(unicodedata.normalize("NFD", text))


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ "))
def test_vietnamese_letters_fold_to_ascii(text: str) -> None:
    assert fold(text.upper()).isascii()
    assert fold(text) == fold(text.upper())


def test_no_combining_mark_lies_beyond_the_scanned_planes() -> None:
    """fold's fallback class of combining marks scans code points below text._MARKS_END only."""
    import sys
    import unicodedata

    from reception_desk.domain import text

    assert not [c for c in range(text._MARKS_END, sys.maxunicode + 1) if unicodedata.combining(chr(c))]
    assert fold("Ksor H\u2019Lin a\u0301\u0328\u1ab0") == "ksor h\u2019lin a"
