"""The narrative part of the office's report (phần lời văn), written from the report's figures.

It follows the wording of a real provincial report (seeds/003): "Quý IV/2023, Ban Tiếp công dân
đã tổ chức tiếp tổng số là: 40 lượt công dân đến khiếu nại, tố cáo, kiến nghị, phản ánh …", every
total followed by its change against the same period a year earlier ("(tăng 05 lượt so với cùng
kỳ)", "(giảm …)", "(bằng cùng kỳ)"). Numbers are written as Vietnamese administrative texts write
them: 01–09 with a leading zero, thousands grouped with a dot (17.040); a kind with no case is left
out of a breakdown, as the seed does.

Pure: figures in (by report key, domain.report_forms), paragraphs out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from reception_desk.domain.periods import ReportPeriod
from reception_desk.domain.report_forms import KIND_LABELS, REPORT_KINDS
from reception_desk.domain.text import fold

DEFAULT_OFFICE = "Ban Tiếp công dân"


@dataclass(frozen=True)
class NarrativeSection:
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Narrative:
    period_name: str  # "Quý I/2025"
    office: str  # "Ban Tiếp công dân tỉnh Hà Tĩnh"
    sections: tuple[NarrativeSection, ...]

    @property
    def text(self) -> str:
        """Ready to paste: each section's title, then its paragraphs, one per line."""
        lines: list[str] = []
        for section in self.sections:
            lines.append(section.title)
            lines.extend(section.paragraphs)
        return "\n".join(lines)


# --- numbers and comparisons -------------------------------------------------------------------


def number_text(n: int) -> str:
    """17040 → "17.040", 7 → "07", 0 → "0" (a leading zero below ten, as official texts write)."""
    if 0 < abs(n) < 10:
        return f"{'-' if n < 0 else ''}0{abs(n)}"
    return f"{n:,}".replace(",", ".")


def quantity(n: int, unit: str) -> str:
    """"05 lượt", "1.204 đơn"."""
    return f"{number_text(n)} {unit}"


def change_text(current: int, previous: int, unit: str) -> str:
    """"tăng 05 lượt so với cùng kỳ", "giảm 12 đơn so với cùng kỳ", or "bằng cùng kỳ"."""
    diff = current - previous
    if diff == 0:
        return "bằng cùng kỳ"
    return f"{'tăng' if diff > 0 else 'giảm'} {quantity(abs(diff), unit)} so với cùng kỳ"


class _Figures:
    """Current and previous-year figures by key (a missing key is 0: e.g. a field not seen)."""

    def __init__(self, current: Mapping[str, int], previous: Mapping[str, int]) -> None:
        self.current, self.previous = current, previous

    def __call__(self, key: str) -> int:
        return int(self.current.get(key, 0))

    def q(self, key: str, unit: str) -> str:
        return quantity(self(key), unit)

    def cmp(self, key: str, unit: str) -> str:
        """The figure with its change in brackets: "40 lượt (tăng 05 lượt so với cùng kỳ)"."""
        return f"{self.q(key, unit)} ({change_text(self(key), int(self.previous.get(key, 0)), unit)})"

    def change(self, key: str, unit: str) -> str:
        return change_text(self(key), int(self.previous.get(key, 0)), unit)


def _kinds(f: _Figures, prefix: str, unit: str, *, lower: bool = False) -> str:
    """"Khiếu nại 02 vụ việc; Kiến nghị, phản ánh 31 vụ việc" — kinds with none left out."""
    parts = []
    for kind in REPORT_KINDS:
        n = f(f"{prefix}.{kind}")
        if n:
            label = KIND_LABELS[kind]
            parts.append(f"{label.lower() if lower else label} {quantity(n, unit)}")
    return "; ".join(parts)


# --- the sections ------------------------------------------------------------------------------


def _regular(f: _Figures, when: str, office: str) -> NarrativeSection:
    g = "tcd.regular"
    paragraphs = []
    if f(f"{g}.visits"):
        kinds = _kinds(f, f"{g}.by_kind", "vụ việc")
        paragraphs.append(
            f"- {when}, {office} đã tổ chức tiếp tổng số là: {f.q(f'{g}.visits', 'lượt')} công dân đến khiếu nại, "
            f"tố cáo, kiến nghị, phản ánh ({f.change(f'{g}.visits', 'lượt')}), trong đó tiếp lần đầu: "
            f"{f.q(f'{g}.first_visits', 'lượt')}, tiếp nhiều lần: {f.q(f'{g}.repeat_visits', 'lượt')}; "
            f"với tổng số {f.cmp(f'{g}.cases', 'vụ việc')}, số công dân là {f.cmp(f'{g}.persons', 'người')}; "
            f"vụ việc tiếp lần đầu: {f.q(f'{g}.first_cases', 'vụ việc')}, tiếp nhiều lần: "
            f"{f.q(f'{g}.repeat_cases', 'vụ việc')}" + (f" ({kinds})." if kinds else "."))
    else:
        paragraphs.append(f"- {when}, {office} không tiếp lượt công dân nào ({f.change(f'{g}.visits', 'lượt')}).")
    d = f"{g}.delegations"
    if f(f"{d}.count"):
        paragraphs.append(
            f"- Tiếp {f.q(f'{d}.count', 'đoàn')} đông người ({f.change(f'{d}.count', 'đoàn')}), với {f.q(f'{d}.cases', 'vụ việc')}; tổng số người là "
            f"{f.cmp(f'{d}.persons', 'người')}; tiếp lần đầu: {f.q(f'{d}.first_cases', 'vụ việc')}; tiếp nhiều lần: "
            f"{f.q(f'{d}.repeat_cases', 'vụ việc')}; đoàn đông người nhất {f.q(f'{d}.largest', 'người')}.")
    else:
        paragraphs.append(f"- Không có đoàn đông người ({f.change(f'{d}.count', 'đoàn')}).")
    return NarrativeSection("a) Về công tác tiếp công dân thường xuyên", tuple(paragraphs))


def _leaders(f: _Figures, when: str) -> NarrativeSection:
    g = "tcd.leaders"
    if not f(f"{g}.visits"):
        text = (f"- {when}, không có lượt tiếp công dân định kỳ, đột xuất của lãnh đạo "
                f"({f.change(f'{g}.visits', 'lượt')}).")
        return NarrativeSection("b) Về công tác tiếp công dân định kỳ, đột xuất của lãnh đạo", (text,))
    parts = []
    if f("tcd.head.visits") or f("tcd.head.sessions"):
        parts.append(f"thủ trưởng tiếp {_sessions(f, 'tcd.head')}{f.q('tcd.head.visits', 'lượt')} "
                     f"(định kỳ {f.q('tcd.head_scheduled.visits', 'lượt')}, đột xuất "
                     f"{f.q('tcd.head_adhoc.visits', 'lượt')})")
    if f("tcd.deputy.visits") or f("tcd.deputy.sessions"):
        parts.append(f"ủy quyền tiếp {_sessions(f, 'tcd.deputy')}{f.q('tcd.deputy.visits', 'lượt')}")
    text = (f"- {when}, lãnh đạo đã tổ chức tiếp công dân định kỳ, đột xuất để giải quyết khiếu nại, tố cáo, "
            f"kiến nghị, phản ánh của công dân được {f.cmp(f'{g}.visits', 'lượt')}, tổng số người: "
            f"{f.q(f'{g}.persons', 'người')}, với {f.q(f'{g}.cases', 'vụ việc')}")
    if parts:
        text += "; trong đó: " + "; ".join(parts)
    d = f"{g}.delegations"
    if f(f"{d}.count"):
        text += (f"; có {f.q(f'{d}.count', 'đoàn')} đông người với {f.q(f'{d}.cases', 'vụ việc')}, "
                 f"số người được tiếp là {f.q(f'{d}.persons', 'người')}")
    kinds = _kinds(f, f"{g}.by_kind", "vụ việc")
    text += f" ({kinds})." if kinds else "."
    return NarrativeSection("b) Về công tác tiếp công dân định kỳ, đột xuất của lãnh đạo", (text,))


def _sessions(f: _Figures, group: str) -> str:
    """"03 kỳ, " — nothing when no reception day was recorded (visits not linked to a session)."""
    n = f(f"{group}.sessions")
    return f"{quantity(n, 'kỳ')}, " if n else ""


def _petitions(f: _Figures, when: str, office: str) -> NarrativeSection:
    paragraphs = []
    if f("xld.received.total"):
        kinds = _kinds(f, "xld.by_kind", "đơn", lower=True)
        text = f"- {when}, {office} tiếp nhận, xử lý {f.cmp('xld.received.total', 'đơn')}."
        if kinds:
            text += f" Trong đó: {kinds[:1].upper()}{kinds[1:]}."
        paragraphs.append(text)
        said = []
        if f("xld.eligibility.eligible") or f("xld.eligibility.not_eligible"):
            checks = [(f("xld.eligibility.eligible"), "đủ điều kiện xử lý"),
                      (f("xld.eligibility.not_eligible"), "không đủ điều kiện xử lý"),
                      (f("xld.eligibility.unassessed"), "chưa xét điều kiện xử lý")]
            said.append("- Qua phân loại: " + ", ".join(f"{quantity(n, 'đơn')} {label}" for n, label in checks if n)
                        + ".")
        handling = [(f("xld.handling.accept"), "thụ lý"), (f("xld.handling.transfer"), "chuyển đơn"),
                    (f("xld.handling.guide"), "hướng dẫn"), (f("xld.handling.archive"), "lưu đơn")]
        pending = f("xld.handling.pending")
        if any(n for n, _ in handling):
            text = "- Hướng xử lý: " + ", ".join(f"{label} {quantity(n, 'đơn')}" for n, label in handling if n)
            said.append(text + (f"; còn {quantity(pending, 'đơn')} chưa có hướng xử lý." if pending else "."))
        elif pending:
            said.append(f"- Các đơn đều chưa có hướng xử lý ({quantity(pending, 'đơn')}).")
        paragraphs.extend(said)
    else:
        paragraphs.append(f"- {when}, {office} không tiếp nhận đơn nào ({f.change('xld.received.total', 'đơn')}).")
    if f("xld.transfers.sent"):
        text = (f"- {when}, {office} đã xử lý, chuyển {f.q('xld.transfers.sent', 'văn bản')} đến các cơ quan, "
                "đơn vị có thẩm quyền để giải quyết nội dung, vụ việc khiếu nại, tố cáo, kiến nghị, phản ánh của "
                f"công dân theo quy định của pháp luật ({f.change('xld.transfers.sent', 'văn bản')})")
    else:
        text = f"- {when}, {office} không chuyển đơn đến cơ quan khác ({f.change('xld.transfers.sent', 'văn bản')})"
    answered = f("xld.transfers.answered")
    text += (f"; nhận được {quantity(answered, 'văn bản')} phúc đáp" if answered
             else "; chưa nhận được văn bản phúc đáp nào")
    overdue = f("xld.transfers.overdue")
    text += (f"; đến hết kỳ còn {quantity(overdue, 'văn bản')} chuyển đơn quá hạn chưa có trả lời." if overdue
             else "; đến hết kỳ không có văn bản chuyển đơn nào quá hạn chưa có trả lời.")
    paragraphs.append(text)
    if f("xld.directives"):
        paragraphs.append(f"- Tham mưu cho lãnh đạo ban hành {f.q('xld.directives', 'văn bản')} chỉ đạo giải quyết "
                          "đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh của công dân "
                          f"({f.change('xld.directives', 'văn bản')}).")
    return NarrativeSection("c) Về công tác tiếp nhận, xử lý đơn", tuple(paragraphs))


def narrative(period: ReportPeriod, current: Mapping[str, int], previous: Mapping[str, int],
              office: str = DEFAULT_OFFICE) -> Narrative:
    """The narrative of a period from its figures and the same period a year earlier."""
    f = _Figures(current, previous)
    when = period.sentence_name
    office = office or DEFAULT_OFFICE
    sections = (_regular(f, when, office), _leaders(f, when), _petitions(f, when, office))
    return Narrative(period.name, office, sections)


# --- the office's name in running text -----------------------------------------------------------

# Names are stored in capitals for the letterhead (NĐ 30/2020); a sentence writes them with the
# agency words capitalised and place names in title case: "BAN TIẾP CÔNG DÂN TỈNH HÀ TĨNH" →
# "Ban Tiếp công dân tỉnh Hà Tĩnh".
_LEVELS = ("thành phố", "thị xã", "thị trấn", "đặc khu", "tỉnh", "huyện", "quận", "xã", "phường")
_AGENCY_WORDS = ("ủy ban", "uỷ ban", "hội đồng", "văn phòng", "thanh tra", "trung tâm", "ban", "sở", "phòng")
_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]+(ch|ng|nh|[cmnptk])?")


def _is_acronym(word: str) -> bool:
    """UBND, HĐND, TCD: no tone or vowel marks and not a Vietnamese syllable, so kept in capitals
    (a place name of a minority language, such as "KRÔNG" or "R'LẤP", carries marks)."""
    if any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", word)):
        return False
    letters = re.sub(r"[^\w]", "", fold(word))
    return bool(letters) and letters.isalpha() and _SYLLABLE.fullmatch(letters) is None


def _title(word: str) -> str:
    """Title case of a place-name word, also after an apostrophe or hyphen: "r'lấp" → "R'Lấp"."""
    return re.sub(r"(^|['’-])(\w)", lambda m: m.group(1) + m.group(2).upper(), word)


def prose_name(name: str | None) -> str:
    """An office name as running text writes it; a name already in mixed case is kept as it is."""
    name = (name or "").strip()
    if not name:
        return DEFAULT_OFFICE
    if name != name.upper():
        return name
    words = name.split()
    lowered = [w if _is_acronym(w) else w.lower() for w in words]
    out = list(lowered)
    i, place = 0, False
    while i < len(out):
        if place:
            out[i] = _title(out[i])
            i += 1
            continue
        rest = " ".join(lowered[i:])
        level = next((lv for lv in _LEVELS if rest == lv or rest.startswith(lv + " ")), None)
        if level is not None:
            i += len(level.split())
            place = True
            continue
        agency = next((a for a in _AGENCY_WORDS if rest == a or rest.startswith(a + " ")), None)
        if agency is not None:
            out[i] = out[i][:1].upper() + out[i][1:]
            n = len(agency.split())
            # "Ban Tiếp công dân": the function word after "Ban" is capitalised too
            if agency == "ban" and i + 1 < len(out) and out[i + 1] == "tiếp":
                out[i + 1] = "Tiếp"
                n = 2
            i += n
            continue
        i += 1
    out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)
