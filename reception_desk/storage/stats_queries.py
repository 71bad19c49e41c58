"""Set-based queries behind the statistics (Biểu 01/TCD and the petition summary).

Two statements answer a whole period: one pass over the visits of the period (joined to their
case for the kind and the first-visit columns) with conditional aggregates for every reception
group, and one statement of scalar sub-queries that count petitions, transfers and directives, each
through its date index. No GROUP BY on computed expressions (PostgreSQL would refuse the bound
parameters inside them) and no per-row Python: the databases return a single row each.

The grouping of reception modes and petition kinds is the caller's (services.statistics); this
module only turns it into SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from reception_desk.storage.models import Case, Directive, Petition, Transfer, Visit

# Measures of one reception group, in the order the columns are produced.
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


def _sum_if(condition: ColumnElement[bool], value: ColumnElement | int = 1) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _count_distinct_if(condition: ColumnElement[bool], value: ColumnElement) -> ColumnElement:
    # COUNT ignores the NULL that CASE yields when the condition is false.
    return func.count(func.distinct(case((condition, value))))


def visit_figures(
    conn: Connection,
    start: date,
    end: date,
    groups: Mapping[str, Sequence[str]],
    kinds: Mapping[str, Sequence[str]],
) -> dict[str, dict[str, int]]:
    """Per reception group: the VISIT_MEASURES and ``kind:<name>`` distinct-case counts.

    ``groups`` maps a group name to its reception modes, ``kinds`` a report kind to the case kinds
    it gathers. Visits and the first-time tests use inclusive dates [start, end].
    """
    visit = Visit.__table__
    case_file = Case.__table__
    is_first_visit = visit.c.id == case_file.c.first_visit_id
    first_in_period = case_file.c.first_visit_on.between(start, end)
    deleg = visit.c.is_delegation.is_(True)

    columns: list[ColumnElement] = []
    names: list[tuple[str, str]] = []
    for group, modes in groups.items():
        in_group = visit.c.reception_mode.in_(list(modes))
        measures: dict[str, ColumnElement] = {
            "visits": _sum_if(in_group),
            "first_visits": _sum_if(and_(in_group, is_first_visit)),
            "persons": _sum_if(in_group, visit.c.persons),
            "cases": _count_distinct_if(in_group, visit.c.case_id),
            "first_cases": _count_distinct_if(and_(in_group, first_in_period), visit.c.case_id),
            "delegations": _sum_if(and_(in_group, deleg)),
            "delegation_persons": _sum_if(and_(in_group, deleg), visit.c.persons),
            "delegation_cases": _count_distinct_if(and_(in_group, deleg), visit.c.case_id),
            "delegation_first_cases": _count_distinct_if(
                and_(in_group, deleg, first_in_period), visit.c.case_id
            ),
            "largest_delegation": func.coalesce(func.max(case((and_(in_group, deleg), visit.c.persons))), 0),
        }
        for kind, case_kinds in kinds.items():
            measures[f"kind:{kind}"] = _count_distinct_if(
                and_(in_group, case_file.c.kind.in_(list(case_kinds))), visit.c.case_id
            )
        for name, column in measures.items():
            columns.append(column)
            names.append((group, name))

    all_modes = sorted({mode for modes in groups.values() for mode in modes})
    stmt = (
        select(*columns)
        .select_from(visit.join(case_file, case_file.c.id == visit.c.case_id))
        .where(visit.c.visit_date.between(start, end), visit.c.reception_mode.in_(all_modes))
    )
    row = conn.execute(stmt).one()
    result: dict[str, dict[str, int]] = {group: {} for group in groups}
    for (group, name), value in zip(names, row, strict=True):
        result[group][name] = int(value or 0)
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
