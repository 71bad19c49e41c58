"""Demo data: ``fill_demo`` and ``reception-desk demo`` on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select

from reception_desk.cli import main
from reception_desk.services import demo
from reception_desk.services.errors import Cancelled
from reception_desk.services.statistics import period_report
from reception_desk.storage.models import (
    Case,
    Citizen,
    Petition,
    ReceptionSession,
    Transfer,
    Visit,
    VisitCitizen,
)

SMALL = {"agency": 30, "citizen": 300, "case": 150, "visit": 500, "petition": 1000, "directive": 24}


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model.__table__)).scalar_one())


def test_fill_demo_fills_an_empty_database(engine: Engine) -> None:
    assert not demo.has_records(engine)
    seen: list[tuple[int, int]] = []
    result = demo.fill_demo(engine, "small", progress=lambda done, total: seen.append((done, total)))
    for kind, expected in SMALL.items():
        assert result.added[kind] == expected, kind
    assert result.added["transfer"] > 300 and result.added["session"] > 40
    assert sum(result.updated.values()) == 0
    assert demo.has_records(engine)
    assert _count(engine, Citizen) == 300
    assert _count(engine, Visit) == 500
    assert _count(engine, Petition) == 1000
    assert _count(engine, Transfer) == result.added["transfer"]
    assert _count(engine, ReceptionSession) == result.added["session"]
    assert _count(engine, VisitCitizen) >= 500
    # The import keeps each case's first visit: every visited case has one.
    with engine.connect() as conn:
        visited = conn.execute(select(func.count(func.distinct(Visit.__table__.c.case_id)))).scalar_one()
        with_first = conn.execute(
            select(func.count()).select_from(Case.__table__).where(Case.__table__.c.first_visit_id.is_not(None))
        ).scalar_one()
    assert visited == with_first > 100
    # Progress runs on one scale over both steps and ends full.
    assert seen and seen[-1] == (demo.PROGRESS_SCALE, demo.PROGRESS_SCALE)
    assert all(0 <= d <= t == demo.PROGRESS_SCALE for d, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # The statistics see the office: the last year holds visits of both kinds of reception.
    today = date.today()
    report = period_report(engine, today - timedelta(days=365), today)
    assert report["reception"]["regular"]["visits"] > 100
    assert report["reception"]["leaders"]["visits"] > 0
    assert report["reception"]["regular"]["delegations"]["count"] + report["reception"]["leaders"]["delegations"][
        "count"] > 0
    assert report["petitions"]["received"] > 300


def test_fill_demo_twice_changes_nothing(sqlite_engine: Engine) -> None:
    first = demo.fill_demo(sqlite_engine, "small", seed=3)
    again = demo.fill_demo(sqlite_engine, "small", seed=3)
    assert sum(again.added.values()) == 0 and sum(again.updated.values()) == 0
    assert sum(again.unchanged.values()) == sum(first.added.values())


def test_cancelled_demo_writes_nothing(sqlite_engine: Engine) -> None:
    calls: list[int] = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        demo.fill_demo(sqlite_engine, {"citizens": 3000, "visits": 6000, "petitions": 12000, "cases": 1500},
                       cancel=cancel)
    assert not demo.has_records(sqlite_engine)


def test_cli_demo_fills_then_refuses_a_non_empty_database(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_url, "demo", "--size", "small"]) == 0
    out, err = capsys.readouterr()
    assert "Đã tạo dữ liệu mẫu (small)" in out
    assert "300" in out and "1000" in out  # the import summary: citizens, petitions
    assert "100%" in err  # progress on stderr

    assert main(["--db", db_url, "demo"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "Cơ sở dữ liệu đã có hồ sơ" in err and "--force" in err

    assert main(["--db", db_url, "demo", "--force"]) == 0
    out, _ = capsys.readouterr()
    assert "Không có gì thay đổi" in out  # same day, same seed: the same office, already there


def test_cli_demo_rejects_an_unknown_size(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--db", sqlite_url, "demo", "--size", "huge"])
    assert exc.value.code == 2
    assert "huge" in capsys.readouterr().err


def test_the_demo_command_offers_the_generator_sizes() -> None:
    """commands.demo names the sizes without importing the generator (start-up time)."""
    from reception_desk.commands.demo import SIZE_NAMES
    from reception_desk.services.generator import SIZES

    assert SIZE_NAMES == tuple(SIZES)
