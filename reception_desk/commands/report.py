"""``reception-desk report``: the statistics of a period as JSON, or the office report as a file.

The period is either ``--from/--to`` (inclusive dates) or an official period ``--period q1|…|year
--year YYYY`` with the 15th-to-14th cut-off rule (domain.periods).

- ``--format json`` prints the statistics JSON (services.statistics, the published layout);
  with ``--full`` the office report's JSON: the same keys plus ``tcd``, ``xld`` and ``narrative``
  (services.reports.report_json);
- ``--format pdf|xlsx|docx --output FILE`` writes the office report with the writer registered
  for that format in services.reports.EXPORTERS; a format without a writer is refused (exit 2).

``reception-desk register --from --to [--format json|pdf] [--output FILE]`` writes the Sổ tiếp công
dân (Mẫu 03) rows of a date range as JSON, or the printable register as PDF (services.report_pdf).

The writers are registered by importing services.report_exports (below).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from reception_desk.domain.periods import MAX_YEAR, MIN_YEAR, PERIOD_CODES, rule_for_code
from reception_desk.services import report_exports  # noqa: F401  (registers the PDF, XLSX, DOCX writers)
from reception_desk.services.database import database
from reception_desk.services.errors import UserError, ValidationError
from reception_desk.services.register import REGISTER_COLUMNS, register_page
from reception_desk.services.reports import FILE_FORMATS, exporter, office_report, report_json
from reception_desk.services.statistics import period_report

FORMATS = ("json", *FILE_FORMATS)
REGISTER_FORMATS = ("json", "pdf")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="thống kê tiếp công dân và đơn thư của một kỳ (số liệu Biểu 01/TCD)",
        description="Thống kê một kỳ báo cáo, kèm cùng kỳ năm trước và mức tăng/giảm. "
        "Chọn kỳ bằng --from/--to hoặc --period/--year.",
    )
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="ngày đầu kỳ (tính cả ngày này)")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="ngày cuối kỳ (tính cả ngày này)")
    p.add_argument(
        "--period",
        metavar="|".join(PERIOD_CODES),
        help="kỳ báo cáo chính thức: quý, 6 tháng, 9 tháng hoặc năm (số liệu từ ngày 15 tháng trước "
        "đến ngày 14 tháng cuối kỳ)",
    )
    p.add_argument("--year", metavar="YYYY", help="năm của kỳ báo cáo --period (mặc định: năm nay)")
    p.add_argument("--format", default="json", metavar="|".join(FORMATS),
                   help="định dạng kết quả: json (mặc định), hoặc tệp pdf, xlsx, docx (cần --output)")
    p.add_argument("--full", action="store_true",
                   help="json: kèm số liệu Biểu 01/TCD, 01/XLD và phần lời văn báo cáo (so với cùng kỳ)")
    p.add_argument("--output", metavar="FILE", help="ghi vào tệp (UTF-8) thay vì in ra màn hình")
    p.set_defaults(func=run)

    r = sub.add_parser(
        "register",
        help="sổ tiếp công dân (Mẫu số 03) của một khoảng ngày, dạng JSON",
        description="Các dòng của Sổ tiếp công dân (Mẫu số 03, TT 04/2021) từ ngày --from đến ngày --to.",
    )
    r.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", required=True, help="ngày đầu (tính cả ngày này)")
    r.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", required=True, help="ngày cuối (tính cả ngày này)")
    r.add_argument("--format", default="json", metavar="|".join(REGISTER_FORMATS),
                   help="json (mặc định) hoặc pdf: sổ in khổ A4 ngang (cần --output)")
    r.add_argument("--output", metavar="FILE", help="ghi vào tệp (UTF-8) thay vì in ra màn hình")
    r.set_defaults(func=run_register)


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(
            f"Ngày không hợp lệ cho {option}: “{value}” (cần dạng NĂM-THÁNG-NGÀY, ví dụ 2025-03-15)."
        ) from None


def parse_year(value: str | None) -> int:
    if value is None:
        return date.today().year
    text = value.strip()
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise ValidationError(f"Năm không hợp lệ cho --year: “{value}” (cần 4 chữ số, ví dụ 2025).")
    return int(text)


def resolve_period(args: argparse.Namespace) -> tuple[date, date]:
    """The inclusive (start, end) chosen on the command line; ValidationError when unclear."""
    has_dates = args.date_from is not None or args.date_to is not None
    if args.period is not None:
        if has_dates:
            raise ValidationError("Chỉ chọn một cách: --period/--year hoặc --from/--to, không dùng cả hai.")
        try:
            rule = rule_for_code(args.period)
        except ValueError as exc:
            raise ValidationError(f"Kỳ báo cáo không hợp lệ: “{args.period}” "
                                  f"(cho phép: {', '.join(PERIOD_CODES)}).") from exc
        return rule.dates(parse_year(args.year))
    if args.year is not None:
        raise ValidationError("--year chỉ dùng cùng với --period.")
    if args.date_from is None or args.date_to is None:
        raise ValidationError("Cần chọn kỳ báo cáo: --from NGÀY --to NGÀY, hoặc --period KỲ --year NĂM.")
    start, end = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    if end < start:
        raise ValidationError(f"Ngày --to ({end.isoformat()}) trước ngày --from ({start.isoformat()}).")
    return start, end


def render_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1) + "\n"


def _write(text: str, output: str | None, what: str) -> None:
    if output:
        path = Path(output).expanduser()
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"Không ghi được tệp {path}: {exc.strerror or exc}") from exc
        print(f"Đã ghi {what} vào {path}.", file=sys.stderr)
    else:
        sys.stdout.write(text)


def run(args: argparse.Namespace) -> int:
    fmt = (args.format or "").strip().lower()
    if fmt not in FORMATS:
        raise ValidationError(f"Định dạng không được hỗ trợ: “{args.format}” (cho phép: {', '.join(FORMATS)}).")
    if fmt != "json":
        return _run_file(args, fmt)
    start, end = resolve_period(args)
    with database(args.db) as engine:
        report = report_json(office_report(engine, start, end)) if args.full else period_report(engine, start, end)
    _write(render_json(report), args.output, f"báo cáo {start:%d/%m/%Y}–{end:%d/%m/%Y}")
    return 0


def _run_file(args: argparse.Namespace, fmt: str) -> int:
    """pdf / xlsx / docx: through the writer registered for the format (services.reports.EXPORTERS)."""
    writer = exporter(fmt)  # a format without a writer is refused before any work
    if args.full:
        raise ValidationError("--full chỉ dùng với --format json (tệp pdf, xlsx, docx luôn có đủ các biểu).")
    if not args.output:
        raise ValidationError(f"Định dạng {fmt} cần tệp kết quả: thêm --output TỆP.{fmt}")
    start, end = resolve_period(args)
    path = Path(args.output).expanduser()
    with database(args.db) as engine:
        report = office_report(engine, start, end)
    try:
        writer(report, path)
    except OSError as exc:
        raise UserError(f"Không ghi được tệp {path}: {exc.strerror or exc}") from exc
    print(f"Đã ghi báo cáo {start:%d/%m/%Y}–{end:%d/%m/%Y} ({fmt}) vào {path}.", file=sys.stderr)
    return 0


def run_register(args: argparse.Namespace) -> int:
    start, end = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    if end < start:
        raise ValidationError(f"Ngày --to ({end.isoformat()}) trước ngày --from ({start.isoformat()}).")
    fmt = (args.format or "").strip().lower()
    if fmt not in REGISTER_FORMATS:
        raise ValidationError(f"Định dạng không được hỗ trợ: “{args.format}” (cho phép: {', '.join(REGISTER_FORMATS)}).")
    if fmt == "pdf":
        return _register_pdf(args, start, end)
    rows = []
    with database(args.db) as engine:
        page = register_page(engine, start, end)
        while True:
            rows.extend({"visit_id": str(row.visit_id), **dict(zip(_REGISTER_KEYS, row.cells(), strict=True))}
                        for row in page.rows)
            if page.next is None:
                break
            page = register_page(engine, start, end, after=page.next)
    doc = {"from": start.isoformat(), "to": end.isoformat(),
           "columns": {key: " – ".join(headers) for key, (_, headers) in zip(_REGISTER_KEYS, REGISTER_COLUMNS,
                                                                          strict=True)},
           "rows": rows}
    _write(render_json(doc), args.output, f"sổ tiếp công dân {start:%d/%m/%Y}–{end:%d/%m/%Y}")
    return 0


def _register_pdf(args: argparse.Namespace, start: date, end: date) -> int:
    if not args.output:
        raise ValidationError("Định dạng pdf cần tệp kết quả: thêm --output TỆP.pdf")
    from reception_desk.services.report_pdf import register_pdf  # ReportLab only when printing

    path = Path(args.output).expanduser()
    with database(args.db) as engine:
        count = register_pdf(engine, start, end, path)
    print(f"Đã ghi sổ tiếp công dân {start:%d/%m/%Y}–{end:%d/%m/%Y} ({count} lượt tiếp) vào {path}.", file=sys.stderr)
    return 0


_REGISTER_KEYS = ("stt", "ngay_tiep", "ho_ten_dia_chi", "giay_to", "noi_dung", "phan_loai", "co_quan_da_giai_quyet",
                  "thu_ly", "tra_lai_huong_dan", "chuyen_don", "theo_doi_ket_qua", "ghi_chu")
