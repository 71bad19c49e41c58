"""Search speed at office scale: ``python bench/bench_search.py populate|run DB``.

``populate DB`` fills a migrated database (SQLite path or PostgreSQL URL) with synthetic rows
through Core ``executemany`` batches, the way an importer does — 300,000 citizens with Vietnamese
names, cases, and 1,000,000 petitions by default — and prints how long the inserts took with the
search index maintained by its triggers / GIN indexes, or with ``--suspend`` (index suspended
during the inserts, then rebuilt once).

``run DB`` times ~200 realistic queries through services.search.search (common and rare names,
with and without diacritics, id-number and phone prefixes, words of summaries, misses) and prints
p50 / p95 / max, overall and per query kind.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, select  # noqa: E402

from reception_desk.domain.text import fold  # noqa: E402
from reception_desk.services.database import open_database  # noqa: E402
from reception_desk.services.search import search  # noqa: E402
from reception_desk.storage.models import Case, Citizen, Petition  # noqa: E402
from reception_desk.storage.search_queries import rebuild_search_index, suspend_search_index  # noqa: E402

FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 3), ("Phan", 4),
          ("Vũ", 3), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1),
          ("Lý", 1), ("Đinh", 1), ("Trương", 1), ("Lâm", 1), ("Mai", 1), ("Tạ", 1), ("Cao", 1)]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quang", "Thanh", "Xuân", "Hoài", "Công", "Kim",
          "Thu", "Bảo", "Đình", "Trọng", "Gia", "Mạnh", "Phương", "Anh"]
GIVEN = ["An", "Anh", "Bình", "Cường", "Châu", "Dũng", "Dung", "Duy", "Đạt", "Đức", "Giang", "Hà", "Hải",
         "Hạnh", "Hiền", "Hiếu", "Hòa", "Hoa", "Hùng", "Hương", "Huy", "Khánh", "Khoa", "Lan", "Liên",
         "Linh", "Loan", "Long", "Mai", "Minh", "My", "Nam", "Nga", "Ngân", "Nghĩa", "Ngọc", "Nhung",
         "Oanh", "Phong", "Phúc", "Phương", "Quân", "Quang", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng",
         "Thành", "Thủy", "Tiến", "Trang", "Trung", "Tuấn", "Tùng", "Uyên", "Vân", "Việt", "Vinh", "Xuân",
         "Yến", "Khuê", "Diệp", "Ly", "Tú", "Thơ", "Nhàn", "Kiều", "Lộc", "Toàn"]
ETHNIC = ["H'Blăng Niê", "Y Krông Ayŭn", "H'Zin Êban", "Y Jut Buôn Krông", "Ksor H'Lin", "Rơ Mah Thương",
          "Siu H'Nga", "Nay Y Blim", "Kpă H'Duyên", "A Ma Pui"]
COMMUNES = ["Ea Tu", "Hòa Thắng", "Cư Êbur", "Ea Kao", "Hòa Phú", "Krông Búk", "Ea Drơng", "Tân Lợi",
            "Thành Nhất", "Ea H'leo", "Dray Bhăng", "Hòa Xuân", "Cư Suê", "Ea Nuôl", "Buôn Đôn"]
TEMPLATES = [
    "Khiếu nại Quyết định số {n}/QĐ-UBND của UBND xã {xa} về việc thu hồi {m} m2 đất của gia đình tại "
    "thôn {t}; mức bồi thường, hỗ trợ chưa thỏa đáng.",
    "Tố cáo ông {ten}, cán bộ địa chính xã {xa}, có dấu hiệu nhận tiền để hợp thức hóa hồ sơ cấp giấy "
    "chứng nhận quyền sử dụng đất cho hộ ông {ten2}.",
    "Kiến nghị giải quyết tranh chấp ranh giới đất giữa hộ bà {ten} và hộ ông {ten2} tại thôn {t}, "
    "xã {xa}; đề nghị đo đạc lại.",
    "Phản ánh cơ sở chăn nuôi heo của ông {ten} tại thôn {t}, xã {xa} gây ô nhiễm môi trường, nước "
    "thải chảy ra suối.",
    "Đề nghị xem xét cấp giấy chứng nhận quyền sử dụng đất cho thửa đất số {n}, tờ bản đồ số {m2} "
    "tại xã {xa}, đã sử dụng ổn định từ năm {y}.",
    "Khiếu nại việc chậm chi trả chế độ chính sách người có công cho gia đình bà {ten}, xã {xa}.",
    "Tố cáo Chủ tịch UBND xã {xa} thiếu trách nhiệm trong quản lý đất công, để hộ ông {ten} lấn chiếm "
    "{m} m2 đất ven đường liên thôn.",
    "Phản ánh việc thi công đường giao thông nông thôn thôn {t} kém chất lượng, chưa nghiệm thu đã hư "
    "hỏng; đề nghị kiểm tra.",
    "Kiến nghị hỗ trợ tái định cư cho {m2} hộ dân thôn {t} bị ảnh hưởng sạt lở đất mùa mưa năm {y}.",
    "Khiếu nại kết quả giải quyết đơn lần đầu của Chủ tịch UBND phường {xa} về bồi thường cây trồng "
    "trên đất bị thu hồi.",
]
THON = [f"{i}" for i in range(1, 16)] + ["Buôn Ky", "Buôn Tuôr", "Buôn Kô Đung", "Tân Hòa", "Cao Thắng"]
KINDS = ["complaint", "denunciation", "recommendation", "feedback"]
CASE_TITLES = [
    "Tranh chấp đất đai giữa hộ {ten} và hộ {ten2}",
    "Khiếu nại thu hồi đất dự án đường {xa}",
    "Tố cáo cán bộ địa chính xã {xa}",
    "Ô nhiễm môi trường cơ sở chăn nuôi thôn {t}",
    "Bồi thường giải phóng mặt bằng xã {xa} (hộ {ten})",
]


def _name(rng: random.Random) -> str:
    if rng.random() < 0.02:
        return rng.choice(ETHNIC)
    family = rng.choices([f for f, _ in FAMILY], [w for _, w in FAMILY])[0]
    middle = rng.choice(MIDDLE)
    if rng.random() < 0.25:
        middle += " " + rng.choice(MIDDLE)
    return f"{family} {middle} {rng.choice(GIVEN)}"


def _now() -> datetime:
    return datetime.now(UTC)


def populate(engine: Engine, citizens: int, cases: int, petitions: int, suspend: bool, seed: int) -> None:
    rng = random.Random(seed)
    now = _now()
    batch = 10_000
    timings: dict[str, float] = {}
    with engine.begin() as conn:
        if suspend:
            suspend_search_index(conn)
        started = time.perf_counter()
        for start in range(0, citizens, batch):
            rows = []
            for i in range(start, min(start + batch, citizens)):
                name = _name(rng)
                rows.append({
                    "id": uuid.uuid4(), "external_id": None, "created_at": now, "updated_at": now, "version": 1,
                    "full_name": name, "name_key": fold(name), "id_type": "cccd",
                    "id_number": f"0{rng.randint(1, 96):02d}{rng.randint(0, 3)}{rng.randint(40, 99)}{i:06d}",
                    "phone": f"09{rng.randint(0, 9)}{rng.randint(0, 9999999):07d}" if rng.random() < 0.8 else None,
                    "address": f"thôn {rng.choice(THON)}, xã {rng.choice(COMMUNES)}, tỉnh Đắk Lắk",
                    "birth_year": rng.randint(1940, 2005), "gender": None, "note": None,
                })
            conn.execute(Citizen.__table__.insert(), rows)
        timings["citizens"] = time.perf_counter() - started
        started = time.perf_counter()
        for start in range(0, cases, batch):
            rows = []
            for i in range(start, min(start + batch, cases)):
                title = rng.choice(CASE_TITLES).format(ten=_name(rng), ten2=_name(rng), xa=rng.choice(COMMUNES),
                                                       t=rng.choice(THON)) + f" ({i})"
                rows.append({
                    "id": uuid.uuid4(), "external_id": f"VV-{i}", "created_at": now, "updated_at": now,
                    "version": 1, "title": title, "title_key": fold(title), "kind": rng.choice(KINDS),
                    "field": "Đất đai", "place": None, "status": "open", "remote_area": False,
                    "first_visit_id": None, "first_visit_on": None,
                })
            conn.execute(Case.__table__.insert(), rows)
        timings["cases"] = time.perf_counter() - started
        started = time.perf_counter()
        day0 = date(2015, 1, 1)
        span = (date(2025, 12, 31) - day0).days
        for start in range(0, petitions, batch):
            rows = []
            for i in range(start, min(start + batch, petitions)):
                # Entered roughly in date order, as an office does (a few days of jitter).
                day = day0 + timedelta(days=max(0, min(span, int(i / petitions * span) + rng.randint(-5, 5))))
                kind = rng.choice(KINDS)
                summary = rng.choice(TEMPLATES).format(
                    n=rng.randint(1, 9999), m=rng.randint(50, 5000), m2=rng.randint(1, 60), y=rng.randint(1990, 2024),
                    ten=_name(rng), ten2=_name(rng), xa=rng.choice(COMMUNES), t=rng.choice(THON),
                )
                rows.append({
                    "id": uuid.uuid4(), "external_id": None, "created_at": now, "updated_at": now, "version": 1,
                    "received_on": day, "channel": "post", "kind": kind, "case_id": None, "anonymous": False,
                    "field": None, "summary": summary, "summary_key": fold(summary), "duplicate_of_id": None,
                    "handling": None, "eligible": None, "ineligible_reason": None,
                    "confidential": kind == "denunciation", "dated_on": None, "source_agency_id": None,
                    "incoming_number": None,
                })
            conn.execute(Petition.__table__.insert(), rows)
        timings["petitions"] = time.perf_counter() - started
        if suspend:
            started = time.perf_counter()
            rebuild_search_index(conn)
            timings["rebuild"] = time.perf_counter() - started
        started = time.perf_counter()
    timings["commit"] = time.perf_counter() - started
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")  # fresh planner statistics, as after a real import
        conn.commit()
    mode = "index suspended, rebuilt once" if suspend else "index maintained by triggers/indexes"
    print(f"populate ({mode}): " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))


def queries(engine: Engine, seed: int) -> list[tuple[str, str]]:
    """~200 (kind, query) pairs drawn from the data, so the rare ones really exist."""
    rng = random.Random(seed)
    with engine.connect() as conn:
        c = Citizen.__table__
        sample = conn.execute(select(c.c.full_name, c.c.id_number, c.c.phone).limit(5000)).all()
        p = Petition.__table__
        summaries = conn.execute(select(p.c.summary).limit(2000)).scalars().all()
    picked = rng.sample(sample, 40)
    out: list[tuple[str, str]] = []
    out += [("common name", q) for q in ["nguyen", "Nguyễn Văn", "tran thi", "le van", "pham thi lan", "hoang",
                                         "Nguyễn Thị Hà", "van duc", "minh", "NGUYEN VAN AN", "thi", "le",
                                         "ha", "d", "đ", "Vũ", "ngoc anh", "thanh tung", "tran van", "duc"]]
    out += [("rare name", name) for name, _, _ in picked[:20]]
    out += [("rare name, no accents", fold(name)) for name, _, _ in picked[20:40]]
    out += [("rare name", q) for q in ["H'Blăng", "Krông Ayŭn", "y jut", "siu h'nga", "Êban", "nay y blim",
                                       "kpa h'duyen", "a ma pui", "Rơ Mah", "ksor"]]
    out += [("id prefix", (idn or "066")[: rng.randint(6, 12)]) for _, idn, _ in picked[:20]]
    out += [("phone", (ph or "0905")[: rng.randint(4, 10)]) for _, _, ph in picked[20:35]]
    out += [("id/phone miss", q) for q in ["099999999999", "0123 456 789", "12", "7"]]
    words = ["thu hồi đất", "bồi thường", "ô nhiễm", "ranh giới", "cán bộ địa chính", "tái định cư",
             "sat lo dat", "giay chung nhan", "chan nuoi heo", "nghiem thu", "nguoi co cong", "đất công",
             "lan chiem", "Ea Tu", "ea h'leo", "Buôn Kô Đung", "chủ tịch", "kem chat luong", "thua dat so",
             "quyết định số 1234", "đường liên thôn", "dray bhang", "cu suê", "hop thuc hoa", "chế độ chính sách"]
    out += [("summary words", q) for q in words]
    for summary in rng.sample(summaries, 30):
        tokens = summary.split()
        at = rng.randrange(0, max(1, len(tokens) - 3))
        out += [("summary excerpt", " ".join(tokens[at : at + rng.randint(2, 4)]))]
    out += [("miss", q) for q in ["xyzzy", "không có gì như thế này", "qwerty uiop", "zzz", "hà nội thủ đô",
                                  "thanh pho ho chi minh", "bitcoin", "ổ gà cầu treo", "karaoke", "sân golf"]]
    return out


def run(engine: Engine, seed: int, repeat: int) -> None:
    qs = queries(engine, seed)
    for _, q in qs[:10]:  # warm the connection pool and the first pages
        search(engine, q)
    by_kind: dict[str, list[float]] = defaultdict(list)
    all_ms: list[float] = []
    worst: list[tuple[float, str, int]] = []
    for _ in range(repeat):
        for kind, q in qs:
            started = time.perf_counter()
            hits = search(engine, q, 50)
            ms = (time.perf_counter() - started) * 1000
            by_kind[kind].append(ms)
            all_ms.append(ms)
            worst.append((ms, q, len(hits)))
    backend = engine.dialect.name

    def line(label: str, values: list[float]) -> str:
        values = sorted(values)
        p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
        return (f"{label:<24} n={len(values):<4} p50={statistics.median(values):7.2f} ms  "
                f"p95={p95:7.2f} ms  max={values[-1]:7.2f} ms")

    print(f"== {backend}: {len(qs)} queries x {repeat}, first 50 hits ==")
    print(line("all", all_ms))
    for kind, values in by_kind.items():
        print(line(kind, values))
    print("slowest:", ", ".join(f"{q!r} {ms:.1f} ms ({n} hits)" for ms, q, n in sorted(worst, reverse=True)[:8]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    pop = sub.add_parser("populate")
    pop.add_argument("db")
    pop.add_argument("--citizens", type=int, default=300_000)
    pop.add_argument("--cases", type=int, default=200_000)
    pop.add_argument("--petitions", type=int, default=1_000_000)
    pop.add_argument("--suspend", action="store_true", help="suspend the search index during the inserts")
    pop.add_argument("--seed", type=int, default=7)
    bench = sub.add_parser("run")
    bench.add_argument("db")
    bench.add_argument("--seed", type=int, default=11)
    bench.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    engine = open_database(args.db)
    try:
        if args.command == "populate":
            populate(engine, args.citizens, args.cases, args.petitions, args.suspend, args.seed)
        else:
            run(engine, args.seed, args.repeat)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
