"""The Vietnamese lunisolar calendar (âm lịch), computed astronomically.

This is Hồ Ngọc Đức's well-known algorithm: new moons and the sun's longitude after Jean Meeus,
"Astronomical Algorithms" (1998), evaluated at the local time of Vietnam (UTC+7). The rules:

- a lunar month starts on the local day of a new moon;
- month 11 is the month containing the winter solstice;
- a lunar year with 13 months (between two months 11) has a leap month: the first month after
  month 11 that contains no major solar term (trung khí), and it repeats the previous month's number.

Because the day boundary is taken at UTC+7, Vietnam's calendar differs from China's (UTC+8) when a
new moon or solar term falls between 16:00 and 17:00 UTC: Tết 1985 (21 Jan in Vietnam, 20 Feb in
China), 2007 (17 Feb / 18 Feb) and 2030 (2 Feb / 3 Feb). ``tz`` lets callers reproduce either.

Accuracy is that of the algorithm: exact for the years that matter here (1900–2100); it degrades
slowly far outside that range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

VIETNAM_TZ = 7.0
CHINA_TZ = 8.0

_SYNODIC_MONTH = 29.530588853
_JD_NEW_MOON_1900 = 2415021.076998695  # the new moon of 1900-01-01 13:52 UTC, as a Julian day
_JD_ORDINAL_OFFSET = 1721425  # Julian day number of a date = date.toordinal() + this


@dataclass(frozen=True, order=True)
class LunarDate:
    """A day of the lunar calendar; ``leap`` marks a day of the leap (nhuận) month."""

    year: int
    month: int
    day: int
    leap: bool = False

    def __str__(self) -> str:
        return f"{self.day:02d}/{self.month:02d}{' nhuận' if self.leap else ''}/{self.year}"


def _jd(d: date) -> int:
    """Julian day number (proleptic Gregorian, as date.toordinal)."""
    return d.toordinal() + _JD_ORDINAL_OFFSET


def _from_jd(jd: int) -> date:
    return date.fromordinal(jd - _JD_ORDINAL_OFFSET)


def _new_moon(k: int) -> float:
    """Julian day (UTC, fractional) of the k-th new moon after the one of 1900-01-01."""
    t = k / 1236.85
    t2 = t * t
    t3 = t2 * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  # sun's mean anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  # moon's mean anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  # moon's argument of latitude
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 = c1 - 0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(dr * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        deltat = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        deltat = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - deltat


def _sun_longitude(jdn: float) -> float:
    """The sun's apparent longitude in radians (0..2π) at Julian day ``jdn`` (UTC)."""
    t = (jdn - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    lon = (l0 + dl) * dr
    return lon - 2 * math.pi * math.floor(lon / (2 * math.pi))


def _new_moon_day(k: int, tz: float) -> int:
    """Julian day number of the local day on which the k-th new moon falls."""
    return math.floor(_new_moon(k) + 0.5 + tz / 24)


def _sun_sector(day_number: int, tz: float) -> int:
    """Which of the 12 major solar terms (0..11) the sun is in at the start of the local day."""
    return math.floor(_sun_longitude(day_number - 0.5 - tz / 24) / math.pi * 6)


def _month_11_start(year: int, tz: float) -> int:
    """Julian day number of the first day of lunar month 11 (the winter-solstice month) of ``year``."""
    off = _jd(date(year, 12, 31)) - 2415021
    k = math.floor(off / _SYNODIC_MONTH)
    nm = _new_moon_day(k, tz)
    if _sun_sector(nm, tz) >= 9:  # that new moon is after the solstice: take the previous one
        nm = _new_moon_day(k - 1, tz)
    return nm


def _leap_month_offset(a11: int, tz: float) -> int:
    """Months after month 11 (starting at ``a11``) until the first month without a major term."""
    k = math.floor((a11 - _JD_NEW_MOON_1900) / _SYNODIC_MONTH + 0.5)
    i = 1
    arc = _sun_sector(_new_moon_day(k + i, tz), tz)
    while True:
        last = arc
        i += 1
        arc = _sun_sector(_new_moon_day(k + i, tz), tz)
        if arc == last or i >= 14:
            break
    return i - 1


def solar_to_lunar(d: date, tz: float = VIETNAM_TZ) -> LunarDate:
    """The lunar date of the solar (Gregorian) date ``d``."""
    day_number = _jd(d)
    k = math.floor((day_number - _JD_NEW_MOON_1900) / _SYNODIC_MONTH)
    month_start = _new_moon_day(k + 1, tz)
    if month_start > day_number:
        month_start = _new_moon_day(k, tz)
    a11 = _month_11_start(d.year, tz)
    b11 = a11
    if a11 >= month_start:
        lunar_year = d.year
        a11 = _month_11_start(d.year - 1, tz)
    else:
        lunar_year = d.year + 1
        b11 = _month_11_start(d.year + 1, tz)
    lunar_day = day_number - month_start + 1
    diff = math.floor((month_start - a11) / 29)
    leap = False
    lunar_month = diff + 11
    if b11 - a11 > 365:  # 13 lunar months between the two months 11: one is a leap month
        leap_diff = _leap_month_offset(a11, tz)
        if diff >= leap_diff:
            lunar_month = diff + 10
            leap = diff == leap_diff
    if lunar_month > 12:
        lunar_month -= 12
    if lunar_month >= 11 and diff < 4:
        lunar_year -= 1
    return LunarDate(lunar_year, lunar_month, lunar_day, leap)


def _month_start(year: int, month: int, leap: bool, tz: float) -> int:
    """Julian day number of the first day of the lunar month, or ValueError if it does not exist."""
    if not 1 <= month <= 12:
        raise ValueError(f"tháng âm lịch không hợp lệ: {month}")
    if month < 11:
        a11 = _month_11_start(year - 1, tz)
        b11 = _month_11_start(year, tz)
    else:
        a11 = _month_11_start(year, tz)
        b11 = _month_11_start(year + 1, tz)
    k = math.floor(0.5 + (a11 - _JD_NEW_MOON_1900) / _SYNODIC_MONTH)
    off = month - 11
    if off < 0:
        off += 12
    if b11 - a11 > 365:
        leap_off = _leap_month_offset(a11, tz)
        leap_month = leap_off - 2
        if leap_month <= 0:
            leap_month += 12
        if leap and month != leap_month:
            raise ValueError(f"năm âm lịch {year} không có tháng {month} nhuận")
        if leap or off >= leap_off:
            off += 1
    elif leap:
        raise ValueError(f"năm âm lịch {year} không có tháng nhuận")
    return _new_moon_day(k + off, tz)


def month_length(year: int, month: int, leap: bool = False, tz: float = VIETNAM_TZ) -> int:
    """29 or 30: the number of days of a lunar month."""
    start = _month_start(year, month, leap, tz)
    k = math.floor((start - _JD_NEW_MOON_1900) / _SYNODIC_MONTH + 0.5)
    nxt = next(n for n in (_new_moon_day(k + j, tz) for j in range(0, 3)) if n > start)
    return nxt - start


def lunar_to_solar(year: int, month: int, day: int, leap: bool = False, tz: float = VIETNAM_TZ) -> date:
    """The solar date of a lunar date; ValueError if that lunar date does not exist."""
    start = _month_start(year, month, leap, tz)
    if not 1 <= day <= month_length(year, month, leap, tz):
        raise ValueError(f"ngày âm lịch không tồn tại: {LunarDate(year, month, day, leap)}")
    return _from_jd(start + day - 1)


def leap_month(year: int, tz: float = VIETNAM_TZ) -> int | None:
    """The number of the leap month of lunar year ``year`` (the year starting with its Tết), if any."""
    a11, b11 = _month_11_start(year - 1, tz), _month_11_start(year, tz)
    if b11 - a11 > 365:
        off = _leap_month_offset(a11, tz)
        if off >= 3:  # offsets 1 and 2 are months 11/12 of the previous lunar year
            return off - 2
    c11 = _month_11_start(year + 1, tz)
    if c11 - b11 > 365:
        off = _leap_month_offset(b11, tz)
        if off <= 2:  # a leap month 11 or 12 at the end of this lunar year (e.g. 2033)
            return off + 10
    return None


def tet(year: int, tz: float = VIETNAM_TZ) -> date:
    """Mùng 1 Tết: the first day of the lunar year that starts in solar year ``year``."""
    return lunar_to_solar(year, 1, 1, False, tz)


def hung_kings_day(year: int, tz: float = VIETNAM_TZ) -> date:
    """Giỗ Tổ Hùng Vương: the 10th day of the 3rd lunar month (never a leap month by law)."""
    return lunar_to_solar(year, 3, 10, False, tz)
