"""Export of the whole database to the interchange format (JSONL).

Deterministic: record types in dependency order, records by their id in natural order (C2 before
C10), every field written (nulls too) in the order of the format, so export → import into an empty
database → export gives the same bytes. ``id`` is the record's external id, or its UUID when it has
none (records typed at the desk).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine

from reception_desk.services.errors import CancelCheck, Cancelled, Progress, UserError
from reception_desk.services.interchange_format import CHILD_TABLES, TYPES, TypeSpec
from reception_desk.storage.engine import begin_sqlite_transaction
from reception_desk.storage.models import AuditEvent, new_id, utcnow

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[Any, ...]:
    """C2 before C10; the text itself breaks ties (C01 / C1) so the order is total."""
    parts: list[Any] = _DIGITS.split(text)
    parts[1::2] = [int(p) for p in parts[1::2]]
    return (parts, text)


def audit(conn: Connection, action: str, detail: dict[str, Any]) -> None:
    """One audit_event row for an import or export."""
    conn.execute(AuditEvent.__table__.insert().values(
        id=new_id(), at=utcnow(), actor=os.environ.get("USER") or os.environ.get("USERNAME"),
        action=action, entity="interchange", entity_id=None,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
    ))


def _formatter(spec: TypeSpec, column: str, kind: str, conn: Connection) -> Callable[[Any], Any]:
    """Raw driver value -> JSON value, for one column."""
    if kind == "bool":
        return lambda v: None if v is None else bool(v)
    if kind in ("date", "time"):
        col_type = spec.table.c[column].type.dialect_impl(conn.dialect)
        to_python = col_type.result_processor(conn.dialect, None)

        def iso(v: Any) -> Any:
            if v is None:
                return None
            if to_python is not None:
                v = to_python(v)
            return v.isoformat()

        return iso
    return lambda v: v


def _uuid_text(raw: Any) -> str:
    return str(raw) if isinstance(raw, uuid.UUID) else str(uuid.UUID(hex=raw))


class _Exporter:
    def __init__(self, conn: Connection, progress: Progress | None, cancel: CancelCheck | None) -> None:
        self.conn = conn
        self.progress = progress
        self.cancel = cancel
        self.names: dict[str, dict[Any, str]] = {}  # type -> storage id -> file id
        self.done = 0
        self.total = 0

    def _tick(self, count: int) -> None:
        self.done += count
        if self.cancel is not None and self.cancel():
            raise Cancelled("Đã hủy xuất dữ liệu; tệp chưa được ghi.")
        if self.progress is not None:
            self.progress(self.done, max(self.total, 1))

    def count(self) -> dict[str, int]:
        counts = {}
        for spec in TYPES:
            counts[spec.name] = self.conn.exec_driver_sql(f'SELECT count(*) FROM "{spec.table.name}"').scalar_one()
        self.total = sum(counts.values())
        return counts

    def read(self, spec: TypeSpec) -> list[tuple[Any, ...]]:
        columns = ["id", "external_id", *(f.column for f in spec.scalars)]
        names = ", ".join(f'"{c}"' for c in columns)
        rows = self.conn.exec_driver_sql(f'SELECT {names} FROM "{spec.table.name}"').fetchall()
        self.names[spec.name] = {row[0]: (row[1] if row[1] is not None else _uuid_text(row[0])) for row in rows}
        return rows

    def links(self, child: str) -> dict[Any, list[tuple[Any, ...]]]:
        table, parent_col, target_col, has_role, has_ordinal = CHILD_TABLES[child]
        cols = [parent_col, *(["role"] if has_role else []), *(["ordinal"] if has_ordinal else []), target_col]
        names = ", ".join(f'"{c}"' for c in cols)
        grouped: dict[Any, list[tuple[Any, ...]]] = {}
        for row in self.conn.exec_driver_sql(f'SELECT {names} FROM "{table.name}"'):
            grouped.setdefault(row[0], []).append(tuple(row[1:]))
        return grouped

    def lines(self, spec: TypeSpec, rows: list[tuple[Any, ...]],
              links: dict[str, dict[Any, list[tuple[Any, ...]]]]) -> list[bytes]:
        own = self.names[spec.name]
        formatters: list[tuple[str, Callable[[Any], Any]]] = []
        for f in spec.scalars:
            if f.kind == "ref":
                target = self.names[f.arg]
                formatters.append((f.key, lambda v, target=target: None if v is None else target[v]))
            else:
                formatters.append((f.key, _formatter(spec, f.column, f.kind, self.conn)))  # type: ignore[arg-type]
        keyed = sorted(((natural_key(own[row[0]]), row) for row in rows), key=lambda item: item[0])
        out: list[bytes] = []
        for n, (_, row) in enumerate(keyed, 1):
            record: dict[str, Any] = {"type": spec.name, "id": own[row[0]]}
            for (key, fmt), value in zip(formatters, row[2:], strict=True):
                record[key] = fmt(value)
            for f in spec.lists:
                target = self.names[f.arg]
                found = links[f.child].get(row[0], ())  # type: ignore[index]
                if f.role is not None:
                    ids = [target[t] for role, _, t in sorted(found) if role == f.role]
                elif CHILD_TABLES[f.child][4]:  # type: ignore[index]
                    ids = [target[t] for _, t in sorted(found)]
                else:  # no order is stored: natural order of the ids
                    ids = sorted((target[t] for (t,) in found), key=natural_key)
                record[f.key] = ids
            out.append(orjson.dumps(record) + b"\n")
            if n % 50_000 == 0:
                self._tick(50_000)
        self._tick(len(keyed) % 50_000)
        return out


def export_jsonl(engine: Engine, path: str | os.PathLike[str], *, progress: Progress | None = None,
                 cancel: CancelCheck | None = None) -> dict[str, int]:
    """Write every record to ``path``; returns the number of records per type.

    The file appears only when it is complete (written beside it, then renamed).
    """
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} là thư mục; hãy chỉ tên tệp .jsonl")
    if not path.parent.exists():
        raise UserError(f"Không có thư mục {path.parent}")
    conn = engine.connect()
    if conn.dialect.name == "postgresql":
        # one snapshot for the whole file, so references always point to exported records
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    try:
        with conn.begin():
            # One read snapshot for every statement (pysqlite would otherwise read each statement
            # in its own): links can never point at a record the export did not write.
            begin_sqlite_transaction(conn)
            exporter = _Exporter(conn, progress, cancel)
            counts = exporter.count()
            rows = {spec.name: exporter.read(spec) for spec in reversed(TYPES)}
            links = {child: exporter.links(child) for child in CHILD_TABLES}
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    for spec in TYPES:
                        fh.writelines(exporter.lines(spec, rows[spec.name], links))
                        rows[spec.name] = []
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            counts = {spec.name: len(exporter.names[spec.name]) for spec in TYPES}
            if progress is not None:
                progress(exporter.total, max(exporter.total, 1))
        with engine.begin() as write:
            audit(write, "export", {"file": path.name, "records": counts})
    finally:
        conn.close()
    return counts


__all__ = ["audit", "export_jsonl", "natural_key"]
