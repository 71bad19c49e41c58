"""``reception-desk agencies``: the agency directory from the command line.

- ``agencies import FILE``: add or update agencies from a CSV (UTF-8, comma or semicolon) or XLSX
  file; all-or-nothing, every bad cell listed as ``dòng N: cột: lỗi`` (exit code 2);
- ``agencies list [TEXT]``: one line ``name<TAB>ký hiệu<TAB>cấp<TAB>cấp trên`` per agency whose
  name or ký hiệu contains the words of TEXT (without accents is fine).
"""

from __future__ import annotations

import argparse

from reception_desk.services import directory
from reception_desk.services.database import database


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("agencies", help="danh bạ cơ quan: nhập từ tệp CSV/XLSX, tra cứu")
    cmds = p.add_subparsers(dest="agencies_command", metavar="LỆNH", required=True)

    imp = cmds.add_parser("import", help="nhập danh bạ cơ quan từ tệp CSV hoặc XLSX (thêm mới hoặc cập nhật)")
    imp.add_argument("file", metavar="FILE", help="tệp .csv (UTF-8, phân cách bằng dấu phẩy hoặc chấm phẩy) hoặc .xlsx")
    imp.set_defaults(func=run_import)

    ls = cmds.add_parser("list", help="liệt kê cơ quan (tìm theo tên hoặc ký hiệu, không cần dấu)")
    ls.add_argument("text", metavar="TEXT", nargs="*", help="từ cần tìm")
    ls.add_argument("--all", action="store_true", help="kể cả cơ quan đã ngừng sử dụng")
    ls.set_defaults(func=run_list)


def run_import(args: argparse.Namespace) -> int:
    with database(args.db) as engine:
        report = directory.import_agencies(engine, args.file)
    print(report.summary())
    return 0


def run_list(args: argparse.Namespace) -> int:
    text = " ".join(args.text)
    with database(args.db) as engine:
        rows = directory.list_agencies(engine, text or None, include_inactive=args.all)
    for row in rows:
        state = "" if row.active else "\t(ngừng sử dụng)"
        print(f"{row.name}\t{row.short_code or ''}\t{row.level_label}\t{row.parent_name or ''}{state}")
    if not rows:
        print("Không có cơ quan nào" + (f" khớp với “{text}”." if text else " trong danh bạ."))
    return 0
