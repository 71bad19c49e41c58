"""``reception-desk import FILE.jsonl`` and ``reception-desk export FILE.jsonl``: the interchange format.

Import is all-or-nothing: a file with any error writes nothing and lists every error on stderr
(exit code 2). Progress goes to stderr once a run lasts more than a second.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from time import monotonic

from reception_desk.services.database import database
from reception_desk.services.interchange import export_jsonl, import_jsonl
from reception_desk.services.interchange_format import TYPES

SHOWN_WARNINGS = 50


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="nhập dữ liệu từ tệp JSONL (định dạng trao đổi): đủ cả tệp hoặc không gì cả",
        description="Nhập một tệp JSONL theo định dạng trao đổi (docs/interchange.md). Tệp được kiểm tra "
        "toàn bộ trước; có lỗi thì không ghi gì và liệt kê mọi lỗi. Nhập lại cùng một tệp không thay đổi gì.",
    )
    p.add_argument("file", metavar="FILE.jsonl", help="tệp cần nhập")
    p.set_defaults(func=run_import)
    p = sub.add_parser(
        "export",
        help="xuất toàn bộ dữ liệu ra tệp JSONL (định dạng trao đổi)",
        description="Xuất mọi bản ghi ra một tệp JSONL theo định dạng trao đổi, theo thứ tự cố định.",
    )
    p.add_argument("file", metavar="FILE.jsonl", help="tệp sẽ ghi (ghi đè nếu đã có)")
    p.set_defaults(func=run_export)


def progress_printer(verb: str, unit: str) -> Callable[[int, int], None]:
    """Prints ``Đang nhập: 45% (540000/1200000 dòng)`` to stderr at most once a second."""
    start = monotonic()
    last = [start]
    shown = [-1]  # the last count printed: the end is printed once

    def show(done: int, total: int) -> None:
        now = monotonic()
        if now - start < 1 or (now - last[0] < 1 and done < total) or done == shown[0]:
            return
        last[0] = now
        shown[0] = done
        percent = 100 * done // max(total, 1)
        end = "\r" if sys.stderr.isatty() and done < total else "\n"
        print(f"{verb}: {percent}% ({done}/{total} {unit})", end=end, file=sys.stderr, flush=True)

    return show


def run_import(args: argparse.Namespace) -> int:
    with database(args.db) as engine:
        result = import_jsonl(engine, args.file, progress=progress_printer("Đang nhập", "dòng"))
    for warning in result.warnings[:SHOWN_WARNINGS]:
        print(f"Cảnh báo: {warning}", file=sys.stderr)
    hidden = len(result.warnings) + result.warnings_omitted - SHOWN_WARNINGS
    if hidden > 0:
        print(f"… và {hidden} cảnh báo khác.", file=sys.stderr)
    print(result.summary())
    return 0


def run_export(args: argparse.Namespace) -> int:
    with database(args.db) as engine:
        counts = export_jsonl(engine, args.file, progress=progress_printer("Đang xuất", "bản ghi"))
    total = sum(counts.values())
    print(f"Đã xuất {total} bản ghi ra {args.file}.")
    for spec in TYPES:
        if counts.get(spec.name):
            print(f"  {spec.name} ({spec.label}): {counts[spec.name]}")
    return 0
