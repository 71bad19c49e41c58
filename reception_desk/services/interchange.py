"""Import and export of the interchange format (JSONL), all-or-nothing and idempotent.

Import reads and checks the whole file before it writes anything; every error is listed as
``line N: field: message``. The write is one transaction: new records are inserted in large
batches (SQLite: the driver's executemany; PostgreSQL: COPY), changed records are updated with
``version + 1``, identical ones are left alone, so importing the same file twice changes nothing.
Values are built directly in the storage form of the database (see interchange_format), which is
what lets a million-line file through in well under a minute.

The GUI calls the same functions from a background thread with ``progress`` and ``cancel``.
"""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from time import monotonic
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, func, select

from reception_desk.services.errors import CancelCheck, Cancelled, Progress, UserError, ValidationError
from reception_desk.services.interchange_export import audit, export_jsonl
from reception_desk.services.interchange_format import (
    CHILD_TABLES,
    SPECS,
    TYPE_NAMES,
    TYPES,
    Bad,
    LineParser,
    TypeSpec,
    looks_like_uuid,
)
from reception_desk.storage.cases import refresh_first_visits
from reception_desk.storage.models import Case, utcnow
from reception_desk.storage.search_queries import rebuild_search_index, suspend_search_index

__all__ = ["ImportResult", "export_jsonl", "import_jsonl"]

BATCH = 50_000  # rows per executemany / COPY round; progress and cancel are checked between them
READ_SHARE = 0.45  # share of the progress bar for reading and checking the file
MAX_WARNINGS = 1_000
# The search index (storage.search_queries) covers these tables; from this many written rows, and a
# third of the tables, dropping its triggers/indexes and rebuilding once is much faster.
_SEARCHED = ("citizen", "case", "petition")
BULK_MIN_ROWS = 20_000
INDEX_REBUILD_MIN_ROWS = 50_000  # SQLite: from this many new rows (and half the table), rebuild indexes
SQLITE_CACHE_KIB = 1_000_000  # page cache during an import (SQLite takes it only as it needs it)
_SQLITE_DEFAULT_CACHE = -65536  # what storage.engine sets on every connection
_SELF_REFS = {"agency": "parent_id", "petition": "duplicate_of_id"}
_CYCLE_FIELDS = {"agency": "parent_id", "petition": "duplicate_of"}


@dataclass
class ImportResult:
    added: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    total_lines: int
    warnings: list[str] = field(default_factory=list)
    file_name: str = ""
    warnings_omitted: int = 0

    def summary(self) -> str:
        lines = [f"Đã nhập {self.file_name or 'tệp'}: {self.total_lines} dòng."]
        lines.append(f"{'Loại bản ghi':<32}{'Thêm mới':>10}{'Cập nhật':>10}{'Không đổi':>11}")
        for spec in TYPES:
            a, u, n = self.added.get(spec.name, 0), self.updated.get(spec.name, 0), self.unchanged.get(spec.name, 0)
            if a or u or n:
                lines.append(f"{spec.name + ' (' + spec.label + ')':<32}{a:>10}{u:>10}{n:>11}")
        added, updated, unchanged = (sum(d.values()) for d in (self.added, self.updated, self.unchanged))
        lines.append(f"{'Tổng':<32}{added:>10}{updated:>10}{unchanged:>11}")
        if not (added or updated):
            lines.append("Không có gì thay đổi: mọi bản ghi đã có sẵn với cùng nội dung.")
        count = len(self.warnings) + self.warnings_omitted
        if count:
            lines.append(f"Có {count} cảnh báo (không chặn việc nhập).")
        return "\n".join(lines)


# --- reading ----------------------------------------------------------------------------------


@dataclass
class _Parsed:
    """The records of one type, in file order (parallel lists)."""

    lines: list[int] = field(default_factory=list)
    ext: list[str] = field(default_factory=list)
    values: list[list[Any] | None] = field(default_factory=list)
    lists: list[list[list[str]] | None] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)  # file id -> position


class _Ticker:
    """Calls progress at most every 1/4 s (and always at the end) and polls cancel."""

    def __init__(self, total: int, progress: Progress | None, cancel: CancelCheck | None) -> None:
        self.total = max(total, 1)
        self.progress = progress
        self.cancel = cancel
        self._last = 0.0

    def check(self) -> None:
        if self.cancel is not None and self.cancel():
            raise Cancelled()

    def report(self, done: float, *, force: bool = False) -> None:
        if self.progress is None:
            return
        now = monotonic()
        if force or now - self._last >= 0.25:
            self._last = now
            self.progress(min(int(done), self.total), self.total)


def _count_lines(path: Path) -> int:
    count = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _read(path: Path, parser: LineParser, ticker: _Ticker, errors: list[tuple[int, str]],
          warnings: list[str]) -> tuple[dict[str, _Parsed], int]:
    parsed = {name: _Parsed() for name in SPECS}
    share = READ_SHARE * ticker.total
    lineno = 0
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if lineno % 20_000 == 0:
                ticker.check()
                ticker.report(share * lineno / ticker.total)
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a BOM from Windows editors
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                where = f" (cột {exc.colno})" if getattr(exc, "colno", None) else ""
                errors.append((lineno, f"line {lineno}: json: dòng không phải JSON hợp lệ{where}"))
                continue
            if type(obj) is not dict:
                errors.append((lineno, f"line {lineno}: json: mỗi dòng phải là một đối tượng JSON {{…}}"))
                continue
            kind = obj.get("type")
            spec = SPECS.get(kind) if type(kind) is str else None
            if spec is None:
                what = "thiếu trường bắt buộc" if kind is None else f"loại bản ghi không hợp lệ “{kind}”"
                errors.append((lineno, f"line {lineno}: type: {what} (cho phép: {TYPE_NAMES})"))
                continue
            if not obj.keys() <= spec.allowed:
                unknown = ", ".join(sorted(k for k in obj if k not in spec.allowed))
                warnings.append(f"line {lineno}: {unknown}: trường không thuộc định dạng, đã bỏ qua")
            own = parsed[spec.name]
            if "id" not in obj or obj["id"] is None:
                errors.append((lineno, f"line {lineno}: id: thiếu trường bắt buộc"))
                ext = None
            else:
                try:
                    ext = parser.ref_id(obj["id"])
                except Bad as exc:
                    errors.append((lineno, f"line {lineno}: id: {exc}"))
                    ext = None
            result = parser.parse(spec, obj, lineno, errors, warnings)
            if ext is None:
                continue
            first = own.index.get(ext)
            if first is not None:
                errors.append((lineno, f"line {lineno}: id: mã “{ext}” trùng với {spec.label} ở dòng "
                                       f"{own.lines[first]}"))
                continue
            own.index[ext] = len(own.ext)
            own.lines.append(lineno)
            own.ext.append(ext)
            if result is None:
                own.values.append(None)
                own.lists.append(None)
            else:
                own.values.append(result[0])
                own.lists.append(result[1])
    return parsed, lineno


# --- resolving --------------------------------------------------------------------------------


class _Ids:
    """Storage-form ids of one table: existing rows by external id and by id, and the file's."""

    def __init__(self, conn: Connection, spec: TypeSpec) -> None:
        dialect = conn.dialect
        self._to_storage = spec.table.c.id.type.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)
        self.by_ext: dict[str, Any] = {}
        self.ids: set[Any] = set()
        rows = conn.exec_driver_sql(f'SELECT id, external_id FROM "{spec.table.name}"').fetchall()
        for sid, ext in rows:
            self.ids.add(sid)
            if ext is not None:
                self.by_ext[ext] = sid
        sample = uuid.uuid4()
        # SQLite keeps a UUID as its 32 hex digits: make those directly, a million times faster
        self._hex = self._to_storage(sample) == sample.hex
        self.file: dict[str, Any] = {}  # file id -> storage id (new and matched records)
        self.matched: list[int] = []  # positions of file records that already exist
        self.new: list[int] = []

    def storage(self, value: uuid.UUID) -> Any:
        return self._to_storage(value)

    def existing(self, ext: str) -> Any:
        sid = self.by_ext.get(ext)
        if sid is None and looks_like_uuid(ext):
            candidate = self._to_storage(uuid.UUID(ext))
            if candidate in self.ids:
                sid = candidate
        return sid

    def assign(self, records: _Parsed) -> None:
        taken: set[Any] = set()
        pending: list[int] = []
        for i, ext in enumerate(records.ext):
            sid = self.by_ext.get(ext)
            if sid is not None:
                self.file[ext] = sid
                taken.add(sid)
                self.matched.append(i)
            else:
                pending.append(i)
        fresh = self._fresh(len(pending))
        for n, i in enumerate(pending):
            ext = records.ext[i]
            sid = None
            if looks_like_uuid(ext):
                candidate = self._to_storage(uuid.UUID(ext))
                if candidate not in taken:
                    sid = candidate
                    # a record exported without a file id comes back to its own row ...
                    if candidate in self.ids:
                        self.matched.append(i)
                        self.file[ext] = sid
                        taken.add(sid)
                        continue
            # ... or keeps its UUID in a new database, so desks that merge files share ids.
            if sid is None:
                sid = fresh[n]
            self.file[ext] = sid
            taken.add(sid)
            self.new.append(i)
        self.matched.sort()

    def _fresh(self, count: int) -> list[Any]:
        """New random (version 4) UUIDs in storage form, drawn from the OS in one call."""
        raw = os.urandom(16 * count)
        if not self._hex:
            make = uuid.UUID
            return [make(bytes=raw[k:k + 16], version=4) for k in range(0, 16 * count, 16)]
        digits = raw.hex()
        variant = _VARIANT
        # version nibble 4 and variant bits 10xx, exactly as uuid.UUID(version=4) sets them
        return [f"{digits[k:k + 12]}4{digits[k + 13:k + 16]}{variant[digits[k + 16]]}{digits[k + 17:k + 32]}"
                for k in range(0, 32 * count, 32)]


_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


def _resolve(parsed: dict[str, _Parsed], ids: dict[str, _Ids], errors: list[tuple[int, str]]) -> None:
    """Replace file ids in references by storage ids; list the dangling ones."""
    for spec in TYPES:
        records = parsed[spec.name]
        if not records.ext:
            continue
        for ix, f in enumerate(spec.scalars):
            if f.kind != "ref":
                continue
            target = ids[f.arg]
            label = SPECS[f.arg].label
            in_file = target.file.get
            for pos, row in enumerate(records.values):
                if row is None or row[ix] is None:
                    continue
                sid = in_file(row[ix])
                if sid is None:
                    sid = target.existing(row[ix])
                if sid is None:
                    line = records.lines[pos]
                    errors.append((line, f"line {line}: {f.key}: không tìm thấy {label} “{row[ix]}” "
                                         "(trong tệp hoặc cơ sở dữ liệu)"))
                row[ix] = sid
        for lx, f in enumerate(spec.lists):
            target = ids[f.arg]
            label = SPECS[f.arg].label
            in_file = target.file.get
            for pos, lists in enumerate(records.lists):
                if lists is None or not lists[lx]:
                    continue
                out = []
                for ext in lists[lx]:
                    sid = in_file(ext)
                    if sid is None:
                        sid = target.existing(ext)
                    if sid is None:
                        line = records.lines[pos]
                        errors.append((line, f"line {line}: {f.key}: không tìm thấy {label} “{ext}” "
                                             "(trong tệp hoặc cơ sở dữ liệu)"))
                    out.append(sid)
                lists[lx] = out


def _cycles(parsed: dict[str, _Parsed], errors: list[tuple[int, str]]) -> None:
    """A petition that is a duplicate of itself through others, or an agency its own parent."""
    for name, key in _CYCLE_FIELDS.items():
        records = parsed[name]
        ix = SPECS[name].scalars.index(next(f for f in SPECS[name].scalars if f.key == key))
        # file id -> file id, for the records whose reference points inside the file
        nxt: dict[str, str] = {}
        for pos, row in enumerate(records.values):
            if row is not None and row[ix] is not None and row[ix] in records.index:
                nxt[records.ext[pos]] = row[ix]
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        for start in nxt:
            path: list[str] = []
            node: str | None = start
            while node is not None and node in nxt and state.get(node) is None:
                state[node] = 1
                path.append(node)
                node = nxt[node]
            if node is not None and state.get(node) == 1:
                loop = path[path.index(node):]
                line = records.lines[records.index[loop[0]]]
                chain = " → ".join([*loop, loop[0]])
                errors.append((line, f"line {line}: {key}: vòng lặp tham chiếu {chain}"))
            for visited in path:
                state[visited] = 2


# --- writing ----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, conn: Connection, ticker: _Ticker, to_write: int) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.ph = "?" if self.sqlite else "%s"
        self.ticker = ticker
        self.to_write = max(to_write, 1)
        self.written = 0

    def _advance(self, count: int) -> None:
        self.written += count
        share = READ_SHARE * self.ticker.total
        self.ticker.report(share + (self.ticker.total - share) * self.written / self.to_write)
        self.ticker.check()

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self._insert(table, names, len(columns), batch)
                batch = []
        if batch:
            self._insert(table, names, len(columns), batch)

    def _insert(self, table: str, names: str, width: int, rows: list[tuple[Any, ...]]) -> None:
        if self.sqlite:
            marks = ", ".join("?" * width)
            self.conn.exec_driver_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        else:
            # COPY is the fast bulk path of PostgreSQL; it runs in the same transaction.
            raw = self.conn.connection.dbapi_connection
            with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        self._advance(len(rows))

    def update(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]], *,
               bump: bool = True) -> None:
        """rows: (*values of columns, [updated_at,] id); bump adds version + 1 and updated_at."""
        sets = [f'"{c}" = {self.ph}' for c in columns]
        if bump:
            sets += [f'"updated_at" = {self.ph}', '"version" = "version" + 1']
        sql = f'UPDATE "{table}" SET {", ".join(sets)} WHERE "id" = {self.ph}'
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            self.conn.exec_driver_sql(sql, chunk)
            self._advance(len(chunk))

    def suspend_indexes(self, table: str, adding: int, after: int | None) -> list[str]:
        """SQLite, large inserts: drop the table's secondary indexes; restore_indexes rebuilds them.

        Building an index once from sorted keys is several times faster than growing it row by row
        in random order. Only the indexes with a CREATE statement are dropped (never the primary
        key or unique constraints), and they are re-created from that exact statement, in the same
        transaction: a rollback brings them back as they were.
        """
        if not self.sqlite or adding < INDEX_REBUILD_MIN_ROWS:
            return []
        if after is None:
            after = adding + self.conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one()
        if adding * 2 < after:
            return []
        found = self.conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        ).fetchall()
        for name, _ in found:
            self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
        return [sql for _, sql in found]

    def restore_indexes(self, statements: list[str]) -> None:
        for statement in statements:
            self.conn.exec_driver_sql(statement)
        if statements:
            self.ticker.check()

    def delete_children(self, table: str, parent: str, ids: list[Any]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join([self.ph] * len(chunk))
            self.conn.exec_driver_sql(f'DELETE FROM "{table}" WHERE "{parent}" IN ({marks})', tuple(chunk))


def _key_plan(spec: TypeSpec) -> list[tuple[int, bool]]:
    """For each folded key column: the position of its source text and whether it may be NULL."""
    position = {f.column: i for i, f in enumerate(spec.scalars)}
    return [(position[source], nullable) for _, source, nullable in spec.key_columns]


def _data_row(values: list[Any], plan: list[tuple[int, bool]], parser: LineParser) -> tuple[Any, ...]:
    keys = []
    for ix, nullable in plan:
        text = values[ix]
        keys.append((parser.fold(text) if text else None) if nullable else (parser.fold(text) or ""))
    return (*values, *keys)


def _children_of(spec: TypeSpec, lists: list[list[Any]]) -> dict[str, tuple[Any, ...]]:
    """The link rows a record wants, per link table, in a comparable form."""
    out: dict[str, list[Any]] = {}
    for f, ids in zip(spec.lists, lists, strict=True):
        _, _, _, has_role, has_ordinal = CHILD_TABLES[f.child]  # type: ignore[index]
        rows = out.setdefault(f.child, [])  # type: ignore[arg-type]
        for n, sid in enumerate(ids):
            if has_role:
                rows.append((f.role, n, sid))
            elif has_ordinal:
                rows.append((n, sid))
            else:
                rows.append(sid)
    return {child: (tuple(rows) if CHILD_TABLES[child][4] else tuple(sorted(rows, key=str)))
            for child, rows in out.items()}


def _existing_children(conn: Connection, child: str, parents: list[Any]) -> dict[Any, tuple[Any, ...]]:
    table, parent_col, target_col, has_role, has_ordinal = CHILD_TABLES[child]
    select_cols = [parent_col, *(["role"] if has_role else []), *(["ordinal"] if has_ordinal else []), target_col]
    names = ", ".join(f'"{c}"' for c in select_cols)
    grouped: dict[Any, list[Any]] = {}
    ph = "?" if conn.dialect.name == "sqlite" else "%s"
    for start in range(0, len(parents), 500):
        chunk = parents[start:start + 500]
        sql = f'SELECT {names} FROM "{table.name}" WHERE "{parent_col}" IN ({", ".join([ph] * len(chunk))})'
        for row in conn.exec_driver_sql(sql, tuple(chunk)):
            grouped.setdefault(row[0], []).append(tuple(row[1:]) if len(row) > 2 else row[1])
    out: dict[Any, tuple[Any, ...]] = {}
    for parent, rows in grouped.items():
        out[parent] = tuple(sorted(rows)) if has_ordinal else tuple(sorted(rows, key=str))
    return out


def _existing_rows(conn: Connection, spec: TypeSpec, ids: list[Any]) -> dict[Any, tuple[Any, ...]]:
    columns = ", ".join(f'"{c}"' for c in ["id", *spec.data_columns])
    ph = "?" if conn.dialect.name == "sqlite" else "%s"
    out: dict[Any, tuple[Any, ...]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sql = f'SELECT {columns} FROM "{spec.table.name}" WHERE "id" IN ({", ".join([ph] * len(chunk))})'
        for row in conn.exec_driver_sql(sql, tuple(chunk)):
            out[row[0]] = tuple(row[1:])
    return out


@dataclass
class _Plan:
    """What to do with the records of one type."""

    new: list[int]
    changed: list[int]
    unchanged: int
    data: list[tuple[Any, ...] | None]
    old_case_ids: list[Any] = field(default_factory=list)


def _plan(conn: Connection, spec: TypeSpec, records: _Parsed, ids: _Ids, parser: LineParser) -> _Plan:
    plan_keys = _key_plan(spec)
    data: list[tuple[Any, ...] | None] = [
        _data_row(v, plan_keys, parser) if v is not None else None for v in records.values
    ]
    changed: list[int] = []
    unchanged = 0
    old_case_ids: list[Any] = []
    if ids.matched:
        sids = [ids.file[records.ext[i]] for i in ids.matched]
        stored = _existing_rows(conn, spec, sids)
        stored_children = {child: _existing_children(conn, child, sids)
                           for child in dict.fromkeys(f.child for f in spec.lists)}
        case_ix = spec.data_columns.index("case_id") if spec.name == "visit" else None
        for i, sid in zip(ids.matched, sids, strict=True):
            same = stored.get(sid) == data[i]
            if same and spec.lists:
                wanted = _children_of(spec, records.lists[i])  # type: ignore[arg-type]
                same = all(stored_children[child].get(sid, ()) == wanted.get(child, ())
                           for child in stored_children)
            if same:
                unchanged += 1
            else:
                changed.append(i)
                if case_ix is not None and sid in stored:
                    old_case_ids.append(stored[sid][case_ix])
    return _Plan(ids.new, changed, unchanged, data, old_case_ids)


def _write(conn: Connection, parsed: dict[str, _Parsed], ids: dict[str, _Ids], plans: dict[str, _Plan],
           writer: _Writer) -> None:
    stamp_type = TYPES[0].table.c.created_at.type.dialect_impl(conn.dialect)
    stamp_proc = stamp_type.bind_processor(conn.dialect)
    now = utcnow()
    stamp = stamp_proc(now) if stamp_proc else now
    for spec in TYPES:
        plan = plans[spec.name]
        records = parsed[spec.name]
        own = ids[spec.name]
        table = spec.table.name
        data_cols = spec.data_columns
        self_ref = _SELF_REFS.get(spec.name)
        self_ix = data_cols.index(self_ref) if self_ref else None
        if plan.new:
            fixups: list[tuple[Any, Any]] = []
            columns = ["id", "external_id", "created_at", "updated_at", "version", *data_cols]
            rebuild = writer.suspend_indexes(table, len(plan.new), len(own.ids) + len(plan.new))
            writer.insert(table, columns, _new_rows(plan, records, own, stamp, self_ix, fixups))
            if fixups:
                writer.update(table, [self_ref], fixups, bump=False)  # type: ignore[list-item]
            writer.restore_indexes(rebuild)
        if plan.changed:
            writer.update(table, data_cols,
                          [(*plan.data[i], stamp, own.file[records.ext[i]]) for i in plan.changed])  # type: ignore[misc]
        if spec.lists:
            changed_sids = [own.file[records.ext[i]] for i in plan.changed]
            for child in dict.fromkeys(f.child for f in spec.lists):
                child_table, parent_col, target_col, has_role, has_ordinal = CHILD_TABLES[child]  # type: ignore[index]
                if changed_sids:
                    writer.delete_children(child_table.name, parent_col, changed_sids)
                columns = [parent_col, *(["role"] if has_role else []), target_col,
                           *(["ordinal"] if has_ordinal else [])]
                adding = sum(len(records.lists[i][lx])  # type: ignore[index]
                             for i in plan.new for lx, f in enumerate(spec.lists) if f.child == child)
                rebuild = writer.suspend_indexes(child_table.name, adding, None)
                writer.insert(child_table.name, columns, _link_rows(spec, plan, records, own, child))
                writer.restore_indexes(rebuild)


def _new_rows(plan: _Plan, records: _Parsed, own: _Ids, stamp: Any, self_ix: int | None,
              fixups: list[tuple[Any, Any]]) -> Iterable[tuple[Any, ...]]:
    for i in plan.new:
        ext = records.ext[i]
        sid = own.file[ext]
        row = plan.data[i]
        assert row is not None
        if self_ix is not None and row[self_ix] is not None:
            # inserted without it first: the referenced record may come later in the same batch
            fixups.append((row[self_ix], sid))
            row = (*row[:self_ix], None, *row[self_ix + 1:])
        yield (sid, ext, stamp, stamp, 1, *row)


def _link_rows(spec: TypeSpec, plan: _Plan, records: _Parsed, own: _Ids, child: str) -> Iterable[tuple[Any, ...]]:
    """Link rows straight from the reference lists (same order as _children_of compares)."""
    has_role, has_ordinal = CHILD_TABLES[child][3], CHILD_TABLES[child][4]
    fields = [(lx, f.role) for lx, f in enumerate(spec.lists) if f.child == child]
    file_ids = own.file
    exts = records.ext
    all_lists = records.lists
    for i in (*plan.new, *plan.changed):
        sid = file_ids[exts[i]]
        lists = all_lists[i]
        for lx, role in fields:
            targets = lists[lx]  # type: ignore[index]
            if has_role:
                for n, target in enumerate(targets):
                    yield (sid, role, target, n)
            elif has_ordinal:
                for n, target in enumerate(targets):
                    yield (sid, target, n)
            else:
                for target in targets:
                    yield (sid, target)


def _to_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=value)


def _refresh_cases(conn: Connection, parsed: dict[str, _Parsed], plans: dict[str, _Plan]) -> None:
    plan = plans["visit"]
    touched = [*plan.new, *plan.changed]
    if not touched:
        return
    case_ix = SPECS["visit"].data_columns.index("case_id")
    affected = {plan.data[i][case_ix] for i in touched} | set(plan.old_case_ids)  # type: ignore[index]
    total = conn.execute(select(func.count()).select_from(Case.__table__)).scalar_one()
    if len(affected) * 2 > total:
        refresh_first_visits(conn, None)  # one set-based UPDATE over every case is cheaper
    else:
        refresh_first_visits(conn, [_to_uuid(v) for v in affected])


def _bulk(ids: dict[str, _Ids], plans: dict[str, _Plan]) -> bool:
    """Whether rebuilding the search index once beats keeping it up to date row by row."""
    written = sum(len(plans[name].new) + len(plans[name].changed) for name in _SEARCHED)
    after = sum(len(ids[name].ids) + len(plans[name].new) for name in _SEARCHED)
    return written >= BULK_MIN_ROWS and written * 3 >= after


def _check_path(path: Path) -> None:
    if not path.exists():
        raise UserError(f"Không tìm thấy tệp {path}")
    if path.is_dir():
        raise UserError(f"{path} là thư mục, không phải tệp JSONL")


def import_jsonl(engine: Engine, path: str | os.PathLike[str], *, progress: Progress | None = None,
                 cancel: CancelCheck | None = None) -> ImportResult:
    """Import an interchange file: everything or nothing.

    Raises ValidationError (with every ``line N: field: message``) when the file is not right,
    Cancelled when ``cancel()`` became true; in both cases nothing was written.
    """
    path = Path(path)
    _check_path(path)
    # Millions of small lists stay alive until the end: the cyclic collector would walk them
    # again and again (a third of the time) and can free nothing, so it rests meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        total = _count_lines(path)
        ticker = _Ticker(total, progress, cancel)
        ticker.report(0, force=True)
        parser = LineParser(engine.dialect, date.today())
        errors: list[tuple[int, str]] = []
        warnings: list[str] = []
        parsed, total_lines = _read(path, parser, ticker, errors, warnings)
        ticker.check()
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                _sqlite_bulk_mode(conn, on=True)
            try:
                with conn.begin():
                    if sqlite:
                        # take the write lock before reading the ids: nobody can change the rows
                        # the references were checked against until the commit
                        conn.exec_driver_sql("BEGIN IMMEDIATE")
                    result = _import(conn, path, parser, parsed, total_lines, ticker, errors, warnings)
            finally:
                if sqlite:
                    _sqlite_bulk_mode(conn, on=False)
    finally:
        if collecting:
            gc.enable()
    ticker.report(ticker.total, force=True)
    return result


def _sqlite_bulk_mode(conn: Connection, *, on: bool) -> None:
    """Outside the transaction (SQLite ignores these inside one).

    Every reference was resolved against the file and the database under the write lock, so the
    per-row foreign-key look-ups (random reads in large indexes) would only repeat that check;
    a larger page cache keeps the indexes of a million-row table in memory.
    """
    if on:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    else:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.exec_driver_sql(f"PRAGMA cache_size={_SQLITE_DEFAULT_CACHE}")
    conn.commit()  # ends SQLAlchemy's autobegun (empty) transaction


def _import(conn: Connection, path: Path, parser: LineParser, parsed: dict[str, _Parsed], total_lines: int,
            ticker: _Ticker, errors: list[tuple[int, str]], warnings: list[str]) -> ImportResult:
    ids = {spec.name: _Ids(conn, spec) for spec in TYPES}
    for spec in TYPES:
        ids[spec.name].assign(parsed[spec.name])
    _cycles(parsed, errors)  # on file ids, before _resolve turns them into storage ids
    _resolve(parsed, ids, errors)
    if errors:
        errors.sort(key=lambda e: e[0])
        raise ValidationError(
            f"Tệp {path.name} có {len(errors)} lỗi; chưa ghi gì vào cơ sở dữ liệu.",
            errors=[message for _, message in errors],
        )
    ticker.check()
    plans = {spec.name: _plan(conn, spec, parsed[spec.name], ids[spec.name], parser) for spec in TYPES}
    to_write = sum(len(p.new) + len(p.changed) for p in plans.values())
    for spec in TYPES:  # the link rows too
        if spec.lists:
            lists = parsed[spec.name].lists
            plan = plans[spec.name]
            to_write += sum(len(ids_) for i in (*plan.new, *plan.changed) for ids_ in lists[i])  # type: ignore[union-attr]
    writer = _Writer(conn, ticker, to_write)
    result = ImportResult(
        added={s.name: len(plans[s.name].new) for s in TYPES},
        updated={s.name: len(plans[s.name].changed) for s in TYPES},
        unchanged={s.name: plans[s.name].unchanged for s in TYPES},
        total_lines=total_lines,
        warnings=warnings[:MAX_WARNINGS],
        file_name=path.name,
        warnings_omitted=max(0, len(warnings) - MAX_WARNINGS),
    )
    audit(conn, "import", {"file": path.name, "lines": total_lines, "added": result.added,
                           "updated": result.updated, "unchanged": result.unchanged, "warnings": len(warnings)})
    bulk = _bulk(ids, plans)
    if bulk:
        suspend_search_index(conn)
    _write(conn, parsed, ids, plans, writer)
    _refresh_cases(conn, parsed, plans)
    if bulk:
        rebuild_search_index(conn)
    ticker.check()
    return result
