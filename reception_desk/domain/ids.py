"""Personal identity numbers (domain notes §9).

- 12 digits: số định danh cá nhân (CCCD / thẻ căn cước, also the late 12-digit CMND): digits 1–3 the
  province where the birth was registered, digit 4 century and sex, digits 5–6 the birth year.
  A wrong structure gets a clear message; callers show it as a warning, not a block.
- 9 digits: the old CMND, accepted with a warning (valid only until 31/12/2024).
- Passports (one letter + 7 digits) and anything else are kept as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from reception_desk.domain.enums import IdType

# The 63 pre-2025 provinces: codes stay valid inside ID numbers after the 2025 mergers.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

MAX_AGE = 120
_SEPARATORS = re.compile(r"[\s.\-]")
_PASSPORT = re.compile(r"^[A-Z]\d{7,8}$")


@dataclass(frozen=True)
class IdCheck:
    number: str  # as it should be stored
    id_type: IdType
    errors: list[str] = field(default_factory=list)  # the number cannot be right as typed
    warnings: list[str] = field(default_factory=list)  # acceptable, but worth a look
    province: str | None = None
    sex: str | None = None  # "nam" / "nữ"
    birth_year: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self) -> list[str]:
        return [*self.errors, *self.warnings]


def check_id_number(text: str, *, today: date | None = None, sex: str | None = None,
                    birth_year: int | None = None) -> IdCheck:
    """Check an ID number as typed; optional sex ("nam"/"nữ") and birth year are cross-checked."""
    today = today or date.today()
    raw = (text or "").strip()
    compact = _SEPARATORS.sub("", raw).upper()
    if not compact:
        return IdCheck(number="", id_type=IdType.OTHER, errors=["Chưa nhập số giấy tờ."])
    if compact.isdigit():
        if len(compact) == 12:
            return _check_12(compact, today, sex, birth_year)
        if len(compact) == 9:
            return IdCheck(
                number=compact, id_type=IdType.CMND,
                warnings=["Số CMND 9 số (mẫu cũ, chỉ còn giá trị đến 31/12/2024): đề nghị công dân cung cấp số "
                          "định danh cá nhân 12 số nếu có."],
            )
        return IdCheck(
            number=compact, id_type=IdType.OTHER,
            errors=[f"Số định danh cá nhân phải có 12 chữ số (CMND cũ: 9 chữ số); số đã nhập có {len(compact)} chữ số."],
        )
    if _PASSPORT.match(compact):
        return IdCheck(number=compact, id_type=IdType.PASSPORT)
    return IdCheck(number=raw, id_type=IdType.OTHER)


def _check_12(number: str, today: date, sex: str | None, birth_year: int | None) -> IdCheck:
    errors: list[str] = []
    warnings: list[str] = []
    code = number[:3]
    province = PROVINCE_CODES.get(code)
    if province is None:
        if int(code) > 96:
            warnings.append(f"Mã nơi đăng ký khai sinh {code} không phải mã tỉnh (có thể là mã quốc gia khi "
                            "khai sinh ở nước ngoài): kiểm tra lại.")
        else:
            errors.append(f"Ba số đầu {code} không phải mã tỉnh, thành phố nơi đăng ký khai sinh.")
    century_digit = int(number[3])
    century = 1900 + 100 * (century_digit // 2)
    derived_sex = "nam" if century_digit % 2 == 0 else "nữ"
    year = century + int(number[4:6])
    if year > today.year:
        errors.append(f"Số thứ 4–6 cho năm sinh {year}, sau năm hiện tại: số không đúng.")
    elif today.year - year > MAX_AGE:
        errors.append(f"Số thứ 4–6 cho năm sinh {year}: không hợp lý (trên {MAX_AGE} tuổi).")
    if sex and sex.strip().lower() in ("nam", "nữ", "nu") and _sex(sex) != derived_sex:
        warnings.append(f"Số thứ 4 cho giới tính {derived_sex}, khác giới tính đã nhập.")
    if birth_year and birth_year != year:
        warnings.append(f"Năm sinh theo số định danh là {year}, khác năm sinh đã nhập ({birth_year}).")
    return IdCheck(number=number, id_type=IdType.CCCD, errors=errors, warnings=warnings, province=province,
                   sex=derived_sex, birth_year=year)


def _sex(value: str) -> str:
    return "nam" if value.strip().lower() == "nam" else "nữ"
