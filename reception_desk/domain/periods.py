"""Reporting periods: the previous-year comparison and the official cut-off periods.

Dates are inclusive at both ends. The official periodic reports (quý, 6 tháng, 9 tháng, năm) do not
follow calendar quarters: their data run from the 15th of the month before the period to the 14th
of its last month (NĐ 09/2019 cut-off rule, domain notes §8.1), so the first quarter of 2025 is
15/12/2024 → 14/3/2025. The periods are kept as data below so a change of rule is one table edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


def previous_year(d: date) -> date:
    """The same day one year earlier; 29 February becomes 28 February."""
    if d.month == 2 and d.day == 29:
        return date(d.year - 1, 2, 28)
    return d.replace(year=d.year - 1)


def shift_period(start: date, end: date) -> tuple[date, date]:
    """The comparison period of a report: the same dates one year earlier."""
    return previous_year(start), previous_year(end)


class PeriodKind(StrEnum):
    QUARTER = "quarter"
    SIX_MONTHS = "6m"
    NINE_MONTHS = "9m"
    YEAR = "year"


@dataclass(frozen=True)
class PeriodRule:
    """One official period: (year offset, month, day) of its first and last day.

    The offset is relative to the report year: -1 means the year before (the 15 December start).
    """

    kind: PeriodKind
    number: int | None
    code: str
    label: str
    start: tuple[int, int, int]
    end: tuple[int, int, int]

    def dates(self, year: int) -> tuple[date, date]:
        (sy, sm, sd), (ey, em, ed) = self.start, self.end
        return date(year + sy, sm, sd), date(year + ey, em, ed)


OFFICIAL_PERIODS: tuple[PeriodRule, ...] = (
    PeriodRule(PeriodKind.QUARTER, 1, "q1", "Quý I", (-1, 12, 15), (0, 3, 14)),
    PeriodRule(PeriodKind.QUARTER, 2, "q2", "Quý II", (0, 3, 15), (0, 6, 14)),
    PeriodRule(PeriodKind.QUARTER, 3, "q3", "Quý III", (0, 6, 15), (0, 9, 14)),
    PeriodRule(PeriodKind.QUARTER, 4, "q4", "Quý IV", (0, 9, 15), (0, 12, 14)),
    PeriodRule(PeriodKind.SIX_MONTHS, None, "6m", "6 tháng", (-1, 12, 15), (0, 6, 14)),
    PeriodRule(PeriodKind.NINE_MONTHS, None, "9m", "9 tháng", (-1, 12, 15), (0, 9, 14)),
    PeriodRule(PeriodKind.YEAR, None, "year", "Năm", (-1, 12, 15), (0, 12, 14)),
)

PERIOD_CODES: tuple[str, ...] = tuple(rule.code for rule in OFFICIAL_PERIODS)

MIN_YEAR = 1901  # the 15 December start needs the year before to exist
MAX_YEAR = 9999


def period_rule(kind: PeriodKind | str, number: int | None = None) -> PeriodRule:
    """The rule of an official period; ValueError (Vietnamese) for an unknown one."""
    try:
        kind = PeriodKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in PeriodKind)
        raise ValueError(f"loại kỳ báo cáo không hợp lệ “{kind}” (cho phép: {allowed})") from None
    if kind is not PeriodKind.QUARTER:
        if number is not None:
            raise ValueError(f"kỳ báo cáo “{kind.value}” không có số thứ tự")
        number_key = None
    else:
        if number not in (1, 2, 3, 4):
            raise ValueError(f"số quý phải là 1, 2, 3 hoặc 4 (nhận được: {number})")
        number_key = number
    return next(r for r in OFFICIAL_PERIODS if r.kind is kind and r.number == number_key)


def official_period(kind: PeriodKind | str, year: int, number: int | None = None) -> tuple[date, date]:
    """First and last day (inclusive) of an official reporting period of the given report year."""
    rule = period_rule(kind, number)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"năm báo cáo không hợp lệ: {year} (cho phép {MIN_YEAR}–{MAX_YEAR})")
    return rule.dates(year)


def rule_for_code(code: str) -> PeriodRule:
    """The rule named by a short code: q1…q4, 6m, 9m, year (as the CLI and the UI take them)."""
    for rule in OFFICIAL_PERIODS:
        if rule.code == code.strip().lower():
            return rule
    raise ValueError(f"kỳ báo cáo không hợp lệ “{code}” (cho phép: {', '.join(PERIOD_CODES)})")
