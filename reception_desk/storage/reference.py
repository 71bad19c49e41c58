"""Reference data shipped in db/reference/ and copied into the database.

- calendar.csv: the days off and make-up working days the government announced, per year
  (columns ``date,kind,name`` with kind ``off`` or ``work``);
- deadlines.csv: statutory time limits (``code,label,applies_to,days,day_type,basis``).

Seeding only inserts rows that are missing, so an administrator's edits in the database are kept
when the program starts again; ``reseed`` puts the shipped values back on request.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, delete, select

from reception_desk.paths import reference_dir
from reception_desk.storage.models import CalendarDay, DeadlineRule


def _rows(name: str) -> list[dict[str, str]]:
    path: Path = reference_dir() / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row and not next(iter(row.values()), "").startswith("#")]


def calendar_rows() -> list[dict]:
    now = datetime.now(UTC)
    return [
        {
            "day": date.fromisoformat(row["date"]),
            "is_day_off": row["kind"].strip() == "off",
            "name": row["name"].strip(),
            "source": "official",
            "updated_at": now,
        }
        for row in _rows("calendar.csv")
    ]


def deadline_rows() -> list[dict]:
    now = datetime.now(UTC)
    return [
        {
            "code": row["code"].strip(),
            "label": row["label"].strip(),
            "applies_to": (row.get("applies_to") or "").strip() or None,
            "days": int(row["days"]),
            "day_type": row["day_type"].strip(),
            "basis": row["basis"].strip(),
            "updated_at": now,
        }
        for row in _rows("deadlines.csv")
    ]


def seed(engine: Engine) -> None:
    """Insert shipped reference rows the database does not have yet (set-based)."""
    cal = CalendarDay.__table__
    rules = DeadlineRule.__table__
    with engine.begin() as conn:
        have_days = set(conn.execute(select(cal.c.day)).scalars())
        missing_days = [r for r in calendar_rows() if r["day"] not in have_days]
        if missing_days:
            conn.execute(cal.insert(), missing_days)
        have_rules = set(conn.execute(select(rules.c.code)).scalars())
        missing_rules = [r for r in deadline_rows() if r["code"] not in have_rules]
        if missing_rules:
            conn.execute(rules.insert(), missing_rules)


def reseed(engine: Engine) -> None:
    """Replace the official rows with the shipped ones; admin-added rows stay."""
    cal = CalendarDay.__table__
    with engine.begin() as conn:
        conn.execute(delete(cal).where(cal.c.source == "official"))
    seed(engine)
