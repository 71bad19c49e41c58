"""The fast path of the interchange import: a large file into empty SQLite tables.

That is an office's first migration, and then every record of the file is a new row. The general
import (interchange) reads the whole file before it knows any storage id and then resolves every
reference in this one process; here the file is cut into ranges of RANGE_BYTES that 'spawn' worker
processes take in turn, and this process inserts the finished rows of each range while the workers
read the next ones:

- a worker checks a range exactly as the general first pass does (interchange._scan_range: the
  same messages), gives its records their storage ids, publishes its file ids with those ids, then
  resolves the references of its records against its own range and every earlier one (it waits for
  them) and writes the finished rows — storage form, ready for executemany — to its spill file;
- storage ids are random version-4 UUIDs as in interchange._Ids, but drawn ascending inside a window
  of the id space per range, so that each primary-key index still grows at its end (random order
  makes the inserts half again slower); a file id that is itself a UUID keeps it;
- this process inserts range after range (file order: row n of a table gets rowid n, which the
  search index process relies on), then checks what only the whole file tells — ids repeated across
  ranges, references to later ranges or to nothing, loops — with the general import's own
  functions, so the errors are listed exactly as there, and nothing is kept. References to a later
  range are set at the end.

Anything unusual — two rows with the same storage id, a worker that died — rolls back to a
savepoint and the general import runs instead.
"""

from __future__ import annotations

import marshal
import math
import multiprocessing
import multiprocessing.connection
import os
import pickle
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from datetime import time as time_of_day
from itertools import repeat
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import IntegrityError

from reception_desk.services import interchange as core
from reception_desk.services.interchange_format import SPECS, TYPES, LineParser, TypeSpec, looks_like_uuid
from reception_desk.storage.bulk import BulkWriter
from reception_desk.storage.cases import (
    flag_first_visits,
    refresh_first_visits,
    refresh_visit_copies,
    write_first_visits,
)
from reception_desk.storage.models import Visit, utcnow
from reception_desk.storage.search_queries import rebuild_search_index, search_sources, suspend_search_index

# From this file size an import into empty SQLite tables takes this path (below it the general
# import is just as quick).
FAST_MIN_BYTES = 32 << 20
RANGE_BYTES = 24 << 20  # bytes of the file per range: small enough that the inserts start early
# after the data columns: a record's list of values becomes its row by appending them
_ENTITY_COLUMNS = ["id", "external_id", "created_at", "updated_at", "version"]
# The types other records refer to: the workers keep their ids.
_REFERENCED = sorted({f.arg for spec in TYPES for f in spec.fields if f.kind in ("ref", "refs")})
_WINDOWS_BITS = 121  # ids are 122 random bits; the windows of all ranges start below 2**121
_COPIES_INDEX = "ix_visit_stats"  # holds the visits' copies of their case (storage.cases)
_VISIT_COPIES = ["case_kind", "case_field"]
_LOW62 = (1 << 62) - 1


class FastPathFailed(Exception):
    """The fast path cannot finish (two rows got the same storage id, a worker died): the caller
    rolls back to the savepoint and runs the general import."""


def fast_range_count(size: int) -> int:
    return max(1, -(-size // RANGE_BYTES))


def _columns() -> dict[str, list[str]]:
    """The inserted columns of every table the import writes."""
    out: dict[str, list[str]] = {}
    for spec in TYPES:
        out[spec.table.name] = [*spec.data_columns, *_ENTITY_COLUMNS]
        for table, _, columns, _, _, _ in core._child_plan(spec):
            out[table] = columns
    return out


_COLUMNS = _columns()


def tables_are_empty(conn: Connection) -> bool:
    """SQLite, and not one row in any table the import writes (then every file id is new)."""
    if conn.dialect.name != "sqlite":
        return False
    return all(conn.exec_driver_sql(f'SELECT 1 FROM "{table}" LIMIT 1').first() is None for table in _COLUMNS)


def _sqlite_null() -> Any:
    """What the rows hold for NULL: a NaN, which SQLite stores as NULL (it has no NaN:
    sqlite3VdbeMemSetDouble), when this sqlite3 does so. Python 3.11's sqlite3 binds a float at
    once but passes None through the adaptation protocol, two AttributeErrors made and dropped a
    value: 72 against 345 ns a value, 1.6 µs a petition row. None when the check says otherwise."""
    try:
        probe = sqlite3.connect(":memory:")
        try:
            stored = probe.execute("SELECT typeof(?)", (math.nan,)).fetchone()[0]
        finally:
            probe.close()
    except sqlite3.Error:  # pragma: no cover - an in-memory database cannot fail to open
        return None
    return math.nan if stored == "null" else None


def _null_positions(spec: TypeSpec) -> list[int]:
    """Positions of a record's data (TypeSpec.data_columns) that may hold NULL."""
    scalars = [ix for ix, f in enumerate(spec.scalars) if f.nullable]
    keys = [len(spec.scalars) + k for k, (_, _, nullable) in enumerate(spec.key_columns) if nullable]
    return scalars + keys


def _uuid4_hex(value: int) -> str:
    """A 122-bit number as the 32 hex digits (SQLite's storage form) of a version-4 UUID: the
    version and variant bits go in between, so the order of the numbers is kept."""
    number = (value >> 74 << 80) | (0x4 << 76) | ((value >> 62 & 0xFFF) << 64) | (0x2 << 62) | (value & _LOW62)
    return number.to_bytes(16).hex()  # a third quicker than f"{number:032x}"


def _window_ids(low: int, window: int, count: int) -> list[str]:
    """``count`` random ids in [low, low + window), ascending."""
    raw = os.urandom(16 * count)
    values = sorted(int.from_bytes(raw[k:k + 16]) % window for k in range(0, 16 * count, 16))
    return [_uuid4_hex(low + v) for v in values]


class _Collector:
    """Stands in for the spill of interchange._scan_range: keeps a range's records in memory."""

    def __init__(self) -> None:
        self.records: dict[str, list[Any]] = {name: [] for name in SPECS}

    def write(self, name: str, records: list[Any]) -> None:
        self.records[name].extend(records)


@dataclass
class _Finished:
    """One range, read and resolved: its part of the whole-file checks and its rows.

    ``chunks``: (table, rows) in this process, or (table, (offset, size)) in a worker's spill file.
    ``deferred_refs``: (table, column, row id, target type, file id) of references to a later range;
    ``deferred_links``: (table, row, target position in the row, target type, file id).
    """

    part: core._Part
    resolved: bool
    chunks: list[tuple[str, Any]] = field(default_factory=list)
    deferred_refs: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    deferred_links: list[tuple[str, tuple[Any, ...], int, str, str]] = field(default_factory=list)
    pending: list[tuple[int, int, str]] = field(default_factory=list)  # (line, reference kind, file id) deferred
    worker: int = -1
    # (table, (offset, size)) in the worker's spill file: the searched values of the rows alone
    # (search_sources()), chunk for chunk as ``chunks``, for the search index process
    searched: list[tuple[str, Any]] = field(default_factory=list)


class _RangeReader:
    """Reads ranges into finished rows; the same in a worker process and in this one."""

    def __init__(self, path: Path, ranges: list[tuple[int, int, int]], parser: LineParser,
                 bases: dict[str, int]) -> None:
        self.path = path
        self.ranges = ranges
        self.parser = parser
        self.bases = bases
        self.window = (1 << _WINDOWS_BITS) // len(ranges)
        self.ids: dict[str, dict[str, str]] = {name: {} for name in _REFERENCED}  # file id -> storage id
        self.null = _sqlite_null()  # the rows are only ever inserted into SQLite

    def read(self, index: int, tick: Callable[[int], None]) -> tuple[core._Part, dict[str, list[Any]],
                                                                       dict[str, list[str]]]:
        """Check one range: its part, its records (storage form, references still file ids) and
        the storage ids of its records, per type."""
        start, end, first_line = self.ranges[index]
        collector = _Collector()
        part = core._scan_range(self.path, start, end, first_line, self.parser, collector, core.BATCH, tick)
        sids: dict[str, list[str]] = {}
        for name, scan in part.scans.items():
            if scan.exts:
                ids = _window_ids(self.bases[name] + index * self.window, self.window, len(scan.exts))
                # a record exported without a file id of its own comes back with its UUID
                sids[name] = [ext.replace("-", "") if looks_like_uuid(ext) else sid
                              for ext, sid in zip(scan.exts, ids, strict=True)]
        return part, collector.records, sids

    def learn(self, exts: dict[str, list[str]], sids: dict[str, list[str]]) -> None:
        """Take the ids of a range (references to its records can be resolved from now on)."""
        for name, known in self.ids.items():
            if name in sids:
                known.update(zip(exts[name], sids[name], strict=True))

    def finish(self, part: core._Part, records: dict[str, list[Any]], sids: dict[str, list[str]]) -> _Finished:
        """The rows of a range whose earlier ranges were all learnt, and its references not
        resolved yet (left in the part's pending lists for the whole-file check)."""
        done = _Finished(part, resolved=True)
        for spec in TYPES:
            own = records[spec.name]
            if not own:
                continue
            self._rows(spec, own, part.scans[spec.name], sids[spec.name], done)
        # what stays pending is exactly what was deferred (the whole-file check decides it)
        pending = sorted(done.pending, key=lambda p: p[0])
        part.pending_lines = core.array("L", [line for line, _, _ in pending])
        part.pending_kinds = bytearray(kind for _, kind, _ in pending)
        part.pending_values = [value for _, _, value in pending]
        done.pending = []
        return done

    def _rows(self, spec: TypeSpec, records: list[Any], scan: core._Scan, sids: list[str], done: _Finished) -> None:
        table = spec.table.name
        exts, lines = scan.exts, scan.lines
        refs, list_refs = core._ref_plan(spec)
        resolvers = [(ix, self.ids[target], target, spec.scalars[ix].column, kind) for ix, target, kind in refs]
        children = core._child_plan(spec)
        # per list of references, in the order of interchange._link_rows: (list position, ids of
        # the target type, target type, link table number, role, ordinal?)
        link_plan = [(lx, self.ids[list_refs[lx][1]], list_refs[lx], number, role if has_role else None,
                      has_ordinal)
                     for number, (_, _, _, fields, has_role, has_ordinal) in enumerate(children)
                     for lx, role in fields]
        rows: list[list[Any]] = []
        links: list[list[tuple[Any, ...]]] = [[] for _ in children]
        null = self.null
        nulls = _null_positions(spec) if null is not None else []
        for pos, record in enumerate(records):
            data, lists = record if spec.lists else (record, None)
            sid = sids[pos]
            for ix, known, target, column, kind in resolvers:
                value = data[ix]
                if value is not None:
                    found = known.get(value)
                    if found is None:
                        # a later range: set at the end (the file id holds a NOT NULL column till then)
                        done.deferred_refs.append((table, column, sid, target, value))
                        done.pending.append((lines[pos], kind, value))
                    else:
                        data[ix] = found
            for ix in nulls:
                if data[ix] is None:
                    data[ix] = null
            data += (sid, exts[pos])  # the stamps and version are in the INSERT (_insert_statement)
            rows.append(data)
            if not lists:
                continue
            for lx, known, plan, number, role, ordinal in link_plan:
                values = lists[lx]
                if not values:
                    continue
                out = links[number]
                try:
                    found_ids = list(map(known.__getitem__, values))
                except KeyError:
                    self._later_links(sid, values, known, plan, children[number][0], role, ordinal, out, done,
                                      lines[pos])
                    continue
                count = len(found_ids)
                if role is not None:
                    out += zip(repeat(sid, count), repeat(role, count), found_ids, range(count), strict=True)
                elif ordinal:
                    out += zip(repeat(sid, count), found_ids, range(count), strict=True)
                else:
                    out += zip(repeat(sid, count), found_ids, strict=True)
        done.chunks.append((table, rows))
        for (child, *_), out in zip(children, links, strict=True):
            if out:
                done.chunks.append((child, out))

    @staticmethod
    def _later_links(sid: str, values: list[str], known: dict[str, str], plan: tuple[int, str, int], table: str,
                     role: str | None, ordinal: bool, out: list[tuple[Any, ...]], done: _Finished, line: int) -> None:
        """The link rows of a list naming records of a later range: those wait for the end."""
        _, target, kind = plan
        at = 1 if role is None else 2  # position of the target in the row
        for n, ext in enumerate(values):
            found = known.get(ext)
            value = ext if found is None else found
            row = (sid, role, value, n) if role is not None else (sid, value, n) if ordinal else (sid, value)
            if found is None:
                done.deferred_links.append((table, row, at, target, ext))
                done.pending.append((line, kind, ext))
            else:
                out.append(row)


# --- worker processes ------------------------------------------------------------------------------


def _map_path(folder: str, index: int) -> str:
    return os.path.join(folder, f"ids-{index}")


def _part_path(folder: str, index: int) -> str:
    return os.path.join(folder, f"range-{index}")


def _rows_path(folder: str, worker: int) -> str:
    return os.path.join(folder, f"rows-{worker}")


def _load_ids(folder: str, index: int) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    with open(_map_path(folder, index), "rb") as fh:
        return marshal.loads(fh.read())  # type: ignore[no-any-return]


def _fast_worker(number: int, path: Path, ranges: list[tuple[int, int, int]], dialect_class: type[Dialect],
                 today: date, bases: dict[str, int], folder: str, claim: Any, published: Any,
                 failed: Any, out: multiprocessing.connection.Connection) -> None:
    """A worker process: takes the next range until none is left (see the module docstring)."""
    import gc

    gc.disable()  # as in import_jsonl: nothing the pass makes is garbage
    core.lower_priority()
    reader = _RangeReader(path, ranges, LineParser(dialect_class(), today), bases)
    searched = _searched_positions()
    learnt: set[int] = set()
    with open(_rows_path(folder, number), "wb") as spill:
        while True:
            with claim.get_lock():
                index = claim.value
                claim.value += 1
            if index >= len(ranges):
                break
            part, records, sids = reader.read(index, lambda _line: None)
            exts = {name: part.scans[name].exts for name in _REFERENCED if name in sids}
            with open(_map_path(folder, index) + ".tmp", "wb") as fh:
                fh.write(marshal.dumps((exts, {name: sids[name] for name in exts}), core.MARSHAL_VERSION))
            os.replace(_map_path(folder, index) + ".tmp", _map_path(folder, index))
            published[index] = 1
            done = _Finished(part, resolved=False)
            if part.errors or part.repeats:
                failed.value = 1  # nothing will be written: the others need not resolve either
            elif _learn_earlier(reader, folder, index, learnt, published, failed):
                reader.learn(exts, sids)
                learnt.add(index)
                done = reader.finish(part, records, sids)
                chunks = [(table, batch) for table, rows in done.chunks for batch in _batches(rows)]
                done.chunks = [(table, _spill(spill, batch)) for table, batch in chunks]
                # what the search index process reads: a quarter of the bytes of whole rows
                done.searched = [(table, _spill(spill, [[row[i] for i in searched[table]] for row in batch]))
                                 for table, batch in chunks if table in searched]
            done.worker = number
            for scan in part.scans.values():
                scan.index = {}  # this process rebuilds it (interchange._merge)
            del part.warnings[core.MAX_WARNINGS:]
            spill.flush()
            with open(_part_path(folder, index), "wb") as fh:
                pickle.dump(done, fh, protocol=pickle.HIGHEST_PROTOCOL)
            out.send(index)


def _learn_earlier(reader: _RangeReader, folder: str, index: int, learnt: set[int], published: Any,
                   failed: Any) -> bool:
    """Learn the ids of every earlier range, waiting for those still being read; False when the
    import failed meanwhile (nothing to resolve then)."""
    for earlier in range(index):
        if earlier in learnt:
            continue
        while not published[earlier]:
            if failed.value:
                return False
            time.sleep(0.002)
        reader.learn(*_load_ids(folder, earlier))
        learnt.add(earlier)
    return not failed.value


def _searched_positions() -> dict[str, list[int]]:
    """Per searched table: the positions of search_sources() in its rows (data columns first)."""
    wanted = search_sources()
    return {SPECS[name].table.name: [SPECS[name].data_columns.index(c) for c in wanted[SPECS[name].table.name]]
            for name in core._SEARCHED}


def _batches(rows: list[Any]) -> list[list[Any]]:
    return [rows[k:k + core.BATCH] for k in range(0, len(rows), core.BATCH)] if rows else []


def _spill(fh: IO[bytes], rows: list[Any]) -> tuple[int, int]:
    """Rows in the chunk format of interchange._Spill (the search process reads them too)."""
    blob = b"m" + marshal.dumps(rows, core.MARSHAL_VERSION)
    offset = fh.tell()
    fh.write(blob)
    return offset, len(blob)


class _Workers:
    """The worker processes and their files (in a private folder, removed by close)."""

    def __init__(self, path: Path, ranges: list[tuple[int, int, int]], parser: LineParser,
                 bases: dict[str, int], count: int) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="reception-desk-import-")
        context = multiprocessing.get_context("spawn")
        # kept here: a spawned process takes them over only while this one still holds them
        self.failed = context.Value("b", 0, lock=False)
        self.claim = claim = context.Value("l", 0)
        self.published = published = context.Array("b", len(ranges), lock=False)
        self.procs: list[BaseProcess] = []
        self.pipes: list[multiprocessing.connection.Connection] = []
        senders = []
        for number in range(count):
            receive, send = context.Pipe(duplex=False)
            senders.append(send)
            proc = context.Process(
                target=_fast_worker, name=f"reception-desk-import-{number + 1}", daemon=True,
                args=(number, path, ranges, type(parser.dialect), parser.today, bases, self.folder.name,
                      claim, published, self.failed, send))
            self.procs.append(proc)
            self.pipes.append(receive)
        for proc in self.procs:
            proc.start()
        for send in senders:
            send.close()  # the workers' ends: a worker that ends closes its pipe for good
        self.count = len(ranges)
        self.arrived: set[int] = set()
        self.waiting: dict[int, _Finished] = {}  # loaded ahead of their turn (see _FastImport._search_builder)
        self.files: dict[int, IO[bytes]] = {}

    def next(self, index: int, ticker: core._Ticker) -> _Finished:
        """Range ``index`` once a worker has finished it (cancel meanwhile)."""
        open_pipes = list(self.pipes)
        while index not in self.arrived:
            ticker.check()
            ready = multiprocessing.connection.wait([*open_pipes, *(p.sentinel for p in self.procs)], timeout=0.1)
            for pipe in [p for p in open_pipes if p in ready]:
                try:
                    while pipe.poll():
                        self.arrived.add(pipe.recv())
                except EOFError:
                    open_pipes.remove(pipe)
            if index in self.arrived:
                break
            if any(p.exitcode not in (None, 0) for p in self.procs) or not open_pipes:
                raise FastPathFailed("a worker process ended without its ranges")
        done = self.waiting.pop(index, None)
        if done is None:
            with open(_part_path(self.folder.name, index), "rb") as fh:
                done = pickle.load(fh)  # noqa: S301 - written by our own worker
        return done

    def peek(self, index: int, ticker: core._Ticker) -> _Finished:
        """Range ``index`` without taking it: next() still returns it."""
        done = self.waiting.get(index)
        if done is None:
            done = self.waiting[index] = self.next(index, ticker)
        return done

    def all_arrived(self) -> bool:
        return len(self.arrived) == self.count

    def fail(self) -> None:
        self.failed.value = 1

    def rows(self, worker: int, location: tuple[int, int]) -> list[Any]:
        fh = self.files.get(worker)
        if fh is None:
            fh = self.files[worker] = open(_rows_path(self.folder.name, worker), "rb")  # noqa: SIM115 - closed by close()
        fh.seek(location[0] + 1)  # after the b"m" of _spill
        return marshal.loads(fh.read(location[1] - 1))  # type: ignore[no-any-return]

    def locations(self, worker: int, location: tuple[int, int]) -> tuple[str, int, int]:
        return _rows_path(self.folder.name, worker), location[0], location[1]

    def ids_of(self, name: str, wanted: set[str], ranges: int) -> dict[str, str]:
        out: dict[str, str] = {}
        for index in range(ranges):
            exts, sids = _load_ids(self.folder.name, index)
            if name in exts:
                out.update((e, s) for e, s in zip(exts[name], sids[name], strict=True) if e in wanted)
        return out

    def close(self) -> None:
        for proc in self.procs:
            if proc.exitcode is None:
                proc.terminate()
        for proc in self.procs:
            proc.join()
            proc.close()
        for pipe in self.pipes:
            pipe.close()
        for fh in self.files.values():
            fh.close()
        self.folder.cleanup()


class _InProcess:
    """The ranges read here, one after the other (one range, one core, or a frozen bundle)."""

    def __init__(self, reader: _RangeReader) -> None:
        self.reader = reader

    def next(self, index: int, ticker: core._Ticker) -> _Finished:
        part, records, sids = self.reader.read(index, lambda _line: ticker.check())
        self.reader.learn({name: part.scans[name].exts for name in sids}, sids)
        if part.errors or part.repeats:
            return _Finished(part, resolved=False)
        return self.reader.finish(part, records, sids)

    def ids_of(self, name: str, wanted: set[str], ranges: int) -> dict[str, str]:
        known = self.reader.ids[name]
        return {ext: known[ext] for ext in wanted if ext in known}

    def close(self) -> None:
        pass


def _worker_count(ranges: int) -> int:
    if ranges < 2 or getattr(sys, "frozen", False):  # frozen: see interchange._parts
        return 0
    count = min(core.PARALLEL_PARTS, os.cpu_count() or 1)
    return count if count >= 2 else 0


def _insert_statement(table: str, columns: list[str], stamp: str) -> str:
    """The INSERT of a table's rows. A record's row ends with its id and file id: the time stamps
    and the version, the same on every row of an import, are written into the statement instead
    of being bound on each of 2.5 million rows."""
    names = ", ".join(f'"{c}"' for c in columns)
    if columns[-len(_ENTITY_COLUMNS):] != _ENTITY_COLUMNS:
        return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    literal = "'" + stamp.replace("'", "''") + "'"
    values = ["?"] * (len(columns) - 3) + [literal, literal, "1"]
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(values)})'


class _FastImport:
    def __init__(self, conn: Connection, path: Path, parser: LineParser, ticker: core._Ticker,
                 ranges: list[tuple[int, int, int]]) -> None:
        self.conn = conn
        self.path = path
        self.ticker = ticker
        self.ranges = ranges
        self.writer = BulkWriter(conn, self._advance)
        self.cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        stamp_type = TYPES[0].table.c.created_at.type.dialect_impl(conn.dialect)
        stamp_proc = stamp_type.bind_processor(conn.dialect)
        now = utcnow()
        stamp = stamp_proc(now) if stamp_proc else now
        self.statements = {table: _insert_statement(table, columns, str(stamp))
                           for table, columns in _COLUMNS.items()}
        # A visit's row gets its case's kind and field (storage.cases) from the case rows inserted
        # before it; one whose case comes later in the file gets placeholders, and the copies of
        # every visit are then refreshed at the end instead of only the first visits flagged.
        visit_columns = _COLUMNS["visit"]
        self.copy_at = len(visit_columns) - len(_ENTITY_COLUMNS)
        self.statements["visit"] = _insert_statement(
            "visit", [*visit_columns[:self.copy_at], *_VISIT_COPIES, *visit_columns[self.copy_at:]], str(stamp))
        self.visit_case = visit_columns.index("case_id")
        self.case_kind = _COLUMNS["case_file"].index("kind")
        self.case_field = _COLUMNS["case_file"].index("field")
        self.case_copies: dict[str, list[Any]] = {}
        self.copies_complete = True
        # The first visit of each case (storage.cases), found as the visits go in: case id ->
        # (date, time or midnight, visit id, visit rowid), in the order of
        # cases._first_visit_subqueries (the unique visit id decides before the rowid is compared).
        self.visit_date = visit_columns.index("visit_date")
        self.visit_time = visit_columns.index("visit_time")
        time_type = Visit.__table__.c.visit_time.type.dialect_impl(conn.dialect)
        time_proc = time_type.bind_processor(conn.dialect)
        self.midnight = time_proc(time_of_day(0)) if time_proc else time_of_day(0)
        self.firsts: dict[str, tuple[Any, Any, Any, int]] = {}
        self.visit_rows = 0
        bases = {name: int.from_bytes(os.urandom(16)) >> (128 - _WINDOWS_BITS) for name in SPECS}
        workers = _worker_count(len(ranges))
        self.source: _Workers | _InProcess = (
            _Workers(path, ranges, parser, bases, workers) if workers
            else _InProcess(_RangeReader(path, ranges, parser, bases)))
        self.added = dict.fromkeys(SPECS, 0)
        self.read_lines = 0
        self.written_lines = 0

    def _advance(self, _count: int) -> None:
        self.ticker.check()

    def _report(self) -> None:
        share = core.READ_SHARE
        done = share * self.read_lines + (1 - share) * self.written_lines
        self.ticker.report(done)

    def _lines(self, index: int) -> int:
        nxt = self.ranges[index + 1][2] if index + 1 < len(self.ranges) else self.ticker.total + 1
        return nxt - self.ranges[index][2]

    def run(self) -> core.Outcome:
        conn, writer = self.conn, self.writer
        rebuild: list[str] = []
        if self.ticker.total >= core.INDEX_REBUILD_MIN_ROWS:
            for table in _COLUMNS:
                rebuild += writer.drop_indexes(table)
        bulk = self.ticker.total >= core.BULK_MIN_ROWS
        if bulk:
            suspend_search_index(conn)
        ids = {spec.name: core._Ids(conn, spec) for spec in TYPES}  # none yet: for the whole-file check
        builder: core._SearchBuilder | None = None
        parts: list[core._Part] = []
        deferred_refs: list[tuple[str, str, str, str, str]] = []
        deferred_links: list[tuple[str, tuple[Any, ...], int, str, str]] = []
        search_chunks: dict[str, list[tuple[str, int, int]]] = {table: [] for table in search_sources()}
        failing = collided = False
        try:
            for index in range(len(self.ranges)):
                done = self.source.next(index, self.ticker)
                parts.append(done.part)
                self.read_lines += self._lines(index)
                self._report()
                if not done.resolved or failing:
                    failing = True
                    if isinstance(self.source, _Workers):
                        self.source.fail()
                    continue
                try:
                    self._insert(done, search_chunks)
                except (IntegrityError, sqlite3.IntegrityError):
                    # the same storage id twice, or a file id repeated across ranges (the check
                    # below says which)
                    failing = collided = True
                    if isinstance(self.source, _Workers):
                        self.source.fail()
                    continue
                deferred_refs += done.deferred_refs
                deferred_links += done.deferred_links
                self.written_lines += self._lines(index)
                self._report()
                if (builder is None and bulk and isinstance(self.source, _Workers) and self.source.all_arrived()
                        and index + 1 < len(self.ranges)):
                    builder = self._search_builder(parts, search_chunks, index)
            if builder is None and bulk and not failing and isinstance(self.source, _Workers):
                builder = self._search_builder(parts, search_chunks, len(self.ranges) - 1)
            for scan in parts[0].scans.values():  # a worker's: interchange._merge extends its index
                scan.index = dict(zip(scan.exts, range(len(scan.exts)), strict=True))
            errors: list[tuple[int, str]] = []
            warnings: list[str] = []
            scans = core.check_whole_file(parts, ids, self.path, errors, warnings)
            if collided or failing:
                raise FastPathFailed("rows with the same storage id")
            self._later(deferred_refs, deferred_links)
            counts = core._Counts()
            for spec in TYPES:
                counts.added[spec.name] = len(scans[spec.name].exts)
                counts.updated[spec.name] = counts.unchanged[spec.name] = 0
            firsts_written = bool(counts.added["visit"]) and self._write_first_visits()
            # Otherwise the visits' copies of their case (storage.cases) are written by the refresh
            # below; the index that holds them is built after it, not rewritten row by row.
            last = [statement for statement in rebuild if _COPIES_INDEX in statement]
            writer.create_indexes([statement for statement in rebuild if statement not in last])
            if counts.added["visit"] and not firsts_written:
                # every case is new: all of them
                refresh_first_visits(conn, None)
                if self.copies_complete:
                    flag_first_visits(conn)
                else:
                    refresh_visit_copies(conn, None)
            writer.create_indexes(last)
            adopted = builder is not None and builder.adopt(conn, self.ticker)
            if bulk and not adopted:
                rebuild_search_index(conn)
        finally:
            if builder is not None:
                builder.stop()  # before the folder with its scratch database goes
            self.source.close()
        self.ticker.check()
        total_lines = parts[-1].last_line
        return core.Outcome(counts, total_lines, warnings, sum(p.warning_count for p in parts), adopted)

    def _insert(self, done: _Finished, search_chunks: dict[str, list[tuple[str, int, int]]]) -> None:
        workers = self.source if isinstance(self.source, _Workers) else None
        if workers is not None:
            for table, chunk in done.searched:
                search_chunks[table].append(workers.locations(done.worker, chunk))
        for table, chunk in done.chunks:
            rows = chunk if workers is None else workers.rows(done.worker, chunk)
            if table == "case_file":
                kind, field_ = self.case_kind, self.case_field
                self.case_copies.update((row[-2], [row[kind], row[field_]]) for row in rows)
            elif table == "visit":
                self._add_copies(rows)
            # the driver's executemany directly: the rows are lists, which SQLAlchemy refuses
            self.cursor.executemany(self.statements[table], rows)
            self.ticker.check()

    def _add_copies(self, rows: list[list[Any]]) -> None:
        """The case's copies into each visit row, and the first visits so far."""
        copies, at, case = self.case_copies, self.copy_at, self.visit_case
        firsts, day, hour, midnight = self.firsts, self.visit_date, self.visit_time, self.midnight
        # one string per distinct day and time kept in firsts (sys.intern), not one per case
        same = sys.intern
        rowid = self.visit_rows
        for row in rows:
            case_id = row[case]
            copy = copies.get(case_id)
            if copy is None:  # its case is in a later range (the reference is set at the end)
                copy = ["", None]
                self.copies_complete = False
            rowid += 1
            at_time = row[hour]
            key = (row[day], at_time if type(at_time) is str else midnight, row[-2], rowid)
            best = firsts.get(case_id)
            if best is None or key < best:
                firsts[case_id] = (same(key[0]), same(key[1]), key[2], rowid)
            row[at:at] = copy
        self.visit_rows = rowid

    def _write_first_visits(self) -> bool:
        """The first visits found by _add_copies, before the indexes are built; False when the
        refresh in SQL must do it (a visit's case came later in the file, or the rowids differ)."""
        if not self.copies_complete:
            return False
        cases = [(visit_id, day, case_id) for case_id, (day, _, visit_id, _) in self.firsts.items()]
        visits = [rowid for *_, rowid in self.firsts.values()]
        return write_first_visits(self.conn, cases, visits, self.visit_rows)

    def _search_builder(self, parts: list[core._Part], chunks: dict[str, list[tuple[str, int, int]]],
                        last: int) -> core._SearchBuilder | None:
        """The search index process, once every range is read (its rows are all on disk then)."""
        assert isinstance(self.source, _Workers)
        rows = {SPECS[name].table.name: sum(len(p.scans[name].exts) for p in parts) for name in core._SEARCHED}
        if not core.search_worker_allowed(self.conn, sum(rows.values())):
            return None
        # the ranges not inserted yet: their chunks, in file order after those already inserted
        sources: core._SearchSources = {}
        for name in core._SEARCHED:
            spec = SPECS[name]
            table = spec.table.name
            locations = list(chunks[table])
            for index in range(last + 1, len(self.ranges)):
                done = self.source.peek(index, self.ticker)
                locations += [self.source.locations(done.worker, c) for t, c in done.searched if t == table]
                rows[table] += len(done.part.scans[name].exts)
            sources[table] = (locations, None, False)  # the searched values alone (_fast_worker)
        return core._SearchBuilder(os.path.join(self.source.folder.name, "search.sqlite"), sources, rows)

    def _later(self, refs: list[tuple[str, str, str, str, str]],
               links: list[tuple[str, tuple[Any, ...], int, str, str]]) -> None:
        """References to records of later ranges (the whole-file check found every one)."""
        if not refs and not links:
            return
        wanted: dict[str, set[str]] = {}
        for *_, target, ext in [*refs, *links]:
            wanted.setdefault(target, set()).add(ext)
        ids = {name: self.source.ids_of(name, exts, len(self.ranges)) for name, exts in wanted.items()}
        updates: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for table, column, sid, target, ext in refs:
            updates.setdefault((table, column), []).append((ids[target][ext], sid))
        for (table, column), rows in updates.items():
            self.writer.update(table, [column], rows, bump=False)
        inserts: dict[str, list[tuple[Any, ...]]] = {}
        for table, row, at, target, ext in links:
            inserts.setdefault(table, []).append((*row[:at], ids[target][ext], *row[at + 1:]))
        for table, rows in inserts.items():
            self.writer.insert(table, _COLUMNS[table], rows)


def import_into_empty(conn: Connection, path: Path, parser: LineParser, ticker: core._Ticker,
                      ranges: list[tuple[int, int, int]]) -> core.Outcome | None:
    """The import of ``path`` into empty SQLite tables, in the caller's transaction; None when it
    had to give up (everything it wrote is rolled back then), and the general import must run."""
    conn.exec_driver_sql("SAVEPOINT fast_import")
    try:
        outcome = _FastImport(conn, path, parser, ticker, ranges).run()
    except FastPathFailed:
        conn.exec_driver_sql("ROLLBACK TO fast_import")
        conn.exec_driver_sql("RELEASE fast_import")
        return None
    conn.exec_driver_sql("RELEASE fast_import")
    return outcome


__all__ = ["FAST_MIN_BYTES", "FastPathFailed", "fast_range_count", "import_into_empty", "tables_are_empty"]
