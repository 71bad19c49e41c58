"""Writing the files the program produces (letters, reports, registers): whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reception_desk.services.errors import UserError


def atomic_write(path: str | os.PathLike[str], data: bytes, *, make_parents: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``:
    the file appears whole or not at all, and an existing file is never half overwritten.
    ``make_parents``: create a missing folder instead of refusing it."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise UserError(f"Không ghi được tệp {target}: đây là một thư mục, hãy ghi rõ tên tệp.")
    if make_parents:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"Không ghi được tệp {target}: {exc.strerror or exc}") from exc
    if not target.parent.is_dir():
        raise UserError(f"Không ghi được tệp {target}: thư mục {target.parent} không tồn tại.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    except OSError as exc:
        raise UserError(f"Không ghi được tệp {target}: không có quyền ghi vào thư mục "
                        f"{target.parent} ({exc.strerror or exc}).") from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"Không ghi được tệp {target}: {exc.strerror or exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
