"""Rules about visits (lượt tiếp): delegations, representatives, first-time vs repeat.

The database answers first/repeat with set-based SQL (storage.cases); the pure functions here state
the same rules so they can be table-tested and cross-checked against the SQL.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, time

DELEGATION_MIN_PERSONS = 5  # đoàn đông người: 5 or more persons received together


def is_delegation(persons: int) -> bool:
    return persons >= DELEGATION_MIN_PERSONS


def representative_limit(persons: int) -> int | None:
    """NĐ 124/2020 Điều 6: 5–10 persons → at most 2 representatives; 11 or more → at most 5."""
    if persons < DELEGATION_MIN_PERSONS:
        return None
    return 2 if persons <= 10 else 5


def representative_warnings(persons: int, representatives: int) -> list[str]:
    """Warnings, never a block: the clerk still records what happened."""
    warnings: list[str] = []
    if persons < 1:
        return ["Số người phải từ 1 trở lên."]
    limit = representative_limit(persons)
    if limit is not None and representatives > limit:
        warnings.append(
            f"Đoàn {persons} người chỉ được cử tối đa {limit} người đại diện (Nghị định 124/2020/NĐ-CP Điều 6); "
            f"đã ghi {representatives}."
        )
    if limit is not None and representatives == 0:
        warnings.append(f"Đoàn {persons} người: nên ghi người đại diện.")
    if representatives > persons:
        warnings.append("Số người đại diện nhiều hơn số người trong đoàn.")
    return warnings


@dataclass(frozen=True)
class VisitKey:
    id: Hashable
    case_id: Hashable
    day: date
    at: time | None = None


def _order(v: VisitKey) -> tuple:
    return (v.day, v.at or time(0, 0), str(v.id))


def first_visits(visits: Iterable[VisitKey]) -> dict[Hashable, Hashable]:
    """case_id → id of its earliest visit (date, then time — none counts as 00:00 — then id)."""
    first: dict[Hashable, VisitKey] = {}
    for v in visits:
        current = first.get(v.case_id)
        if current is None or _order(v) < _order(current):
            first[v.case_id] = v
    return {case: v.id for case, v in first.items()}


def is_first_visit(visit: VisitKey, all_visits: Iterable[VisitKey]) -> bool:
    return first_visits(all_visits).get(visit.case_id) == visit.id
