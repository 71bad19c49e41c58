"""Leaders' reception days (buổi tiếp công dân của lãnh đạo): the calendar the desk publishes.

A session is scheduled (định kỳ) or ad-hoc (đột xuất, Luật TCD Điều 18 k3); when the head of the
agency authorised a deputy to receive in his place, ``authorised_by`` names the head and the
session's reception mode is ``authorised_deputy`` (Biểu 01/TCD counts "Ủy quyền tiếp" apart).
Visits recorded inside a session take its reception mode (``session_mode``), so when the mode of a
session changes, the mode of its visits changes with it in the same transaction.

Attending agencies and planned cases are published with the schedule (Luật TCD Điều 24).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, Table, delete, func, select, update

from reception_desk.domain.enums import ReceptionMode, SessionKind
from reception_desk.domain.text import fold, nfc
from reception_desk.services import case_files
from reception_desk.services.errors import ConflictError, NotFoundError, ValidationError
from reception_desk.services.workdays import load_calendar
from reception_desk.storage.models import (
    Agency,
    Case,
    ReceptionSession,
    SessionAgency,
    SessionCase,
    Visit,
    new_id,
    utcnow,
)
from reception_desk.storage.versioning import StaleVersion, update_versioned

_session: Table = ReceptionSession.__table__  # type: ignore[assignment]
_session_agency: Table = SessionAgency.__table__  # type: ignore[assignment]
_session_case: Table = SessionCase.__table__  # type: ignore[assignment]
_agency: Table = Agency.__table__  # type: ignore[assignment]
_case: Table = Case.__table__  # type: ignore[assignment]
_visit: Table = Visit.__table__  # type: ignore[assignment]

_LIMITS = {"leader": 200, "leader_position": 200, "authorised_by": 200, "place": 300}
_LABELS = {
    "held_on": "Ngày tiếp",
    "kind": "Hình thức",
    "reception_mode": "Chế độ tiếp",
    "leader": "Lãnh đạo chủ trì",
    "leader_position": "Chức vụ",
    "authorised_by": "Người ủy quyền",
    "place": "Địa điểm",
    "note": "Ghi chú",
    "agencies": "Cơ quan tham dự",
    "cases": "Vụ việc dự kiến",
}
CASE_CHOICES_LIMIT = 20


def _invalid(title: str, errors: list[str]) -> ValidationError:
    """One problem reads best as the message itself; several are listed under the title."""
    if len(errors) == 1:
        return ValidationError(f"{title} {errors[0]}")
    return ValidationError(title, errors)


@dataclass(frozen=True)
class SessionInput:
    """What the clerk types for one reception day."""

    held_on: date
    kind: str  # domain.enums.SessionKind
    leader: str
    leader_position: str | None = None
    # The head who authorised ``leader`` (a deputy) to receive in his place; empty = no delegation.
    authorised_by: str | None = None
    place: str | None = None
    note: str | None = None
    agency_ids: Sequence[UUID] = ()
    case_ids: Sequence[UUID] = ()


@dataclass(frozen=True)
class NamedRef:
    id: UUID
    name: str


@dataclass(frozen=True)
class SavedSession:
    id: UUID
    version: int
    held_on: date
    kind: str
    reception_mode: str
    leader: str
    leader_position: str | None
    authorised_by: str | None
    place: str | None
    note: str | None
    agencies: tuple[NamedRef, ...] = ()
    cases: tuple[NamedRef, ...] = ()
    visit_count: int = 0
    # Warnings that did not block the save (e.g. the day is a public holiday).
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def kind_label(self) -> str:
        return SessionKind(self.kind).label

    @property
    def mode_label(self) -> str:
        return ReceptionMode(self.reception_mode).label

    def to_input(self) -> SessionInput:
        return SessionInput(
            held_on=self.held_on, kind=self.kind, leader=self.leader, leader_position=self.leader_position,
            authorised_by=self.authorised_by, place=self.place, note=self.note,
            agency_ids=tuple(a.id for a in self.agencies), case_ids=tuple(c.id for c in self.cases),
        )


def mode_for(kind: str, authorised_by: str | None) -> ReceptionMode:
    """The reception mode a session gives its visits."""
    if nfc(authorised_by):
        return ReceptionMode.AUTHORISED_DEPUTY
    return ReceptionMode.LEADER_SCHEDULED if kind == SessionKind.SCHEDULED else ReceptionMode.LEADER_ADHOC


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _as_uuid(value: UUID | str, what: str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFoundError(f"Không tìm thấy {what} “{value}”.") from None


def _unique(ids: Iterable[UUID | str], what: str) -> list[UUID]:
    seen: dict[UUID, None] = {}
    for value in ids:
        seen.setdefault(_as_uuid(value, what), None)
    return list(seen)


def _clean(data: SessionInput) -> dict[str, Any]:
    """Validated column values; ValidationError lists every problem at once."""
    errors: list[str] = []
    if not isinstance(data.held_on, date):
        errors.append("Ngày tiếp: cần một ngày hợp lệ.")
    try:
        kind = SessionKind.parse(str(data.kind)).value
    except ValueError:
        errors.append(f"Hình thức: “{data.kind}” không phải định kỳ hoặc đột xuất.")
        kind = SessionKind.SCHEDULED.value
    values: dict[str, Any] = {
        "held_on": data.held_on,
        "kind": kind,
        "leader": nfc(data.leader) or "",
        "leader_position": nfc(data.leader_position) or None,
        "authorised_by": nfc(data.authorised_by) or None,
        "place": nfc(data.place) or None,
        "note": nfc(data.note) or None,
    }
    if not values["leader"]:
        errors.append("Lãnh đạo chủ trì: cần ghi họ tên người chủ trì buổi tiếp.")
    for key, limit in _LIMITS.items():
        text = values[key]
        if text and len(text) > limit:
            errors.append(f"{_LABELS[key]}: quá dài ({len(text)} ký tự, tối đa {limit}).")
    if values["authorised_by"] and fold(values["authorised_by"]) == fold(values["leader"]):
        errors.append("Người ủy quyền: phải là người khác với lãnh đạo chủ trì (người được ủy quyền).")
    if errors:
        raise _invalid("Chưa lưu được buổi tiếp:", errors)
    values["reception_mode"] = mode_for(kind, values["authorised_by"]).value
    return values


def _check_links(conn: Connection, agency_ids: list[UUID], case_ids: list[UUID],
                 keep_agencies: set[UUID]) -> None:
    errors: list[str] = []
    if agency_ids:
        rows = conn.execute(select(_agency.c.id, _agency.c.name, _agency.c.active)
                            .where(_agency.c.id.in_(agency_ids))).all()
        found = {r.id: r for r in rows}
        missing = [a for a in agency_ids if a not in found]
        if missing:
            errors.append(f"Cơ quan tham dự: {len(missing)} cơ quan không còn trong danh bạ.")
        for row in rows:
            # An agency deactivated after it was invited stays on the session; new invitations not.
            if not row.active and row.id not in keep_agencies:
                errors.append(f"Cơ quan tham dự: “{row.name}” đã ngừng sử dụng trong danh bạ.")
    if case_ids:
        found_cases = set(conn.execute(select(_case.c.id).where(_case.c.id.in_(case_ids))).scalars())
        missing_cases = [c for c in case_ids if c not in found_cases]
        if missing_cases:
            errors.append(f"Vụ việc dự kiến: {len(missing_cases)} vụ việc không còn trong cơ sở dữ liệu.")
    if errors:
        raise _invalid("Chưa lưu được buổi tiếp:", errors)


def _day_warnings(engine: Engine, day: date) -> tuple[str, ...]:
    """Warn (never block) when the chosen day is not a working day: ad-hoc days may be any day."""
    calendar = load_calendar(engine)
    if calendar.is_working_day(day):
        return ()
    name = calendar.name_of(day)
    why = f"ngày nghỉ ({name})" if name else "ngày nghỉ cuối tuần"
    return (f"Ngày {_fmt(day)} là {why}; lịch tiếp định kỳ trùng ngày nghỉ thường được dời sang "
            f"ngày làm việc tiếp theo ({_fmt(calendar.next_working_day(day))}).",)


def _write_links(conn: Connection, session_id: UUID, agency_ids: list[UUID], case_ids: list[UUID]) -> None:
    conn.execute(delete(_session_agency).where(_session_agency.c.session_id == session_id))
    conn.execute(delete(_session_case).where(_session_case.c.session_id == session_id))
    if agency_ids:
        conn.execute(_session_agency.insert(), [{"session_id": session_id, "agency_id": a} for a in agency_ids])
    if case_ids:
        conn.execute(_session_case.insert(), [{"session_id": session_id, "case_id": c} for c in case_ids])


def create_session(engine: Engine, data: SessionInput) -> SavedSession:
    values = _clean(data)
    agency_ids = _unique(data.agency_ids, "cơ quan")
    case_ids = _unique(data.case_ids, "vụ việc")
    session_id = new_id()
    now = utcnow()
    with engine.begin() as conn:
        _check_links(conn, agency_ids, case_ids, keep_agencies=set())
        conn.execute(_session.insert(), [{**values, "id": session_id, "created_at": now, "updated_at": now,
                                          "version": 1}])
        _write_links(conn, session_id, agency_ids, case_ids)
        saved = _load(conn, [session_id])[0]
    return _with_warnings(saved, _day_warnings(engine, saved.held_on))


def _with_warnings(saved: SavedSession, warnings: tuple[str, ...]) -> SavedSession:
    if not warnings:
        return saved
    return SavedSession(**{**saved.__dict__, "warnings": warnings})


def _differences(current: SavedSession, mine: dict[str, Any], agency_ids: list[UUID],
                 case_ids: list[UUID]) -> list[str]:
    """What the other desk saved that differs from what this desk is saving, field by field."""
    lines = []
    for key in ("held_on", "kind", "leader", "leader_position", "authorised_by", "place", "note"):
        theirs, ours = getattr(current, key), mine[key]
        if theirs != ours:
            lines.append(f"{_LABELS[key]}: “{_show(theirs)}” (bạn đang lưu “{_show(ours)}”)")
    if {a.id for a in current.agencies} != set(agency_ids):
        names = ", ".join(a.name for a in current.agencies) or "không có"
        lines.append(f"{_LABELS['agencies']}: {names}")
    if {c.id for c in current.cases} != set(case_ids):
        names = "; ".join(c.name for c in current.cases) or "không có"
        lines.append(f"{_LABELS['cases']}: {names}")
    return lines


def _show(value: object) -> str:
    if value is None or value == "":
        return "trống"
    if isinstance(value, date):
        return _fmt(value)
    if value in {k.value for k in SessionKind}:
        return SessionKind(str(value)).label
    return str(value)


def update_session(engine: Engine, session_id: UUID | str, seen_version: int, data: SessionInput) -> SavedSession:
    """Save an edit; refused (ConflictError) if another desk saved the session since it was read."""
    sid = _as_uuid(session_id, "buổi tiếp")
    values = _clean(data)
    agency_ids = _unique(data.agency_ids, "cơ quan")
    case_ids = _unique(data.case_ids, "vụ việc")
    with engine.begin() as conn:
        before = conn.execute(select(_session.c.held_on, _session.c.reception_mode)
                              .where(_session.c.id == sid)).first()
        if before is None:
            raise NotFoundError("Buổi tiếp này đã bị xóa ở một máy khác; không còn gì để sửa.")
        kept = set(conn.execute(select(_session_agency.c.agency_id)
                                .where(_session_agency.c.session_id == sid)).scalars())
        _check_links(conn, agency_ids, case_ids, keep_agencies=kept)
        visits = _visit_count(conn, sid)
        try:
            update_versioned(conn, _session, sid, seen_version, values)
        except StaleVersion as stale:
            if stale.current is None:
                raise NotFoundError("Buổi tiếp này đã bị xóa ở một máy khác; không còn gì để sửa.") from None
            current = _load(conn, [sid])[0]
            changed = _differences(current, values, agency_ids, case_ids)
            detail = "; ".join(changed) if changed else "không khác nội dung bạn đang lưu"
            raise ConflictError(
                f"Buổi tiếp ngày {_fmt(current.held_on)} vừa được sửa ở máy khác (phiên bản "
                f"{current.version}, bạn đang sửa phiên bản {seen_version}); chưa lưu thay đổi của bạn. "
                f"Hiện tại: {detail}. Hãy mở lại buổi tiếp để xem bản mới nhất.") from None
        if visits and values["held_on"] != before.held_on:
            # Raising here rolls the whole edit back: the visits stay on the day they happened.
            raise ValidationError(
                f"Không đổi được ngày của buổi tiếp: đã có {visits} lượt tiếp được ghi trong buổi tiếp "
                f"ngày {_fmt(before.held_on)}.")
        _write_links(conn, sid, agency_ids, case_ids)
        if values["reception_mode"] != before.reception_mode and visits:
            # Visits recorded in a session take its mode; keep them in step so reports agree.
            conn.execute(update(_visit).where(_visit.c.session_id == sid).values(
                reception_mode=values["reception_mode"], version=_visit.c.version + 1, updated_at=utcnow()))
        saved = _load(conn, [sid])[0]
    return _with_warnings(saved, _day_warnings(engine, saved.held_on))


def delete_session(engine: Engine, session_id: UUID | str, seen_version: int | None = None) -> None:
    """Delete a session and its links; refused when visits were recorded in it."""
    sid = _as_uuid(session_id, "buổi tiếp")
    with engine.begin() as conn:
        row = conn.execute(select(_session.c.held_on, _session.c.version).where(_session.c.id == sid)).first()
        if row is None:
            raise NotFoundError("Buổi tiếp này đã bị xóa (có thể ở một máy khác).")
        if seen_version is not None and row.version != seen_version:
            raise ConflictError(f"Buổi tiếp ngày {_fmt(row.held_on)} vừa được sửa ở máy khác; hãy mở lại để "
                                "xem bản mới nhất trước khi xóa.")
        visits = _visit_count(conn, sid)
        if visits:
            raise ValidationError(
                f"Không xóa được buổi tiếp ngày {_fmt(row.held_on)}: đã có {visits} lượt tiếp được ghi trong "
                "buổi tiếp này. Hãy chuyển hoặc xóa các lượt tiếp đó trước.")
        conn.execute(delete(_session_agency).where(_session_agency.c.session_id == sid))
        conn.execute(delete(_session_case).where(_session_case.c.session_id == sid))
        conn.execute(delete(_session).where(_session.c.id == sid, _session.c.version == row.version))


def get_session(engine: Engine, session_id: UUID | str) -> SavedSession:
    sid = _as_uuid(session_id, "buổi tiếp")
    with engine.connect() as conn:
        found = _load(conn, [sid])
    if not found:
        raise NotFoundError("Không tìm thấy buổi tiếp (có thể đã bị xóa ở máy khác).")
    return found[0]


def sessions_between(engine: Engine, start: date, end: date) -> list[SavedSession]:
    """The sessions held from ``start`` to ``end`` (both included), by date."""
    if end < start:
        raise ValidationError(f"Ngày kết thúc ({_fmt(end)}) trước ngày bắt đầu ({_fmt(start)}).")
    with engine.connect() as conn:
        ids = list(conn.execute(select(_session.c.id).where(_session.c.held_on.between(start, end))).scalars())
        return _load(conn, ids)


def upcoming_sessions(engine: Engine, today: date, limit: int = 5) -> list[SavedSession]:
    """The next ``limit`` sessions from ``today`` on (today included), for the start screen."""
    with engine.connect() as conn:
        ids = list(conn.execute(
            select(_session.c.id).where(_session.c.held_on >= today)
            .order_by(_session.c.held_on, _session.c.created_at, _session.c.id).limit(max(0, limit))
        ).scalars())
        return _load(conn, ids)


def session_mode(engine: Engine, session_id: UUID | str) -> str:
    """The reception mode visits recorded inside this session take (a ReceptionMode code)."""
    sid = _as_uuid(session_id, "buổi tiếp")
    with engine.connect() as conn:
        mode = conn.execute(select(_session.c.reception_mode).where(_session.c.id == sid)).scalar()
    if mode is None:
        raise NotFoundError("Không tìm thấy buổi tiếp của lãnh đạo đã chọn (có thể đã bị xóa ở máy khác).")
    return str(mode)


def case_choices(engine: Engine, text: str | None, limit: int = CASE_CHOICES_LIMIT) -> list[NamedRef]:
    """Cases by the words of their title (planned cases of a session), through the word index the
    desk's case look-up uses (services.case_files): a LIKE over every title would read them all."""
    if not fold(text).split():
        return []
    return [NamedRef(hit.id, hit.title) for hit in case_files.find_cases(engine, text, limit=limit)]


def _visit_count(conn: Connection, session_id: UUID) -> int:
    return int(conn.execute(select(func.count()).select_from(_visit)
                            .where(_visit.c.session_id == session_id)).scalar() or 0)


def _load(conn: Connection, ids: list[UUID]) -> list[SavedSession]:
    """Sessions with their agencies, cases and visit counts: four set-based reads, any number of ids."""
    if not ids:
        return []
    rows = conn.execute(select(_session).where(_session.c.id.in_(ids))
                        .order_by(_session.c.held_on, _session.c.created_at, _session.c.id)).mappings().all()
    agencies: dict[UUID, list[NamedRef]] = {}
    for r in conn.execute(select(_session_agency.c.session_id, _agency.c.id, _agency.c.name)
                          .join(_agency, _agency.c.id == _session_agency.c.agency_id)
                          .where(_session_agency.c.session_id.in_(ids)).order_by(_agency.c.name_key)):
        agencies.setdefault(r.session_id, []).append(NamedRef(r.id, r.name))
    cases: dict[UUID, list[NamedRef]] = {}
    for r in conn.execute(select(_session_case.c.session_id, _case.c.id, _case.c.title)
                          .join(_case, _case.c.id == _session_case.c.case_id)
                          .where(_session_case.c.session_id.in_(ids)).order_by(_case.c.title_key)):
        cases.setdefault(r.session_id, []).append(NamedRef(r.id, r.title))
    counts = {r[0]: r[1] for r in conn.execute(select(_visit.c.session_id, func.count())
                                               .where(_visit.c.session_id.in_(ids)).group_by(_visit.c.session_id))}
    return [
        SavedSession(
            id=r["id"], version=r["version"], held_on=r["held_on"], kind=r["kind"],
            reception_mode=r["reception_mode"], leader=r["leader"], leader_position=r["leader_position"],
            authorised_by=r["authorised_by"], place=r["place"], note=r["note"],
            agencies=tuple(agencies.get(r["id"], ())), cases=tuple(cases.get(r["id"], ())),
            visit_count=int(counts.get(r["id"], 0)),
        )
        for r in rows
    ]
