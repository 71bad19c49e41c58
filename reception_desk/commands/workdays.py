"""``reception-desk workdays``: working days, days off, legal deadlines; admin calendar edits.

- ``workdays add DATE N``: the date N working days after DATE (N < 0: before);
- ``workdays holidays YEAR``: one line ``YYYY-MM-DD<TAB>name`` per day off (docs/calendar.md);
- ``workdays deadline PETITION_ID``: ``YYYY-MM-DD<TAB>rule: N days … (basis)`` per legal deadline;
- ``workdays set DATE off|work NAME`` / ``workdays clear DATE``: an administrator's edits.
"""

from __future__ import annotations

import argparse
import re
from datetime import date

from reception_desk.domain.workdays import MAX_COUNT, MAX_YEAR, MIN_YEAR
from reception_desk.services import workdays as service
from reception_desk.services.database import database
from reception_desk.services.errors import ValidationError

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_KINDS = {"off": True, "work": False}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("workdays", help="ngày làm việc, ngày nghỉ lễ, thời hạn xử lý đơn")
    cmds = p.add_subparsers(dest="workdays_command", metavar="LỆNH", required=True)

    add = cmds.add_parser("add", help="ngày làm việc thứ N sau ngày DATE")
    add.add_argument("date", metavar="DATE", help="YYYY-MM-DD hoặc dd/mm/yyyy")
    add.add_argument("n", metavar="N", help="số ngày làm việc (âm: đếm lùi)")
    add.set_defaults(func=run_add)

    hol = cmds.add_parser("holidays", help="các ngày nghỉ lễ, Tết, nghỉ bù của một năm")
    hol.add_argument("year", metavar="YEAR")
    hol.set_defaults(func=run_holidays)

    dl = cmds.add_parser("deadline", help="thời hạn theo luật của một đơn")
    dl.add_argument("petition", metavar="PETITION_ID", help="UUID của đơn hoặc mã trong tệp đã nhập")
    dl.set_defaults(func=run_deadline)

    st = cmds.add_parser("set", help="(quản trị) đặt một ngày là ngày nghỉ (off) hoặc ngày làm việc (work)")
    st.add_argument("date", metavar="DATE")
    st.add_argument("kind", metavar="off|work")
    st.add_argument("name", metavar="NAME", nargs="+", help="tên ngày, ví dụ “Nghỉ bù Quốc khánh”")
    st.set_defaults(func=run_set)

    cl = cmds.add_parser("clear", help="(quản trị) bỏ chỉnh sửa của một ngày, trở lại lịch chung")
    cl.add_argument("date", metavar="DATE")
    cl.set_defaults(func=run_clear)


def parse_date(text: str) -> date:
    """YYYY-MM-DD or dd/mm/yyyy; ValidationError (exit code 2) otherwise."""
    value = text.strip()
    try:
        match = _DMY.match(value)
        if match:
            day = date(int(match[3]), int(match[2]), int(match[1]))
        else:
            day = date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"Ngày không hợp lệ: “{text}” (dùng dạng YYYY-MM-DD hoặc dd/mm/yyyy).") from None
    _check_year(day.year)
    return day


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"Năm {year} nằm ngoài phạm vi lịch hỗ trợ ({MIN_YEAR}–{MAX_YEAR}).")


def _parse_int(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValidationError(f"{what} phải là số nguyên: “{text}”.") from None


def run_add(args: argparse.Namespace) -> int:
    start = parse_date(args.date)
    n = _parse_int(args.n, "Số ngày làm việc")
    if abs(n) > MAX_COUNT:
        raise ValidationError(f"Số ngày làm việc quá lớn: {n} (tối đa {MAX_COUNT}).")
    calendar = service.calendar_for(args.db)
    try:
        result = calendar.add_working_days(start, n)
        _check_year(result.year)
    except (ValueError, OverflowError) as exc:
        raise ValidationError(f"Không tính được ngày: {exc}") from None
    print(result.isoformat())
    return 0


def run_holidays(args: argparse.Namespace) -> int:
    year = _parse_int(args.year, "Năm")
    _check_year(year)
    calendar = service.calendar_for(args.db)
    for day, name in calendar.days_off(year):
        print(f"{day.isoformat()}\t{name}")
    return 0


def run_deadline(args: argparse.Namespace) -> int:
    with database(args.db) as engine:
        deadlines = service.petition_deadlines(engine, args.petition)
    if not deadlines:
        print("Không có thời hạn nào tính từ ngày nhận đơn áp dụng cho đơn này.")
    for item in deadlines:
        print(f"{item.due.isoformat()}\t{item.describe()}")
    return 0


def run_set(args: argparse.Namespace) -> int:
    day = parse_date(args.date)
    kind = args.kind.strip().lower()
    if kind not in _KINDS:
        raise ValidationError(f"Loại ngày không hợp lệ: “{args.kind}” (dùng off = ngày nghỉ, work = ngày làm việc).")
    name = " ".join(args.name)
    with database(args.db) as engine:
        service.set_day(engine, day, _KINDS[kind], name)
    state = "ngày nghỉ" if _KINDS[kind] else "ngày làm việc"
    print(f"Đã đặt ngày {day:%d/%m/%Y} là {state}: {' '.join(name.split())}.")
    return 0


def run_clear(args: argparse.Namespace) -> int:
    day = parse_date(args.date)
    with database(args.db) as engine:
        message = service.clear_day(engine, day)
    print(message)
    return 0
