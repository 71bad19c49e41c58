"""Delegation, representatives and first/repeat rules."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reception_desk.domain.visits import (
    VisitKey,
    first_visits,
    is_delegation,
    is_first_visit,
    representative_limit,
    representative_warnings,
)


@pytest.mark.parametrize(("persons", "delegation", "limit"),
                         [(1, False, None), (4, False, None), (5, True, 2), (10, True, 2), (11, True, 5),
                          (150, True, 5)])
def test_delegation_and_limit(persons: int, delegation: bool, limit: int | None) -> None:
    assert is_delegation(persons) is delegation
    assert representative_limit(persons) == limit


@pytest.mark.parametrize(("persons", "reps", "warn"),
                         [(5, 2, False), (5, 3, True), (10, 2, False), (10, 3, True), (11, 5, False),
                          (11, 6, True), (3, 1, False), (6, 0, True)])
def test_representative_warnings(persons: int, reps: int, warn: bool) -> None:
    assert bool(representative_warnings(persons, reps)) is warn


def test_first_visit_by_date_then_time_then_id() -> None:
    visits = [
        VisitKey("b", "K1", date(2025, 3, 2)),
        VisitKey("a", "K1", date(2025, 3, 2)),
        VisitKey("c", "K1", date(2025, 3, 2), time(8, 0)),
        VisitKey("d", "K2", date(2025, 1, 1)),
    ]
    assert first_visits(visits) == {"K1": "a", "K2": "d"}


def test_back_dated_visit_reclassifies() -> None:
    visits = [VisitKey("v1", "K", date(2025, 5, 1)), VisitKey("v2", "K", date(2025, 6, 1))]
    assert is_first_visit(visits[0], visits)
    late_entry = VisitKey("v0", "K", date(2025, 4, 1))  # entered later, happened earlier
    assert not is_first_visit(visits[0], [*visits, late_entry])
    assert is_first_visit(late_entry, [*visits, late_entry])


@given(st.lists(st.tuples(st.integers(0, 3), st.dates(date(2024, 1, 1), date(2025, 12, 31))), min_size=1))
def test_exactly_one_first_visit_per_case(rows: list[tuple[int, date]]) -> None:
    visits = [VisitKey(f"v{i}", f"K{case}", day) for i, (case, day) in enumerate(rows)]
    firsts = first_visits(visits)
    assert set(firsts) == {v.case_id for v in visits}
    for v in visits:
        assert (firsts[v.case_id] == v.id) == is_first_visit(v, visits)
        assert min(w.day for w in visits if w.case_id == v.case_id) <= v.day
