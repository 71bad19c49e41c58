"""The report as data: figure keys, form layouts, field slugs, and the period picker's choices."""

from __future__ import annotations

from datetime import date

import pytest

from reception_desk.domain.periods import (
    FREE_RANGE,
    OFFICIAL_PERIODS,
    describe_period,
    format_day,
    free_period,
    official_report_period,
    period_choices,
)
from reception_desk.domain.report_forms import (
    BASE_MODES,
    FIELD_UNSET,
    RECEPTION_GROUPS,
    STATIC_FIGURES,
    TCD_COLUMNS,
    XLD_COLUMNS,
    canonical_key,
    field_slug,
    figure_def,
    figure_definitions,
    figure_keys,
)


def test_keys_are_unique_and_well_formed() -> None:
    keys = [f.key for f in STATIC_FIGURES]
    assert len(keys) == len(set(keys))
    assert all(k.startswith(("tcd.", "xld.")) and k == k.strip() and " " not in k for k in keys)
    assert all(f.label and f.unit in ("lượt", "người", "vụ việc", "đoàn", "kỳ", "đơn", "văn bản")
               for f in STATIC_FIGURES)
    for example in ("tcd.regular.visits", "tcd.head_scheduled.delegations.largest", "tcd.deputy.sessions",
                    "tcd.total.cases", "xld.by_channel.post", "xld.handling.pending", "xld.transfers.overdue"):
        assert example in keys


def test_every_group_has_every_measure_and_leader_groups_have_sessions() -> None:
    for group in RECEPTION_GROUPS:
        keys = {f.key for f in STATIC_FIGURES if f.key.startswith(f"tcd.{group.name}.")}
        assert len(keys) == 16 + (1 if group.has_sessions else 0), group.name
        assert set(group.modes) <= set(BASE_MODES)


def test_measures_and_records() -> None:
    assert figure_def("tcd.regular.persons").spec.measure == "sum_persons"
    assert figure_def("tcd.leaders.delegations.largest").spec.measure == "max_persons"
    assert figure_def("tcd.head.cases").spec.records == "case"
    assert figure_def("tcd.head.cases").spec.modes == ("leader_scheduled", "leader_adhoc")
    assert figure_def("xld.eligible_by_kind.recommendation_feedback").spec.petition_kinds == (
        "recommendation", "feedback")
    assert figure_def("xld.transfers.answered").spec.transfer_state == "answered"


def test_tcd_columns_follow_the_form() -> None:
    assert [c.number for c in TCD_COLUMNS] == list(range(1, 30))
    by_number = {c.number: c for c in TCD_COLUMNS}
    assert by_number[1].keys == ("tcd.regular.visits", "tcd.head.visits", "tcd.deputy.visits")
    assert by_number[3].keys == ("tcd.regular.first_cases", "tcd.regular.repeat_cases", "tcd.head.first_cases",
                                 "tcd.head.repeat_cases", "tcd.deputy.first_cases", "tcd.deputy.repeat_cases")
    assert by_number[12].keys == ("tcd.head.sessions",)
    assert by_number[21].headers == ("Tiếp định kỳ và đột xuất", "Ủy quyền tiếp", "Số kỳ tiếp")
    assert by_number[29].keys == ("tcd.deputy.delegations.repeat_cases",)
    known = set(figure_keys())
    assert all(k in known for c in TCD_COLUMNS + XLD_COLUMNS for k in c.keys)
    for figure in STATIC_FIGURES:  # a figure's columns show it (the totals are sums of the blocks)
        for number in figure.columns:
            columns = TCD_COLUMNS if figure.form == "01/TCD" else XLD_COLUMNS
            column = next(c for c in columns if c.number == number)
            assert figure.key in column.keys or figure.key.startswith("tcd.total."), figure.key


@pytest.mark.parametrize(
    ("field", "slug"),
    [("Đất đai", "dat_dai"), ("đất  đai", "dat_dai"), ("Chính sách xã hội", "chinh_sach_xa_hoi"),
     (None, FIELD_UNSET), ("", FIELD_UNSET), ("---", FIELD_UNSET), ("Tư pháp / Hộ tịch", "tu_phap_ho_tich")],
)
def test_field_slug(field: str | None, slug: str) -> None:
    assert field_slug(field) == slug


def test_field_figures_and_legacy_keys() -> None:
    defs = figure_definitions({"dat_dai": "Đất đai"})
    assert defs[-1].key == "tcd.by_field.dat_dai" and defs[-1].label == "Vụ việc lĩnh vực: Đất đai"
    assert figure_def("tcd.by_field.moi_truong").spec.field_slug == "moi_truong"
    with pytest.raises(ValueError, match="không có số liệu"):
        figure_def("tcd.by_field.Đất đai")
    with pytest.raises(ValueError, match="không có số liệu"):
        figure_def("tcd.regular.unknown")
    assert canonical_key("reception.regular.cases_by_kind.complaint") == "tcd.regular.by_kind.complaint"
    assert canonical_key("reception.leaders.delegations.count") == "tcd.leaders.delegations.count"
    assert canonical_key("petitions.by_kind.denunciation") == "xld.by_kind.denunciation"
    assert canonical_key("petitions.received") == "xld.received.total"


# --- the period picker -------------------------------------------------------------------------


def test_period_choices_of_a_year() -> None:
    labels = [p.label for p in period_choices(2025)]
    assert labels == [
        "Quý I/2025 (15/12/2024 – 14/03/2025)",
        "Quý II/2025 (15/03/2025 – 14/06/2025)",
        "Quý III/2025 (15/06/2025 – 14/09/2025)",
        "Quý IV/2025 (15/09/2025 – 14/12/2025)",
        "6 tháng đầu năm 2025 (15/12/2024 – 14/06/2025)",
        "9 tháng năm 2025 (15/12/2024 – 14/09/2025)",
        "Năm 2025 (15/12/2024 – 14/12/2025)",
    ]
    assert [p.code for p in period_choices(2025)] == [r.code for r in OFFICIAL_PERIODS]


def test_free_range_and_recognised_official_dates() -> None:
    free = free_period(date(2025, 1, 1), date(2025, 3, 31))
    assert (free.code, free.year, free.is_official) == (FREE_RANGE, None, False)
    assert free.label == "Từ ngày 01/01/2025 đến ngày 31/03/2025"
    assert describe_period(date(2024, 12, 15), date(2025, 3, 14)).name == "Quý I/2025"
    assert describe_period(date(2024, 12, 15), date(2025, 6, 14)).name == "6 tháng đầu năm 2025"
    assert describe_period(date(2025, 9, 15), date(2025, 12, 14)).name == "Quý IV/2025"
    assert describe_period(date(2025, 1, 1), date(2025, 12, 31)).code == FREE_RANGE
    with pytest.raises(ValueError, match="trước ngày bắt đầu"):
        free_period(date(2025, 3, 31), date(2025, 1, 1))
    with pytest.raises(ValueError, match="kỳ báo cáo không hợp lệ"):
        official_report_period("q5", 2025)
    with pytest.raises(ValueError, match="năm báo cáo không hợp lệ"):
        official_report_period("q1", 1900)
    assert format_day(date(2025, 3, 5)) == "05/03/2025"
