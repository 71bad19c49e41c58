"""services.queues: due soon vs overdue on the edges, Tết in between, answers, agency filter, paging."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, insert

from reception_desk.services import queues
from reception_desk.services.visibility import CONFIDENTIAL_SIGNER
from reception_desk.services.workdays import load_calendar
from reception_desk.storage import reference
from reception_desk.storage.models import PetitionSigner
from tests.builders import add_agency, add_case, add_citizen, add_petition, add_transfer

# Thursday before Tết Ất Tỵ: 24/01 is the last working day, 25/01–02/02 are days off, so the 5th
# working day after today is Thursday 06/02.
TODAY = date(2025, 1, 23)
HORIZON = date(2025, 2, 6)


def _world(engine: Engine) -> dict:
    reference.seed(engine)
    w: dict = {}
    with engine.begin() as conn:
        w["ward"] = add_agency(conn, "UBND phường Tân Lợi")
        w["police"] = add_agency(conn, "Công an tỉnh Đắk Lắk")
        w["case"] = add_case(conn, title="Tranh chấp đất đai thôn 3")
        signer = add_citizen(conn, "Lê Văn Cường")
        open_p = add_petition(conn, date(2025, 1, 2), "recommendation", case_id=w["case"],
                              summary="Kiến nghị sửa đường liên thôn")
        secret = add_petition(conn, date(2025, 1, 3), "denunciation", summary="Tố cáo cán bộ")
        conn.execute(insert(PetitionSigner.__table__), [
            {"petition_id": open_p, "citizen_id": signer, "ordinal": 0},
            {"petition_id": secret, "citizen_id": signer, "ordinal": 0},
        ])
        sent = date(2025, 1, 6)

        def t(name: str, petition, agency, due, answered=None) -> None:  # noqa: ANN001
            w[name] = add_transfer(conn, petition, agency, sent, due_on=due, answered_on=answered)

        t("overdue_2", open_p, w["ward"], date(2025, 1, 21))
        t("overdue_1", secret, w["police"], date(2025, 1, 22))  # yesterday: overdue by one day
        t("due_today", open_p, w["police"], TODAY)  # the due day itself is still in time
        t("due_horizon", open_p, w["ward"], HORIZON)  # after Tết, still within 5 working days
        t("after_horizon", open_p, w["ward"], HORIZON + timedelta(days=1))
        t("answered_late", open_p, w["police"], date(2025, 1, 10), answered=date(2025, 1, 20))
        t("answered_soon", open_p, w["ward"], TODAY, answered=date(2025, 1, 15))
        t("no_due", open_p, w["police"], None)
    return w


def _ids(page: queues.QueuePage) -> list:
    return [r.transfer_id for r in page.rows]


def test_horizon_stretches_over_tet(engine: Engine) -> None:
    reference.seed(engine)
    calendar = load_calendar(engine)
    assert queues.due_soon_horizon(TODAY, calendar) == HORIZON
    assert queues.due_soon_horizon(date(2025, 3, 3), calendar) == date(2025, 3, 10)  # Monday → Monday


def test_queues_on_the_edges(engine: Engine) -> None:
    w = _world(engine)
    overdue = queues.queue_page(engine, "overdue", today=TODAY)
    assert _ids(overdue) == [w["overdue_2"], w["overdue_1"]]  # most overdue first
    assert [r.days_overdue for r in overdue.rows] == [2, 1] and all(r.overdue for r in overdue.rows)
    assert overdue.next is None
    soon = queues.queue_page(engine, "due_soon", today=TODAY)
    assert _ids(soon) == [w["due_today"], w["due_horizon"]]
    assert not any(r.overdue for r in soon.rows)
    awaiting = queues.queue_page(engine, "awaiting", today=TODAY)
    assert _ids(awaiting) == [w["overdue_2"], w["overdue_1"], w["due_today"], w["due_horizon"],
                              w["after_horizon"], w["no_due"]]  # undated last
    # The day after: the transfer due today becomes overdue by one day.
    tomorrow = queues.queue_page(engine, "overdue", today=TODAY + timedelta(days=1))
    assert _ids(tomorrow)[-1] == w["due_today"] and tomorrow.rows[-1].days_overdue == 1


def test_counts_in_one_scan(engine: Engine) -> None:
    w = _world(engine)
    counts = queues.queue_counts(engine, TODAY)
    assert (counts.overdue, counts.due_soon, counts.awaiting) == (2, 2, 6)
    assert counts.horizon == HORIZON and counts.count("overdue") == 2
    by = {a.agency_id: a for a in counts.by_agency}
    assert (by[w["ward"]].overdue, by[w["ward"]].due_soon, by[w["ward"]].awaiting) == (1, 1, 3)
    assert (by[w["police"]].overdue, by[w["police"]].due_soon, by[w["police"]].awaiting) == (1, 1, 3)
    assert [a.name for a in counts.top_overdue(1)] == ["Công an tỉnh Đắk Lắk"]  # tie: by name


def test_rows_mask_denouncers_and_carry_the_petition(engine: Engine) -> None:
    w = _world(engine)
    rows = {r.transfer_id: r for r in queues.queue_page(engine, "overdue", today=TODAY).rows}
    secret, open_ = rows[w["overdue_1"]], rows[w["overdue_2"]]
    assert secret.signers == CONFIDENTIAL_SIGNER and secret.confidential and secret.kind_label == "Tố cáo"
    assert open_.signers == "Lê Văn Cường" and open_.case_id == w["case"]
    assert open_.summary == "Kiến nghị sửa đường liên thôn" and open_.received_on == date(2025, 1, 2)
    assert open_.agency_name == "UBND phường Tân Lợi" and open_.sent_on == date(2025, 1, 6)


def test_agency_filter(engine: Engine) -> None:
    w = _world(engine)
    ward = queues.queue_page(engine, "awaiting", agency_id=w["ward"], today=TODAY)
    assert _ids(ward) == [w["overdue_2"], w["due_horizon"], w["after_horizon"]]
    police = queues.queue_page(engine, "overdue", agency_id=w["police"], today=TODAY)
    assert _ids(police) == [w["overdue_1"]]


def test_unknown_queue(engine: Engine) -> None:
    with pytest.raises(ValueError, match="hàng đợi"):
        queues.queue_page(engine, "late", today=TODAY)  # type: ignore[arg-type]


def test_keyset_pages_cover_each_row_once(engine: Engine) -> None:
    reference.seed(engine)
    with engine.begin() as conn:
        agency = add_agency(conn)
        petition = add_petition(conn, date(2024, 1, 2))
        expected = []
        for n in range(23):  # three transfers a day due: many ties on due_on
            due = None if n >= 20 else date(2024, 2, 1) + timedelta(days=n // 3)
            expected.append(add_transfer(conn, petition, agency, date(2024, 1, 3), due_on=due))
        add_transfer(conn, petition, agency, date(2024, 1, 3), due_on=date(2024, 2, 1),
                     answered_on=date(2024, 1, 20))
    seen, cursor = [], None
    for _ in range(10):
        page = queues.queue_page(engine, "awaiting", cursor, 4, today=date(2024, 3, 1))
        seen += page.rows
        cursor = page.next
        if cursor is None:
            break
    assert cursor is None
    assert sorted(r.transfer_id for r in seen) == sorted(expected) and len(seen) == 23
    dated = [(r.due_on, r.transfer_id) for r in seen if r.due_on is not None]
    assert dated == sorted(dated) and all(r.due_on is None for r in seen[20:])


def test_agency_filter_pages_for_an_agency_holding_most_transfers(engine: Engine) -> None:
    """On SQLite such an agency is read along the due-date index (queues._agency_condition)."""
    reference.seed(engine)
    with engine.begin() as conn:
        big, small = add_agency(conn, "Sở Tài nguyên và Môi trường"), add_agency(conn, "UBND xã Ea Tu")
        petition = add_petition(conn, date(2024, 1, 2))
        expected = [add_transfer(conn, petition, big, date(2024, 1, 3), due_on=date(2024, 2, 1) + timedelta(days=n % 7))
                    for n in range(30)]
        add_transfer(conn, petition, small, date(2024, 1, 3), due_on=date(2024, 2, 2))
    for agency, wanted in ((big, expected), (small, None)):
        seen, cursor = [], None
        while True:
            page = queues.queue_page(engine, "overdue", cursor, 2, agency_id=agency, today=date(2024, 3, 1))
            seen += page.rows
            cursor = page.next
            if cursor is None:
                break
        assert {r.agency_id for r in seen} == {agency}
        if wanted is not None:
            assert sorted(r.transfer_id for r in seen) == sorted(wanted)
        else:
            assert len(seen) == 1
