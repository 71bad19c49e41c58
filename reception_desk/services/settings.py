"""Office settings: the letterhead and signer the letters print, and the desk's default host.

Stored as key/value text in table ``setting`` under ``office.*`` keys, read and written as one
typed ``OfficeSettings``. The letters (phiếu chuyển đơn, NĐ 30/2020 layout, domain notes §7) need:
the superior body (cơ quan chủ quản, upper line), the office name (bold line), the office's ký hiệu
for "Số: 07/PC-BTCD", the place name (địa danh) for "…, ngày 05 tháng 01 năm 2026", and the
signer's authority line ("KT. TRƯỞNG BAN / PHÓ TRƯỞNG BAN"), title and name.

Also here: the per-year list of days off and make-up working days shown by the settings dialog.
"""

from __future__ import annotations

import getpass
import json
import re
import uuid
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta

from sqlalchemy import Engine, Table, delete, select

from reception_desk.domain.text import nfc
from reception_desk.domain.workdays import ADMIN, MAX_YEAR, MIN_YEAR, is_weekend
from reception_desk.services.errors import ConflictError, ValidationError
from reception_desk.services.workdays import load_calendar
from reception_desk.storage.models import AuditEvent, CalendarDay, Setting, utcnow

_setting: Table = Setting.__table__  # type: ignore[assignment]
_calendar: Table = CalendarDay.__table__  # type: ignore[assignment]
_audit: Table = AuditEvent.__table__  # type: ignore[assignment]

PREFIX = "office."


def _invalid(title: str, errors: list[str]) -> ValidationError:
    """One problem reads best as the message itself; several are listed under the title."""
    if len(errors) == 1:
        return ValidationError(f"{title} {errors[0]}")
    return ValidationError(title, errors)


@dataclass(frozen=True)
class OfficeSettings:
    office_name: str = ""  # "BAN TIẾP CÔNG DÂN"
    superior_body: str = ""  # cơ quan chủ quản: "ỦY BAN NHÂN DÂN TỈNH X"
    office_symbol: str = ""  # ký hiệu in document numbers: "BTCD"
    place_name: str = ""  # địa danh: "Hà Tĩnh" → "Hà Tĩnh, ngày … tháng … năm …"
    address: str = ""
    phone: str = ""
    email: str = ""
    signer_name: str = ""
    signer_title: str = ""  # "PHÓ TRƯỞNG BAN"
    signer_on_behalf: str = ""  # "KT. TRƯỞNG BAN" (quyền hạn: TM., KT., TL., TUQ., Q.)
    default_host: str = ""  # who receives at the desk when the clerk does not say otherwise

    @property
    def is_complete(self) -> bool:
        """Enough for a letter's header and signature block."""
        return all((self.office_name, self.office_symbol, self.place_name, self.signer_name, self.signer_title))


LABELS = {
    "office_name": "Tên cơ quan",
    "superior_body": "Cơ quan chủ quản (cấp trên)",
    "office_symbol": "Ký hiệu cơ quan",
    "place_name": "Địa danh",
    "address": "Địa chỉ",
    "phone": "Điện thoại",
    "email": "Email",
    "signer_name": "Họ tên người ký",
    "signer_title": "Chức vụ người ký",
    "signer_on_behalf": "Quyền hạn ký (KT., TM., TL., …)",
    "default_host": "Người tiếp mặc định",
}
LIMITS = {"office_name": 200, "superior_body": 200, "office_symbol": 30, "place_name": 100, "address": 500,
          "phone": 40, "email": 200, "signer_name": 100, "signer_title": 100, "signer_on_behalf": 100,
          "default_host": 200}
_SYMBOL = re.compile(r"^[0-9A-ZĐ]+(?:[-.][0-9A-ZĐ]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+().\-/ ,;]+$")
_AUTHORITY = ("TM.", "KT.", "TL.", "TUQ.", "Q.")
_FIELDS = tuple(f.name for f in fields(OfficeSettings))


def load_office_settings(engine: Engine) -> OfficeSettings:
    """The saved settings; fields never saved are empty strings."""
    with engine.connect() as conn:
        rows = conn.execute(select(_setting.c.key, _setting.c.value)
                            .where(_setting.c.key.in_([PREFIX + name for name in _FIELDS]))).all()
    values = {r.key.removeprefix(PREFIX): r.value or "" for r in rows}
    return OfficeSettings(**values)


def clean_office_settings(settings: OfficeSettings) -> OfficeSettings:
    """NFC, trimmed, upper case where the letterhead is upper case; ValidationError lists every problem."""
    values = {name: nfc(getattr(settings, name)) or "" for name in _FIELDS}
    # NĐ 30/2020: the agency names, the symbol and the authority line are printed in capitals.
    for name in ("office_name", "superior_body", "office_symbol", "signer_title", "signer_on_behalf"):
        values[name] = values[name].upper()
    values["email"] = values["email"].lower()
    errors = []
    if not values["office_name"]:
        errors.append(f"{LABELS['office_name']}: cần ghi tên cơ quan (in trên tiêu đề văn bản).")
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors.append(f"{LABELS[name]}: quá dài ({len(values[name])} ký tự, tối đa {limit}).")
    if values["office_symbol"] and not _SYMBOL.match(values["office_symbol"]):
        errors.append(f"{LABELS['office_symbol']}: “{values['office_symbol']}” chỉ gồm chữ in hoa không dấu (trừ Đ), "
                      "chữ số và gạch nối giữa các nhóm (ví dụ BTCD, UBND-TCD).")
    if values["email"] and not _EMAIL.match(values["email"]):
        errors.append(f"{LABELS['email']}: “{values['email']}” không phải địa chỉ thư điện tử hợp lệ.")
    if values["phone"] and (not _PHONE.match(values["phone"]) or not any(c.isdigit() for c in values["phone"])):
        errors.append(f"{LABELS['phone']}: “{values['phone']}” không phải số điện thoại hợp lệ.")
    if values["place_name"].endswith(","):
        errors.append(f"{LABELS['place_name']}: chỉ ghi tên địa danh, không kèm dấu phẩy "
                      "(chương trình tự thêm “, ngày … tháng … năm …”).")
    on_behalf = values["signer_on_behalf"]
    if on_behalf and not on_behalf.startswith(_AUTHORITY):
        errors.append(f"{LABELS['signer_on_behalf']}: bắt đầu bằng {', '.join(_AUTHORITY)} "
                      "(ví dụ “KT. TRƯỞNG BAN”), hoặc để trống khi người đứng đầu tự ký.")
    if values["signer_name"] and not values["signer_title"]:
        errors.append(f"{LABELS['signer_title']}: cần ghi chức vụ của người ký.")
    if errors:
        raise _invalid("Chưa lưu được thông tin cơ quan:", errors)
    return OfficeSettings(**values)


def save_office_settings(engine: Engine, settings: OfficeSettings, *, seen: OfficeSettings | None = None,
                         actor: str | None = None) -> OfficeSettings:
    """Validate and save; returns what was stored.

    ``seen`` is what the dialog showed when it opened: if another desk saved different settings
    since, the save is refused (ConflictError naming the fields) instead of overwriting them.
    """
    clean = clean_office_settings(settings)
    keys = [PREFIX + name for name in _FIELDS]
    with engine.begin() as conn:
        rows = conn.execute(select(_setting.c.key, _setting.c.value).where(_setting.c.key.in_(keys))).all()
        current = OfficeSettings(**{r.key.removeprefix(PREFIX): r.value or "" for r in rows})
        if seen is not None and current != seen:
            changed = [f"{LABELS[n]}: “{getattr(current, n) or 'trống'}”" for n in _FIELDS
                       if getattr(current, n) != getattr(seen, n)]
            raise ConflictError("Thông tin cơ quan vừa được sửa ở máy khác; chưa lưu thay đổi của bạn. "
                                f"Hiện tại: {'; '.join(changed)}. Hãy mở lại hộp thoại để xem bản mới nhất.")
        if current == clean:
            return clean
        now = utcnow()
        conn.execute(delete(_setting).where(_setting.c.key.in_(keys)))
        conn.execute(_setting.insert(), [{"key": PREFIX + name, "value": getattr(clean, name), "updated_at": now}
                                         for name in _FIELDS])
        changed_fields = [n for n in _FIELDS if getattr(current, n) != getattr(clean, n)]
        conn.execute(_audit.insert(), [{
            "id": uuid.uuid4(), "at": now, "actor": actor or _current_user(), "action": "settings.office",
            "entity": "setting", "entity_id": "office",
            "detail": json.dumps({"changed": changed_fields, "before": asdict(current)}, ensure_ascii=False),
        }])
    return clean


def _current_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


# --- days off and make-up days of a year ---------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    day: date
    is_day_off: bool
    name: str
    edited: bool  # an administrator's edit (can be removed with services.workdays.clear_day)

    @property
    def kind_label(self) -> str:
        if self.is_day_off:
            return "Ngày nghỉ"
        return "Ngày làm bù" if is_weekend(self.day) else "Ngày làm việc"


def year_days(engine: Engine, year: int) -> list[CalendarEntry]:
    """The year's named days off (holidays, nghỉ bù, Tết break, admin days off), its weekend
    make-up working days, and every admin edit, by date."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"Năm {year} nằm ngoài phạm vi lịch hỗ trợ ({MIN_YEAR}–{MAX_YEAR}).")
    calendar = load_calendar(engine)
    with engine.connect() as conn:
        edits = {r.day: r for r in conn.execute(
            select(_calendar.c.day, _calendar.c.is_day_off, _calendar.c.name)
            .where(_calendar.c.source == ADMIN, _calendar.c.day.between(date(year, 1, 1), date(year, 12, 31))))}
    entries = {day: CalendarEntry(day, True, name, day in edits) for day, name in calendar.days_off(year)}
    day = date(year, 1, 1)
    while day.year == year:
        if is_weekend(day) and calendar.is_working_day(day):
            entries[day] = CalendarEntry(day, False, calendar.name_of(day) or "Ngày làm bù", day in edits)
        day += timedelta(days=1)
    for day, row in edits.items():  # e.g. a weekday made a working day again: not listed above
        if day not in entries:
            entries[day] = CalendarEntry(day, bool(row.is_day_off), row.name, True)
    return [entries[d] for d in sorted(entries)]
