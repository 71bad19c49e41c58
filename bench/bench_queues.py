"""How fast the follow-up queues and the case view open: ``python bench/bench_queues.py``.

Works on a COPY of a bench database, never on the original: by default it copies
bench/out/db/bench-large.sqlite (≈400,000 transfers, 1,000,000 petitions) into a temporary folder,
migrates the copy with ``reception-desk --db COPY init`` and measures, for a day ``--today``
(default: the latest transfer date in the file, so the queues look like a working day's):

- ``counts_ms``: services.queues.queue_counts (every queue and every agency, one scan);
- ``<queue>_page_ms``: the first page (200 rows) of each queue, and of each queue for the agency
  with the most overdue transfers (``<queue>_agency_page_ms``);
- ``queues_view_page_ms`` / ``queues_view_counts_ms``: QueuesView shown offscreen, from creation
  to the first page of the overdue queue painted / to the counts in the tabs (both are read at
  the same time on the two reader threads);
- ``timeline_ms``: services.case_timeline for the case with the most visits, and its event count;
  ``timeline_500_ms`` for a case of 500 events (200 visits, 150 petitions, 75 transfers and their
  answers) added to the copy for the measure and removed afterwards.

Each number is the median of ``--repeat`` runs after one warm-up (the first, cold run is printed
too). ``--db`` measures an existing copy instead (a SQLite file or a postgresql+psycopg:// URL;
it must already be migrated). Targets: pages and the view < 300 ms, the case < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from bench.common import CLI, OUT, emit  # noqa: E402
from reception_desk.domain.text import fold  # noqa: E402
from reception_desk.services import queues  # noqa: E402
from reception_desk.services.case_timeline import case_timeline  # noqa: E402
from reception_desk.storage.engine import make_engine  # noqa: E402
from reception_desk.storage.models import Agency, Case, Petition, Transfer, Visit, new_id, utcnow  # noqa: E402

SOURCE = OUT / "db" / "bench-large.sqlite"


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(cold ms, median warm ms, last result)."""
    t0 = time.perf_counter()
    result = fn()
    cold = (time.perf_counter() - t0) * 1000
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        warm.append((time.perf_counter() - t0) * 1000)
    return cold, statistics.median(warm), result


def _copy(source: Path, folder: Path) -> Path:
    if not source.exists():
        raise SystemExit(f"không có tệp {source}: chạy bench/generate.py (make bench) trước")
    target = folder / "queues-bench.sqlite"
    print(f"sao chép {source} → {target} …", flush=True)
    shutil.copyfile(source, target)
    subprocess.run([CLI, "--db", str(target), "init"], check=True)
    return target


def _add_big_case(engine: Any) -> Any:
    """A case of 500 events among the existing rows; returns its id."""
    now = utcnow()
    base = {"created_at": now, "updated_at": now, "version": 1}
    case_id = new_id()
    start = date(2021, 1, 4)
    with engine.begin() as conn:
        agency = conn.execute(select(Agency.__table__.c.id).limit(1)).scalar_one()
        conn.execute(Case.__table__.insert(), [{"id": case_id, **base, "title": "Vụ việc đo thử 500 sự kiện",
                                                "title_key": fold("Vụ việc đo thử 500 sự kiện"),
                                                "kind": "complaint", "status": "open", "remote_area": False}])
        conn.execute(Visit.__table__.insert(), [
            {"id": new_id(), **base, "visit_date": start + timedelta(days=3 * n), "reception_mode": "regular",
             "case_id": case_id, "persons": 1, "is_delegation": False} for n in range(200)])
        petitions = [{"id": new_id(), **base, "received_on": start + timedelta(days=4 * n), "channel": "post",
                      "kind": "complaint", "case_id": case_id, "anonymous": False, "confidential": False}
                     for n in range(150)]
        conn.execute(Petition.__table__.insert(), petitions)
        conn.execute(Transfer.__table__.insert(), [
            {"id": new_id(), **base, "petition_id": p["id"], "agency_id": agency,
             "sent_on": p["received_on"] + timedelta(days=2), "due_on": p["received_on"] + timedelta(days=14),
             "answered_on": p["received_on"] + timedelta(days=10)} for p in petitions[:75]])
    return case_id


def _remove_case(engine: Any, case_id: Any) -> None:
    p = Petition.__table__
    petitions = select(p.c.id).where(p.c.case_id == case_id)
    with engine.begin() as conn:
        conn.execute(Transfer.__table__.delete().where(Transfer.__table__.c.petition_id.in_(petitions)))
        conn.execute(p.delete().where(p.c.case_id == case_id))
        conn.execute(Visit.__table__.delete().where(Visit.__table__.c.case_id == case_id))
        conn.execute(Case.__table__.delete().where(Case.__table__.c.id == case_id))


def _open_view(engine: Any, today: date) -> tuple[float, float]:
    """(ms to the first page painted, ms to the counts in the tabs) of a new QueuesView."""
    from PySide6.QtCore import QCoreApplication, QEventLoop
    from PySide6.QtWidgets import QApplication

    from reception_desk.ui import background
    from reception_desk.ui.queues_view import QueuesView

    QApplication.instance() or QApplication([])
    t0 = time.perf_counter()
    view = QueuesView(engine, today=today)
    view.resize(1400, 800)
    view.show()
    page_ms = counts_ms = 0.0
    deadline = t0 + 60
    while (not page_ms or not counts_ms) and time.perf_counter() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        if not page_ms and not view.model.loading and view.model.rowCount():
            view.repaint()  # paint now: the page is on screen when this returns
            page_ms = (time.perf_counter() - t0) * 1000
        if not counts_ms and view.counts is not None:
            counts_ms = (time.perf_counter() - t0) * 1000
    background.wait_idle()
    view.close()
    view.deleteLater()
    QCoreApplication.processEvents()
    return page_ms, counts_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="tệp SQLite gốc (được sao chép, không sửa)")
    parser.add_argument("--db", help="đo trên bản sao có sẵn (tệp SQLite hoặc URL PostgreSQL)")
    parser.add_argument("--today", type=date.fromisoformat, help="ngày làm mốc (YYYY-MM-DD)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="queues-bench-", dir=OUT if OUT.exists() else None) as tmp:
        db = args.db or str(_copy(args.source.resolve(), Path(tmp)))
        if not args.db and Path(db).resolve() == args.source.resolve():
            raise SystemExit("không đo trên tệp gốc")
        engine = make_engine(db)
        t = Transfer.__table__
        v = Visit.__table__
        with engine.connect() as conn:
            transfers = conn.execute(select(func.count()).select_from(t)).scalar_one()
            today = args.today or conn.execute(select(func.max(t.c.sent_on))).scalar_one() or date.today()
            busiest = conn.execute(
                select(v.c.case_id).group_by(v.c.case_id).order_by(func.count().desc()).limit(1)
            ).scalar()
        print(f"{transfers} phiếu chuyển, hôm nay = {today.isoformat()}", flush=True)
        result: dict[str, Any] = {"bench": "queues", "transfers": transfers, "today": today.isoformat()}

        cold, warm, counts = _timed(lambda: queues.queue_counts(engine, today), args.repeat)
        result.update(counts_cold_ms=round(cold, 1), counts_ms=round(warm, 1), overdue=counts.overdue,
                      due_soon=counts.due_soon, awaiting=counts.awaiting)
        top = counts.top_overdue(1)
        agency = top[0].agency_id if top else None
        for queue in queues.QUEUES:
            cold, warm, page = _timed(lambda q=queue: queues.queue_page(engine, q, today=today), args.repeat)
            result[f"{queue}_page_cold_ms"], result[f"{queue}_page_ms"] = round(cold, 1), round(warm, 1)
            result[f"{queue}_rows"] = len(page.rows)
            if agency is not None:
                _c, warm, _p = _timed(
                    lambda q=queue: queues.queue_page(engine, q, agency_id=agency, today=today), args.repeat)
                result[f"{queue}_agency_page_ms"] = round(warm, 1)
        _open_view(engine, today)  # warm-up: Qt's first widgets and fonts
        views = [_open_view(engine, today) for _ in range(max(1, args.repeat))]
        result["queues_view_page_ms"] = round(statistics.median(v[0] for v in views), 1)
        result["queues_view_counts_ms"] = round(statistics.median(v[1] for v in views), 1)
        if busiest is not None:
            cold, warm, timeline = _timed(lambda: case_timeline(engine, busiest, today=today), args.repeat)
            result.update(timeline_cold_ms=round(cold, 1), timeline_ms=round(warm, 1),
                          timeline_events=len(timeline.events))
        big = _add_big_case(engine)
        try:
            cold, warm, timeline = _timed(lambda: case_timeline(engine, big, today=today), args.repeat)
            result.update(timeline_500_cold_ms=round(cold, 1), timeline_500_ms=round(warm, 1),
                          timeline_500_events=len(timeline.events))
        finally:
            _remove_case(engine, big)
        engine.dispose()

    for key, value in result.items():
        print(f"{key}={value}")
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
