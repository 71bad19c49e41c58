"""The register's text filter ignores case and diacritics (đ → d) like every search of the program,
never finds a denouncer, and migration 0008 gives the letters issued before it their search key."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, column, create_engine, insert, select, table

from reception_desk.services import letters
from reception_desk.storage import migrate
from reception_desk.storage.models import IssuedDocument, utcnow
from tests.builders import migrate_to
from tests.test_letters_service import NAME, transfer, world


@pytest.mark.pg
def test_the_register_finds_letters_without_diacritics(engine: Engine) -> None:
    w = world(engine, "denunciation")
    [t1, t2] = transfer(engine, w, [w.agency, w.other_agency])
    first = letters.issue_forwarding(engine, t1.id)
    second = letters.issue_forwarding(engine, t2.id)
    notice = letters.issue_notice(engine, [t1.id, t2.id])

    def found(text: str) -> list[str]:
        return sorted(r.symbol for r in letters.list_letters(engine, search=text))

    assert found("CONG AN") == [second.symbol]  # "Công an tỉnh Hà Tĩnh"
    assert found("xã thach ha") == [first.symbol]
    every = sorted([first.symbol, second.symbol, notice.symbol])
    assert found("ĐƠN TỐ CÁO") == every and found("don to cao") == every  # subjects: "… chuyển đơn tố cáo"
    assert found("khiếu nại") == []
    assert found("01/pc") == [first.symbol]
    assert found("100%") == [] and found("_") == []  # LIKE wildcards are plain characters
    # the notice is addressed to the denouncer, whose name the register never holds
    assert found(NAME) == [] and found("nguyen thi hoa") == []


def test_migration_0008_fills_the_key_of_earlier_letters(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    migrate_to(engine, "0007")
    # the table as revision 0007 made it: no search_key yet
    old = table("issued_document", *(column(c.name, c.type) for c in IssuedDocument.__table__.c
                                     if c.name != "search_key"))
    doc_id = uuid.uuid4()
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(insert(old), [{
            "id": doc_id, "created_at": now, "updated_at": now, "version": 1, "kind": "forwarding",
            "series": "PC", "year": 2026, "number": 7, "symbol": "07/PC-BTCD", "issued_on": date(2026, 1, 5),
            "status": "issued", "recipient": "Sở Tài nguyên và Môi trường", "subject": "Phiếu chuyển đơn",
            "content": "{}"}])
    migrate.upgrade(engine)
    docs = IssuedDocument.__table__
    with engine.connect() as conn:
        key = conn.execute(select(docs.c.search_key).where(docs.c.id == doc_id)).scalar_one()
    assert key == "07/pc-btcd so tai nguyen va moi truong phieu chuyen don"
    engine.dispose()
