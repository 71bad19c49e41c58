"""Citizens at the desk: look-up as the clerk types, create inline, edit with optimistic locking.

``lookup_citizens`` reuses the word search of storage.search_queries (folded keys, FTS5 / GIN
indexes), so "nguyen van duc" finds "Nguyễn Văn Đức" and an id number or phone finds its owner by
its beginning; each hit carries the person's last cases so the clerk picks the right namesake.

Edits go through ``update_versioned``: a second desk saving a stale copy gets a ConflictError
that lists, field by field, what the first desk changed (read back from the audit trail).
"""

from __future__ import annotations

import getpass
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select
from sqlalchemy import case as sql_case

from reception_desk.domain.enums import IdType, VisitOutcome
from reception_desk.domain.ids import check_id_number
from reception_desk.domain.text import fold, nfc
from reception_desk.services.errors import ConflictError, NotFoundError, ValidationError
from reception_desk.services.search import MAX_QUERY_LENGTH, parse_query
from reception_desk.services.visibility import CONFIDENTIAL_CASE_KINDS
from reception_desk.storage.models import AuditEvent, Case, Citizen, Visit, VisitCitizen, new_id, utcnow
from reception_desk.storage.search_queries import begin_search, find_citizens
from reception_desk.storage.versioning import StaleVersion, update_versioned

DEFAULT_LOOKUP_LIMIT = 15
MAX_LOOKUP_LIMIT = 100
CASES_PER_HIT = 3
NAME_MAX = 200
ADDRESS_MAX = 500
PHONE_MAX = 40
MIN_BIRTH_YEAR = 1900
GENDERS = ("nam", "nữ")

_citizen: Table = Citizen.__table__  # type: ignore[assignment]
_case: Table = Case.__table__  # type: ignore[assignment]
_visit: Table = Visit.__table__  # type: ignore[assignment]
_visit_citizen: Table = VisitCitizen.__table__  # type: ignore[assignment]
_audit: Table = AuditEvent.__table__  # type: ignore[assignment]

_PHONE = re.compile(r"^\+?[0-9 .\-()]{3,}$")

FIELD_LABELS: dict[str, str] = {
    "full_name": "Họ tên",
    "id_number": "Số giấy tờ",
    "id_type": "Loại giấy tờ",
    "birth_year": "Năm sinh",
    "gender": "Giới tính",
    "address": "Địa chỉ",
    "phone": "Số điện thoại",
    "note": "Ghi chú",
}
_EDITABLE = tuple(FIELD_LABELS)


@dataclass(frozen=True, slots=True)
class EarlierCase:
    """A case the citizen came about before (newest first in CitizenHit.cases)."""

    id: uuid.UUID
    title: str
    last_visit_on: date | None
    visits: int = 0


@dataclass(frozen=True, slots=True)
class CitizenHit:
    """One person offered by the look-up (or just saved): enough to tell namesakes apart."""

    id: uuid.UUID
    version: int
    full_name: str
    id_number: str | None = None
    id_type: str | None = None
    phone: str | None = None
    address: str | None = None
    birth_year: int | None = None
    gender: str | None = None
    cases: tuple[EarlierCase, ...] = ()
    # Visits of this person refused under Điều 9 khoản 3 (case settled, complaints kept up): the
    # desk flags the person on look-up (domain notes §2.3), it does not block.
    refused_k3: int = 0

    def summary(self) -> str:
        """One line: name, birth year, ID, phone, address."""
        parts = [self.full_name]
        if self.birth_year:
            parts.append(f"sinh {self.birth_year}")
        if self.id_number:
            parts.append(f"{_id_short(self.id_type)} {self.id_number}")
        if self.phone:
            parts.append(f"ĐT {self.phone}")
        if self.address:
            parts.append(self.address)
        return " · ".join(parts)

    def cases_summary(self) -> str:
        """The earlier cases in one line ("" when none)."""
        return "; ".join(
            f"{c.title} (người này đến lần cuối {c.last_visit_on:%d/%m/%Y})" if c.last_visit_on else c.title for c in self.cases
        )


@dataclass(frozen=True, slots=True)
class SavedCitizen(CitizenHit):
    """A citizen as created or updated, with the ID warnings the clerk should look at."""

    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class CitizenInput:
    """What the clerk typed for a citizen (raw: the service normalises and checks it)."""

    full_name: str
    id_number: str | None = None
    id_type: str | None = None  # derived from the number when None (12 digits → CCCD, …)
    birth_year: int | None = None
    gender: str | None = None  # "nam" / "nữ"
    address: str | None = None
    phone: str | None = None
    note: str | None = None


class RecordChanged(ConflictError):
    """ConflictError with the changes listed (one Vietnamese line each) for the UI."""

    def __init__(self, message: str, changes: Sequence[str], current_version: int | None) -> None:
        super().__init__(message)
        self.changes = list(changes)
        self.current_version = current_version


def _id_short(id_type: str | None) -> str:
    return {"cccd": "CCCD", "cmnd": "CMND", "passport": "Hộ chiếu"}.get(id_type or "", "Giấy tờ")


# --- look-up ------------------------------------------------------------------------------------


def lookup_citizens(engine: Engine, text: str, limit: int = DEFAULT_LOOKUP_LIMIT) -> list[CitizenHit]:
    """Citizens matching what the clerk typed: name words (accents and case ignored, the last word
    as a prefix), or the beginning of an ID number or phone. Blank text → no hits (not an error)."""
    if not fold(text):
        return []
    if not 1 <= limit <= MAX_LOOKUP_LIMIT:
        raise ValidationError(f"Số kết quả tối đa phải từ 1 đến {MAX_LOOKUP_LIMIT}.")
    if len(fold(text)) > MAX_QUERY_LENGTH:
        raise ValidationError(f"Nội dung cần tìm quá dài (tối đa {MAX_QUERY_LENGTH} ký tự).")
    terms = parse_query(text)
    with engine.connect() as conn:
        begin_search(conn)
        rows = find_citizens(conn, terms, limit)
        return _hits(conn, [r.id for r in rows])


def get_citizen(engine: Engine, citizen_id: uuid.UUID) -> CitizenHit:
    with engine.connect() as conn:
        hits = _hits(conn, [citizen_id])
    if not hits:
        raise NotFoundError("Không tìm thấy công dân này (có thể đã bị xóa ở máy khác).")
    return hits[0]


def citizens_by_ids(conn: Connection, ids: Sequence[uuid.UUID]) -> list[CitizenHit]:
    """Several citizens in the given order, with their earlier cases (unknown ids are skipped)."""
    return _hits(conn, ids)


def _hits(conn: Connection, ids: Sequence[uuid.UUID]) -> list[CitizenHit]:
    """The hits for ``ids`` in that order: one query for the people, one for their cases."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    c = _citizen
    people = {
        r.id: r
        for r in conn.execute(
            select(c.c.id, c.c.version, c.c.full_name, c.c.id_number, c.c.id_type, c.c.phone, c.c.address,
                   c.c.birth_year, c.c.gender).where(c.c.id.in_(ids))
        )
    }
    cases, refused = _earlier_cases(conn, list(people))
    return [
        CitizenHit(
            id=r.id, version=r.version, full_name=r.full_name, id_number=r.id_number, id_type=r.id_type,
            phone=r.phone, address=r.address, birth_year=r.birth_year, gender=r.gender,
            cases=tuple(cases.get(r.id, ())), refused_k3=refused.get(r.id, 0),
        )
        for r in (people.get(i) for i in ids)
        if r is not None
    ]


def _earlier_cases(conn: Connection, ids: Sequence[uuid.UUID]
                   ) -> tuple[dict[uuid.UUID, list[EarlierCase]], dict[uuid.UUID, int]]:
    """Per citizen: the CASES_PER_HIT cases of their latest visits, and their k3 refusals.

    Cases of a denunciation are left out: showing them next to a name would tell who denounced
    (services.visibility). Reads the visits of these few people through ix visit_citizen.citizen_id.
    """
    if not ids:
        return {}, {}
    vc, v, k = _visit_citizen, _visit, _case
    k3 = func.sum(sql_case(((v.c.outcome == VisitOutcome.REFUSED.value) & (v.c.refusal_ground == "k3"), 1),
                           else_=0))
    rows = conn.execute(
        select(vc.c.citizen_id, k.c.id, k.c.title, k.c.kind, func.max(v.c.visit_date).label("last_on"),
               func.count(func.distinct(v.c.id)).label("visits"), k3.label("k3"))
        .select_from(vc.join(v, v.c.id == vc.c.visit_id).join(k, k.c.id == v.c.case_id))
        .where(vc.c.citizen_id.in_(list(ids)))
        .group_by(vc.c.citizen_id, k.c.id, k.c.title, k.c.kind)
    ).all()
    by_person: dict[uuid.UUID, list[Any]] = {}
    refused: dict[uuid.UUID, int] = {}
    for r in rows:
        refused[r.citizen_id] = refused.get(r.citizen_id, 0) + int(r.k3 or 0)
        if r.kind in CONFIDENTIAL_CASE_KINDS:
            continue
        by_person.setdefault(r.citizen_id, []).append(r)
    cases = {
        person: [EarlierCase(r.id, r.title, r.last_on, int(r.visits))
                 for r in sorted(found, key=lambda r: (r.last_on or date.min, str(r.id)), reverse=True)
                 [:CASES_PER_HIT]]
        for person, found in by_person.items()
    }
    return cases, {p: n for p, n in refused.items() if n}


# --- create / update ----------------------------------------------------------------------------


def _clean(data: CitizenInput, today: date) -> tuple[dict[str, Any], list[str]]:
    """Column values and warnings; a ValidationError listing every bad field."""
    errors: list[str] = []
    warnings: list[str] = []
    name = nfc(data.full_name) or ""
    if not name:
        errors.append("Họ tên: chưa nhập.")
    elif len(name) > NAME_MAX:
        errors.append(f"Họ tên: dài quá {NAME_MAX} ký tự.")
    birth_year = data.birth_year
    if birth_year is not None and not MIN_BIRTH_YEAR <= birth_year <= today.year:
        errors.append(f"Năm sinh: phải từ {MIN_BIRTH_YEAR} đến {today.year}.")
        birth_year = None
    gender = (nfc(data.gender) or "").lower() or None
    if gender == "nu":
        gender = "nữ"
    if gender is not None and gender not in GENDERS:
        errors.append("Giới tính: chỉ ghi “nam” hoặc “nữ” (hoặc để trống).")
    address = nfc(data.address) or None
    if address and len(address) > ADDRESS_MAX:
        errors.append(f"Địa chỉ: dài quá {ADDRESS_MAX} ký tự.")
    phone = nfc(data.phone) or None
    if phone and (len(phone) > PHONE_MAX or not _PHONE.match(phone)):
        errors.append("Số điện thoại: chỉ gồm chữ số (có thể có dấu cách, chấm, gạch ngang, dấu + đầu số).")
    number = nfc(data.id_number) or None
    id_type = data.id_type or None
    if id_type is not None:
        try:
            id_type = IdType(id_type).value
        except ValueError:
            errors.append("Loại giấy tờ: không hợp lệ.")
            id_type = None
    if number:
        check = check_id_number(number, today=today, sex=gender, birth_year=birth_year)
        if check.errors and id_type in (None, IdType.CCCD.value, IdType.CMND.value):
            errors += [f"Số giấy tờ: {m}" for m in check.errors]
        else:
            warnings += [f"Số giấy tờ: {m}" for m in check.warnings]
            number = check.number or number
            id_type = id_type or check.id_type.value
            if birth_year is None and check.birth_year is not None and check.ok:
                birth_year = check.birth_year  # the 12-digit number states it
        if len(number) > 40:
            errors.append("Số giấy tờ: dài quá 40 ký tự.")
    else:
        id_type = None
    note = nfc(data.note) or None
    if errors:
        raise ValidationError("Thông tin công dân chưa đúng, chưa lưu:", errors)
    values = {
        "full_name": name, "name_key": fold(name), "id_number": number, "id_type": id_type,
        "birth_year": birth_year, "gender": gender, "address": address, "phone": phone, "note": note,
    }
    return values, warnings


def _duplicate_warnings(conn: Connection, number: str | None, exclude: uuid.UUID | None) -> list[str]:
    if not number:
        return []
    c = _citizen
    stmt = select(c.c.full_name, c.c.birth_year).where(c.c.id_number == number).limit(3)
    if exclude is not None:
        stmt = stmt.where(c.c.id != exclude)
    return [
        f"Số giấy tờ {number} đã có ở công dân {r.full_name}" + (f" (sinh {r.birth_year})" if r.birth_year else "")
        + ": kiểm tra có phải cùng một người không."
        for r in conn.execute(stmt)
    ]


def create_citizen(engine: Engine, data: CitizenInput, *, today: date | None = None) -> SavedCitizen:
    """Insert a citizen; odd ID numbers and duplicates come back as warnings, never a block."""
    values, warnings = _clean(data, today or date.today())
    now = utcnow()
    row = {"id": new_id(), "created_at": now, "updated_at": now, "version": 1, **values}
    with engine.begin() as conn:
        warnings += _duplicate_warnings(conn, values["id_number"], None)
        conn.execute(_citizen.insert(), [row])
        audit(conn, "create", "citizen", row["id"], {"version": 1})
    return _saved(row, warnings)


def update_citizen(engine: Engine, citizen_id: uuid.UUID, seen_version: int, data: CitizenInput,
                   *, today: date | None = None) -> SavedCitizen:
    """Save an edit made on version ``seen_version``; RecordChanged if another desk saved first."""
    values, warnings = _clean(data, today or date.today())
    with engine.begin() as conn:
        before = conn.execute(select(_citizen).where(_citizen.c.id == citizen_id)).mappings().first()
        if before is None:
            raise NotFoundError("Không tìm thấy công dân này (có thể đã bị xóa ở máy khác).")
        try:
            version = update_versioned(conn, _citizen, citizen_id, seen_version, values)
        except StaleVersion as stale:
            raise conflict_error(conn, "citizen", citizen_id, seen_version, stale.current,
                                 "Hồ sơ công dân", describe_citizen_change) from None
        changes = {f: [_jsonable(before[f]), _jsonable(values[f])] for f in _EDITABLE if before[f] != values[f]}
        warnings += _duplicate_warnings(conn, values["id_number"], citizen_id)
        audit(conn, "update", "citizen", citizen_id, {"version": version, "changes": changes})
        row = conn.execute(select(_citizen).where(_citizen.c.id == citizen_id)).mappings().one()
    return _saved(dict(row), warnings)


def _saved(row: Mapping[str, Any], warnings: list[str]) -> SavedCitizen:
    return SavedCitizen(
        id=row["id"], version=row["version"], full_name=row["full_name"], id_number=row["id_number"],
        id_type=row["id_type"], phone=row["phone"], address=row["address"], birth_year=row["birth_year"],
        gender=row["gender"], warnings=tuple(dict.fromkeys(warnings)),
    )


# --- audit and conflicts (shared with services.visits / case_files) --------------------------------


def current_actor() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers, services)
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def jsonable(value: Any) -> Any:
    """A value as it goes into an audit detail (dates ISO, ids as text)."""
    return _jsonable(value)


def audit(conn: Connection, action: str, entity: str, entity_id: uuid.UUID, detail: Mapping[str, Any]) -> None:
    """One audit_event row; ``detail`` records the new version and, for updates, old → new per field."""
    conn.execute(_audit.insert(), [{
        "id": new_id(), "at": utcnow(), "actor": current_actor(), "action": action, "entity": entity,
        "entity_id": str(entity_id), "detail": json.dumps(_jsonable(dict(detail)), ensure_ascii=False),
    }])


Describe = Any  # Callable[[Connection, str, Any, Any], str | None]: one line for a changed field


def describe_citizen_change(conn: Connection, name: str, old: Any, new: Any) -> str | None:
    label = FIELD_LABELS.get(name)
    if label is None:
        return None
    if name == "id_type":
        old, new = (IdType(v).label if v in IdType._value2member_map_ else v for v in (old, new))
    return f"{label}: {quote(old)} → {quote(new)}"


def quote(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(trống)"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return f"“{value}”"


def conflict_error(conn: Connection, entity: str, entity_id: uuid.UUID, seen_version: int,
                   current: Mapping[str, Any] | None, what: str, describe: Describe) -> Exception:
    """The error for a stale save: NotFoundError when the record is gone, else RecordChanged listing
    what the other desk(s) changed since ``seen_version``, from the audit trail."""
    if current is None:
        return NotFoundError(f"{what} này đã bị xóa ở máy khác; không lưu được.")
    events = conn.execute(
        select(_audit.c.at, _audit.c.actor, _audit.c.detail)
        .where(_audit.c.entity == entity, _audit.c.entity_id == str(entity_id), _audit.c.action == "update")
        .order_by(_audit.c.at)
    ).all()
    first_old: dict[str, Any] = {}
    last_new: dict[str, Any] = {}
    who: list[str] = []
    when: datetime | None = None
    for at, actor, detail in events:
        try:
            parsed = json.loads(detail or "{}")
        except ValueError:
            continue
        if not isinstance(parsed, dict):
            continue
        if int(parsed.get("version") or 0) <= seen_version:
            continue
        for name, pair in (parsed.get("changes") or {}).items():
            if isinstance(pair, list) and len(pair) == 2:
                first_old.setdefault(name, pair[0])
                last_new[name] = pair[1]
        if actor and actor not in who:
            who.append(actor)
        when = at
    lines = []
    for name in last_new:
        if first_old.get(name) != last_new[name]:
            line = describe(conn, name, first_old.get(name), last_new[name])
            if line:
                lines.append(line)
    by = f" (người sửa: {', '.join(who)}" + (f", lúc {_local(when)}" if when else "") + ")" if who else ""
    if lines:
        message = (f"{what} này vừa được sửa ở máy khác{by} sau khi anh/chị mở nó, nên chưa lưu để không ghi đè. "
                   "Máy kia đã thay đổi:\n" + "\n".join(f"• {line}" for line in lines)
                   + "\nHãy mở lại để xem bản mới rồi nhập lại phần của mình.")
    else:
        message = (f"{what} này vừa được sửa ở máy khác{by} (phiên bản {current.get('version')}, anh/chị mở phiên "
                   f"bản {seen_version}), nên chưa lưu để không ghi đè. Hãy mở lại để xem bản mới.")
    return RecordChanged(message, lines, current.get("version"))


def _local(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # SQLite gives back naive UTC
    return at.astimezone().strftime("%H:%M ngày %d/%m/%Y")
