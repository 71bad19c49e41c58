"""Quick search: folding, matching rules, order, index maintenance, confidentiality, CLI."""

from __future__ import annotations

import importlib.util
import unicodedata
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, Table, delete, text, update

from reception_desk.cli import main
from reception_desk.domain.text import fold, nfc
from reception_desk.services.errors import ValidationError
from reception_desk.services.search import SearchHit, excerpt, parse_query, search
from reception_desk.storage import migrate, search_queries
from reception_desk.storage.models import Case, Citizen, Petition, PetitionSigner, new_id, utcnow
from reception_desk.storage.search_queries import (
    begin_search,
    rebuild_search_index,
    search_index_ready,
    suspend_search_index,
)

_citizen: Table = Citizen.__table__  # type: ignore[assignment]
_case: Table = Case.__table__  # type: ignore[assignment]
_petition: Table = Petition.__table__  # type: ignore[assignment]
_signer: Table = PetitionSigner.__table__  # type: ignore[assignment]


def _entity(**values: object) -> dict[str, object]:
    now = utcnow()
    return {"id": new_id(), "external_id": None, "created_at": now, "updated_at": now, "version": 1, **values}


def add_citizen(conn: Connection, name: str, **values: object) -> uuid.UUID:
    row = _entity(full_name=nfc(name), name_key=fold(name), **values)
    conn.execute(_citizen.insert(), [row])
    return row["id"]  # type: ignore[return-value]


def add_case(conn: Connection, title: str, kind: str = "complaint", **values: object) -> uuid.UUID:
    row = _entity(title=nfc(title), title_key=fold(title), kind=kind, status="open", remote_area=False, **values)
    conn.execute(_case.insert(), [row])
    return row["id"]  # type: ignore[return-value]


def add_petition(conn: Connection, summary: str, received_on: date, kind: str = "complaint",
                 **values: object) -> uuid.UUID:
    row = _entity(received_on=received_on, channel="post", kind=kind, anonymous=False, summary=nfc(summary),
                  summary_key=fold(summary), confidential=kind == "denunciation", **values)
    conn.execute(_petition.insert(), [row])
    return row["id"]  # type: ignore[return-value]


def titles(hits: list[SearchHit], kind: str | None = None) -> list[str]:
    return [h.title for h in hits if kind is None or h.kind == kind]


@pytest.fixture
def office(engine: Engine) -> Engine:
    with engine.begin() as conn:
        add_citizen(conn, "Nguyễn Văn Đức", external_id="C1", id_type="cccd", id_number="067181000001",
                    phone="0905 000 001", address="xã Ea Tu, TP Buôn Ma Thuột, tỉnh Đắk Lắk")
        add_citizen(conn, "Trần Thị Hà", external_id="C2", id_type="cccd", id_number="066082000002",
                    phone="0905.000.002")
        add_citizen(conn, "Dương Văn Bình", external_id="C3", id_number="B1234567", id_type="passport")
        add_citizen(conn, "Lê Thanh Tâm", external_id="C4")
        add_citizen(conn, "H'Blăng Niê", external_id="C5")
        add_case(conn, "Tranh chấp ranh giới đất tại thôn 3", external_id="K1", field="Đất đai")
        add_case(conn, "Khiếu nại bồi thường giải phóng mặt bằng", external_id="K2")
        add_petition(conn, "Khiếu nại quyết định thu hồi đất của UBND xã Ea Tu", date(2025, 3, 28),
                     external_id="P1")
        add_petition(conn, "Kiến nghị sửa đường liên thôn bị sạt lở", date(2025, 4, 2), "recommendation",
                     external_id="P2")
        add_petition(conn, "Phản ánh cơ sở chăn nuôi gây ô nhiễm, thu hồi giấy phép", date(2024, 1, 5),
                     "feedback")
    return engine


# --- folding -----------------------------------------------------------------------------------


def test_nfc_and_nfd_queries_find_the_same(office: Engine) -> None:
    nfc_hits = search(office, unicodedata.normalize("NFC", "Nguyễn Văn Đức"))
    nfd_hits = search(office, unicodedata.normalize("NFD", "Nguyễn Văn Đức"))
    assert titles(nfc_hits) == titles(nfd_hits) == ["Nguyễn Văn Đức"]


@pytest.mark.parametrize("query", ["nguyen van duc", "DUC", "Đức", "nguyễn đức", "NGUYEN  VAN", "van duc"])
def test_no_accent_and_case_insensitive(office: Engine, query: str) -> None:
    assert titles(search(office, query), "citizen") == ["Nguyễn Văn Đức"]


def test_d_stroke_query_finds_plain_d(office: Engine) -> None:
    # "đ" folds to "d": names starting with it first, then names with a word starting with it.
    assert titles(search(office, "đ"), "citizen") == ["Dương Văn Bình", "Nguyễn Văn Đức"]
    assert titles(search(office, "Đương"), "citizen") == ["Dương Văn Bình"]


def test_two_letter_query_matches_word_starts(office: Engine) -> None:
    hits = search(office, "ha")
    assert titles(hits, "citizen") == ["Trần Thị Hà"]  # "Thanh" contains "ha" but not at a word start
    assert titles(search(office, "ta"), "citizen") == ["Lê Thanh Tâm"]


def test_apostrophe_names(office: Engine) -> None:
    assert titles(search(office, "h'blang"), "citizen") == ["H'Blăng Niê"]
    assert titles(search(office, "Niê"), "citizen") == ["H'Blăng Niê"]


# --- id number and phone -----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["067181000001", "067181", "0905 000 001", "0905.000.001", "(0905) 000-001"])
def test_id_number_and_phone(office: Engine, query: str) -> None:
    assert titles(search(office, query), "citizen") == ["Nguyễn Văn Đức"]


def test_id_and_phone_match_from_their_start(office: Engine) -> None:
    assert search(office, "181000") == []


def test_international_phone(engine: Engine) -> None:
    with engine.begin() as conn:
        add_citizen(conn, "Trịnh Văn Quý", phone="+84 912 345 678")
    assert titles(search(engine, "+84912345678")) == ["Trịnh Văn Quý"]
    assert titles(search(engine, "84 912")) == ["Trịnh Văn Quý"]


def test_phone_stored_with_dots_and_passport_letters(office: Engine) -> None:
    assert titles(search(office, "0905000002"), "citizen") == ["Trần Thị Hà"]
    assert titles(search(office, "b123"), "citizen") == ["Dương Văn Bình"]
    assert titles(search(office, "0905"), "citizen") == ["Nguyễn Văn Đức", "Trần Thị Hà"]


def test_short_digit_query_is_a_prefix(office: Engine) -> None:
    assert titles(search(office, "06"), "citizen") == ["Nguyễn Văn Đức", "Trần Thị Hà"]
    assert search(office, "01") == []


def test_short_prefix_not_beginning_with_zero_finds_international_and_passport_numbers(engine: Engine) -> None:
    # PostgreSQL asks the GIN index at once for these (ids and phones begin with 0): same hits
    with engine.begin() as conn:
        add_citizen(conn, "Trịnh Văn Quý", phone="+84 912 345 678")
        add_citizen(conn, "Dương Văn Bình", id_number="B1234567")
        add_citizen(conn, "Lê Thị Mai", phone="0841 000 000")
    assert titles(search(engine, "84"), "citizen") == ["Trịnh Văn Quý"]
    assert titles(search(engine, "b1"), "citizen") == ["Dương Văn Bình"]
    assert titles(search(engine, "08"), "citizen") == ["Lê Thị Mai"]
    assert search(engine, "7") == []


def test_search_settings_last_for_the_search_transaction_only(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            begin_search(conn)  # nothing to set: not even a transaction begun
            assert not conn.in_transaction()
        return
    names = ("jit", "max_parallel_workers_per_gather", "enable_seqscan")
    with engine.connect() as conn:
        before = [conn.exec_driver_sql(f"SHOW {n}").scalar() for n in names]
        conn.rollback()
        begin_search(conn)
        assert [conn.exec_driver_sql(f"SHOW {n}").scalar() for n in names] == ["off", "0", "off"]
        conn.rollback()
        assert [conn.exec_driver_sql(f"SHOW {n}").scalar() for n in names] == before


# --- texts, order, limit -----------------------------------------------------------------------


def test_cases_and_petitions_by_words_in_any_order(office: Engine) -> None:
    assert titles(search(office, "ranh giới đất"), "case") == ["Tranh chấp ranh giới đất tại thôn 3"]
    assert titles(search(office, "dat ranh gioi"), "case") == ["Tranh chấp ranh giới đất tại thôn 3"]
    hits = search(office, "thu hồi")
    # newest first
    assert [h.ref for h in hits if h.kind == "petition"][0] == "P1"
    assert [h.title for h in hits if h.kind == "petition"] == ["2025-03-28 · Khiếu nại", "2024-01-05 · Phản ánh"]
    assert all("thu hồi" in h.detail for h in hits if h.kind == "petition")
    assert search(office, "thu hồi đường") == []  # every word must be there


def test_citizens_then_cases_then_petitions(engine: Engine) -> None:
    with engine.begin() as conn:
        add_petition(conn, "Đơn của ông Tâm về đất", date(2025, 1, 1))
        add_case(conn, "Vụ việc ông Tâm")
        add_citizen(conn, "Lê Thanh Tâm")
        add_citizen(conn, "Tâm Văn An")
    hits = search(engine, "tam")
    assert [h.kind for h in hits] == ["citizen", "citizen", "case", "petition"]
    # names beginning with the query come first
    assert titles(hits, "citizen") == ["Tâm Văn An", "Lê Thanh Tâm"]


def test_limit_is_respected_and_order_deterministic(engine: Engine) -> None:
    with engine.begin() as conn:
        for i in range(30):
            add_citizen(conn, f"Phạm Văn Lộc {i:02d}")
        for i in range(30):
            add_petition(conn, f"Phạm Văn Lộc khiếu nại lần {i}", date(2025, 1, 1 + i % 28))
    hits = search(engine, "pham van loc", limit=40)
    assert len(hits) == 40
    assert [h.kind for h in hits] == ["citizen"] * 30 + ["petition"] * 10
    assert titles(hits, "citizen") == sorted(titles(hits, "citizen"))
    dates = [h.title[:10] for h in hits if h.kind == "petition"]
    assert dates == sorted(dates, reverse=True)
    assert len(search(engine, "pham van loc")) == 50
    assert search(engine, "pham van loc", limit=40) == hits
    assert len(search(engine, "pham van loc", limit=1)) == 1


@pytest.mark.parametrize("sparse_max, walk_from, pg_walk", [(3, 1000, 2), (3, 5, 5), (1000, 1000, 1000)])
def test_dense_and_sparse_paths_agree(engine: Engine, monkeypatch: pytest.MonkeyPatch,
                                      sparse_max: int, walk_from: int, pg_walk: int) -> None:
    """Tiny thresholds force each way of answering (sort the matches, walk the order testing
    membership, walk testing each row, GIN bitmap); all must give the same hits."""
    with engine.begin() as conn:
        for i in range(12):
            add_citizen(conn, f"Võ Thị Mai {i}")
            add_case(conn, f"Đất của hộ Võ Thị Mai {i}")
            add_petition(conn, f"Bà Võ Thị Mai {i} đề nghị", date(2025, 2, 1 + i))
        add_citizen(conn, "Võ Văn Kiệt")
        add_petition(conn, "Ông Võ Văn Kiệt đề nghị", date(2025, 1, 1))
    expected = search(engine, "vo mai", limit=30)
    assert len(expected) == 30
    # Not beginning with the query: newest first.
    assert titles(expected, "citizen") == [f"Võ Thị Mai {i}" for i in reversed(range(12))]
    monkeypatch.setattr(search_queries, "SPARSE_MAX", sparse_max)
    monkeypatch.setattr(search_queries, "WALK_FROM", walk_from)
    monkeypatch.setattr(search_queries, "PG_WALK", pg_walk)
    assert search(engine, "vo mai", limit=30) == expected
    assert search(engine, "vo mai", limit=50)[:30] == expected
    assert [h.title for h in search(engine, "vo kiet")] == ["Võ Văn Kiệt", "2025-01-01 · Khiếu nại"]


def _analysed_office(engine: Engine) -> None:
    """Rows whose words have very different frequencies, then fresh planner statistics."""
    with engine.begin() as conn:
        for i in range(60):
            add_citizen(conn, f"Đỗ Thị Hoa {i}" if i % 3 else f"Đỗ Văn Hoàng {i}")
            add_case(conn, f"Tranh chấp đất đai số {i}" if i % 2 else f"Đỗ Văn Hoàng khiếu nại {i}")
            add_petition(conn, f"Đề nghị cấp giấy chứng nhận quyền sử dụng đất {i}", date(2025, 1, 1 + i % 28))
        for i in range(6):
            add_citizen(conn, f"Đoàn Hữu Hòa {i}")
            add_petition(conn, f"Ông Đoàn Hữu Hòa đề nghị lần {i}", date(2025, 2, 1 + i))
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE citizen, case_file, petition")
    search_queries.forget_word_stats(engine)


@pytest.mark.parametrize("probe, walk_min, walk_max, union_cost", [
    (1000, 200, 8000, 0.05),  # as shipped
    (2, 1, 3, 0.05),          # short walks, then the GIN index
    (2, 1, 50, 0.05),         # a second, longer walk
    (1000, 200, 8000, 1e9),   # the prefix word tested row by row after the GIN index
    (1, 1, 1, 0.0),           # the prefix word asked of the GIN index
])
def test_plans_from_word_statistics_agree(engine: Engine, monkeypatch: pytest.MonkeyPatch, probe: int,
                                          walk_min: int, walk_max: int, union_cost: float) -> None:
    """With statistics, PostgreSQL chooses among walks and GIN plans; every choice gives the same
    hits (SQLite ignores these settings, and must agree too)."""
    _analysed_office(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            stats = search_queries._word_stats(conn, "search_citizen_name_words")
        assert stats is not None and stats.rows == 66
        assert stats.word("do") > stats.word("doan") > 0
        assert stats.prefix("doa") >= stats.word("doan") and stats.prefix("do") == 1.0  # a share, capped
    queries = ["do hoa", "đỗ văn hoàng", "doan huu h", "giay chung nhan", "dat", "de nghi lan 3", "do h"]
    expected = {q: search(engine, q, limit=30) for q in queries}
    assert titles(expected["doan huu h"], "citizen") == [f"Đoàn Hữu Hòa {i}" for i in range(6)]
    assert len(expected["do hoa"]) == 30 and len(expected["giay chung nhan"]) == 30
    monkeypatch.setattr(search_queries, "PG_PROBE", probe)
    monkeypatch.setattr(search_queries, "PG_WALK_MIN", walk_min)
    monkeypatch.setattr(search_queries, "PG_WALK_MAX", walk_max)
    monkeypatch.setattr(search_queries, "PG_UNION_COST", union_cost)
    for q in queries:
        assert search(engine, q, limit=30) == expected[q], q


def _listed_words(engine: Engine, source: str) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT word FROM search_word WHERE source = :s"), {"s": source}).scalars())


@pytest.mark.parametrize("expand_max", [0, 1, 64])
def test_word_lists_plan_agrees(engine: Engine, monkeypatch: pytest.MonkeyPatch, expand_max: int) -> None:
    """PostgreSQL replaces the last word's prefix by the listed words it begins (search_word) and
    answers "no match" for an unlisted word; with the expansion off (PG_EXPAND_MAX 0) or too
    narrow for the prefix, the former plans run: the hits are the same."""
    _analysed_office(engine)
    with engine.begin() as conn:
        add_citizen(conn, "Đỗ Văn Hoàn 1")  # "hoan" and "hoang" both begin with "hoa"
        add_petition(conn, "Ông 123/QĐ-UBND Đỗ Hoàn đề nghị", date(2025, 3, 1))
    queries = ["do hoa", "do van hoa", "doan huu h", "giay chung nhan", "de nghi lan 3", "do h", "ubnd",
               "qd", "hoan", "xyzzy", "do xyzzy", "nghi xyz", "123"]
    expected = {q: search(engine, q, limit=30) for q in queries}
    assert titles(expected["do van hoa"], "citizen")[:1] == ["Đỗ Văn Hoàn 1"]
    assert len(titles(expected["do van hoa"], "citizen")) == 21  # Hoàng ×20 and Hoàn
    assert expected["xyzzy"] == [] and expected["do xyzzy"] == [] and expected["nghi xyz"] == []
    # SQLite splits "123/QĐ-UBND" into words; PostgreSQL's parser keeps it whole (docs/search.md)
    assert len(expected["ubnd"]) == (1 if engine.dialect.name == "sqlite" else 0)
    monkeypatch.setattr(search_queries, "PG_EXPAND_MAX", expand_max)
    for q in queries:
        assert search(engine, q, limit=30) == expected[q], q
    if engine.dialect.name == "postgresql":
        names = _listed_words(engine, "n")
        assert {"do", "hoang", "hoan", "doan", "huu", "hoa"} <= names
        assert {"giay", "chung", "nhan", "123/qd-ubnd"} <= _listed_words(engine, "s")


def test_word_lists_follow_inserts_and_updates(engine: Engine) -> None:
    """The statement triggers list the words of new and changed keys; an update that leaves the key
    alone lists nothing; search finds the new words at once."""
    with engine.begin() as conn:
        first = add_citizen(conn, "Lò Văn Páo")
        conn.execute(_citizen.insert(), [_entity(full_name=f"Mùa A Dính {i}", name_key=fold(f"Mùa A Dính {i}"))
                                          for i in range(3)])
    assert titles(search(engine, "mua a d"), "citizen") == [f"Mùa A Dính {i}" for i in range(3)]
    with engine.begin() as conn:
        conn.execute(update(_citizen).where(_citizen.c.id == first)
                     .values(full_name="Lò Văn Sủng", name_key=fold("Lò Văn Sủng")))
    assert titles(search(engine, "lo van sung")) == ["Lò Văn Sủng"]
    assert search(engine, "lo van pao") == []
    if engine.dialect.name == "postgresql":
        assert {"lo", "van", "pao", "sung", "mua", "a", "dinh", "0", "1", "2"} <= _listed_words(engine, "n")
        with engine.begin() as conn:
            before = conn.execute(text("SELECT count(*) FROM search_word")).scalar_one()
            conn.execute(update(_citizen).where(_citizen.c.id == first).values(note="ghi chú"))
            assert conn.execute(text("SELECT count(*) FROM search_word")).scalar_one() == before


def test_word_lists_unused_while_suspended(engine: Engine) -> None:
    """Rows written while the index is suspended are found (the lists are not trusted then), and
    the rebuild lists their words."""
    with engine.begin() as conn:
        suspend_search_index(conn)
        add_citizen(conn, "Vàng Seo Chứ")
    assert titles(search(engine, "vang seo ch")) == ["Vàng Seo Chứ"]
    with engine.begin() as conn:
        rebuild_search_index(conn)
    assert titles(search(engine, "vang seo ch")) == ["Vàng Seo Chứ"]
    if engine.dialect.name == "postgresql":
        assert {"vang", "seo", "chu"} <= _listed_words(engine, "n")


def test_without_statistics_the_bounded_walk_answers(engine: Engine) -> None:
    """A database never analysed (no word statistics) still answers, by the fixed walk then GIN."""
    with engine.begin() as conn:
        for i in range(5):
            add_citizen(conn, f"Lò Văn Páo {i}")
    search_queries.forget_word_stats(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            assert search_queries._word_stats(conn, "search_citizen_name_words") is None
    assert titles(search(engine, "lo van p")) == [f"Lò Văn Páo {i}" for i in range(5)]
    assert titles(search(engine, "pao lo")) == [f"Lò Văn Páo {i}" for i in reversed(range(5))]


# --- the index follows the data ---------------------------------------------------------------


def test_insert_update_delete_update_the_hits(office: Engine) -> None:
    with office.begin() as conn:
        cid = add_citizen(conn, "Đinh Công Tráng")
        pid = add_petition(conn, "Phản ánh tiếng ồn karaoke", date(2025, 5, 5), "feedback")
    assert titles(search(office, "cong trang"), "citizen") == ["Đinh Công Tráng"]
    assert len(search(office, "karaoke")) == 1
    with office.begin() as conn:
        conn.execute(update(_citizen).where(_citizen.c.id == cid).values(
            full_name="Đinh Công Mạnh", name_key=fold("Đinh Công Mạnh")))
        conn.execute(update(_petition).where(_petition.c.id == pid).values(
            summary="Phản ánh tiếng ồn quán nhậu", summary_key=fold("Phản ánh tiếng ồn quán nhậu")))
    assert search(office, "cong trang") == []
    assert titles(search(office, "cong manh"), "citizen") == ["Đinh Công Mạnh"]
    assert search(office, "karaoke") == []
    assert len(search(office, "quan nhau")) == 1
    with office.begin() as conn:
        conn.execute(update(_citizen).where(_citizen.c.id == cid).values(phone="0912 345 678"))
    assert titles(search(office, "0912345678"), "citizen") == ["Đinh Công Mạnh"]
    with office.begin() as conn:
        conn.execute(delete(_citizen).where(_citizen.c.id == cid))
        conn.execute(delete(_petition).where(_petition.c.id == pid))
    assert search(office, "cong manh") == []
    assert search(office, "0912345678") == []
    assert search(office, "quan nhau") == []


def test_suspend_and_rebuild(engine: Engine) -> None:
    with engine.begin() as conn:
        add_citizen(conn, "Ngô Bảo Châu")
        suspend_search_index(conn)
        assert not search_index_ready(conn)
        add_citizen(conn, "Ngô Thì Nhậm")
        add_petition(conn, "Đề nghị cấp sổ đỏ", date(2025, 6, 1))
    # Still correct while suspended (scans), just slower.
    assert titles(search(engine, "ngo")) == ["Ngô Bảo Châu", "Ngô Thì Nhậm"]
    assert len(search(engine, "so do")) == 1
    with engine.begin() as conn:
        rebuild_search_index(conn)
        assert search_index_ready(conn)
        rebuild_search_index(conn)  # idempotent
    assert titles(search(engine, "thi nham")) == ["Ngô Thì Nhậm"]
    assert len(search(engine, "cap so do")) == 1
    with engine.begin() as conn:  # maintained again after the rebuild
        add_citizen(conn, "Ngô Quyền")
    assert titles(search(engine, "ngo quyen")) == ["Ngô Quyền"]


def test_rolled_back_suspend_keeps_the_index(engine: Engine) -> None:
    with pytest.raises(RuntimeError):
        with engine.begin() as conn:
            suspend_search_index(conn)
            raise RuntimeError("import failed")
    with engine.connect() as conn:
        assert search_index_ready(conn)


def test_sqlite_index_answers_from_fts(sqlite_engine: Engine) -> None:
    """The FTS5 tables really hold the keys (not only the LIKE re-check finds the rows)."""
    with sqlite_engine.begin() as conn:
        add_citizen(conn, "Nguyễn Văn Đức", phone="0905 000 001")
        add_petition(conn, "Tố cáo cán bộ địa chính", date(2025, 1, 1), "denunciation")
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM search_citizen WHERE search_citizen MATCH "
                                 "'name : (van AND du*)'")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM search_citizen WHERE search_citizen MATCH "
                                 "'contact : 0905000001'")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM search_petition WHERE search_petition MATCH "
                                 "'dia AND chinh'")).scalar() == 1


def _migration_module(name: str = "0002_search_indexes.py"):  # noqa: ANN202
    path = Path(migrate.alembic_config().get_main_option("script_location")) / "versions" / name
    spec = importlib.util.spec_from_file_location(f"migration_{name[:4]}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rebuild_creates_what_the_migration_created() -> None:
    frozen = _migration_module()
    current = search_queries.sqlite_table_statements() + search_queries.sqlite_trigger_statements()
    assert sorted(frozen.sqlite_statements()) == sorted(current)
    assert frozen.PG_INDEXES == search_queries.PG_WORD_INDEXES + search_queries.PG_ORDER_INDEXES
    lists = _migration_module("0004_search_word_lists.py")
    assert lists.SOURCES == search_queries.PG_VOCABULARY_SOURCES
    assert lists.TABLE == search_queries.PG_VOCABULARY_TABLE
    assert lists.FUNCTION == search_queries.PG_VOCABULARY_FUNCTION
    assert lists.triggers() == search_queries.pg_vocabulary_triggers()
    assert lists.fill() == search_queries.pg_vocabulary_fill()


def _search_objects(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return set(conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'search%'")).scalars())
        return set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'search%'"
                                     " UNION SELECT tgname FROM pg_trigger WHERE tgname LIKE 'search%'"
                                     " UNION SELECT relname FROM pg_class WHERE relname = 'search_word'")).scalars())


def test_downgrade_drops_everything_and_upgrade_restores(office: Engine) -> None:
    created = _search_objects(office)
    assert created
    cfg = migrate.alembic_config()
    with office.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert _search_objects(office) == set()
    migrate.upgrade(office)
    search_queries.forget_word_stats(office)  # the word lists were dropped and made again
    assert _search_objects(office) == created
    # rows that existed before the upgrade are indexed by it
    assert titles(search(office, "van duc"), "citizen") == ["Nguyễn Văn Đức"]


# --- confidentiality ---------------------------------------------------------------------------


def test_denunciation_hit_never_shows_the_signer(engine: Engine) -> None:
    with engine.begin() as conn:
        signer = add_citizen(conn, "Hoàng Văn Tố Giác")
        pid = add_petition(conn, "Tố cáo cán bộ địa chính xã Ea Tu nhận hối lộ", date(2025, 2, 2), "denunciation")
        conn.execute(_signer.insert(), [{"petition_id": pid, "citizen_id": signer, "ordinal": 0}])
    hits = search(engine, "cán bộ địa chính")
    assert [(h.kind, h.title) for h in hits] == [("petition", "2025-02-02 · Tố cáo")]
    for hit in hits:
        assert "Hoàng" not in hit.title + hit.detail and "Giác" not in hit.title + hit.detail
    # Searching the signer's name finds the citizen, never the denunciation they signed.
    assert [h.kind for h in search(engine, "Hoàng Văn Tố Giác")] == ["citizen"]


# --- input and output --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "\t\n", None])
def test_blank_query_is_refused(query: str | None) -> None:
    with pytest.raises(ValidationError, match="Hãy nhập nội dung cần tìm"):
        parse_query(query)


def test_bad_limit_is_refused(office: Engine) -> None:
    with pytest.raises(ValidationError, match="Số kết quả tối đa"):
        search(office, "duc", limit=0)


def test_punctuation_and_wildcards_are_harmless(office: Engine) -> None:
    assert search(office, "%") == []
    assert search(office, "100%") == []
    assert titles(search(office, 'đức "*'), "citizen") == ["Nguyễn Văn Đức"]
    assert titles(search(office, "nguyen AND OR NOT van"), "citizen") == []  # plain words, no syntax
    assert titles(search(office, "Nguyễn, Văn; Đức!"), "citizen") == ["Nguyễn Văn Đức"]


def test_excerpt_window_around_the_match() -> None:
    summary = "Công dân trình bày " + "nội dung dài " * 20 + "về việc thu hồi đất ở thôn Buôn Ky."
    terms = parse_query("buôn ky")
    shown = excerpt(summary, terms)
    assert shown.startswith("…") and "Buôn Ky" in shown and len(shown) <= 92
    assert excerpt("Ngắn\tgọn\nmột dòng", terms) == "Ngắn gọn một dòng"


def test_cli_output_format_and_exit_codes(office: Engine, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_url, "search", "nguyen", "van", "duc"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["citizen\tNguyễn Văn Đức\tCCCD 067181000001 · 0905 000 001 · xã Ea Tu, TP Buôn Ma Thuột, "
                   "tỉnh Đắk Lắk\tC1"]
    assert main(["--db", db_url, "search", "thu hồi", "--limit", "1"]) == 0
    assert capsys.readouterr().out == "petition\t2025-03-28 · Khiếu nại\tKhiếu nại quyết định thu hồi đất của " \
                                      "UBND xã Ea Tu\tP1\n"
    assert main(["--db", db_url, "search", "thu hồi"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(len(line.split("\t")) == 4 for line in lines)
    no_ref = [line.split("\t")[3] for line in lines if not line.endswith("P1")][0]
    assert uuid.UUID(no_ref)  # no external id: the UUID
    assert main(["--db", db_url, "search", "không có ai"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "Không tìm thấy kết quả nào" in captured.err
    assert main(["--db", db_url, "search", "  "]) == 2
    assert "Hãy nhập nội dung cần tìm" in capsys.readouterr().err
    assert main(["--db", db_url, "search"]) == 2
    capsys.readouterr()
    assert main(["--db", db_url, "search", "duc", "--limit", "abc"]) == 2
    assert "--limit" in capsys.readouterr().err
    assert main(["--db", db_url, "search", "duc", "--limit", "0"]) == 2


@pytest.mark.pg
def test_names_of_common_words_go_straight_to_the_index(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The words of a name are about independent: "Đoàn", "Hữu" and "Hoàng" are each common among
    these citizens, but together they are rare, so PostgreSQL asks the GIN index at once instead of
    walking the newest citizens first; words that do come together ("Đỗ … Hoa") are still walked.
    Either way the hits are the same."""
    _analysed_office(engine)
    with engine.begin() as conn:
        for i in range(6):
            add_citizen(conn, f"Đoàn Văn Hoàng {i}")
        add_citizen(conn, "Đoàn Hữu Hoàng Nam")
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE citizen")
    search_queries.forget_word_stats(engine)
    walked: list[str] = []
    real_walk = search_queries._pg_walk

    def spy(conn: Any, plan: Any, window_rows: int, limit: int) -> Any:
        walked.append(plan.table.name)
        return real_walk(conn, plan, window_rows, limit)

    monkeypatch.setattr(search_queries, "_pg_walk", spy)
    # shares among the 73 citizens: doan 13, huu 7, hoang* 27 — together about 1 in 150
    assert [h.title for h in search(engine, "doan huu hoang", limit=30)] == ["Đoàn Hữu Hoàng Nam"]
    if engine.dialect.name == "postgresql":
        assert "citizen" not in walked
    walked.clear()
    assert len(search(engine, "do hoa", limit=30)) == 30
    if engine.dialect.name == "postgresql":
        assert "citizen" in walked
