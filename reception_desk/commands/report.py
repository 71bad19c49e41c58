"""``reception-desk report``: the statistics of a period (Biểu 01/TCD figures) as JSON.

The period is either ``--from/--to`` (inclusive dates) or an official period ``--period q1|…|year
--year YYYY`` with the 15th-to-14th cut-off rule (domain.periods).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from reception_desk.domain.periods import MAX_YEAR, MIN_YEAR, PERIOD_CODES, rule_for_code
from reception_desk.services.database import database
from reception_desk.services.errors import UserError, ValidationError
from reception_desk.services.statistics import period_report

FORMATS = ("json",)


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
    p.add_argument("--format", default="json", metavar="json", help="định dạng kết quả (hiện có: json)")
    p.add_argument("--output", metavar="FILE", help="ghi vào tệp (UTF-8) thay vì in ra màn hình")
    p.set_defaults(func=run)


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


def run(args: argparse.Namespace) -> int:
    fmt = (args.format or "").strip().lower()
    if fmt not in FORMATS:
        raise ValidationError(f"Định dạng không được hỗ trợ: “{args.format}” (hiện chỉ có: {', '.join(FORMATS)}).")
    start, end = resolve_period(args)
    with database(args.db) as engine:
        report = period_report(engine, start, end)
    text = render_json(report)
    if args.output:
        path = Path(args.output).expanduser()
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"Không ghi được tệp {path}: {exc.strerror or exc}") from exc
        print(f"Đã ghi báo cáo {start:%d/%m/%Y}–{end:%d/%m/%Y} vào {path}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
