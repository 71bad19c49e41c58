"""Helpers that build small worlds for tests with plain Core inserts.

Each ``add_*`` takes an open connection (inside ``engine.begin()``), inserts one row with sensible
defaults, and returns its id. Text is stored the way the services store it (NFC, with its folded
``*_key`` twin), and ``add_visit`` keeps the case's first-visit columns current, exactly as the
services must, so statistics read a consistent database.

    with engine.begin() as conn:
        case_id = add_case(conn, kind="complaint")
        add_visit(conn, case_id, date(2025, 4, 1), persons=6)
"""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

from alembic import command
from sqlalchemy import Connection, Engine, insert

from reception_desk.domain.text import fold, nfc
from reception_desk.storage import migrate
from reception_desk.storage.cases import refresh_cases
from reception_desk.storage.models import (
    Agency,
    Case,
    Citizen,
    Directive,
    Petition,
    Transfer,
    Visit,
    VisitCitizen,
    new_id,
    utcnow,
)

DELEGATION_MIN_PERSONS = 5  # as the importer and the services decide it (domain notes §2.4)


def _entity(**values: object) -> dict[str, object]:
    now = utcnow()
    return {"id": new_id(), "created_at": now, "updated_at": now, "version": 1, **values}


def add_citizen(
    conn: Connection,
    full_name: str = "Nguyễn Văn An",
    *,
    id_number: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    birth_year: int | None = None,
    external_id: str | None = None,
) -> UUID:
    row = _entity(
        full_name=nfc(full_name),
        name_key=fold(full_name),
        id_number=id_number,
        id_type="cccd" if id_number else None,
        phone=phone,
        address=nfc(address),
        birth_year=birth_year,
        external_id=external_id,
    )
    conn.execute(insert(Citizen.__table__), [row])
    return row["id"]  # type: ignore[return-value]


def add_agency(
    conn: Connection,
    name: str = "UBND phường Tân Lợi",
    *,
    level: str | None = "commune",
    email: str | None = None,
    parent_id: UUID | None = None,
    external_id: str | None = None,
) -> UUID:
    row = _entity(
        name=nfc(name), name_key=fold(name), level=level, email=email, parent_id=parent_id,
        active=True, external_id=external_id,
    )
    conn.execute(insert(Agency.__table__), [row])
    return row["id"]  # type: ignore[return-value]


def add_case(
    conn: Connection,
    *,
    kind: str = "complaint",
    title: str = "Tranh chấp đất đai",
    field: str | None = None,
    status: str = "open",
    external_id: str | None = None,
) -> UUID:
    row = _entity(
        title=nfc(title), title_key=fold(title), kind=kind, field=nfc(field), status=status,
        remote_area=False, external_id=external_id,
    )
    conn.execute(insert(Case.__table__), [row])
    return row["id"]  # type: ignore[return-value]


def add_visit(
    conn: Connection,
    case_id: UUID,
    day: date,
    mode: str = "regular",
    persons: int = 1,
    *,
    at: time | None = None,
    is_delegation: bool | None = None,
    citizen_ids: list[UUID] | tuple[UUID, ...] = (),
    representative_ids: list[UUID] | tuple[UUID, ...] = (),
    host: str | None = None,
    content: str | None = None,
    session_id: UUID | None = None,
    external_id: str | None = None,
) -> UUID:
    """A visit of ``persons`` people on ``case_id``; a delegation when persons ≥ 5 unless told."""
    row = _entity(
        visit_date=day,
        visit_time=at,
        reception_mode=mode,
        session_id=session_id,
        host=nfc(host),
        case_id=case_id,
        persons=persons,
        is_delegation=persons >= DELEGATION_MIN_PERSONS if is_delegation is None else is_delegation,
        content=nfc(content),
        content_key=fold(content) if content else None,
        external_id=external_id,
    )
    conn.execute(insert(Visit.__table__), [row])
    links = [
        {"visit_id": row["id"], "citizen_id": cid, "role": role, "ordinal": n}
        for role, ids in (("citizen", citizen_ids), ("representative", representative_ids))
        for n, cid in enumerate(dict.fromkeys(ids))
    ]
    if links:
        conn.execute(insert(VisitCitizen.__table__), links)
    refresh_cases(conn, [case_id])
    return row["id"]  # type: ignore[return-value]


def add_petition(
    conn: Connection,
    received_on: date,
    kind: str = "complaint",
    *,
    channel: str = "post",
    case_id: UUID | None = None,
    summary: str | None = None,
    anonymous: bool = False,
    duplicate_of_id: UUID | None = None,
    confidential: bool | None = None,
    external_id: str | None = None,
) -> UUID:
    row = _entity(
        received_on=received_on,
        channel=channel,
        kind=kind,
        case_id=case_id,
        anonymous=anonymous,
        summary=nfc(summary),
        summary_key=fold(summary) if summary else None,
        duplicate_of_id=duplicate_of_id,
        # denunciations are confidential by default (Luật Tố cáo Điều 9)
        confidential=kind == "denunciation" if confidential is None else confidential,
        external_id=external_id,
    )
    conn.execute(insert(Petition.__table__), [row])
    return row["id"]  # type: ignore[return-value]


def add_transfer(
    conn: Connection,
    petition_id: UUID,
    agency_id: UUID,
    sent_on: date,
    *,
    number: str | None = None,
    due_on: date | None = None,
    answered_on: date | None = None,
    external_id: str | None = None,
) -> UUID:
    row = _entity(
        petition_id=petition_id, agency_id=agency_id, sent_on=sent_on, number=number,
        due_on=due_on, answered_on=answered_on, external_id=external_id,
    )
    conn.execute(insert(Transfer.__table__), [row])
    return row["id"]  # type: ignore[return-value]


def add_directive(
    conn: Connection,
    issued_on: date,
    *,
    number: str | None = None,
    subject: str | None = "Chỉ đạo giải quyết đơn",
    case_id: UUID | None = None,
    petition_id: UUID | None = None,
    external_id: str | None = None,
) -> UUID:
    row = _entity(
        issued_on=issued_on, number=number, subject=nfc(subject), case_id=case_id,
        petition_id=petition_id, external_id=external_id,
    )
    conn.execute(insert(Directive.__table__), [row])
    return row["id"]  # type: ignore[return-value]


def migrate_to(engine: Engine, revision: str) -> None:
    """Bring an empty database to an older schema revision, as a file made by an earlier version
    of the program would be (then ``migrate.upgrade`` is what the program does on opening it)."""
    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
