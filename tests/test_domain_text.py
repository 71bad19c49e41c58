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
