"""services.listing: keyset pages, search by folded keys, confidential signers, overdue transfers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, insert

from reception_desk.services import listing
from reception_desk.services.visibility import CONFIDENTIAL_SIGNER, signer_display
from reception_desk.storage.models import PetitionSigner
from tests.builders import add_agency, add_case, add_citizen, add_petition, add_transfer, add_visit


def _visits(engine: Engine, count: int, start: date = date(2024, 1, 1)) -> list:
    """``count`` visits, three a day, on one case each ten: many ties on the same date."""
    ids = []
    with engine.begin() as conn:
        case_ids = [add_case(conn, title=f"Vụ việc số {n}") for n in range(count // 10 + 1)]
        for n in range(count):
            ids.append(
                add_visit(conn, case_ids[n // 10], start + timedelta(days=n // 3), content=f"Lượt {n}")
            )
    return ids


def _all_pages(engine: Engine, kind: listing.ListKind, limit: int, query: str | None = None) -> list:
    rows, after = [], None
    while True:
        page = listing.fetch_page(engine, kind, after=after, limit=limit, query=query)
        rows.extend(page.rows)
        if page.next is None:
            return rows
        after = page.next


def test_empty_database(engine: Engine) -> None:
    assert listing.database_is_empty(engine)
    for kind in listing.LIST_KINDS:
        page = listing.fetch_page(engine, kind)
        assert page.rows == [] and page.next is None
        assert listing.count_rows(engine, kind) == 0


def test_keyset_pages_cover_every_row_once_newest_first(engine: Engine) -> None:
    ids = _visits(engine, 47)
    assert not listing.database_is_empty(engine)
    first = listing.visits_page(engine, limit=10)
    assert len(first.rows) == 10 and first.next is not None
    rows = _all_pages(engine, "visits", limit=10)
    assert sorted(r.id for r in rows) == sorted(ids)
    keys = [(r.visit_date, r.id) for r in rows]
    assert keys == sorted(keys, reverse=True)
    assert listing.count_rows(engine, "visits") == 47


def test_page_size_equal_to_row_count_ends_cleanly(engine: Engine) -> None:
    _visits(engine, 20)
    first = listing.visits_page(engine, limit=20)
    assert len(first.rows) == 20
    assert first.next is not None  # a full page cannot know it was the last one
    assert listing.visits_page(engine, after=first.next, limit=20).rows == []


def test_visit_columns(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = add_case(conn, title="Tranh chấp ranh giới đất")
        first = add_visit(conn, case_id, date(2025, 3, 1), "leader_scheduled", persons=6, host="Phó Chủ tịch")
        again = add_visit(conn, case_id, date(2025, 4, 1), content="Đề nghị giải quyết dứt điểm")
    rows = {r.id: r for r in listing.visits_page(engine).rows}
    assert rows[first].first_time and not rows[again].first_time
    assert rows[first].mode_label == "Lãnh đạo tiếp định kỳ"
    assert rows[first].is_delegation and rows[first].persons == 6 and rows[first].host == "Phó Chủ tịch"
    assert rows[again].case_title == "Tranh chấp ranh giới đất"
    assert rows[again].content == "Đề nghị giải quyết dứt điểm"


def test_visit_search_ignores_accents_and_matches_case_title_or_citizen_name(engine: Engine) -> None:
    with engine.begin() as conn:
        land = add_case(conn, title="Tranh chấp đất đai thôn Ea Tu")
        other = add_case(conn, title="Chế độ chính sách")
        duc = add_citizen(conn, "Nguyễn Văn Đức")
        lan = add_citizen(conn, "Phạm Thị Lan")
        by_case = add_visit(conn, land, date(2025, 1, 2), citizen_ids=[lan])
        by_citizen = add_visit(conn, other, date(2025, 1, 3), citizen_ids=[duc])
        # the content is not searched: the list filter only uses indexed texts
        add_visit(conn, other, date(2025, 1, 4), content="Ông Nguyễn trình bày về trợ cấp")
        lan_again = add_visit(conn, other, date(2025, 1, 5), citizen_ids=[lan], content="Hỏi về bảo hiểm")
    assert {r.id for r in listing.visits_page(engine, query="nguyen").rows} == {by_citizen}
    assert {r.id for r in listing.visits_page(engine, query="DAT  dai").rows} == {by_case}
    assert {r.id for r in listing.visits_page(engine, query="Đức nguyễn").rows} == {by_citizen}
    assert {r.id for r in listing.visits_page(engine, query="nguyen d").rows} == {by_citizen}  # a prefix
    assert {r.id for r in listing.visits_page(engine, query="pham").rows} == {by_case, lan_again}
    # every word in the same text: a name word and a title word together match nothing
    assert listing.visits_page(engine, query="lan tranh").rows == []
    # words, not pieces of words
    assert listing.visits_page(engine, query="guyen").rows == []
    assert listing.count_rows(engine, "visits", "nguyen") == 1
    assert listing.count_rows(engine, "visits", "pham lan") == 2
    # LIKE wildcards and FTS syntax in the text are not patterns
    for odd in ("%", "_", '"', "*", "nguyen OR", "(pham"):
        listing.visits_page(engine, query=odd)  # no error
    assert listing.visits_page(engine, query="%").rows == []


@pytest.mark.parametrize("plan", ["sparse", "membership", "row_test"])
def test_every_plan_finds_the_same_rows_in_the_same_order(engine: Engine, monkeypatch: pytest.MonkeyPatch,
                                                          plan: str) -> None:
    """The filter's plan depends on how many rows match; each plan must give the same pages."""
    with engine.begin() as conn:
        cases = [add_case(conn, title=title) for title in ("Thu hồi đất thôn 3", "Chế độ chính sách", "Thu hồi")]
        people = [add_citizen(conn, name) for name in ("Nguyễn Thu Hà", "Lê Văn Hồi", "Trần Thị Mai")]
        secret_case = add_case(conn, title="Tố cáo cán bộ", kind="denunciation")
        for n in range(60):
            add_visit(conn, cases[n % 3], date(2025, 1, 1) + timedelta(days=n // 4), citizen_ids=[people[(n + 2) % 3]])
        add_visit(conn, secret_case, date(2025, 2, 1), citizen_ids=[people[0]])  # never found by name
        for n in range(45):
            add_petition(conn, date(2025, 1, 1) + timedelta(days=n // 5), "complaint",
                         summary=["Khiếu nại thu hồi đất", "Đề nghị chế độ", "Thu hồi giấy phép"][n % 3])
    if plan == "sparse":
        monkeypatch.setattr(listing, "SPARSE_MAX", 10_000)
    elif plan == "membership":
        monkeypatch.setattr(listing, "SPARSE_MAX", 0)
    else:
        monkeypatch.setattr(listing, "SPARSE_MAX", 0)
        monkeypatch.setattr(listing, "WALK_FROM", 0)
    expected_visits = 20 + 20 + 20  # the two "Thu hồi…" cases + Nguyễn Thu Hà's visits on the other one
    rows = _all_pages(engine, "visits", limit=7, query="thu")
    assert len(rows) == len({r.id for r in rows}) == expected_visits
    keys = [(r.visit_date, r.id) for r in rows]
    assert keys == sorted(keys, reverse=True)
    assert len(_all_pages(engine, "visits", limit=7, query="thu hoi")) == 40
    assert len(_all_pages(engine, "petitions", limit=4, query="thu hoi")) == 30
    assert listing.count_rows(engine, "visits", "thu") == expected_visits


def test_search_pages_through_many_matches(engine: Engine) -> None:
    _visits(engine, 35)
    with engine.begin() as conn:
        case_id = add_case(conn, title="Khác")
        add_visit(conn, case_id, date(2024, 1, 5), content="không khớp")
    rows = _all_pages(engine, "visits", limit=4, query="vu viec")
    assert len(rows) == 35 and len({r.id for r in rows}) == 35


def test_confidential_petition_hides_signers_and_is_not_found_by_name(engine: Engine) -> None:
    with engine.begin() as conn:
        secret_signer = add_citizen(conn, "Trần Văn Bí Mật")
        open_signer = add_citizen(conn, "Lê Thị Công Khai")
        secret = add_petition(conn, date(2025, 2, 1), "denunciation", summary="Tố cáo cán bộ xã")
        public = add_petition(conn, date(2025, 2, 2), "complaint", summary="Khiếu nại quyết định thu hồi đất")
        anonymous = add_petition(
            conn, date(2025, 2, 3), "feedback", anonymous=True, summary="Phản ánh tiếng ồn"
        )
        conn.execute(
            insert(PetitionSigner.__table__),
            [
                {"petition_id": secret, "citizen_id": secret_signer, "ordinal": 0},
                {"petition_id": public, "citizen_id": open_signer, "ordinal": 0},
            ],
        )
    rows = {r.id: r for r in listing.petitions_page(engine).rows}
    assert rows[secret].signers == CONFIDENTIAL_SIGNER
    assert "Bí Mật" not in repr(rows[secret])
    assert rows[secret].kind_label == "Tố cáo"
    assert rows[public].signers == "Lê Thị Công Khai"
    assert rows[public].channel_label == "Bưu chính"
    assert rows[anonymous].signers == signer_display(False, [], anonymous=True)
    assert {r.id for r in listing.petitions_page(engine, query="bi mat").rows} == set()
    assert {r.id for r in listing.petitions_page(engine, query="cong khai").rows} == {public}
    assert {r.id for r in listing.petitions_page(engine, query="can bo").rows} == {secret}


def test_transfers_overdue_and_search_by_agency(engine: Engine) -> None:
    today = date(2025, 6, 10)
    with engine.begin() as conn:
        agency = add_agency(conn, "UBND phường Tân Lợi")
        police = add_agency(conn, "Công an tỉnh Đắk Lắk")
        petition = add_petition(conn, date(2025, 5, 1))
        late = add_transfer(conn, petition, agency, date(2025, 5, 2), number="12/PC", due_on=date(2025, 6, 1))
        answered = add_transfer(
            conn, petition, police, date(2025, 5, 3), due_on=date(2025, 6, 1), answered_on=date(2025, 6, 5)
        )
        pending = add_transfer(conn, petition, police, date(2025, 5, 4), due_on=date(2025, 7, 1))
    rows = {r.id: r for r in listing.transfers_page(engine, today=today).rows}
    assert rows[late].overdue and not rows[answered].overdue and not rows[pending].overdue
    assert rows[late].agency_name == "UBND phường Tân Lợi" and rows[late].number == "12/PC"
    assert {r.id for r in listing.transfers_page(engine, query="dak lak").rows} == {answered, pending}
    assert {r.id for r in listing.transfers_page(engine, query="12/pc").rows} == {late}


def test_signer_display_rule() -> None:
    assert signer_display(True, ["Nguyễn Văn A"]) == "Người tố cáo (bảo mật)"
    assert signer_display(False, ["Nguyễn Văn A", "Trần Thị B"]) == "Nguyễn Văn A, Trần Thị B"
    assert signer_display(False, [], anonymous=True) == "(đơn nặc danh)"
    assert signer_display(False, []) == "(không rõ người đứng đơn)"


def test_a_denouncers_visits_are_not_found_by_their_name(engine: Engine) -> None:
    with engine.begin() as conn:
        denunciation = add_case(conn, kind="denunciation", title="Tố cáo sai phạm trong cấp phép")
        complaint = add_case(conn, kind="complaint", title="Khiếu nại thu hồi đất")
        denouncer = add_citizen(conn, "Lê Văn Tố")
        complainant = add_citizen(conn, "Lê Văn Khoa")
        add_visit(conn, denunciation, date(2025, 2, 3), citizen_ids=[denouncer])
        open_visit = add_visit(conn, complaint, date(2025, 2, 4), citizen_ids=[complainant])
    assert {r.id for r in listing.visits_page(engine, query="le van").rows} == {open_visit}
    assert listing.visits_page(engine, query="le van to").rows == []
    # the case itself is still found by its own title
    assert len(listing.visits_page(engine, query="cap phep").rows) == 1
