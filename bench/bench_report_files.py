"""Report file speed: ``python bench/bench_report_files.py DB [--from D --to D] [--repeat N] [--no-cli]``.

Times the office report written as a file (PDF, XLSX, DOCX; services.report_exports) for a period
(default: the year 2025), in two ways:

- in this process: ``office_report`` (the figures of the period and of the same dates a year
  earlier) plus the writer, and the writer alone; one untimed warm-up, then ``repeat`` calls;
- end to end, as an office runs it: ``reception-desk --db DB report --from … --to … --format F
  --output FILE`` in a fresh process (start-up, imports, figures, file), ``repeat`` runs.

Target (issue 6): a yearly report file at 1,000,000 petitions in < 3 s including the figures.
The database is only read: when its schema is behind this program's, the CLI (which would
migrate it) is not run. Files go to bench/out/files/.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CLI, OUT, emit, run_child, summary_ms  # noqa: E402
from reception_desk.services import report_exports  # noqa: E402
from reception_desk.services.reports import FILE_FORMATS, export_report, office_report  # noqa: E402
from reception_desk.storage import migrate  # noqa: E402
from reception_desk.storage.engine import make_engine  # noqa: E402

TARGET_MS = 3000


def bench_files(db: str, start: date, end: date, repeat: int, cli: bool) -> dict[str, Any]:
    report_exports.register_writers()
    folder = OUT / "files"
    folder.mkdir(parents=True, exist_ok=True)
    engine = make_engine(db)
    result: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat(), "target_ms": TARGET_MS}
    try:
        # The CLI migrates a database whose schema is behind (with a 2 GB backup copy): a shared
        # benchmark database is only read here, so the CLI runs need it at the current schema.
        schema = migrate.status(engine)
        result["schema"] = schema
        report = office_report(engine, start, end)  # warm-up: page cache, query plans
        result["visits_in_period"] = report.current["tcd.total.visits"]
        result["petitions_in_period"] = report.current["xld.received.total"]
        for fmt in FILE_FORMATS:
            path = folder / f"report.{fmt}"
            export_report(report, fmt, path)  # warm-up: the writer's imports and fonts
            total, writer = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                fresh = office_report(engine, start, end)
                figures_done = time.perf_counter()
                export_report(fresh, fmt, path)
                done = time.perf_counter()
                total.append(done - started)
                writer.append(done - figures_done)
            entry: dict[str, Any] = {"in_process": summary_ms(total), "writer_only": summary_ms(writer),
                                     "bytes": path.stat().st_size}
            if cli and schema != "current":
                entry["cli_skipped"] = (f"schema {schema}: the CLI would migrate (and copy) the database; "
                                        "only the in-process times are measured")
            elif cli:
                runs = []
                for n in range(repeat):
                    run = run_child([CLI, "--db", db, "report", "--from", start.isoformat(), "--to", end.isoformat(),
                                     "--format", fmt, "--output", str(path)], log_name=f"report-file-{fmt}-{n}")
                    if not run.ok:
                        entry["cli_error"] = run.stderr.strip()[-800:]
                        break
                    runs.append(run.seconds)
                if runs:
                    entry["cli"] = summary_ms(runs)
            best = entry.get("cli", entry["in_process"])["median_ms"]
            entry["meets_target"] = best < TARGET_MS
            result[fmt] = entry
    finally:
        engine.dispose()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db")
    parser.add_argument("--from", dest="start", type=date.fromisoformat, default=date(2025, 1, 1))
    parser.add_argument("--to", dest="end", type=date.fromisoformat, default=date(2025, 12, 31))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-cli", action="store_true", help="time only in this process")
    args = parser.parse_args()
    result = bench_files(args.db, args.start, args.end, args.repeat, not args.no_cli)
    print(f"{result['from']}..{result['to']}: {result['visits_in_period']} visits, "
          f"{result['petitions_in_period']} petitions")
    for fmt in FILE_FORMATS:
        r = result[fmt]
        line = (f"{fmt}: in process median {r['in_process']['median_ms']} ms (writer alone "
                f"{r['writer_only']['median_ms']} ms)")
        if "cli" in r:
            line += f"; CLI end to end median {r['cli']['median_ms']} ms, max {r['cli']['max_ms']} ms"
        if "cli_skipped" in r:
            line += f"; CLI not run ({r['cli_skipped']})"
        if "cli_error" in r:
            line += f"; CLI failed: {r['cli_error']}"
        print(line + f"; {r['bytes']} bytes; target < {TARGET_MS} ms: {'ok' if r['meets_target'] else 'MISSED'}")
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
