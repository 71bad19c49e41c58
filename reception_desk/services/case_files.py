"""Cases (vụ việc) at the desk: find one as the clerk types, create one inline, and say whether a
visit on it is the first (tiếp lần đầu) or a repeat (tiếp nhiều lần) — computed, never typed.

First/repeat follows storage.cases: the earliest visit of the case (date, then time — none counts
as 00:00 — then id) is the first one, in any reception mode.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import Connection, Engine, Table, Time, and_, func, literal, or_, select

from reception_desk.domain.enums import CaseStatus, PetitionKind
from reception_desk.domain.text import fold, nfc
from reception_desk.services.citizens import audit
from reception_desk.services.errors import NotFoundError, ValidationError
from reception_desk.services.search import MAX_QUERY_LENGTH, parse_query
from reception_desk.services.visibility import CONFIDENTIAL_CASE_KINDS
from reception_desk.storage import search_queries
from reception_desk.storage.models import Case, Visit, VisitCitizen, new_id, utcnow

DEFAULT_LIMIT = 15
MAX_LIMIT = 200
TITLE_MAX = 500
FIELD_MAX = 100
PLACE_MAX = 300

_case: Table = Case.__table__  # type: ignore[assignment]
_visit: Table = Visit.__table__  # type: ignore[assignment]
_visit_citizen: Table = VisitCitizen.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class CaseHit:
    id: uuid.UUID
    version: int
    title: str
    kind: str
    status: str
    field: str | None = None
    place: str | None = None
    visits: int = 0
    first_visit_on: date | None = None
    last_visit_on: date | None = None

    @property
    def kind_label(self) -> str:
        try:
            return PetitionKind(self.kind).label
        except ValueError:
            return self.kind

    def summary(self) -> str:
        """One line: title · kind · how many visits, the last one when."""
        parts = [self.title, self.kind_label]
        if self.field:
            parts.append(self.field)
        if self.visits:
            last = f", lần gần nhất {self.last_visit_on:%d/%m/%Y}" if self.last_visit_on else ""
            parts.append(f"{self.visits} lượt tiếp{last}")
        else:
            parts.append("chưa có lượt tiếp")
        return " · ".join(parts)


@dataclass(slots=True)
class CaseInput:
    title: str
    kind: str  # domain.enums.PetitionKind
    field: str | None = None
    place: str | None = None
    remote_area: bool = False


@dataclass(frozen=True, slots=True)
class VisitStatus:
    """Whether a visit on a case at a moment is its first one; shown live by the visit form."""

    first_time: bool
    earlier_visits: int
    last_visit_on: date | None

    @property
    def ordinal(self) -> int:
        """Lần tiếp thứ mấy (1 = first)."""
        return self.earlier_visits + 1

    def label(self) -> str:
        if self.first_time:
            return "Lần đầu"
        last = f", lần trước {self.last_visit_on:%d/%m/%Y}" if self.last_visit_on else ""
        return f"Nhiều lần (lần thứ {self.ordinal}{last})"


# --- finding ------------------------------------------------------------------------------------


def find_cases(engine: Engine, text: str | None, citizen_id: uuid.UUID | None = None,
               limit: int = DEFAULT_LIMIT) -> list[CaseHit]:
    """Cases by title words (accents ignored, last word as a prefix), or the cases a citizen came
    about (newest visit first), narrowed by ``text`` when both are given.

    A citizen's denunciation cases are not listed by the citizen (services.visibility): they are
    found by their title only.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"Số kết quả tối đa phải từ 1 đến {MAX_LIMIT}.")
    folded = fold(text)
    if len(folded) > MAX_QUERY_LENGTH:
        raise ValidationError(f"Nội dung cần tìm quá dài (tối đa {MAX_QUERY_LENGTH} ký tự).")
    with engine.connect() as conn:
        if citizen_id is not None:
            return _citizen_cases(conn, citizen_id, folded, limit)
        if not folded:
            return []
        search_queries.begin_search(conn)
        rows = search_queries.find_cases(conn, parse_query(text), limit)
        return case_hits(conn, [r.id for r in rows])


def _citizen_cases(conn: Connection, citizen_id: uuid.UUID, folded: str, limit: int) -> list[CaseHit]:
    vc, v, k = _visit_citizen, _visit, _case
    stmt = (
        select(k.c.id, func.max(v.c.visit_date).label("last_on"))
        .select_from(vc.join(v, v.c.id == vc.c.visit_id).join(k, k.c.id == v.c.case_id))
        .where(vc.c.citizen_id == citizen_id, k.c.kind.not_in(CONFIDENTIAL_CASE_KINDS))
        .group_by(k.c.id)
    )
    for word in folded.split():
        stmt = stmt.where(k.c.title_key.like(f"%{_escape(word)}%", escape="\\"))
    rows = sorted(conn.execute(stmt).all(), key=lambda r: (r.last_on or date.min, str(r.id)), reverse=True)
    return case_hits(conn, [r.id for r in rows[:limit]])


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def case_hits(conn: Connection, ids: list[uuid.UUID]) -> list[CaseHit]:
    """CaseHits in the order of ``ids``, with their visit counts (ix_visit_case_date)."""
    if not ids:
        return []
    k, v = _case, _visit
    counts = {
        r.case_id: r
        for r in conn.execute(
            select(v.c.case_id, func.count().label("n"), func.max(v.c.visit_date).label("last_on"))
            .where(v.c.case_id.in_(ids)).group_by(v.c.case_id)
        )
    }
    rows = {r.id: r for r in conn.execute(
        select(k.c.id, k.c.version, k.c.title, k.c.kind, k.c.status, k.c.field, k.c.place, k.c.first_visit_on)
        .where(k.c.id.in_(ids)))}
    hits = []
    for case_id in ids:
        r = rows.get(case_id)
        if r is None:
            continue
        c = counts.get(case_id)
        hits.append(CaseHit(r.id, r.version, r.title, r.kind, r.status, r.field, r.place,
                            int(c.n) if c else 0, r.first_visit_on, c.last_on if c else None))
    return hits


def get_case(engine: Engine, case_id: uuid.UUID) -> CaseHit:
    with engine.connect() as conn:
        hits = case_hits(conn, [case_id])
    if not hits:
        raise NotFoundError("Không tìm thấy vụ việc này (có thể đã bị xóa ở máy khác).")
    return hits[0]


# --- creating -----------------------------------------------------------------------------------


def clean_case(data: CaseInput) -> dict[str, object]:
    """Column values of a new case; ValidationError listing every bad field."""
    errors: list[str] = []
    title = nfc(data.title) or ""
    if not title:
        errors.append("Tên vụ việc: chưa nhập.")
    elif len(title) > TITLE_MAX:
        errors.append(f"Tên vụ việc: dài quá {TITLE_MAX} ký tự.")
    try:
        kind = PetitionKind(data.kind).value
    except ValueError:
        errors.append("Loại vụ việc: chọn khiếu nại, tố cáo, kiến nghị hoặc phản ánh.")
        kind = ""
    field = nfc(data.field) or None
    if field and len(field) > FIELD_MAX:
        errors.append(f"Lĩnh vực: dài quá {FIELD_MAX} ký tự.")
    place = nfc(data.place) or None
    if place and len(place) > PLACE_MAX:
        errors.append(f"Địa bàn: dài quá {PLACE_MAX} ký tự.")
    if errors:
        raise ValidationError("Thông tin vụ việc chưa đúng, chưa lưu:", errors)
    return {"title": title, "title_key": fold(title), "kind": kind, "field": field, "place": place,
            "remote_area": bool(data.remote_area), "status": CaseStatus.OPEN.value}


def insert_case(conn: Connection, values: dict[str, object]) -> uuid.UUID:
    """Insert a cleaned case in the caller's transaction (also used by record_visit)."""
    now = utcnow()
    row = {"id": new_id(), "created_at": now, "updated_at": now, "version": 1, **values}
    conn.execute(_case.insert(), [row])
    audit(conn, "create", "case", row["id"], {"version": 1})
    return row["id"]  # type: ignore[return-value]


def create_case(engine: Engine, data: CaseInput) -> CaseHit:
    values = clean_case(data)
    with engine.begin() as conn:
        case_id = insert_case(conn, values)
        return case_hits(conn, [case_id])[0]


# --- first / repeat -----------------------------------------------------------------------------


def visit_status(engine: Engine, case_id: uuid.UUID, on: date, at: time | None = None,
                 exclude_visit_id: uuid.UUID | None = None) -> VisitStatus:
    """Whether a visit on ``case_id`` on ``on`` at ``at`` is the case's first, counting the visits
    before it (a visit at the same date and time counts as before: it was recorded first)."""
    with engine.connect() as conn:
        return status_in(conn, case_id, on, at, exclude_visit_id)


def status_in(conn: Connection, case_id: uuid.UUID, on: date, at: time | None,
              exclude_visit_id: uuid.UUID | None = None) -> VisitStatus:
    """visit_status in the caller's transaction. For a stored visit (``exclude_visit_id``), a visit
    at the same moment is ordered by id, exactly as storage.cases.refresh_first_visits does."""
    v = _visit
    moment = func.coalesce(v.c.visit_time, literal(time(0), Time()))
    mine = literal(at or time(0), Time())
    same_moment = and_(v.c.visit_date == on, moment == mine)
    if exclude_visit_id is not None:
        same_moment = and_(same_moment, v.c.id < exclude_visit_id)
    earlier = or_(v.c.visit_date < on, and_(v.c.visit_date == on, moment < mine), same_moment)
    stmt = select(func.count(), func.max(v.c.visit_date)).where(v.c.case_id == case_id, earlier)
    if exclude_visit_id is not None:
        stmt = stmt.where(v.c.id != exclude_visit_id)
    count, last_on = conn.execute(stmt).one()
    return VisitStatus(first_time=not count, earlier_visits=int(count or 0), last_visit_on=last_on)
