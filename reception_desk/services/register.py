"""Sổ tiếp công dân (TT 04/2021, Mẫu số 03): one row per visit of a date range, in the form's columns.

Rows come in register order — by day, time of day (visits without a time first), then id — in
pages with keyset paging (storage.report_queries.register_keys), so a year's register of a large
office is printed page by page at the cost of the first page; the running number (STT) travels
in the cursor. A page's visitors and the transfers of its cases are read with one statement each.

Columns (domain notes §2.5): 1 STT, 2 Ngày tiếp, 3 Họ tên – Địa chỉ, 4 CMND/CCCD, 5 Nội dung vụ
việc, 6 Phân loại đơn / Số người, 7 Cơ quan đã giải quyết, 8–10 Hướng xử lý (thụ lý để giải
quyết; trả lại đơn và hướng dẫn; chuyển đơn đến cơ quan có thẩm quyền), 11 Theo dõi kết quả giải
quyết, 12 Ghi chú. How the desk's data fill them:

- 3–4: the citizens who came (for a delegation: the number of people and its representatives);
  for a denunciation, "Người tố cáo (bảo mật)" and no ID unless the viewer may see denouncers
  (services.visibility) — the names are then not even read;
- 7: the agencies the case's petitions were transferred to before the day of the visit;
- 8–10: the visit's outcome (tiếp nhận đơn → 8, hướng dẫn → 9, chuyển đơn → 10 with the agencies
  the case's petitions were sent to from that day on);
- 11: answers received on the case's transfers, or those still awaited, and the case's status;
- 12: the reception mode when a leader received, the host, a refusal and the visit's note.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import Engine

from reception_desk.domain.enums import CaseStatus, IdType, PetitionKind, ReceptionMode, VisitOutcome
from reception_desk.domain.periods import format_day
from reception_desk.services.errors import ValidationError
from reception_desk.services.statistics import validate_period
from reception_desk.services.visibility import (
    CONFIDENTIAL_CASE_KINDS,
    CONFIDENTIAL_SIGNER,
    Viewer,
    may_see_identity,
)
from reception_desk.services.visits import REFUSAL_GROUNDS
from reception_desk.storage import report_queries
from reception_desk.storage.report_queries import RegisterKey

PAGE_SIZE = 200
MAX_PAGE = 5000

REGISTER_TITLE = "SỔ TIẾP CÔNG DÂN"
REGISTER_FORM = "Mẫu số 03 (Thông tư số 04/2021/TT-TTCP)"
# (column number, header path): the printed form's columns, "Hướng xử lý" spanning 8–10.
REGISTER_COLUMNS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("STT",)),
    (2, ("Ngày tiếp",)),
    (3, ("Họ tên - Địa chỉ",)),
    (4, ("CMND/Hộ chiếu của công dân",)),
    (5, ("Nội dung vụ việc",)),
    (6, ("Phân loại đơn/Số người",)),
    (7, ("Cơ quan đã giải quyết",)),
    (8, ("Hướng xử lý", "Thụ lý để giải quyết")),
    (9, ("Hướng xử lý", "Trả lại đơn và hướng dẫn")),
    (10, ("Hướng xử lý", "Chuyển đơn đến cơ quan, tổ chức, đơn vị có thẩm quyền")),
    (11, ("Theo dõi kết quả giải quyết",)),
    (12, ("Ghi chú",)),
)


# How column 4 names a document (the form's header says "CMND/Hộ chiếu").
_ID_NAMES = {IdType.CCCD.value: "CCCD", IdType.CMND.value: "CMND", IdType.PASSPORT.value: "Hộ chiếu"}


@dataclass(frozen=True, slots=True)
class RegisterCursor:
    """Where the next page starts: after this visit, whose running number was ``number``."""

    key: RegisterKey
    number: int


@dataclass(frozen=True, slots=True)
class RegisterRow:
    number: int  # 1 STT
    visit_id: uuid.UUID
    day: date  # 2
    at: time | None
    citizen: str  # 3 họ tên – địa chỉ
    id_documents: str  # 4
    content: str  # 5
    classification: str  # 6 "Khiếu nại; 02 người"
    kind_label: str
    persons: int
    is_delegation: bool
    previous_agencies: str  # 7
    accepted: str  # 8 thụ lý để giải quyết
    guided: str  # 9 trả lại đơn và hướng dẫn
    transferred: str  # 10 chuyển đơn
    follow_up: str  # 11
    note: str  # 12
    confidential: bool  # the citizen's identity is hidden from this viewer
    case_id: uuid.UUID
    cursor: RegisterCursor

    def cells(self) -> tuple[str, ...]:
        """The twelve printed cells, in the form's order."""
        when = format_day(self.day) + (f" {self.at:%H:%M}" if self.at else "")
        return (str(self.number), when, self.citizen, self.id_documents, self.content, self.classification,
                self.previous_agencies, self.accepted, self.guided, self.transferred, self.follow_up, self.note)


@dataclass(frozen=True, slots=True)
class RegisterPage:
    rows: list[RegisterRow]
    next: RegisterCursor | None  # None when the range has no more visits


def register_count(engine: Engine, start: date, end: date) -> int:
    """How many visits (rows) the register of [start, end] has."""
    validate_period(start, end)
    with engine.connect() as conn:
        return report_queries.register_count(conn, start, end)


def register_page(engine: Engine, start: date, end: date, *, after: RegisterCursor | None = None,
                  limit: int = PAGE_SIZE, viewer: Viewer | None = None) -> RegisterPage:
    """The next ``limit`` rows of the register of [start, end] (inclusive), after ``after``."""
    validate_period(start, end)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"Số dòng mỗi trang phải từ 1 đến {MAX_PAGE} (nhận được: {limit}).")
    if after is not None and not start <= after.key.day <= end:
        raise ValidationError("Vị trí trang không thuộc khoảng ngày của sổ; hãy mở lại sổ từ đầu.")
    with engine.connect() as conn:
        report_queries.begin_report(conn)
        keys = report_queries.register_keys(conn, start, end, after.key if after else None, limit)
        if not keys:
            return RegisterPage([], None)
        details = {r.id: r for r in report_queries.visit_details(conn, [k.id for k in keys])}
        secret = {i for i, r in details.items() if not may_see_identity(r.kind in CONFIDENTIAL_CASE_KINDS, viewer)}
        people = report_queries.visitors(conn, [i for i in details if i not in secret])
        transfers = report_queries.case_transfers(conn, list({r.case_id for r in details.values()}))
    first = (after.number if after else 0) + 1
    rows = [_row(first + n, key, details[key.id], key.id in secret, people.get(key.id, []),
                 transfers.get(details[key.id].case_id, []))
            for n, key in enumerate(keys)]
    last = rows[-1].cursor
    return RegisterPage(rows, last if len(keys) == limit else None)


def _citizen_cells(visit: Any, secret: bool, visitors: list[Any]) -> tuple[str, str]:
    if secret:
        return CONFIDENTIAL_SIGNER, ""
    names = []
    documents = []
    for v in visitors:
        names.append(", ".join(x for x in (v.full_name, v.address) if x))
        if v.id_number:
            documents.append(f"{_ID_NAMES.get(v.id_type or '', 'Giấy tờ')} {v.id_number}")
    shown = "; ".join(names)
    if visit.is_delegation:
        shown = f"Đoàn {visit.persons} người" + (f"; đại diện: {shown}" if shown else "")
    return shown, "; ".join(documents)


def _agencies(rows: list[Any]) -> str:
    return ", ".join(dict.fromkeys(r.agency_name for r in rows if r.agency_name))


def _follow_up(visit: Any, transfers: list[Any]) -> str:
    parts = []
    for t in transfers:
        name = t.agency_name or "cơ quan nhận đơn"
        if t.answered_on:
            number = f" (văn bản số {t.answer_number})" if t.answer_number else ""
            parts.append(f"{name} đã trả lời ngày {format_day(t.answered_on)}{number}")
        elif t.sent_on >= visit.visit_date:
            due = f", hạn {format_day(t.due_on)}" if t.due_on else ""
            parts.append(f"chờ {name} trả lời{due}")
    status = _label(CaseStatus, visit.status)
    if status:
        parts.append(f"vụ việc: {status.lower()}")
    return "; ".join(parts)


def _row(number: int, key: RegisterKey, visit: Any, secret: bool, visitors: list[Any],
         transfers: list[Any]) -> RegisterRow:
    citizen, documents = _citizen_cells(visit, secret, visitors)
    kind = _label(PetitionKind, visit.kind)
    classification = f"{kind}; {visit.persons:02d} người" + ("; đoàn đông người" if visit.is_delegation else "")
    before = [t for t in transfers if t.sent_on < visit.visit_date]
    after = [t for t in transfers if t.sent_on >= visit.visit_date]
    accepted = guided = transferred = ""
    if visit.outcome == VisitOutcome.RECEIVED_PETITION.value:
        accepted = VisitOutcome.RECEIVED_PETITION.label
    elif visit.outcome == VisitOutcome.GUIDED.value:
        guided = VisitOutcome.GUIDED.label
    elif visit.outcome == VisitOutcome.TRANSFERRED.value:
        agencies = _agencies(after)
        transferred = VisitOutcome.TRANSFERRED.label + (f": {agencies}" if agencies else "")
    notes = []
    if visit.reception_mode != ReceptionMode.REGULAR.value:
        notes.append(_label(ReceptionMode, visit.reception_mode))
    if visit.host:
        notes.append(f"Người tiếp: {visit.host}")
    if visit.outcome == VisitOutcome.REFUSED.value:
        ground = visit.refusal_ground
        if ground in REFUSAL_GROUNDS:  # "k3" → "khoản 3 Điều 9 Luật Tiếp công dân"
            ground = f"khoản {ground.removeprefix('k')} Điều 9 Luật Tiếp công dân"
        notes.append(VisitOutcome.REFUSED.label + (f" ({ground})" if ground else ""))
    if visit.note:
        notes.append(visit.note)
    return RegisterRow(
        number=number, visit_id=visit.id, day=visit.visit_date, at=visit.visit_time, citizen=citizen,
        id_documents=documents, content=visit.content or visit.title or "", classification=classification,
        kind_label=kind, persons=visit.persons, is_delegation=bool(visit.is_delegation),
        previous_agencies=_agencies(before), accepted=accepted, guided=guided, transferred=transferred,
        follow_up=_follow_up(visit, transfers), note="; ".join(notes), confidential=secret, case_id=visit.case_id,
        cursor=RegisterCursor(key, number),
    )


def _label(enum: Any, code: str | None) -> str:
    if not code:
        return ""
    try:
        return enum(code).label
    except ValueError:
        return code
