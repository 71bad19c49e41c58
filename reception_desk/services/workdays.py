"""Working-day calendar and legal deadlines on a database.

The calendar is table calendar_day (official rows seeded from db/reference/calendar.csv, plus an
administrator's edits with source ``admin``) over the statutory formula of domain.workdays;
deadline rules are table deadline_rule (seeded from db/reference/deadlines.csv).
"""

from __future__ import annotations

import getpass
import json
import os
import uuid
from datetime import date

from sqlalchemy import Connection, Engine, delete, or_, select

from reception_desk.domain.deadlines import Deadline, DeadlineRule, applicable, compute
from reception_desk.domain.text import nfc
from reception_desk.domain.workdays import ADMIN, OFFICIAL, Override, WorkCalendar
from reception_desk.paths import default_database_path
from reception_desk.services.database import open_database
from reception_desk.services.errors import NotFoundError, ValidationError
from reception_desk.storage import reference
from reception_desk.storage.engine import ENV_DB
from reception_desk.storage.models import AuditEvent, CalendarDay, Petition, utcnow
from reception_desk.storage.models import DeadlineRule as DeadlineRuleRow

_CAL = CalendarDay.__table__
_RULES = DeadlineRuleRow.__table__
_PETITION = Petition.__table__
_AUDIT = AuditEvent.__table__
_NAME_MAX = 200


def _shipped_overrides() -> list[Override]:
    return [Override(r["day"], r["is_day_off"], r["name"], OFFICIAL) for r in reference.calendar_rows()]


def builtin_calendar() -> WorkCalendar:
    """The calendar shipped with the program (no database): announced years + the formula."""
    return WorkCalendar(_shipped_overrides())


def _calendar_from(conn: Connection) -> WorkCalendar:
    rows = conn.execute(select(_CAL.c.day, _CAL.c.is_day_off, _CAL.c.name, _CAL.c.source)).all()
    overrides = [Override(r.day, bool(r.is_day_off), r.name, ADMIN if r.source == ADMIN else OFFICIAL)
                 for r in rows]
    # A year stays "announced" even if an admin replaced some of its rows.
    shipped_years = {o.day.year for o in _shipped_overrides()}
    return WorkCalendar(overrides, official_years=shipped_years)


def load_calendar(engine: Engine) -> WorkCalendar:
    """The office's calendar: calendar_day rows (official and admin) over the formula."""
    with engine.connect() as conn:
        return _calendar_from(conn)


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _audit(conn: Connection, action: str, day: date, detail: dict, actor: str | None) -> None:
    conn.execute(_AUDIT.insert(), [{
        "id": uuid.uuid4(),
        "at": utcnow(),
        "actor": actor or _current_user(),
        "action": action,
        "entity": "calendar_day",
        "entity_id": day.isoformat(),
        "detail": json.dumps(detail, ensure_ascii=False),
    }])


def _current_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers, services)
        return None


def set_day(engine: Engine, day: date, is_day_off: bool, name: str, *, actor: str | None = None) -> None:
    """Make ``day`` a day off or a working day by an administrator's decision (source 'admin').

    Replaces whatever the shipped schedule or the formula says for that date.
    """
    clean = nfc(name) or ""
    if not clean:
        raise ValidationError("Cần ghi tên hoặc lý do của ngày (ví dụ: “Nghỉ bù Quốc khánh”).")
    if len(clean) > _NAME_MAX:
        raise ValidationError(f"Tên ngày quá dài ({len(clean)} ký tự, tối đa {_NAME_MAX}).")
    with engine.begin() as conn:
        before = conn.execute(select(_CAL.c.is_day_off, _CAL.c.name, _CAL.c.source)
                              .where(_CAL.c.day == day)).first()
        conn.execute(delete(_CAL).where(_CAL.c.day == day))
        conn.execute(_CAL.insert(), [{"day": day, "is_day_off": is_day_off, "name": clean,
                                      "source": ADMIN, "updated_at": utcnow()}])
        _audit(conn, "calendar.set", day, {
            "is_day_off": is_day_off, "name": clean,
            "before": None if before is None else
            {"is_day_off": bool(before.is_day_off), "name": before.name, "source": before.source},
        }, actor)


def clear_day(engine: Engine, day: date, *, actor: str | None = None) -> str:
    """Undo an administrator's edit of ``day``; the shipped schedule (or the formula) applies again.

    Returns a Vietnamese sentence saying what the day is now. NotFoundError if the day has no
    admin edit (official rows are changed with set_day, and restored by deleting that edit).
    """
    shipped = {o.day: o for o in _shipped_overrides()}
    with engine.begin() as conn:
        row = conn.execute(select(_CAL.c.source).where(_CAL.c.day == day)).first()
        if row is None or row.source != ADMIN:
            raise NotFoundError(f"Ngày {_fmt(day)} không có chỉnh sửa nào của quản trị viên để xóa.")
        conn.execute(delete(_CAL).where(_CAL.c.day == day))
        official = shipped.get(day)
        if official is not None:  # put the announced row back now rather than at the next start
            conn.execute(_CAL.insert(), [{"day": day, "is_day_off": official.is_day_off,
                                          "name": official.name, "source": OFFICIAL,
                                          "updated_at": utcnow()}])
        _audit(conn, "calendar.clear", day, {"restored_official": official is not None}, actor)
        calendar = _calendar_from(conn)
    name = calendar.name_of(day)
    state = "ngày làm việc" if calendar.is_working_day(day) else "ngày nghỉ"
    return f"Ngày {_fmt(day)} trở lại theo lịch chung: {state}" + (f" ({name})." if name else ".")


def load_rules(engine: Engine) -> list[DeadlineRule]:
    with engine.connect() as conn:
        rows = conn.execute(select(_RULES).order_by(_RULES.c.code)).mappings().all()
    return [DeadlineRule(r["code"], r["label"], r["applies_to"], r["days"], r["day_type"], r["basis"])
            for r in rows]


def _find_petition(conn: Connection, ref: str):  # noqa: ANN202 - a SQLAlchemy Row
    cols = (_PETITION.c.id, _PETITION.c.external_id, _PETITION.c.kind, _PETITION.c.received_on,
            _PETITION.c.handling)
    try:
        as_uuid = uuid.UUID(ref)
    except ValueError:
        as_uuid = None
    cond = _PETITION.c.external_id == ref
    if as_uuid is not None:
        cond = or_(_PETITION.c.id == as_uuid, cond)
    rows = conn.execute(select(*cols).where(cond)).all()
    # An id match wins over an external id that happens to look like a UUID.
    rows.sort(key=lambda r: 0 if as_uuid is not None and r.id == as_uuid else 1)
    return rows[0] if rows else None


def petition_deadlines(engine: Engine, petition_ref: str) -> list[Deadline]:
    """The legal deadlines counted from a petition's receipt, primary rule first.

    ``petition_ref`` is the petition's UUID or its external id (the id in an imported file).
    Which rules apply depends on the kind and the handling direction (domain notes §3.3, §4):
    complaint → thụ lý (if accepted or undecided) and xử lý đơn; denunciation → kiểm tra điều kiện
    thụ lý and, if transferred or undecided, chuyển đơn; recommendation/feedback → xử lý đơn.
    """
    ref = (petition_ref or "").strip()
    if not ref:
        raise ValidationError("Cần mã đơn (UUID hoặc mã trong tệp đã nhập).")
    with engine.connect() as conn:
        row = _find_petition(conn, ref)
        if row is None:
            raise NotFoundError(f"Không tìm thấy đơn “{ref}”.")
        calendar = _calendar_from(conn)
    rules = applicable(load_rules(engine), row.kind, row.handling)
    return [Deadline(rule, row.received_on, compute(rule, row.received_on, calendar)) for rule in rules]


def calendar_for(db: str | None) -> WorkCalendar:
    """The calendar of the database the user points at, so admin edits apply.

    With no --db, no $RECEPTION_DESK_DB and no database file in the user data folder yet, the
    shipped calendar is used rather than creating an empty database as a side effect.
    """
    if db or os.environ.get(ENV_DB) or default_database_path().exists():
        engine = open_database(db)
        try:
            return load_calendar(engine)
        finally:
            engine.dispose()
    return builtin_calendar()
