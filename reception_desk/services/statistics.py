"""The statistics engine: the figures of a period for Biểu 01/TCD and the petition summary.

``figures`` answers one period with three set-based statements (storage.stats_queries);
``period_report`` adds the same figures one year earlier and the change, in the exact shape of
``reception-desk report --format json``. The definitions are written out in docs/statistics.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine

from reception_desk.domain.enums import LEADER_MODES, PetitionKind, ReceptionMode, ReportKind, report_kind
from reception_desk.domain.periods import shift_period
from reception_desk.services.errors import ValidationError
from reception_desk.storage import stats_queries

# Report groups of reception modes: "regular" is the desk's daily reception, "leaders" the head
# of the agency's scheduled and ad-hoc days plus the deputy he authorised (01/TCD columns 13–29).
RECEPTION_GROUPS: dict[str, tuple[str, ...]] = {
    "regular": (ReceptionMode.REGULAR.value,),
    "leaders": tuple(mode.value for mode in LEADER_MODES),
}

# Report kinds → the stored kinds they gather (recommendation and feedback together).
REPORT_KINDS: dict[str, tuple[str, ...]] = {
    rk.value: tuple(pk.value for pk in PetitionKind if report_kind(pk) is rk) for rk in ReportKind
}

Figures = dict[str, Any]


def validate_period(start: date, end: date) -> None:
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValidationError("Ngày bắt đầu và ngày kết thúc của kỳ báo cáo phải là ngày hợp lệ.")
    if end < start:
        raise ValidationError(
            f"Ngày kết thúc ({end:%d/%m/%Y}) trước ngày bắt đầu ({start:%d/%m/%Y}) của kỳ báo cáo."
        )
    if start.year < 2:  # the previous-year comparison needs the year before to exist
        raise ValidationError(f"Ngày bắt đầu kỳ báo cáo không hợp lệ: {start:%d/%m/%Y}.")


def _reception_group(raw: dict[str, int]) -> dict[str, Any]:
    return {
        "visits": raw["visits"],
        "first_visits": raw["first_visits"],
        "repeat_visits": raw["visits"] - raw["first_visits"],
        "persons": raw["persons"],
        "cases": raw["cases"],
        "first_cases": raw["first_cases"],
        "repeat_cases": raw["cases"] - raw["first_cases"],
        "cases_by_kind": {kind: raw[f"kind:{kind}"] for kind in REPORT_KINDS},
        "delegations": {
            "count": raw["delegations"],
            "persons": raw["delegation_persons"],
            "cases": raw["delegation_cases"],
            "first_cases": raw["delegation_first_cases"],
            "repeat_cases": raw["delegation_cases"] - raw["delegation_first_cases"],
            "largest": raw["largest_delegation"],
        },
    }


def _figures(conn: Connection, start: date, end: date) -> Figures:
    visits = stats_queries.visit_figures(conn, start, end, RECEPTION_GROUPS, REPORT_KINDS)
    docs = stats_queries.document_figures(conn, start, end, REPORT_KINDS)
    return {
        "reception": {group: _reception_group(visits[group]) for group in RECEPTION_GROUPS},
        "petitions": {
            "received": docs["received"],
            "by_kind": {kind: docs[f"kind:{kind}"] for kind in REPORT_KINDS},
            "transferred": docs["transferred"],
            "directives": docs["directives"],
        },
    }


def figures(conn_or_engine: Connection | Engine, start: date, end: date) -> Figures:
    """``{"reception": {...}, "petitions": {...}}`` for the inclusive period [start, end].

    Given a Connection, reads inside the caller's transaction as it is (a caller that opens it
    for the report alone may call ``stats_queries.begin_report`` first).
    """
    validate_period(start, end)
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            stats_queries.begin_report(conn)
            return _figures(conn, start, end)
    return _figures(conn_or_engine, start, end)


def difference(current: Any, previous: Any) -> Any:
    """This period minus the previous one, figure by figure, keeping the nesting and key order."""
    if isinstance(current, dict):
        return {key: difference(value, previous[key]) for key, value in current.items()}
    return current - previous


def period_report(engine: Engine | Connection, start: date, end: date) -> dict[str, Any]:
    """The full report: period, figures, the same dates one year earlier, and the change."""
    validate_period(start, end)
    prev_start, prev_end = shift_period(start, end)
    if isinstance(engine, Engine):
        # One connection (and, on PostgreSQL, one snapshot) for both periods so the change is
        # computed from a consistent state even while desks keep recording.
        with engine.connect() as conn:
            stats_queries.begin_report(conn)
            this, prev = _figures(conn, start, end), _figures(conn, prev_start, prev_end)
    else:
        this, prev = _figures(engine, start, end), _figures(engine, prev_start, prev_end)
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        **this,
        "previous_year": prev,
        "change": difference(this, prev),
    }
