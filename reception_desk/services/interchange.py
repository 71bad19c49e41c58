"""Import and export of the interchange format (JSONL), all-or-nothing and idempotent.

Import reads and checks the whole file before it writes anything; every error is listed as
``line N: field: message``. The write is one transaction: new records are inserted in large
batches (SQLite: the driver's executemany; PostgreSQL: COPY), changed records are updated with
``version + 1``, identical ones are left alone, so importing the same file twice changes nothing.
Values are built directly in the storage form of the database (see interchange_format), which is
what lets a million-line file through in well under a minute.

The GUI calls the same functions from a background thread with ``progress`` and ``cancel``.
Above PARALLEL_MIN_BYTES the first pass (reading and checking, pure Python) is split by byte ranges
between this process and 'spawn' worker processes; the parts are merged in line order, so errors,
warnings and rows are exactly those of a single pass.
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import multiprocessing.connection
import os
import pickle
import sys
import tempfile
import uuid
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.process import BaseProcess
from pathlib import Path
from time import monotonic
from typing import IO, Any

import orjson
from sqlalchemy import Connection, Dialect, Engine, func, select

from reception_desk.services.errors import CancelCheck, Cancelled, Progress, UserError, ValidationError
from reception_desk.services.interchange_export import audit, export_jsonl
from reception_desk.services.interchange_format import (
    CHILD_TABLES,
    ID_MAX,
    SPECS,
    TYPE_NAMES,
    TYPES,
    Bad,
    LineParser,
    TypeSpec,
    line_is_clean,
    looks_like_uuid,
)
from reception_desk.storage.bulk import (
    BulkWriter,
    SqliteImportMode,
    count_rows,
    enter_sqlite_import,
    leave_sqlite_import,
    refresh_planner_data,
    storage_ids,
)
from reception_desk.storage.cases import refresh_cases
from reception_desk.storage.models import Case, utcnow
from reception_desk.storage.search_queries import (
    adopt_search_index,
    build_search_index_file,
    rebuild_search_index,
    search_sources,
    suspend_search_index,
)

__all__ = ["ImportResult", "export_jsonl", "import_jsonl"]

BATCH = 20_000  # records per chunk of the spill: also the rows per executemany / COPY round
READ_SHARE = 0.45  # share of the progress bar for reading and checking the file
MAX_WARNINGS = 1_000
# From this file size the first pass is split between this process and worker processes (as many
# parts in all as PARALLEL_PARTS, at most one per core): it is pure Python, one core per part.
PARALLEL_MIN_BYTES = 32 << 20
PARALLEL_PARTS = 2
# The search index (storage.search_queries) covers these tables; from this many written rows, and a
# third of the tables, dropping its triggers/indexes and rebuilding once is much faster.
_SEARCHED = ("citizen", "case", "petition")
BULK_MIN_ROWS = 20_000
# SQLite, from this many new searched rows into empty tables: the word index is built by another process
SEARCH_WORKER_MIN_ROWS = 200_000
# marshal format of the spill files: version 2 keeps no references between equal objects, which
# makes writing a chunk of rows about 40 % cheaper (0.9 against 1.6 µs a row) for a quarter more
# bytes; reading takes as long (measured on the bench file's petition ranges).
MARSHAL_VERSION = 2
INDEX_REBUILD_MIN_ROWS = 50_000  # SQLite: from this many new rows (and half the table), rebuild indexes
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


def _layout(path: Path, parts: int) -> tuple[int, list[tuple[int, int, int]]]:
    """The file's line count and ``parts`` byte ranges cut at line ends: (start, end, first line).

    One read of the file does both (it is in the OS cache afterwards for the passes).
    """
    size = path.stat().st_size
    targets = [size * k // parts for k in range(1, parts)]
    cuts: list[tuple[int, int]] = []  # (offset just after a new line, lines before it)
    count = 0
    base = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            while targets and targets[0] < base + len(chunk):
                nl = chunk.find(b"\n", max(targets[0] - base, 0))
                if nl < 0:
                    break  # the line goes on in the next chunk
                cut = (base + nl + 1, count + chunk.count(b"\n", 0, nl + 1))
                if cut[0] < size and (not cuts or cut[0] > cuts[-1][0]):
                    cuts.append(cut)
                targets.pop(0)
            count += chunk.count(b"\n")
            last = chunk[-1:]
            base += len(chunk)
    starts = [(0, 0), *cuts]
    ranges = [(start, end, before + 1) for (start, before), (end, _) in zip(starts, [*cuts, (size, 0)], strict=True)]
    return count + (last != b"\n"), ranges


class _Spill:
    """The checked records, converted to storage form, kept on disk between the two passes.

    Holding two million parsed records in Python objects took gigabytes; a chunk of records
    serialised with marshal (pickle when a value is not a plain str/int/None, e.g. PostgreSQL's
    dates) costs a few microseconds per record each way and stays in the OS file cache. The
    worker processes of a parallel first pass each write their own file (in ``folder``, removed
    by close) and the chunks are read back in file order.
    """

    def __init__(self) -> None:
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        # a named file (in the private folder): the search index worker reads it too
        self.file: IO[bytes] = open(self.work_path("spill-0"), "w+b")  # noqa: SIM115 - closed by close()
        self.files: list[IO[bytes]] = [self.file]
        self.chunks: dict[str, list[tuple[int, int, int]]] = {name: [] for name in SPECS}  # (file, offset, size)

    def write(self, name: str, records: list[Any]) -> None:
        try:
            blob = b"m" + marshal.dumps(records, MARSHAL_VERSION)
        except ValueError:
            blob = b"p" + pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)
        self.file.seek(0, os.SEEK_END)
        self.chunks[name].append((0, self.file.tell(), len(blob)))
        self.file.write(blob)

    def work_path(self, name: str) -> str:
        """A path for a worker's file, in a private folder that close() removes."""
        if self.folder is None:
            self.folder = tempfile.TemporaryDirectory(prefix="reception-desk-import-")
        return os.path.join(self.folder.name, name)

    def adopt(self, path: str, chunks: dict[str, list[tuple[int, int]]]) -> None:
        """Append the chunks a worker wrote to ``path`` (after this file's own, per type)."""
        number = len(self.files)
        self.files.append(open(path, "rb"))  # noqa: SIM115 - closed by close()
        for name, found in chunks.items():
            self.chunks[name].extend((number, offset, length) for offset, length in found)

    def read(self, name: str) -> Iterator[list[Any]]:
        for number, offset, length in self.chunks[name]:
            fh = self.files[number]
            fh.seek(offset)
            blob = fh.read(length)
            yield marshal.loads(blob[1:]) if blob[:1] == b"m" else pickle.loads(blob[1:])  # noqa: S301 - our own file

    def locations(self, name: str) -> list[tuple[str, int, int]]:
        """(path, offset, size) of the chunks of one type, for another process (see _read_chunks)."""
        self.file.flush()
        return [(self.files[number].name, offset, length) for number, offset, length in self.chunks[name]]

    def close(self) -> None:
        for fh in self.files:
            fh.close()
        if self.folder is not None:
            self.folder.cleanup()


class _FileSpill:
    """The spill side of a worker process: its own file, chunks listed for the parent's _Spill."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.chunks: dict[str, list[tuple[int, int]]] = {name: [] for name in SPECS}

    def write(self, name: str, records: list[Any]) -> None:
        try:
            blob = b"m" + marshal.dumps(records, MARSHAL_VERSION)
        except ValueError:
            blob = b"p" + pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)
        self.chunks[name].append((self.fh.tell(), len(blob)))
        self.fh.write(blob)


@dataclass
class _Scan:
    """What the first pass keeps of the records of one type (the rest is in the spill)."""

    exts: list[str] = field(default_factory=list)  # file ids in file order
    lines: array[int] = field(default_factory=lambda: array("L"))
    index: dict[str, int] = field(default_factory=dict)  # file id -> position
    links: array[int] = field(default_factory=lambda: array("L"))  # link rows each record wants
    self_refs: list[tuple[int, str]] = field(default_factory=list)  # (position, referenced file id)
    buffer: list[Any] = field(default_factory=list)  # records not yet spilled


# Every (field, target type) a reference can have: pending references store its number.
_REF_KINDS: list[tuple[str, str]] = list(dict.fromkeys(
    [(f.key, f.arg) for spec in TYPES for f in spec.fields if f.kind in ("ref", "refs")]))
_REF_KIND = {kind: n for n, kind in enumerate(_REF_KINDS)}


@dataclass
class _Part:
    """What the first pass found in one byte range of the file (in this process or a worker).

    References not found earlier in the same range wait in the three ``pending_*`` columns (the
    whole file and the database decide them); a repeated id is kept as (line, type, file id) so its
    message can name the first line in the whole file.
    """

    scans: dict[str, _Scan]
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    repeats: list[tuple[int, str, str]] = field(default_factory=list)
    pending_lines: array[int] = field(default_factory=lambda: array("L"))
    pending_kinds: bytearray = field(default_factory=bytearray)
    pending_values: list[str] = field(default_factory=list)
    chunks: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # a worker's spill
    last_line: int = 0


def _ref_plan(spec: TypeSpec) -> tuple[list[tuple[int, str, int]], list[tuple[int, str, int]]]:
    """(position, target type, kind number) of the references and of the reference lists."""
    refs = [(ix, f.arg, _REF_KIND[f.key, f.arg]) for ix, f in enumerate(spec.scalars) if f.kind == "ref"]
    lists = [(lx, f.arg, _REF_KIND[f.key, f.arg]) for lx, f in enumerate(spec.lists)]
    return refs, lists


def _scan_range(path: Path, start: int, end: int, first_line: int, parser: LineParser,
                spill: _Spill | _FileSpill, batch: int, tick: Callable[[int], None]) -> _Part:
    """First pass over the lines in bytes [start, end): check every line, spill the converted
    records, keep ids and references. ``tick(line)`` runs every 20,000 lines (progress, cancel)."""
    scans = {name: _Scan() for name in SPECS}
    part = _Part(scans)
    errors, warnings = part.errors, part.warnings
    plans = {spec.name: _ref_plan(spec) for spec in TYPES}
    key_plans = {spec.name: _key_plan(spec) for spec in TYPES}
    pending_lines, pending_kinds, pending_values = part.pending_lines, part.pending_kinds, part.pending_values
    fold = parser.fold
    left = end - start
    lineno = first_line - 1

    with path.open("rb") as fh:
        fh.seek(start)
        for lineno, raw in enumerate(fh, first_line):  # noqa: B007 - lineno is read after the loop
            if left <= 0:
                lineno -= 1
                break
            left -= len(raw)
            if lineno % 20_000 == 0:
                tick(lineno)
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a BOM from Windows editors
            if not raw or raw.isspace():  # as not raw.strip(), without copying the line
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
            clean = line_is_clean(raw)
            own = scans[spec.name]
            ext = obj.get("id")
            if clean and type(ext) is str and 0 < len(ext) <= ID_MAX:
                pass  # the usual id, as ref_id would take it
            elif ext is None:
                errors.append((lineno, f"line {lineno}: id: thiếu trường bắt buộc"))
            else:
                try:
                    ext = parser.ref_id(ext, clean=clean)
                except Bad as exc:
                    errors.append((lineno, f"line {lineno}: id: {exc}"))
                    ext = None
            result = parser.parse(spec, obj, lineno, errors, warnings, clean=clean)
            if ext is None:
                continue
            if ext in own.index:
                part.repeats.append((lineno, spec.name, ext))
                continue
            pos = len(own.exts)
            own.index[ext] = pos
            own.lines.append(lineno)
            own.exts.append(ext)
            if result is None:
                own.links.append(0)
                continue
            values, lists = result
            refs, list_refs = plans[spec.name]
            for ix, target, ref_kind in refs:
                value = values[ix]
                if value is None:
                    continue
                if target == spec.name:
                    own.self_refs.append((pos, value))
                if value not in scans[target].index:
                    pending_lines.append(lineno)
                    pending_kinds.append(ref_kind)
                    pending_values.append(value)
            links = 0
            for lx, target, ref_kind in list_refs:
                known = scans[target].index
                for value in lists[lx]:
                    if value not in known:
                        pending_lines.append(lineno)
                        pending_kinds.append(ref_kind)
                        pending_values.append(value)
                links += len(lists[lx])
            own.links.append(links)
            if errors or part.repeats:
                continue  # nothing will be written: no need to keep the records
            for ix, nullable in key_plans[spec.name]:
                text = values[ix]
                values.append(fold(text) if text else None if nullable else "")
            own.buffer.append((values, lists) if lists else values)
            if len(own.buffer) >= batch:
                spill.write(spec.name, own.buffer)
                own.buffer = []
    if not (errors or part.repeats):
        for name, scan in scans.items():
            if scan.buffer:
                spill.write(name, scan.buffer)
                scan.buffer = []
    part.last_line = lineno
    part.warning_count = len(warnings)
    return part


def lower_priority() -> None:
    """Called first in an import's helper processes: the importing process, which inserts what
    they read, is the one the import waits for, so it gets the CPU first when they all want it.
    Measured on the 2-core bench machine (fast SQLite import of the large file, alternate runs):
    57.7 s on average with this, 60.7 s without."""
    try:
        if sys.platform == "win32":
            import ctypes

            below_normal = 0x4000  # BELOW_NORMAL_PRIORITY_CLASS
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal)
        else:
            os.nice(10)
    except OSError:  # pragma: no cover - a priority is a wish, not a need
        pass


def _scan_worker(path: Path, start: int, end: int, first_line: int, dialect_class: type[Dialect], today: date,
                 batch: int, spill_path: str, result_path: str, done: Any) -> None:
    """A worker process of the parallel first pass: one byte range, results left in two files."""
    gc.disable()  # as in import_jsonl: nothing the pass makes is garbage
    lower_priority()

    def tick(line: int) -> None:
        done.value = line - first_line

    parser = LineParser(dialect_class(), today)
    with open(spill_path, "wb") as fh:
        spill = _FileSpill(fh)
        part = _scan_range(path, start, end, first_line, parser, spill, batch, tick)
    part.chunks = spill.chunks
    del part.warnings[MAX_WARNINGS:]  # the parent keeps no more (it has the count)
    for scan in part.scans.values():
        scan.index = {}  # the parent rebuilds it from exts
    with open(result_path + ".tmp", "wb") as out:
        pickle.dump(part, out, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(result_path + ".tmp", result_path)  # present only when complete


class _Workers:
    """Worker processes scanning the later ranges of the file while this process scans the first.

    'spawn' processes (the only kind Windows has; safe from the GUI's background thread). They
    are terminated on any error or cancel; their files live in the spill's folder.
    """

    def __init__(self, path: Path, ranges: list[tuple[int, int, int]], dialect: Dialect, today: date,
                 spill: _Spill) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.procs: list[BaseProcess] = []
        self.done: list[Any] = []
        self.results: list[str] = []
        self.spills: list[str] = []
        for n, (start, end, first_line) in enumerate(ranges, 1):
            done = self.context.Value("q", 0, lock=False)
            spill_path, result_path = spill.work_path(f"spill-{n}"), spill.work_path(f"part-{n}")
            proc = self.context.Process(
                target=_scan_worker, name=f"reception-desk-import-{n}", daemon=True,
                args=(path, start, end, first_line, type(dialect), today, BATCH, spill_path, result_path, done),
            )
            self.procs.append(proc)
            self.done.append(done)
            self.results.append(result_path)
            self.spills.append(spill_path)
        for proc in self.procs:
            proc.start()

    def lines_done(self) -> int:
        return sum(done.value for done in self.done)

    def collect(self, ticker: _Ticker, share: float, own_lines: int) -> list[tuple[_Part, str] | None]:
        """Wait for every worker (progress and cancel meanwhile); their results with their spill
        files, or None for a worker that failed (e.g. under a script without ``if __name__ ==
        "__main__":``, which 'spawn' runs again in the child, or killed): that range is then read
        in this process."""
        waiting = [proc for proc in self.procs if proc.exitcode is None]
        while waiting:
            ticker.check()
            ticker.report(share * (own_lines + self.lines_done()) / ticker.total)
            multiprocessing.connection.wait([proc.sentinel for proc in waiting], timeout=0.2)
            waiting = [proc for proc in waiting if proc.exitcode is None]
        parts: list[tuple[_Part, str] | None] = []
        for proc, result_path, spill_path in zip(self.procs, self.results, self.spills, strict=True):
            if proc.exitcode != 0 or not os.path.exists(result_path):
                parts.append(None)
                continue
            with open(result_path, "rb") as fh:
                parts.append((pickle.load(fh), spill_path))  # noqa: S301 - written by our own worker
        return parts

    def stop(self) -> None:
        """Terminate the workers still running and reap them all."""
        for proc in self.procs:
            if proc.exitcode is None:
                proc.terminate()
        for proc in self.procs:
            proc.join()
            proc.close()


def _read_chunks(locations: list[tuple[str, int, int]]) -> Iterator[list[Any]]:
    """The spill chunks at ``locations`` (see _Spill.locations), read in another process."""
    handles: dict[str, IO[bytes]] = {}
    try:
        for path, offset, length in locations:
            fh = handles.get(path)
            if fh is None:
                fh = handles[path] = open(path, "rb")  # noqa: SIM115 - closed below
            fh.seek(offset)
            blob = fh.read(length)
            yield marshal.loads(blob[1:]) if blob[:1] == b"m" else pickle.loads(blob[1:])  # noqa: S301 - our own file
    finally:
        for fh in handles.values():
            fh.close()


# per base table: (spill chunks, positions of search_sources() in the data columns or None when the
# chunks hold those values alone, records are (data, lists))
_SearchSources = dict[str, tuple[list[tuple[str, int, int]], list[int] | None, bool]]


def _search_worker(db_path: str, sources: _SearchSources) -> None:
    """The search index process: the word tables of an import into empty tables, built from the
    spill while the importing process inserts the rows. Row n of a type gets rowid n, as SQLite
    numbers the rows of an empty table in insertion order (the importer checks it before use)."""
    gc.disable()
    lower_priority()

    def rows(base: str) -> Iterator[list[Any]]:
        locations, positions, paired = sources[base]
        if positions is None:  # chunks of the searched values alone (interchange_fast)
            yield from _read_chunks(locations)
            return
        for chunk in _read_chunks(locations):
            yield [[(record[0] if paired else record)[i] for i in positions] for record in chunk]

    build_search_index_file(db_path + ".tmp", rows)
    os.replace(db_path + ".tmp", db_path)  # present only when complete


class _SearchBuilder:
    """SQLite, an import into empty searched tables: the word tables are built by another process
    (the tokenizer with seven prefix indexes costs as much as the inserts) in a scratch database at
    ``path``, then adopted in the import's transaction instead of a rebuild. ``counts``: the rows
    each base table will hold (rowids 1..n, see _search_worker)."""

    def __init__(self, path: str, sources: _SearchSources, counts: dict[str, int]) -> None:
        self.counts = counts
        self.path = path
        self.proc = multiprocessing.get_context("spawn").Process(
            target=_search_worker, name="reception-desk-import-search", daemon=True, args=(self.path, sources))
        self.proc.start()

    def adopt(self, conn: Connection, ticker: _Ticker) -> bool:
        """Wait for the worker (cancel meanwhile) and take its tables; False when it failed or the
        rowids are not the ones it used (the caller then rebuilds the index itself)."""
        while self.proc.exitcode is None:
            ticker.check()
            multiprocessing.connection.wait([self.proc.sentinel], timeout=0.2)
        if self.proc.exitcode != 0 or not os.path.exists(self.path):
            return False
        for table, count in self.counts.items():
            # all rowids distinct and above 0: count n with max n means exactly 1..n
            found = tuple(conn.exec_driver_sql(f'SELECT count(*), coalesce(max(rowid), 0) FROM "{table}"').one())
            if found != (count, count):
                return False
        return adopt_search_index(conn, self.path)

    def stop(self) -> None:
        if self.proc.exitcode is None:
            self.proc.terminate()
        self.proc.join()
        self.proc.close()


def search_worker_allowed(conn: Connection, new_rows: int) -> bool:
    """Whether a search index process may be used: SQLite, outside a frozen bundle (see _parts),
    from SEARCH_WORKER_MIN_ROWS new searched rows."""
    return conn.dialect.name == "sqlite" and not getattr(sys, "frozen", False) and new_rows >= SEARCH_WORKER_MIN_ROWS


def _search_builder(conn: Connection, ids: dict[str, _Ids], spill: _Spill) -> _SearchBuilder | None:
    """A _SearchBuilder when the searched tables are empty and the import is large."""
    if any(ids[name].ids or ids[name].new_count != len(ids[name].is_new) for name in _SEARCHED):
        return None
    if not search_worker_allowed(conn, sum(ids[name].new_count for name in _SEARCHED)):
        return None
    sources: _SearchSources = {}
    wanted = search_sources()
    for name in _SEARCHED:
        spec = SPECS[name]
        positions = [spec.data_columns.index(c) for c in wanted[spec.table.name]]
        sources[spec.table.name] = (spill.locations(name), positions, bool(spec.lists))
    counts = {SPECS[name].table.name: ids[name].new_count for name in _SEARCHED}
    return _SearchBuilder(spill.work_path("search.sqlite"), sources, counts)


def _parts(path: Path, size: int) -> int:
    """How many ranges the first pass is split into: one below PARALLEL_MIN_BYTES."""
    if size < PARALLEL_MIN_BYTES or getattr(sys, "frozen", False):
        # A frozen bundle would start the whole application again in each 'spawn' process
        # unless its entry point calls multiprocessing.freeze_support(): stay in one process.
        return 1
    return max(1, min(PARALLEL_PARTS, os.cpu_count() or 1))


def _read(path: Path, parser: LineParser, ids: dict[str, _Ids], spill: _Spill, ticker: _Ticker,
          ranges: list[tuple[int, int, int]], errors: list[tuple[int, str]],
          warnings: list[str]) -> tuple[dict[str, _Scan], int, int]:
    """First pass over the whole file: the first range here, the others in worker processes.

    Returns the scans of the whole file, the last line number and how many warnings there were.
    The result, errors included and in the same order, does not depend on how the file was split.
    """
    share = READ_SHARE * ticker.total
    workers = _Workers(path, ranges[1:], parser.dialect, parser.today, spill) if len(ranges) > 1 else None
    try:
        first_start, first_end, first_line = ranges[0]

        def tick(line: int) -> None:
            ticker.check()
            ticker.report(share * (line + (workers.lines_done() if workers else 0)) / ticker.total)

        def alone(line: int) -> None:  # a range read here after its worker failed
            ticker.check()
            ticker.report(share * line / ticker.total)

        parts = [_scan_range(path, first_start, first_end, first_line, parser, spill, BATCH, tick)]
        if workers is not None:
            found = workers.collect(ticker, share, parts[0].last_line)
            for (start, end, line), done in zip(ranges[1:], found, strict=True):
                if done is None:
                    parts.append(_scan_range(path, start, end, line, parser, spill, BATCH, alone))
                else:  # in file order, so the spill's chunks of a type stay in file order
                    parts.append(done[0])
                    spill.adopt(done[1], done[0].chunks)
    finally:
        if workers is not None:
            workers.stop()
    scans = check_whole_file(parts, ids, path, errors, warnings)
    return scans, parts[-1].last_line, sum(part.warning_count for part in parts)


def _merge(parts: list[_Part], errors: list[tuple[int, str]], warnings: list[str]) -> dict[str, _Scan]:
    """The scans of the whole file from those of its ranges, in file order.

    An id already seen in an earlier range is a repeat (its record dropped, as in one pass).
    """
    scans = parts[0].scans
    errors.extend(parts[0].errors)
    warnings.extend(parts[0].warnings)
    repeats = list(parts[0].repeats)
    for part in parts[1:]:
        errors.extend(part.errors)
        warnings.extend(part.warnings[:max(0, MAX_WARNINGS - len(warnings))])
        repeats.extend(part.repeats)
        dropped: set[int] = set()  # lines whose record repeats an id of an earlier range
        for name, scan in part.scans.items():
            merged = scans[name]
            offset = len(merged.exts)
            if merged.index.keys().isdisjoint(scan.exts):
                merged.index.update(zip(scan.exts, range(offset, offset + len(scan.exts)), strict=True))
                merged.exts += scan.exts
                merged.lines += scan.lines
                merged.links += scan.links
                merged.self_refs += [(pos + offset, target) for pos, target in scan.self_refs]
                continue
            where: list[int] = []  # position in the range -> in the file (-1: dropped)
            for pos, ext in enumerate(scan.exts):
                if ext in merged.index:
                    repeats.append((scan.lines[pos], name, ext))
                    dropped.add(scan.lines[pos])
                    where.append(-1)
                    continue
                where.append(len(merged.exts))
                merged.index[ext] = len(merged.exts)
                merged.exts.append(ext)
                merged.lines.append(scan.lines[pos])
                merged.links.append(scan.links[pos])
            merged.self_refs += [(where[pos], target) for pos, target in scan.self_refs if where[pos] >= 0]
        if dropped:
            keep = [n for n, line in enumerate(part.pending_lines) if line not in dropped]
            part.pending_lines = array("L", [part.pending_lines[n] for n in keep])
            part.pending_kinds = bytearray(part.pending_kinds[n] for n in keep)
            part.pending_values = [part.pending_values[n] for n in keep]
    # After the messages of its line (stable sort by line below), as one pass writes it.
    for line, name, ext in repeats:
        scan = scans[name]
        errors.append((line, f"line {line}: id: mã “{ext}” trùng với {SPECS[name].label} ở dòng "
                             f"{scan.lines[scan.index[ext]]}"))
    return scans


def _check_references(parts: list[_Part], scans: dict[str, _Scan], ids: dict[str, _Ids],
                      errors: list[tuple[int, str]]) -> None:
    """References not found before them in their range: in the whole file, or in the database."""
    for part in parts:
        for line, ref_kind, value in zip(part.pending_lines, part.pending_kinds, part.pending_values, strict=True):
            key, target = _REF_KINDS[ref_kind]
            if value in scans[target].index or ids[target].existing(value) is not None:
                continue
            errors.append((line, f"line {line}: {key}: không tìm thấy {SPECS[target].label} “{value}” "
                                 "(trong tệp hoặc cơ sở dữ liệu)"))


# --- resolving --------------------------------------------------------------------------------


class _Ids:
    """Storage-form ids of one table: existing rows by external id and by id, and the file's."""

    def __init__(self, conn: Connection, spec: TypeSpec) -> None:
        dialect = conn.dialect
        self._to_storage = spec.table.c.id.type.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)
        self.by_ext: dict[str, Any] = {}
        self.ids: set[Any] = set()
        for sid, ext in storage_ids(conn, spec.table.name):
            self.ids.add(sid)
            if ext is not None:
                self.by_ext[ext] = sid
        sample = uuid.uuid4()
        # SQLite keeps a UUID as its 32 hex digits: make those directly, a million times faster
        self._hex = self._to_storage(sample) == sample.hex
        self.file: dict[str, Any] = {}  # file id -> storage id (new and matched records)
        self.is_new = bytearray()  # per file position: 1 = a new row
        self.new_count = 0

    def existing(self, ext: str) -> Any:
        sid = self.by_ext.get(ext)
        if sid is None and looks_like_uuid(ext):
            candidate = self._to_storage(uuid.UUID(ext))
            if candidate in self.ids:
                sid = candidate
        return sid

    def assign(self, exts: list[str]) -> None:
        taken: set[Any] = set()
        pending: list[int] = []
        self.is_new = bytearray(len(exts))
        for i, ext in enumerate(exts):
            sid = self.by_ext.get(ext)
            if sid is not None:
                self.file[ext] = sid
                taken.add(sid)
            else:
                pending.append(i)
        fresh = self._fresh(len(pending))
        for n, i in enumerate(pending):
            ext = exts[i]
            sid = None
            if looks_like_uuid(ext):
                candidate = self._to_storage(uuid.UUID(ext))
                if candidate not in taken:
                    sid = candidate
                    # a record exported without a file id comes back to its own row ...
                    if candidate in self.ids:
                        self.file[ext] = sid
                        taken.add(sid)
                        continue
            # ... or keeps its UUID in a new database, so desks that merge files share ids.
            if sid is None:
                sid = fresh[n]
            self.file[ext] = sid
            taken.add(sid)
            self.is_new[i] = 1
            self.new_count += 1

    def _fresh(self, count: int) -> list[Any]:
        """New random (version 4) UUIDs in storage form, drawn from the OS in one call.

        Handed out in ascending order: the rows of an import then append to the primary-key
        index instead of splitting pages all over it (a third faster on a million rows); the ids
        themselves stay as random as uuid4().
        """
        raw = os.urandom(16 * count)
        if not self._hex:
            make = uuid.UUID
            return sorted(make(bytes=raw[k:k + 16], version=4) for k in range(0, 16 * count, 16))
        digits = raw.hex()
        variant = _VARIANT
        # version nibble 4 and variant bits 10xx, exactly as uuid.UUID(version=4) sets them
        return sorted(f"{digits[k:k + 12]}4{digits[k + 13:k + 16]}{variant[digits[k + 16]]}{digits[k + 17:k + 32]}"
                      for k in range(0, 32 * count, 32))


_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


def _cycles(scans: dict[str, _Scan], errors: list[tuple[int, str]]) -> None:
    """A petition that is a duplicate of itself through others, or an agency its own parent."""
    for name, key in _CYCLE_FIELDS.items():
        records = scans[name]
        # file id -> file id, for the records whose reference points inside the file
        nxt: dict[str, str] = {records.exts[pos]: target for pos, target in records.self_refs
                               if target in records.index}
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


def _key_plan(spec: TypeSpec) -> list[tuple[int, bool]]:
    """For each folded key column: the position of its source text and whether it may be NULL."""
    position = {f.column: i for i, f in enumerate(spec.scalars)}
    return [(position[source], nullable) for _, source, nullable in spec.key_columns]


def _child_plan(spec: TypeSpec) -> list[tuple[str, str, list[str], list[tuple[int, str | None]], bool, bool]]:
    """Per link table of a type: (table, parent column, columns, [(list position, role)], role?, ordinal?)."""
    out = []
    for child in dict.fromkeys(f.child for f in spec.lists):
        table, parent_col, target_col, has_role, has_ordinal = CHILD_TABLES[child]  # type: ignore[index]
        columns = [parent_col, *(["role"] if has_role else []), target_col, *(["ordinal"] if has_ordinal else [])]
        fields = [(lx, f.role) for lx, f in enumerate(spec.lists) if f.child == child]
        out.append((table.name, parent_col, columns, fields, has_role, has_ordinal))
    return out


def _link_rows(sid: Any, lists: list[list[Any]], fields: list[tuple[int, str | None]], has_role: bool,
               has_ordinal: bool, out: list[tuple[Any, ...]]) -> None:
    """The link rows of one record (same order as _wanted compares)."""
    for lx, role in fields:
        targets = lists[lx]
        if has_role:
            out.extend([(sid, role, target, n) for n, target in enumerate(targets)])
        elif has_ordinal:
            out.extend([(sid, target, n) for n, target in enumerate(targets)])
        else:
            out.extend([(sid, target) for target in targets])


def _wanted(lists: list[list[Any]], fields: list[tuple[int, str | None]], has_role: bool,
            has_ordinal: bool) -> tuple[Any, ...]:
    """The link rows a record wants in one link table, in the form _stored_children gives."""
    rows: list[Any] = []
    for lx, role in fields:
        for n, sid in enumerate(lists[lx]):
            rows.append((role, n, sid) if has_role else (n, sid) if has_ordinal else sid)
    return tuple(rows) if has_ordinal else tuple(sorted(rows, key=str))


def _stored_children(writer: BulkWriter, child: tuple[Any, ...], parents: list[Any]) -> dict[Any, tuple[Any, ...]]:
    table, parent_col, _, _, has_role, has_ordinal = child
    target_col = CHILD_TABLES_BY_NAME[table][2]
    columns = [*(["role"] if has_role else []), *(["ordinal"] if has_ordinal else []), target_col]
    grouped = writer.existing_children(table, parent_col, columns, parents)
    return {parent: tuple(sorted(rows)) if has_ordinal else tuple(sorted(rows, key=str))
            for parent, rows in grouped.items()}


CHILD_TABLES_BY_NAME = {t.name: (t, parent, target) for t, parent, target, _, _ in CHILD_TABLES.values()}


@dataclass
class _Counts:
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    cases: set[Any] = field(default_factory=set)  # cases changed, or whose visits were added or changed


class _Loader:
    """Second pass: the spilled records of each type, in dependency order, into the database."""

    def __init__(self, conn: Connection, ids: dict[str, _Ids], scans: dict[str, _Scan], spill: _Spill,
                 ticker: _Ticker) -> None:
        self.conn = conn
        self.ids = ids
        self.scans = scans
        self.spill = spill
        self.ticker = ticker
        self.writer = BulkWriter(conn, self._advance)
        self.sqlite = conn.dialect.name == "sqlite"
        self.counts = _Counts()
        self.to_write = max(1, sum(len(s.exts) + sum(s.links) for s in scans.values()))
        self.written = 0
        self.case_copies: dict[Any, tuple[str, str | None]] = {}  # case storage id → (kind, field)
        stamp_type = TYPES[0].table.c.created_at.type.dialect_impl(conn.dialect)
        stamp_proc = stamp_type.bind_processor(conn.dialect)
        now = utcnow()
        self.stamp = stamp_proc(now) if stamp_proc else now

    def _advance(self, count: int) -> None:
        self.written += count
        share = READ_SHARE * self.ticker.total
        self.ticker.report(share + (self.ticker.total - share) * min(1.0, self.written / self.to_write))
        self.ticker.check()

    def _suspend(self, table: str, adding: int, existing: int) -> list[str]:
        """SQLite, large inserts: drop the table's secondary indexes (rebuilt once at the end)."""
        if not self.sqlite or adding < INDEX_REBUILD_MIN_ROWS or adding * 2 < existing + adding:
            return []
        return self.writer.drop_indexes(table)

    def load(self, spec: TypeSpec) -> None:
        name = spec.name
        own = self.ids[name]
        scan = self.scans[name]
        table = spec.table.name
        data_cols = spec.data_columns
        columns = ["id", "external_id", "created_at", "updated_at", "version", *data_cols]
        refs, list_refs = _ref_plan(spec)
        resolvers = [(ix, self.ids[target].file, self.ids[target].existing) for ix, target, _ in refs]
        list_resolvers = [(self.ids[target].file, self.ids[target].existing) for _, target, _ in list_refs]
        self_ref = _SELF_REFS.get(name)
        self_ix = data_cols.index(self_ref) if self_ref else None
        children = _child_plan(spec)
        case_ix = data_cols.index("case_id") if name == "visit" else None
        # A new visit gets its case's copied columns (storage.cases) from the case records just
        # loaded; one whose case was stored before gets placeholders, which the refresh of its
        # case at the end replaces.
        copies = self.case_copies
        if name == "visit":
            columns += ["case_kind", "case_field"]
        keep_copy = (data_cols.index("kind"), data_cols.index("field")) if name == "case" else None
        is_new = own.is_new
        stamp = self.stamp

        rebuild = self._suspend(table, own.new_count, len(own.ids))
        for child in children:
            adding = sum(scan.links[i] for i in range(len(scan.exts)) if is_new[i])
            rebuild += self._suspend(child[0], adding, count_rows(self.conn, child[0]) if adding else 0)

        fixups: list[tuple[Any, Any]] = []
        changed: list[tuple[Any, list[Any], list[list[Any]]]] = []
        unchanged = 0
        pos = 0
        exts = scan.exts
        for chunk in self.spill.read(name):
            rows: list[tuple[Any, ...]] = []
            links: list[list[tuple[Any, ...]]] = [[] for _ in children]
            matched: list[tuple[Any, list[Any], list[list[Any]]]] = []
            for record in chunk:
                data, lists = record if spec.lists else (record, None)
                ext = exts[pos]
                sid = own.file[ext]
                for ix, in_file, existing in resolvers:
                    value = data[ix]
                    if value is not None:
                        target = in_file.get(value)
                        data[ix] = target if target is not None else existing(value)
                if lists:
                    lists = [[in_file.get(v) or existing(v) for v in values]
                             for (in_file, existing), values in zip(list_resolvers, lists, strict=True)]
                if keep_copy is not None:
                    copies[sid] = (data[keep_copy[0]], data[keep_copy[1]])
                if is_new[pos]:
                    if self_ix is not None and data[self_ix] is not None:
                        # inserted without it first: the referenced record may come later
                        fixups.append((data[self_ix], sid))
                        rows.append((sid, ext, stamp, stamp, 1, *data[:self_ix], None, *data[self_ix + 1:]))
                    elif case_ix is not None:
                        rows.append((sid, ext, stamp, stamp, 1, *data, *copies.get(data[case_ix], ("", None))))
                    else:
                        rows.append((sid, ext, stamp, stamp, 1, *data))
                    if lists:
                        for out, (_, _, _, fields, has_role, has_ordinal) in zip(links, children, strict=True):
                            _link_rows(sid, lists, fields, has_role, has_ordinal, out)
                    if case_ix is not None:
                        self.counts.cases.add(data[case_ix])
                else:
                    matched.append((sid, data, lists))  # type: ignore[arg-type]
                pos += 1
            self.writer.insert(table, columns, rows)
            for out, child in zip(links, children, strict=True):
                self.writer.insert(child[0], child[2], out)
            if matched:
                unchanged += self._compare(spec, children, matched, changed, case_ix)
        if fixups:
            self.writer.update(table, [self_ref], fixups, bump=False)  # type: ignore[list-item]
        if changed:
            self.writer.update(table, data_cols, [(*data, stamp, sid) for sid, data, _ in changed])
            sids = [sid for sid, _, _ in changed]
            for child_table, parent_col, child_cols, fields, has_role, has_ordinal in children:
                self.writer.delete_children(child_table, parent_col, sids)
                out = []
                for sid, _, lists in changed:
                    _link_rows(sid, lists, fields, has_role, has_ordinal, out)
                self.writer.insert(child_table, child_cols, out)
        if keep_copy is not None:
            self.counts.cases.update(sid for sid, _, _ in changed)  # their visits' copies change
        self.writer.create_indexes(rebuild)
        self.ticker.check()
        self.counts.added[name] = own.new_count
        self.counts.updated[name] = len(changed)
        self.counts.unchanged[name] = unchanged

    def _compare(self, spec: TypeSpec, children: list[Any], matched: list[tuple[Any, list[Any], list[list[Any]]]],
                 changed: list[tuple[Any, list[Any], list[list[Any]]]], case_ix: int | None) -> int:
        """Sorts records that already have a row into changed and unchanged (returns how many)."""
        sids = [sid for sid, _, _ in matched]
        stored = self.writer.existing_rows(spec.table.name, spec.data_columns, sids)
        stored_children = [_stored_children(self.writer, child, sids) for child in children]
        unchanged = 0
        for sid, data, lists in matched:
            same = stored.get(sid) == tuple(data)
            if same and children:
                same = all(known.get(sid, ()) == _wanted(lists, child[3], child[4], child[5])
                           for known, child in zip(stored_children, children, strict=True))
            if same:
                unchanged += 1
            else:
                changed.append((sid, data, lists))
                if case_ix is not None:
                    self.counts.cases.add(data[case_ix])
                    if sid in stored:
                        self.counts.cases.add(stored[sid][case_ix])
        self._advance(len(matched))
        return unchanged


def _to_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=value)


def _refresh_cases(conn: Connection, affected: set[Any] | None) -> None:
    """The first visit of the cases in ``affected`` (None: of every case) and the copies on their
    visits (storage.cases.refresh_cases)."""
    if affected is not None and not affected:
        return
    total = conn.execute(select(func.count()).select_from(Case.__table__)).scalar_one()
    if affected is None or len(affected) * 2 > total:
        refresh_cases(conn, None)  # one set-based UPDATE over every case is cheaper
    else:
        refresh_cases(conn, [_to_uuid(v) for v in affected])


def _bulk(ids: dict[str, _Ids]) -> bool:
    """Whether rebuilding the search index once beats keeping it up to date row by row."""
    written = sum(ids[name].new_count for name in _SEARCHED)
    after = sum(len(ids[name].ids) + ids[name].new_count for name in _SEARCHED)
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
    from reception_desk.services import interchange_fast as fast  # it imports this module

    path = Path(path)
    _check_path(path)
    # Millions of small objects are made and kept while reading: the cyclic collector would walk
    # them again and again (a third of the time) and can free nothing, so it rests meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        size = path.stat().st_size
        parts = _parts(path, size)
        fast_parts = fast.fast_range_count(size) if engine.dialect.name == "sqlite" and size >= fast.FAST_MIN_BYTES else 0
        # one read of the file for both layouts: the general first pass takes the fast ranges in groups
        total, fast_ranges = _layout(path, max(parts, fast_parts))
        ranges = _group(fast_ranges, parts)
        ticker = _Ticker(total, progress, cancel)
        ticker.report(0, force=True)
        parser = LineParser(engine.dialect, date.today())
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            mode = None
            adopted = False
            try:
                mode = enter_sqlite_import(conn) if sqlite else None
                with conn.begin():
                    if sqlite:
                        # take the write lock before reading the ids: nobody can change the rows
                        # the references are checked against until the commit
                        conn.exec_driver_sql("BEGIN IMMEDIATE")
                    outcome = None
                    if fast_parts and fast.tables_are_empty(conn):
                        outcome = fast.import_into_empty(conn, path, parser, ticker, fast_ranges)
                    if outcome is None:
                        outcome = _import(conn, path, parser, ticker, ranges)
                    adopted = outcome.adopted
                    result = _finish(conn, path, outcome)
            finally:
                try:
                    if sqlite:
                        # also after a failure inside enter_sqlite_import: never hand a pooled
                        # connection back with foreign keys off
                        leave_sqlite_import(conn, mode or SqliteImportMode(journal_switched=False))
                finally:
                    if adopted:
                        # FTS5 keeps the index structure it last read per connection and does not
                        # see the tables replaced through this one: the pool must not hand it out.
                        conn.invalidate()
        if sum(result.added.values()) + sum(result.updated.values()) >= BULK_MIN_ROWS:
            refresh_planner_data(engine)
    finally:
        if collecting:
            gc.enable()
    ticker.report(ticker.total, force=True)
    return result


def _group(ranges: list[tuple[int, int, int]], parts: int) -> list[tuple[int, int, int]]:
    """Consecutive ``ranges`` (from _layout) joined into at most ``parts`` of similar size."""
    if len(ranges) <= parts:
        return ranges
    size = ranges[-1][1]
    out: list[tuple[int, int, int]] = []
    last = -1
    for start, end, first_line in ranges:
        group = start * parts // size
        if group == last:
            out[-1] = (out[-1][0], end, out[-1][2])
        else:
            out.append((start, end, first_line))
            last = group
    return out


@dataclass
class Outcome:
    """What an import wrote, for the summary and the audit event."""

    counts: _Counts
    total_lines: int
    warnings: list[str]
    warning_count: int
    adopted: bool  # the word index came from the search process: the connection must be closed


def _finish(conn: Connection, path: Path, outcome: Outcome) -> ImportResult:
    counts = outcome.counts
    result = ImportResult(
        added=counts.added,
        updated=counts.updated,
        unchanged=counts.unchanged,
        total_lines=outcome.total_lines,
        warnings=outcome.warnings[:MAX_WARNINGS],
        file_name=path.name,
        warnings_omitted=max(0, outcome.warning_count - MAX_WARNINGS),
    )
    audit(conn, "import", {"file": path.name, "lines": outcome.total_lines, "added": result.added,
                           "updated": result.updated, "unchanged": result.unchanged,
                           "warnings": outcome.warning_count})
    return result


def refuse(path: Path, errors: list[tuple[int, str]]) -> None:
    """Raise the ValidationError listing ``errors`` (line, message) in line order, if any."""
    if errors:
        errors.sort(key=lambda e: e[0])
        raise ValidationError(
            f"Tệp {path.name} có {len(errors)} lỗi; chưa ghi gì vào cơ sở dữ liệu.",
            errors=[message for _, message in errors],
        )


def check_whole_file(parts: list[_Part], ids: dict[str, _Ids], path: Path,
                     errors: list[tuple[int, str]], warnings: list[str]) -> dict[str, _Scan]:
    """What only the whole file tells: ids repeated across ranges, references, loops; raises the
    ValidationError of every error found (in the ranges too). Returns the scans of the file."""
    scans = _merge(parts, errors, warnings)
    _check_references(parts, scans, ids, errors)
    _cycles(scans, errors)
    refuse(path, errors)
    return scans


def _import(conn: Connection, path: Path, parser: LineParser, ticker: _Ticker,
            ranges: list[tuple[int, int, int]]) -> Outcome:
    """The general import in the caller's transaction: into any database, new rows and changed."""
    errors: list[tuple[int, str]] = []
    warnings: list[str] = []
    ids = {spec.name: _Ids(conn, spec) for spec in TYPES}
    spill = _Spill()
    builder: _SearchBuilder | None = None
    try:
        scans, total_lines, warning_count = _read(path, parser, ids, spill, ticker, ranges, errors, warnings)
        ticker.check()
        for spec in TYPES:
            scan = scans[spec.name]
            ids[spec.name].assign(scan.exts)
            scan.index = {}  # no longer needed: the file ids now map to storage ids
            scan.lines = array("L")
        bulk = _bulk(ids)
        if bulk:
            suspend_search_index(conn)
            builder = _search_builder(conn, ids, spill)
        loader = _Loader(conn, ids, scans, spill, ticker)
        for spec in TYPES:
            loader.load(spec)
        counts = loader.counts
        _refresh_cases(conn, counts.cases)
        adopted = builder is not None and builder.adopt(conn, ticker)
        if bulk and not adopted:
            rebuild_search_index(conn)
    finally:
        if builder is not None:
            builder.stop()  # before the folder with its scratch database goes
        spill.close()
    ticker.check()
    return Outcome(counts, total_lines, warnings, warning_count, adopted)

