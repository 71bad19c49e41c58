"""Import speed through the command line: ``python bench/bench_import.py DB FILE``.

Creates the schema first (``reception-desk --db DB init``, not timed: an office has its database
before it imports), then times ``reception-desk --db DB import FILE`` as a user runs it — process
start, parsing, validation, inserts, commit — and reads the child's peak resident memory. Finally
counts the rows that arrived, so a fast but incomplete import cannot pass for a good one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from bench.common import CLI, emit, run_child  # noqa: E402
from reception_desk.storage.engine import make_engine  # noqa: E402
from reception_desk.storage.models import (  # noqa: E402
    Agency,
    Case,
    Citizen,
    Directive,
    Petition,
    ReceptionSession,
    Transfer,
    Visit,
)

TABLES = {"agency": Agency, "citizen": Citizen, "case": Case, "session": ReceptionSession, "visit": Visit,
          "petition": Petition, "transfer": Transfer, "directive": Directive}


def row_counts(db: str) -> dict[str, int]:
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            return {name: int(conn.execute(select(func.count()).select_from(model.__table__)).scalar_one())
                    for name, model in TABLES.items()}
    finally:
        engine.dispose()


def bench_import(db: str, path: str | Path, *, label: str = "import", timeout: float | None = 3600) -> dict[str, Any]:
    init = run_child([CLI, "--db", db, "init"], log_name=f"{label}-init", timeout=600)
    if not init.ok:
        return {"ok": False, "error": f"init failed ({init.returncode}): {init.stderr.strip()[-500:]}"}
    run = run_child([CLI, "--db", db, "import", str(path)], log_name=label, timeout=timeout)
    result: dict[str, Any] = {
        "ok": run.ok, "returncode": run.returncode, "seconds": round(run.seconds, 1),
        "peak_rss_mb": run.peak_rss_mb, "stdout_tail": run.stdout.strip()[-600:],
    }
    if not run.ok:
        result["error"] = run.stderr.strip()[-1500:]
    result["rows"] = row_counts(db)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", help="SQLite path or postgresql+psycopg:// URL (a new, empty database)")
    parser.add_argument("file", help="interchange JSONL file (bench/generate.py writes the large one)")
    args = parser.parse_args()
    result = bench_import(args.db, args.file)
    if result.get("ok"):
        print(f"import: {result['seconds']} s, peak RSS {result['peak_rss_mb']} MB, rows {result['rows']}")
    else:
        print(f"import failed: {result.get('error')}", file=sys.stderr)
    emit(result)
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
