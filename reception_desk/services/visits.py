"""Recording a visit (lượt tiếp) — one row of the Sổ tiếp công dân (TT 04/2021, Mẫu số 03).

``record_visit`` writes, in one transaction: the visit, who came (visit_citizen: role "citizen"
for everyone named, "representative" for the đại diện of a delegation, in the order given), the
case's first-visit columns and the copies on its visits (storage.cases.refresh_cases, so a back-dated visit
re-classifies the others at once) and an audit_event row. Optionally the case itself is created in
the same transaction, so a refused save leaves nothing half-written.

Rules (domain notes §2.3–§2.5, §6):
- a delegation (đoàn đông người) is recognised at 5 or more persons; a flag set against that rule
  is kept, with a warning (the reports count the flag);
- the representatives' legal limit (NĐ 124/2020 Điều 6) is a warning, never a block;
- a visit inside a leader's reception session takes the session's reception mode and date;
- the outcome is one of TT 04/2021's (guided, received petition, transferred, refused) and a
  refusal needs its ground (Luật Tiếp công dân Điều 9, khoản 1–4).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from reception_desk.domain import visits as rules
from reception_desk.domain.enums import ReceptionMode, VisitOutcome
from reception_desk.domain.text import fold, nfc
from reception_desk.services.case_files import (
    CaseHit,
    CaseInput,
    VisitStatus,
    case_hits,
    clean_case,
    insert_case,
    status_in,
)
from reception_desk.services.citizens import (
    CitizenHit,
    audit,
    citizens_by_ids,
    conflict_error,
    jsonable,
    quote,
)
from reception_desk.services.errors import NotFoundError, ValidationError
from reception_desk.storage.cases import refresh_cases
from reception_desk.storage.models import Case, Citizen, ReceptionSession, Visit, VisitCitizen, new_id, utcnow
from reception_desk.storage.versioning import StaleVersion, update_versioned

_visit: Table = Visit.__table__  # type: ignore[assignment]
_visit_citizen: Table = VisitCitizen.__table__  # type: ignore[assignment]
_case: Table = Case.__table__  # type: ignore[assignment]
_citizen: Table = Citizen.__table__  # type: ignore[assignment]
_session: Table = ReceptionSession.__table__  # type: ignore[assignment]

# Luật Tiếp công dân 2013, Điều 9: grounds to refuse a reception (codes as in the interchange format).
REFUSAL_GROUNDS: dict[str, str] = {
    "k1": "Khoản 1: người trong tình trạng say do dùng chất kích thích, người mắc bệnh tâm thần hoặc bệnh "
          "khác làm mất khả năng nhận thức, điều khiển hành vi",
    "k2": "Khoản 2: người có hành vi đe dọa, xúc phạm cơ quan, người tiếp công dân, người thi hành công vụ "
          "hoặc vi phạm nội quy nơi tiếp công dân",
    "k3": "Khoản 3: vụ việc đã giải quyết đúng chính sách, pháp luật, đã được kiểm tra, rà soát, thông báo "
          "bằng văn bản mà vẫn cố tình khiếu nại, tố cáo kéo dài",
    "k4": "Khoản 4: trường hợp khác theo quy định của pháp luật",
}
HOST_MAX = 200
CONTENT_MAX = 20_000
MAX_PERSONS = 100_000
EARLIEST_DATE = date(1990, 1, 1)

FIELD_LABELS: dict[str, str] = {
    "visit_date": "Ngày tiếp",
    "visit_time": "Giờ tiếp",
    "reception_mode": "Chế độ tiếp",
    "session_id": "Buổi tiếp của lãnh đạo",
    "host": "Người tiếp",
    "case_id": "Vụ việc",
    "persons": "Số người",
    "is_delegation": "Đoàn đông người",
    "content": "Nội dung",
    "outcome": "Kết quả tiếp",
    "refusal_ground": "Căn cứ từ chối tiếp",
    "note": "Ghi chú",
    "citizens": "Công dân",
    "representatives": "Người đại diện",
}
_COLUMNS = ("visit_date", "visit_time", "reception_mode", "session_id", "host", "case_id", "persons",
            "is_delegation", "content", "outcome", "refusal_ground", "note")


@dataclass(slots=True)
class VisitInput:
    """What the clerk entered for one visit (raw; the service normalises and checks it)."""

    visit_date: date
    case_id: uuid.UUID | None
    citizen_ids: Sequence[uuid.UUID]  # everyone named, in the register's order (first = the visitor)
    content: str | None
    outcome: str | None  # domain.enums.VisitOutcome
    visit_time: time | None = None
    reception_mode: str = ReceptionMode.REGULAR.value
    session_id: uuid.UUID | None = None
    host: str | None = None
    persons: int = 1
    representative_ids: Sequence[uuid.UUID] = ()  # also counted as present (added to citizen_ids)
    is_delegation: bool | None = None  # None: derived (5 or more persons)
    refusal_ground: str | None = None  # k1..k4, required when the outcome is "refused"
    note: str | None = None
    new_case: CaseInput | None = None  # create this case in the same transaction (case_id None)


@dataclass(frozen=True, slots=True)
class SavedVisit:
    id: uuid.UUID
    version: int
    case_id: uuid.UUID
    reception_mode: str
    is_delegation: bool
    status: VisitStatus
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VisitRecord:
    """A stored visit, for the form that edits it."""

    id: uuid.UUID
    version: int
    visit_date: date
    visit_time: time | None
    reception_mode: str
    session_id: uuid.UUID | None
    host: str | None
    case: CaseHit
    persons: int
    is_delegation: bool
    content: str | None
    outcome: str | None
    refusal_ground: str | None
    note: str | None
    citizens: tuple[CitizenHit, ...]
    representative_ids: tuple[uuid.UUID, ...]
    status: VisitStatus

    def to_input(self) -> VisitInput:
        return VisitInput(
            visit_date=self.visit_date, visit_time=self.visit_time, case_id=self.case.id,
            citizen_ids=[c.id for c in self.citizens], content=self.content, outcome=self.outcome,
            reception_mode=self.reception_mode, session_id=self.session_id, host=self.host,
            persons=self.persons, representative_ids=list(self.representative_ids),
            is_delegation=self.is_delegation, refusal_ground=self.refusal_ground, note=self.note,
        )


# --- checking -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Clean:
    values: dict[str, Any]
    citizens: list[uuid.UUID]
    representatives: list[uuid.UUID]
    new_case: dict[str, object] | None
    warnings: list[str]


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _clean(conn: Connection, data: VisitInput, today: date) -> _Clean:
    """Column values, who came and the warnings; a ValidationError listing every bad field."""
    errors: list[str] = []
    warnings: list[str] = []
    day = data.visit_date
    if not isinstance(day, date):
        errors.append("Ngày tiếp: chưa nhập.")
    elif day > today:
        errors.append(f"Ngày tiếp: {_fmt(day)} là ngày chưa đến (hôm nay {_fmt(today)}).")
    elif day < EARLIEST_DATE:
        errors.append(f"Ngày tiếp: {_fmt(day)} quá xa (từ {_fmt(EARLIEST_DATE)} trở đi).")
    try:
        mode = ReceptionMode(data.reception_mode).value
    except ValueError:
        errors.append("Chế độ tiếp: không hợp lệ.")
        mode = ReceptionMode.REGULAR.value
    session_id = data.session_id
    if session_id is not None:
        session = conn.execute(select(_session.c.held_on, _session.c.reception_mode, _session.c.leader)
                               .where(_session.c.id == session_id)).first()
        if session is None:
            errors.append("Buổi tiếp của lãnh đạo: không còn trong cơ sở dữ liệu (có thể đã bị xóa ở máy khác).")
        else:
            mode = session.reception_mode  # the session decides: reports count its visits apart
            if isinstance(day, date) and session.held_on != day:
                errors.append(f"Ngày tiếp: lượt tiếp thuộc buổi tiếp của {session.leader} ngày "
                              f"{_fmt(session.held_on)} nên phải ghi ngày {_fmt(session.held_on)}.")
    elif mode != ReceptionMode.REGULAR.value:
        warnings.append(f"Chế độ “{ReceptionMode(mode).label}” nhưng chưa chọn buổi tiếp của lãnh đạo.")
    host = nfc(data.host) or None
    if host and len(host) > HOST_MAX:
        errors.append(f"Người tiếp: dài quá {HOST_MAX} ký tự.")
    persons = data.persons
    if not isinstance(persons, int) or not 1 <= persons <= MAX_PERSONS:
        errors.append(f"Số người: phải từ 1 đến {MAX_PERSONS}.")
        persons = 1
    representatives = list(dict.fromkeys(data.representative_ids))
    citizens = list(dict.fromkeys([*data.citizen_ids, *representatives]))
    if not citizens:
        errors.append("Công dân: chưa chọn người đến (gõ họ tên, số giấy tờ hoặc số điện thoại để tìm).")
    else:
        found = set(conn.execute(select(_citizen.c.id).where(_citizen.c.id.in_(citizens))).scalars())
        if len(found) < len(citizens):
            errors.append("Công dân: có người đã chọn không còn trong cơ sở dữ liệu (có thể đã bị xóa ở máy khác).")
    if len(citizens) > persons:
        errors.append(f"Số người: ghi {persons} nhưng đã chọn {len(citizens)} công dân.")
    delegation = rules.is_delegation(persons)
    if data.is_delegation is not None and bool(data.is_delegation) != delegation:
        delegation = bool(data.is_delegation)
        warnings.append(f"Đoàn đông người: {persons} người nhưng đã ghi {'là' if delegation else 'không phải'} "
                        f"đoàn đông người (quy tắc: từ {rules.DELEGATION_MIN_PERSONS} người); thống kê theo giá trị đã ghi.")
    warnings += rules.representative_warnings(persons, len(representatives))
    content = nfc(data.content) or None
    if not content:
        errors.append("Nội dung: chưa nhập nội dung công dân trình bày.")
    elif len(content) > CONTENT_MAX:
        errors.append(f"Nội dung: dài quá {CONTENT_MAX} ký tự.")
    outcome = data.outcome or None
    if outcome is None:
        errors.append("Kết quả tiếp: chưa chọn (hướng dẫn, tiếp nhận đơn, chuyển đơn hoặc từ chối tiếp).")
    else:
        try:
            outcome = VisitOutcome(outcome).value
        except ValueError:
            errors.append("Kết quả tiếp: không hợp lệ.")
    ground = data.refusal_ground or None
    if outcome == VisitOutcome.REFUSED.value:
        if ground is None:
            errors.append("Căn cứ từ chối tiếp: chọn một khoản của Điều 9 Luật Tiếp công dân.")
        elif ground not in REFUSAL_GROUNDS:
            errors.append("Căn cứ từ chối tiếp: không hợp lệ (khoản 1–4 Điều 9 Luật Tiếp công dân).")
    elif ground is not None:
        errors.append("Căn cứ từ chối tiếp: chỉ ghi khi kết quả là “Từ chối tiếp”.")
    new_case = None
    case_id = data.case_id
    if case_id is None and data.new_case is None:
        errors.append("Vụ việc: chưa chọn vụ việc (hoặc tạo vụ việc mới).")
    elif case_id is None and data.new_case is not None:
        try:
            new_case = clean_case(data.new_case)
        except ValidationError as exc:
            errors += exc.errors
    elif conn.execute(select(_case.c.id).where(_case.c.id == case_id)).first() is None:
        errors.append("Vụ việc: không còn trong cơ sở dữ liệu (có thể đã bị xóa ở máy khác).")
    note = nfc(data.note) or None
    if errors:
        raise ValidationError("Lượt tiếp chưa lưu được, cần sửa:", errors)
    values = {
        "visit_date": day, "visit_time": data.visit_time, "reception_mode": mode, "session_id": session_id,
        "host": host, "case_id": case_id, "persons": persons, "is_delegation": delegation,
        "content": content, "content_key": fold(content), "outcome": outcome, "refusal_ground": ground,
        "note": note,
    }
    return _Clean(values, citizens, representatives, new_case, warnings)


def _write_people(conn: Connection, visit_id: uuid.UUID, citizens: list[uuid.UUID],
                  representatives: list[uuid.UUID]) -> None:
    rows = [{"visit_id": visit_id, "citizen_id": cid, "role": "citizen", "ordinal": n}
            for n, cid in enumerate(citizens)]
    rows += [{"visit_id": visit_id, "citizen_id": cid, "role": "representative", "ordinal": n}
             for n, cid in enumerate(representatives)]
    if rows:
        conn.execute(_visit_citizen.insert(), rows)


def _people(conn: Connection, visit_id: uuid.UUID) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    rows = conn.execute(select(_visit_citizen.c.citizen_id, _visit_citizen.c.role)
                        .where(_visit_citizen.c.visit_id == visit_id)
                        .order_by(_visit_citizen.c.role, _visit_citizen.c.ordinal)).all()
    return ([r.citizen_id for r in rows if r.role == "citizen"],
            [r.citizen_id for r in rows if r.role == "representative"])


def _status_of(conn: Connection, visit_id: uuid.UUID, values: dict[str, Any]) -> VisitStatus:
    return status_in(conn, values["case_id"], values["visit_date"], values["visit_time"], visit_id)


# --- saving -------------------------------------------------------------------------------------


def record_visit(engine: Engine, data: VisitInput, *, today: date | None = None) -> SavedVisit:
    """Record a new visit; see the module docstring. Raises ValidationError (nothing written)."""
    with engine.begin() as conn:
        clean = _clean(conn, data, today or date.today())
        values = clean.values
        if clean.new_case is not None:
            values["case_id"] = insert_case(conn, clean.new_case)
        now = utcnow()
        visit_id = new_id()
        conn.execute(_visit.insert(), [{"id": visit_id, "created_at": now, "updated_at": now, "version": 1,
                                        **values}])
        _write_people(conn, visit_id, clean.citizens, clean.representatives)
        refresh_cases(conn, [values["case_id"]])
        status = _status_of(conn, visit_id, values)
        audit(conn, "create", "visit", visit_id, {
            "version": 1, "case_id": values["case_id"], "visit_date": values["visit_date"],
            "persons": values["persons"], "first_time": status.first_time,
        })
    return SavedVisit(visit_id, 1, values["case_id"], values["reception_mode"], values["is_delegation"], status,
                      tuple(dict.fromkeys(clean.warnings)))


def update_visit(engine: Engine, visit_id: uuid.UUID, seen_version: int, data: VisitInput,
                 *, today: date | None = None) -> SavedVisit:
    """Save an edit made on version ``seen_version``; RecordChanged (a ConflictError) listing what
    the other desk changed if it saved first. A change of date or case re-classifies first visits."""
    with engine.begin() as conn:
        before = conn.execute(select(_visit).where(_visit.c.id == visit_id)).mappings().first()
        if before is None:
            raise NotFoundError("Không tìm thấy lượt tiếp này (có thể đã bị xóa ở máy khác).")
        clean = _clean(conn, data, today or date.today())
        values = clean.values
        if clean.new_case is not None:
            values["case_id"] = insert_case(conn, clean.new_case)
        old_citizens, old_reps = _people(conn, visit_id)
        try:
            version = update_versioned(conn, _visit, visit_id, seen_version, values)
        except StaleVersion as stale:
            raise conflict_error(conn, "visit", visit_id, seen_version, stale.current, "Lượt tiếp",
                                 describe_visit_change) from None
        if (old_citizens, old_reps) != (clean.citizens, clean.representatives):
            conn.execute(_visit_citizen.delete().where(_visit_citizen.c.visit_id == visit_id))
            _write_people(conn, visit_id, clean.citizens, clean.representatives)
        refresh_cases(conn, [before["case_id"], values["case_id"]])
        changes: dict[str, Any] = {
            name: [jsonable(before[name]), jsonable(values[name])] for name in _COLUMNS if before[name] != values[name]
        }
        if old_citizens != clean.citizens:
            changes["citizens"] = [jsonable(old_citizens), jsonable(clean.citizens)]
        if old_reps != clean.representatives:
            changes["representatives"] = [jsonable(old_reps), jsonable(clean.representatives)]
        audit(conn, "update", "visit", visit_id, {"version": version, "changes": changes})
        status = _status_of(conn, visit_id, values)
    return SavedVisit(visit_id, version, values["case_id"], values["reception_mode"], values["is_delegation"],
                      status, tuple(dict.fromkeys(clean.warnings)))


def load_visit(engine: Engine, visit_id: uuid.UUID) -> VisitRecord:
    with engine.connect() as conn:
        row = conn.execute(select(_visit).where(_visit.c.id == visit_id)).mappings().first()
        if row is None:
            raise NotFoundError("Không tìm thấy lượt tiếp này (có thể đã bị xóa ở máy khác).")
        citizens, reps = _people(conn, visit_id)
        people = citizens_by_ids(conn, list(dict.fromkeys([*citizens, *reps])))
        case = case_hits(conn, [row["case_id"]])[0]
        status = _status_of(conn, visit_id, dict(row))
    return VisitRecord(
        id=row["id"], version=row["version"], visit_date=row["visit_date"], visit_time=row["visit_time"],
        reception_mode=row["reception_mode"], session_id=row["session_id"], host=row["host"], case=case,
        persons=row["persons"], is_delegation=bool(row["is_delegation"]), content=row["content"],
        outcome=row["outcome"], refusal_ground=row["refusal_ground"], note=row["note"],
        citizens=tuple(people), representative_ids=tuple(reps), status=status,
    )


# --- describing a change (conflict messages) --------------------------------------------------------


def describe_visit_change(conn: Connection, name: str, old: Any, new: Any) -> str | None:
    label = FIELD_LABELS.get(name)
    if label is None:
        return None
    return f"{label}: {_show(conn, name, old)} → {_show(conn, name, new)}"


def _show(conn: Connection, name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(trống)"
    try:
        if name == "reception_mode":
            return f"“{ReceptionMode(value).label}”"
        if name == "outcome":
            return f"“{VisitOutcome(value).label}”"
        if name == "refusal_ground":
            return f"“{REFUSAL_GROUNDS[value].split(':')[0]}”"
        if name == "is_delegation":
            return "có" if value else "không"
        if name == "visit_time":
            return str(value)[:5]
        if name == "case_id":
            title = conn.execute(select(_case.c.title).where(_case.c.id == uuid.UUID(str(value)))).scalar()
            return f"“{title}”" if title else "(vụ việc đã xóa)"
        if name == "session_id":
            row = conn.execute(select(_session.c.held_on, _session.c.leader)
                               .where(_session.c.id == uuid.UUID(str(value)))).first()
            return f"“{row.leader}, {_fmt(row.held_on)}”" if row else "(buổi tiếp đã xóa)"
        if name in ("citizens", "representatives"):
            ids = [uuid.UUID(str(v)) for v in value]
            names = dict(conn.execute(select(_citizen.c.id, _citizen.c.full_name).where(_citizen.c.id.in_(ids))).all())
            return "“" + ", ".join(names.get(i, "?") for i in ids) + "”"
    except (ValueError, KeyError):
        pass
    if name == "content" and isinstance(value, str) and len(value) > 80:
        value = value[:79].rstrip() + "…"
    return quote(value)
