"""Command line: ``reception-desk [--db PATH|URL] COMMAND``; with no command the GUI opens.

Each command lives in its own module under reception_desk.commands and registers itself there
(``register(subparsers)``), so this file only dispatches.
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import pkgutil
import sys

from reception_desk import APP_TITLE, __version__, commands
from reception_desk.services.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reception-desk",
        description=f"{APP_TITLE}: sổ tiếp công dân, đơn thư, chuyển đơn và thống kê.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help="tệp SQLite hoặc URL postgresql+psycopg://… (mặc định: $RECEPTION_DESK_DB, "
        "rồi tệp trong thư mục dữ liệu người dùng)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # A frozen Windows build starts worker processes (parallel import) by re-running this program.
    multiprocessing.freeze_support()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from reception_desk.ui.app import run_gui

        return run_gui(args.db)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        for line in getattr(exc, "errors", []):
            print(line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Đã hủy.", file=sys.stderr)
        return 130
