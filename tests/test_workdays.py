"""Working days: a golden table over the announced years 2020–2026 and the formula after them."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select

from reception_desk.domain.deadlines import DeadlineRule, applicable, compute, parse_applies_to
from reception_desk.domain.enums import DayType
from reception_desk.domain.workdays import (
    ADMIN,
    Override,
    WorkCalendar,
    is_weekend,
    national_day_adjacent,
    statutory_days_off,
)
from reception_desk.services import workdays as service
from reception_desk.services.errors import NotFoundError, ValidationError
from reception_desk.storage import reference
from reception_desk.storage.models import AuditEvent, CalendarDay

D = date


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    """The shipped calendar: db/reference/calendar.csv over the formula."""
    return service.builtin_calendar()


# (start, n, expected): the n-th working day after start.
GOLDEN = [
    # Tết windows: the last working day before the break + 1 = the first working day after it.
    (D(2020, 1, 22), 1, D(2020, 1, 30)),  # 23/01–29/01/2020
    (D(2021, 2, 9), 1, D(2021, 2, 17)),  # 10/02–16/02/2021
    (D(2022, 1, 28), 1, D(2022, 2, 7)),  # 29/01–06/02/2022
    (D(2023, 1, 19), 1, D(2023, 1, 27)),  # 20/01–26/01/2023
    (D(2024, 2, 7), 1, D(2024, 2, 15)),  # 08/02–14/02/2024
    (D(2025, 1, 24), 1, D(2025, 2, 3)),  # 25/01–02/02/2025
    (D(2026, 2, 13), 1, D(2026, 2, 23)),  # 14/02–22/02/2026
    (D(2027, 2, 4), 1, D(2027, 2, 12)),  # formula: 29 Tết (Fri 5/2) … mùng 4 + 2 nghỉ bù
    (D(2025, 1, 24), 5, D(2025, 2, 7)),
    # Make-up Saturdays (làm bù) are working days.
    (D(2024, 5, 3), 1, D(2024, 5, 4)),
    (D(2024, 4, 26), 1, D(2024, 5, 2)),  # 27/04–01/05/2024 closed (29/04 swapped)
    (D(2025, 4, 25), 1, D(2025, 4, 26)),
    (D(2025, 4, 29), 1, D(2025, 5, 5)),  # 30/04–04/05/2025 closed (02/05 swapped)
    (D(2026, 1, 9), 1, D(2026, 1, 10)),
    (D(2026, 8, 21), 1, D(2026, 8, 22)),
    (D(2026, 8, 28), 1, D(2026, 9, 3)),  # 29/08–02/09/2026 closed (31/08 swapped)
    # Year ends.
    (D(2024, 12, 31), 1, D(2025, 1, 2)),
    (D(2021, 12, 31), 1, D(2022, 1, 4)),  # 1/1/2022 Saturday → nghỉ bù Monday 3/1
    (D(2022, 12, 30), 1, D(2023, 1, 3)),  # 1/1/2023 Sunday → nghỉ bù Monday 2/1
    (D(2025, 12, 31), 1, D(2026, 1, 5)),  # 1/1/2026 + swapped 2/1, into the announced 2026
    (D(2026, 12, 31), 1, D(2027, 1, 4)),  # into a formula year
    (D(2025, 1, 2), -1, D(2024, 12, 31)),
    (D(2023, 1, 3), -1, D(2022, 12, 30)),
    # Leap years.
    (D(2024, 2, 28), 1, D(2024, 2, 29)),
    (D(2024, 2, 29), 1, D(2024, 3, 1)),
    (D(2028, 2, 25), 2, D(2028, 2, 29)),
    (D(2028, 2, 28), 1, D(2028, 2, 29)),
    # Starting on a holiday or a weekend: the start never counts.
    (D(2025, 1, 29), 1, D(2025, 2, 3)),  # Mùng 1 Tết
    (D(2025, 4, 7), 1, D(2025, 4, 8)),  # Giỗ Tổ
    (D(2025, 5, 3), 1, D(2025, 5, 5)),  # Saturday
    (D(2025, 5, 3), 0, D(2025, 5, 3)),  # n = 0 is the start itself
    (D(2025, 2, 3), -1, D(2025, 1, 24)),
    # A petition received Thursday 27/03/2025 with 10 working days (Giỗ Tổ 07/04 skipped).
    (D(2025, 3, 27), 10, D(2025, 4, 11)),
    (D(2025, 4, 25), 7, D(2025, 5, 8)),  # Saturday 26/04 counts, 30/04–04/05 does not
]


@pytest.mark.parametrize(("start", "n", "expected"), GOLDEN)
def test_add_working_days(cal: WorkCalendar, start: date, n: int, expected: date) -> None:
    assert cal.add_working_days(start, n) == expected


# (day, is a working day): days off and the days around them.
DAYS = [
    (D(2023, 1, 27), True),  # the formula would have given a nghỉ bù; the 2023 announcement did not
    (D(2020, 1, 23), False),
    (D(2020, 1, 30), True),
    (D(2024, 5, 4), True),  # Saturday, làm bù
    (D(2024, 4, 29), False),  # Monday, swapped
    (D(2025, 4, 26), True),
    (D(2025, 5, 2), False),
    (D(2026, 1, 10), True),
    (D(2026, 1, 2), False),
    (D(2026, 8, 22), True),
    (D(2026, 8, 31), False),
    (D(2024, 2, 29), True),
    (D(2028, 2, 29), True),
    # Quốc khánh and its adjacent day.
    (D(2020, 9, 1), True),  # Bộ luật Lao động 2012: one day only
    (D(2020, 9, 3), True),
    (D(2021, 9, 3), False),
    (D(2022, 9, 1), False),
    (D(2023, 9, 1), False),
    (D(2023, 9, 4), False),  # nghỉ bù for Saturday 2/9
    (D(2024, 9, 3), False),
    (D(2025, 9, 1), False),
    (D(2025, 9, 3), True),
    (D(2026, 9, 1), False),
    (D(2026, 9, 3), True),
    (D(2027, 9, 3), False),  # formula: Thursday 2/9 → Friday 3/9
    (D(2028, 9, 1), False),  # formula: Saturday 2/9 → Friday 1/9 …
    (D(2028, 9, 4), False),  # … and nghỉ bù Monday 4/9
    (D(2029, 9, 3), False),  # formula: Sunday 2/9 → Monday 3/9 …
    (D(2029, 9, 4), False),  # … and nghỉ bù Tuesday 4/9
    # Compensatory days (nghỉ bù).
    (D(2021, 5, 3), False),
    (D(2022, 1, 3), False),
    (D(2022, 4, 11), False),
    (D(2022, 5, 2), False),
    (D(2022, 5, 3), False),
    (D(2023, 5, 2), False),
    (D(2023, 5, 3), False),
    (D(2023, 5, 4), True),
    (D(2026, 4, 27), False),
    (D(2027, 5, 3), False),  # formula: 1/5/2027 is a Saturday
    (D(2028, 1, 3), False),  # formula: 1/1/2028 is a Saturday
    (D(2028, 5, 2), False),  # formula: 30/4/2028 is a Sunday
    (D(2027, 4, 16), False),  # formula: Giỗ Tổ 2027
]


@pytest.mark.parametrize(("day", "working"), DAYS)
def test_is_working_day(cal: WorkCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


@pytest.mark.parametrize("year", range(2020, 2061))
def test_every_year_has_its_statutory_days(cal: WorkCalendar, year: int) -> None:
    """Weekdays closed minus Saturdays worked = the Labour Code's holidays (10 before 2021, then 11)."""
    closed = worked = 0
    day = date(year, 1, 1)
    while day.year == year:
        working = cal.is_working_day(day)
        closed += not working and not is_weekend(day)
        worked += working and is_weekend(day)
        day += timedelta(days=1)
    assert closed - worked == (10 if year < 2021 else 11)


@pytest.mark.parametrize("year", range(2020, 2036))
def test_first_day_of_tet_is_named(cal: WorkCalendar, year: int) -> None:
    names = dict(cal.days_off(year))
    assert sum(1 for n in names.values() if n == "Mùng 1 Tết") == 1
    first = next(d for d, n in names.items() if n == "Mùng 1 Tết")
    assert cal.name_of(first) == "Mùng 1 Tết"
    assert not cal.is_working_day(first)


def test_days_off_2025(cal: WorkCalendar) -> None:
    assert cal.days_off(2025) == [
        (D(2025, 1, 1), "Tết Dương lịch"),
        (D(2025, 1, 25), "26 Tết"),
        (D(2025, 1, 26), "27 Tết"),
        (D(2025, 1, 27), "28 Tết"),
        (D(2025, 1, 28), "29 Tết (Tất niên)"),
        (D(2025, 1, 29), "Mùng 1 Tết"),
        (D(2025, 1, 30), "Mùng 2 Tết"),
        (D(2025, 1, 31), "Mùng 3 Tết"),
        (D(2025, 2, 1), "Mùng 4 Tết"),
        (D(2025, 2, 2), "Mùng 5 Tết"),
        (D(2025, 4, 7), "Giỗ Tổ Hùng Vương"),
        (D(2025, 4, 30), "Ngày Chiến thắng (30/4)"),
        (D(2025, 5, 1), "Quốc tế Lao động (1/5)"),
        (D(2025, 5, 2), "Nghỉ hoán đổi (làm bù thứ Bảy 26/04/2025)"),
        (D(2025, 9, 1), "Quốc khánh (1/9, ngày liền kề)"),
        (D(2025, 9, 2), "Quốc khánh (2/9)"),
    ]


def test_days_off_of_a_formula_year(cal: WorkCalendar) -> None:
    assert cal.days_off(2027) == [
        (D(2027, 1, 1), "Tết Dương lịch"),
        (D(2027, 2, 5), "29 Tết (Tất niên)"),
        (D(2027, 2, 6), "Mùng 1 Tết"),
        (D(2027, 2, 7), "Mùng 2 Tết"),
        (D(2027, 2, 8), "Mùng 3 Tết"),
        (D(2027, 2, 9), "Mùng 4 Tết"),
        (D(2027, 2, 10), "Nghỉ bù Mùng 1 Tết"),
        (D(2027, 2, 11), "Nghỉ bù Mùng 2 Tết"),
        (D(2027, 4, 16), "Giỗ Tổ Hùng Vương"),
        (D(2027, 4, 30), "Ngày Chiến thắng (30/4)"),
        (D(2027, 5, 1), "Quốc tế Lao động (1/5)"),
        (D(2027, 5, 3), "Nghỉ bù Quốc tế Lao động (1/5)"),
        (D(2027, 9, 2), "Quốc khánh (2/9)"),
        (D(2027, 9, 3), "Quốc khánh (3/9, ngày liền kề)"),
    ]


def test_weekends_around_tet_are_part_of_the_break(cal: WorkCalendar) -> None:
    # 2029: mùng 1 is Tuesday 13/02, the break starts Monday 12/02, so Saturday and Sunday join it.
    names = dict(cal.days_off(2029))
    assert names[D(2029, 2, 10)].endswith("Tết")
    assert names[D(2029, 2, 11)].endswith("Tết")
    assert names[D(2029, 2, 12)].endswith("Tết (Tất niên)")
    # Other ordinary weekends are not listed, even next to a holiday.
    assert D(2025, 5, 3) not in dict(cal.days_off(2025))


def test_holiday_on_a_weekend_is_listed_with_its_nghi_bu(cal: WorkCalendar) -> None:
    names = dict(cal.days_off(2022))
    assert names[D(2022, 1, 1)] == "Tết Dương lịch"
    assert names[D(2022, 1, 3)] == "Nghỉ bù Tết Dương lịch"
    assert names[D(2022, 4, 10)] == "Giỗ Tổ Hùng Vương"


def test_adjacent_national_day_follows_practice() -> None:
    expected = {2021: 3, 2022: 1, 2023: 1, 2024: 3, 2025: 1, 2026: 1}
    assert {y: national_day_adjacent(y).day for y in expected} == expected


def test_statutory_formula_reproduces_announcements_without_swaps(cal: WorkCalendar) -> None:
    """Where the government only applied the Labour Code, the formula agrees with its table."""
    for year in (2021, 2022, 2023, 2024, 2025, 2026):
        formula = {d for d, _ in statutory_days_off(year) if d.month >= 4}  # after Tết
        announced = {d for d in formula if not cal.is_working_day(d)}
        assert announced == formula, year


def test_admin_day_off_is_skipped() -> None:
    base = service.builtin_calendar()
    assert base.add_working_days(D(2027, 2, 11), 1) == D(2027, 2, 12)
    edited = WorkCalendar(
        [*_shipped(), Override(D(2027, 2, 12), True, "Nghỉ thêm Tết", ADMIN)]
    )
    assert not edited.is_working_day(D(2027, 2, 12))
    assert edited.add_working_days(D(2027, 2, 11), 1) == D(2027, 2, 15)
    assert edited.name_of(D(2027, 2, 12)) == "Nghỉ thêm Tết"
    assert (D(2027, 2, 12), "Nghỉ thêm Tết") in edited.days_off(2027)


def test_admin_edit_wins_over_announced_and_formula_days() -> None:
    edited = WorkCalendar([
        *_shipped(),
        Override(D(2025, 5, 2), False, "Đi làm", ADMIN),  # an announced day off
        Override(D(2027, 9, 3), False, "Đi làm", ADMIN),  # a formula day off
        (D(2027, 9, 4), False, "Làm bù", ADMIN),  # a Saturday, as a plain tuple
    ])
    assert edited.is_working_day(D(2025, 5, 2))
    assert edited.is_working_day(D(2027, 9, 3))
    assert edited.is_working_day(D(2027, 9, 4))
    assert edited.add_working_days(D(2027, 9, 2), 2) == D(2027, 9, 4)


def test_calendar_days_and_counts(cal: WorkCalendar) -> None:
    assert cal.add_calendar_days(D(2024, 2, 28), 1) == D(2024, 2, 29)
    assert cal.add_calendar_days(D(2023, 2, 28), 1) == D(2023, 3, 1)
    assert cal.add_calendar_days(D(2025, 12, 31), 1) == D(2026, 1, 1)
    assert cal.next_working_day(D(2025, 1, 25)) == D(2025, 2, 3)
    assert cal.working_days_between(D(2025, 3, 27), D(2025, 4, 11)) == 10
    with pytest.raises(ValueError, match="quá lớn"):
        cal.add_working_days(D(2025, 1, 1), 100_000)


def test_a_year_closed_by_an_admin_does_not_hang() -> None:
    closed = WorkCalendar((D(2030, 1, 1) + timedelta(days=i), True, "Đóng cửa", ADMIN) for i in range(400))
    with pytest.raises(ValueError):
        closed.add_working_days(D(2029, 12, 31), 1)


# --- deadlines ---------------------------------------------------------------------------------


def _shipped() -> list[Override]:
    return [Override(r["day"], r["is_day_off"], r["name"]) for r in reference.calendar_rows()]


def _rules() -> list[DeadlineRule]:
    return [DeadlineRule(r["code"], r["label"], r["applies_to"], r["days"], r["day_type"], r["basis"])
            for r in reference.deadline_rows()]


def test_shipped_deadline_rules() -> None:
    rules = {r.code: r for r in _rules()}
    assert rules["petition_processing"].days == 10
    assert rules["petition_processing"].day_type is DayType.WORKING
    assert rules["complaint_acceptance"].day_type is DayType.CALENDAR
    assert rules["complaint_limitation"].days == 90
    assert rules["denunciation_check"].days == 7
    assert rules["denunciation_transfer"].days == 5
    assert rules["denunciation_resolution"].days == 30
    assert all(r.basis for r in rules.values())


@pytest.mark.parametrize(
    ("kind", "handling", "codes"),
    [
        ("complaint", None, ["complaint_acceptance", "petition_processing"]),
        ("complaint", "accept", ["complaint_acceptance", "petition_processing"]),
        ("complaint", "guide", ["petition_processing"]),
        ("denunciation", None, ["denunciation_check", "denunciation_transfer"]),
        ("denunciation", "transfer", ["denunciation_transfer"]),
        ("denunciation", "accept", ["denunciation_check"]),
        ("recommendation", None, ["petition_processing"]),
        ("feedback", "transfer", ["petition_processing"]),
    ],
)
def test_rules_for_a_petition(kind: str, handling: str | None, codes: list[str]) -> None:
    assert [r.code for r in applicable(_rules(), kind, handling)] == codes


def test_compute_rolls_calendar_deadlines_off_a_day_off(cal: WorkCalendar) -> None:
    rules = {r.code: r for r in _rules()}
    # 21/04/2025 + 10 days = 01/05 (holiday); 02/05 swapped, 03–04 weekend → Monday 05/05.
    assert compute(rules["complaint_acceptance"], D(2025, 4, 21), cal) == D(2025, 5, 5)
    assert compute(rules["complaint_acceptance"], D(2025, 3, 3), cal) == D(2025, 3, 13)
    assert compute(rules["petition_processing"], D(2025, 3, 27), cal) == D(2025, 4, 11)


def test_bad_rule_data_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_applies_to("complaints")
    with pytest.raises(ValueError):
        parse_applies_to("denunciation/forward")
    with pytest.raises(ValueError):
        DeadlineRule("x", "X", None, 5, "weeks", "—")
    with pytest.raises(ValueError):
        DeadlineRule("x", "X", None, -1, "working", "—")


# --- the service on both databases ---------------------------------------------------------------


def test_admin_edits_on_the_database(engine: Engine) -> None:
    reference.seed(engine)
    cal = service.load_calendar(engine)
    assert not cal.is_working_day(D(2025, 5, 2))

    service.set_day(engine, D(2025, 5, 2), False, "  Đi làm  theo quyết định của UBND  ", actor="admin1")
    service.set_day(engine, D(2027, 2, 12), True, "Nghỉ thêm Tết")
    cal = service.load_calendar(engine)
    assert cal.is_working_day(D(2025, 5, 2))
    assert cal.name_of(D(2025, 5, 2)) == "Đi làm theo quyết định của UBND"
    assert cal.add_working_days(D(2027, 2, 11), 1) == D(2027, 2, 15)
    # 2025 stays an announced year: the formula's 3/2/2025 nghỉ bù does not come back.
    assert cal.is_working_day(D(2025, 2, 3))

    message = service.clear_day(engine, D(2025, 5, 2))
    assert "ngày nghỉ" in message
    with engine.connect() as conn:
        row = conn.execute(select(CalendarDay.__table__).where(CalendarDay.__table__.c.day == D(2025, 5, 2))).one()
        audits = conn.execute(select(AuditEvent.__table__).order_by(AuditEvent.__table__.c.at)).all()
    assert row.source == "official" and row.is_day_off
    assert [a.action for a in audits] == ["calendar.set", "calendar.set", "calendar.clear"]
    assert audits[0].actor == "admin1"
    assert json.loads(audits[0].detail)["before"]["source"] == "official"
    assert not service.load_calendar(engine).is_working_day(D(2025, 5, 2))

    service.clear_day(engine, D(2027, 2, 12))  # a formula year: the row simply goes
    assert service.load_calendar(engine).is_working_day(D(2027, 2, 12))
    with pytest.raises(NotFoundError, match="không có chỉnh sửa"):
        service.clear_day(engine, D(2025, 5, 1))  # official, never edited
    with pytest.raises(ValidationError):
        service.set_day(engine, D(2025, 5, 5), True, "   ")
