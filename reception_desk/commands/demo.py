"""``reception-desk demo [--size small|large] [--force]``: fill the database with a synthetic office."""

from __future__ import annotations

import argparse
import sys
import time

from reception_desk.services.database import describe, open_database
from reception_desk.services.errors import ValidationError

# The generator's office sizes; services.generator is imported only when a demo is made (it costs a
# third of a second, which every other command would pay at start-up). A test checks they agree.
SIZE_NAMES = ("small", "large")

_SIZE_HELP = {
    "small": "nhỏ: 300 công dân, 500 lượt tiếp, 1.000 đơn trong 2 năm",
    "large": "lớn: 300.000 công dân, 500.000 lượt tiếp, 1.000.000 đơn trong 5 năm (vài phút)",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="tạo dữ liệu mẫu (giả) của một cơ quan tiếp công dân",
        description="Tạo dữ liệu mẫu (giả) rồi nhập vào cơ sở dữ liệu: công dân, vụ việc, lượt tiếp, đơn, "
        "chuyển đơn, văn bản chỉ đạo.",
    )
    p.add_argument("--size", choices=list(SIZE_NAMES), default="small",
                   help="; ".join(f"{k} = {v}" for k, v in _SIZE_HELP.items()) + " (mặc định: small)")
    p.add_argument("--seed", type=int, default=1, help="hạt giống ngẫu nhiên (cùng hạt giống → cùng dữ liệu)")
    p.add_argument("--force", action="store_true", help="vẫn thêm dữ liệu mẫu khi cơ sở dữ liệu đã có hồ sơ")
    p.set_defaults(func=run)


class _StderrProgress:
    """A percentage on one stderr line, rewritten at most a few times a second."""

    def __init__(self) -> None:
        self.last = -1.0
        self.shown = -1
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        percent = int(100 * done / total)
        now = time.monotonic()
        if percent == self.shown or (percent < 100 and now - self.last < 0.5):
            return
        self.last, self.shown = now, percent
        end = "\r" if self.tty and percent < 100 else "\n"
        print(f"Đang tạo dữ liệu mẫu… {percent}%", end=end, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from reception_desk.services import demo

    engine = open_database(args.db)
    try:
        if not args.force and demo.has_records(engine):
            raise ValidationError(
                f"Cơ sở dữ liệu đã có hồ sơ ({describe(engine)}): không tạo dữ liệu mẫu vào đây. "
                "Dùng một cơ sở dữ liệu mới, hoặc thêm --force nếu thật sự muốn trộn dữ liệu mẫu vào."
            )
        started = time.perf_counter()
        result = demo.fill_demo(engine, args.size, seed=args.seed, progress=_StderrProgress())
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    print(f"Đã tạo dữ liệu mẫu ({args.size}) trong {elapsed:.1f} giây.")
    print(result.summary())
    return 0
