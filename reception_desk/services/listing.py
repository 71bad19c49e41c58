"""The queries behind the lists of the main window: pages of visits, petitions and transfers.

Lists are read in pages with keyset paging, newest first: ``ORDER BY date DESC, id DESC`` and the
next page starts strictly after the last (date, id) seen, so page N costs the same as page 1 and
rows inserted meanwhile never shift a page. The date columns are indexed; the databases walk that
index backwards and only sort the rows of one date by id, so a page reads about a page of rows.

A search text is folded (domain.text.fold) and split into words; a row matches when every word
appears in one of its folded ``*_key`` columns. Nothing here imports Qt: the UI calls these
functions on a worker thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import Column, ColumnElement, Engine, Table, and_, func, or_, select
from sqlalchemy.engine import Connection

from reception_desk.domain.enums import Channel, HandlingDirection, PetitionKind, ReceptionMode
from reception_desk.domain.text import fold
from reception_desk.services.visibility import CONFIDENTIAL_CASE_KINDS, signer_display, signers_searchable
from reception_desk.storage.models import (
    Agency,
    Case,
    Citizen,
    Petition,
    PetitionSigner,
    Transfer,
    Visit,
    VisitCitizen,
)

PAGE_SIZE = 200

ListKind = Literal["visits", "petitions", "transfers"]
LIST_KINDS: tuple[ListKind, ...] = ("visits", "petitions", "transfers")

_visit: Table = Visit.__table__  # type: ignore[assignment]
_case: Table = Case.__table__  # type: ignore[assignment]
_citizen: Table = Citizen.__table__  # type: ignore[assignment]
_visit_citizen: Table = VisitCitizen.__table__  # type: ignore[assignment]
_petition: Table = Petition.__table__  # type: ignore[assignment]
_signer: Table = PetitionSigner.__table__  # type: ignore[assignment]
_transfer: Table = Transfer.__table__  # type: ignore[assignment]
_agency: Table = Agency.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the next page starts: strictly after this (date, id) in newest-first order."""

    key: date
    id: uuid.UUID


@dataclass(frozen=True, slots=True)
class VisitRow:
    id: uuid.UUID
    visit_date: date
    mode_label: str
    host: str | None
    case_title: str | None
    persons: int
    is_delegation: bool
    first_time: bool
    content: str | None


@dataclass(frozen=True, slots=True)
class PetitionRow:
    id: uuid.UUID
    received_on: date
    channel_label: str
    kind_label: str
    signers: str
    confidential: bool
    summary: str | None
    handling_label: str


@dataclass(frozen=True, slots=True)
class TransferRow:
    id: uuid.UUID
    sent_on: date
    number: str | None
    agency_name: str | None
    due_on: date | None
    answered_on: date | None
    result: str | None
    overdue: bool


Row = VisitRow | PetitionRow | TransferRow


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Any]
    next: Cursor | None  # None when there is nothing after this page


def is_overdue(due_on: date | None, answered_on: date | None, today: date) -> bool:
    """A transfer is overdue when its answer deadline has passed without an answer."""
    return due_on is not None and answered_on is None and due_on < today


def _label(enum: type[StrEnum], code: str | None) -> str:
    if not code:
        return ""
    try:
        return enum(code).label  # type: ignore[attr-defined]
    except ValueError:
        return code  # an unknown code from a newer desk: show it rather than hide the row


# --- search ------------------------------------------------------------------------------------


def search_words(query: str | None) -> list[str]:
    """The folded words of a search text."""
    return fold(query).split()


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column: ColumnElement[Any] | Column[Any], word: str) -> ColumnElement[bool]:
    return column.like(_like(word), escape="\\")


def _visit_word(word: str) -> ColumnElement[bool]:
    cases = select(_case.c.id).where(_contains(_case.c.title_key, word))
    # Start from the matching citizens (a scan of the smaller table), then follow the citizen_id
    # index: joining from visit_citizen would read every link of every visit.
    citizens = select(_citizen.c.id).where(_contains(_citizen.c.name_key, word))
    visits_of_citizens = select(_visit_citizen.c.visit_id).where(_visit_citizen.c.citizen_id.in_(citizens))
    # A denouncer must not be found through their visits either (see services.visibility).
    open_cases = select(_case.c.id).where(_case.c.kind.not_in(CONFIDENTIAL_CASE_KINDS))
    by_name = and_(_visit.c.id.in_(visits_of_citizens), _visit.c.case_id.in_(open_cases))
    return or_(
        _contains(_visit.c.content_key, word),
        _visit.c.case_id.in_(cases),
        by_name,
    )


def _petition_word(word: str) -> ColumnElement[bool]:
    signed = (
        select(_signer.c.petition_id)
        .join(_citizen, _citizen.c.id == _signer.c.citizen_id)
        .where(_contains(_citizen.c.name_key, word))
    )
    # Confidential petitions must not be findable by a signer's name (see services.visibility).
    by_name = and_(_petition.c.confidential == False, _petition.c.id.in_(signed))  # noqa: E712
    return or_(_contains(_petition.c.summary_key, word), by_name)


def _transfer_word(word: str) -> ColumnElement[bool]:
    agencies = select(_agency.c.id).where(_contains(_agency.c.name_key, word))
    return or_(_transfer.c.agency_id.in_(agencies), _contains(func.lower(_transfer.c.number), word))


# --- keyset paging -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _ListSpec:
    table: Table
    date_col: Column[Any]
    word_filter: Callable[[str], ColumnElement[bool]]


_SPECS: dict[ListKind, _ListSpec] = {
    "visits": _ListSpec(_visit, _visit.c.visit_date, _visit_word),
    "petitions": _ListSpec(_petition, _petition.c.received_on, _petition_word),
    "transfers": _ListSpec(_transfer, _transfer.c.sent_on, _transfer_word),
}


def _filters(spec: _ListSpec, query: str | None) -> list[ColumnElement[bool]]:
    return [spec.word_filter(word) for word in search_words(query)]


def _page_keys(
    conn: Connection, spec: _ListSpec, conds: list[ColumnElement[bool]], after: Cursor | None, limit: int
) -> list[tuple[uuid.UUID, date]]:
    table, date_col = spec.table, spec.date_col
    where = list(conds)
    if after is not None:
        where.append(or_(date_col < after.key, and_(date_col == after.key, table.c.id < after.id)))
    # Both databases walk the date index backwards and sort only each run of equal dates by id
    # (SQLite: "temp b-tree for right part of ORDER BY", PostgreSQL: incremental sort), stopping
    # once the page is full.
    stmt = (
        select(table.c.id, date_col).where(*where).order_by(date_col.desc(), table.c.id.desc()).limit(limit)
    )
    return [(row[0], row[1]) for row in conn.execute(stmt)]


def _next_cursor(keys: list[tuple[uuid.UUID, date]], limit: int) -> Cursor | None:
    if len(keys) < limit:
        return None
    last_id, last_date = keys[-1]
    return Cursor(last_date, last_id)


def _in_order(keys: list[tuple[uuid.UUID, date]], by_id: dict[uuid.UUID, Any]) -> list[Any]:
    return [by_id[key_id] for key_id, _ in keys if key_id in by_id]


def _visit_rows(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, VisitRow]:
    v, c = _visit, _case
    stmt = (
        select(
            v.c.id,
            v.c.visit_date,
            v.c.reception_mode,
            v.c.host,
            c.c.title,
            v.c.persons,
            v.c.is_delegation,
            c.c.first_visit_id,
            v.c.content,
        )
        .select_from(v.outerjoin(c, c.c.id == v.c.case_id))
        .where(v.c.id.in_(ids))
    )
    rows: dict[uuid.UUID, VisitRow] = {}
    for r in conn.execute(stmt):
        rows[r.id] = VisitRow(
            id=r.id,
            visit_date=r.visit_date,
            mode_label=_label(ReceptionMode, r.reception_mode),
            host=r.host,
            case_title=r.title,
            persons=r.persons,
            is_delegation=bool(r.is_delegation),
            first_time=r.first_visit_id == r.id,
            content=r.content,
        )
    return rows


def _petition_rows(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, PetitionRow]:
    p = _petition
    stmt = select(
        p.c.id,
        p.c.received_on,
        p.c.channel,
        p.c.kind,
        p.c.anonymous,
        p.c.confidential,
        p.c.summary,
        p.c.handling,
    ).where(p.c.id.in_(ids))
    found = list(conn.execute(stmt))
    # Names of confidential petitions are not even read from the database.
    open_ids = [r.id for r in found if signers_searchable(bool(r.confidential))]
    names: dict[uuid.UUID, list[str]] = {}
    if open_ids:
        signer_stmt = (
            select(_signer.c.petition_id, _citizen.c.full_name)
            .join(_citizen, _citizen.c.id == _signer.c.citizen_id)
            .where(_signer.c.petition_id.in_(open_ids))
            .order_by(_signer.c.petition_id, _signer.c.ordinal, _citizen.c.name_key)
        )
        for petition_id, full_name in conn.execute(signer_stmt):
            names.setdefault(petition_id, []).append(full_name)
    return {
        r.id: PetitionRow(
            id=r.id,
            received_on=r.received_on,
            channel_label=_label(Channel, r.channel),
            kind_label=_label(PetitionKind, r.kind),
            signers=signer_display(bool(r.confidential), names.get(r.id, []), anonymous=bool(r.anonymous)),
            confidential=bool(r.confidential),
            summary=r.summary,
            handling_label=_label(HandlingDirection, r.handling),
        )
        for r in found
    }


def _transfer_rows(conn: Connection, ids: Sequence[uuid.UUID], today: date) -> dict[uuid.UUID, TransferRow]:
    t, a = _transfer, _agency
    stmt = (
        select(t.c.id, t.c.sent_on, t.c.number, a.c.name, t.c.due_on, t.c.answered_on, t.c.result)
        .select_from(t.outerjoin(a, a.c.id == t.c.agency_id))
        .where(t.c.id.in_(ids))
    )
    return {
        r.id: TransferRow(
            id=r.id,
            sent_on=r.sent_on,
            number=r.number,
            agency_name=r.name,
            due_on=r.due_on,
            answered_on=r.answered_on,
            result=r.result,
            overdue=is_overdue(r.due_on, r.answered_on, today),
        )
        for r in conn.execute(stmt)
    }


def fetch_page(
    engine: Engine,
    kind: ListKind,
    *,
    after: Cursor | None = None,
    query: str | None = None,
    limit: int = PAGE_SIZE,
    today: date | None = None,
) -> Page:
    """One page of a list, newest first, starting after ``after`` and filtered by ``query``."""
    if limit < 1:
        raise ValueError("limit must be positive")
    spec = _SPECS[kind]
    with engine.connect() as conn:
        keys = _page_keys(conn, spec, _filters(spec, query), after, limit)
        ids = [key_id for key_id, _ in keys]
        if not ids:
            return Page([], None)
        if kind == "visits":
            by_id: dict[uuid.UUID, Any] = _visit_rows(conn, ids)
        elif kind == "petitions":
            by_id = _petition_rows(conn, ids)
        else:
            by_id = _transfer_rows(conn, ids, today or date.today())
    return Page(_in_order(keys, by_id), _next_cursor(keys, limit))


def visits_page(
    engine: Engine, *, after: Cursor | None = None, query: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    return fetch_page(engine, "visits", after=after, query=query, limit=limit)


def petitions_page(
    engine: Engine, *, after: Cursor | None = None, query: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    return fetch_page(engine, "petitions", after=after, query=query, limit=limit)


def transfers_page(
    engine: Engine,
    *,
    after: Cursor | None = None,
    query: str | None = None,
    limit: int = PAGE_SIZE,
    today: date | None = None,
) -> Page:
    return fetch_page(engine, "transfers", after=after, query=query, limit=limit, today=today)


def count_rows(engine: Engine, kind: ListKind, query: str | None = None) -> int:
    """How many rows the list holds with this filter (a full count: call it off the GUI thread)."""
    spec = _SPECS[kind]
    stmt = select(func.count()).select_from(spec.table).where(*_filters(spec, query))
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def database_is_empty(engine: Engine) -> bool:
    """True when no record of the office's work exists yet (reference data does not count)."""
    tables = (_visit, _petition, _transfer, _case, _citizen)
    with engine.connect() as conn:
        return all(conn.execute(select(t.c.id).limit(1)).first() is None for t in tables)
