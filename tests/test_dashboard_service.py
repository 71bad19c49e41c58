"""services.dashboard on SQLite and PostgreSQL: a hand-built world with every figure checked —
months of this year and last year with records on the first and last day of each year, kinds,
channels, overdue transfers by agency (the same transfers as the "Quá hạn" queue)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from reception_desk.services.dashboard import OTHER_KIND, Dashboard, dashboard
from reception_desk.services.queues import queue_counts
from tests.builders import add_agency, add_case, add_petition, add_transfer, add_visit

TODAY = date(2026, 3, 10)


def _world(engine: Engine) -> dict[str, object]:
    with engine.begin() as conn:
        case = add_case(conn)
        # visits: the year boundaries on both sides, and years outside the window
        for day in (date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 20), date(2025, 12, 31),
                    date(2026, 1, 1), date(2026, 2, 28), date(2026, 2, 28), date(2026, 3, 10),
                    date(2027, 1, 1)):
            add_visit(conn, case, day)
        petitions = [
            add_petition(conn, date(2024, 12, 31), "complaint", channel="post"),  # two years ago
            add_petition(conn, date(2025, 1, 1), "complaint", channel="post"),
            add_petition(conn, date(2025, 12, 31), "denunciation", channel="email"),  # last year: not in kinds
            add_petition(conn, date(2026, 1, 1), "complaint", channel="in_person"),
            add_petition(conn, date(2026, 1, 31), "recommendation", channel="zalo"),
            add_petition(conn, date(2026, 2, 1), "feedback", channel="zalo"),
            add_petition(conn, date(2026, 3, 10), "denunciation", channel="hotline"),
            add_petition(conn, date(2026, 12, 31), "complaint", channel="portal"),  # dated ahead: still this year
            add_petition(conn, date(2026, 3, 1), "petition_x", channel="fax"),  # codes of a newer desk
            add_petition(conn, date(2027, 1, 1), "complaint", channel="post"),
        ]
        late = add_agency(conn, "UBND xã Ea Tu")
        later = add_agency(conn, "Công an huyện")
        calm = add_agency(conn, "Phòng Tư pháp")
        tie = add_agency(conn, "Ban Quản lý dự án")
        p = petitions[3]
        add_transfer(conn, p, late, date(2026, 1, 2), due_on=date(2026, 2, 1))  # overdue
        add_transfer(conn, p, late, date(2026, 1, 5), due_on=date(2026, 3, 9))  # due yesterday: overdue
        add_transfer(conn, p, late, date(2025, 1, 5), due_on=date(2025, 2, 5))  # last year, still waiting
        add_transfer(conn, p, later, date(2026, 1, 5), due_on=date(2026, 2, 5))  # overdue
        add_transfer(conn, p, later, date(2026, 1, 5), due_on=date(2026, 2, 5), answered_on=date(2026, 3, 1))
        add_transfer(conn, p, tie, date(2026, 1, 5), due_on=date(2026, 2, 5))  # overdue; ties with "later"
        add_transfer(conn, p, calm, date(2026, 3, 1), due_on=TODAY)  # due today: still in time
        add_transfer(conn, p, calm, date(2026, 3, 1))  # no due date: never overdue
    return {"late": late, "later": later, "tie": tie}


def _months(values: dict[int, int]) -> tuple[int, ...]:
    return tuple(values.get(m, 0) for m in range(1, 13))


def test_dashboard_figures(engine: Engine) -> None:
    ids = _world(engine)
    board = dashboard(engine, TODAY)
    assert isinstance(board, Dashboard) and board.year == 2026
    assert board.visits.this_year == _months({1: 1, 2: 2, 3: 1})
    assert board.visits.last_year == _months({1: 2, 12: 1})
    assert board.petitions.this_year == _months({1: 2, 2: 1, 3: 2, 12: 1})
    assert board.petitions.last_year == _months({1: 1, 12: 1})
    assert (board.petitions.total_this_year, board.petitions.total_last_year) == (6, 2)

    kinds = {k.code: k.count for k in board.by_kind}
    assert kinds == {"complaint": 2, "denunciation": 1, "recommendation": 1, "feedback": 1, OTHER_KIND: 1}
    assert [k.label for k in board.by_kind][:2] == ["Khiếu nại", "Tố cáo"]
    channels = {c.code: c.count for c in board.by_channel}
    assert channels == {"in_person": 1, "post": 0, "zalo": 2, "portal": 1, "hotline": 1, "email": 0,
                        "field_app": 0, "transferred_in": 0, "other": 1}
    assert sum(channels.values()) == sum(kinds.values()) == board.petitions.total_this_year

    assert [(a.agency_id, a.name, a.overdue) for a in board.overdue_by_agency] == [
        (ids["late"], "UBND xã Ea Tu", 3),
        (ids["tie"], "Ban Quản lý dự án", 1),  # ties by name
        (ids["later"], "Công an huyện", 1),
    ]
    assert (board.overdue_total, board.overdue_agencies) == (5, 3)
    # the same transfers as the follow-up queue "Quá hạn" on the same day
    assert queue_counts(engine, TODAY).overdue == board.overdue_total


def test_dashboard_ways_of_reading_agree(engine: Engine) -> None:
    _world(engine)
    parallel = dashboard(engine, TODAY)
    assert dashboard(engine, TODAY, parallel=False) == parallel
    with engine.connect() as conn:
        assert dashboard(conn, TODAY) == parallel
    top = dashboard(engine, TODAY, top_agencies=1)
    assert [a.name for a in top.overdue_by_agency] == ["UBND xã Ea Tu"]
    assert (top.overdue_total, top.overdue_agencies) == (5, 3)  # the totals cover every agency
    with pytest.raises(ValueError):
        dashboard(engine, TODAY, top_agencies=0)


def test_dashboard_year_boundary(engine: Engine) -> None:
    """On 1 January the new year starts empty and the year just ended becomes "last year"."""
    _world(engine)
    board = dashboard(engine, date(2027, 1, 1))
    assert board.visits.this_year == _months({1: 1})
    assert board.visits.last_year == _months({1: 1, 2: 2, 3: 1})
    assert board.petitions.last_year == _months({1: 2, 2: 1, 3: 2, 12: 1})
    assert {k.code: k.count for k in board.by_kind} == {"complaint": 1, "denunciation": 0, "recommendation": 0,
                                                        "feedback": 0}
    assert {c.code: c.count for c in board.by_channel}["post"] == 1
    # every waiting transfer with a due date before the day is overdue by then
    assert board.overdue_total == 6


def test_dashboard_of_an_empty_database(engine: Engine) -> None:
    board = dashboard(engine, TODAY)
    assert board.visits.this_year == board.petitions.last_year == (0,) * 12
    assert all(k.count == 0 for k in board.by_kind) and len(board.by_kind) == 4
    assert all(c.count == 0 for c in board.by_channel)
    assert (board.overdue_by_agency, board.overdue_total, board.overdue_agencies) == ((), 0, 0)
