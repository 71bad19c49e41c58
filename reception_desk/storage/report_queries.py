"""Set-based queries behind the office report (01/TCD, 01/XLD), its drill-down and the Mẫu 03 register.

One period of the report is read with six statements, each answering with a few aggregated rows:

1. visit totals per reception mode and 2. the case profile — the statistics engine's own two
   statements (storage.stats_queries), asked for the four modes separately and split by field,
   so every reception group of the form (regular, head, its scheduled and ad-hoc days, deputy,
   all leaders) is folded here from the same rows, with the statistics' definitions;
3. petitions, transfer letters and directives — stats_queries.document_figures;
4. the petitions of the period counted by channel, eligibility and handling in one pass
   (``COUNT(*) FILTER (WHERE …)``: one row, no GROUP BY sort);
5. transfers answered in the period and overdue at its end, in one pass over the transfers;
6. reception sessions per mode.

The drill-down (``figure_select``) turns a figure's ``FigureSpec`` (domain.report_forms) into one
SELECT of (id, day, part, weight) — the records behind the figure — which is both counted
(``figure_value``: COUNT, or SUM/MAX of persons) and paged (``figure_page``: keyset on
(day, id, part)). Nothing here loops over records in Python.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    Table,
    and_,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from reception_desk.domain.enums import Channel, HandlingDirection
from reception_desk.domain.report_forms import (
    BASE_MODES,
    FIELD_UNSET,
    FIELD_UNSET_LABEL,
    PENDING,
    RECEPTION_GROUPS,
    REPORT_KINDS,
    TOTAL_PARTS,
    FigureSpec,
    field_slug,
)
from reception_desk.storage import stats_queries
from reception_desk.storage.models import (
    Agency,
    Case,
    Citizen,
    Directive,
    Petition,
    PetitionSigner,
    ReceptionSession,
    Transfer,
    Visit,
    VisitCitizen,
)

_visit: Table = Visit.__table__  # type: ignore[assignment]
_case: Table = Case.__table__  # type: ignore[assignment]
_petition: Table = Petition.__table__  # type: ignore[assignment]
_transfer: Table = Transfer.__table__  # type: ignore[assignment]
_session: Table = ReceptionSession.__table__  # type: ignore[assignment]
_directive: Table = Directive.__table__  # type: ignore[assignment]
_agency: Table = Agency.__table__  # type: ignore[assignment]
_citizen: Table = Citizen.__table__  # type: ignore[assignment]
_visit_citizen: Table = VisitCitizen.__table__  # type: ignore[assignment]
_signer: Table = PetitionSigner.__table__  # type: ignore[assignment]

begin_report = stats_queries.begin_report
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(?:-[0-9A-Fa-f]+)*")


# --- sharing one snapshot between connections ----------------------------------------------------


def export_snapshot(conn: Connection) -> str | None:
    """PostgreSQL: the id of this report transaction's snapshot, for a second connection to read the
    very same data (``import_snapshot``). SQLite has no such thing: None."""
    if conn.dialect.name != "postgresql":
        return None
    return str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())


def import_snapshot(conn: Connection, snapshot: str | None) -> None:
    """Read in the snapshot another report transaction exported; call it right after begin_report."""
    if snapshot is None or conn.dialect.name != "postgresql":
        return
    # SET takes no bound parameters: the id (hex groups and dashes) is checked, then inlined.
    if not _SNAPSHOT_ID.fullmatch(snapshot):
        raise ValueError(f"mã snapshot không hợp lệ: {snapshot!r}")
    conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")


# --- the period's figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures:
    """Every figure of one period by key, and the label of each field slug seen in it."""

    values: dict[str, int]
    field_labels: dict[str, str]


def _fold_groups(totals: dict[str, tuple[int, ...]], profile: list[stats_queries.CaseProfileRow],
                 values: dict[str, int]) -> dict[str, str]:
    """Fold the per-mode totals and the per-mode case profile into every reception group."""
    # The profile is split by field (a thousand rows for a year); the groups do not need the
    # field, so the rows are first merged without it (a couple of hundred), as bit masks.
    merged: dict[tuple[str, bool, int, int, int], int] = {}
    for row in profile:
        seen = sum(1 << i for i, level in enumerate(row.levels) if level >= 1)
        crowd = sum(1 << i for i, level in enumerate(row.levels) if level == 2)
        key = (row.kind, row.new, seen, crowd, row.first_in)
        merged[key] = merged.get(key, 0) + row.cases
    kind_of = {stored: kind for kind, stored_kinds in REPORT_KINDS.items() for stored in stored_kinds}
    index = {mode: i for i, mode in enumerate(BASE_MODES)}
    for group in RECEPTION_GROUPS:
        mask = sum(1 << index[m] for m in group.modes)
        p = f"tcd.{group.name}."
        rows = [totals.get(m, (0, 0, 0, 0, 0)) for m in group.modes]
        visits, persons = sum(r[0] for r in rows), sum(r[1] for r in rows)
        delegations, delegation_persons = sum(r[2] for r in rows), sum(r[3] for r in rows)
        fig = dict.fromkeys(("first_visits", "cases", "first_cases", "delegations.cases",
                             "delegations.first_cases"), 0) | {f"by_kind.{k}": 0 for k in REPORT_KINDS}
        for (kind, new, seen, crowd, first_in), cases in merged.items():
            # a case's first visit is one visit, of one mode: at most one bit of first_in is set
            if first_in & mask:
                fig["first_visits"] += cases
            if seen & mask:
                fig["cases"] += cases
                fig["first_cases"] += cases if new else 0
                if kind in kind_of:
                    fig[f"by_kind.{kind_of[kind]}"] += cases
            if crowd & mask:
                fig["delegations.cases"] += cases
                fig["delegations.first_cases"] += cases if new else 0
        values.update({
            p + "visits": visits,
            p + "first_visits": fig["first_visits"],
            p + "repeat_visits": visits - fig["first_visits"],
            p + "persons": persons,
            p + "cases": fig["cases"],
            p + "first_cases": fig["first_cases"],
            p + "repeat_cases": fig["cases"] - fig["first_cases"],
            **{p + f"by_kind.{k}": fig[f"by_kind.{k}"] for k in REPORT_KINDS},
            p + "delegations.count": delegations,
            p + "delegations.persons": delegation_persons,
            p + "delegations.cases": fig["delegations.cases"],
            p + "delegations.first_cases": fig["delegations.first_cases"],
            p + "delegations.repeat_cases": fig["delegations.cases"] - fig["delegations.first_cases"],
            p + "delegations.largest": max((r[4] for r in rows), default=0),
        })
    values["tcd.total.visits"] = sum(values[f"tcd.{g}.visits"] for g in TOTAL_PARTS)
    values["tcd.total.persons"] = sum(values[f"tcd.{g}.persons"] for g in TOTAL_PARTS)
    values["tcd.total.cases"] = sum(values[f"tcd.{g}.cases"] for g in TOTAL_PARTS)

    # Cases by field, over all modes: a case is in exactly one profile row.
    per_field: dict[str | None, int] = {}
    for row in profile:
        if any(level >= 1 for level in row.levels):
            per_field[row.field] = per_field.get(row.field, 0) + row.cases
    by_slug: dict[str, int] = {}
    spellings: dict[str, dict[str, int]] = {}
    for name, count in per_field.items():
        slug = field_slug(name)
        by_slug[slug] = by_slug.get(slug, 0) + count
        if name and slug != FIELD_UNSET:
            spellings.setdefault(slug, {})[name] = count
    for slug, count in by_slug.items():
        values[f"tcd.by_field.{slug}"] = count
    labels = {slug: FIELD_UNSET_LABEL for slug in by_slug}
    for slug, names in spellings.items():
        # the spelling most of the cases use (then the first in order) names the field
        labels[slug] = min(names.items(), key=lambda item: (-item[1], item[0]))[0]
    return labels


def _petition_counts(conn: Connection, start: date, end: date) -> dict[str, int]:
    """The petitions of the period by channel, eligibility and handling in one pass over the
    covering index ix_petition_report (received_on, channel, kind, eligible, handling): no row is
    read. (Each FILTER costs a test per petition, so the received total and the kinds stay with
    document_figures, counted over index ranges.)"""
    p = _petition
    counts: dict[str, ColumnElement[Any]] = {}
    for channel in Channel:
        counts[f"xld.by_channel.{channel.value}"] = p.c.channel == channel.value
    counts["xld.eligibility.eligible"] = p.c.eligible.is_(True)
    counts["xld.eligibility.not_eligible"] = p.c.eligible.is_(False)
    counts["xld.eligibility.unassessed"] = p.c.eligible.is_(None)
    for kind, stored in REPORT_KINDS.items():
        counts[f"xld.eligible_by_kind.{kind}"] = and_(p.c.eligible.is_(True), p.c.kind.in_(stored))
    for direction in HandlingDirection:
        counts[f"xld.handling.{direction.value}"] = p.c.handling == direction.value
    counts[f"xld.handling.{PENDING}"] = p.c.handling.is_(None)
    stmt = select(*(func.count().filter(cond) for cond in counts.values())).where(
        p.c.received_on.between(start, end))
    row = conn.execute(stmt).one()
    return {key: int(value or 0) for key, value in zip(counts, row, strict=True)}


def _transfer_counts(conn: Connection, start: date, end: date) -> dict[str, int]:
    """Transfers answered in the period, and overdue at its end.

    Each is a count over ranges of ix_transfer_answer (answered_on, due_on, sent_on): the overdue
    ones are the unanswered ones (answered_on IS NULL, due by the end) plus those answered only
    after the end — two ranges instead of a pass over every transfer.
    """
    t = _transfer

    def count(*where: ColumnElement[bool]) -> ColumnElement[Any]:
        return select(func.count()).select_from(t).where(*where).scalar_subquery()

    due = (t.c.due_on <= end, t.c.sent_on <= end)
    stmt = select(
        count(t.c.answered_on.between(start, end)),
        count(t.c.answered_on.is_(None), *due) + count(t.c.answered_on > end, *due),
    )
    answered, overdue = conn.execute(stmt).one()
    return {"xld.transfers.answered": int(answered or 0), "xld.transfers.overdue": int(overdue or 0)}


def _overdue_at(end: date) -> ColumnElement[bool]:
    """Overdue at the end of the period's last day: sent by then, its due day passed by then, and
    no answer recorded by then (an answer that came later does not count)."""
    t = _transfer
    return and_(t.c.sent_on <= end, t.c.due_on <= end, or_(t.c.answered_on.is_(None), t.c.answered_on > end))


def _session_counts(conn: Connection, start: date, end: date) -> dict[str, int]:
    s = _session
    stmt = (select(s.c.reception_mode, func.count()).where(s.c.held_on.between(start, end))
            .group_by(s.c.reception_mode))
    per_mode = {mode: int(n) for mode, n in conn.execute(stmt)}
    return {f"tcd.{g.name}.sessions": sum(per_mode.get(m, 0) for m in g.modes)
            for g in RECEPTION_GROUPS if g.has_sessions}


def period_figures(conn: Connection, start: date, end: date) -> PeriodFigures:
    """Every figure of the inclusive period [start, end], read inside the caller's transaction."""
    totals = stats_queries._visit_totals(conn, start, end, BASE_MODES)
    profile = stats_queries._case_profile(conn, start, end, [(m,) for m in BASE_MODES], by_field=True)
    values: dict[str, int] = {}
    labels = _fold_groups(totals, profile, values)
    values.update(_session_counts(conn, start, end))
    docs = stats_queries.document_figures(conn, start, end, REPORT_KINDS)
    values["xld.received.total"] = docs["received"]
    for kind in REPORT_KINDS:
        values[f"xld.by_kind.{kind}"] = docs[f"kind:{kind}"]
    values["xld.transfers.sent"] = docs["transferred"]
    values["xld.directives"] = docs["directives"]
    values.update(_petition_counts(conn, start, end))
    values.update(_transfer_counts(conn, start, end))
    return PeriodFigures(values, labels)


# --- drill-down --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordKey:
    """Where a record sits in a drill-down list: (day, id, part), ascending."""

    day: date
    id: uuid.UUID
    part: int = 0


def _field_values(conn: Connection, slug: str) -> tuple[list[str], bool]:
    """The stored spellings of a field slug, and whether cases without a field belong to it."""
    k = _case
    spellings = [f for (f,) in conn.execute(select(k.c.field).where(k.c.field.is_not(None)).distinct())
                 if field_slug(f) == slug]
    return spellings, slug == FIELD_UNSET


def _visit_records(spec: FigureSpec, start: date, end: date) -> Select:
    v, k = _visit, _case
    where: list[ColumnElement[bool]] = [v.c.visit_date.between(start, end), v.c.reception_mode.in_(spec.modes)]
    if spec.delegation:
        where.append(v.c.is_delegation.is_(True))
    source: Any = v
    if spec.first is not None:
        source = v.join(k, k.c.id == v.c.case_id)
        is_first = k.c.first_visit_id == v.c.id
        where.append(is_first if spec.first else or_(k.c.first_visit_id.is_(None), not_(is_first)))
    return select(v.c.id.label("id"), v.c.visit_date.label("day"), literal(0, Integer).label("part"),
                  v.c.persons.label("weight")).select_from(source).where(*where)


def _case_records(conn: Connection, spec: FigureSpec, modes: Sequence[str], start: date, end: date,
                  part: int) -> Select:
    v, k = _visit, _case
    where: list[ColumnElement[bool]] = [v.c.visit_date.between(start, end), v.c.reception_mode.in_(list(modes))]
    if spec.delegation:
        where.append(v.c.is_delegation.is_(True))
    if spec.first is True:
        where.append(k.c.first_visit_on.between(start, end))
    elif spec.first is False:
        where.append(or_(k.c.first_visit_on.is_(None), not_(k.c.first_visit_on.between(start, end))))
    if spec.case_kinds:
        where.append(k.c.kind.in_(spec.case_kinds))
    if spec.field_slug is not None:
        spellings, unset = _field_values(conn, spec.field_slug)
        options = [k.c.field.in_(spellings)] if spellings else []
        if unset:
            options.append(k.c.field.is_(None))
        where.append(or_(*options) if options else literal(False))
    return (select(v.c.case_id.label("id"), func.min(v.c.visit_date).label("day"),
                   literal(part, Integer).label("part"), literal(1, Integer).label("weight"))
            .select_from(v.join(k, k.c.id == v.c.case_id)).where(*where).group_by(v.c.case_id))


def _petition_records(spec: FigureSpec, start: date, end: date) -> Select:
    p = _petition
    where: list[ColumnElement[bool]] = [p.c.received_on.between(start, end)]
    if spec.channel is not None:
        where.append(p.c.channel == spec.channel)
    if spec.petition_kinds:
        where.append(p.c.kind.in_(spec.petition_kinds))
    if spec.eligibility == "eligible":
        where.append(p.c.eligible.is_(True))
    elif spec.eligibility == "not_eligible":
        where.append(p.c.eligible.is_(False))
    elif spec.eligibility == "unassessed":
        where.append(p.c.eligible.is_(None))
    if spec.handling == PENDING:
        where.append(p.c.handling.is_(None))
    elif spec.handling is not None:
        where.append(p.c.handling == spec.handling)
    return select(p.c.id.label("id"), p.c.received_on.label("day"), literal(0, Integer).label("part"),
                  literal(1, Integer).label("weight")).where(*where)


def _transfer_records(spec: FigureSpec, start: date, end: date) -> Select:
    t = _transfer
    if spec.transfer_state == "answered":
        day, where = t.c.answered_on, t.c.answered_on.between(start, end)
    elif spec.transfer_state == "overdue":
        day, where = t.c.due_on, _overdue_at(end)
    else:
        day, where = t.c.sent_on, t.c.sent_on.between(start, end)
    return select(t.c.id.label("id"), day.label("day"), literal(0, Integer).label("part"),
                  literal(1, Integer).label("weight")).where(where)


def figure_select(conn: Connection, spec: FigureSpec, start: date, end: date) -> Select:
    """The records behind a figure: a SELECT of (id, day, part, weight)."""
    if spec.records == "visit":
        return _visit_records(spec, start, end)
    if spec.records == "case":
        if spec.parts:
            parts = [_case_records(conn, spec, modes, start, end, n) for n, modes in enumerate(spec.parts)]
            return select(union_all(*parts).subquery("parts"))
        return _case_records(conn, spec, spec.modes, start, end, 0)
    if spec.records == "session":
        s = _session
        return select(s.c.id.label("id"), s.c.held_on.label("day"), literal(0, Integer).label("part"),
                      literal(1, Integer).label("weight")).where(s.c.held_on.between(start, end),
                                                                 s.c.reception_mode.in_(spec.modes))
    if spec.records == "petition":
        return _petition_records(spec, start, end)
    if spec.records == "transfer":
        return _transfer_records(spec, start, end)
    d = _directive
    return select(d.c.id.label("id"), d.c.issued_on.label("day"), literal(0, Integer).label("part"),
                  literal(1, Integer).label("weight")).where(d.c.issued_on.between(start, end))


def figure_value(conn: Connection, spec: FigureSpec, start: date, end: date) -> int:
    """The figure recomputed from its records: COUNT, or SUM / MAX of their persons."""
    records = figure_select(conn, spec, start, end).subquery("records")
    if spec.measure == "sum_persons":
        agg: ColumnElement[Any] = func.coalesce(func.sum(records.c.weight), 0)
    elif spec.measure == "max_persons":
        agg = func.coalesce(func.max(records.c.weight), 0)
    else:
        agg = func.count()
    return int(conn.execute(select(agg).select_from(records)).scalar_one() or 0)


def figure_page(conn: Connection, spec: FigureSpec, start: date, end: date, after: RecordKey | None,
                limit: int) -> list[RecordKey]:
    """Up to ``limit`` records behind a figure after ``after``, by (day, id, part)."""
    records = figure_select(conn, spec, start, end).subquery("records")
    c = records.c
    stmt = select(c.day, c.id, c.part)
    if after is not None:
        stmt = stmt.where(or_(c.day > after.day,
                              and_(c.day == after.day, or_(c.id > after.id,
                                                           and_(c.id == after.id, c.part > after.part)))))
    stmt = stmt.order_by(c.day, c.id, c.part).limit(limit)
    return [RecordKey(row.day, row.id, int(row.part)) for row in conn.execute(stmt)]


# --- details of the records of a page ------------------------------------------------------------


def visit_details(conn: Connection, ids: Sequence[uuid.UUID]) -> list[Any]:
    v, k = _visit, _case
    stmt = (select(v.c.id, v.c.visit_date, v.c.visit_time, v.c.reception_mode, v.c.persons, v.c.is_delegation,
                   v.c.content, v.c.outcome, v.c.refusal_ground, v.c.note, v.c.host, v.c.case_id,
                   k.c.title, k.c.kind, k.c.field, k.c.status, k.c.first_visit_id)
            .select_from(v.join(k, k.c.id == v.c.case_id)).where(v.c.id.in_(list(ids))))
    return list(conn.execute(stmt))


def case_details(conn: Connection, ids: Sequence[uuid.UUID]) -> list[Any]:
    k = _case
    stmt = select(k.c.id, k.c.title, k.c.kind, k.c.field, k.c.status, k.c.first_visit_on).where(
        k.c.id.in_(list(ids)))
    return list(conn.execute(stmt))


def petition_details(conn: Connection, ids: Sequence[uuid.UUID]) -> list[Any]:
    p = _petition
    stmt = select(p.c.id, p.c.received_on, p.c.channel, p.c.kind, p.c.anonymous, p.c.confidential, p.c.summary,
                  p.c.handling, p.c.eligible, p.c.case_id).where(p.c.id.in_(list(ids)))
    return list(conn.execute(stmt))


def petition_signer_names(conn: Connection, petition_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Signers' names of the given petitions; callers pass only those whose signers may be shown."""
    if not petition_ids:
        return {}
    s, c = _signer, _citizen
    stmt = (select(s.c.petition_id, c.c.full_name).join(c, c.c.id == s.c.citizen_id)
            .where(s.c.petition_id.in_(list(petition_ids))).order_by(s.c.petition_id, s.c.ordinal, c.c.name_key))
    names: dict[uuid.UUID, list[str]] = {}
    for petition_id, name in conn.execute(stmt):
        names.setdefault(petition_id, []).append(name)
    return names


def transfer_details(conn: Connection, ids: Sequence[uuid.UUID]) -> list[Any]:
    t, a, p = _transfer, _agency, _petition
    stmt = (select(t.c.id, t.c.sent_on, t.c.number, t.c.due_on, t.c.answered_on, t.c.answer_number,
                   a.c.name.label("agency_name"), p.c.kind, p.c.summary, p.c.case_id)
            .select_from(t.outerjoin(a, a.c.id == t.c.agency_id).outerjoin(p, p.c.id == t.c.petition_id))
            .where(t.c.id.in_(list(ids))))
    return list(conn.execute(stmt))


def session_details(conn: Connection, ids: Sequence[uuid.UUID]) -> list[Any]:
    s = _session
    visits = (select(func.count()).select_from(_visit).where(_visit.c.session_id == s.c.id)
              .scalar_subquery().label("visits"))
    stmt = select(s.c.id, s.c.held_on, s.c.kind, s.c.reception_mode, s.c.leader, s.c.leader_position,
                  s.c.place, visits).where(s.c.id.in_(list(ids)))
    return list(conn.execute(stmt))


def directive_details(conn: Connection, ids: Sequence[uuid.UUID]) -> list[Any]:
    d = _directive
    stmt = select(d.c.id, d.c.issued_on, d.c.number, d.c.subject, d.c.case_id).where(d.c.id.in_(list(ids)))
    return list(conn.execute(stmt))


# --- the register (Sổ tiếp công dân, Mẫu 03) -----------------------------------------------------

MIDNIGHT = time(0, 0)


@dataclass(frozen=True, slots=True)
class RegisterKey:
    """A visit's place in the register: by day, time of day (none: first), then id."""

    day: date
    at: time
    id: uuid.UUID


def register_keys(conn: Connection, start: date, end: date, after: RegisterKey | None,
                  limit: int) -> list[RegisterKey]:
    """The next ``limit`` visits of [start, end] in register order, after ``after``.

    The date index is walked forward and only each day's visits are sorted (by time, then id), so
    a page of a year costs about what a page of a day does.
    """
    v = _visit
    at = func.coalesce(v.c.visit_time, MIDNIGHT)
    where: list[ColumnElement[bool]] = [v.c.visit_date.between(start, end)]
    if after is not None:
        where.append(or_(v.c.visit_date > after.day,
                         and_(v.c.visit_date == after.day,
                              or_(at > after.at, and_(at == after.at, v.c.id > after.id)))))
    stmt = select(v.c.visit_date, at.label("at"), v.c.id).where(*where).order_by(
        v.c.visit_date, at, v.c.id).limit(limit)
    return [RegisterKey(row.visit_date, _as_time(row.at), row.id) for row in conn.execute(stmt)]


def _as_time(value: Any) -> time:
    """COALESCE hands SQLite's stored text back untyped: parse it."""
    if isinstance(value, time):
        return value
    return time.fromisoformat(str(value))


def register_count(conn: Connection, start: date, end: date) -> int:
    v = _visit
    return int(conn.execute(select(func.count()).select_from(v).where(v.c.visit_date.between(start, end)))
               .scalar_one())


def register_before(conn: Connection, start: date, key: RegisterKey) -> int:
    """How many visits of the register come before ``key`` (for its running number)."""
    v = _visit
    at = func.coalesce(v.c.visit_time, MIDNIGHT)
    stmt = select(func.count()).select_from(v).where(
        v.c.visit_date.between(start, key.day),
        or_(v.c.visit_date < key.day, at < key.at, and_(at == key.at, v.c.id < key.id)))
    return int(conn.execute(stmt).scalar_one())


def visitors(conn: Connection, visit_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """Who came to each visit (citizens, then representatives, in their order); callers pass only the
    visits whose visitors may be shown."""
    if not visit_ids:
        return {}
    vc, c = _visit_citizen, _citizen
    stmt = (select(vc.c.visit_id, vc.c.role, c.c.full_name, c.c.address, c.c.id_type, c.c.id_number)
            .join(c, c.c.id == vc.c.citizen_id).where(vc.c.visit_id.in_(list(visit_ids)))
            .order_by(vc.c.visit_id, vc.c.role, vc.c.ordinal, c.c.name_key))
    found: dict[uuid.UUID, list[Any]] = {}
    for row in conn.execute(stmt):
        found.setdefault(row.visit_id, []).append(row)
    return found


def case_transfers(conn: Connection, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """The transfers of the cases' petitions with the agency, by sending date."""
    if not case_ids:
        return {}
    t, a, p = _transfer, _agency, _petition
    stmt = (select(p.c.case_id, t.c.sent_on, t.c.due_on, t.c.answered_on, t.c.answer_number, t.c.number,
                   a.c.name.label("agency_name"))
            .select_from(t.join(p, p.c.id == t.c.petition_id).outerjoin(a, a.c.id == t.c.agency_id))
            .where(p.c.case_id.in_(list(case_ids))).order_by(p.c.case_id, t.c.sent_on, t.c.id))
    found: dict[uuid.UUID, list[Any]] = {}
    for row in conn.execute(stmt):
        found.setdefault(row.case_id, []).append(row)
    return found

