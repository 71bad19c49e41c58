"""A synthetic but realistic reception office, written in the interchange format (JSONL).

Used by ``reception-desk demo`` (a small office to try the program on) and by the benchmarks (a
large office: 300,000 citizens, 500,000 visits, 1,000,000 petitions). The office is the citizen
reception office of the province of Đắk Lắk: Vietnamese and Ê Đê / J'rai / M'nông names, valid
12-digit personal IDs, local addresses, the province's agencies, cases by field, the leaders'
reception days (sessions) and the visits received on them, petitions on every channel, transfers
with working-day due dates.

The output is deterministic: the same seed, size and ``today`` give the same bytes. Lines are
streamed to the file in dependency order (agencies, citizens, cases, leaders' sessions, visits,
petitions, transfers, directives); only compact per-case arrays are kept in memory, never the
records.
"""

from __future__ import annotations

import os
import random
import shutil
from array import array
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

import orjson

from reception_desk.domain import names as N
from reception_desk.domain.enums import (
    CaseStatus,
    Channel,
    HandlingDirection,
    PetitionKind,
    ReceptionMode,
    SessionKind,
    VisitOutcome,
)
from reception_desk.domain.text import fold
from reception_desk.domain.workdays import Override, WorkCalendar
from reception_desk.services.errors import CancelCheck, Cancelled, Progress, ValidationError
from reception_desk.storage import reference

# Two-level local government from this day: no district People's Committees or district bodies.
DISTRICTS_ABOLISHED = date(2025, 7, 1)

# --- Sizes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeSize:
    """How many records of each type; transfers are a target (petitions decide the exact count)."""

    citizens: int
    cases: int
    visits: int
    petitions: int
    transfers: int
    agencies: int
    directives: int
    years: float  # the records span this many years up to ``today``


SIZES: dict[str, OfficeSize] = {
    "small": OfficeSize(citizens=300, cases=150, visits=500, petitions=1_000, transfers=400, agencies=30,
                        directives=24, years=2),
    "large": OfficeSize(citizens=300_000, cases=250_000, visits=500_000, petitions=1_000_000,
                        transfers=400_000, agencies=150, directives=5_000, years=5),
}

RECORD_TYPES = ("agency", "citizen", "case", "session", "visit", "petition", "transfer", "directive")


def resolve_size(size: str | OfficeSize | Mapping[str, Any]) -> OfficeSize:
    """A named size, an OfficeSize, or a mapping of counts over the small office."""
    if isinstance(size, OfficeSize):
        result = size
    elif isinstance(size, str):
        if size not in SIZES:
            raise ValidationError(f"Cỡ dữ liệu mẫu không hợp lệ “{size}” (cho phép: {', '.join(SIZES)}).")
        result = SIZES[size]
    else:
        known = {f.name for f in fields(OfficeSize)}
        unknown = sorted(set(size) - known)
        if unknown:
            raise ValidationError(f"Không rõ số lượng: {', '.join(unknown)} (cho phép: {', '.join(sorted(known))}).")
        result = replace(SIZES["small"], **dict(size))
    for key, value in asdict(result).items():
        if value < 0 or (key in ("citizens", "cases", "agencies", "years") and value <= 0):
            raise ValidationError(f"Số lượng “{key}” của dữ liệu mẫu không hợp lệ: {value}.")
    return result


# --- Cases: fields, kinds, titles ---------------------------------------------------------------

C, D, R, F = (PetitionKind.COMPLAINT.value, PetitionKind.DENUNCIATION.value,
              PetitionKind.RECOMMENDATION.value, PetitionKind.FEEDBACK.value)


@dataclass(frozen=True)
class _Field:
    name: str
    weight: float
    kinds: dict[str, float]
    titles: dict[str, tuple[str, ...]]
    # Where a petition of this field is transferred, by preference: "commune" / "district" (the
    # UBND of the case's commune or district), "district:<code>" (a district body), or the short
    # code of a province body.
    routes: tuple[str, ...]


_USUAL_KINDS = {R: 36, F: 24, C: 30, D: 10}

FIELDS: tuple[_Field, ...] = (
    _Field("Đất đai", 50, _USUAL_KINDS, {
        C: (
            "Khiếu nại Quyết định số {n}/QĐ-UBND ngày {date} của UBND {district} về việc thu hồi đất",
            "Khiếu nại về giá bồi thường, hỗ trợ khi Nhà nước thu hồi đất thực hiện dự án {project}",
            "Khiếu nại việc UBND {commune} không xác nhận nguồn gốc thửa đất số {parcel}, tờ bản đồ số {sheet}",
            "Khiếu nại quyết định giải quyết tranh chấp đất đai của Chủ tịch UBND {district}",
            "Khiếu nại việc cưỡng chế thu hồi đất tại {village}, {commune}",
        ),
        D: (
            "Tố cáo cán bộ địa chính {commune} nhũng nhiễu khi làm thủ tục cấp giấy chứng nhận",
            "Tố cáo việc lấn chiếm đất công tại {village}, {commune}",
            "Tố cáo Chủ tịch UBND {commune} giao đất trái thẩm quyền",
        ),
        R: (
            "Kiến nghị cấp giấy chứng nhận quyền sử dụng đất thửa số {parcel}, tờ bản đồ số {sheet} tại {commune}",
            "Kiến nghị giải quyết tranh chấp ranh giới đất với hộ liền kề tại {village}, {commune}",
            "Kiến nghị xem xét lại diện tích đất bị thu hồi khi thực hiện dự án {project}",
            "Kiến nghị cho chuyển mục đích sử dụng đất nông nghiệp sang đất ở tại {commune}",
            "Kiến nghị bố trí đất tái định cư cho các hộ bị thu hồi đất dự án {project}",
        ),
        F: (
            "Phản ánh việc san lấp, xây dựng trái phép trên đất nông nghiệp tại {village}, {commune}",
            "Phản ánh việc chậm chi trả tiền bồi thường dự án {project}",
            "Phản ánh việc đo đạc sai ranh giới thửa đất số {parcel}, tờ bản đồ số {sheet} tại {commune}",
        ),
    }, ("commune", "district", "district:tnmt", "stnmt", "vpdkdd")),
    _Field("Chính sách xã hội", 12, _USUAL_KINDS, {
        C: (
            "Khiếu nại việc UBND {commune} cắt trợ cấp bảo trợ xã hội",
            "Khiếu nại việc không được công nhận hộ nghèo năm {year} tại {village}, {commune}",
        ),
        D: ("Tố cáo cán bộ {commune} lập hồ sơ khống để hưởng chế độ người có công",),
        R: (
            "Kiến nghị xem xét chế độ người có công với cách mạng cho thân nhân liệt sĩ tại {commune}",
            "Kiến nghị giải quyết chế độ bảo hiểm xã hội một lần",
            "Kiến nghị hỗ trợ nhà ở cho hộ nghèo tại {village}, {commune}",
            "Kiến nghị xét chế độ cho con của người hoạt động kháng chiến bị nhiễm chất độc hóa học",
        ),
        F: (
            "Phản ánh việc bình xét hộ cận nghèo năm {year} tại {village}, {commune} không công khai",
            "Phản ánh việc chậm chi trả trợ cấp xã hội tại {commune}",
        ),
    }, ("sldtbxh", "bhxh", "commune", "district")),
    _Field("Hành chính", 10, {R: 45, F: 35, C: 15, D: 5}, {
        C: ("Khiếu nại việc chậm giải quyết hồ sơ thủ tục hành chính tại Bộ phận một cửa {commune}",),
        D: ("Tố cáo công chức Bộ phận một cửa {commune} đòi tiền khi giải quyết hồ sơ",),
        R: (
            "Kiến nghị sửa chữa tuyến đường liên thôn {village} – {village2}, {commune}",
            "Kiến nghị đầu tư hệ thống điện chiếu sáng tại {village}, {commune}",
            "Kiến nghị bố trí điểm trường mầm non tại {village}, {commune}",
        ),
        F: (
            "Phản ánh thái độ thiếu chuẩn mực của công chức Bộ phận một cửa {commune}",
            "Phản ánh tuyến đường tại {street} xuống cấp nghiêm trọng",
        ),
    }, ("commune", "district", "snv", "sgtvt")),
    _Field("Nhà ở", 8, _USUAL_KINDS, {
        C: (
            "Khiếu nại quyết định xử phạt vi phạm hành chính trong lĩnh vực xây dựng của Chủ tịch UBND {commune}",
            "Khiếu nại việc không cấp giấy phép xây dựng nhà ở tại {street}",
        ),
        D: ("Tố cáo việc xây dựng nhà trái phép lấn chiếm hành lang giao thông tại {street}",),
        R: (
            "Kiến nghị hỗ trợ sửa chữa nhà ở bị hư hỏng do mưa lũ tại {village}, {commune}",
            "Kiến nghị cấp giấy chứng nhận quyền sở hữu nhà ở tại {street}",
        ),
        F: (
            "Phản ánh công trình xây dựng lân cận làm nứt tường nhà ở tại {street}",
            "Phản ánh chủ đầu tư dự án {project} chậm bàn giao giấy chứng nhận cho người mua nhà",
        ),
    }, ("sxd", "district", "commune")),
    _Field("Môi trường", 7, {F: 45, R: 25, D: 22, C: 8}, {
        C: ("Khiếu nại quyết định xử phạt vi phạm hành chính về bảo vệ môi trường của Chủ tịch UBND {district}",),
        D: (
            "Tố cáo cơ sở chế biến cà phê xả thải chưa qua xử lý ra suối tại {village}, {commune}",
            "Tố cáo việc khai thác cát trái phép trên sông Sêrêpốk đoạn qua {commune}",
        ),
        R: (
            "Kiến nghị di dời bãi rác tự phát gần khu dân cư {village}, {commune}",
            "Kiến nghị nạo vét kênh mương thoát nước tại {village}, {commune}",
        ),
        F: (
            "Phản ánh trang trại chăn nuôi heo gây ô nhiễm môi trường tại {village}, {commune}",
            "Phản ánh tiếng ồn, khói bụi của {company} ảnh hưởng đến khu dân cư {commune}",
            "Phản ánh tình trạng khai thác đất trái phép tại {village}, {commune}",
        ),
    }, ("stnmt", "district:tnmt", "commune", "congan")),
    _Field("Tư pháp", 6, _USUAL_KINDS, {
        C: (
            "Khiếu nại việc Chi cục Thi hành án dân sự {district} chậm thi hành bản án",
            "Khiếu nại quyết định cưỡng chế thi hành án dân sự số {n}/QĐ-CCTHADS",
        ),
        D: ("Tố cáo chấp hành viên vi phạm pháp luật trong tổ chức thi hành án tại {district}",),
        R: (
            "Kiến nghị xem xét lại Bản án số {n}/{year}/DS-PT theo thủ tục giám đốc thẩm",
            "Kiến nghị đẩy nhanh việc thi hành Bản án dân sự số {n}/{year}/DS-ST",
        ),
        F: (
            "Phản ánh việc chứng thực hợp đồng chuyển nhượng tại UBND {commune} gây phiền hà",
            "Phản ánh việc chậm cấp phiếu lý lịch tư pháp",
        ),
    }, ("district:thads", "cthads", "toaan", "vks", "stp")),
    _Field("Lao động", 4, _USUAL_KINDS, {
        C: ("Khiếu nại quyết định kỷ luật buộc thôi việc của {company}",),
        D: ("Tố cáo {company} trốn đóng bảo hiểm xã hội cho người lao động",),
        R: ("Kiến nghị giải quyết tiền lương bị nợ tại {company}",),
        F: ("Phản ánh {company} nợ đóng bảo hiểm xã hội cho người lao động",),
    }, ("sldtbxh", "bhxh")),
    _Field("Tham nhũng", 3, {D: 70, F: 20, R: 10}, {
        D: (
            "Tố cáo Chủ tịch UBND {commune} có dấu hiệu tham nhũng kinh phí xây dựng nông thôn mới",
            "Tố cáo cán bộ thu tiền trái quy định khi cấp giấy chứng nhận quyền sử dụng đất tại {commune}",
            "Tố cáo sai phạm trong đấu thầu công trình thuộc dự án {project}",
            "Tố cáo việc lập chứng từ khống thanh toán kinh phí hỗ trợ hộ nghèo tại {commune}",
        ),
        F: ("Phản ánh dấu hiệu tiêu cực trong tuyển dụng viên chức giáo dục năm {year} tại {district}",),
        R: ("Kiến nghị thanh tra việc sử dụng quỹ đóng góp của nhân dân tại {village}, {commune}",),
    }, ("thanhtra", "congan", "district")),
)

# Flat list of (field index, kind, template) so a case stores one small integer.
_TEMPLATES: list[tuple[int, str, str]] = [
    (fi, kind, tpl) for fi, fld in enumerate(FIELDS) for kind, tpls in fld.titles.items() for tpl in tpls
]
_TEMPLATE_INDEX: dict[tuple[int, str], list[int]] = {}
for _i, (_fi, _kind, _tpl) in enumerate(_TEMPLATES):
    _TEMPLATE_INDEX.setdefault((_fi, _kind), []).append(_i)
_KIND_CODES = (C, D, R, F)

# --- Channels, outcomes, texts ----------------------------------------------------------------

_CHANNEL_WEIGHTS = {
    Channel.POST.value: 30, Channel.IN_PERSON.value: 18, Channel.PORTAL.value: 12,
    Channel.TRANSFERRED_IN.value: 12, Channel.ZALO.value: 8, Channel.EMAIL.value: 6,
    Channel.FIELD_APP.value: 6, Channel.HOTLINE.value: 5, Channel.OTHER.value: 1,
}
# What arrives on a day the office is closed: only what citizens send online.
_ONLINE_CHANNELS = (Channel.PORTAL.value, Channel.ZALO.value, Channel.EMAIL.value, Channel.FIELD_APP.value)
_OUTCOME_WEIGHTS = {
    VisitOutcome.GUIDED.value: 50, VisitOutcome.RECEIVED_PETITION.value: 33,
    VisitOutcome.TRANSFERRED.value: 15.5, VisitOutcome.REFUSED.value: 1.5,
}
_FIRST_VISIT_TEXTS = (
    "Công dân trình bày: {title}. Đề nghị cơ quan có thẩm quyền xem xét, giải quyết.",
    "Công dân trình bày nội dung: {title}; cung cấp kèm theo các giấy tờ liên quan.",
    "{title}. Công dân đề nghị được hướng dẫn thủ tục và gửi đơn đến cơ quan có thẩm quyền.",
)
_REPEAT_VISIT_TEXTS = (
    "Công dân tiếp tục trình bày: {title}; cho rằng đơn đã gửi chưa được giải quyết dứt điểm.",
    "Công dân đến lần tiếp theo về nội dung: {title}; đề nghị sớm có văn bản trả lời.",
    "Tiếp tục đề nghị giải quyết: {title}. Công dân không đồng ý với kết quả giải quyết trước đó.",
)
_DELEGATION_TEXTS = (
    "Đoàn {persons} công dân {village}, {commune} trình bày: {title}; cử {reps} người đại diện.",
    "Đoàn đông người ({persons} người) đến phản ánh chung một nội dung: {title}.",
)
_DUPLICATE_SUFFIX = " (đơn trùng nội dung, gửi nhiều lần)"
_ANONYMOUS_PREFIX = "Đơn nặc danh: "
_TRANSFER_RESULTS = (
    "Đã thụ lý giải quyết theo thẩm quyền",
    "Đã có văn bản trả lời công dân",
    "Trả lại đơn, hướng dẫn công dân gửi đến cơ quan có thẩm quyền",
    "Đã tổ chức đối thoại, công dân thống nhất rút đơn",
    "Đã ban hành quyết định giải quyết khiếu nại lần đầu",
    "Đã xác minh, kết luận nội dung tố cáo",
    "Vụ việc đã được giải quyết trước đó, đề nghị lưu đơn",
)
_DIRECTIVE_SUBJECTS = (
    "V/v giải quyết đơn của công dân {name}, trú tại {commune}, {district}",
    "V/v giao kiểm tra, xác minh nội dung đơn tố cáo liên quan đến {commune}",
    "V/v tăng cường công tác tiếp công dân, giải quyết khiếu nại, tố cáo dịp Tết Nguyên đán năm {year}",
    "V/v chấn chỉnh việc chậm trả lời đơn do Ban Tiếp công dân tỉnh chuyển đến",
    "V/v tổ chức đối thoại với các hộ dân bị ảnh hưởng bởi dự án {project}",
    "V/v rà soát, giải quyết dứt điểm các vụ việc khiếu nại, tố cáo tồn đọng, kéo dài",
    "V/v bảo đảm an ninh, trật tự tại Trụ sở Tiếp công dân tỉnh",
    "V/v báo cáo kết quả giải quyết đơn của công dân {name}",
)
# How far a case has gone, by its age: older than a year, than three months, younger.
_STATUS_BY_AGE: tuple[dict[str, float], ...] = (
    {CaseStatus.RESOLVED.value: 55, CaseStatus.CLOSED.value: 25, CaseStatus.IN_PROGRESS.value: 12,
     CaseStatus.OPEN.value: 8},
    {CaseStatus.IN_PROGRESS.value: 45, CaseStatus.RESOLVED.value: 30, CaseStatus.OPEN.value: 15,
     CaseStatus.CLOSED.value: 10},
    {CaseStatus.OPEN.value: 55, CaseStatus.IN_PROGRESS.value: 40, CaseStatus.RESOLVED.value: 5},
)
# Refusals (Luật Tiếp công dân Điều 9): k1 not in control of oneself, k2 breaking the rules of the
# reception office, k3 a case settled and notified yet pursued again and again.
_REFUSALS = {
    "k1": "Công dân trong tình trạng say rượu, không làm chủ được hành vi; cán bộ tiếp đã giải thích và từ chối tiếp.",
    "k2": "Công dân có lời lẽ xúc phạm cán bộ tiếp, vi phạm nội quy nơi tiếp công dân; đã giải thích và từ chối tiếp.",
    "k3": "Vụ việc đã được giải quyết đúng chính sách, pháp luật, đã có văn bản thông báo; công dân vẫn cố tình "
          "khiếu nại kéo dài. Từ chối tiếp theo Thông báo từ chối tiếp công dân.",
}
# More petitions before Tết and at the year's end, fewer in the summer.
_MONTH_FACTOR = (1.15, 1.1, 1.0, 1.0, 1.0, 0.95, 0.9, 0.9, 1.0, 1.0, 1.05, 1.15)


# --- Small helpers ------------------------------------------------------------------------------


class _Weighted:
    """A fast weighted choice (cumulative weights + bisect) from one random.Random."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, weights: Mapping[Any, float] | Sequence[tuple[Any, float]]) -> None:
        pairs = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
        self.items = [item for item, _ in pairs]
        self.cum: list[float] = []
        acc = 0.0
        for _, w in pairs:
            acc += w
            self.cum.append(acc)
        self.total = acc

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


def _allocate(rng: random.Random, total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` over days in proportion to noisy weights (exact total, no day below 0)."""
    noisy = [w * rng.uniform(0.7, 1.3) if w > 0 else 0.0 for w in weights]
    s = sum(noisy)
    if s <= 0 or total <= 0:
        return [0] * len(weights)
    u = rng.random()
    counts: list[int] = []
    acc = 0.0
    prev = 0
    for w in noisy:
        acc += w * total / s
        cur = int(acc + u)
        counts.append(cur - prev)
        prev = cur
    shortfall = total - prev
    if shortfall:  # floating-point rounding at the very end: put it on the last open day
        last = max(i for i, w in enumerate(noisy) if w > 0)
        counts[last] += shortfall
    return counts


def _slug(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _dmy(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def load_calendar() -> WorkCalendar:
    """The office calendar as the database will have it: the shipped schedules plus the formula."""
    return WorkCalendar(
        Override(row["day"], row["is_day_off"], row["name"], row["source"]) for row in reference.calendar_rows()
    )


class _WorkdayTable:
    """add_working_days for a range of dates in O(1): a table of the working days of the range."""

    def __init__(self, calendar: WorkCalendar, first: date, last: date) -> None:
        self.first = first
        self.workdays: list[date] = []
        self.upto: list[int] = []  # working days in [first, d] for each d of the range
        d = first
        while d <= last:
            if calendar.is_working_day(d):
                self.workdays.append(d)
            self.upto.append(len(self.workdays))
            d += timedelta(days=1)

    def is_working_day(self, d: date) -> bool:
        i = (d - self.first).days
        return self.upto[i] > (self.upto[i - 1] if i else 0)

    def add(self, d: date, n: int) -> date:
        """The n-th working day after d (d never counts), n >= 1; as WorkCalendar.add_working_days."""
        return self.workdays[self.upto[(d - self.first).days] + n - 1]


# --- The generator ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Agency:
    priority: int  # lower = more often needed: kept by a small office
    key: str  # how petitions are routed to it (see _Field.routes)
    name: str
    address: str
    email: str
    level: str  # domain.enums.AgencyLevel
    short_code: str | None = None
    parent: str | None = None  # the key of its superior body


class _Placeholders(dict):
    """The values of a title template's {placeholders}, derived from 32 random bits ``p``.

    Computed on demand (``str.format_map`` asks only for the keys a template uses), so a title
    costs a couple of lookups; the same (commune, day, p) always gives the same values.
    """

    __slots__ = ("district", "commune", "day", "p")

    def __init__(self, place: tuple[str, str], day: date, p: int) -> None:
        super().__init__()
        self.district, self.commune = place
        self.day = day
        self.p = p

    def __missing__(self, key: str) -> Any:
        p, commune = self.p, self.commune
        if key == "commune":
            value: Any = commune
        elif key == "district":
            value = self.district
        elif key == "village":
            if commune.startswith("phường"):
                value = f"tổ dân phố {1 + p % 12}"
            elif commune.startswith("thị trấn"):
                value = f"tổ dân phố {1 + p % 9}"
            elif p % 5 == 0:
                value = N.BUON_NAMES[(p >> 3) % len(N.BUON_NAMES)]
            else:
                value = f"thôn {1 + p % 14}"
        elif key == "village2":
            value = f"thôn {1 + (p >> 4) % 14}"
        elif key == "street":
            if commune.startswith(("phường", "thị trấn")):
                value = f"số {1 + p % 300} đường {N.STREETS[(p >> 9) % len(N.STREETS)]}, {commune}"
            else:
                value = f"{self['village']}, {commune}"
        elif key == "project":
            value = N.PROJECTS[(p >> 3) % len(N.PROJECTS)]
        elif key == "company":
            value = N.COMPANIES[(p >> 10) % len(N.COMPANIES)]
        elif key == "parcel":
            value = 1 + (p >> 5) % 900
        elif key == "sheet":
            value = 1 + (p >> 11) % 70
        elif key == "n":
            value = 1 + (p >> 7) % 2500
        elif key == "year":
            value = self.day.year - (p >> 13) % 3
        elif key == "date":
            value = _dmy(self.day - timedelta(days=30 + (p >> 6) % 400))
        else:
            raise KeyError(key)
        self[key] = value
        return value


class _Out:
    """Buffered JSONL writer that counts lines per type and reports progress."""

    def __init__(self, fh: IO[bytes], counts: dict[str, int], progress: Progress | None,
                 cancel: CancelCheck | None, total: int) -> None:
        self.fh = fh
        self.counts = counts
        self.progress = progress
        self.cancel = cancel
        self.total = total
        self.done = 0
        self.buf: list[bytes] = []

    def write(self, kind: str, record: dict[str, Any]) -> None:
        self.buf.append(orjson.dumps(record))
        self.counts[kind] += 1
        if len(self.buf) >= 5000:
            self.flush()

    def flush(self) -> None:
        if self.buf:
            self.buf.append(b"")  # the last line ends with a newline too
            self.fh.write(b"\n".join(self.buf))
            self.buf.pop()
            self.done += len(self.buf)
            self.buf.clear()
        if self.cancel is not None and self.cancel():
            raise Cancelled("Đã hủy việc tạo dữ liệu mẫu.")
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)


class _Generator:
    def __init__(self, size: OfficeSize, seed: int, today: date, calendar: WorkCalendar) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today
        self.start = today - timedelta(days=max(1, round(size.years * 365.25)) - 1)
        self.days = [self.start + timedelta(days=i) for i in range((today - self.start).days + 1)]
        # Transfers' due dates run past today: cover a comfortable margin of working days.
        self.work = _WorkdayTable(calendar, self.start - timedelta(days=400), today + timedelta(days=400))
        self._prepare_pickers()

    # -- weights and choices --------------------------------------------------------------------

    def _prepare_pickers(self) -> None:
        self.surname = _Weighted(N.SURNAME_WEIGHTS)
        self.male_middle = _Weighted(N.MALE_MIDDLE_WEIGHTS)
        self.female_middle = _Weighted(N.FEMALE_MIDDLE_WEIGHTS)
        self.birth_province = _Weighted(N.BIRTH_PROVINCE_WEIGHTS)
        self.communes: list[tuple[str, str]] = [
            (district, commune) for district, communes in N.DISTRICTS.items() for commune in communes
        ]
        self.commune_pick = _Weighted(
            [(i, N.DISTRICT_WEIGHTS[d] / len(N.DISTRICTS[d])) for i, (d, _) in enumerate(self.communes)]
        )
        self.field_pick = _Weighted([(i, f.weight) for i, f in enumerate(FIELDS)])
        self.kind_pick = [_Weighted(f.kinds) for f in FIELDS]
        self.channel_pick = _Weighted(_CHANNEL_WEIGHTS)
        self.outcome_pick = _Weighted(_OUTCOME_WEIGHTS)
        self.global_kind_pick = _Weighted(_USUAL_KINDS)
        self.status_pick = [_Weighted(weights) for weights in _STATUS_BY_AGE]

    def _day_weights(self, *, weekend: float) -> list[float]:
        n = len(self.days)
        weights = []
        for i, d in enumerate(self.days):
            base = 0.85 + 0.3 * i / max(1, n - 1)  # a slow growth over the years
            base *= _MONTH_FACTOR[d.month - 1]
            weights.append(base if self.work.is_working_day(d) else base * weekend)
        return weights

    # -- people ---------------------------------------------------------------------------------

    def person_name(self, male: bool) -> tuple[str, str]:
        """(full name, group) with group "kinh", "north" or "highlands"."""
        rng = self.rng
        r = rng.random()
        if r < 0.085:
            r2 = rng.random()
            if r2 < 0.7:
                given = rng.choice(N.EDE_MALE_GIVEN if male else N.EDE_FEMALE_GIVEN)
                return f"{given} {rng.choice(N.EDE_CLANS)}", "highlands"
            if r2 < 0.85:
                given = rng.choice(N.JRAI_MALE_GIVEN if male else N.JRAI_FEMALE_GIVEN)
                return f"{rng.choice(N.JRAI_CLANS)} {given}", "highlands"
            return rng.choice(N.MNONG_MALE if male else N.MNONG_FEMALE), "highlands"
        if r < 0.11:
            surname, group = rng.choice(N.NORTHERN_MINORITY_SURNAMES), "north"
        else:
            surname, group = self.surname.pick(rng), "kinh"
        if male:
            middle = self.male_middle.pick(rng)
            given = rng.choice(N.MALE_GIVEN)
        else:
            middle = self.female_middle.pick(rng)
            if middle == "Thị" and rng.random() < 0.22:
                middle = f"Thị {rng.choice(N.FEMALE_SECOND_MIDDLE)}"
            given = rng.choice(N.FEMALE_GIVEN)
        if given == middle.rsplit(" ", 1)[-1]:  # "Minh Minh": take another given name
            given = rng.choice(N.MALE_GIVEN if male else N.FEMALE_GIVEN)
        return f"{surname} {middle} {given}", group

    def _id_number(self, male: bool, birth_year: int, group: str, issued: set[str]) -> str | None:
        rng = self.rng
        r = rng.random()
        if r < 0.06:
            return None  # petitions by post often carry no ID number
        if r < 0.10 and birth_year < 1990:
            # The old 9-digit CMND (Đắk Lắk series start with 24); kept as the citizen gave it.
            while True:
                number = f"24{int(rng.random() * 10_000_000):07d}"
                if number not in issued:
                    issued.add(number)
                    return number
        if group == "highlands":
            code = rng.choice(N.HIGHLANDS_PROVINCES)
        elif group == "north" and birth_year < 1985:
            code = rng.choice(N.NORTHERN_MINORITY_PROVINCES)
        elif birth_year >= 1995 and rng.random() < 0.7:
            code = "066"  # the young were mostly born here
        else:
            code = self.birth_province.pick(rng)
        century = (birth_year - 1900) // 100
        prefix = f"{code}{2 * century + (0 if male else 1)}{birth_year % 100:02d}"
        while True:
            number = f"{prefix}{int(rng.random() * 1_000_000):06d}"
            if number not in issued:
                issued.add(number)
                return number

    def _village(self, commune: str, highlands: bool) -> str:
        rng = self.rng
        if commune.startswith(("phường", "thị trấn")):
            if commune.startswith("phường") and rng.random() < 0.4:
                return f"số {rng.randint(1, 320)} đường {rng.choice(N.STREETS)}"
            return f"tổ dân phố {rng.randint(1, 12)}"
        if rng.random() < (0.75 if highlands else 0.08):
            return rng.choice(N.BUON_NAMES)
        return f"thôn {rng.randint(1, 14)}"

    def _address(self, group: str) -> str:
        rng = self.rng
        if rng.random() < 0.07:
            return f"thôn {rng.randint(1, 12)}, {rng.choice(N.OTHER_PROVINCE_PLACES)}"
        district, commune = self.communes[self.commune_pick.pick(rng)]
        village = self._village(commune, group == "highlands")
        if rng.random() < 0.15:  # written after 01/07/2025: tỉnh → xã, no district
            return f"{village}, {commune}, tỉnh {N.PROVINCE}"
        return f"{village}, {commune}, {district}, tỉnh {N.PROVINCE}"

    def _phone(self) -> str | None:
        rng = self.rng
        if rng.random() < 0.12:
            return None
        return f"{rng.choice(N.PHONE_PREFIXES)}{int(rng.random() * 10_000_000):07d}"

    # -- sections -------------------------------------------------------------------------------

    def agencies(self, out: _Out) -> None:
        """The agencies petitions come from and go to, most-used first; remembers them for routing."""
        candidates: list[_Agency] = []
        key_province = ("stnmt", "vpdkdd", "sldtbxh", "sxd", "thanhtra", "congan", "cthads", "bhxh")
        seat = f"TP Buôn Ma Thuột, tỉnh {N.PROVINCE}"
        for i, (name, code) in enumerate(N.PROVINCE_AGENCIES):
            full = f"{name} {N.PROVINCE}" if name.endswith("tỉnh") else f"{name} tỉnh {N.PROVINCE}"
            address = f"số {10 + 7 * i} đường {N.STREETS[i % len(N.STREETS)]}, {seat}"
            candidates.append(_Agency(0 if code in key_province else 2, code, full, address,
                                      f"{code}@daklak.gov.vn", "province", code.upper()))
        for code_index, (name, code) in enumerate(N.SOURCE_AGENCIES):
            central = code_index == 0
            full = name if central else f"{name} {N.PROVINCE}" if name.endswith("tỉnh") else f"{name} tỉnh {N.PROVINCE}"
            address = "Hà Nội" if central else f"số {60 + code_index} đường Lê Duẩn, {seat}"
            email = f"{code}@thanhtra.gov.vn" if central else f"{code}@daklak.gov.vn"
            candidates.append(_Agency(0, f"source:{code}", full, address, email,
                                      "central" if central else "province", code.upper()))
        for district, communes in N.DISTRICTS.items():
            address = f"{communes[0]}, {district}, tỉnh {N.PROVINCE}"
            dslug = _slug(district.split(" ", 1)[1] if district.startswith("huyện") else district)
            for prefix, code in N.DISTRICT_AGENCY_KINDS:
                ubnd = code == "ubnd"
                candidates.append(_Agency(
                    1 if ubnd else 3, f"{'district' if ubnd else 'district:' + code}|{district}",
                    f"{prefix} {district}", address, f"{code}.{dslug}@daklak.gov.vn", "district", None,
                    None if ubnd else f"district|{district}"))
        cum = self.commune_pick.cum
        # Communes in order of population, so a smaller office keeps the busiest ones.
        ranked = sorted(range(len(self.communes)), key=lambda i: -(cum[i] - (cum[i - 1] if i else 0.0)))
        for i in ranked:
            district, commune = self.communes[i]
            candidates.append(_Agency(4, f"commune|{commune}|{district}", f"UBND {commune}",
                                      f"{commune}, {district}, tỉnh {N.PROVINCE}",
                                      f"ubnd.{_slug(commune)}.{_slug(district)[:6]}@daklak.gov.vn", "commune", None,
                                      f"district|{district}"))
        candidates.sort(key=lambda a: a.priority)  # stable: keeps the order inside a priority
        self.agency_keys: dict[str, int] = {}
        chosen = candidates[: self.size.agencies]
        for idx, agency in enumerate(chosen):
            self.agency_keys[agency.key] = idx
        for idx, agency in enumerate(chosen):
            parent = self.agency_keys.get(agency.parent) if agency.parent else None
            out.write("agency", {
                "type": "agency", "id": f"A{idx + 1}", "name": agency.name, "address": agency.address,
                "email": agency.email, "short_code": agency.short_code, "level": agency.level,
                "parent_id": None if parent is None else f"A{parent + 1}",
            })
        self.n_agencies = len(chosen)
        self.agency_codes = [a.short_code or "UBND" for a in chosen]
        self.sources = [i for key, i in self.agency_keys.items() if key.startswith("source:")]
        self.current_agencies = [i for key, i in self.agency_keys.items() if not key.startswith("district")]

    def citizens(self, out: _Out) -> None:
        rng = self.rng
        issued: set[str] = set()
        year_now = self.today.year
        for i in range(self.size.citizens):
            male = rng.random() < 0.58
            name, group = self.person_name(male)
            birth_year = min(year_now - 16, int(rng.triangular(1938, 2007, 1970)))
            id_number = self._id_number(male, birth_year, group, issued)
            # Without a document the desk often writes no birth year either.
            known_year = id_number is not None or rng.random() < 0.3
            out.write("citizen", {
                "type": "citizen", "id": f"C{i + 1}", "full_name": name, "id_number": id_number,
                "address": self._address(group), "phone": self._phone(),
                "birth_year": birth_year if known_year else None, "gender": "nam" if male else "nữ",
            })

    def staff(self) -> None:
        """The desk's officers and the leaders who receive citizens (fictitious people)."""
        self.officers = [self.person_name(self.rng.random() < 0.5)[0] for _ in range(6)]
        self.chairman = self.person_name(True)[0]
        self.deputies = [self.person_name(True)[0], self.person_name(False)[0]]

    def cases(self, out: _Out) -> None:
        rng = self.rng
        n = self.size.cases
        self.case_tpl = array("H")
        self.case_commune = array("H")
        self.case_param = array("I")
        self.case_day = array("H")
        self.case_citizen = array("i")
        # A tenth of the cases were opened before the period: the backlog the office inherits.
        backlog = n // 10
        per_day = _allocate(rng, n - backlog, self._day_weights(weekend=0.1))
        per_day[0] += backlog
        self.cases_upto = array("i")
        acc = 0
        for day_index, count in enumerate(per_day):
            acc += count
            self.cases_upto.append(acc)
            for _ in range(count):
                self.case_day.append(day_index)
        n_cit = self.size.citizens
        last_day = len(self.days) - 1
        for c in range(n):
            fi = self.field_pick.pick(rng)
            kind = self.kind_pick[fi].pick(rng)
            tpl = rng.choice(_TEMPLATE_INDEX[(fi, kind)])
            self.case_tpl.append(tpl)
            self.case_commune.append(self.commune_pick.pick(rng))
            self.case_param.append(rng.getrandbits(32))
            # A few citizens bring many cases (the long-running petitioners).
            self.case_citizen.append(int(n_cit * rng.random() ** 1.3))
            district, commune = self.communes[self.case_commune[c]]
            age = (last_day - self.case_day[c]) / 365.25
            status = self.status_pick[0 if age > 1 else 1 if age > 0.25 else 2].pick(rng)
            out.write("case", {"type": "case", "id": f"K{c + 1}", "title": self.title(c), "kind": kind,
                               "field": FIELDS[fi].name, "place": f"{commune}, {district}", "status": status})
        self.case_last_petition = array("i", bytes(4 * n))
        self.case_visited = bytearray(n)

    def _placeholders(self, p: int, commune_index: int, day_index: int) -> _Placeholders:
        return _Placeholders(self.communes[commune_index], self.days[day_index], p)

    def title(self, c: int) -> str:
        """The case's title, recomputed from its template and parameters (cheaper than storing it)."""
        return _TEMPLATES[self.case_tpl[c]][2].format_map(
            self._placeholders(self.case_param[c], self.case_commune[c], self.case_day[c])
        )

    def case_kind(self, c: int) -> str:
        return _TEMPLATES[self.case_tpl[c]][1]

    def case_field(self, c: int) -> int:
        return _TEMPLATES[self.case_tpl[c]][0]

    def _pick_case(self, day_index: int, p_new: float) -> int:
        """A case for an event on this day: a recent one (often its first event) or a follow-up."""
        rng = self.rng
        hi = max(1, self.cases_upto[day_index])
        if rng.random() < p_new:
            lo = self.cases_upto[max(0, day_index - 15)]
            if hi - lo < 3:
                lo = max(0, hi - 50)
            return lo + int(rng.random() * (hi - lo))
        scale = max(1.0, self.size.cases * 150 / len(self.days))
        back = int(rng.expovariate(1.0) * scale)
        return hi - 1 - back if back < hi else int(rng.random() * hi)

    def _others(self, first: int, count: int) -> list[int]:
        """``count`` citizens other than ``first`` (fewer if the office has too few)."""
        rng = self.rng
        chosen = [first]
        seen = {first}
        tries = 0
        while len(chosen) < count + 1 and tries < 4 * count + 10:
            tries += 1
            other = int(rng.random() * self.size.citizens)
            if other not in seen:
                seen.add(other)
                chosen.append(other)
        return chosen

    def sessions(self, out: _Out) -> None:
        """Leaders' reception days: scheduled on the 10th and 25th (moved to the next working day),
        one in five delegated to a deputy; an ad-hoc day in most months."""
        rng = self.rng
        index = {d: i for i, d in enumerate(self.days)}
        scheduled: dict[int, bool] = {}  # day index → delegated to a deputy
        adhoc: set[int] = set()
        y, m = self.start.year, self.start.month
        while date(y, m, 1) <= self.today:
            for dom in (10, 25):
                d = date(y, m, dom)
                while not self.work.is_working_day(d):
                    d += timedelta(days=1)
                if d in index:
                    scheduled[index[d]] = rng.random() < 0.2
            if rng.random() < 0.8:
                first = date(y, m, 1)
                candidates = [index[day] for day in (first + timedelta(days=k) for k in range(28))
                              if day in index and self.work.is_working_day(day) and index[day] not in scheduled]
                if candidates:
                    adhoc.add(rng.choice(candidates))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        # day index → (session id, reception mode, leader)
        self.sessions_by_day: dict[int, tuple[str, str, str]] = {}
        place = f"{N.RECEPTION_OFFICE} {N.PROVINCE}"
        for number, day_index in enumerate(sorted({*scheduled, *adhoc}), start=1):
            sid = f"S{number}"
            if day_index in scheduled:
                delegated = scheduled[day_index]
                kind = SessionKind.SCHEDULED.value
                mode = (ReceptionMode.AUTHORISED_DEPUTY if delegated else ReceptionMode.LEADER_SCHEDULED).value
            else:
                delegated = rng.random() < 0.3
                kind, mode = SessionKind.ADHOC.value, ReceptionMode.LEADER_ADHOC.value
            leader = self.deputies[number % 2] if delegated else self.chairman
            self.sessions_by_day[day_index] = (sid, mode, leader)
            out.write("session", {
                "type": "session", "id": sid, "held_on": self.days[day_index].isoformat(), "kind": kind,
                "reception": mode, "leader": leader,
                "leader_position": f"{'Phó Chủ tịch' if delegated else 'Chủ tịch'} UBND tỉnh {N.PROVINCE}",
                "authorised_by": self.chairman if mode == ReceptionMode.AUTHORISED_DEPUTY.value else None,
                "place": place,
            })

    def _visit_times(self, count: int, leader_day: bool) -> list[str]:
        """Sorted reception times of a day: every five minutes, mornings and afternoons."""
        rng = self.rng
        slots = []
        for _ in range(count):
            if leader_day or rng.random() < 0.62:
                minutes = 7 * 60 + 30 + 5 * int(rng.random() * 46)  # 07:30–11:15
            else:
                minutes = 13 * 60 + 30 + 5 * int(rng.random() * 36)  # 13:30–16:25
            slots.append(minutes)
        slots.sort()
        return [f"{m // 60:02d}:{m % 60:02d}" for m in slots]

    def visits(self, out: _Out) -> None:
        rng = self.rng
        weights = self._day_weights(weekend=0.0)
        for i, (_, mode, _) in self.sessions_by_day.items():
            # Citizens come on the published leaders' days.
            weights[i] *= 1.5 if mode == ReceptionMode.LEADER_ADHOC.value else 2.5
        per_day = _allocate(rng, self.size.visits, weights)
        vid = 0
        regular = ReceptionMode.REGULAR.value
        for day_index, count in enumerate(per_day):
            if not count:
                continue
            day = self.days[day_index].isoformat()
            officer = self.officers[day_index % len(self.officers)]
            session = self.sessions_by_day.get(day_index)
            share = 0.0 if session is None else 0.35 if session[1] == ReceptionMode.LEADER_ADHOC.value else 0.45
            times = self._visit_times(count, session is not None)
            for k in range(count):
                vid += 1
                if session is not None and rng.random() < share:
                    sid, mode, host = session
                else:
                    sid, mode, host = None, regular, officer
                c = self._pick_case(day_index, 0.6)
                primary = self.case_citizen[c] if rng.random() < 0.8 else int(rng.random() * self.size.citizens)
                title = self.title(c)
                repeat = self.case_visited[c]
                self.case_visited[c] = 1
                outcome = self.outcome_pick.pick(rng)
                if rng.random() < 0.03:  # đoàn đông người: 5 or more persons
                    persons = 5 + int(rng.expovariate(1 / 10))
                    if rng.random() < 0.05:
                        persons = rng.randint(50, 150)
                    persons = min(persons, 150)
                    n_reps = min(5, 1 + persons // 20 + rng.randint(0, 1))
                    reps = self._others(primary, n_reps - 1)
                    named = list(dict.fromkeys(reps + self._others(reps[-1], rng.randint(0, 3))[1:]))
                    ctx = self._placeholders(self.case_param[c], self.case_commune[c], self.case_day[c])
                    content = rng.choice(_DELEGATION_TEXTS).format(
                        persons=persons, reps=len(reps), title=title, village=ctx["village"], commune=ctx["commune"])
                    rep_ids = [f"C{x + 1}" for x in reps]
                else:
                    r = rng.random()
                    persons = 1 if r < 0.85 else (2 if r < 0.95 else rng.randint(3, 4))
                    named = self._others(primary, min(persons, 3) - 1)
                    template = rng.choice(_REPEAT_VISIT_TEXTS if repeat else _FIRST_VISIT_TEXTS)
                    content = template.format(title=title)
                    rep_ids = []
                ground = None
                if outcome == VisitOutcome.REFUSED.value:
                    ground = "k3" if repeat and rng.random() < 0.6 else rng.choice(("k1", "k2"))
                    content = _REFUSALS[ground]
                out.write("visit", {
                    "type": "visit", "id": f"V{vid}", "date": day, "time": times[k], "reception": mode,
                    "session_id": sid, "host": host, "case_id": f"K{c + 1}", "persons": persons,
                    "citizen_ids": [f"C{x + 1}" for x in named], "representative_ids": rep_ids,
                    "content": content, "outcome": outcome, "refusal_ground": ground,
                })

    def _route(self, fi: int, commune_index: int, sent: date) -> int:
        """The agency a petition of this field about this commune is transferred to.

        District-level bodies ceased on 01/07/2025 (two-level local government): nothing is sent
        to them after that day.
        """
        rng = self.rng
        district, commune = self.communes[commune_index]
        routes = FIELDS[fi].routes
        start = rng.randrange(len(routes))
        no_district = sent >= DISTRICTS_ABOLISHED
        for k in range(len(routes)):
            route = routes[(start + k) % len(routes)]
            if no_district and route.startswith("district"):
                continue
            if route == "commune":
                key = f"commune|{commune}|{district}"
            elif route == "district" or route.startswith("district:"):
                key = f"{route}|{district}"
            else:
                key = route
            idx = self.agency_keys.get(key)
            if idx is not None:
                return idx
        if no_district:
            return rng.choice(self.current_agencies)
        return rng.randrange(self.n_agencies)

    def petitions(self, out: _Out, transfers: _Out) -> None:
        rng = self.rng
        size = self.size
        per_day = _allocate(rng, size.petitions, self._day_weights(weekend=0.12))
        # Aim at the transfer target among the petitions that can be transferred (not duplicates
        # or anonymous), one in twenty going to two agencies.
        p_transfer = min(0.97, size.transfers / max(1, size.petitions * 0.86 * 1.05))
        online = list(_ONLINE_CHANNELS)
        pid = 0
        tid = 0
        numbers: dict[int, int] = {}
        today = self.today
        archive, transfer = HandlingDirection.ARCHIVE.value, HandlingDirection.TRANSFER.value
        accept, guide = HandlingDirection.ACCEPT.value, HandlingDirection.GUIDE.value
        transferred_in = Channel.TRANSFERRED_IN.value
        for day_index, count in enumerate(per_day):
            if not count:
                continue
            d = self.days[day_index]
            received_on = d.isoformat()
            working = self.work.is_working_day(d)
            for _ in range(count):
                pid += 1
                channel = self.channel_pick.pick(rng) if working else rng.choice(online)
                linked = rng.random() < (0.9 if channel == Channel.IN_PERSON.value else 0.5)
                duplicate_of = None
                if linked:
                    c = self._pick_case(day_index, 0.55)
                    kind = self.case_kind(c)
                    if kind in (R, F) and rng.random() < 0.1:
                        kind = F if kind == R else R
                    fi, commune_index = self.case_field(c), self.case_commune[c]
                    first = self.case_citizen[c] if rng.random() < 0.85 else int(rng.random() * size.citizens)
                    summary = self.title(c)
                    earlier = self.case_last_petition[c]
                    if earlier and rng.random() < 0.25:
                        duplicate_of = f"P{earlier}"
                        summary += _DUPLICATE_SUFFIX
                    self.case_last_petition[c] = pid
                    case_id: str | None = f"K{c + 1}"
                else:
                    fi = self.field_pick.pick(rng)
                    kind = self.kind_pick[fi].pick(rng)
                    commune_index = self.commune_pick.pick(rng)
                    tpl = rng.choice(_TEMPLATE_INDEX[(fi, kind)])
                    summary = _TEMPLATES[tpl][2].format_map(
                        self._placeholders(rng.getrandbits(32), commune_index, day_index))
                    first = int(rng.random() * size.citizens)
                    case_id = None
                anonymous = kind == D and rng.random() < 0.25
                if anonymous:
                    signers: list[int] = []
                    summary = _ANONYMOUS_PREFIX + summary
                elif rng.random() < 0.04:  # đơn tập thể: several households sign
                    signers = self._others(first, rng.randint(1, 24))
                else:
                    signers = [first]
                # Duplicates and anonymous letters are archived; the rest are transferred to the
                # competent body (processed within 10 working days as a rule, some late) or
                # accepted / answered with guidance. The last days' petitions are still being handled.
                sent = None
                if not (duplicate_of or anonymous) and rng.random() < p_transfer:
                    delay = rng.randint(11, 20) if rng.random() < 0.04 else rng.randint(1, 10)
                    sent = self.work.add(d, delay)
                    if sent > today:
                        sent = None
                if duplicate_of or anonymous:
                    handling = archive
                elif sent is not None:
                    handling = transfer
                elif (today - d).days < 14:
                    handling = None
                else:
                    handling = accept if rng.random() < (0.35 if kind in (C, D) else 0.5) else guide
                source = None
                if channel == transferred_in and self.sources:
                    source = f"A{rng.choice(self.sources) + 1}"
                out.write("petition", {
                    "type": "petition", "id": f"P{pid}", "received_on": received_on, "channel": channel,
                    "kind": kind, "case_id": case_id, "citizen_ids": [f"C{x + 1}" for x in signers],
                    "anonymous": anonymous, "summary": summary, "duplicate_of": duplicate_of,
                    "field": FIELDS[fi].name, "handling": handling, "source_agency_id": source,
                })
                if sent is None:
                    continue
                targets = [self._route(fi, commune_index, sent)]
                if rng.random() < 0.05:
                    second = self._route(fi, commune_index, sent)
                    if second != targets[0]:
                        targets.append(second)
                span = 7 if kind == D else 10  # days to answer: Luật Tố cáo Điều 24 / thụ lý khiếu nại
                due = self.work.add(sent, span)
                for agency in targets:
                    tid += 1
                    year = sent.year
                    numbers[year] = numbers.get(year, 0) + 1
                    answered = answer_number = result = None
                    if rng.random() < 0.88:
                        late = rng.random() < 0.22
                        wait = rng.randint(span + 1, span + 30) if late else rng.randint(2, span)
                        when = self.work.add(sent, wait)
                        if when <= today:
                            answered = when.isoformat()
                            answer_number = f"{rng.randint(1, 2500)}/{self.agency_codes[agency]}"
                            result = rng.choice(_TRANSFER_RESULTS)
                    transfers.write("transfer", {
                        "type": "transfer", "id": f"T{tid}", "petition_id": f"P{pid}", "agency_id": f"A{agency + 1}",
                        "sent_on": sent.isoformat(), "number": f"{numbers[year]}/PC-BTCD",
                        "due_on": due.isoformat(), "answered_on": answered, "answer_number": answer_number,
                        "result": result,
                    })

    def directives(self, out: _Out) -> None:
        rng = self.rng
        per_day = _allocate(rng, self.size.directives, self._day_weights(weekend=0.0))
        did = 0
        numbers: dict[int, int] = {}
        for day_index, count in enumerate(per_day):
            d = self.days[day_index]
            for _ in range(count):
                did += 1
                numbers[d.year] = numbers.get(d.year, 0) + 1
                ctx = self._placeholders(rng.getrandbits(32), self.commune_pick.pick(rng), day_index)
                ctx["name"] = self.person_name(rng.random() < 0.6)[0]
                ctx["year"] = d.year + (1 if d.month >= 10 else 0)
                case_id = None
                template = rng.choice(_DIRECTIVE_SUBJECTS)
                if "Tết" in template and d.month not in (11, 12, 1):  # Tết directives come before Tết
                    template = _DIRECTIVE_SUBJECTS[0]
                subject = template.format_map(ctx)
                if rng.random() < 0.5:  # about one case: the leader orders it settled
                    c = rng.randrange(max(1, self.cases_upto[day_index]))
                    case_id = f"K{c + 1}"
                    subject = f"V/v chỉ đạo giải quyết vụ việc: {self.title(c)}"
                out.write("directive", {
                    "type": "directive", "id": f"D{did}", "issued_on": d.isoformat(),
                    "number": f"{numbers[d.year]}/UBND-NC", "subject": subject, "case_id": case_id,
                })


def generate(
    path: str | os.PathLike[str],
    *,
    size: str | OfficeSize | Mapping[str, Any] = "small",
    seed: int = 1,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
    today: date | None = None,
) -> dict[str, int]:
    """Write a synthetic office to ``path`` (JSONL); returns how many records of each type.

    ``size`` is "small", "large", an OfficeSize or a mapping of counts (see OfficeSize); records
    span ``size.years`` up to ``today`` (default: the current date). The file appears complete or
    not at all: it is written beside the target and renamed at the end.
    """
    spec = resolve_size(size)
    today = today or date.today()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    side = target.with_name(target.name + ".transfers.part")
    counts = dict.fromkeys(RECORD_TYPES, 0)
    sessions = round(spec.years * 12 * 2.8)  # two scheduled days a month, an ad-hoc day in most
    total = (spec.agencies + spec.citizens + spec.cases + sessions + spec.visits + spec.petitions
             + spec.transfers + spec.directives)
    gen = _Generator(spec, seed, today, load_calendar())
    try:
        with part.open("wb") as fh, side.open("wb") as tfh:
            out = _Out(fh, counts, progress, cancel, total)
            # Transfers go to a side file (written while the petitions are) and are appended after them.
            tout = _Out(tfh, counts, None, None, total)
            gen.agencies(out)
            gen.citizens(out)
            gen.staff()
            gen.cases(out)
            gen.sessions(out)
            gen.visits(out)
            gen.petitions(out, tout)
            out.flush()
            tout.flush()
            tfh.flush()
            out.done += tout.done
            with side.open("rb") as src:
                shutil.copyfileobj(src, fh, 1 << 20)
            gen.directives(out)
            out.flush()
        os.replace(part, target)
    finally:
        side.unlink(missing_ok=True)
        part.unlink(missing_ok=True)
    if progress is not None:
        progress(sum(counts.values()), sum(counts.values()))
    return counts
