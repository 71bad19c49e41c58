"""Demo data: a synthetic office (services.generator) imported through the ordinary import.

Going through ``interchange.import_jsonl`` means the demo exercises exactly what a real import
does (validation, folded keys, first-visit columns, one transaction, cancel = nothing written).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from reception_desk.services.errors import CancelCheck, Progress
from reception_desk.services.generator import OfficeSize, generate, resolve_size
from reception_desk.services.interchange import ImportResult, import_jsonl
from reception_desk.storage.models import ENTITY_TABLES

# Progress is reported on one scale for both steps; writing the file is the quick part.
PROGRESS_SCALE = 1000
_GENERATION_SHARE = 0.2


def has_records(engine: Engine) -> bool:
    """True when the database holds any record of an office (reference data does not count)."""
    with engine.connect() as conn:
        return any(conn.execute(select(model.__table__.c.id).limit(1)).first() is not None
                   for model in ENTITY_TABLES)


def _scaled(progress: Progress | None, offset: float, share: float) -> Progress | None:
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        fraction = done / total if total > 0 else 0.0
        progress(int(PROGRESS_SCALE * (offset + share * min(1.0, fraction))), PROGRESS_SCALE)

    return report


def fill_demo(
    engine: Engine,
    size: str | OfficeSize | Mapping[str, Any] = "small",
    *,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
    seed: int = 1,
    today: date | None = None,
) -> ImportResult:
    """Generate a synthetic office of ``size`` and import it; returns the import's ImportResult.

    Progress goes from 0 to PROGRESS_SCALE over both steps. Cancelling (``cancel`` returns
    True) raises services.errors.Cancelled and leaves the database as it was.
    """
    spec = resolve_size(size)
    with tempfile.TemporaryDirectory(prefix="reception-desk-demo-") as tmp:
        path = Path(tmp) / "demo-office.jsonl"
        generate(path, size=spec, seed=seed, today=today, cancel=cancel,
                 progress=_scaled(progress, 0.0, _GENERATION_SHARE))
        return import_jsonl(engine, path, progress=_scaled(progress, _GENERATION_SHARE, 1 - _GENERATION_SHARE),
                            cancel=cancel)
