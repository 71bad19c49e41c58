"""Citizen ID numbers (domain notes §9): table-tested."""

from __future__ import annotations

from datetime import date

import pytest

from reception_desk.domain.enums import IdType
from reception_desk.domain.ids import PROVINCE_CODES, check_id_number

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("number", "province", "sex", "year"),
    [
        ("087084000999", "Đồng Tháp", "nam", 1984),  # the example of the domain notes
        ("067181000001", "Đắk Nông", "nữ", 1981),
        ("001305012345", "Hà Nội", "nữ", 2005),
        ("079200000001", "Hồ Chí Minh", "nam", 2000),
        ("0 6 6 0 8 2 0 0 0 0 0 2", "Đắk Lắk", "nam", 1982),
        ("066.082.000.002", "Đắk Lắk", "nam", 1982),
    ],
)
def test_valid_12_digit(number: str, province: str, sex: str, year: int) -> None:
    check = check_id_number(number, today=TODAY)
    assert check.ok, check.errors
    assert check.id_type is IdType.CCCD
    assert (check.province, check.sex, check.birth_year) == (province, sex, year)
    assert len(check.number) == 12 and check.number.isdigit()


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("003084000999", "không phải mã tỉnh"),  # 003 is not a province code
        ("087284000999", "sau năm hiện tại"),  # 2084
        ("087484000999", "sau năm hiện tại"),  # 2184
        ("08708400099", "12 chữ số"),
        ("0870840009991", "12 chữ số"),
    ],
)
def test_invalid_numbers_explain_why(number: str, fragment: str) -> None:
    check = check_id_number(number, today=TODAY)
    assert not check.ok
    assert any(fragment in e for e in check.errors)


def test_too_old_birth_year() -> None:
    check = check_id_number("001000000001", today=TODAY)  # born 1900
    assert not check.ok and "trên 120 tuổi" in check.errors[0]


def test_country_code_is_a_warning() -> None:
    check = check_id_number("840084000001", today=TODAY)
    assert check.ok and check.warnings


def test_old_cmnd_accepted_with_warning() -> None:
    check = check_id_number("241234567", today=TODAY)
    assert check.ok and check.id_type is IdType.CMND
    assert "31/12/2024" in check.warnings[0]


@pytest.mark.parametrize("number", ["C1234567", "b 1234567", "N12345678"])
def test_passport(number: str) -> None:
    check = check_id_number(number, today=TODAY)
    assert check.ok and check.id_type is IdType.PASSPORT and not check.warnings


def test_other_documents_kept_as_typed() -> None:
    check = check_id_number("GCN-CC/2024/00123", today=TODAY)
    assert check.ok and check.id_type is IdType.OTHER and check.number == "GCN-CC/2024/00123"


def test_empty_is_an_error() -> None:
    assert not check_id_number("   ").ok


def test_cross_check_sex_and_birth_year() -> None:
    check = check_id_number("087084000999", today=TODAY, sex="Nữ", birth_year=1985)
    assert check.ok
    assert len(check.warnings) == 2


def test_province_table_has_63_units() -> None:
    assert len(PROVINCE_CODES) == 63
