"""Vietnamese names as reference lists: people, places, agencies.

Used by the synthetic office generator (services.generator) so demo and benchmark data look like a
real provincial reception office in Đắk Lắk. Weights are relative frequencies, not percentages.
"""

from __future__ import annotations

# --- Identity numbers (province codes themselves: domain.ids.PROVINCE_CODES) ------------------

# Where the citizens received by an office in Đắk Lắk were born: mostly locally, the rest from the
# provinces that sent settlers to the Central Highlands (code → weight).
BIRTH_PROVINCE_WEIGHTS: dict[str, float] = {
    "066": 66, "067": 4, "054": 2.5, "064": 1.5, "062": 0.6, "068": 1, "056": 1.2, "052": 2.5,
    "051": 2.2, "049": 2.5, "048": 0.6, "046": 0.8, "045": 0.6, "044": 0.8, "042": 1.8, "040": 2.6,
    "038": 1.6, "036": 1.4, "034": 1.6, "033": 0.6, "030": 0.6, "001": 0.9, "079": 0.9, "020": 0.3,
    "004": 0.3, "002": 0.2, "024": 0.3, "075": 0.3, "070": 0.3,
}

# Mobile prefixes of the three big networks (10-digit numbers since 2018).
PHONE_PREFIXES: tuple[str, ...] = (
    "090", "093", "089",  # MobiFone
    "091", "094", "088", "081", "082", "083", "084", "085",  # VinaPhone
    "096", "097", "098", "086", "032", "033", "034", "035", "036", "037", "038", "039",  # Viettel
)

# --- People (Kinh majority) -------------------------------------------------------------------

# Họ with their approximate national frequencies (percent).
SURNAME_WEIGHTS: dict[str, float] = {
    "Nguyễn": 38, "Trần": 11, "Lê": 9.5, "Phạm": 7.1, "Hoàng": 3.0, "Huỳnh": 2.1, "Phan": 4.5,
    "Vũ": 2.0, "Võ": 1.9, "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3, "Ngô": 1.3, "Dương": 1.0,
    "Lý": 0.5, "Đinh": 0.6, "Trương": 0.6, "Lâm": 0.3, "Mai": 0.4, "Trịnh": 0.4, "Đoàn": 0.5,
    "Lương": 0.3, "Cao": 0.3, "Lưu": 0.2, "Tạ": 0.2, "Hà": 0.4, "Tô": 0.2, "Châu": 0.2, "Thái": 0.2,
    "Quách": 0.1, "Kiều": 0.1, "La": 0.1, "Chu": 0.2, "Lại": 0.1, "Văn": 0.1, "Thân": 0.1,
}

MALE_MIDDLE_WEIGHTS: dict[str, float] = {
    "Văn": 40, "Hữu": 6, "Đức": 6, "Minh": 7, "Quang": 5, "Công": 4, "Đình": 5, "Xuân": 3,
    "Thành": 3, "Ngọc": 3, "Anh": 2, "Trọng": 2, "Quốc": 3, "Thanh": 3, "Tuấn": 1, "Hoàng": 2,
    "Bá": 1.5, "Duy": 1.5, "Gia": 1, "Trung": 1, "Viết": 1, "Khắc": 1, "Tiến": 1, "Phú": 0.5,
}
FEMALE_MIDDLE_WEIGHTS: dict[str, float] = {
    "Thị": 50, "Ngọc": 6, "Thu": 5, "Thanh": 5, "Minh": 2, "Hồng": 3, "Kim": 3, "Thùy": 3,
    "Phương": 2, "Bảo": 1, "Mai": 1.5, "Diệu": 1, "Quỳnh": 1, "Hải": 1, "Khánh": 1, "Tuyết": 1,
    "Mỹ": 2, "Xuân": 1.5, "Bích": 1.5,
}
# A second tên đệm after "Thị" ("Nguyễn Thị Thu Hương").
FEMALE_SECOND_MIDDLE: tuple[str, ...] = (
    "Thu", "Kim", "Ngọc", "Mỹ", "Thanh", "Hồng", "Bích", "Thúy", "Minh", "Hoài", "Lệ", "Diễm",
)
MALE_GIVEN: tuple[str, ...] = (
    "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Sơn", "Nam", "Long", "Thắng", "Cường", "Hiếu", "Trung",
    "Phong", "Quang", "Bình", "Đức", "Tài", "Thành", "Tâm", "Toàn", "Huy", "Khoa", "Lâm", "Phúc",
    "Vinh", "Hưng", "Thịnh", "Tùng", "Trí", "Việt", "Hoàng", "Kiên", "Lợi", "Nghĩa", "Quý", "Tú",
    "Đạt", "Hiển", "Khang", "An", "Bảo", "Châu", "Công", "Định", "Hòa", "Khải", "Lực", "Mạnh",
    "Nhân", "Sang", "Thái", "Thông", "Tín", "Vũ", "Chiến", "Dương", "Giang", "Hậu", "Lộc", "Phát",
    "Quân", "Sỹ", "Thuận", "Trường", "Tuyên", "Xuân", "Đông", "Hào", "Khánh", "Ngọc",
)
FEMALE_GIVEN: tuple[str, ...] = (
    "Lan", "Hương", "Hoa", "Mai", "Hà", "Linh", "Trang", "Thảo", "Hằng", "Ngọc", "Nga", "Phương",
    "Thủy", "Yến", "Dung", "Hạnh", "Huyền", "Loan", "Nhung", "Oanh", "Quyên", "Tuyết", "Vân",
    "Xuân", "Anh", "Bích", "Châu", "Diệp", "Giang", "Hiền", "Hồng", "Liên", "Ly", "My", "Nhi",
    "Thu", "Thư", "Trinh", "Uyên", "Vy", "Cúc", "Đào", "Hậu", "Lệ", "Nguyệt", "Phượng", "Sen",
    "Tâm", "Thắm", "Tươi", "Hoài", "Lài", "Mận", "Ngân", "Sương", "Thoa", "Tình", "Vui",
)

# Northern minorities (Tày, Nùng, Thái, Mường) settled in the Highlands: Kinh-style names with
# their own family names; born mostly in Cao Bằng, Lạng Sơn, Hà Giang, Thanh Hóa.
NORTHERN_MINORITY_SURNAMES: tuple[str, ...] = ("Nông", "Lường", "Lò", "Vi", "Triệu", "Lục", "Hà", "Đinh", "Hoàng")
NORTHERN_MINORITY_PROVINCES: tuple[str, ...] = ("004", "020", "002", "038", "017", "014")

# --- People (Central Highlands peoples) -------------------------------------------------------

# Ê Đê: given name with the gender particle (Y for men, H' for women), then the clan name.
EDE_MALE_GIVEN: tuple[str, ...] = (
    "Y Krông", "Y Jút", "Y Ngông", "Y Bih", "Y Wang", "Y Khu", "Y Thuyên", "Y Niêm", "Y Blô",
    "Y Tlang", "Y Mốt", "Y Phun", "Y Bhin", "Y Đhăm", "Y Kông", "Y Siu", "Y Hiêng", "Y Nuôl",
)
EDE_FEMALE_GIVEN: tuple[str, ...] = (
    "H'Blăng", "H'Hen", "H'Lin", "H'Mai", "H'Nhi", "H'Ruê", "H'Yăm", "H'Ngôn", "H'Wen", "H'Loan",
    "H'Xíu", "H'Zuê", "H'Bia", "H'Ngọc", "H'Đim", "H'Lên", "H'Nga", "H'Yơn",
)
EDE_CLANS: tuple[str, ...] = (
    "Niê", "Ayŭn", "Mlô", "Êban", "Byă", "Adrơng", "Knul", "Buôn Yă", "Kbuôr", "Hwing", "Mdrang",
    "Ktla", "Ksơr", "Ênuôl", "Bkrông", "Hdơk", "Kpă", "Êya", "Niê Kdăm", "Buôn Krông", "Mlô Duôn Du",
)
# J'rai: clan name first, then the given name (Ksor Y Phun, Rơ Mah H'Bé).
JRAI_CLANS: tuple[str, ...] = ("Ksor", "Rơ Châm", "Siu", "Rơ Mah", "Nay", "Kpă", "Rmah", "Puih")
JRAI_MALE_GIVEN: tuple[str, ...] = ("Y Phun", "Thuyên", "Đức", "Blan", "Bút", "Phước", "Y Khoa", "Thoang")
JRAI_FEMALE_GIVEN: tuple[str, ...] = ("H'Bé", "H'Mai", "H'Lan", "H'Jim", "H'Duyên", "H'Nhung")
# M'nông: "Điểu" for men, "Thị" for women, then a M'nông given name.
MNONG_MALE: tuple[str, ...] = ("Điểu Kré", "Điểu Ong", "Điểu Xuyên", "Điểu Đoan", "Điểu Bảo", "Điểu Sơn")
MNONG_FEMALE: tuple[str, ...] = ("Thị H'Rin", "Thị Nhe", "Thị Lin", "Thị H'Bớp", "Thị Mai")
HIGHLANDS_PROVINCES: tuple[str, ...] = ("066", "066", "066", "066", "067", "064")

# --- Places -----------------------------------------------------------------------------------

PROVINCE = "Đắk Lắk"
# District-level units of Đắk Lắk before 01/07/2025 and their communes (xã, phường, thị trấn).
DISTRICTS: dict[str, tuple[str, ...]] = {
    "TP Buôn Ma Thuột": (
        "phường Tân Lợi", "phường Tân An", "phường Tân Lập", "phường Tân Hòa", "phường Tân Thành",
        "phường Tân Tiến", "phường Thành Công", "phường Thắng Lợi", "phường Thống Nhất",
        "phường Tự An", "phường Ea Tam", "phường Khánh Xuân", "phường Thành Nhất", "xã Ea Tu",
        "xã Hòa Thuận", "xã Cư ÊBur", "xã Hòa Thắng", "xã Hòa Phú", "xã Hòa Khánh", "xã Hòa Xuân",
        "xã Ea Kao",
    ),
    "thị xã Buôn Hồ": (
        "phường An Lạc", "phường An Bình", "phường Thiện An", "phường Đạt Hiếu", "phường Đoàn Kết",
        "phường Bình Tân", "xã Ea Drông", "xã Ea Siên", "xã Bình Thuận", "xã Cư Bao", "xã Ea Blang",
    ),
    "huyện Krông Pắc": (
        "thị trấn Phước An", "xã Ea Kly", "xã Ea Phê", "xã Ea Kênh", "xã Ea Yông", "xã Hòa An",
        "xã Ea Kuăng", "xã Krông Búk", "xã Vụ Bổn", "xã Ea Uy", "xã Tân Tiến", "xã Hòa Đông", "xã Ea Hiu",
    ),
    "huyện Cư M'gar": (
        "thị trấn Quảng Phú", "thị trấn Ea Pốk", "xã Ea Kiết", "xã Cư Suê", "xã Quảng Hiệp",
        "xã Ea Tar", "xã Cư M'gar", "xã Ea M'nang", "xã Ea Kpam", "xã Cuôr Đăng",
    ),
    "huyện Krông Ana": (
        "thị trấn Buôn Trấp", "xã Dray Sáp", "xã Ea Na", "xã Bình Hòa", "xã Quảng Điền",
        "xã Băng Adrênh", "xã Ea Bông",
    ),
    "huyện Lắk": (
        "thị trấn Liên Sơn", "xã Yang Tao", "xã Bông Krang", "xã Đắk Liêng", "xã Buôn Tría",
        "xã Buôn Triết", "xã Đắk Phơi", "xã Krông Nô", "xã Nam Ka",
    ),
    "huyện Ea Kar": (
        "thị trấn Ea Kar", "thị trấn Ea Knốp", "xã Ea Đar", "xã Cư Huê", "xã Xuân Phú", "xã Ea Sô",
        "xã Cư Ni", "xã Ea Tíh", "xã Cư Bông",
    ),
    "huyện Krông Năng": (
        "thị trấn Krông Năng", "xã Ea Tóh", "xã Phú Lộc", "xã Ea Hồ", "xã Tam Giang", "xã Ea Tân",
        "xã Phú Xuân",
    ),
    "huyện Ea H'leo": (
        "thị trấn Ea Drăng", "xã Ea Sol", "xã Ea Khal", "xã Ea Ral", "xã Dliê Yang", "xã Cư Mốt", "xã Ea Wy",
    ),
    "huyện Buôn Đôn": ("xã Ea Wer", "xã Krông Na", "xã Tân Hòa", "xã Ea Bar", "xã Cuôr Knia", "xã Ea Nuôl"),
    "huyện Cư Kuin": (
        "xã Ea Tiêu", "xã Dray Bhăng", "xã Ea Ktur", "xã Ea Bhốk", "xã Hòa Hiệp", "xã Ea Ning", "xã Cư Êwi",
    ),
    "huyện M'Drắk": ("thị trấn M'Drắk", "xã Krông Jing", "xã Ea Riêng", "xã Cư Prao", "xã Ea Pil", "xã Krông Á"),
    "huyện Krông Bông": (
        "thị trấn Krông Kmar", "xã Hòa Sơn", "xã Cư Kty", "xã Khuê Ngọc Điền", "xã Dang Kang", "xã Yang Reh",
    ),
    "huyện Krông Búk": ("xã Pơng Drang", "xã Chư Kbô", "xã Cư Né", "xã Ea Sin"),
    "huyện Ea Súp": ("thị trấn Ea Súp", "xã Ea Lê", "xã Ea Rốk", "xã Cư Mlan", "xã Ya Tờ Mốt"),
}
# Relative population of the districts (the city and its neighbours send most petitions).
DISTRICT_WEIGHTS: dict[str, float] = {
    "TP Buôn Ma Thuột": 30, "thị xã Buôn Hồ": 6, "huyện Krông Pắc": 10, "huyện Cư M'gar": 8,
    "huyện Krông Ana": 5, "huyện Lắk": 3, "huyện Ea Kar": 7, "huyện Krông Năng": 5, "huyện Ea H'leo": 5,
    "huyện Buôn Đôn": 3, "huyện Cư Kuin": 5, "huyện M'Drắk": 3, "huyện Krông Bông": 4,
    "huyện Krông Búk": 3, "huyện Ea Súp": 3,
}
BUON_NAMES: tuple[str, ...] = (
    "buôn Kô Tam", "buôn Ea Nao", "buôn Ako Dhong", "buôn Kmrơng Prông A", "buôn Tơng Jú",
    "buôn Cuôr Knia", "buôn Jang Lành", "buôn Trí A", "buôn Ea Bông", "buôn Pan Lăm", "buôn Ky",
    "buôn Dhă Prông", "buôn Alê B", "buôn Kram", "buôn Hra Ea Hning",
)
STREETS: tuple[str, ...] = (
    "Lê Duẩn", "Nguyễn Tất Thành", "Phan Chu Trinh", "Y Jút", "Phan Bội Châu", "Hùng Vương",
    "Lý Thường Kiệt", "Mai Hắc Đế", "Ngô Quyền", "Trần Phú", "Hà Huy Tập", "Nguyễn Văn Cừ",
    "Y Ngông", "Lê Thánh Tông", "Giải Phóng", "Đinh Tiên Hoàng", "Phan Huy Chú", "Nguyễn Chí Thanh",
    "Ama Khê", "Võ Văn Kiệt", "Tôn Đức Thắng", "Nguyễn Thị Minh Khai", "Quang Trung", "Hai Bà Trưng",
)
# Addresses of citizens living outside the province (commune, district, province).
OTHER_PROVINCE_PLACES: tuple[str, ...] = (
    "xã Quỳnh Hồng, huyện Quỳnh Lưu, tỉnh Nghệ An",
    "xã Thạch Kênh, huyện Thạch Hà, tỉnh Hà Tĩnh",
    "phường Vĩnh Hải, TP Nha Trang, tỉnh Khánh Hòa",
    "xã Đắk Ha, huyện Đắk Glong, tỉnh Đắk Nông",
    "phường Nghĩa Tân, TP Gia Nghĩa, tỉnh Đắk Nông",
    "phường Hội Thương, TP Pleiku, tỉnh Gia Lai",
    "phường An Mỹ, TP Tam Kỳ, tỉnh Quảng Nam",
    "xã Hòa Bình 1, huyện Tây Hòa, tỉnh Phú Yên",
    "phường 9, TP Tuy Hòa, tỉnh Phú Yên",
    "phường 3, quận Bình Thạnh, TP Hồ Chí Minh",
    "phường Láng Hạ, quận Đống Đa, TP Hà Nội",
    "xã Đông Hợp, huyện Đông Hưng, tỉnh Thái Bình",
    "phường Quang Trung, TP Quy Nhơn, tỉnh Bình Định",
    "xã Tịnh Khê, TP Quảng Ngãi, tỉnh Quảng Ngãi",
    "phường 2, TP Bảo Lộc, tỉnh Lâm Đồng",
)
# Development projects whose land clearance produces petitions.
PROJECTS: tuple[str, ...] = (
    "Đường Vành đai phía Tây TP Buôn Ma Thuột",
    "Hồ chứa nước Krông Pách Thượng",
    "Cao tốc Khánh Hòa – Buôn Ma Thuột",
    "Khu đô thị mới Ea Tam",
    "Mở rộng Quốc lộ 14 đoạn qua huyện Cư M'gar",
    "Nâng cấp Quốc lộ 26 đoạn qua huyện Krông Pắc",
    "Đường Đông Tây TP Buôn Ma Thuột",
    "Khu tái định cư phường Tân An",
    "Mở rộng Cảng hàng không Buôn Ma Thuột",
    "Cụm công nghiệp Ea Đar",
    "Nhà máy điện mặt trời Ea Súp",
    "Kè chống sạt lở sông Sêrêpốk",
    "Trường THPT chuyên Nguyễn Du (cơ sở 2)",
    "Chợ trung tâm thị xã Buôn Hồ",
)
# Fictitious enterprises (any resemblance is accidental).
COMPANIES: tuple[str, ...] = (
    "Công ty TNHH Cà phê Cao Nguyên Xanh", "Công ty CP Xây dựng Ea Kar", "Công ty TNHH MTV Lâm nghiệp Ea Wy",
    "Công ty CP Chế biến Nông sản Krông Pắc", "Công ty TNHH Vận tải Hoàng Phát",
    "Công ty CP Đầu tư Bất động sản Tây Nguyên", "Công ty TNHH Gạch ngói Hòa Phú",
)

# --- Agencies ---------------------------------------------------------------------------------

# Province-level bodies a reception office transfers petitions to: (name, short code for e-mail).
PROVINCE_AGENCIES: tuple[tuple[str, str], ...] = (
    ("Sở Tài nguyên và Môi trường", "stnmt"),
    ("Văn phòng Đăng ký đất đai tỉnh", "vpdkdd"),
    ("Sở Xây dựng", "sxd"),
    ("Sở Lao động - Thương binh và Xã hội", "sldtbxh"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "snnptnt"),
    ("Sở Tư pháp", "stp"),
    ("Sở Giáo dục và Đào tạo", "sgddt"),
    ("Sở Y tế", "syt"),
    ("Sở Tài chính", "stc"),
    ("Sở Kế hoạch và Đầu tư", "skhdt"),
    ("Sở Giao thông vận tải", "sgtvt"),
    ("Sở Nội vụ", "snv"),
    ("Sở Công Thương", "sct"),
    ("Sở Văn hóa, Thể thao và Du lịch", "svhttdl"),
    ("Sở Thông tin và Truyền thông", "stttt"),
    ("Thanh tra tỉnh", "thanhtra"),
    ("Công an tỉnh", "congan"),
    ("Tòa án nhân dân tỉnh", "toaan"),
    ("Viện Kiểm sát nhân dân tỉnh", "vks"),
    ("Cục Thi hành án dân sự tỉnh", "cthads"),
    ("Cục Thuế tỉnh", "cucthue"),
    ("Bảo hiểm xã hội tỉnh", "bhxh"),
    ("Ban Dân tộc tỉnh", "bandantoc"),
    ("Ban Quản lý dự án đầu tư xây dựng tỉnh", "bqlda"),
)
# Bodies that forward petitions to the office (channel "transferred_in"): (name, short code).
SOURCE_AGENCIES: tuple[tuple[str, str], ...] = (
    ("Ban Tiếp công dân Trung ương", "btcdtw"),
    ("Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh", "vpdbqh"),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "mttq"),
)
RECEPTION_OFFICE = "Trụ sở Tiếp công dân tỉnh"
# Bodies at district level (before 01/07/2025), one set per district: (prefix, short code).
DISTRICT_AGENCY_KINDS: tuple[tuple[str, str], ...] = (
    ("UBND", "ubnd"),
    ("Công an", "ca"),
    ("Chi cục Thi hành án dân sự", "thads"),
    ("Phòng Tài nguyên và Môi trường", "tnmt"),
)
