"""The narrative text, table-driven: numbers, changes against last year, period names, office names."""

from __future__ import annotations

from datetime import date

import pytest

from reception_desk.domain.narrative import change_text, narrative, number_text, prose_name, quantity
from reception_desk.domain.periods import describe_period, free_period, official_report_period


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0"), (1, "01"), (9, "09"), (10, "10"), (99, "99"), (999, "999"), (1000, "1.000"), (17040, "17.040"),
     (1234567, "1.234.567"), (-3, "-03"), (-1500, "-1.500")],
)
def test_number_text(n: int, text: str) -> None:
    assert number_text(n) == text


@pytest.mark.parametrize(
    ("current", "previous", "unit", "text"),
    [
        (40, 35, "lượt", "tăng 05 lượt so với cùng kỳ"),  # increase
        (179, 245, "lượt", "giảm 66 lượt so với cùng kỳ"),  # decrease
        (12, 12, "đơn", "bằng cùng kỳ"),  # equal
        (7, 0, "vụ việc", "tăng 07 vụ việc so với cùng kỳ"),  # nothing last year
        (0, 3, "đoàn", "giảm 03 đoàn so với cùng kỳ"),  # nothing this year
        (0, 0, "người", "bằng cùng kỳ"),
        (2500, 1000, "văn bản", "tăng 1.500 văn bản so với cùng kỳ"),
    ],
)
def test_change_text(current: int, previous: int, unit: str, text: str) -> None:
    assert change_text(current, previous, unit) == text


def test_quantity() -> None:
    assert quantity(1, "người") == "01 người"
    assert quantity(0, "lượt") == "0 lượt"


@pytest.mark.parametrize(
    ("name", "prose"),
    [
        ("", "Ban Tiếp công dân"),
        (None, "Ban Tiếp công dân"),
        ("BAN TIẾP CÔNG DÂN", "Ban Tiếp công dân"),
        ("BAN TIẾP CÔNG DÂN TỈNH HÀ TĨNH", "Ban Tiếp công dân tỉnh Hà Tĩnh"),
        ("VĂN PHÒNG UBND TỈNH ĐẮK NÔNG", "Văn phòng UBND tỉnh Đắk Nông"),
        ("ỦY BAN NHÂN DÂN PHƯỜNG TÂN LỢI", "Ủy ban nhân dân phường Tân Lợi"),
        ("THANH TRA THÀNH PHỐ HỒ CHÍ MINH", "Thanh tra thành phố Hồ Chí Minh"),
        ("BAN TIẾP CÔNG DÂN HUYỆN ĐẮK R'LẤP", "Ban Tiếp công dân huyện Đắk R'Lấp"),
        ("Ban Tiếp công dân quận 1", "Ban Tiếp công dân quận 1"),  # mixed case: kept as typed
    ],
)
def test_prose_name(name: str | None, prose: str) -> None:
    assert prose_name(name) == prose


REGULAR_KEYS = ("visits", "first_visits", "repeat_visits", "persons", "cases", "first_cases", "repeat_cases")


def regular(**values: int) -> dict[str, int]:
    return {f"tcd.regular.{k.replace('__', '.')}": v for k, v in values.items()}


# The seed report's Q4/2023 figures (seeds/003), this year against a made-up last year.
SEED = regular(visits=40, first_visits=14, repeat_visits=26, persons=197, cases=33, first_cases=14,
               repeat_cases=19, by_kind__complaint=2, by_kind__recommendation_feedback=31, delegations__count=3,
               delegations__persons=137, delegations__cases=3, delegations__first_cases=1,
               delegations__repeat_cases=2, delegations__largest=121)
SEED_LAST_YEAR = regular(visits=35, persons=197, cases=40, delegations__count=3, delegations__persons=140)


def test_regular_reception_in_the_seed_s_words() -> None:
    period = official_report_period("q4", 2023)
    story = narrative(period, SEED, SEED_LAST_YEAR, "Ban Tiếp công dân")
    assert story.period_name == "Quý IV/2023"
    assert story.sections[0].title == "a) Về công tác tiếp công dân thường xuyên"
    assert story.sections[0].paragraphs == (
        "- Quý IV/2023, Ban Tiếp công dân đã tổ chức tiếp tổng số là: 40 lượt công dân đến khiếu nại, tố cáo, "
        "kiến nghị, phản ánh (tăng 05 lượt so với cùng kỳ), trong đó tiếp lần đầu: 14 lượt, tiếp nhiều lần: 26 "
        "lượt; với tổng số 33 vụ việc (giảm 07 vụ việc so với cùng kỳ), số công dân là 197 người (bằng cùng kỳ); "
        "vụ việc tiếp lần đầu: 14 vụ việc, tiếp nhiều lần: 19 vụ việc (Khiếu nại 02 vụ việc; Kiến nghị, phản ánh "
        "31 vụ việc).",
        "- Tiếp 03 đoàn đông người (bằng cùng kỳ), với 03 vụ việc; tổng số người là 137 người (giảm 03 người so "
        "với cùng kỳ); tiếp lần đầu: 01 vụ việc; tiếp nhiều lần: 02 vụ việc; đoàn đông người nhất 121 người.",
    )
    assert story.text.startswith("a) Về công tác tiếp công dân thường xuyên\n- Quý IV/2023, ")


@pytest.mark.parametrize(
    ("period", "opening"),
    [
        (official_report_period("q1", 2025), "- Quý I/2025, "),
        (official_report_period("6m", 2025), "- 6 tháng đầu năm 2025, "),
        (official_report_period("9m", 2025), "- 9 tháng năm 2025, "),
        (official_report_period("year", 2025), "- Năm 2025, "),
        (free_period(date(2025, 1, 1), date(2025, 3, 31)), "- Từ ngày 01/01/2025 đến ngày 31/03/2025, "),
        (describe_period(date(2024, 12, 15), date(2025, 12, 14)), "- Năm 2025, "),
    ],
)
def test_period_names(period, opening: str) -> None:  # noqa: ANN001 - ReportPeriod
    story = narrative(period, SEED, SEED, "Ban Tiếp công dân")
    assert story.sections[0].paragraphs[0].startswith(opening + "Ban Tiếp công dân đã tổ chức tiếp")
    assert story.sections[2].paragraphs[0].startswith(opening)


def test_nothing_this_year_nor_last_year() -> None:
    story = narrative(official_report_period("q1", 2025), {}, {}, "")
    assert story.office == "Ban Tiếp công dân"
    assert [s.paragraphs for s in story.sections] == [
        ("- Quý I/2025, Ban Tiếp công dân không tiếp lượt công dân nào (bằng cùng kỳ).",
         "- Không có đoàn đông người (bằng cùng kỳ)."),
        ("- Quý I/2025, không có lượt tiếp công dân định kỳ, đột xuất của lãnh đạo (bằng cùng kỳ).",),
        ("- Quý I/2025, Ban Tiếp công dân không tiếp nhận đơn nào (bằng cùng kỳ).",
         "- Quý I/2025, Ban Tiếp công dân không chuyển đơn đến cơ quan khác (bằng cùng kỳ); chưa nhận được văn "
         "bản phúc đáp nào; đến hết kỳ không có văn bản chuyển đơn nào quá hạn chưa có trả lời."),
    ]


def test_singular_values_and_petitions() -> None:
    current = {"tcd.leaders.visits": 1, "tcd.leaders.persons": 1, "tcd.leaders.cases": 1,
               "tcd.deputy.visits": 1, "tcd.leaders.by_kind.complaint": 1,
               "xld.received.total": 1, "xld.by_kind.denunciation": 1, "xld.handling.transfer": 1,
               "xld.transfers.sent": 1, "xld.transfers.answered": 1, "xld.transfers.overdue": 1}
    previous = {"tcd.leaders.visits": 2, "xld.received.total": 1, "xld.transfers.sent": 3}
    story = narrative(official_report_period("q3", 2025), current, previous, "Ban Tiếp công dân")
    assert story.sections[1].paragraphs == (
        "- Quý III/2025, lãnh đạo đã tổ chức tiếp công dân định kỳ, đột xuất để giải quyết khiếu nại, tố cáo, "
        "kiến nghị, phản ánh của công dân được 01 lượt (giảm 01 lượt so với cùng kỳ), tổng số người: 01 người, "
        "với 01 vụ việc; trong đó: ủy quyền tiếp 01 lượt (Khiếu nại 01 vụ việc).",
    )
    assert story.sections[2].paragraphs == (
        "- Quý III/2025, Ban Tiếp công dân tiếp nhận, xử lý 01 đơn (bằng cùng kỳ). Trong đó: Tố cáo 01 đơn.",
        "- Hướng xử lý: chuyển đơn 01 đơn.",
        "- Quý III/2025, Ban Tiếp công dân đã xử lý, chuyển 01 văn bản đến các cơ quan, đơn vị có thẩm quyền để "
        "giải quyết nội dung, vụ việc khiếu nại, tố cáo, kiến nghị, phản ánh của công dân theo quy định của pháp "
        "luật (giảm 02 văn bản so với cùng kỳ); nhận được 01 văn bản phúc đáp; đến hết kỳ còn 01 văn bản chuyển "
        "đơn quá hạn chưa có trả lời.",
    )
