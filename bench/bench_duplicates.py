"""Duplicate suggestion at intake: ``python bench/bench_duplicates.py DB [--n 200]``.

Drives services.petitions.suggest_duplicates headless, as the petition form does while the clerk
types, on a large migrated database (SQLite path or PostgreSQL URL; e.g. a COPY of
bench/out/db/bench-large.sqlite after ``reception-desk --db COPY init``, or the large interchange
file imported into PostgreSQL). The inputs are drawn from the petitions in the database:

- ``repeat``: the signers and summary of a petition of the data's last year, typed again 1–60 days
  later (the generator's duplicates look like this), half of them without diacritics;
- ``new``: received in the data's last days, the signers of one petition with the summary of
  another (same kind of matter, other place and numbers);
- ``anonymous``: no signer, a summary without diacritics;
- ``typing``: the signers and only the first 3–6 words of a summary (the clerk is still typing).

Prints p50 / p95 / max overall and per input kind, the load average, and a ``RESULT`` line.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, func, select  # noqa: E402

from bench.common import emit, machine, summary_ms  # noqa: E402
from reception_desk.domain.text import fold  # noqa: E402
from reception_desk.services.database import open_database  # noqa: E402
from reception_desk.services.petitions import suggest_duplicates  # noqa: E402
from reception_desk.storage.models import Petition, PetitionSigner  # noqa: E402

_P = Petition.__table__
_S = PetitionSigner.__table__


def _sample_petitions(engine: Engine, rng: random.Random, count: int) -> list[tuple[date, str, list]]:
    """(received_on, summary, signer ids) of ``count`` petitions on random days of the data's last
    year (a petition comes back within months; older ones are outside the window anyway)."""
    with engine.connect() as conn:
        last = conn.execute(select(func.max(_P.c.received_on))).scalar_one()
        first = last - timedelta(days=365)
        span = (last - first).days
        found: list[tuple[date, str, list]] = []
        while len(found) < count:
            day = first + timedelta(days=rng.randrange(span + 1))
            rows = conn.execute(select(_P.c.id, _P.c.received_on, _P.c.summary)
                                .where(_P.c.received_on == day, _P.c.summary.is_not(None)).limit(8)).all()
            if not rows:
                continue
            row = rng.choice(rows)
            signers = list(conn.execute(select(_S.c.citizen_id).where(_S.c.petition_id == row.id)
                                        .order_by(_S.c.ordinal)).scalars())
            found.append((row.received_on, row.summary, signers))
    return found


def _inputs(engine: Engine, n: int, seed: int) -> list[tuple[str, list, str, date]]:
    rng = random.Random(seed)
    pool = _sample_petitions(engine, rng, n * 2)
    last = max(day for day, _, _ in pool)
    inputs = []
    for i in range(n):
        day, summary, signers = pool[i]
        _, other_summary, _ = pool[n + i]
        # Intake is today's mail, or a backlog of the last days.
        later = min(last, day + timedelta(days=rng.randint(1, 60)))
        today = last - timedelta(days=rng.randint(0, 5))
        roll = rng.random()
        if roll < 0.4:
            text = fold(summary) if rng.random() < 0.5 else summary
            inputs.append(("repeat", signers, text, later))
        elif roll < 0.7:
            inputs.append(("new", signers, other_summary, today))
        elif roll < 0.85:
            inputs.append(("anonymous", [], fold(summary), later))
        else:
            words = summary.split()
            inputs.append(("typing", signers, " ".join(words[: rng.randint(3, 6)]), later))
    return inputs


def run(db: str, n: int, seed: int, warmup: int) -> dict:
    engine = open_database(db)
    try:
        inputs = _inputs(engine, n + warmup, seed)
        for _, signers, text, day in inputs[:warmup]:  # caches (sample, statistics, pages) warm up
            suggest_duplicates(engine, signers, text, day)
        timings: dict[str, list[float]] = defaultdict(list)
        all_times: list[float] = []
        found = 0
        first_is_repeat = 0
        repeats = 0
        for kind, signers, text, day in inputs[warmup:]:
            started = time.perf_counter()
            hits = suggest_duplicates(engine, signers, text, day)
            elapsed = time.perf_counter() - started
            timings[kind].append(elapsed)
            all_times.append(elapsed)
            found += bool(hits)
            if kind == "repeat":
                repeats += 1
                first_is_repeat += bool(hits) and hits[0].similarity >= 0.99
        load = os.getloadavg()
    finally:
        engine.dispose()
    result = {
        "db": "sqlite" if "://" not in db or db.startswith("sqlite") else "postgresql",
        "inputs": n, "warmup": warmup, "overall": summary_ms(all_times),
        "by_kind": {k: summary_ms(v) for k, v in sorted(timings.items())},
        "with_hits": found, "repeat_found_first": f"{first_is_repeat}/{repeats}",
        "loadavg": [round(x, 2) for x in load], "machine": machine(),
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", help="SQLite path or postgresql+psycopg:// URL of a large, migrated database")
    parser.add_argument("--n", type=int, default=200, help="timed inputs (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed inputs first (default 10)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = run(args.db, args.n, args.seed, args.warmup)
    overall = result["overall"]
    print(f"{result['db']}: {args.n} suggestions, p50 {overall['median_ms']} ms, p95 {overall['p95_ms']} ms, "
          f"max {overall['max_ms']} ms; load average {result['loadavg']}")
    for kind, stats in result["by_kind"].items():
        print(f"  {kind:10} n={stats['n']:3}  p50 {stats['median_ms']:7} ms  p95 {stats['p95_ms']:7} ms  "
              f"max {stats['max_ms']:7} ms")
    print(f"  inputs with suggestions: {result['with_hits']}; repeats found first: {result['repeat_found_first']}")
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
