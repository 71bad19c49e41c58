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

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import (
    Column,
    ColumnElement,
    Engine,
    Select,
    Table,
    and_,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    union,
)
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
from reception_desk.storage.search_queries import begin_search, key_words_match, words_row_match

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
_WORD = re.compile(r"[^\W_]+")  # letters and digits, as the word indexes split text


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
    case_id: uuid.UUID | None = None


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
    case_id: uuid.UUID | None = None


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
    petition_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None


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
    """The folded words of a search text: runs of letters and digits, as the word indexes split."""
    return list(dict.fromkeys(_WORD.findall(fold(query))))


# Every word of the filter must begin a word of the same text, in any order: "nguyen d" finds
# "Nguyễn Văn Đức". Visits are found by their case's title or a citizen's name, petitions by their
# summary or a signer's name, transfers by the agency's name or the letter number. Names, titles
# and summaries are looked up in the word indexes (storage.search_queries) and followed through
# the foreign-key indexes: testing every row of a million (a LIKE, or any test that reads the row)
# takes seconds, so no filter of a large list does that.


def _open_case() -> ColumnElement[bool]:
    """The visit's case is not one whose visitors are kept secret (see services.visibility)."""
    k = _case
    return exists(select(k.c.id).where(k.c.id == _visit.c.case_id, k.c.kind.not_in(CONFIDENTIAL_CASE_KINDS)))


@dataclass(frozen=True)
class _Source:
    """One way a row can match the filter, in the two forms the plans need."""

    members: ColumnElement[bool]  # the row is among the matches the word index gives
    row_test: ColumnElement[bool]  # the same rule, tested on the row and what it links to
    # The matching rows' ids, driven by the indexes (None: the walk is the only plan).
    matches: Select | None


def _visit_sources(conn: Connection, words: list[str]) -> list[_Source]:
    v, vc, k, c = _visit, _visit_citizen, _case, _citizen
    cases = select(k.c.id).where(key_words_match(conn, "case", words))
    named = select(c.c.id).where(key_words_match(conn, "citizen", words))
    visitors = select(vc.c.visit_id).where(vc.c.citizen_id.in_(named))
    titled = exists(select(k.c.id).where(k.c.id == v.c.case_id, words_row_match(conn, k.c.title_key, words)))
    visitor_named = exists(
        select(vc.c.visit_id)
        .join(c, c.c.id == vc.c.citizen_id)
        .where(vc.c.visit_id == v.c.id, words_row_match(conn, c.c.name_key, words))
    )
    open_visitors = (
        select(vc.c.visit_id)
        .select_from(vc.join(v, v.c.id == vc.c.visit_id).join(k, k.c.id == v.c.case_id))
        .where(vc.c.citizen_id.in_(named), k.c.kind.not_in(CONFIDENTIAL_CASE_KINDS))
    )
    return [
        _Source(v.c.case_id.in_(cases), titled, select(v.c.id).where(v.c.case_id.in_(cases))),
        _Source(and_(v.c.id.in_(visitors), _open_case()), and_(visitor_named, _open_case()), open_visitors),
    ]


def _petition_sources(conn: Connection, words: list[str]) -> list[_Source]:
    p, s, c = _petition, _signer, _citizen
    by_summary = key_words_match(conn, "petition", words)
    named = select(c.c.id).where(key_words_match(conn, "citizen", words))
    signed = select(s.c.petition_id).where(s.c.citizen_id.in_(named))
    signer_named = exists(
        select(s.c.petition_id)
        .join(c, c.c.id == s.c.citizen_id)
        .where(s.c.petition_id == p.c.id, words_row_match(conn, c.c.name_key, words))
    )
    # Confidential petitions must not be findable by a signer's name (see services.visibility).
    public = p.c.confidential == False  # noqa: E712
    public_signed = (
        select(s.c.petition_id)
        .select_from(s.join(p, p.c.id == s.c.petition_id))
        .where(s.c.citizen_id.in_(named), public)
    )
    return [
        _Source(by_summary, words_row_match(conn, p.c.summary_key, words), select(p.c.id).where(by_summary)),
        _Source(and_(p.c.id.in_(signed), public), and_(signer_named, public), public_signed),
    ]


def _transfer_sources(conn: Connection, words: list[str]) -> list[_Source]:
    t, a = _transfer, _agency
    # The agency directory is small: its names are tested row by row, then the transfers of the
    # matching agencies found through their index. A letter number matches as typed.
    agencies = t.c.agency_id.in_(select(a.c.id).where(words_row_match(conn, a.c.name_key, words)))
    number = words_row_match(conn, func.lower(func.coalesce(t.c.number, "")), words)
    return [_Source(agencies, agencies, None), _Source(number, number, None)]


# --- keyset paging -----------------------------------------------------------------------------

# The plan follows how many rows the filter's sources match (counted, each count stopping at
# WALK_FROM): below SPARSE_MAX in all, the matches are read and sorted; otherwise the date index is
# walked newest first and the walk stops when the page is full, testing a source with fewer than
# WALK_FROM matches by membership in their set, a larger one on each row (its set would cost more
# to build than the few rows a dense walk tries).
SPARSE_MAX = 3000
WALK_FROM = 20_000

Sources = Callable[[Connection, list[str]], list[_Source]]


@dataclass(frozen=True)
class _ListSpec:
    table: Table
    date_col: Column[Any]
    sources: Sources


_SPECS: dict[ListKind, _ListSpec] = {
    "visits": _ListSpec(_visit, _visit.c.visit_date, _visit_sources),
    "petitions": _ListSpec(_petition, _petition.c.received_on, _petition_sources),
    "transfers": _ListSpec(_transfer, _transfer.c.sent_on, _transfer_sources),
}


def _count(conn: Connection, matches: Select, cap: int) -> int:
    return int(conn.execute(select(func.count()).select_from(matches.limit(cap).subquery())).scalar_one())


def _filter(conn: Connection, spec: _ListSpec, query: str | None, *,
            counting: bool = False) -> tuple[list[ColumnElement[bool]], bool]:
    """The filter's condition (none without words) and whether its matches are few enough to read
    and sort. ``counting``: for a full count, where every match is read anyway."""
    words = search_words(query)
    if not words:
        # only signs typed ("%", "-"): nothing can match them, as no word index holds them
        return ([false()] if query and query.strip() else []), False
    sources = spec.sources(conn, words)
    driven = [s.matches for s in sources if s.matches is not None]
    # The union of the sources' matches, each found through its indexes: a condition both
    # databases answer from the matches (an OR of the conditions would read every row).
    matching = spec.table.c.id.in_(union(*driven)) if len(driven) == len(sources) else None
    if counting:
        return [matching if matching is not None else or_(*(s.members for s in sources))], False
    sizes = [None if s.matches is None else _count(conn, s.matches, WALK_FROM) for s in sources]
    if matching is not None and sum(sizes) < SPARSE_MAX:  # type: ignore[arg-type]
        return [matching], True
    tests = [s.members if size is not None and size < WALK_FROM else s.row_test
             for s, size in zip(sources, sizes, strict=True)]
    return [or_(*tests)], False


def _unindexed(conn: Connection, column: Column[Any]) -> ColumnElement[Any]:
    """The column as an expression no index serves: the database then drives the query from the
    few matches and sorts them, instead of walking the date index past rows that do not match."""
    name = f"{column.table.name}.{column.name}"
    return literal_column(f"+{name}" if conn.dialect.name == "sqlite" else f"({name} + 0)")


def _page_keys(
    conn: Connection, spec: _ListSpec, query: str | None, after: Cursor | None, limit: int
) -> list[tuple[uuid.UUID, date]]:
    table, date_col = spec.table, spec.date_col
    where, sparse = _filter(conn, spec, query)
    if after is not None:
        where.append(or_(date_col < after.key, and_(date_col == after.key, table.c.id < after.id)))
    # Not sparse: both databases walk the date index backwards and sort only each run of equal
    # dates by id (SQLite: "temp b-tree for right part of ORDER BY", PostgreSQL: incremental sort),
    # stopping once the page is full.
    order = _unindexed(conn, date_col) if sparse else date_col
    stmt = select(table.c.id, date_col).where(*where).order_by(order.desc(), table.c.id.desc()).limit(limit)
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
            v.c.case_id,
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
            case_id=r.case_id,
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
        p.c.case_id,
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
            case_id=r.case_id,
        )
        for r in found
    }


def _transfer_rows(conn: Connection, ids: Sequence[uuid.UUID], today: date) -> dict[uuid.UUID, TransferRow]:
    t, a, p = _transfer, _agency, _petition
    stmt = (
        select(t.c.id, t.c.sent_on, t.c.number, a.c.name, t.c.due_on, t.c.answered_on, t.c.result,
               t.c.petition_id, p.c.case_id)
        .select_from(t.outerjoin(a, a.c.id == t.c.agency_id).outerjoin(p, p.c.id == t.c.petition_id))
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
            petition_id=r.petition_id,
            case_id=r.case_id,
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
        if query:
            begin_search(conn)
        keys = _page_keys(conn, spec, query, after, limit)
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
    with engine.connect() as conn:
        if query:
            begin_search(conn)
        where, _sparse = _filter(conn, spec, query, counting=True)
        stmt = select(func.count()).select_from(spec.table).where(*where)
        return int(conn.execute(stmt).scalar_one())


def database_is_empty(engine: Engine) -> bool:
    """True when no record of the office's work exists yet (reference data does not count)."""
    tables = (_visit, _petition, _transfer, _case, _citizen)
    with engine.connect() as conn:
        return all(conn.execute(select(t.c.id).limit(1)).first() is None for t in tables)
