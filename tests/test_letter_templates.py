"""services.letter_templates: shipped templates, rendering rules, office overrides and their checks."""

from __future__ import annotations

import re
import unicodedata

import pytest
from sqlalchemy import Engine, select

from reception_desk.domain.letters import LetterKind
from reception_desk.services import letter_templates as lt
from reception_desk.services.errors import NotFoundError, ValidationError
from reception_desk.storage.models import AuditEvent, Setting

REALISTIC = {
    "ten_co_quan": "Ban Tiếp công dân tỉnh Hà Tĩnh", "ten_co_quan_in_hoa": "BAN TIẾP CÔNG DÂN TỈNH HÀ TĨNH",
    "co_quan_chu_quan": "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH", "ky_hieu_co_quan": "BTCD", "dia_danh": "Hà Tĩnh",
    "dia_chi_co_quan": "Số 1 Phan Đình Phùng", "dien_thoai_co_quan": "0239 3855 555", "so_ky_hieu": "07/PC-BTCD",
    "ngay_van_ban": "05/01/2026", "ngay_don": "20/12/2025", "ngay_nhan_don": "22/12/2025", "loai_don": "khiếu nại",
    "tom_tat": "Khiếu nại quyết định thu hồi đất", "can_cu_luat": "Luật Khiếu nại năm 2011",
    "nguoi_gui": "ông Lê Văn Tám", "dia_chi_nguoi_gui": "Tổ 5, phường Bắc Hà",
    "thong_tin_nguoi_gui": "ông Lê Văn Tám, địa chỉ: Tổ 5, phường Bắc Hà",
    "co_quan_nhan": "Chủ tịch Ủy ban nhân dân xã Thạch Hà", "ngay_chuyen": "05/01/2026",
    "so_phieu_chuyen": "07/PC-BTCD", "phieu_chuyen": "Phiếu chuyển đơn số 07/PC-BTCD ngày 05/01/2026",
    "han_tra_loi": "19/01/2026", "so_ngay_qua_han": "12", "thoi_han_tra_loi": "ngày 19/01/2026 (đã quá hạn 12 ngày)",
    "gui_kem": "đơn và tài liệu kèm theo", "co_quan_co_tham_quyen": "Tòa án nhân dân tỉnh Hà Tĩnh",
    "noi_dung_huong_dan": "", "nguoi_nhan": "ông Lê Văn Tám", "ly_do": "Không thuộc thẩm quyền",
    "danh_sach_giay_to": ["1. Đơn khiếu nại;", "2. Bản sao quyết định."], "so_luong_giay_to": "02",
}


@pytest.mark.parametrize("name", lt.TEMPLATE_NAMES)
def test_every_shipped_template_renders_with_realistic_data(name: str) -> None:
    template = lt.parse_template(name, lt.shipped_template_text(name))
    assert template.kind is lt.TEMPLATE_KINDS[name] and not template.overridden
    values = {k: v for k, v in REALISTIC.items() if k in lt.placeholders(name)}
    text = lt.render(template, values)
    everything = "\n".join([text.title or "", text.subject or "", *text.salutation, *text.paragraphs,
                            *text.recipients, text.archive])
    assert "$" not in everything and "  " not in everything
    assert text.paragraphs and all(p[:1].isupper() or p[:1].isdigit() for p in text.paragraphs)
    assert any(p.endswith("./.") for p in text.paragraphs)  # NĐ 30: the body ends with "./."
    assert unicodedata.is_normalized("NFC", everything)
    if template.title is None:  # công văn: "V/v …" and the number without a type
        assert text.subject and text.subject.startswith("V/v") and template.symbol_pattern == "{number}/{office}"
    if name in ("return", "receipt"):
        assert "1. Đơn khiếu nại;" in text.paragraphs and "2. Bản sao quyết định." in text.paragraphs


def test_denunciation_templates() -> None:
    forwarding = lt.parse_template("forwarding_denunciation", lt.shipped_template_text("forwarding_denunciation"))
    assert forwarding.title == "PHIẾU CHUYỂN ĐƠN TỐ CÁO" and forwarding.security_mark == "MẬT"
    assert forwarding.recipients == ("Như trên",)
    assert not {"nguoi_gui", "dia_chi_nguoi_gui", "thong_tin_nguoi_gui"} & set(lt.placeholders("forwarding_denunciation"))
    assert "giữ bí mật" in " ".join(forwarding.paragraphs)
    chase = lt.parse_template("chase", lt.shipped_template_text("chase"))
    assert lt.render(chase, REALISTIC).security_mark is None
    assert lt.render(chase, REALISTIC, confidential=True).security_mark == "MẬT"


def test_render_rules() -> None:
    template = lt.parse_template("guidance", lt.shipped_template_text("guidance"))
    with_extra = lt.render(template, {**REALISTIC, "noi_dung_huong_dan": "mang theo giấy tờ tùy thân."})
    without = lt.render(template, REALISTIC)
    assert "Mang theo giấy tờ tùy thân." in with_extra.paragraphs  # capitalised
    assert len(without.paragraphs) == len(with_extra.paragraphs) - 1  # an all-empty line is left out
    assert without.salutation == ("Ông Lê Văn Tám, địa chỉ: Tổ 5, phường Bắc Hà",)


def test_unknown_template_name() -> None:
    with pytest.raises(NotFoundError, match="Không có mẫu"):
        lt.shipped_template_text("invitation")


# --- validation --------------------------------------------------------------------------------------

GOOD = lt.shipped_template_text("forwarding")


@pytest.mark.parametrize(("name", "text", "message"), [
    ("forwarding", GOOD.replace('title = "PHIẾU CHUYỂN ĐƠN"', 'title = "PHIẾU CHUYỂN ĐƠN'), "sai cú pháp TOML ở dòng 7"),
    ("forwarding", GOOD.replace('archive = "VT"\n', ""), "thiếu khóa “archive”"),
    ("forwarding", GOOD.replace("${tom_tat}", "${tom_tat_don}"), r"dòng 12: trường \$\{tom_tat_don\} không có"),
    ("forwarding", GOOD.replace("Nội dung đơn: ${tom_tat}", "Phí: 5$ ${tom_tat}"), "dấu \\$ dùng không đúng"),
    ("forwarding_denunciation", lt.shipped_template_text("forwarding_denunciation").replace(
        'recipients = ["Như trên"]', 'recipients = ["Như trên", "${nguoi_gui}"]'), "thông tin người tố cáo"),
    ("forwarding", GOOD.replace('series = "PC"', 'series = "pc-1"'), "ký hiệu loại văn bản “pc-1”"),
    ("forwarding", GOOD.replace("{number}/{series}-{office}", "{so}/{series}"), r"\{so\}"),
    ("forwarding", GOOD.replace("{number}/{series}-{office}", "{series}-{office}"), r"phải có \{number\}"),
    ("forwarding", GOOD.replace('recipients = ["Như trên", "${nguoi_gui} (để biết)"]', 'recipients = "Như trên"'),
     "danh sách các chuỗi"),
    ("forwarding", GOOD + 'footer = "x"\n', "khóa “footer” không dùng"),
    ("forwarding", GOOD.replace("paragraphs = [", "paragraphs = [] \nold_paragraphs = ["), "khóa “old_paragraphs”"),
])
def test_bad_templates_are_refused_with_the_problem_named(name: str, text: str, message: str) -> None:
    with pytest.raises(ValidationError) as failure:
        lt.parse_template(name, text)
    assert re.search(message, str(failure.value) + " " + " ".join(failure.value.errors)), (
        str(failure.value), failure.value.errors)


def test_nfd_text_is_saved_nfc(sqlite_engine: Engine) -> None:
    saved = lt.save_template_override(sqlite_engine, "notice", unicodedata.normalize("NFD", lt.shipped_template_text("notice")))
    assert unicodedata.is_normalized("NFC", saved.text)
    assert lt.load_template(sqlite_engine, "notice").title == "THÔNG BÁO"


# --- overrides --------------------------------------------------------------------------------------


def test_override_wins_is_shared_and_resets(engine: Engine) -> None:
    text = GOOD.replace('series = "PC"', 'series = "PCD"').replace("Gửi kèm:", "Kèm theo:")
    saved = lt.save_template_override(engine, "forwarding", text, actor="admin")
    assert saved.overridden and saved.series == "PCD"
    loaded = lt.load_template(engine, "forwarding")
    assert loaded.series == "PCD" and any(p.startswith("Kèm theo:") for p in loaded.paragraphs)
    assert lt.template_text(engine, "forwarding") == saved.text
    with engine.connect() as conn:  # stored in the database, so every desk prints the same wording
        assert conn.execute(select(Setting.__table__.c.value).where(
            Setting.__table__.c.key == "template.forwarding")).scalar() == saved.text
        assert conn.execute(select(AuditEvent.__table__.c.actor).where(
            AuditEvent.__table__.c.action == "settings.template")).scalar() == "admin"
    infos = {i.name: i for i in lt.list_templates(engine)}
    assert list(infos) == list(lt.TEMPLATE_NAMES)
    assert infos["forwarding"].overridden and infos["forwarding"].series == "PCD" and infos["forwarding"].updated_at
    assert not infos["notice"].overridden and infos["notice"].series == "TB"
    assert infos["chase"].kind is LetterKind.CHASE
    with pytest.raises(ValidationError):
        lt.save_template_override(engine, "forwarding", "series = ")
    assert lt.load_template(engine, "forwarding").series == "PCD"  # a refused text changes nothing
    shipped = lt.reset_template(engine, "forwarding")
    assert shipped.series == "PC" and not lt.load_template(engine, "forwarding").overridden


def test_office_in_text(engine: Engine) -> None:
    assert lt.saved_office_in_text(engine) is None
    assert lt.save_office_in_text(engine, "  Ban Tiếp  công dân tỉnh Hà Tĩnh ") == "Ban Tiếp công dân tỉnh Hà Tĩnh"
    assert lt.saved_office_in_text(engine) == "Ban Tiếp công dân tỉnh Hà Tĩnh"
    with pytest.raises(ValidationError, match="quá dài"):
        lt.save_office_in_text(engine, "x" * 300)
    assert lt.save_office_in_text(engine, "") is None and lt.saved_office_in_text(engine) is None


def test_placeholder_help_covers_every_placeholder() -> None:
    for name in lt.TEMPLATE_NAMES:
        help_texts = lt.placeholders(name)
        assert help_texts and all(help_texts.values())
