"""services.letters.sample_letter: a template tried out on made-up facts, saving and numbering nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from reception_desk.domain.letters import LetterKind
from reception_desk.services import letters
from reception_desk.services.errors import ValidationError
from reception_desk.services.letter_templates import TEMPLATE_KINDS, TEMPLATE_NAMES, shipped_template_text
from reception_desk.services.settings import OfficeSettings, save_office_settings
from reception_desk.storage.models import DocumentNumber, IssuedDocument, Setting
from reception_desk.storage.numbering import next_number


def office(engine: Engine) -> None:
    save_office_settings(engine, OfficeSettings(
        office_name="Ban Tiếp công dân tỉnh Hà Tĩnh", superior_body="Ủy ban nhân dân tỉnh Hà Tĩnh",
        office_symbol="BTCD", place_name="Hà Tĩnh", signer_name="Trần Văn Bình", signer_title="Phó Trưởng ban",
        signer_on_behalf="KT. Trưởng ban"), actor="test")


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()  # type: ignore[return-value]
                     for t in (IssuedDocument.__table__, DocumentNumber.__table__, Setting.__table__))


@pytest.mark.pg
def test_every_shipped_template_tries_out_without_taking_a_number(engine: Engine) -> None:
    office(engine)
    before = counts(engine)
    for name in TEMPLATE_NAMES:
        content = letters.sample_letter(engine, name, shipped_template_text(name), issued_on=date(2026, 1, 5))
        assert content.kind is TEMPLATE_KINDS[name]
        assert content.place_date == "Hà Tĩnh, ngày 05 tháng 01 năm 2026"
        assert content.number_line.startswith("Số: 01/") and content.number_line.endswith("BTCD")
        assert content.paragraphs and content.signer.name == "Trần Văn Bình"
        assert "${" not in content.all_text()
    assert counts(engine) == before


def test_the_sample_shows_the_edit_and_the_next_number(engine: Engine) -> None:
    office(engine)
    with engine.begin() as conn:
        for _ in range(6):
            next_number(conn, "PC", 2026)
    text = shipped_template_text("forwarding").replace("để xem xét", "để khẩn trương xem xét")
    content = letters.sample_letter(engine, "forwarding", text, issued_on=date(2026, 3, 2))
    assert content.kind is LetterKind.FORWARDING
    assert content.number_line == "Số: 07/PC-BTCD"
    assert "khẩn trương xem xét" in content.all_text()
    assert "Nguyễn Văn Mẫu" in content.all_text()


def test_a_denunciation_sample_has_no_petitioner_and_is_marked(engine: Engine) -> None:
    office(engine)
    content = letters.sample_letter(engine, "forwarding_denunciation",
                                    shipped_template_text("forwarding_denunciation"))
    assert "Nguyễn Văn Mẫu" not in content.all_text()
    assert content.security_mark


def test_bad_text_and_missing_letterhead_are_refused_in_vietnamese(engine: Engine) -> None:
    with pytest.raises(ValidationError, match="Cài đặt"):
        letters.sample_letter(engine, "forwarding", shipped_template_text("forwarding"))
    office(engine)
    bad = shipped_template_text("forwarding_denunciation").replace("${co_quan_nhan}", "${nguoi_gui}", 1)
    with pytest.raises(ValidationError) as caught:
        letters.sample_letter(engine, "forwarding_denunciation", bad)
    assert "nguoi_gui" in str(caught.value) + " ".join(caught.value.errors)
