"""Shared helpers for the UI tests: fast bulk inserts and a window fixture factory."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, insert

from reception_desk.domain.text import fold, nfc
from reception_desk.storage.cases import refresh_first_visits
from reception_desk.storage.models import Visit, new_id, utcnow
from tests.builders import add_case

# The offscreen platform plugin warns whenever a top-level window with a layout is shown; that
# is a limit of the test platform, not of the program (xcb/windows/cocoa implement the call).
OFFSCREEN_LOG_IGNORE = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def insert_visits(
    engine: Engine,
    count: int,
    *,
    start: date = date(2024, 1, 1),
    per_day: int = 5,
    content: str = "Đề nghị xem xét việc cấp giấy chứng nhận",
) -> None:
    """``count`` visits on one case, ``per_day`` a day from ``start``, in one set-based insert."""
    now = utcnow()
    with engine.begin() as conn:
        case_id = add_case(conn, title="Tranh chấp đất đai thôn 3")
        rows = [
            {
                "id": new_id(),
                "created_at": now,
                "updated_at": now,
                "version": 1,
                "visit_date": start + timedelta(days=n // per_day),
                "reception_mode": "regular",
                "case_id": case_id,
                "persons": 1,
                "is_delegation": False,
                "content": nfc(f"{content} ({n})"),
                "content_key": fold(f"{content} ({n})"),
            }
            for n in range(count)
        ]
        conn.execute(insert(Visit.__table__), rows)
        refresh_first_visits(conn, [case_id])
