"""Statistics speed: ``python bench/bench_report.py DB [--today YYYY-MM-DD] [--repeat N]``.

Times services.statistics.period_report (the figures of the period, the same dates a year
earlier, and the change — what ``reception-desk report`` prints) for the last complete quarter
and the last complete calendar year before ``today``; then the full office report (services.reports:
01/TCD, 01/XLD and the narrative, both periods, rendered to the JSON of ``reception-desk report
--full``) of that quarter and that year, reading the two periods at the same time (the default),
and of the year one period after the other (``parallel=False``). One untimed warm-up call each,
then ``repeat`` timed calls; prints median and p95. Targets: quarter < 300 ms, year < 1 s, office report of a year (JSON) < 1 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import emit, summary_ms  # noqa: E402
from reception_desk.services.reports import office_report, report_json  # noqa: E402
from reception_desk.services.settings import OfficeSettings  # noqa: E402
from reception_desk.services.statistics import period_report  # noqa: E402
from reception_desk.storage.engine import make_engine  # noqa: E402


def last_quarter(today: date) -> tuple[date, date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    end = date(today.year, first_month, 1) - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


def last_year(today: date) -> tuple[date, date]:
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def bench_reports(db: str, today: date, repeat: int = 15) -> dict[str, Any]:
    engine = make_engine(db)
    result: dict[str, Any] = {}
    try:
        for label, (start, end) in (("quarter", last_quarter(today)), ("year", last_year(today))):
            report = period_report(engine, start, end)  # warm-up: caches, query plans
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                period_report(engine, start, end)
                samples.append(time.perf_counter() - started)
            result[label] = {"from": start.isoformat(), "to": end.isoformat(),
                             "visits_in_period": _total_visits(report),
                             "petitions_in_period": report.get("petitions", {}).get("received"),
                             **summary_ms(samples)}
        office = OfficeSettings(office_name="BAN TIẾP CÔNG DÂN")
        quarter, year = last_quarter(today), last_year(today)
        for label, (start, end), parallel in (("office_quarter", quarter, True), ("office_year", year, True),
                                              ("office_year_serial", year, False)):
            def run(start: date = start, end: date = end, parallel: bool = parallel) -> dict[str, Any]:
                return report_json(office_report(engine, start, end, office=office, parallel=parallel))

            doc = run()  # warm-up
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                run()
                samples.append(time.perf_counter() - started)
            result[label] = {"from": start.isoformat(), "to": end.isoformat(),
                             "visits_in_period": doc["tcd"]["total"]["visits"]["value"],
                             "petitions_in_period": doc["xld"]["received"]["total"]["value"],
                             **summary_ms(samples)}
    finally:
        engine.dispose()
    return result


def _total_visits(report: dict[str, Any]) -> int:
    """The period's visit count, to show the report ran over real data (shape: services.statistics)."""
    reception = report.get("reception", {})
    return sum(group.get("visits", 0) for group in reception.values() if isinstance(group, dict))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(),
                        help="the last day of the data (bench/out/*.meta.json has it)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    result = bench_reports(args.db, args.today, args.repeat)
    for label, r in result.items():
        print(f"{label} {r['from']}..{r['to']} ({r['visits_in_period']} visits): median {r['median_ms']} ms, "
              f"p95 {r['p95_ms']} ms, max {r['max_ms']} ms (n={r['n']})")
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
