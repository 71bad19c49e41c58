"""The statistics engine on hand-built worlds: every figure checked, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from reception_desk.cli import main
from reception_desk.services.errors import ValidationError
from reception_desk.services.statistics import figures, period_report
from reception_desk.storage.cases import refresh_first_visits
from reception_desk.storage.models import Case, Visit
from tests.builders import (
    add_agency,
    add_case,
    add_citizen,
    add_directive,
    add_petition,
    add_transfer,
    add_visit,
)

Q2_START, Q2_END = date(2025, 3, 15), date(2025, 6, 14)


def zero_group() -> dict[str, Any]:
    return {
        "visits": 0, "first_visits": 0, "repeat_visits": 0, "persons": 0,
        "cases": 0, "first_cases": 0, "repeat_cases": 0,
        "cases_by_kind": {"complaint": 0, "denunciation": 0, "recommendation_feedback": 0},
        "delegations": {"count": 0, "persons": 0, "cases": 0, "first_cases": 0, "repeat_cases": 0, "largest": 0},
    }


def zero_figures() -> dict[str, Any]:
    return {
        "reception": {"regular": zero_group(), "leaders": zero_group()},
        "petitions": {
            "received": 0,
            "by_kind": {"complaint": 0, "denunciation": 0, "recommendation_feedback": 0},
            "transferred": 0,
            "directives": 0,
        },
    }


def group(**values: Any) -> dict[str, Any]:
    """A reception group: zeros overridden by ``values`` (nested dicts merged, not replaced)."""
    result = zero_group()
    for key, value in values.items():
        if isinstance(value, dict):
            result[key].update(value)
        else:
            result[key] = value
    return result


def key_layout(value: Any) -> Any:
    """The nesting and order of keys, without the numbers."""
    if isinstance(value, dict):
        return [(key, key_layout(item)) for key, item in value.items()]
    return type(value).__name__


# --- shape and empty database -----------------------------------------------------------------


def test_empty_database_gives_all_zeros_in_the_published_layout(engine: Engine, examples_dir: Path) -> None:
    report = period_report(engine, Q2_START, Q2_END)
    expected = {"period": {"from": "2025-03-15", "to": "2025-06-14"}, **zero_figures(),
                "previous_year": zero_figures(), "change": zero_figures()}
    assert report == expected
    published = json.loads((examples_dir / "report-2025-03-15_2025-06-14.json").read_text(encoding="utf-8"))
    assert key_layout(report) == key_layout(published)


# --- visits and cases -------------------------------------------------------------------------


def test_first_and_repeat_visits_and_cases(engine: Engine) -> None:
    with engine.begin() as conn:
        # A: first visit before the period; two regular visits inside are both repeats.
        a = add_case(conn, kind="complaint")
        add_visit(conn, a, date(2025, 3, 1))
        add_visit(conn, a, date(2025, 4, 1))
        add_visit(conn, a, date(2025, 5, 1), persons=2)
        # B: first visit in the period (regular), then a regular and a leader's repeat visit.
        b = add_case(conn, kind="denunciation")
        add_visit(conn, b, date(2025, 4, 10))
        add_visit(conn, b, date(2025, 4, 20))
        add_visit(conn, b, date(2025, 5, 5), "leader_scheduled", persons=2)
        # C, D: first seen by a leader, by a deputy; recommendation and feedback count together.
        c = add_case(conn, kind="recommendation")
        add_visit(conn, c, date(2025, 6, 1), "leader_adhoc", persons=3)
        d = add_case(conn, kind="feedback")
        add_visit(conn, d, date(2025, 5, 20), "authorised_deputy")
        # E: old case seen in two leader modes in the period: one case, two visits.
        e = add_case(conn, kind="complaint")
        add_visit(conn, e, date(2024, 12, 1))
        add_visit(conn, e, date(2025, 4, 2), "leader_scheduled")
        add_visit(conn, e, date(2025, 4, 3), "leader_adhoc", persons=2)
        # F: visited only outside the period: nowhere in the figures.
        f = add_case(conn, kind="denunciation")
        add_visit(conn, f, date(2025, 7, 1))

    result = figures(engine, Q2_START, Q2_END)
    assert result["reception"]["regular"] == group(
        visits=4, first_visits=1, repeat_visits=3, persons=5,
        cases=2, first_cases=1, repeat_cases=1,
        cases_by_kind={"complaint": 1, "denunciation": 1},
    )
    assert result["reception"]["leaders"] == group(
        visits=5, first_visits=2, repeat_visits=3, persons=2 + 3 + 1 + 1 + 2,
        # B's first visit was in the period (regular): the case is first-time for leaders too.
        cases=4, first_cases=3, repeat_cases=1,
        cases_by_kind={"complaint": 1, "denunciation": 1, "recommendation_feedback": 2},
    )
    assert result["petitions"] == zero_figures()["petitions"]


def test_back_dated_visit_reclassifies(engine: Engine) -> None:
    with engine.begin() as conn:
        k = add_case(conn, kind="complaint")
        add_visit(conn, k, date(2025, 4, 1))
        add_visit(conn, k, date(2025, 5, 1))
        m = add_case(conn, kind="feedback")
        leader_first = add_visit(conn, m, date(2025, 5, 10), "leader_scheduled")
    before = figures(engine, Q2_START, Q2_END)["reception"]
    assert before["regular"] == group(visits=2, first_visits=1, repeat_visits=1, persons=2, cases=1,
                                      first_cases=1, cases_by_kind={"complaint": 1})
    assert before["leaders"] == group(visits=1, first_visits=1, persons=1, cases=1, first_cases=1,
                                      cases_by_kind={"recommendation_feedback": 1})

    with engine.begin() as conn:
        # Entered later: K's real first visit was in February; M was seen at the desk in April.
        add_visit(conn, k, date(2025, 2, 3))
        regular_first = add_visit(conn, m, date(2025, 4, 10))
    after = figures(engine, Q2_START, Q2_END)["reception"]
    assert after["regular"] == group(visits=3, first_visits=1, repeat_visits=2, persons=3, cases=2,
                                     first_cases=1, repeat_cases=1,
                                     cases_by_kind={"complaint": 1, "recommendation_feedback": 1})
    assert after["leaders"] == group(visits=1, first_visits=0, repeat_visits=1, persons=1, cases=1,
                                     first_cases=1, cases_by_kind={"recommendation_feedback": 1})
    with engine.connect() as conn:
        assert conn.execute(select(Case.first_visit_id).where(Case.id == m)).scalar_one() == regular_first
        assert regular_first != leader_first

    # Moving the back-dated visit into the period (an edit) re-classifies again once refreshed.
    with engine.begin() as conn:
        conn.execute(update(Visit.__table__).where(Visit.__table__.c.case_id == k,
                                                   Visit.__table__.c.visit_date == date(2025, 2, 3))
                     .values(visit_date=date(2025, 3, 20)))
        refresh_first_visits(conn, [k])
    moved = figures(engine, Q2_START, Q2_END)["reception"]["regular"]
    assert (moved["visits"], moved["first_visits"], moved["first_cases"]) == (4, 2, 2)


def test_same_day_visits_first_is_decided_by_time(engine: Engine) -> None:
    with engine.begin() as conn:
        k = add_case(conn, kind="denunciation")
        add_visit(conn, k, date(2025, 4, 1), "leader_adhoc", at=time(14, 0))
        add_visit(conn, k, date(2025, 4, 1), "regular", at=time(8, 30))
        m = add_case(conn, kind="complaint")  # the other way round: the leader saw them first
        add_visit(conn, m, date(2025, 5, 2), "regular", at=time(15, 0))
        add_visit(conn, m, date(2025, 5, 2), "authorised_deputy", at=time(7, 45))
        add_visit(conn, m, date(2025, 5, 3), "regular")
        n = add_case(conn, kind="feedback")  # no time recorded: counts as the start of the day
        add_visit(conn, n, date(2025, 5, 9), "leader_scheduled", at=time(9, 0))
        add_visit(conn, n, date(2025, 5, 9), "regular")
    result = figures(engine, Q2_START, Q2_END)["reception"]
    assert result["regular"]["first_visits"] == 2
    assert result["leaders"]["first_visits"] == 1
    assert result["regular"]["repeat_visits"] == 2
    assert result["leaders"]["repeat_visits"] == 2
    assert result["regular"]["first_cases"] == result["leaders"]["first_cases"] == 3


def test_delegations(engine: Engine) -> None:
    with engine.begin() as conn:
        four = add_case(conn, kind="complaint")
        add_visit(conn, four, date(2025, 4, 1), persons=4)  # 4 people: not a delegation
        new = add_case(conn, kind="denunciation")
        add_visit(conn, new, date(2025, 4, 2), persons=5)  # exactly 5: a delegation, first-time
        add_visit(conn, new, date(2025, 5, 2), persons=6)  # same case again: one case, two delegations
        old = add_case(conn, kind="feedback")
        add_visit(conn, old, date(2025, 1, 5), persons=2)
        add_visit(conn, old, date(2025, 4, 3), persons=12)  # the largest, on a repeat case
        lead = add_case(conn, kind="complaint")
        add_visit(conn, lead, date(2025, 4, 4), "authorised_deputy", persons=7)
        add_visit(conn, lead, date(2025, 4, 5), "leader_adhoc", persons=9)
        add_visit(conn, lead, date(2025, 4, 6), "leader_scheduled", persons=1)
        outside = add_case(conn, kind="complaint")
        add_visit(conn, outside, date(2025, 6, 15), persons=40)  # the day after: not counted
    result = figures(engine, Q2_START, Q2_END)["reception"]
    assert result["regular"] == group(
        visits=4, first_visits=2, repeat_visits=2, persons=4 + 5 + 6 + 12,
        cases=3, first_cases=2, repeat_cases=1,
        cases_by_kind={"complaint": 1, "denunciation": 1, "recommendation_feedback": 1},
        delegations={"count": 3, "persons": 5 + 6 + 12, "cases": 2, "first_cases": 1,
                     "repeat_cases": 1, "largest": 12},
    )
    assert result["leaders"] == group(
        visits=3, first_visits=1, repeat_visits=2, persons=17, cases=1, first_cases=1,
        cases_by_kind={"complaint": 1},
        delegations={"count": 2, "persons": 16, "cases": 1, "first_cases": 1, "repeat_cases": 0,
                     "largest": 9},
    )


def test_delegation_flag_is_what_counts(engine: Engine) -> None:
    """The importer and services set is_delegation; the statistics trust the stored flag."""
    with engine.begin() as conn:
        k = add_case(conn)
        add_visit(conn, k, date(2025, 4, 1), persons=6, is_delegation=False)
    assert figures(engine, Q2_START, Q2_END)["reception"]["regular"]["delegations"]["count"] == 0


def test_leaders_group_sums_three_modes(engine: Engine) -> None:
    with engine.begin() as conn:
        for mode, persons in (("leader_scheduled", 1), ("leader_adhoc", 2), ("authorised_deputy", 3)):
            k = add_case(conn, kind="complaint")
            add_visit(conn, k, date(2025, 5, 1), mode, persons=persons)
    result = figures(engine, Q2_START, Q2_END)["reception"]
    assert result["regular"] == zero_group()
    assert result["leaders"] == group(visits=3, first_visits=3, persons=6, cases=3, first_cases=3,
                                      cases_by_kind={"complaint": 3})


def test_first_and_last_day_are_in_the_period(engine: Engine) -> None:
    with engine.begin() as conn:
        before = add_case(conn, kind="complaint")
        add_visit(conn, before, date(2025, 3, 14))  # the day before: first visit outside
        add_visit(conn, before, date(2025, 3, 15))  # first day: a repeat visit
        last = add_case(conn, kind="denunciation")
        add_visit(conn, last, date(2025, 6, 14), "leader_adhoc")  # last day: first-time
        add_visit(conn, last, date(2025, 6, 15), "leader_adhoc")  # the day after
        agency = add_agency(conn)
        for day in (date(2025, 3, 14), date(2025, 3, 15), date(2025, 6, 14), date(2025, 6, 15)):
            petition = add_petition(conn, day, "recommendation")
            add_transfer(conn, petition, agency, day)
            add_directive(conn, day)
    result = figures(engine, Q2_START, Q2_END)
    assert result["reception"]["regular"] == group(visits=1, repeat_visits=1, persons=1, cases=1,
                                                   repeat_cases=1, cases_by_kind={"complaint": 1})
    assert result["reception"]["leaders"] == group(visits=1, first_visits=1, persons=1, cases=1,
                                                   first_cases=1, cases_by_kind={"denunciation": 1})
    assert result["petitions"] == {"received": 2, "by_kind": {"complaint": 0, "denunciation": 0,
                                                              "recommendation_feedback": 2},
                                   "transferred": 2, "directives": 2}
    one_day = figures(engine, date(2025, 6, 14), date(2025, 6, 14))
    assert one_day["reception"]["leaders"]["visits"] == 1
    assert one_day["petitions"]["received"] == one_day["petitions"]["transferred"] == 1


# --- petitions, transfers, directives ---------------------------------------------------------


def test_petitions_transfers_directives(engine: Engine) -> None:
    with engine.begin() as conn:
        a1, a2 = add_agency(conn, "UBND phường Tân Lợi"), add_agency(conn, "Sở Tài nguyên và Môi trường")
        citizen = add_citizen(conn, "H'Blăng Niê")
        case_id = add_case(conn, kind="complaint")
        kinds = ["complaint", "complaint", "denunciation", "recommendation", "feedback", "feedback"]
        inside = [add_petition(conn, date(2025, 4, 1 + n), kind, case_id=case_id if n == 0 else None)
                  for n, kind in enumerate(kinds)]
        old = add_petition(conn, date(2025, 2, 1), "denunciation")  # received before the period
        add_petition(conn, date(2025, 7, 1), "complaint")  # after
        add_transfer(conn, inside[0], a1, date(2025, 4, 10))
        add_transfer(conn, inside[0], a2, date(2025, 4, 11))  # one petition, two letters: two
        add_transfer(conn, old, a1, date(2025, 3, 20))  # counted by the date the letter was sent
        add_transfer(conn, inside[3], a2, date(2025, 6, 20))  # sent after the period
        add_directive(conn, date(2025, 5, 1), number="12/UBND-NC", case_id=case_id)
        add_directive(conn, date(2024, 5, 1))
        add_visit(conn, case_id, date(2025, 4, 1), citizen_ids=[citizen])
    result = figures(engine, Q2_START, Q2_END)["petitions"]
    assert result == {
        "received": 6,
        "by_kind": {"complaint": 2, "denunciation": 1, "recommendation_feedback": 3},
        "transferred": 3,
        "directives": 1,
    }


# --- previous year and change -----------------------------------------------------------------


def test_previous_year_and_change(engine: Engine) -> None:
    with engine.begin() as conn:
        agency = add_agency(conn)
        k = add_case(conn, kind="complaint")
        add_visit(conn, k, date(2024, 4, 1))  # last year: first-time
        add_visit(conn, k, date(2024, 5, 1), "leader_scheduled", persons=6)
        add_visit(conn, k, date(2025, 4, 1), persons=2)  # this year: a repeat
        n = add_case(conn, kind="feedback")
        add_visit(conn, n, date(2025, 4, 2), persons=5)
        add_visit(conn, n, date(2025, 4, 3))
        for day, kind in ((date(2024, 3, 15), "complaint"), (date(2024, 6, 14), "complaint"),
                          (date(2024, 6, 15), "complaint"), (date(2025, 4, 1), "denunciation")):
            petition = add_petition(conn, day, kind)
            add_transfer(conn, petition, agency, day)
        add_directive(conn, date(2024, 4, 1))
        add_directive(conn, date(2024, 4, 2))
    report = period_report(engine, Q2_START, Q2_END)
    this_regular = group(visits=3, first_visits=1, repeat_visits=2, persons=8, cases=2, first_cases=1,
                         repeat_cases=1, cases_by_kind={"complaint": 1, "recommendation_feedback": 1},
                         delegations={"count": 1, "persons": 5, "cases": 1, "first_cases": 1, "largest": 5})
    prev_regular = group(visits=1, first_visits=1, persons=1, cases=1, first_cases=1,
                         cases_by_kind={"complaint": 1})
    prev_leaders = group(visits=1, repeat_visits=1, persons=6, cases=1, first_cases=1,
                         cases_by_kind={"complaint": 1},
                         delegations={"count": 1, "persons": 6, "cases": 1, "first_cases": 1, "largest": 6})
    assert report["period"] == {"from": "2025-03-15", "to": "2025-06-14"}
    assert report["reception"] == {"regular": this_regular, "leaders": zero_group()}
    assert report["previous_year"]["reception"] == {"regular": prev_regular, "leaders": prev_leaders}
    assert report["petitions"] == {"received": 1, "by_kind": {"complaint": 0, "denunciation": 1,
                                                              "recommendation_feedback": 0},
                                   "transferred": 1, "directives": 0}
    assert report["previous_year"]["petitions"] == {"received": 2, "by_kind": {"complaint": 2, "denunciation": 0,
                                                                               "recommendation_feedback": 0},
                                                    "transferred": 2, "directives": 2}
    assert report["change"]["reception"]["regular"] == group(
        visits=2, first_visits=0, repeat_visits=2, persons=7, cases=1, first_cases=0, repeat_cases=1,
        cases_by_kind={"complaint": 0, "recommendation_feedback": 1},
        delegations={"count": 1, "persons": 5, "cases": 1, "first_cases": 1, "largest": 5},
    )
    assert report["change"]["reception"]["leaders"]["persons"] == -6
    assert report["change"]["reception"]["leaders"]["delegations"]["largest"] == -6
    assert report["change"]["petitions"] == {"received": -1, "by_kind": {"complaint": -2, "denunciation": 1,
                                                                         "recommendation_feedback": 0},
                                             "transferred": -1, "directives": -2}
    # change is exactly this − previous, figure by figure
    assert report["previous_year"] == figures(engine, date(2024, 3, 15), date(2024, 6, 14))


def test_29_february_compares_with_28_february(engine: Engine) -> None:
    with engine.begin() as conn:
        k = add_case(conn, kind="denunciation")
        add_visit(conn, k, date(2023, 2, 28), persons=3)
        add_visit(conn, k, date(2023, 3, 1), persons=7)  # not in the shifted period
        add_visit(conn, k, date(2024, 2, 29), persons=2)
        add_petition(conn, date(2023, 2, 28), "feedback")
        add_petition(conn, date(2023, 3, 1), "feedback")
    report = period_report(engine, date(2024, 2, 1), date(2024, 2, 29))
    prev = report["previous_year"]["reception"]["regular"]
    assert (prev["visits"], prev["persons"], prev["first_visits"], prev["first_cases"]) == (1, 3, 1, 1)
    assert prev["delegations"]["count"] == 0
    assert report["previous_year"]["petitions"]["received"] == 1
    this = report["reception"]["regular"]
    assert (this["visits"], this["repeat_visits"], this["repeat_cases"]) == (1, 1, 1)
    assert report["change"]["reception"]["regular"]["persons"] == -1

    single = period_report(engine, date(2024, 2, 29), date(2024, 2, 29))
    assert single["period"] == {"from": "2024-02-29", "to": "2024-02-29"}
    assert single["previous_year"]["reception"]["regular"]["visits"] == 1  # 28/02/2023


# --- input validation -------------------------------------------------------------------------


def test_end_before_start_is_refused(engine: Engine) -> None:
    with pytest.raises(ValidationError, match="trước ngày bắt đầu"):
        period_report(engine, date(2025, 6, 14), date(2025, 3, 15))
    with pytest.raises(ValidationError, match="trước ngày bắt đầu"):
        figures(engine, date(2025, 6, 14), date(2025, 3, 15))


def test_figures_on_an_open_connection(sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as conn:
        k = add_case(conn)
        add_visit(conn, k, date(2025, 4, 1))
        # inside the same transaction: the uncommitted visit is seen
        assert figures(conn, Q2_START, Q2_END)["reception"]["regular"]["visits"] == 1
        assert period_report(conn, Q2_START, Q2_END)["change"]["reception"]["regular"]["visits"] == 1


def test_change_keeps_the_layout() -> None:
    from reception_desk.services.statistics import difference

    this = zero_figures()
    prev = copy.deepcopy(this)
    this["reception"]["leaders"]["delegations"]["largest"] = 3
    prev["petitions"]["by_kind"]["complaint"] = 4
    change = difference(this, prev)
    assert key_layout(change) == key_layout(this)
    assert change["reception"]["leaders"]["delegations"]["largest"] == 3
    assert change["petitions"]["by_kind"]["complaint"] == -4


# --- the command line -------------------------------------------------------------------------


def _world_for_cli(db_url: str) -> None:
    from reception_desk.storage.engine import make_engine

    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            k = add_case(conn, kind="complaint")
            add_visit(conn, k, date(2024, 12, 20), persons=6)  # Q1 2025 (15/12/2024 → 14/3/2025)
            add_visit(conn, k, date(2025, 3, 15))  # Q2 2025
            add_petition(conn, date(2025, 3, 14), "feedback")  # Q1
    finally:
        engine.dispose()


def test_cli_prints_json_on_stdout(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _world_for_cli(db_url)
    assert main(["--db", db_url, "report", "--from", "2025-03-15", "--to", "2025-06-14", "--format", "json"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out)
    assert list(report) == ["period", "reception", "petitions", "previous_year", "change"]
    assert report["reception"]["regular"]["visits"] == 1
    assert out.startswith('{\n "period": {\n  "from": "2025-03-15",')  # indent=1, as published


def test_cli_output_file_and_official_period(db_url: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _world_for_cli(db_url)
    target = tmp_path / "báo cáo quý 1.json"
    assert main(["--db", db_url, "report", "--period", "q1", "--year", "2025", "--output", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["period"] == {"from": "2024-12-15", "to": "2025-03-14"}
    assert report["reception"]["regular"]["delegations"]["count"] == 1
    assert report["petitions"]["by_kind"]["recommendation_feedback"] == 1
    assert "Đã ghi" in captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2025-13-01", "--to", "2025-06-14"], "Ngày không hợp lệ cho --from"),
        (["--from", "2025-03-15", "--to", "14/06/2025"], "Ngày không hợp lệ cho --to"),
        (["--from", "2025-06-14", "--to", "2025-03-15"], "trước ngày --from"),
        (["--from", "2025-03-15"], "Cần chọn kỳ báo cáo"),
        ([], "Cần chọn kỳ báo cáo"),
        (["--period", "q5", "--year", "2025"], "Kỳ báo cáo không hợp lệ"),
        (["--period", "q1", "--year", "25x"], "Năm không hợp lệ"),
        (["--period", "q1", "--from", "2025-01-01", "--to", "2025-02-01"], "Chỉ chọn một cách"),
        (["--year", "2025", "--from", "2025-01-01", "--to", "2025-02-01"], "--year chỉ dùng"),
        # xlsx, pdf and docx have writers now (tests/test_report_exports.py); an unknown format is refused
        (["--from", "2025-03-15", "--to", "2025-06-14", "--format", "odt"], "Định dạng không được hỗ trợ"),
    ],
)
def test_cli_bad_input_exits_2_in_vietnamese(sqlite_url: str, tmp_path: Path, args: list[str], message: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.json"
    assert main(["--db", sqlite_url, "report", *args, "--output", str(target)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.err.startswith("Lỗi: ")
    assert captured.out == ""
    assert not target.exists()


def test_cli_unwritable_output(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no-such-folder" / "out.json"
    assert main(["--db", sqlite_url, "report", "--period", "year", "--year", "2025", "--output", str(target)]) == 1
    assert "Không ghi được tệp" in capsys.readouterr().err


# --- cross-check against a plain Python reading of the rules ----------------------------------


def _reference(visits: list[tuple[Any, Any, date, time | None, str, int]], kinds: dict[Any, str],
               start: date, end: date) -> dict[str, Any]:
    """The rules of docs/statistics.md applied record by record (visits: id, case, day, at, mode, persons)."""
    first: dict[Any, tuple[date, time, Any]] = {}
    for vid, case_id, day, at, _mode, _persons in visits:
        key = (day, at or time(0, 0), vid)
        first[case_id] = min(first.get(case_id, key), key)
    report_kind = {"complaint": "complaint", "denunciation": "denunciation",
                   "recommendation": "recommendation_feedback", "feedback": "recommendation_feedback"}
    result = {}
    for name, modes in (("regular", {"regular"}),
                        ("leaders", {"leader_scheduled", "leader_adhoc", "authorised_deputy"})):
        inside = [v for v in visits if v[4] in modes and start <= v[2] <= end]
        delegs = [v for v in inside if v[5] >= 5]
        cases = {v[1] for v in inside}
        deleg_cases = {v[1] for v in delegs}
        new = {c for c in cases if start <= first[c][0] <= end}
        by_kind = dict.fromkeys(("complaint", "denunciation", "recommendation_feedback"), 0)
        for c in cases:
            by_kind[report_kind[kinds[c]]] += 1
        first_visits = sum(1 for v in inside if first[v[1]][2] == v[0])
        result[name] = group(
            visits=len(inside), first_visits=first_visits, repeat_visits=len(inside) - first_visits,
            persons=sum(v[5] for v in inside), cases=len(cases), first_cases=len(new),
            repeat_cases=len(cases) - len(new), cases_by_kind=by_kind,
            delegations={"count": len(delegs), "persons": sum(v[5] for v in delegs), "cases": len(deleg_cases),
                         "first_cases": len(deleg_cases & new), "repeat_cases": len(deleg_cases - new),
                         "largest": max((v[5] for v in delegs), default=0)},
        )
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_worlds_match_the_rules(engine: Engine, seed: int) -> None:
    import random

    rnd = random.Random(seed)
    modes = ["regular", "regular", "leader_scheduled", "leader_adhoc", "authorised_deputy"]
    visits: list[tuple[Any, Any, date, time | None, str, int]] = []
    kinds: dict[Any, str] = {}
    with engine.begin() as conn:
        cases = []
        for _ in range(12):
            kind = rnd.choice(["complaint", "denunciation", "recommendation", "feedback"])
            case_id = add_case(conn, kind=kind)
            kinds[case_id] = kind
            cases.append(case_id)
        for n in range(70):
            case_id = visits[-1][1] if n % 7 == 0 and visits else rnd.choice(cases)
            day = date(2025, 1, 1) + timedelta(days=rnd.randrange(200))
            if n % 7 == 0:  # same-day visits of a case, with and without a time, in different modes
                day = visits[-1][2] if visits else day
            # no time counts as 00:00; equal times are decided by id (uuids order as the databases do)
            at = rnd.choice([None, time(8, 0), time(7 + n // 10, n % 10 * 5)])
            mode = rnd.choice(modes)
            persons = rnd.choice([1, 1, 2, 4, 5, 6, 12])
            vid = add_visit(conn, case_id, day, mode, persons, at=at)
            visits.append((vid, case_id, day, at, mode, persons))
    for start, end in ((Q2_START, Q2_END), (date(2025, 1, 1), date(2025, 7, 19)), (date(2025, 5, 1), date(2025, 5, 31))):
        assert figures(engine, start, end)["reception"] == _reference(visits, kinds, start, end), (start, end)


def test_visit_figures_takes_any_grouping(engine: Engine) -> None:
    """The form export can split leaders (Thủ trưởng tiếp) from the authorised deputy (Ủy quyền)."""
    from reception_desk.services.statistics import REPORT_KINDS
    from reception_desk.storage.stats_queries import visit_figures

    with engine.begin() as conn:
        k = add_case(conn, kind="denunciation")
        add_visit(conn, k, date(2025, 4, 1), "leader_scheduled", persons=6, at=time(10, 0))
        add_visit(conn, k, date(2025, 4, 2), "authorised_deputy", persons=2)
        add_visit(conn, k, date(2025, 4, 3), "leader_adhoc", persons=1)
        # the desk saw this one first on the same morning: no group below holds its first visit
        j = add_case(conn, kind="complaint")
        add_visit(conn, j, date(2025, 4, 1), "regular", at=time(8, 0))
        add_visit(conn, j, date(2025, 4, 1), "leader_scheduled", at=time(10, 0))
    groups = {"head": ("leader_scheduled", "leader_adhoc"), "deputy": ("authorised_deputy",),
              "all_leaders": ("leader_scheduled", "leader_adhoc", "authorised_deputy")}
    with engine.connect() as conn:
        result = visit_figures(conn, Q2_START, Q2_END, groups, REPORT_KINDS)
    assert (result["head"]["visits"], result["head"]["cases"], result["head"]["first_visits"]) == (3, 2, 1)
    assert (result["head"]["first_cases"], result["head"]["largest_delegation"]) == (2, 6)
    assert (result["head"]["delegations"], result["head"]["delegation_cases"]) == (1, 1)
    assert (result["deputy"]["visits"], result["deputy"]["cases"], result["deputy"]["first_cases"]) == (1, 1, 1)
    assert (result["deputy"]["first_visits"], result["deputy"]["delegations"]) == (0, 0)
    assert (result["all_leaders"]["visits"], result["all_leaders"]["cases"]) == (4, 2)
    assert result["all_leaders"]["first_visits"] == 1
    assert (result["all_leaders"]["kind:denunciation"], result["all_leaders"]["kind:complaint"]) == (1, 1)


def test_cli_period_defaults_to_this_year(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from reception_desk.domain.periods import official_period

    assert main(["--db", sqlite_url, "report", "--period", "9m"]) == 0
    start, end = official_period("9m", date.today().year)
    assert json.loads(capsys.readouterr().out)["period"] == {"from": start.isoformat(), "to": end.isoformat()}
