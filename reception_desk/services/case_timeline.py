"""The case view (hồ sơ vụ việc): one time-ordered list of everything that happened on a case.

Events: visits (first or repeat, numbered in the order of ``storage.cases``: date, time, id),
petitions received, transfers sent, the agencies' answers, the due date of every transfer still
waiting (marked when overdue), and leaders' directives on the case or on its petitions. Same-day
events follow the order of the work: visit, petition, directive, transfer, answer, due date.

Citizens involved: visitors and petition signers, each once with their roles. Confidentiality goes
through services.visibility: the visitors of a denunciation case and the signers of a confidential
petition are shown as one masked line, their names are not even read, and a citizen masked once is
masked everywhere in the view (showing them elsewhere would tie the name to the denunciation).

A handful of set-based queries, whatever the number of events.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import Engine, Table, or_, select

from reception_desk.domain.enums import (
    CaseStatus,
    Channel,
    HandlingDirection,
    PetitionKind,
    ReceptionMode,
    VisitOutcome,
)
from reception_desk.services.errors import NotFoundError
from reception_desk.services.visibility import CONFIDENTIAL_CASE_KINDS, CONFIDENTIAL_SIGNER, signer_display
from reception_desk.storage.models import (
    Agency,
    Case,
    Citizen,
    Directive,
    Petition,
    PetitionSigner,
    Transfer,
    Visit,
    VisitCitizen,
)

EventKind = Literal["visit", "petition", "directive", "transfer", "answer", "due"]
EVENT_LABELS: dict[str, str] = {
    "visit": "Tiếp công dân",
    "petition": "Nhận đơn",
    "directive": "Chỉ đạo",
    "transfer": "Chuyển đơn",
    "answer": "Trả lời",
    "due": "Hạn trả lời",
}
_RANK = {kind: n for n, kind in enumerate(EVENT_LABELS)}

ROLE_VISITOR = "Người đến tiếp"
ROLE_REPRESENTATIVE = "Người đại diện"
ROLE_SIGNER = "Người đứng đơn"

_case: Table = Case.__table__  # type: ignore[assignment]
_visit: Table = Visit.__table__  # type: ignore[assignment]
_vc: Table = VisitCitizen.__table__  # type: ignore[assignment]
_citizen: Table = Citizen.__table__  # type: ignore[assignment]
_petition: Table = Petition.__table__  # type: ignore[assignment]
_signer: Table = PetitionSigner.__table__  # type: ignore[assignment]
_transfer: Table = Transfer.__table__  # type: ignore[assignment]
_agency: Table = Agency.__table__  # type: ignore[assignment]
_directive: Table = Directive.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class CaseHeader:
    id: uuid.UUID
    title: str
    kind: str
    kind_label: str
    status_label: str
    field: str | None
    place: str | None
    remote_area: bool
    first_visit_on: date | None
    visits: int
    petitions: int
    transfers: int
    waiting: int  # transfers without an answer
    overdue: int


@dataclass(frozen=True, slots=True)
class Person:
    """A citizen involved in the case; ``citizen_id`` None for the masked line."""

    citizen_id: uuid.UUID | None
    name: str
    roles: tuple[str, ...]
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    masked: bool = False
    count: int = 1  # how many citizens the masked line stands for


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    on: date
    kind: EventKind
    title: str
    detail: str
    at: time | None = None
    visit_id: uuid.UUID | None = None
    petition_id: uuid.UUID | None = None
    transfer_id: uuid.UUID | None = None
    directive_id: uuid.UUID | None = None
    days_overdue: int = 0

    @property
    def kind_label(self) -> str:
        return EVENT_LABELS[self.kind]

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class CaseTimeline:
    case: CaseHeader
    citizens: list[Person] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)


def _label(enum: type[StrEnum], code: str | None) -> str:
    if not code:
        return ""
    try:
        return enum(code).label  # type: ignore[attr-defined]
    except ValueError:
        return code


def _fmt(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _join(*parts: str | None) -> str:
    return " · ".join(p for p in parts if p)


def case_timeline(engine: Engine, case_id: uuid.UUID | str, *, today: date | None = None) -> CaseTimeline:
    """The case, its citizens and its events in time order (see the module docstring)."""
    try:
        cid = case_id if isinstance(case_id, uuid.UUID) else uuid.UUID(str(case_id))
    except ValueError:
        raise NotFoundError(f"Không tìm thấy vụ việc “{case_id}”.") from None
    today = today or date.today()
    with engine.connect() as conn:
        case = conn.execute(select(_case).where(_case.c.id == cid)).first()
        if case is None:
            raise NotFoundError("Không tìm thấy vụ việc (có thể đã bị xóa ở bàn khác).")
        confidential_case = case.kind in CONFIDENTIAL_CASE_KINDS
        visits = conn.execute(
            select(_visit.c.id, _visit.c.visit_date, _visit.c.visit_time, _visit.c.reception_mode, _visit.c.host,
                   _visit.c.persons, _visit.c.is_delegation, _visit.c.content, _visit.c.outcome)
            .where(_visit.c.case_id == cid)
        ).all()
        petitions = conn.execute(
            select(_petition.c.id, _petition.c.received_on, _petition.c.kind, _petition.c.channel,
                   _petition.c.summary, _petition.c.handling, _petition.c.confidential, _petition.c.anonymous,
                   _petition.c.duplicate_of_id, _petition.c.incoming_number)
            .where(_petition.c.case_id == cid)
        ).all()
        visit_links = conn.execute(
            select(_vc.c.visit_id, _vc.c.citizen_id, _vc.c.role, _vc.c.ordinal)
            .join(_visit, _visit.c.id == _vc.c.visit_id)
            .where(_visit.c.case_id == cid)
            .order_by(_vc.c.visit_id, _vc.c.ordinal)
        ).all()
        signer_links = conn.execute(
            select(_signer.c.petition_id, _signer.c.citizen_id, _signer.c.ordinal)
            .join(_petition, _petition.c.id == _signer.c.petition_id)
            .where(_petition.c.case_id == cid)
            .order_by(_signer.c.petition_id, _signer.c.ordinal)
        ).all()
        transfers = conn.execute(
            select(_transfer.c.id, _transfer.c.petition_id, _transfer.c.sent_on, _transfer.c.number,
                   _transfer.c.due_on, _transfer.c.answered_on, _transfer.c.answer_number, _transfer.c.result,
                   _agency.c.name)
            .select_from(_transfer.join(_petition, _petition.c.id == _transfer.c.petition_id)
                         .outerjoin(_agency, _agency.c.id == _transfer.c.agency_id))
            .where(_petition.c.case_id == cid)
        ).all()
        directives = conn.execute(
            select(_directive.c.id, _directive.c.issued_on, _directive.c.number, _directive.c.subject,
                   _directive.c.petition_id)
            .where(or_(_directive.c.case_id == cid,
                       _directive.c.petition_id.in_(select(_petition.c.id).where(_petition.c.case_id == cid))))
        ).all()

        # Who must stay masked: visitors of a denunciation case, signers of confidential petitions.
        confidential_petitions = {p.id for p in petitions if p.confidential}
        masked_ids: set[uuid.UUID] = {s.citizen_id for s in signer_links if s.petition_id in confidential_petitions}
        if confidential_case:
            masked_ids |= {v.citizen_id for v in visit_links}
        all_ids = {v.citizen_id for v in visit_links} | {s.citizen_id for s in signer_links}
        named_ids = list(all_ids - masked_ids)
        citizens: dict[uuid.UUID, Any] = {}
        if named_ids:
            citizens = {r.id: r for r in conn.execute(
                select(_citizen.c.id, _citizen.c.full_name, _citizen.c.name_key, _citizen.c.id_number,
                       _citizen.c.phone, _citizen.c.address)
                .where(_citizen.c.id.in_(named_ids)))}

    def name_of(citizen_id: uuid.UUID) -> str:
        if citizen_id in masked_ids:
            return CONFIDENTIAL_SIGNER
        row = citizens.get(citizen_id)
        return row.full_name if row is not None else ""

    # --- people ---------------------------------------------------------------------------------
    roles: dict[uuid.UUID, list[str]] = defaultdict(list)
    for link in visit_links:
        role = ROLE_REPRESENTATIVE if link.role == "representative" else ROLE_VISITOR
        if role not in roles[link.citizen_id]:
            roles[link.citizen_id].append(role)
    for link in signer_links:
        if ROLE_SIGNER not in roles[link.citizen_id]:
            roles[link.citizen_id].append(ROLE_SIGNER)
    people = [
        Person(cid_, r.full_name, tuple(roles[cid_]), r.id_number, r.phone, r.address)
        for cid_, r in citizens.items()
    ]
    people.sort(key=lambda p: (citizens[p.citizen_id].name_key or "", str(p.citizen_id)))
    masked_present = masked_ids & all_ids
    if masked_present:
        masked_roles = sorted({role for m in masked_present for role in roles[m]})
        people.insert(0, Person(None, CONFIDENTIAL_SIGNER, tuple(masked_roles), masked=True,
                                count=len(masked_present)))

    # --- events ---------------------------------------------------------------------------------
    events: list[TimelineEvent] = []
    visitors: dict[uuid.UUID, list[str]] = defaultdict(list)
    for link in visit_links:
        visitors[link.visit_id].append(name_of(link.citizen_id))
    ordered_visits = sorted(visits, key=lambda v: (v.visit_date, v.visit_time or time(0), v.id))
    for n, v in enumerate(ordered_visits, start=1):
        names = visitors.get(v.id, [])
        shown = signer_display(True, names) if confidential_case and names else ", ".join(dict.fromkeys(names))
        persons = f"Đoàn đông người, {v.persons} người" if v.is_delegation else (
            f"{v.persons} người" if v.persons and v.persons > 1 else None)
        events.append(TimelineEvent(
            on=v.visit_date, at=v.visit_time, kind="visit",
            title="Tiếp lần đầu" if n == 1 else f"Tiếp lần thứ {n}",
            detail=_join(_label(ReceptionMode, v.reception_mode), persons, shown or None,
                         f"Chủ trì: {v.host}" if v.host else None, v.content,
                         f"Kết quả: {_label(VisitOutcome, v.outcome)}" if v.outcome else None),
            visit_id=v.id,
        ))
    signers: dict[uuid.UUID, list[str]] = defaultdict(list)
    for link in signer_links:
        signers[link.petition_id].append(name_of(link.citizen_id))
    received = {p.id: p.received_on for p in petitions}
    for p in petitions:
        who = signer_display(bool(p.confidential), signers.get(p.id, []), anonymous=bool(p.anonymous))
        duplicate = None
        if p.duplicate_of_id is not None:
            earlier = received.get(p.duplicate_of_id)
            duplicate = f"Trùng với đơn nhận ngày {_fmt(earlier)}" if earlier else "Đơn trùng"
        events.append(TimelineEvent(
            on=p.received_on, kind="petition",
            title=f"Nhận đơn {_label(PetitionKind, p.kind).lower()} ({_label(Channel, p.channel)})",
            detail=_join(who, p.summary,
                         f"Hướng xử lý: {_label(HandlingDirection, p.handling)}" if p.handling else None,
                         f"Số công văn đến: {p.incoming_number}" if p.incoming_number else None, duplicate),
            petition_id=p.id,
        ))
    for d in directives:
        events.append(TimelineEvent(
            on=d.issued_on, kind="directive",
            title=f"Văn bản chỉ đạo số {d.number}" if d.number else "Văn bản chỉ đạo",
            detail=d.subject or "", petition_id=d.petition_id, directive_id=d.id,
        ))
    waiting = overdue = 0
    for t in transfers:
        agency = t.name or "(cơ quan không rõ)"
        events.append(TimelineEvent(
            on=t.sent_on, kind="transfer", title=f"Chuyển đơn đến {agency}",
            detail=_join(f"Số {t.number}" if t.number else None,
                         f"Hạn trả lời {_fmt(t.due_on)}" if t.due_on else "Không có hạn trả lời"),
            petition_id=t.petition_id, transfer_id=t.id,
        ))
        if t.answered_on is not None:
            events.append(TimelineEvent(
                on=t.answered_on, kind="answer", title=f"{agency} trả lời",
                detail=_join(f"Văn bản số {t.answer_number}" if t.answer_number else None, t.result,
                             "Trả lời sau hạn" if t.due_on and t.answered_on > t.due_on else None),
                petition_id=t.petition_id, transfer_id=t.id,
            ))
            continue
        waiting += 1
        if t.due_on is not None:
            late = (today - t.due_on).days if t.due_on < today else 0
            overdue += late > 0
            events.append(TimelineEvent(
                on=t.due_on, kind="due", title=f"Hạn trả lời của {agency}",
                detail=f"Quá hạn {late} ngày, chưa có văn bản trả lời" if late else "Đang chờ trả lời",
                petition_id=t.petition_id, transfer_id=t.id, days_overdue=late,
            ))
    events.sort(key=lambda e: (e.on, _RANK[e.kind], e.at or time(0)))

    header = CaseHeader(
        id=case.id, title=case.title, kind=case.kind, kind_label=_label(PetitionKind, case.kind),
        status_label=_label(CaseStatus, case.status), field=case.field, place=case.place,
        remote_area=bool(case.remote_area), first_visit_on=case.first_visit_on, visits=len(visits),
        petitions=len(petitions), transfers=len(transfers), waiting=waiting, overdue=overdue,
    )
    return CaseTimeline(header, people, events)
