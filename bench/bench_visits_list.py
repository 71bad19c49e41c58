"""How fast a list opens: ``python bench/bench_visits_list.py --db PATH|URL [--kind visits|petitions|transfers]``.

Opens the list model (the visits list unless ``--kind`` says otherwise) offscreen in a real
QTableView and measures the time from creating the model to the first page being painted, then the
process RSS, and prints

    visits_list_open_ms=… rss_mb=… rows=…      (petitions_list_open_ms=… for --kind petitions)

Target: < 300 ms and < 200 MB, with 500,000 visits and with 1,000,000 petitions. ``--populate N`` first fills the database
with N synthetic visits (plus cases, citizens and visit links) through Core batches;
``--search TEXT`` also times the first page of a search in the same list (a second line).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402
from sqlalchemy import Engine, func, insert, select  # noqa: E402

from reception_desk.domain.text import fold  # noqa: E402
from reception_desk.services.database import open_database  # noqa: E402
from reception_desk.services.listing import LIST_KINDS, ListKind  # noqa: E402
from reception_desk.storage.cases import refresh_first_visits  # noqa: E402
from reception_desk.storage.models import (  # noqa: E402
    Case,
    Citizen,
    Petition,
    Transfer,
    Visit,
    VisitCitizen,
    new_id,
    utcnow,
)
from reception_desk.ui import background  # noqa: E402
from reception_desk.ui.table_models import LazyListModel  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quang", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Nam", "Tâm", "Yến"]
TOPICS = [
    "Tranh chấp đất đai với hộ liền kề",
    "Khiếu nại quyết định thu hồi đất",
    "Đề nghị cấp giấy chứng nhận quyền sử dụng đất",
    "Tố cáo cán bộ địa chính xã",
    "Kiến nghị về chế độ chính sách người có công",
    "Phản ánh ô nhiễm môi trường khu dân cư",
    "Khiếu nại về bồi thường, hỗ trợ tái định cư",
]
MODES = ["regular"] * 8 + ["leader_scheduled", "leader_adhoc", "authorised_deputy"]
BATCH = 5000
_TABLES = {"visits": Visit.__table__, "petitions": Petition.__table__, "transfers": Transfer.__table__}


def populate(engine: Engine, visits: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = utcnow()
    entity = {"created_at": now, "updated_at": now, "version": 1}
    n_cases, n_citizens = max(1, visits // 10), max(1, visits // 5)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        case_ids = [new_id() for _ in range(n_cases)]
        for start in range(0, n_cases, BATCH):
            rows = []
            for case_id in case_ids[start : start + BATCH]:
                title = f"{rng.choice(TOPICS)} tại thôn {rng.randint(1, 30)}"
                rows.append(
                    {"id": case_id, **entity, "title": title, "title_key": fold(title), "kind": "complaint"}
                )
            conn.execute(insert(Case.__table__), rows)
        citizen_ids = [new_id() for _ in range(n_citizens)]
        for start in range(0, n_citizens, BATCH):
            rows = []
            for citizen_id in citizen_ids[start : start + BATCH]:
                name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                rows.append({"id": citizen_id, **entity, "full_name": name, "name_key": fold(name)})
            conn.execute(insert(Citizen.__table__), rows)
        first_day = date.today() - timedelta(days=5 * 365)
        for start in range(0, visits, BATCH):
            rows, links = [], []
            for _ in range(start, min(visits, start + BATCH)):
                visit_id = new_id()
                content = f"{rng.choice(TOPICS)}; công dân trình bày lần {rng.randint(1, 5)}"
                persons = rng.choice([1, 1, 1, 2, 3, 6, 12])
                rows.append(
                    {
                        "id": visit_id,
                        **entity,
                        "visit_date": first_day + timedelta(days=rng.randrange(5 * 365)),
                        "reception_mode": rng.choice(MODES),
                        "host": "Phó Trưởng ban Tiếp công dân",
                        "case_id": rng.choice(case_ids),
                        "persons": persons,
                        "is_delegation": persons >= 5,
                        "content": content,
                        "content_key": fold(content),
                    }
                )
                links.append({"visit_id": visit_id, "citizen_id": rng.choice(citizen_ids), "role": "citizen"})
            conn.execute(insert(Visit.__table__), rows)
            conn.execute(insert(VisitCitizen.__table__), links)
        refresh_first_visits(conn)
    print(
        f"populated visits={visits} cases={n_cases} citizens={n_citizens} in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )


def _open_list(engine: Engine, kind: ListKind, query: str = "") -> tuple[float, int, QTableView]:
    """Milliseconds from creating the model to the first page painted in a shown QTableView."""
    t0 = time.perf_counter()
    model = LazyListModel(engine, kind)
    view = QTableView()
    view.resize(1200, 700)
    view.setModel(model)
    view.show()
    if query:
        model.set_query(query)  # requests the first page of the search
    else:
        model.reload()
    deadline = t0 + 60
    while (model.loading or model.rowCount() == 0) and not model.exhausted and time.perf_counter() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    view.repaint()  # paint now, synchronously: the page is on screen when this returns
    QCoreApplication.processEvents()
    elapsed_ms = (time.perf_counter() - t0) * 1000
    return elapsed_ms, model.rowCount(), view


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="tệp SQLite hoặc URL postgresql+psycopg://…")
    parser.add_argument(
        "--populate", type=int, default=0, metavar="N", help="thêm N lượt tiếp giả trước khi đo"
    )
    parser.add_argument("--search", default="", metavar="TEXT", help="đo thêm trang đầu khi tìm TEXT")
    parser.add_argument("--kind", choices=LIST_KINDS, default="visits", help="danh sách cần đo (mặc định: visits)")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication([sys.argv[0]])
    engine = open_database(args.db)
    if args.populate:
        populate(engine, args.populate)
    kind: ListKind = args.kind
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(_TABLES[kind])).scalar_one()
    engine.dispose()  # measure with a cold connection pool, as when the program starts
    print(f"database {kind}={total}", file=sys.stderr)

    elapsed_ms, rows, view = _open_list(engine, kind)
    rss_mb = psutil.Process().memory_info().rss / 2**20
    print(f"{kind}_list_open_ms={elapsed_ms:.1f} rss_mb={rss_mb:.1f} rows={rows} total={total}")
    view.close()
    if args.search:
        search_ms, found, search_view = _open_list(engine, kind, args.search)
        print(f"{kind}_search_ms={search_ms:.1f} query={args.search!r} rows={found}")
        search_view.close()
    background.wait_idle()
    engine.dispose()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
