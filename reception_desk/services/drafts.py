"""Drafts: what a form holds before it is saved, kept on disk so a crash or power cut loses nothing.

One JSON file per form kind and key (e.g. ``visit`` / ``new`` or ``visit`` / a visit id) in the
user data folder (``paths.user_data_dir()/drafts``). A write goes to a temporary file in the same
folder, is flushed to disk, then renamed over the old one (``os.replace`` is atomic), so a draft
on disk is always a whole one. A file that cannot be read (cut short by a disk error, edited by
hand) is moved aside as ``*.corrupt`` and skipped, never a reason to fail at start-up.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reception_desk.paths import user_data_dir

log = logging.getLogger(__name__)

FORMAT = 1
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_SUFFIX = ".json"
CORRUPT_SUFFIX = ".corrupt"


@dataclass(frozen=True, slots=True)
class Draft:
    kind: str  # the form: "visit", "petition", …
    key: str  # which record: "new" or the id of the record being edited
    data: dict[str, Any]
    saved_at: datetime  # UTC
    title: str  # one line for the "restore drafts?" question
    path: Path


def default_folder() -> Path:
    return user_data_dir() / "drafts"


def _name_part(value: str, what: str) -> str:
    safe = _SAFE.sub("_", value).strip("_")
    if not safe:
        raise ValueError(f"{what} của bản nháp không hợp lệ: {value!r}")
    return safe[:80]


class DraftStore:
    """Drafts in one folder (created on first save)."""

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()

    def path(self, kind: str, key: str) -> Path:
        return self.folder / f"{_name_part(kind, 'Loại')}--{_name_part(key, 'Khóa')}{_SUFFIX}"

    def save(self, kind: str, key: str, data: dict[str, Any], title: str = "") -> Path:
        """Write the draft atomically; ``data`` must be JSON-serialisable (ValueError otherwise)."""
        payload = {"format": FORMAT, "kind": kind, "key": key, "title": title,
                   "saved_at": datetime.now(UTC).isoformat(), "data": data}
        text = json.dumps(payload, ensure_ascii=False, indent=1)  # fails before touching the disk
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(kind, key)
        fd, tmp = tempfile.mkstemp(prefix=".draft-", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def load(self, kind: str, key: str) -> Draft | None:
        path = self.path(kind, key)
        return self._read(path) if path.exists() else None

    def load_all(self, kind: str | None = None) -> list[Draft]:
        """Every readable draft (of ``kind`` if given), newest first; unreadable ones are set aside."""
        if not self.folder.is_dir():
            return []
        drafts = []
        for path in sorted(self.folder.glob(f"*{_SUFFIX}")):
            draft = self._read(path)
            if draft is not None and (kind is None or draft.kind == kind):
                drafts.append(draft)
        drafts.sort(key=lambda d: d.saved_at, reverse=True)
        return drafts

    def discard(self, kind: str, key: str) -> None:
        self.path(kind, key).unlink(missing_ok=True)

    def _read(self, path: Path) -> Draft | None:
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
                raise ValueError("not a draft")
            saved_at = datetime.fromisoformat(str(payload["saved_at"]))
            return Draft(str(payload["kind"]), str(payload["key"]), payload["data"], saved_at,
                         str(payload.get("title") or ""), path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self._set_aside(path, exc)
            return None

    def _set_aside(self, path: Path, exc: Exception) -> None:
        aside = path.with_name(f"{path.name}.{datetime.now(UTC):%Y%m%d%H%M%S%f}{CORRUPT_SUFFIX}")
        log.warning("Bản nháp hỏng, đã chuyển sang %s: %s", aside.name, exc)
        try:
            os.replace(path, aside)
        except OSError:
            log.warning("Không chuyển được bản nháp hỏng %s", path.name)
