"""Set-based queries behind the statistics (Biểu 01/TCD and the petition summary).

A period is answered by four statements, each a single index range scan plus at most one join,
whose answers are a few aggregated rows (never one row per record):

1. visit totals grouped by reception mode (visits, persons, delegations) — visit rows only;
2. first-time visits grouped by the mode of the case's first visit — only the cases whose first
   visit falls in the period (index on case_file.first_visit_on) are touched;
3. the case profile: visits of the period folded per case into a bit set of the groups (and the
   groups' delegations) it was seen in, then joined once per case to its kind and first-visit date
   and counted per (kind, first-time, bit set) — this is what makes "distinct cases" cheap: one
   join per case instead of a COUNT(DISTINCT …) per figure per visit;
4. petitions, transfers and directives as scalar sub-queries, each through its own date index.

The mode-level rows of 1–3 are folded into the caller's groups here (a handful of rows). Grouping
is on plain columns or on output labels, never on an expression repeated with bound parameters,
which PostgreSQL would refuse. The grouping of reception modes and petition kinds belongs to the
caller (services.statistics); this module only turns it into SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from reception_desk.storage.models import Case, Directive, Petition, Transfer, Visit

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


def _first_visits_by_mode(conn: Connection, start: date, end: date, modes: Sequence[str]) -> dict[str, int]:
    """mode → visits of the period that are the first visit of their case."""
    visit = Visit.__table__
    case_file = Case.__table__
    stmt = (
        select(visit.c.reception_mode, func.count())
        .select_from(case_file.join(visit, visit.c.id == case_file.c.first_visit_id))
        # first_visit_on is the date of first_visit_id: filtering the cases alone lets both
        # databases start from the few new cases and look their first visit up by key.
        .where(case_file.c.first_visit_on.between(start, end), visit.c.reception_mode.in_(modes))
        .group_by(visit.c.reception_mode)
    )
    return {mode: int(count) for mode, count in conn.execute(stmt)}


def _case_profile(
    conn: Connection, start: date, end: date, groups: Mapping[str, Sequence[str]]
) -> list[tuple[str, bool, int, int]]:
    """(case kind, first visit in the period?, bit set, number of cases) for the cases visited.

    Bit 2·i is set when the case was visited in group i during the period, bit 2·i+1 when one of
    those visits was a delegation.
    """
    visit = Visit.__table__
    case_file = Case.__table__
    deleg = visit.c.is_delegation.is_(True)
    bits: list[ColumnElement] = []
    for i, modes in enumerate(groups.values()):
        in_group = visit.c.reception_mode.in_(list(modes))
        bits.append(func.max(case((in_group, 1 << (2 * i)), else_=0)))
        bits.append(func.max(case((and_(in_group, deleg), 1 << (2 * i + 1)), else_=0)))
    all_modes = sorted({mode for modes in groups.values() for mode in modes})
    per_case = (
        # each bit has its own MAX, so adding the MAXes sets exactly the bits seen
        select(visit.c.case_id, sum(bits[1:], bits[0]).label("flags"))
        .where(visit.c.visit_date.between(start, end), visit.c.reception_mode.in_(all_modes))
        .group_by(visit.c.case_id)
        .subquery("per_case")
    )
    is_new = case((case_file.c.first_visit_on.between(start, end), 1), else_=0).label("is_new")
    stmt = (
        select(case_file.c.kind, is_new, per_case.c.flags, func.count())
        .select_from(per_case.join(case_file, case_file.c.id == per_case.c.case_id))
        .group_by(case_file.c.kind, "is_new", per_case.c.flags)
    )
    return [(kind, bool(new), int(flags), int(n)) for kind, new, flags, n in conn.execute(stmt)]


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
    all_modes = sorted({mode for modes in groups.values() for mode in modes})
    totals = _visit_totals(conn, start, end, all_modes)
    firsts = _first_visits_by_mode(conn, start, end, all_modes)
    profile = _case_profile(conn, start, end, groups)
    report_kind_of = {stored: kind for kind, stored_kinds in kinds.items() for stored in stored_kinds}

    result: dict[str, dict[str, int]] = {}
    for i, (group, modes) in enumerate(groups.items()):
        figures = dict.fromkeys(VISIT_MEASURES, 0) | {f"kind:{kind}": 0 for kind in kinds}
        for mode in modes:
            visits, persons, delegations, delegation_persons, largest = totals.get(mode, (0, 0, 0, 0, 0))
            figures["visits"] += visits
            figures["persons"] += persons
            figures["delegations"] += delegations
            figures["delegation_persons"] += delegation_persons
            figures["largest_delegation"] = max(figures["largest_delegation"], largest)
            figures["first_visits"] += firsts.get(mode, 0)
        seen_bit, delegation_bit = 1 << (2 * i), 1 << (2 * i + 1)
        for kind, is_new, flags, cases in profile:
            if flags & seen_bit:
                figures["cases"] += cases
                figures["first_cases"] += cases if is_new else 0
                if kind in report_kind_of:
                    figures[f"kind:{report_kind_of[kind]}"] += cases
            if flags & delegation_bit:
                figures["delegation_cases"] += cases
                figures["delegation_first_cases"] += cases if is_new else 0
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
