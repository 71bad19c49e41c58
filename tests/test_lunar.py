"""The lunar calendar: known Tết and Giỗ Tổ dates, Vietnam vs China, leap months, round trips."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reception_desk.domain.lunar import (
    CHINA_TZ,
    LunarDate,
    hung_kings_day,
    leap_month,
    lunar_to_solar,
    month_length,
    solar_to_lunar,
    tet,
)

# Mùng 1 Tết in Vietnam, as published (and as every Vietnamese wall calendar prints it).
TET_VN = {
    1985: date(1985, 1, 21),
    2007: date(2007, 2, 17),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2030: date(2030, 2, 2),
}


@pytest.mark.parametrize(("year", "expected"), sorted(TET_VN.items()))
def test_tet_in_vietnam(year: int, expected: date) -> None:
    assert tet(year) == expected
    assert solar_to_lunar(expected) == LunarDate(year, 1, 1, False)


@pytest.mark.parametrize(
    ("year", "vietnam", "china"),
    [
        # The new moon falls between 23:00 and 24:00 Vietnam time: one day earlier than in China.
        (2007, date(2007, 2, 17), date(2007, 2, 18)),
        (2030, date(2030, 2, 2), date(2030, 2, 3)),
        # The winter solstice month differs, so the whole year shifts by a month.
        (1985, date(1985, 1, 21), date(1985, 2, 20)),
    ],
)
def test_vietnam_and_china_differ(year: int, vietnam: date, china: date) -> None:
    assert tet(year) == vietnam
    assert tet(year, tz=CHINA_TZ) == china


@pytest.mark.parametrize("year", [2020, 2021, 2022, 2023, 2024, 2025, 2026])
def test_same_tet_as_china_in_recent_years(year: int) -> None:
    assert tet(year) == tet(year, tz=CHINA_TZ)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2020, date(2020, 4, 2)),
        (2022, date(2022, 4, 10)),
        (2023, date(2023, 4, 29)),
        (2024, date(2024, 4, 18)),
        (2025, date(2025, 4, 7)),
        (2026, date(2026, 4, 26)),
    ],
)
def test_hung_kings_day(year: int, expected: date) -> None:
    assert hung_kings_day(year) == expected
    assert solar_to_lunar(expected) == LunarDate(year, 3, 10)


@pytest.mark.parametrize(
    ("solar", "lunar_date"),
    [
        (date(2024, 9, 17), LunarDate(2024, 8, 15)),  # Tết Trung thu 2024
        (date(2025, 10, 6), LunarDate(2025, 8, 15)),  # Tết Trung thu 2025
        (date(2025, 1, 28), LunarDate(2024, 12, 29)),  # no "30 Tết" before Ất Tỵ
        (date(2024, 2, 9), LunarDate(2023, 12, 30)),
        (date(2024, 1, 1), LunarDate(2023, 11, 20)),  # solar year and lunar year differ
    ],
)
def test_solar_to_lunar(solar: date, lunar_date: LunarDate) -> None:
    assert solar_to_lunar(solar) == lunar_date
    assert lunar_to_solar(lunar_date.year, lunar_date.month, lunar_date.day, lunar_date.leap) == solar


@pytest.mark.parametrize(
    ("year", "month", "first_day"),
    [
        (2020, 4, date(2020, 5, 23)),
        (2023, 2, date(2023, 3, 22)),
        (2025, 6, date(2025, 7, 25)),
        (2028, 5, date(2028, 6, 23)),
    ],
)
def test_leap_months(year: int, month: int, first_day: date) -> None:
    assert leap_month(year) == month
    assert solar_to_lunar(first_day) == LunarDate(year, month, 1, True)
    assert lunar_to_solar(year, month, 1, leap=True) == first_day
    # The ordinary month of the same number comes first, about 29–30 days earlier.
    ordinary = lunar_to_solar(year, month, 1)
    assert 29 <= (first_day - ordinary).days <= 30
    assert solar_to_lunar(first_day - timedelta(days=1)).leap is False


@pytest.mark.parametrize("year", [2021, 2022, 2024, 2026, 2027])
def test_years_without_leap_month(year: int) -> None:
    assert leap_month(year) is None
    with pytest.raises(ValueError, match="không có tháng nhuận"):
        lunar_to_solar(year, 3, 1, leap=True)


def test_leap_month_at_the_end_of_2033() -> None:
    # The "2033 problem": the leap month is the 11th, counted in lunar year 2033.
    assert leap_month(2033) == 11
    assert solar_to_lunar(date(2033, 12, 22)) == LunarDate(2033, 11, 1, True)


def test_wrong_leap_month_and_impossible_days() -> None:
    with pytest.raises(ValueError, match="không có tháng 3 nhuận"):
        lunar_to_solar(2025, 3, 1, leap=True)
    assert month_length(2024, 12) == 29
    with pytest.raises(ValueError, match="không tồn tại"):
        lunar_to_solar(2024, 12, 30)
    with pytest.raises(ValueError, match="tháng âm lịch không hợp lệ"):
        lunar_to_solar(2024, 13, 1)


def test_round_trip_every_day_2000_to_2040() -> None:
    d = date(2000, 1, 1)
    previous = solar_to_lunar(d - timedelta(days=1))
    while d < date(2041, 1, 1):
        lunar_date = solar_to_lunar(d)
        assert lunar_to_solar(lunar_date.year, lunar_date.month, lunar_date.day, lunar_date.leap) == d
        # Lunar days advance by one, or restart at 1 when a month begins.
        assert lunar_date.day == previous.day + 1 or (lunar_date.day == 1 and previous.day in (29, 30))
        previous = lunar_date
        d += timedelta(days=1)


def test_str() -> None:
    assert str(LunarDate(2025, 6, 1, True)) == "01/06 nhuận/2025"
    assert str(LunarDate(2025, 1, 1)) == "01/01/2025"
