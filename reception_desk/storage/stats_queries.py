"""Set-based queries behind the statistics (Biểu 01/TCD and the petition summary).

A period is answered by three statements, each a single index range scan,
whose answers are a few aggregated rows (never one row per record):

1. visit totals grouped by reception mode (visits, persons, delegations) — visit rows only;
2. the case profile: the visits of the period folded per case (GROUP BY case_id) into the groups
   it was seen in (and with a delegation or not) and the group of its first visit, then counted
   per (kind, first-time, groups, group of the first visit). The visit rows carry copies of their
   case's kind, field and first visit (storage.cases), so this reads the covering index
   ix_visit_stats only: no COUNT(DISTINCT …) per figure, and no case_file look-up per case;
3. petitions, transfers and directives as scalar sub-queries, each through its own date index.

The rows of 1–2 are folded into the caller's groups here (a few dozen rows at most). Grouping is
on plain columns or on output labels, never on an expression repeated with bound parameters,
which PostgreSQL would refuse. The grouping of reception modes and petition kinds belongs to the
caller (services.statistics); this module only turns it into SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from reception_desk.storage.engine import begin_sqlite_transaction
from reception_desk.storage.models import Directive, Petition, Transfer, Visit

# Measures of one reception group (plus ``kind:<report kind>`` distinct-case counts).
VISIT_MEASURES = (
    "visits",
    "first_visits",
    "persons",
    "cases",
    "first_cases",
    "delegations",
    "delegation_persons",
    "delegation_cases",
    "delegation_first_cases",
    "largest_delegation",
)


def begin_report(conn: Connection) -> None:
    """Set up the transaction a report reads in; call it first, before any other statement.

    On PostgreSQL: one REPEATABLE READ READ ONLY snapshot for all the statements of the report
    (this year and last year agree even while desks keep recording), and three settings local to
    that transaction — JIT off (compiling costs seconds, longer than the queries; the planner
    prices the guarded first-visit look-up as if it ran on every row and would trigger it), no
    parallel workers (each worker would rebuild the whole per-case aggregate for its hash join),
    and enough work_mem for a year's per-case aggregate to stay in memory. On SQLite: an explicit
    read transaction, so every statement reads the same snapshot.
    """
    if conn.dialect.name == "sqlite":
        # A WAL read transaction: this year, last year and every figure see the same data.
        begin_sqlite_transaction(conn)
        return
    conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    conn.exec_driver_sql("SET LOCAL jit = off")
    conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
    conn.exec_driver_sql("SET LOCAL work_mem = '32MB'")


def _visit_totals(
    conn: Connection, start: date, end: date, modes: Sequence[str]
) -> dict[str, tuple[int, int, int, int, int]]:
    """mode → (visits, persons, delegations, delegation persons, largest delegation)."""
    visit = Visit.__table__
    deleg = visit.c.is_delegation.is_(True)
    stmt = (
        select(
            visit.c.reception_mode,
            func.count(),
            func.coalesce(func.sum(visit.c.persons), 0),
            func.coalesce(func.sum(case((deleg, 1), else_=0)), 0),
            func.coalesce(func.sum(case((deleg, visit.c.persons), else_=0)), 0),
            func.coalesce(func.max(case((deleg, visit.c.persons))), 0),
        )
        .where(visit.c.visit_date.between(start, end), visit.c.reception_mode.in_(modes))
        .group_by(visit.c.reception_mode)
    )
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in conn.execute(stmt)}  # type: ignore[misc]


@dataclass(frozen=True)
class CaseProfileRow:
    """A number of cases visited in the period that share the same profile."""

    kind: str  # case_file.kind
    new: bool  # the case's first visit (in any mode) falls in the period
    levels: tuple[int, ...]  # per part: 0 not visited, 1 visited, 2 visited with a delegation
    first_in: int  # bit i set: the case's first visit is one of part i's visits of the period
    cases: int
    field: str | None = None  # case_file.field, when asked for (by_field)


def _case_profile(
    conn: Connection, start: date, end: date, parts: Sequence[Sequence[str]], *, by_field: bool = False
) -> list[CaseProfileRow]:
    """The cases visited during the period, counted per profile (a few hundred rows at most).

    ``parts``: disjoint sets of reception modes (the statistics' two groups, or the report's four
    modes); callers fold the profile into their groups (a group's distinct cases are those seen in
    any of its parts). Each part costs an aggregate per visit, so ask for no more parts than the
    groups need. ``by_field``: also split by the case's field (services.reports), which costs
    little: the visit rows carry it.
    """
    visit = Visit.__table__
    all_modes = [mode for modes in parts for mode in modes]
    if len(set(all_modes)) != len(all_modes):
        raise ValueError("the parts of a case profile must not share a reception mode")
    # Everything comes from the visit rows (their copies of the case: storage.cases), grouped
    # per case over the covering index ix_visit_stats: no case_file row is read.
    visit_level = case((visit.c.is_delegation.is_(True), 2), else_=1)
    levels: list[ColumnElement] = []
    part_bit: dict[str, int] = {}
    for i, modes in enumerate(parts):
        in_part = visit.c.reception_mode == modes[0] if len(modes) == 1 else visit.c.reception_mode.in_(list(modes))
        levels.append(func.max(case((in_part, visit_level), else_=0)).label(f"level_{i}"))
        part_bit.update(dict.fromkeys(modes, 1 << i))
    # The case's first visit, if it is one of the period's visits: the bit of its part, or the
    # bit after them when it is in a mode outside every part (0: not in the period). One
    # aggregate tells both whether the case is new in the period and where it was first seen.
    outside = 1 << len(parts)
    first_seen = func.max(case((visit.c.first_of_case.is_(True),
                              case(part_bit, value=visit.c.reception_mode, else_=outside)), else_=0))
    # Kind and field are the same on every visit of a case. SQLite takes such a column as it is
    # in an aggregate query (each aggregate costs about a tenth of the query); PostgreSQL wants
    # an aggregate.
    sqlite = conn.dialect.name == "sqlite"
    kind = visit.c.case_kind if sqlite else func.max(visit.c.case_kind)
    extra = [(visit.c.case_field if sqlite else func.max(visit.c.case_field)).label("field")] if by_field else []
    per_case = (
        select(kind.label("kind"), first_seen.label("first_at"), *levels, *extra)
        .where(visit.c.visit_date.between(start, end))
        .group_by(visit.c.case_id)
        .subquery("per_case")
    )
    # One integer per (new, levels, first_in): PostgreSQL then groups by hashing a few columns
    # (with one column per level it estimated a group per case and sorted them all).
    first_at = per_case.c.first_at
    code = case((first_at > 0, 1), else_=0)
    weight = 2
    for i in range(len(parts)):
        code = code + per_case.c[f"level_{i}"] * weight
        weight *= 3
    code = code + case((first_at == outside, 0), else_=first_at) * weight
    outer_extra = [per_case.c.field] if by_field else []
    stmt = (
        select(per_case.c.kind, code.label("code"), func.count(), *outer_extra)
        .group_by(per_case.c.kind, "code", *outer_extra)
    )
    rows: list[CaseProfileRow] = []
    for row in conn.execute(stmt):
        value = int(row[1])
        new, value = bool(value % 2), value // 2
        found = []
        for _ in parts:
            found.append(value % 3)
            value //= 3
        rows.append(CaseProfileRow(row[0], new, tuple(found), value, int(row[2]), row[3] if by_field else None))
    return rows


def visit_figures(
    conn: Connection,
    start: date,
    end: date,
    groups: Mapping[str, Sequence[str]],
    kinds: Mapping[str, Sequence[str]],
) -> dict[str, dict[str, int]]:
    """Per reception group: the VISIT_MEASURES and ``kind:<name>`` distinct-case counts.

    ``groups`` maps a group name to its reception modes, ``kinds`` a report kind to the case kinds
    it gathers. Dates are inclusive: [start, end].
    """
    all_modes = list(dict.fromkeys(mode for modes in groups.values() for mode in modes))
    totals = _visit_totals(conn, start, end, all_modes)
    # Disjoint groups (the statistics' regular / leaders) are profiled as they are; overlapping
    # ones (a form's head / deputy / all leaders) mode by mode, then folded.
    mode_sets = [set(modes) for modes in groups.values()]
    disjoint = sum(len(m) for m in mode_sets) == len(all_modes)
    parts = [tuple(dict.fromkeys(modes)) for modes in groups.values()] if disjoint else [(m,) for m in all_modes]
    part_of = {mode: i for i, modes in enumerate(parts) for mode in modes}
    profile = _case_profile(conn, start, end, parts)
    report_kind_of = {stored: kind for kind, stored_kinds in kinds.items() for stored in stored_kinds}

    result: dict[str, dict[str, int]] = {}
    for group, modes in groups.items():
        figures = dict.fromkeys(VISIT_MEASURES, 0) | {f"kind:{kind}": 0 for kind in kinds}
        for mode in modes:
            visits, persons, delegations, delegation_persons, largest = totals.get(mode, (0, 0, 0, 0, 0))
            figures["visits"] += visits
            figures["persons"] += persons
            figures["delegations"] += delegations
            figures["delegation_persons"] += delegation_persons
            figures["largest_delegation"] = max(figures["largest_delegation"], largest)
        bits = sorted({part_of[mode] for mode in modes})
        group_mask = sum(1 << i for i in bits)
        for row in profile:
            level = max(row.levels[i] for i in bits)
            # a case's first visit is one visit, in one mode: at most one bit of first_in is set
            if row.first_in & group_mask:
                figures["first_visits"] += row.cases
            if level >= 1:
                figures["cases"] += row.cases
                figures["first_cases"] += row.cases if row.new else 0
                if row.kind in report_kind_of:
                    figures[f"kind:{report_kind_of[row.kind]}"] += row.cases
            if level == 2:
                figures["delegation_cases"] += row.cases
                figures["delegation_first_cases"] += row.cases if row.new else 0
        result[group] = figures
    return result


def document_figures(
    conn: Connection, start: date, end: date, kinds: Mapping[str, Sequence[str]]
) -> dict[str, int]:
    """Petitions received (total and ``kind:<name>``), transfer letters sent, directives issued.

    Each count is its own scalar sub-query so each uses its own index: (kind, received_on) for the
    kinds, received_on, transfer.sent_on and directive.issued_on.
    """
    petition = Petition.__table__
    transfer = Transfer.__table__
    directive = Directive.__table__

    def count(table, where: ColumnElement[bool]) -> ColumnElement:  # noqa: ANN001 - a Table
        return select(func.count()).select_from(table).where(where).scalar_subquery()

    received = petition.c.received_on.between(start, end)
    counts: dict[str, ColumnElement] = {"received": count(petition, received)}
    for kind, petition_kinds in kinds.items():
        counts[f"kind:{kind}"] = count(petition, and_(petition.c.kind.in_(list(petition_kinds)), received))
    counts["transferred"] = count(transfer, transfer.c.sent_on.between(start, end))
    counts["directives"] = count(directive, directive.c.issued_on.between(start, end))

    row = conn.execute(select(*counts.values())).one()
    return {name: int(value or 0) for name, value in zip(counts, row, strict=True)}
