"""The database tables (SQLModel over SQLAlchemy 2).

Conventions for every entity table:
- ``id``: a UUID, so several offline desks can later merge their files without clashes;
- ``external_id``: the reference a record had in an imported interchange file (unique per table);
- ``created_at`` / ``updated_at``: timezone-aware UTC timestamps;
- ``version``: incremented on every update; services update with ``WHERE version = :seen`` so a
  second desk editing the same row is refused instead of silently overwriting (optimistic locking).

Free text is stored NFC; every searchable text has a folded ``*_key`` twin (see domain.text.fold).
Enumerations are stored as their interchange codes (short strings), checked by the services.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint, false
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class Entity(SQLModel):
    """Columns shared by every entity table."""

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    external_id: str | None = Field(default=None, max_length=100, unique=True)
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, nullable=False)
    version: int = Field(default=1, nullable=False)


class Citizen(Entity, table=True):
    __tablename__ = "citizen"

    full_name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, index=True)
    id_number: str | None = Field(default=None, max_length=40, index=True)
    id_type: str | None = Field(default=None, max_length=20)
    birth_year: int | None = None
    gender: str | None = Field(default=None, max_length=10)
    address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=40, index=True)
    note: str | None = Field(default=None, sa_column=Column(SAText))


class Agency(Entity, table=True):
    __tablename__ = "agency"

    name: str = Field(max_length=300)
    name_key: str = Field(max_length=300, index=True)
    short_code: str | None = Field(default=None, max_length=30)
    level: str | None = Field(default=None, max_length=20)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="agency.id")
    address: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    active: bool = Field(default=True)


class Case(Entity, table=True):
    """Vụ việc: one matter, to which visits and petitions attach."""

    __tablename__ = "case_file"
    # Covers the statistics' one look-up per case (kind and first visit) without touching the row.
    __table_args__ = (Index("ix_case_file_stats", "id", "kind", "first_visit_on", "first_visit_id"),)

    title: str = Field(max_length=500)
    title_key: str = Field(max_length=500, index=True)
    kind: str = Field(max_length=20, index=True)
    field: str | None = Field(default=None, max_length=100)
    place: str | None = Field(default=None, max_length=300)
    status: str = Field(default="open", max_length=20)
    remote_area: bool = Field(default=False)
    # Denormalised by storage.cases.refresh_cases after every change to the case's visits:
    # the earliest visit (date, time, then id) decides "tiếp lần đầu" for visits and cases.
    first_visit_id: uuid.UUID | None = Field(default=None)
    first_visit_on: date | None = Field(default=None, index=True)


class ReceptionSession(Entity, table=True):
    """A leader's scheduled (định kỳ) or ad-hoc (đột xuất) reception day."""

    __tablename__ = "reception_session"

    held_on: date = Field(index=True)
    kind: str = Field(max_length=20)
    reception_mode: str = Field(max_length=30)
    leader: str = Field(max_length=200)
    leader_position: str | None = Field(default=None, max_length=200)
    authorised_by: str | None = Field(default=None, max_length=200)
    place: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, sa_column=Column(SAText))


class SessionAgency(SQLModel, table=True):
    __tablename__ = "session_agency"

    session_id: uuid.UUID = Field(foreign_key="reception_session.id", primary_key=True, ondelete="CASCADE")
    agency_id: uuid.UUID = Field(foreign_key="agency.id", primary_key=True)


class SessionCase(SQLModel, table=True):
    """Cases planned for a leader's session (published with the schedule)."""

    __tablename__ = "session_case"

    session_id: uuid.UUID = Field(foreign_key="reception_session.id", primary_key=True, ondelete="CASCADE")
    case_id: uuid.UUID = Field(foreign_key="case_file.id", primary_key=True)


class Visit(Entity, table=True):
    """Lượt tiếp: one reception of one citizen or one delegation."""

    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_case_date", "case_id", "visit_date"),
        # Also covers the statistics' visit totals per reception mode (no row read, no sort).
        Index("ix_visit_mode_date", "reception_mode", "visit_date", "is_delegation", "persons"),
        # Covers the statistics' scan of a period: no table look-up per visit, and no look-up of
        # the case either (its kind, field and first visit are copied below).
        Index("ix_visit_stats", "visit_date", "case_id", "reception_mode", "is_delegation", "persons",
              "first_of_case", "case_kind", "case_field"),
    )

    visit_date: date = Field(index=True)
    visit_time: time | None = None
    reception_mode: str = Field(max_length=30)
    session_id: uuid.UUID | None = Field(default=None, foreign_key="reception_session.id", index=True)
    host: str | None = Field(default=None, max_length=200)
    case_id: uuid.UUID = Field(foreign_key="case_file.id")
    persons: int = Field(default=1)
    is_delegation: bool = Field(default=False)
    content: str | None = Field(default=None, sa_column=Column(SAText))
    content_key: str | None = Field(default=None, sa_column=Column(SAText))
    outcome: str | None = Field(default=None, max_length=300)
    refusal_ground: str | None = Field(default=None, max_length=10)
    note: str | None = Field(default=None, sa_column=Column(SAText))
    # Copies kept by storage.cases.refresh_cases after every change to a case or its visits, so
    # the statistics count a period's cases from the visit index alone (one key look-up per case
    # into case_file cost more than the rest of the report): the case's kind and field, and
    # whether this visit is the case's first (case_file.first_visit_id).
    case_kind: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    case_field: str | None = Field(default=None, max_length=100)
    first_of_case: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class VisitCitizen(SQLModel, table=True):
    """Who came: role "citizen" (present) or "representative" (đại diện of a delegation)."""

    __tablename__ = "visit_citizen"

    visit_id: uuid.UUID = Field(foreign_key="visit.id", primary_key=True, ondelete="CASCADE")
    citizen_id: uuid.UUID = Field(foreign_key="citizen.id", primary_key=True, index=True)
    role: str = Field(max_length=20, primary_key=True)
    ordinal: int = Field(default=0)


class Petition(Entity, table=True):
    """Đơn: one petition received by any channel."""

    __tablename__ = "petition"
    __table_args__ = (
        Index("ix_petition_kind_received", "kind", "received_on"),
        # Covers the office report's count of a period's petitions by channel, kind, eligibility
        # and handling: no row look-up per petition (migration 0007).
        Index("ix_petition_report", "received_on", "channel", "kind", "eligible", "handling"),
    )

    received_on: date = Field(index=True)
    channel: str = Field(max_length=30)
    kind: str = Field(max_length=20)
    case_id: uuid.UUID | None = Field(default=None, foreign_key="case_file.id", index=True)
    anonymous: bool = Field(default=False)
    field: str | None = Field(default=None, max_length=100)
    summary: str | None = Field(default=None, sa_column=Column(SAText))
    summary_key: str | None = Field(default=None, sa_column=Column(SAText))
    duplicate_of_id: uuid.UUID | None = Field(default=None, foreign_key="petition.id", index=True)
    handling: str | None = Field(default=None, max_length=20)
    eligible: bool | None = None
    ineligible_reason: str | None = Field(default=None, max_length=300)
    # Denouncers' identities are confidential by law (Luật Tố cáo Điều 9, 56); on by default for
    # denunciations. Who may see them is decided in one place: services.visibility.
    confidential: bool = Field(default=False)
    dated_on: date | None = None
    source_agency_id: uuid.UUID | None = Field(default=None, foreign_key="agency.id")
    incoming_number: str | None = Field(default=None, max_length=60)


class PetitionSigner(SQLModel, table=True):
    __tablename__ = "petition_signer"

    petition_id: uuid.UUID = Field(foreign_key="petition.id", primary_key=True, ondelete="CASCADE")
    citizen_id: uuid.UUID = Field(foreign_key="citizen.id", primary_key=True, index=True)
    ordinal: int = Field(default=0)


class Transfer(Entity, table=True):
    """Chuyển đơn: one petition sent to one competent agency (a petition may go to several)."""

    __tablename__ = "transfer"
    # Answered in a period / overdue at its end, counted over index ranges (migration 0007).
    __table_args__ = (Index("ix_transfer_answer", "answered_on", "due_on", "sent_on"),)

    petition_id: uuid.UUID = Field(foreign_key="petition.id", index=True)
    agency_id: uuid.UUID = Field(foreign_key="agency.id", index=True)
    sent_on: date = Field(index=True)
    number: str | None = Field(default=None, max_length=60)
    due_on: date | None = Field(default=None, index=True)
    answered_on: date | None = None
    answer_number: str | None = Field(default=None, max_length=60)
    result: str | None = Field(default=None, sa_column=Column(SAText))


class Directive(Entity, table=True):
    """Văn bản chỉ đạo: a leader's written instruction on petitions or cases."""

    __tablename__ = "directive"

    issued_on: date = Field(index=True)
    number: str | None = Field(default=None, max_length=60)
    subject: str | None = Field(default=None, sa_column=Column(SAText))
    case_id: uuid.UUID | None = Field(default=None, foreign_key="case_file.id")
    petition_id: uuid.UUID | None = Field(default=None, foreign_key="petition.id")


class DocumentNumber(SQLModel, table=True):
    """The last number issued in a series (e.g. "PC") for a calendar year: gap-free numbering."""

    __tablename__ = "document_number"

    series: str = Field(max_length=20, primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int = Field(default=0)
    updated_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str | None = Field(default=None, max_length=100)
    action: str = Field(max_length=50)
    entity: str | None = Field(default=None, max_length=50)
    entity_id: str | None = Field(default=None, max_length=64, index=True)
    detail: str | None = Field(default=None, sa_column=Column(SAText))


class CalendarDay(SQLModel, table=True):
    """An override of the working-day formula: a day off or a make-up working day.

    Seeded from db/reference/calendar.csv (what the government announced); an admin may edit.
    """

    __tablename__ = "calendar_day"

    day: date = Field(primary_key=True)
    is_day_off: bool
    name: str = Field(max_length=200)
    source: str = Field(default="official", max_length=20)
    updated_at: datetime = Field(default_factory=utcnow)


class DeadlineRule(SQLModel, table=True):
    """A statutory time limit as data (domain notes §4): seeded from db/reference/deadlines.csv."""

    __tablename__ = "deadline_rule"

    code: str = Field(max_length=60, primary_key=True)
    label: str = Field(max_length=300)
    applies_to: str | None = Field(default=None, max_length=60)
    days: int
    day_type: str = Field(max_length=20)
    basis: str = Field(max_length=300)
    updated_at: datetime = Field(default_factory=utcnow)


class Setting(SQLModel, table=True):
    """Office settings (name, letterhead, …) as key/value text."""

    __tablename__ = "setting"
    __table_args__ = (UniqueConstraint("key"),)

    key: str = Field(max_length=100, primary_key=True)
    value: str | None = Field(default=None, sa_column=Column(SAText))
    updated_at: datetime = Field(default_factory=utcnow)


class Attachment(Entity, table=True):
    """Tệp đính kèm: a scan or photo of a petition, stored in the database with the record.

    Kept in the database (not beside it) so that a backup, a copy of the SQLite file or the office's
    PostgreSQL holds the whole file of a petition; the size limit is enforced by the services.
    """

    __tablename__ = "attachment"

    petition_id: uuid.UUID = Field(foreign_key="petition.id", index=True, ondelete="CASCADE")
    file_name: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    added_at: datetime = Field(default_factory=utcnow, nullable=False)



class IssuedDocument(Entity, table=True):
    """Văn bản đi: one letter the desk issued (phiếu chuyển đơn, thông báo, đôn đốc, …).

    The number is gap-free per series per calendar year (storage.numbering) and unique here; a
    cancelled letter keeps its number with status "void" (domain notes §7.4). ``content`` is a JSON
    snapshot of the printed text (domain.letters.LetterContent), so a reprint is identical even
    after the settings or the templates change.
    """

    __tablename__ = "issued_document"
    __table_args__ = (
        UniqueConstraint("series", "year", "number", name="uq_issued_document_number"),
        # The batch print and the register read a period of one kind, in number order.
        Index("ix_issued_document_kind_issued", "kind", "issued_on"),
    )

    kind: str = Field(max_length=30)
    series: str = Field(max_length=20)
    year: int
    number: int
    symbol: str = Field(max_length=60)
    issued_on: date = Field(index=True)
    status: str = Field(default="issued", max_length=10)
    void_reason: str | None = Field(default=None, max_length=500)
    voided_at: datetime | None = None
    voided_by: str | None = Field(default=None, max_length=100)
    transfer_id: uuid.UUID | None = Field(default=None, foreign_key="transfer.id", index=True)
    petition_id: uuid.UUID | None = Field(default=None, foreign_key="petition.id", index=True)
    visit_id: uuid.UUID | None = Field(default=None, foreign_key="visit.id", index=True)
    agency_id: uuid.UUID | None = Field(default=None, foreign_key="agency.id", index=True)
    citizen_id: uuid.UUID | None = Field(default=None, foreign_key="citizen.id", index=True)
    # Who it is addressed to, as printed; for a denunciation sent to others never the denouncer.
    recipient: str = Field(sa_column=Column(SAText, nullable=False))
    subject: str | None = Field(default=None, sa_column=Column(SAText))
    content: str = Field(sa_column=Column(SAText, nullable=False))
    issued_by: str | None = Field(default=None, max_length=100)
    # symbol, recipient and subject folded (domain.text.fold) for the register's text filter
    search_key: str | None = Field(default=None, sa_column=Column(SAText))


ENTITY_TABLES = [Citizen, Agency, Case, ReceptionSession, Visit, Petition, Transfer, Directive]
metadata = SQLModel.metadata
