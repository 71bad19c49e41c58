"""Letters end to end on an office database: ``python bench/bench_letters_db.py --db DB [--count 1000]``.

What a clerk waits for, database included (bench_letters.py measures the writers alone):

- one forwarding letter: issue it (number taken, snapshot stored, transfer updated, one
  transaction) and lay it out as PDF, for ``--runs`` transfers in turn (target < 100 ms each);
- the period's letters in one PDF, as ``reception-desk letter batch`` does: ``--count`` letters
  are issued first (not timed), then read back in one query and written into one PDF (target:
  1,000 in < 15 s).

The letters are issued for the latest transfers of the database, dated with their sending day;
the database keeps them (run it on a benchmark copy). The office letterhead is set when missing.
Prints the figures and a ``RESULT`` line.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from bench.common import OUT, emit, machine, summary_ms  # noqa: E402
from reception_desk.domain.letters import LetterKind  # noqa: E402
from reception_desk.services.database import open_database  # noqa: E402
from reception_desk.services.letter_pdf import render_letter, render_letters  # noqa: E402
from reception_desk.services.letters import issue_forwarding, letters_for_period  # noqa: E402
from reception_desk.services.settings import OfficeSettings, load_office_settings, save_office_settings  # noqa: E402
from reception_desk.storage.models import IssuedDocument, Transfer  # noqa: E402


def _letterhead(engine) -> None:  # noqa: ANN001 - an Engine
    if not load_office_settings(engine).is_complete:
        save_office_settings(engine, OfficeSettings(
            office_name="Ban Tiếp công dân tỉnh Đắk Lắk", superior_body="Ủy ban nhân dân tỉnh Đắk Lắk",
            office_symbol="BTCD", place_name="Đắk Lắk", signer_name="Trần Văn Bình",
            signer_title="Phó Trưởng ban", signer_on_behalf="KT. Trưởng ban"), actor="bench")


def _unlettered_transfers(engine, count: int) -> list:  # noqa: ANN001
    """The latest ``count`` transfers without a forwarding letter (id, sending day)."""
    t, d = Transfer.__table__, IssuedDocument.__table__
    lettered = select(d.c.transfer_id).where(d.c.transfer_id.is_not(None), d.c.kind == LetterKind.FORWARDING.value)
    with engine.connect() as conn:
        return conn.execute(select(t.c.id, t.c.sent_on).where(t.c.id.not_in(lettered))
                            .order_by(t.c.sent_on.desc(), t.c.id).limit(count)).all()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite path or PostgreSQL URL of an imported office")
    parser.add_argument("--runs", type=int, default=50, help="single letters timed")
    parser.add_argument("--count", type=int, default=1000, help="letters in the batch PDF")
    args = parser.parse_args()
    engine = open_database(args.db)
    _letterhead(engine)
    transfers = _unlettered_transfers(engine, args.runs + args.count)
    if len(transfers) < args.runs + 2:
        print(f"only {len(transfers)} transfers without a letter", file=sys.stderr)
        return 2
    if len(transfers) < args.runs + args.count:  # a small office: as many as it has
        print(f"only {len(transfers)} transfers without a letter: the batch has {len(transfers) - args.runs}")
    singles, batch = transfers[:args.runs], transfers[args.runs:]

    render_letter(issue_forwarding(engine, singles[0].id).content)  # fonts registered, caches warm
    times = []
    for row in singles[1:]:
        started = time.perf_counter()
        render_letter(issue_forwarding(engine, row.id).content)
        times.append(time.perf_counter() - started)
    one = summary_ms(times)
    print(f"one forwarding letter, issued and laid out: p50 {one['median_ms']} ms, p95 {one['p95_ms']} ms "
          f"(n={one['n']}; target < 100 ms)")

    started = time.perf_counter()
    with engine.begin() as conn:
        for row in batch:
            issue_forwarding(conn, row.id)
    issue_s = time.perf_counter() - started
    first, last = min(r.sent_on for r in batch), max(r.sent_on for r in batch)
    started = time.perf_counter()
    contents = letters_for_period(engine, first, last)
    read_s = time.perf_counter() - started
    pdf = render_letters(contents)
    total_s = time.perf_counter() - started
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "letters-period.pdf").write_bytes(pdf)
    print(f"{len(batch)} letters issued in one transaction: {issue_s:.2f} s")
    print(f"letter batch {first}..{last}: {len(contents)} letters read in {read_s:.2f} s, one PDF of "
          f"{len(pdf) / 1e6:.1f} MB in {total_s:.2f} s (target < 15 s for 1,000)")
    engine.dispose()
    emit({"one_letter": one, "batch": {"letters": len(contents), "seconds": round(total_s, 2),
                                       "read_seconds": round(read_s, 2), "mb": round(len(pdf) / 1e6, 2)},
          "issue_batch_seconds": round(issue_s, 2), "machine": machine()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
