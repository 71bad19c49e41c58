"""Realistic LetterContent values for the PDF and DOCX writers' tests and the letters bench.

Worded as a provincial citizen-reception board writes them (domain notes §7.5); the number, date,
"Kính gửi" and "Nơi nhận" lines are built with the domain helpers, as the letters service does.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date

from reception_desk.domain.letters import (
    CONFIDENTIAL_DENOUNCER,
    LetterContent,
    Letterhead,
    LetterKind,
    SignerBlock,
    place_date_line,
    recipient_lines,
    salutation_lines,
    symbol_text,
)

LETTERHEAD = Letterhead(superior_body="ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH",
                        office_name="BAN TIẾP CÔNG DÂN TỈNH", place_name="Hà Tĩnh")
SIGNER = SignerBlock(authority="KT. TRƯỞNG BAN", position="PHÓ TRƯỞNG BAN", name="Trần Văn Bình")
DAY = date(2026, 1, 5)

PETITIONER = "Nguyễn Thị Hương"
# A denouncer the forwarding letter must never name (the service masks; the writer adds nothing).
DENOUNCER = ("Lê Văn Quyết", "Xóm Trung Tiến, xã Thạch Lạc", "0912345678", "042087001234")


def forwarding(number: int = 7) -> LetterContent:
    """Phiếu chuyển đơn khiếu nại to a commune chairman (the §7.5 skeleton)."""
    return LetterContent(
        kind=LetterKind.FORWARDING,
        letterhead=LETTERHEAD,
        number_line="Số: " + symbol_text("{number}/{series}-{office}", number, "PC", "BTCD"),
        place_date=place_date_line(LETTERHEAD.place_name, DAY),
        title="PHIẾU CHUYỂN ĐƠN",
        subject=None,
        salutation=salutation_lines(["Chủ tịch Ủy ban nhân dân xã Thạch Hà"]),
        paragraphs=(
            f"Ban Tiếp công dân tỉnh Hà Tĩnh nhận được đơn đề ngày 20 tháng 12 năm 2025 của bà {PETITIONER}, "
            "địa chỉ: thôn Bắc Sơn, xã Thạch Hà, tỉnh Hà Tĩnh.",
            "Nội dung đơn: khiếu nại Quyết định số 125/QĐ-UBND ngày 10 tháng 11 năm 2025 của Ủy ban nhân "
            "dân xã Thạch Hà về việc thu hồi 350 m² đất nông nghiệp của gia đình bà để làm đường giao thông "
            "nông thôn mà chưa thực hiện bồi thường, hỗ trợ theo quy định.",
            "Căn cứ Luật Tiếp công dân năm 2013, Luật Khiếu nại năm 2011 và Thông tư số 05/2021/TT-TTCP "
            "ngày 01 tháng 10 năm 2021 của Thanh tra Chính phủ, Ban Tiếp công dân tỉnh chuyển đơn đến Chủ "
            "tịch Ủy ban nhân dân xã Thạch Hà để xem xét, giải quyết theo thẩm quyền và thông báo kết quả "
            f"cho bà {PETITIONER} và Ban Tiếp công dân tỉnh biết./.",
            "Gửi kèm: đơn và 03 tờ tài liệu.",
        ),
        recipients=recipient_lines(["Như trên", f"Bà {PETITIONER} (để biết)"], "VT, TCD"),
        signer=SIGNER,
        document_id="a1b2c3d4-0000-4000-8000-000000000007",
    )


def denunciation_forwarding(number: int = 8) -> LetterContent:
    """Phiếu chuyển đơn tố cáo: secrecy mark, the denouncer's identity withheld (§5, §7.5 a)."""
    return LetterContent(
        kind=LetterKind.FORWARDING,
        letterhead=LETTERHEAD,
        number_line="Số: " + symbol_text("{number}/{series}-{office}", number, "PC", "BTCD"),
        place_date=place_date_line(LETTERHEAD.place_name, date(2026, 2, 9)),
        title="PHIẾU CHUYỂN ĐƠN TỐ CÁO",
        subject="Về việc chuyển đơn tố cáo đến cơ quan có thẩm quyền giải quyết",
        salutation=salutation_lines(["Chủ tịch Ủy ban nhân dân huyện Thạch Hà"]),
        paragraphs=(
            "Ban Tiếp công dân tỉnh Hà Tĩnh nhận được đơn tố cáo đề ngày 02 tháng 02 năm 2026 của "
            f"{CONFIDENTIAL_DENOUNCER.lower()}.",
            "Nội dung đơn: tố cáo cán bộ địa chính xã Thạch Lạc có hành vi nhận tiền để hợp thức hóa hồ sơ "
            "cấp giấy chứng nhận quyền sử dụng đất sai quy định.",
            "Căn cứ Luật Tố cáo năm 2018 và Thông tư số 05/2021/TT-TTCP ngày 01 tháng 10 năm 2021 của Thanh "
            "tra Chính phủ, Ban Tiếp công dân tỉnh chuyển đơn đến Chủ tịch Ủy ban nhân dân huyện Thạch Hà để "
            "xem xét, giải quyết theo thẩm quyền. Họ tên, địa chỉ, bút tích và các thông tin cá nhân khác của "
            "người tố cáo được giữ bí mật theo quy định tại Điều 8 và Điều 47 Luật Tố cáo./.",
        ),
        recipients=recipient_lines(["Như trên"], "VT, TCD"),
        signer=SIGNER,
        security_mark="MẬT",
    )


def official_letter(number: int = 15) -> LetterContent:
    """Công văn đôn đốc: no title, "V/v …" under the number, one recipient."""
    return LetterContent(
        kind=LetterKind.CHASE,
        letterhead=LETTERHEAD,
        number_line="Số: " + symbol_text("{number}/{office}", number, "", "BTCD"),
        place_date=place_date_line(LETTERHEAD.place_name, date(2026, 3, 16)),
        title=None,
        subject="V/v đôn đốc giải quyết đơn khiếu nại của bà Nguyễn Thị Hương",
        salutation=salutation_lines(["Ủy ban nhân dân xã Thạch Hà"]),
        paragraphs=(
            "Ngày 05 tháng 01 năm 2026, Ban Tiếp công dân tỉnh đã có Phiếu chuyển đơn số 07/PC-BTCD chuyển "
            f"đơn khiếu nại của bà {PETITIONER} đến Chủ tịch Ủy ban nhân dân xã Thạch Hà để xem xét, giải "
            "quyết theo thẩm quyền.",
            "Đến nay đã quá thời hạn giải quyết theo quy định nhưng Ban Tiếp công dân tỉnh chưa nhận được "
            "thông báo kết quả. Ban Tiếp công dân tỉnh đề nghị Ủy ban nhân dân xã Thạch Hà khẩn trương giải "
            "quyết và báo cáo kết quả trước ngày 31 tháng 3 năm 2026./.",
        ),
        recipients=recipient_lines(["Như trên", "Trưởng ban (để báo cáo)"], "VT, TCD"),
        signer=SignerBlock(authority="", position="TRƯỞNG BAN", name="Nguyễn Đức Thành"),
    )


def multi_recipient(number: int = 21) -> LetterContent:
    """A công văn to several agencies: "Kính gửi:" then one agency per line."""
    base = official_letter(number)
    return dataclasses.replace(
        base,
        subject="V/v phối hợp giải quyết đơn đề nghị của công dân",
        salutation=salutation_lines(["Sở Nông nghiệp và Môi trường", "Sở Xây dựng",
                                     "Ủy ban nhân dân xã Thạch Hà"]),
        recipients=recipient_lines(["Như trên", "Thanh tra tỉnh (để biết)"], "VT, TCD"),
    )


def long_letter(number: int = 30) -> LetterContent:
    """A forwarding letter whose body runs onto a second page (page numbers, page breaks)."""
    base = forwarding(number)
    extra = tuple(
        f"Nội dung thứ {i}: công dân trình bày việc cấp giấy chứng nhận quyền sử dụng đất cho thửa đất số "
        f"{100 + i}, tờ bản đồ số 12 tại thôn Bắc Sơn, xã Thạch Hà, đã được Ủy ban nhân dân xã tiếp nhận hồ "
        "sơ từ năm 2019 nhưng đến nay chưa được giải quyết; công dân đề nghị cơ quan có thẩm quyền xem xét, "
        "trả lời bằng văn bản và công khai kết quả giải quyết theo quy định của pháp luật về đất đai."
        for i in range(1, 10)
    )
    return dataclasses.replace(base, paragraphs=base.paragraphs[:2] + extra + base.paragraphs[2:])


def void_letter(number: int = 9) -> LetterContent:
    """A cancelled forwarding letter: printed marked "ĐÃ HỦY", its number kept."""
    return dataclasses.replace(forwarding(number), void=True)


def all_samples() -> dict[str, LetterContent]:
    return {"forwarding": forwarding(), "denunciation": denunciation_forwarding(),
            "official": official_letter(), "multi_recipient": multi_recipient(), "long": long_letter(),
            "void": void_letter()}


def as_nfd(content: LetterContent) -> LetterContent:
    """The same letter with every string decomposed (as a macOS or VNI keyboard may type it)."""

    def nfd(value: object) -> object:
        if isinstance(value, str):
            return unicodedata.normalize("NFD", value)
        if isinstance(value, tuple):
            return tuple(nfd(v) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.replace(value, **{f.name: nfd(getattr(value, f.name))
                                                 for f in dataclasses.fields(value)})
        return value

    return nfd(content)  # type: ignore[return-value]
