"""Pure date rules of the reports: previous-year shift and the official cut-off periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reception_desk.domain.periods import (
    OFFICIAL_PERIODS,
    PERIOD_CODES,
    PeriodKind,
    official_period,
    previous_year,
    rule_for_code,
    shift_period,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 6, 14), date(2024, 6, 14)),
        (date(2025, 1, 1), date(2024, 1, 1)),
        (date(2024, 2, 29), date(2023, 2, 28)),
        (date(2024, 2, 28), date(2023, 2, 28)),
        (date(2025, 3, 1), date(2024, 3, 1)),
        (date(2025, 2, 28), date(2024, 2, 28)),  # a leap year before: 28 stays 28, not 29
        (date(2025, 12, 31), date(2024, 12, 31)),
    ],
)
def test_previous_year(day: date, expected: date) -> None:
    assert previous_year(day) == expected


def test_shift_period_of_february_in_a_leap_year() -> None:
    assert shift_period(date(2024, 2, 1), date(2024, 2, 29)) == (date(2023, 2, 1), date(2023, 2, 28))
    assert shift_period(date(2024, 2, 29), date(2024, 2, 29)) == (date(2023, 2, 28), date(2023, 2, 28))
    assert shift_period(date(2025, 3, 15), date(2025, 6, 14)) == (date(2024, 3, 15), date(2024, 6, 14))


# The table of domain notes §8.1, written out for one year (2025) and checked rule by rule.
OFFICIAL_2025 = [
    ("quarter", 1, date(2024, 12, 15), date(2025, 3, 14)),
    ("quarter", 2, date(2025, 3, 15), date(2025, 6, 14)),
    ("quarter", 3, date(2025, 6, 15), date(2025, 9, 14)),
    ("quarter", 4, date(2025, 9, 15), date(2025, 12, 14)),
    ("6m", None, date(2024, 12, 15), date(2025, 6, 14)),
    ("9m", None, date(2024, 12, 15), date(2025, 9, 14)),
    ("year", None, date(2024, 12, 15), date(2025, 12, 14)),
]


@pytest.mark.parametrize(("kind", "number", "start", "end"), OFFICIAL_2025)
def test_official_periods_2025(kind: str, number: int | None, start: date, end: date) -> None:
    assert official_period(kind, 2025, number) == (start, end)


def test_official_periods_2024_is_a_leap_year_without_surprises() -> None:
    assert official_period(PeriodKind.QUARTER, 2024, 1) == (date(2023, 12, 15), date(2024, 3, 14))
    assert official_period(PeriodKind.YEAR, 2024) == (date(2023, 12, 15), date(2024, 12, 14))


def test_quarters_tile_the_year_without_gap_or_overlap() -> None:
    for year in (2023, 2024, 2025):
        quarters = [official_period("quarter", year, n) for n in (1, 2, 3, 4)]
        assert quarters[0][0] == official_period("year", year)[0]
        assert quarters[-1][1] == official_period("year", year)[1]
        for (_, end), (start, _) in zip(quarters, quarters[1:], strict=False):
            assert start == end + timedelta(days=1)
        # next year's first quarter starts the day after this year's fourth ends
        assert official_period("quarter", year + 1, 1)[0] == quarters[-1][1] + timedelta(days=1)
        assert official_period("6m", year)[1] == quarters[1][1]
        assert official_period("9m", year)[1] == quarters[2][1]


def test_codes_name_every_rule() -> None:
    assert PERIOD_CODES == ("q1", "q2", "q3", "q4", "6m", "9m", "year")
    for rule in OFFICIAL_PERIODS:
        assert rule_for_code(rule.code.upper()) is rule
        assert rule.dates(2025) == official_period(rule.kind, 2025, rule.number)
    assert rule_for_code("q3").label == "Quý III"


@pytest.mark.parametrize(
    ("kind", "number", "message"),
    [
        ("quarter", None, "số quý"),
        ("quarter", 5, "số quý"),
        ("6m", 1, "không có số thứ tự"),
        ("month", None, "loại kỳ báo cáo không hợp lệ"),
    ],
)
def test_bad_periods_are_refused_in_vietnamese(kind: str, number: int | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        official_period(kind, 2025, number)


def test_bad_code_and_year() -> None:
    with pytest.raises(ValueError, match="kỳ báo cáo không hợp lệ"):
        rule_for_code("q5")
    with pytest.raises(ValueError, match="năm báo cáo không hợp lệ"):
        official_period("year", 1900)
