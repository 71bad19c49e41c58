"""Working days of a Vietnamese state office: weekends, public holidays, nghỉ bù, làm bù.

Two sources decide whether a day is a day off (see docs/calendar.md):

1. Overrides: the schedules the government announced for a year (``source="official"``, shipped
   in db/reference/calendar.csv) and an administrator's edits (``source="admin"``). An admin row
   wins over everything for its date. A year with at least one official row is decided by the
   official rows plus ordinary weekends only — the announcement already says which days are off,
   compensated (nghỉ bù) or swapped (hoán đổi, làm bù on a Saturday).
2. The formula, for years the government has not announced yet: Saturdays and Sundays, plus the
   holidays of Bộ luật Lao động 2019 Điều 112 khoản 1 (Tết Dương lịch; Tết Âm lịch 5 days — the
   last day of the old lunar year and mùng 1–4; Giỗ Tổ Hùng Vương 10/3 âm lịch; 30/4; 1/5;
   Quốc khánh 2/9 and one adjacent day) and, for each holiday falling on a Saturday or Sunday,
   one compensatory day (nghỉ bù, Điều 111 khoản 3) on the next working day. The formula never
   invents swaps: the government decides those each year.

Counting rule: ``add_working_days(d, n)`` is the n-th working day after ``d`` — ``d`` itself is
never counted (Bộ luật Dân sự 2015 Điều 147: a period starts the day after the event), so a
petition received on ``d`` with a limit of n working days is due on ``add_working_days(d, n)``,
whether ``d`` was a working day or not. ``n = 0`` returns ``d``; a negative ``n`` counts back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from reception_desk.domain import lunar

OFFICIAL = "official"
ADMIN = "admin"

# The formula and the lunar algorithm are trusted within these years (the CLI checks them).
MIN_YEAR = 1900
MAX_YEAR = 2199
# add_working_days refuses longer counts: no statutory limit comes near ten years.
MAX_COUNT = 3660

# Bộ luật Lao động 2019 (in force 01/01/2021) gave Quốc khánh a second day; before that, one day.
_TWO_DAY_NATIONAL_DAY_FROM = 2021

NEW_YEAR = "Tết Dương lịch"
FIRST_OF_TET = "Mùng 1 Tết"
HUNG_KINGS = "Giỗ Tổ Hùng Vương"
REUNIFICATION = "Ngày Chiến thắng (30/4)"
LABOUR_DAY = "Quốc tế Lao động (1/5)"
NATIONAL_DAY = "Quốc khánh (2/9)"
COMPENSATION_PREFIX = "Nghỉ bù"


@dataclass(frozen=True)
class Override:
    """One row of calendar_day: ``day`` is a day off (``is_day_off``) or a working day."""

    day: date
    is_day_off: bool
    name: str
    source: str = OFFICIAL


OverrideLike = Override | tuple


def _as_override(row: OverrideLike) -> Override:
    if isinstance(row, Override):
        return row
    return Override(*row)


def is_weekend(d: date) -> bool:
    return d.weekday() >= 5


def tet_day_name(d: date) -> str:
    """The traditional name of a day around Tết: ``Mùng 1 Tết``, ``28 Tết``, ``30 Tết (Tất niên)``."""
    lunar_day = lunar.solar_to_lunar(d)
    if lunar_day.month == 1 and not lunar_day.leap:
        if lunar_day.day <= 10:
            return f"Mùng {lunar_day.day} Tết"
        return f"{lunar_day.day} tháng Giêng"
    if lunar_day.month == 12:
        next_day = lunar.solar_to_lunar(d + timedelta(days=1))
        if next_day.month == 1 and next_day.day == 1:
            return f"{lunar_day.day} Tết (Tất niên)"
        return f"{lunar_day.day} Tết"
    return f"{lunar_day.day}/{lunar_day.month}{' nhuận' if lunar_day.leap else ''} âm lịch"


def national_day_adjacent(year: int) -> date:
    """The second Quốc khánh day: the neighbour of 2/9 that joins the holiday to a weekend.

    Government practice 2021–2026: 2/9 on Monday → 3/9; Tuesday, Wednesday (2026), Friday or
    Saturday → 1/9; Thursday → 3/9. For Sunday 3/9 (Monday) is taken so the day is not lost.
    """
    sept2 = date(year, 9, 2)
    weekday = sept2.weekday()  # Monday = 0
    if weekday in (0, 3, 6):
        return sept2 + timedelta(days=1)
    return sept2 - timedelta(days=1)


@lru_cache(maxsize=512)
def statutory_days_off(year: int) -> tuple[tuple[date, str], ...]:
    """The formula's days off of a year besides ordinary weekends, sorted, with their names.

    Holidays that fall on a weekend are included (they are named days off), followed by their
    nghỉ bù on the next day that is neither a weekend, a holiday nor an earlier nghỉ bù.
    """
    holidays: list[tuple[date, str]] = [(date(year, 1, 1), NEW_YEAR)]
    first = lunar.tet(year)
    for offset in range(-1, 4):  # the last day of the old year and mùng 1–4
        day = first + timedelta(days=offset)
        holidays.append((day, tet_day_name(day)))
    holidays += [
        (lunar.hung_kings_day(year), HUNG_KINGS),
        (date(year, 4, 30), REUNIFICATION),
        (date(year, 5, 1), LABOUR_DAY),
        (date(year, 9, 2), NATIONAL_DAY),
    ]
    if year >= _TWO_DAY_NATIONAL_DAY_FROM:
        adjacent = national_day_adjacent(year)
        holidays.append((adjacent, f"Quốc khánh ({adjacent.day}/9, ngày liền kề)"))
    holidays.sort(key=lambda item: item[0])
    result: dict[date, str] = {}
    lost: list[tuple[date, str]] = []  # holidays on a weekend or on another holiday (Giỗ Tổ = 30/4 in 1947)
    for day, name in holidays:
        if day in result:
            lost.append((day, name))
            continue
        result[day] = name
        if is_weekend(day):
            lost.append((day, name))
    for day, name in lost:
        comp = day + timedelta(days=1)
        while is_weekend(comp) or comp in result:
            comp += timedelta(days=1)
        result[comp] = f"{COMPENSATION_PREFIX} {name}"
    return tuple(sorted(result.items()))


class WorkCalendar:
    """Which days a state office works; pure, built from overrides (see the module docstring)."""

    def __init__(self, overrides: Iterable[OverrideLike] = (), official_years: Iterable[int] | None = None):
        self._official: dict[date, Override] = {}
        self._admin: dict[date, Override] = {}
        for raw in overrides:
            row = _as_override(raw)
            (self._admin if row.source == ADMIN else self._official)[row.day] = row
        years = {d.year for d in self._official}
        if official_years is not None:
            years |= set(official_years)
        self._official_years = frozenset(years)

    @property
    def official_years(self) -> frozenset[int]:
        return self._official_years

    def _status(self, d: date) -> tuple[bool, str | None]:
        """(is the office closed, the day's name if it is a named day)."""
        row = self._admin.get(d)
        if row is None and d.year in self._official_years:
            row = self._official.get(d)
        if row is not None:
            return row.is_day_off, row.name
        if d.year not in self._official_years:
            name = _formula_map(d.year).get(d)
            if name is not None:
                return True, name
        return is_weekend(d), None

    def is_working_day(self, d: date) -> bool:
        return not self._status(d)[0]

    def name_of(self, d: date) -> str | None:
        """The name of a holiday, nghỉ bù, làm bù or admin-edited day; None for ordinary days."""
        return self._status(d)[1]

    def next_working_day(self, d: date) -> date:
        """``d`` if it is a working day, otherwise the first working day after it."""
        steps = 0
        while not self.is_working_day(d):
            d += timedelta(days=1)
            steps += 1
            if steps > 366:
                raise ValueError("không có ngày làm việc nào trong một năm sau ngày đã cho")
        return d

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (before it when ``n`` < 0); ``d`` itself never counts."""
        if abs(n) > MAX_COUNT:
            raise ValueError(f"số ngày làm việc quá lớn (tối đa {MAX_COUNT})")
        step = timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        idle = 0
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
                idle = 0
            else:
                idle += 1
                if idle > 366:  # an admin closed a whole year: do not loop for ever
                    raise ValueError("không có ngày làm việc nào trong một năm liên tiếp")
        return d

    @staticmethod
    def add_calendar_days(d: date, n: int) -> date:
        """Plain calendar arithmetic: ``d`` + n days (deadline rules roll a day off forward)."""
        return d + timedelta(days=n)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if ``end`` <= ``start``)."""
        count = 0
        d = start
        while d < end:
            d += timedelta(days=1)
            if self.is_working_day(d):
                count += 1
        return count

    def days_off(self, year: int) -> list[tuple[date, str]]:
        """Every named day off of ``year``, sorted — what ``workdays holidays YEAR`` prints.

        Listed: every weekday on which offices are closed (holidays, nghỉ bù, swapped days, admin
        days off), every holiday falling on a weekend (it is what a nghỉ bù compensates), and every
        date of the Tết break — the run of consecutive days off around Mùng 1 Tết, weekends
        included, each named after its lunar date (``28 Tết``, ``Mùng 1 Tết``, …). Ordinary
        weekends are not listed.
        """
        result: dict[date, str] = {}
        d = date(year, 1, 1)
        end = date(year, 12, 31)
        while d <= end:
            closed, name = self._status(d)
            if closed and (name is not None or not is_weekend(d)):
                result[d] = name or "Ngày nghỉ"
            d += timedelta(days=1)
        for day in self._tet_break(year):
            if day.year == year:
                result.setdefault(day, tet_day_name(day))
        return sorted(result.items())

    def _tet_break(self, year: int) -> list[date]:
        first = lunar.tet(year)
        if self.is_working_day(first):
            return []
        start = first
        while not self.is_working_day(start - timedelta(days=1)) and first - start < timedelta(days=20):
            start -= timedelta(days=1)
        stop = first
        while not self.is_working_day(stop + timedelta(days=1)) and stop - first < timedelta(days=20):
            stop += timedelta(days=1)
        return [start + timedelta(days=i) for i in range((stop - start).days + 1)]


@lru_cache(maxsize=512)
def _formula_map(year: int) -> Mapping[date, str]:
    return MappingProxyType(dict(statutory_days_off(year)))
