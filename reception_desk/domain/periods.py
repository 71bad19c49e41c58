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
    ``title`` names the period of a report year as reports write it ("Quý I/{year}",
    "6 tháng đầu năm {year}"), lower case where it is not a proper start ("năm {year}").
    """

    kind: PeriodKind
    number: int | None
    code: str
    label: str
    start: tuple[int, int, int]
    end: tuple[int, int, int]
    title: str = "{year}"

    def dates(self, year: int) -> tuple[date, date]:
        (sy, sm, sd), (ey, em, ed) = self.start, self.end
        return date(year + sy, sm, sd), date(year + ey, em, ed)

    def name(self, year: int) -> str:
        return self.title.format(year=year)


# The periodic reports of TT 06/2025/TT-TTCP (quý, 6 tháng, 9 tháng, năm; as TT 02/2021) with the
# NĐ 09/2019 data cut-off its preamble cites (domain notes §8.1 ⚠: confirm against the circular).
REPORTING_BASIS = "TT 06/2025/TT-TTCP; kỳ số liệu theo NĐ 09/2019/NĐ-CP"

OFFICIAL_PERIODS: tuple[PeriodRule, ...] = (
    PeriodRule(PeriodKind.QUARTER, 1, "q1", "Quý I", (-1, 12, 15), (0, 3, 14), "Quý I/{year}"),
    PeriodRule(PeriodKind.QUARTER, 2, "q2", "Quý II", (0, 3, 15), (0, 6, 14), "Quý II/{year}"),
    PeriodRule(PeriodKind.QUARTER, 3, "q3", "Quý III", (0, 6, 15), (0, 9, 14), "Quý III/{year}"),
    PeriodRule(PeriodKind.QUARTER, 4, "q4", "Quý IV", (0, 9, 15), (0, 12, 14), "Quý IV/{year}"),
    PeriodRule(PeriodKind.SIX_MONTHS, None, "6m", "6 tháng", (-1, 12, 15), (0, 6, 14), "6 tháng đầu năm {year}"),
    PeriodRule(PeriodKind.NINE_MONTHS, None, "9m", "9 tháng", (-1, 12, 15), (0, 9, 14), "9 tháng năm {year}"),
    PeriodRule(PeriodKind.YEAR, None, "year", "Năm", (-1, 12, 15), (0, 12, 14), "năm {year}"),
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


# --- the period picker -------------------------------------------------------------------------

FREE_RANGE = "range"  # the code of a period chosen by its two dates


def format_day(day: date) -> str:
    """dd/mm/yyyy, as reports print dates."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


@dataclass(frozen=True)
class ReportPeriod:
    """A period a report covers, as the picker offers it and the report names it.

    ``code`` is an official rule's code (q1…q4, 6m, 9m, year) or ``FREE_RANGE``; ``year`` is the
    report year of an official period (None for a free range). ``name`` is how the narrative
    names it ("Quý I/2025", "6 tháng đầu năm 2025", "năm 2025", "từ ngày 01/01/2025 đến ngày
    31/03/2025"); ``label`` is what the picker shows ("Quý I/2025 (15/12/2024 – 14/03/2025)").
    """

    code: str
    year: int | None
    start: date
    end: date
    name: str

    @property
    def is_official(self) -> bool:
        return self.code != FREE_RANGE

    @property
    def label(self) -> str:
        if not self.is_official:
            return capitalize_first(self.name)
        return f"{capitalize_first(self.name)} ({format_day(self.start)} – {format_day(self.end)})"

    @property
    def sentence_name(self) -> str:
        """The name at the start of a sentence: "Năm 2025", "Từ ngày … đến ngày …"."""
        return capitalize_first(self.name)


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"năm báo cáo không hợp lệ: {year} (cho phép {MIN_YEAR}–{MAX_YEAR})")


def official_report_period(code: str, year: int) -> ReportPeriod:
    """The official period ``code`` (q1…q4, 6m, 9m, year) of report ``year``."""
    rule = rule_for_code(code)
    _check_year(year)
    start, end = rule.dates(year)
    return ReportPeriod(rule.code, year, start, end, rule.name(year))


def period_choices(year: int) -> list[ReportPeriod]:
    """The official periods of a report year, in the order the picker lists them."""
    return [official_report_period(rule.code, year) for rule in OFFICIAL_PERIODS]


def free_period(start: date, end: date) -> ReportPeriod:
    """A period chosen by its dates (inclusive); ValueError (Vietnamese) when end < start."""
    if end < start:
        raise ValueError(f"ngày kết thúc ({format_day(end)}) trước ngày bắt đầu ({format_day(start)})")
    return ReportPeriod(FREE_RANGE, None, start, end,
                        f"từ ngày {format_day(start)} đến ngày {format_day(end)}")


def describe_period(start: date, end: date) -> ReportPeriod:
    """The official period with exactly these dates, or else the free range.

    A 15 December start belongs to the next report year (Q1, 6 months, 9 months and the year all
    start on 15/12 of the year before); the end date tells them apart.
    """
    for year in {end.year, start.year + 1, start.year}:
        if not MIN_YEAR <= year <= MAX_YEAR:
            continue
        for rule in OFFICIAL_PERIODS:
            if rule.dates(year) == (start, end):
                return ReportPeriod(rule.code, year, start, end, rule.name(year))
    return free_period(start, end)
