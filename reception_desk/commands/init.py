"""``reception-desk init``: create or migrate the database."""

from __future__ import annotations

import argparse

from reception_desk.services.database import database, describe
from reception_desk.storage import migrate


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="tạo mới hoặc nâng cấp cơ sở dữ liệu")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with database(args.db) as engine:
        print(f"Cơ sở dữ liệu sẵn sàng ({describe(engine)}, lược đồ {migrate.current_revision(engine)}).")
    return 0
