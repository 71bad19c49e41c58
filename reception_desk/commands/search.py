"""``reception-desk search TEXT [--limit N]``: find citizens, cases and petitions.

Output: one hit per line, four tab-separated fields ``kind<TAB>title<TAB>detail<TAB>ref`` (see
docs/search.md). Exit status like grep: 0 when something was found, 1 when nothing was (the message
goes to stderr), 2 for a blank query or a bad --limit.
"""

from __future__ import annotations

import argparse
import sys

from reception_desk.services.database import database
from reception_desk.services.errors import ValidationError
from reception_desk.services.search import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    SearchHit,
    check_limit,
    parse_query,
    search,
)

EXIT_NOT_FOUND = 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "search",
        help="tìm công dân, vụ việc, đơn (không phân biệt hoa thường, có dấu hay không dấu)",
        description="Tìm theo họ tên, số giấy tờ, số điện thoại, tên vụ việc hoặc nội dung đơn. "
        "Mỗi kết quả một dòng: loại<TAB>tiêu đề<TAB>chi tiết<TAB>mã.",
    )
    p.add_argument("text", nargs="*", metavar="TEXT", help="nội dung cần tìm (có thể gồm nhiều từ)")
    p.add_argument(
        "--limit",
        default=str(DEFAULT_LIMIT),
        metavar="N",
        help=f"số kết quả tối đa, 1–{MAX_LIMIT} (mặc định {DEFAULT_LIMIT})",
    )
    p.set_defaults(func=run)


def _limit(value: str) -> int:
    try:
        limit = int(value)
    except ValueError:
        raise ValidationError(f"--limit phải là một số nguyên từ 1 đến {MAX_LIMIT}, không phải “{value}”.") from None
    return check_limit(limit)


def format_hit(hit: SearchHit) -> str:
    # Fields are single-line already (services.search); tabs are the only separator to guard.
    return "\t".join(field.replace("\t", " ") for field in (hit.kind, hit.title, hit.detail, hit.ref))


def run(args: argparse.Namespace) -> int:
    query = " ".join(args.text)
    parse_query(query)  # a blank query is refused before the database is opened
    limit = _limit(args.limit)
    with database(args.db) as engine:
        hits = search(engine, query, limit)
    if not hits:
        print(f"Không tìm thấy kết quả nào cho “{query.strip()}”.", file=sys.stderr)
        return EXIT_NOT_FOUND
    for hit in hits:
        print(format_hit(hit))
    return 0
