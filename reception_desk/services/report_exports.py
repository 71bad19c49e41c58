"""The office report's file writers (PDF, XLSX, DOCX) and what the three share.

Importing this module registers the writers in ``services.reports.EXPORTERS`` (the CLI's
``commands/report.py`` imports it; the GUI must import it too before it offers the formats).
It stays cheap to import: each writer's module, with ReportLab, openpyxl or python-docx, is
loaded on the first export only, so every other command starts as fast as before.

Shared here, so the three files say the same thing:

- the wording around the figures: title, subject, period line, the row labels of the forms, the
  signer's lines, the "Số: …/BC-…" line left for the clerk to number;
- ``header_cells``: the merged header rows of a form (``FormColumn.headers`` are header paths,
  outer group first), the same grid for the PDF table, the worksheet and the Word table;
- ``column_sums``: which form columns are sums of other columns (01/TCD 1–3), written as formulas
  in the worksheet;
- ``atomic_write``: a file appears whole or not at all; an unwritable path is a Vietnamese error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reception_desk.domain.periods import ReportPeriod, format_day
from reception_desk.domain.report_forms import TCD_COLUMNS, XLD_COLUMNS, FormColumn
from reception_desk.services.files import atomic_write  # noqa: F401 - the writers take it from here
from reception_desk.services.reports import OfficeReport, register_exporter
from reception_desk.services.settings import OfficeSettings

# --- wording -----------------------------------------------------------------------------------

REPORT_TITLE = "BÁO CÁO"
REPORT_SUBJECT = "Kết quả công tác tiếp công dân, tiếp nhận và xử lý đơn"
REPORT_SERIES = "BC"  # "Số: …/BC-BTCD": a report's type symbol (NĐ 30/2020 Phụ lục III)
TCD_FORM = "01/TCD"
XLD_FORM = "01/XLD"
FORM_BASIS = "Mẫu biểu theo Thông tư số 02/2021/TT-TTCP"
LEAD_HEADER = "Nội dung"  # the form's first (text) column, above the three rows
LEAD_NUMBER = "A"  # official forms letter their text columns and number the figure columns
MAKER = "NGƯỜI LẬP BIỂU"
MAKER_HINT = "(Ký, ghi rõ họ tên)"
HEAD_FALLBACK = "THỦ TRƯỞNG CƠ QUAN"
HEAD_HINT = "(Ký tên, đóng dấu)"
BLANK = "……"
XLD_NOTE = ("Ghi chú: Biểu chỉ gồm các cột có số liệu trên phần mềm, đánh số theo Biểu số 01/XLD; "
            "cột 5 là tổng số đơn tiếp nhận trong kỳ (cột 5–7 của biểu). Các cột kỳ trước chuyển sang, "
            "phân loại theo tình trạng giải quyết và đôn đốc giải quyết do cán bộ điền thêm.")


def table_number(n: int) -> str:
    """A figure in a form cell: thousands grouped with a dot, no leading zero ("1.204", "7")."""
    return f"{n:,}".replace(",", ".")


def signed_number(n: int) -> str:
    """A change in a form cell: "+5", "−12" (minus sign), "0"."""
    if n > 0:
        return "+" + table_number(n)
    if n < 0:
        return "\u2212" + table_number(-n)
    return "0"


def period_dates(period: ReportPeriod) -> str:
    """"Số liệu tính từ ngày 15/12/2024 đến ngày 14/03/2025" (domain notes §8.4)."""
    return f"Số liệu tính từ ngày {format_day(period.start)} đến ngày {format_day(period.end)}"


def report_subject(report: OfficeReport) -> str:
    """The trích yếu under "BÁO CÁO": "… xử lý đơn Quý I/2025" (a free range: "… từ ngày … đến ngày …")."""
    return f"{REPORT_SUBJECT} {report.period.name}"


def row_labels(report: OfficeReport) -> tuple[str, str, str]:
    """The three rows of a form: this period, the same dates a year earlier, the change."""
    prev = report.previous_period
    return (f"Kỳ báo cáo ({format_day(report.period.start)} – {format_day(report.period.end)})",
            f"Cùng kỳ năm trước ({format_day(prev.start)} – {format_day(prev.end)})",
            "Tăng (+), giảm (\u2212) so với cùng kỳ")


def number_line(office: OfficeSettings) -> str:
    """"Số:      /BC-BTCD": the number is left blank for the clerk (given by the registry on signing)."""
    symbol = office.office_symbol.strip()
    return f"Số:{' ' * 6}/{REPORT_SERIES}-{symbol}" if symbol else f"Số:{' ' * 6}/{REPORT_SERIES}"


def place_date_line(office: OfficeSettings, day: date) -> str:
    """"Hà Tĩnh, ngày …… tháng 03 năm 2025": the day is written in when the report is signed (as in
    seeds/003); months 1–2 get a leading zero (NĐ 30/2020)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    place = office.place_name.strip() or BLANK
    return f"{place}, ngày {BLANK} tháng {month} năm {day.year}"


def introduction(report: OfficeReport) -> str:
    """The sentence before the narrative's sections."""
    dates = period_dates(report.period)
    # a free range is already named by its dates
    when = f"{report.period.name} ({dates[:1].lower()}{dates[1:]})" if report.period.is_official else report.period.name
    return (f"{report.narrative.office} báo cáo kết quả công tác tiếp công dân, tiếp nhận và xử lý đơn {when}, "
            "so sánh với cùng kỳ năm trước, như sau:")


def attachments_line() -> str:
    return f"(Số liệu chi tiết tại Biểu số {TCD_FORM} và Biểu số {XLD_FORM} kèm theo.)"


@dataclass(frozen=True)
class SignerLines:
    authority: str  # "KT. TRƯỞNG BAN", may be empty
    position: str  # "PHÓ TRƯỞNG BAN"
    name: str  # may be empty: the signer writes it


def signer_lines(office: OfficeSettings) -> SignerLines:
    return SignerLines(office.signer_on_behalf.strip().upper(), office.signer_title.strip().upper() or HEAD_FALLBACK,
                       office.signer_name.strip())


def recipients(office: OfficeSettings) -> tuple[str, ...]:
    """"Nơi nhận": the recipient left for the clerk, then the archive line (NĐ 30/2020)."""
    return (f"- {BLANK};", f"- Lưu: VT{', ' + office.office_symbol.strip() if office.office_symbol.strip() else ''}.")


# --- form layout -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderCell:
    """One (possibly merged) cell of a form's header rows; ``col`` counts the form's columns from 0."""

    row: int
    col: int
    rows: int
    cols: int
    text: str


def header_depth(columns: Sequence[FormColumn]) -> int:
    return max(len(c.headers) for c in columns)


def header_cells(columns: Sequence[FormColumn]) -> list[HeaderCell]:
    """The merged header cells of ``columns`` (in form order).

    At each level, neighbouring columns with the same header path so far share one cell; a path
    that ends above the last level runs down to it ("Số lượt tiếp" under "Tiếp thường xuyên").
    """
    depth = header_depth(columns)
    cells: list[HeaderCell] = []
    for level in range(depth):
        i = 0
        while i < len(columns):
            path = columns[i].headers
            if len(path) <= level:
                i += 1
                continue
            j = i + 1
            while j < len(columns) and columns[j].headers[:level + 1] == path[:level + 1]:
                j += 1
            ends = j - i == 1 and len(path) == level + 1
            cells.append(HeaderCell(level, i, depth - level if ends else 1, j - i, path[level]))
            i = j
    return cells


def column_sums(columns: Sequence[FormColumn]) -> dict[int, tuple[int, ...]]:
    """Column number → the columns it adds up, for a column whose figures are exactly those of
    other single-figure columns (01/TCD: 1 = 4 + 13 + 22, 2 = 5 + 14 + 23, 3 = 6 + 7 + 15 + 16 + 24 + 25)."""
    single = {c.keys[0]: c.number for c in columns if len(c.keys) == 1}
    sums = {}
    for column in columns:
        if len(column.keys) > 1 and all(k in single for k in column.keys):
            sums[column.number] = tuple(single[k] for k in column.keys)
    return sums


FORMS: tuple[tuple[str, tuple[FormColumn, ...]], ...] = ((TCD_FORM, TCD_COLUMNS), (XLD_FORM, XLD_COLUMNS))


# --- writing files ------------------------------------------------------------------------------


# --- registration -------------------------------------------------------------------------------
# Each writer module is imported on its first use (ReportLab, openpyxl, python-docx take a few
# hundred milliseconds to load, and every CLI command imports commands/report.py).


def _write_pdf(report: OfficeReport, path: Path) -> None:
    from reception_desk.services.report_pdf import write_report_pdf

    write_report_pdf(report, path)


def _write_xlsx(report: OfficeReport, path: Path) -> None:
    from reception_desk.services.report_xlsx import write_report_xlsx

    write_report_xlsx(report, path)


def _write_docx(report: OfficeReport, path: Path) -> None:
    from reception_desk.services.report_docx import write_report_docx

    write_report_docx(report, path)


WRITERS: dict[str, Callable[[OfficeReport, Path], None]] = {"pdf": _write_pdf, "xlsx": _write_xlsx,
                                                             "docx": _write_docx}


def register_writers() -> None:
    """Put the three writers in services.reports.EXPORTERS (done on import; safe to repeat)."""
    for fmt, writer in WRITERS.items():
        register_exporter(fmt, writer)


register_writers()
