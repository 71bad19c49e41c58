"""The office's period report as data: figure keys, what each one counts, and the form layouts.

Every figure of the report has a stable dotted key ("tcd.regular.visits", "xld.by_channel.post"),
a Vietnamese label and unit, and a ``FigureSpec`` that says which records it counts — the same
spec drives the fast aggregate (storage.report_queries) and the drill-down list, so a leader who
opens a number sees exactly the records behind it.

Two families (domain notes §8):

- ``tcd.*`` — Biểu 01/TCD (tiếp công dân). Reception groups of modes: ``regular`` (tiếp thường
  xuyên), ``head`` (thủ trưởng tiếp: ``head_scheduled`` định kỳ + ``head_adhoc`` đột xuất),
  ``deputy`` (ủy quyền tiếp) and ``leaders`` (all three, as the narrative says "lãnh đạo tiếp").
  Per group: visits, persons, cases (first-time / repeat), delegations, cases by kind, and for
  leader groups the number of reception sessions (số kỳ tiếp). ``tcd.total.*`` are the form's
  columns 1–3 (sums of the groups' columns), ``tcd.by_field.<slug>`` the cases by field.
- ``xld.*`` — Biểu 01/XLD (xử lý đơn): petitions received in the period by channel and kind,
  eligibility, handling direction; transfer letters sent, answers received, transfers overdue at
  the end of the period; directives issued.

The form layouts (``TCD_COLUMNS``, ``XLD_COLUMNS``) follow TT 02/2021 as reconstructed in domain
notes §8.2–8.3 (⚠ TT 06/2025 may differ): change the tables, not the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from reception_desk.domain.enums import (
    Channel,
    HandlingDirection,
    PetitionKind,
    ReceptionMode,
    ReportKind,
    report_kind,
)
from reception_desk.domain.text import fold

RecordKind = Literal["visit", "case", "session", "petition", "transfer", "directive"]
Measure = Literal["count", "sum_persons", "max_persons"]
Eligibility = Literal["eligible", "not_eligible", "unassessed"]
TransferState = Literal["sent", "answered", "overdue"]

# --- reception groups ------------------------------------------------------------------------

R, LS, LA, AD = (ReceptionMode.REGULAR.value, ReceptionMode.LEADER_SCHEDULED.value,
                 ReceptionMode.LEADER_ADHOC.value, ReceptionMode.AUTHORISED_DEPUTY.value)

# The reception modes the statistics know, in the order the case profile reads them.
BASE_MODES: tuple[str, ...] = (R, LS, LA, AD)


@dataclass(frozen=True)
class ReceptionGroup:
    name: str
    label: str
    modes: tuple[str, ...]
    has_sessions: bool  # a leader group: its reception days are counted (số kỳ tiếp)


RECEPTION_GROUPS: tuple[ReceptionGroup, ...] = (
    ReceptionGroup("regular", "Tiếp thường xuyên", (R,), False),
    ReceptionGroup("leaders", "Lãnh đạo tiếp (định kỳ, đột xuất, ủy quyền)", (LS, LA, AD), True),
    ReceptionGroup("head", "Thủ trưởng tiếp (định kỳ và đột xuất)", (LS, LA), True),
    ReceptionGroup("head_scheduled", "Thủ trưởng tiếp định kỳ", (LS,), True),
    ReceptionGroup("head_adhoc", "Thủ trưởng tiếp đột xuất", (LA,), True),
    ReceptionGroup("deputy", "Ủy quyền tiếp", (AD,), True),
)
GROUPS_BY_NAME: dict[str, ReceptionGroup] = {g.name: g for g in RECEPTION_GROUPS}

# The form adds its three blocks of columns: regular (4–11), head (12–20), deputy (21–29).
TOTAL_PARTS: tuple[str, ...] = ("regular", "head", "deputy")

# Report kinds → the stored kinds they gather (recommendation and feedback together).
REPORT_KINDS: dict[str, tuple[str, ...]] = {
    rk.value: tuple(pk.value for pk in PetitionKind if report_kind(pk) is rk) for rk in ReportKind
}
KIND_LABELS: dict[str, str] = {rk.value: rk.label for rk in ReportKind}

# --- the figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureSpec:
    """Which records a figure counts, and how (COUNT of records, SUM or MAX of their persons).

    Filters left at their default do not apply. ``first``: for visits, whether the visit is its
    case's first visit (in any mode); for cases, whether the case's first visit falls in the
    period. ``parts``: a figure made of several groups' case counts added up (the form's column 3):
    a case counts once in each part it belongs to.
    """

    records: RecordKind
    measure: Measure = "count"
    modes: tuple[str, ...] = ()
    parts: tuple[tuple[str, ...], ...] = ()
    delegation: bool = False
    first: bool | None = None
    case_kinds: tuple[str, ...] = ()
    field_slug: str | None = None
    channel: str | None = None
    petition_kinds: tuple[str, ...] = ()
    eligibility: Eligibility | None = None
    handling: str | None = None  # a HandlingDirection code, or PENDING for "not handled yet"
    transfer_state: TransferState | None = None


@dataclass(frozen=True)
class FigureDef:
    key: str
    label: str  # Vietnamese, as a column or line of the report says it
    unit: str  # lượt, người, vụ việc, đoàn, kỳ, đơn, văn bản
    spec: FigureSpec
    form: str | None = None  # "01/TCD", "01/XLD"
    columns: tuple[int, ...] = ()  # the form columns that show this figure (TT 02/2021 layout)


PENDING = "pending"
FIELD_UNSET = "chua_phan_loai"
FIELD_UNSET_LABEL = "Chưa phân loại"
_SLUG = re.compile(r"[^a-z0-9]+")


def field_slug(field: str | None) -> str:
    """The key part of a field (lĩnh vực): folded, words joined by "_"; no field → "chua_phan_loai".

    "Đất đai" → "dat_dai". Spellings that fold alike are one field in the report.
    """
    slug = _SLUG.sub("_", fold(field)).strip("_")
    return slug or FIELD_UNSET


def _group_figures(group: ReceptionGroup, column_of: Mapping[str, tuple[int, ...]]) -> list[FigureDef]:
    g, modes = group.name, group.modes
    prefix = f"tcd.{g}"

    def fig(name: str, label: str, unit: str, spec: FigureSpec) -> FigureDef:
        return FigureDef(f"{prefix}.{name}", f"{group.label}: {label}", unit, spec, "01/TCD",
                         column_of.get(name, ()))

    visits = FigureSpec("visit", modes=modes)
    cases = FigureSpec("case", modes=modes)
    dvisits = FigureSpec("visit", modes=modes, delegation=True)
    dcases = FigureSpec("case", modes=modes, delegation=True)
    figures = [
        fig("visits", "số lượt tiếp", "lượt", visits),
        fig("first_visits", "lượt tiếp lần đầu", "lượt", FigureSpec("visit", modes=modes, first=True)),
        fig("repeat_visits", "lượt tiếp nhiều lần", "lượt", FigureSpec("visit", modes=modes, first=False)),
        fig("persons", "số người được tiếp", "người", FigureSpec("visit", "sum_persons", modes=modes)),
        fig("cases", "số vụ việc", "vụ việc", cases),
        fig("first_cases", "vụ việc tiếp lần đầu", "vụ việc", FigureSpec("case", modes=modes, first=True)),
        fig("repeat_cases", "vụ việc tiếp nhiều lần", "vụ việc", FigureSpec("case", modes=modes, first=False)),
    ]
    for kind, stored in REPORT_KINDS.items():
        figures.append(fig(f"by_kind.{kind}", f"vụ việc {KIND_LABELS[kind].lower()}", "vụ việc",
                           FigureSpec("case", modes=modes, case_kinds=stored)))
    figures += [
        fig("delegations.count", "số đoàn đông người", "đoàn", dvisits),
        fig("delegations.persons", "số người trong đoàn đông người", "người",
            FigureSpec("visit", "sum_persons", modes=modes, delegation=True)),
        fig("delegations.cases", "vụ việc của đoàn đông người", "vụ việc", dcases),
        fig("delegations.first_cases", "vụ việc đoàn đông người tiếp lần đầu", "vụ việc",
            FigureSpec("case", modes=modes, delegation=True, first=True)),
        fig("delegations.repeat_cases", "vụ việc đoàn đông người tiếp nhiều lần", "vụ việc",
            FigureSpec("case", modes=modes, delegation=True, first=False)),
        fig("delegations.largest", "đoàn đông người nhất", "người",
            FigureSpec("visit", "max_persons", modes=modes, delegation=True)),
    ]
    if group.has_sessions:
        figures.append(fig("sessions", "số kỳ tiếp", "kỳ", FigureSpec("session", modes=modes)))
    return figures


# Form columns of 01/TCD per group block (TT 02/2021 layout, domain notes §8.2).
_TCD_BLOCK_COLUMNS: dict[str, dict[str, tuple[int, ...]]] = {
    "regular": {"visits": (4,), "persons": (5,), "first_cases": (6,), "repeat_cases": (7,),
                "delegations.count": (8,), "delegations.persons": (9,), "delegations.first_cases": (10,),
                "delegations.repeat_cases": (11,)},
    "head": {"sessions": (12,), "visits": (13,), "persons": (14,), "first_cases": (15,), "repeat_cases": (16,),
             "delegations.count": (17,), "delegations.persons": (18,), "delegations.first_cases": (19,),
             "delegations.repeat_cases": (20,)},
    "deputy": {"sessions": (21,), "visits": (22,), "persons": (23,), "first_cases": (24,), "repeat_cases": (25,),
               "delegations.count": (26,), "delegations.persons": (27,), "delegations.first_cases": (28,),
               "delegations.repeat_cases": (29,)},
}


def _static_figures() -> tuple[FigureDef, ...]:
    figures: list[FigureDef] = []
    all_modes = BASE_MODES
    figures += [
        FigureDef("tcd.total.visits", "Tổng số lượt tiếp", "lượt", FigureSpec("visit", modes=all_modes),
                  "01/TCD", (1,)),
        FigureDef("tcd.total.persons", "Tổng số người được tiếp", "người",
                  FigureSpec("visit", "sum_persons", modes=all_modes), "01/TCD", (2,)),
        FigureDef("tcd.total.cases", "Tổng số vụ việc tiếp (cộng các khối tiếp)", "vụ việc",
                  FigureSpec("case", parts=tuple(GROUPS_BY_NAME[p].modes for p in TOTAL_PARTS)), "01/TCD", (3,)),
    ]
    for group in RECEPTION_GROUPS:
        figures += _group_figures(group, _TCD_BLOCK_COLUMNS.get(group.name, {}))

    def xld(key: str, label: str, unit: str, spec: FigureSpec, columns: tuple[int, ...] = ()) -> FigureDef:
        return FigureDef(f"xld.{key}", label, unit, spec, "01/XLD", columns)

    figures.append(xld("received.total", "Số đơn tiếp nhận trong kỳ", "đơn", FigureSpec("petition"), (5,)))
    for channel in Channel:
        figures.append(xld(f"by_channel.{channel.value}", f"Đơn nhận qua: {channel.label}", "đơn",
                           FigureSpec("petition", channel=channel.value)))
    for kind, stored in REPORT_KINDS.items():
        figures.append(xld(f"by_kind.{kind}", f"Đơn {KIND_LABELS[kind].lower()}", "đơn",
                           FigureSpec("petition", petition_kinds=stored)))
    figures += [
        xld("eligibility.eligible", "Đơn đủ điều kiện xử lý", "đơn", FigureSpec("petition", eligibility="eligible"),
            (9,)),
        xld("eligibility.not_eligible", "Đơn không đủ điều kiện xử lý", "đơn",
            FigureSpec("petition", eligibility="not_eligible")),
        xld("eligibility.unassessed", "Đơn chưa xét điều kiện xử lý", "đơn",
            FigureSpec("petition", eligibility="unassessed")),
    ]
    for n, (kind, stored) in enumerate(REPORT_KINDS.items()):
        figures.append(xld(f"eligible_by_kind.{kind}", f"Đơn đủ điều kiện xử lý: {KIND_LABELS[kind].lower()}",
                           "đơn", FigureSpec("petition", petition_kinds=stored, eligibility="eligible"), (11 + n,)))
    handling_columns = {HandlingDirection.ACCEPT: (18,), HandlingDirection.GUIDE: (23,),
                        HandlingDirection.TRANSFER: (24,)}
    for direction in HandlingDirection:
        figures.append(xld(f"handling.{direction.value}", f"Hướng xử lý: {direction.label}", "đơn",
                           FigureSpec("petition", handling=direction.value), handling_columns.get(direction, ())))
    figures += [
        xld(f"handling.{PENDING}", "Đơn chưa có hướng xử lý", "đơn", FigureSpec("petition", handling=PENDING)),
        xld("transfers.sent", "Văn bản chuyển đơn đã gửi trong kỳ", "văn bản",
            FigureSpec("transfer", transfer_state="sent")),
        xld("transfers.answered", "Văn bản phúc đáp nhận được do chuyển đơn", "văn bản",
            FigureSpec("transfer", transfer_state="answered"), (26,)),
        xld("transfers.overdue", "Chuyển đơn quá hạn chưa có trả lời (đến hết kỳ)", "văn bản",
            FigureSpec("transfer", transfer_state="overdue")),
        xld("directives", "Văn bản chỉ đạo giải quyết đơn đã ban hành", "văn bản", FigureSpec("directive")),
    ]
    return tuple(figures)


STATIC_FIGURES: tuple[FigureDef, ...] = _static_figures()
_STATIC_BY_KEY: dict[str, FigureDef] = {f.key: f for f in STATIC_FIGURES}
FIELD_PREFIX = "tcd.by_field."


def field_figure(slug: str, label: str | None = None) -> FigureDef:
    """The figure of the cases of one field (lĩnh vực), visited in the period in any mode."""
    shown = label or (FIELD_UNSET_LABEL if slug == FIELD_UNSET else slug.replace("_", " "))
    return FigureDef(FIELD_PREFIX + slug, f"Vụ việc lĩnh vực: {shown}", "vụ việc",
                     FigureSpec("case", modes=BASE_MODES, field_slug=slug), "01/TCD")


def figure_definitions(field_labels: Mapping[str, str] | None = None) -> tuple[FigureDef, ...]:
    """Every figure: the static ones, then one per field slug of ``field_labels`` (slug → label)."""
    fields = field_labels or {}
    return STATIC_FIGURES + tuple(field_figure(slug, label) for slug, label in sorted(fields.items()))


# Keys of the issue-3 JSON (services.statistics) that name the same records as a report figure.
_LEGACY_GROUP_MEASURES = {"cases_by_kind": "by_kind"}
LEGACY_PETITION_KEYS = {
    "petitions.received": "xld.received.total",
    "petitions.transferred": "xld.transfers.sent",
    "petitions.directives": "xld.directives",
}


def canonical_key(key: str) -> str:
    """A report key, also accepting the statistics JSON's keys ("reception.regular.visits")."""
    key = key.strip()
    if key in LEGACY_PETITION_KEYS:
        return LEGACY_PETITION_KEYS[key]
    if key.startswith("petitions.by_kind."):
        return "xld.by_kind." + key.removeprefix("petitions.by_kind.")
    if key.startswith("reception."):
        parts = key.split(".")[1:]
        if len(parts) >= 2:
            parts[1] = _LEGACY_GROUP_MEASURES.get(parts[1], parts[1])
        return "tcd." + ".".join(parts)
    return key


def figure_def(key: str) -> FigureDef:
    """The definition of a figure key (or a statistics JSON key); ValueError (Vietnamese) if unknown."""
    canonical = canonical_key(key)
    found = _STATIC_BY_KEY.get(canonical)
    if found is not None:
        return found
    if canonical.startswith(FIELD_PREFIX):
        slug = canonical.removeprefix(FIELD_PREFIX)
        if slug and _SLUG.sub("_", slug).strip("_") == slug:
            return field_figure(slug)
    raise ValueError(f"không có số liệu “{key}” trong báo cáo")


def figure_keys(field_slugs: Iterable[str] = ()) -> list[str]:
    return [f.key for f in STATIC_FIGURES] + [FIELD_PREFIX + s for s in sorted(set(field_slugs))]


# --- form layouts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormColumn:
    """One numbered column of a form: its header path (outer group first) and the figure keys it
    adds up (one key for most columns; several where the form sums blocks)."""

    number: int
    headers: tuple[str, ...]
    keys: tuple[str, ...]


def _tcd_columns() -> tuple[FormColumn, ...]:
    blocks = (
        ("regular", ("Tiếp thường xuyên",)),
        ("head", ("Tiếp định kỳ và đột xuất", "Thủ trưởng tiếp")),
        ("deputy", ("Tiếp định kỳ và đột xuất", "Ủy quyền tiếp")),
    )
    names = {
        "sessions": ("Số kỳ tiếp",),
        "visits": ("Số lượt tiếp",),
        "persons": ("Số người được tiếp",),
        "first_cases": ("Số vụ việc", "Tiếp lần đầu"),
        "repeat_cases": ("Số vụ việc", "Tiếp nhiều lần"),
        "delegations.count": ("Trong đó đoàn đông người", "Số đoàn được tiếp"),
        "delegations.persons": ("Trong đó đoàn đông người", "Số người được tiếp"),
        "delegations.first_cases": ("Trong đó đoàn đông người", "Vụ việc", "Tiếp lần đầu"),
        "delegations.repeat_cases": ("Trong đó đoàn đông người", "Vụ việc", "Tiếp nhiều lần"),
    }
    columns = [
        FormColumn(1, ("Tổng số lượt tiếp",), tuple(f"tcd.{b}.visits" for b in TOTAL_PARTS)),
        FormColumn(2, ("Tổng số người được tiếp",), tuple(f"tcd.{b}.persons" for b in TOTAL_PARTS)),
        FormColumn(3, ("Tổng số vụ việc tiếp",),
                   tuple(f"tcd.{b}.{m}" for b in TOTAL_PARTS for m in ("first_cases", "repeat_cases"))),
    ]
    for block, headers in blocks:
        for measure, number in sorted(_TCD_BLOCK_COLUMNS[block].items(), key=lambda item: item[1]):
            columns.append(FormColumn(number[0], headers + names[measure], (f"tcd.{block}.{measure}",)))
    return tuple(sorted(columns, key=lambda c: c.number))


TCD_COLUMNS: tuple[FormColumn, ...] = _tcd_columns()
TCD_TITLE = "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN THƯỜNG XUYÊN, ĐỊNH KỲ VÀ ĐỘT XUẤT"

# 01/XLD as far as the desk records it. Columns 2–4 (carried over from the previous period), the
# split of 5–7 by number of signers, 10, 14–17 and 25 need data the desk does not keep.
XLD_COLUMNS: tuple[FormColumn, ...] = (
    # columns 5–7 split the petitions received by number of signers; the desk gives their sum
    FormColumn(5, ("Tiếp nhận trong kỳ (cột 5–7 cộng lại)",), ("xld.received.total",)),
    FormColumn(9, ("Đủ điều kiện xử lý", "Số đơn"), ("xld.eligibility.eligible",)),
    FormColumn(11, ("Đủ điều kiện xử lý", "Phân loại theo nội dung", "Khiếu nại"),
               ("xld.eligible_by_kind.complaint",)),
    FormColumn(12, ("Đủ điều kiện xử lý", "Phân loại theo nội dung", "Tố cáo"),
               ("xld.eligible_by_kind.denunciation",)),
    FormColumn(13, ("Đủ điều kiện xử lý", "Phân loại theo nội dung", "Kiến nghị, phản ánh"),
               ("xld.eligible_by_kind.recommendation_feedback",)),
    FormColumn(18, ("Kết quả xử lý", "Đơn thuộc thẩm quyền (thụ lý)"), ("xld.handling.accept",)),
    FormColumn(23, ("Kết quả xử lý", "Đơn không thuộc thẩm quyền", "Hướng dẫn"), ("xld.handling.guide",)),
    FormColumn(24, ("Kết quả xử lý", "Đơn không thuộc thẩm quyền", "Chuyển đơn"), ("xld.handling.transfer",)),
    FormColumn(26, ("Số văn bản phúc đáp nhận được do chuyển đơn",), ("xld.transfers.answered",)),
)
XLD_TITLE = "TỔNG HỢP KẾT QUẢ XỬ LÝ ĐƠN KHIẾU NẠI, TỐ CÁO, KIẾN NGHỊ, PHẢN ÁNH"
