"""Set-based search over the folded keys of citizens, cases and petitions, fast at a million rows.

Matching (terms come already folded and split, see services.search; docs/search.md): a word is a
run of letters and digits; every word of the query must be a word of the key, in any order, the
last one only as the beginning of a word (it may still be being typed): "nguyen van d" finds
"nguyen van duc". Citizens also match by id number / phone (``SearchTerms.contact``: case and the
separators `` .-()+`` ignored), the query being the beginning of one of them.

Order: citizens and cases whose key starts with the whole query first (byte order of the folded
key, then id), then the other matches newest first (SQLite rowid / PostgreSQL created_at, id);
petitions newest first (received_on, id, descending).

Indexes (revision 0002): FTS5 word tables (unicode61, prefix indexes for 1–7 letters) keyed by
rowid on SQLite, GIN over ``to_tsvector('simple', key)`` on PostgreSQL. A word index finds the
matches; the cost is in ordering them, so the plan depends on how many there are:

- SQLite counts them cheaply in the FTS5 table: up to SPARSE_MAX they are read and sorted; up to
  WALK_FROM the b-tree of the order is walked testing membership in the match set; beyond, the
  b-tree is walked testing each row's key (GLOB twin of the index rule) — dense matches come
  quickly. "Newest first" is the FTS5 table's own order, streamed directly.
- PostgreSQL's planner misjudges prefix tsqueries by orders of magnitude, so the choice is made
  here, from the word frequencies ANALYZE keeps for each GIN expression (_word_stats): a short
  probe walk of the order's b-tree (regex twin of the index rule) when the words could be common
  together, a longer walk if the probe shows it pays, else all matches from the GIN index (bitmap
  scan), sorted — with a costly prefix word tested row by row instead of in the index. Without
  statistics: walk PG_WALK rows, then the GIN index. Id numbers, phones and 6+ digit words go
  straight to the GIN index.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    FromClause,
    Row,
    Select,
    Table,
    and_,
    cast,
    column,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy import (
    table as table_clause,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.sql.util import ClauseAdapter
from sqlalchemy.sql.visitors import iterate

from reception_desk.storage.engine import begin_sqlite_transaction
from reception_desk.storage.models import Case, Citizen, Petition

# SQLite: up to SPARSE_MAX matches are read and sorted; up to WALK_FROM the order's b-tree is walked
# testing membership in the match set; beyond, it is walked testing each row's key (see above).
SPARSE_MAX = 3000
WALK_FROM = 20_000
# PostgreSQL: how many rows of the order's b-tree are tried before asking the GIN index, when the
# table has no word statistics yet (never analysed).
PG_WALK = 2000
# With statistics (see _word_stats): a first walk is sized from the estimated share of matching
# rows, PG_WALK_MARGIN times the rows expected to hold the page, from PG_WALK_MIN to PG_PROBE rows;
# a second one, sized from the share the first one found, only if it needs at most PG_WALK_MAX rows
# and costs less than reading every match from the heap (see PG_WALK_PER_HEAP_READ).
PG_WALK_MIN = 200
PG_PROBE = 1000
PG_WALK_MAX = 8000
PG_WALK_MARGIN = 2.0
# A prefix word (the last one) is asked of the GIN index only if merging the posting lists of all
# the words it begins costs less than reading the rows the whole words leave: the union of
# "do:*" (380,000 rows) alone takes 25 ms, reading a heap row about 1-5 µs, a posting ~0.07 µs.
PG_UNION_COST = 0.05
# Testing a row of the walk costs about a quarter of reading a match the GIN index gives (the walk
# reads neighbouring recent rows; the matches are scattered over the table, mostly not in
# shared_buffers): ~2.5 µs against ~10 µs at 1,000,000 petitions.
PG_WALK_PER_HEAP_READ = 4
# Word statistics are re-read from pg_stats at most this often (seconds).
PG_STATS_TTL = 300.0
# The prefix of the last word is replaced by the words it begins (search_word) when they are at
# most this many: GIN then skips through their posting lists like those of whole words.
PG_EXPAND_MAX = 64

_citizen: Table = Citizen.__table__  # type: ignore[assignment]
_case: Table = Case.__table__  # type: ignore[assignment]
_petition: Table = Petition.__table__  # type: ignore[assignment]

# --- the index objects (same statements as db/versions/0002_search_indexes.py) -------------------

FTS_PREFIX = "search_"


def _compact_sqlite(column: str) -> str:
    """The id number / phone without case and separators ( .-()+ ), as the query is compacted."""
    expr = f"lower(coalesce({column}, ''))"
    for sep in (" ", ".", "-", "(", ")", "+"):
        expr = f"replace({expr}, '{sep}', '')"
    return expr


def _compact_pg(column: str) -> str:
    return f"translate(lower(coalesce({column}, '')), ' .-()+', '')"


_CONTACT_SQLITE = f"{_compact_sqlite('{row}.id_number')} || ' ' || {_compact_sqlite('{row}.phone')}"
_CONTACT_PG = f"{_compact_pg('id_number')} || ' ' || {_compact_pg('phone')}"

# (fts table, base table, [(fts column, expression over the row named {row})], watched columns)
SQLITE_INDEXES: list[tuple[str, str, list[tuple[str, str]], list[str]]] = [
    (
        "search_citizen",
        "citizen",
        [("name", "{row}.name_key"), ("contact", _CONTACT_SQLITE)],
        ["name_key", "id_number", "phone"],
    ),
    ("search_case", "case_file", [("title", "{row}.title_key")], ["title_key"]),
    ("search_petition", "petition", [("summary", "coalesce({row}.summary_key, '')")], ["summary_key"]),
]
# No positions needed (no phrase queries); the citizen table keeps column lists so that a query can
# name its column, which detail=none does not allow.
_FTS_OPTIONS = "content='', columnsize=0, detail={detail}, tokenize='unicode61', prefix='1 2 3 4 5 6 7'"
_TRIGGER_SUFFIXES = ("ai", "ad", "au")


def sqlite_table_statements() -> list[str]:
    statements = []
    for fts, _, columns, _ in SQLITE_INDEXES:
        options = _FTS_OPTIONS.format(detail="column" if len(columns) > 1 else "none")
        statements.append(f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(n for n, _ in columns)}, {options})")
    return statements


def sqlite_trigger_statements() -> list[str]:
    """Triggers keeping each contentless FTS5 table equal to its base table's keys.

    A contentless table forgets the text, so a delete must repeat the exact values indexed.
    """
    statements = []
    for fts, base, columns, watched in SQLITE_INDEXES:
        names = ", ".join(name for name, _ in columns)
        new = ", ".join(expr.format(row="new") for _, expr in columns)
        old = ", ".join(expr.format(row="old") for _, expr in columns)
        insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.rowid, {new});"
        delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.rowid, {old});"
        statements += [
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {base} BEGIN {insert} END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {base} BEGIN {delete} END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {', '.join(watched)} ON {base} BEGIN {delete} {insert} END",
        ]
    return statements


_PG_NAME_WORDS = "to_tsvector('simple', name_key)"
_PG_CONTACT_WORDS = f"to_tsvector('simple', {_CONTACT_PG})"
_PG_TITLE_WORDS = "to_tsvector('simple', title_key)"
_PG_SUMMARY_WORDS = "to_tsvector('simple', coalesce(summary_key, ''))"
PG_WORD_INDEXES = [
    f"CREATE INDEX search_citizen_name_words ON citizen USING gin ({_PG_NAME_WORDS})",
    f"CREATE INDEX search_citizen_contact_words ON citizen USING gin ({_PG_CONTACT_WORDS})",
    f"CREATE INDEX search_case_title_words ON case_file USING gin ({_PG_TITLE_WORDS})",
    f"CREATE INDEX search_petition_summary_words ON petition USING gin ({_PG_SUMMARY_WORDS})",
]
PG_ORDER_INDEXES = [
    'CREATE INDEX search_citizen_name_c ON citizen (name_key COLLATE "C", id)',
    'CREATE INDEX search_case_title_c ON case_file (title_key COLLATE "C", id)',
    "CREATE INDEX search_citizen_recent ON citizen (created_at, id)",
    "CREATE INDEX search_case_recent ON case_file (created_at, id)",
]


# PostgreSQL word lists (revision 0004): every word each GIN-indexed key holds, per document
# ("n" citizen names, "t" case titles, "s" petition summaries), so that the prefix of the last word
# can be replaced by the few words it begins. GIN merges all the posting lists of a prefix before
# intersecting ("dung:*" is 250,000 petitions, 15-20 ms) but skips through the lists of whole words,
# and a word no key holds answers "no match" without asking the index. Statement triggers (one
# INSERT per statement, however many rows) add the new words; nothing is removed (a word no row
# holds any more costs an empty branch); rebuild_search_index lists them afresh.
PG_VOCABULARY_SOURCES = (("n", "citizen", "name_key"), ("t", "case_file", "title_key"),
                         ("s", "petition", "summary_key"))
_PG_SOURCE_OF_INDEX = {"search_citizen_name_words": "n", "search_case_title_words": "t",
                       "search_petition_summary_words": "s"}
PG_VOCABULARY_TABLE = [
    'CREATE TABLE search_word (source text NOT NULL, word text COLLATE "C" NOT NULL)',
    "CREATE INDEX search_word_source_word ON search_word (source, word)",
]
# The same words as the GIN index expressions: tsvector_to_array gives exactly the lexemes indexed.
PG_VOCABULARY_FUNCTION = r"""CREATE OR REPLACE FUNCTION search_word_add() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  -- TG_ARGV: the document's source code and key column; new_rows (old_rows) the transition tables.
  src text := quote_literal(TG_ARGV[0]);
  col text := quote_ident(TG_ARGV[1]);
BEGIN
  EXECUTE 'INSERT INTO search_word (source, word) SELECT DISTINCT ' || src || ', w FROM new_rows n'
    || CASE WHEN TG_OP = 'UPDATE'
            THEN ' JOIN old_rows o ON o.id = n.id AND o.' || col || ' IS DISTINCT FROM n.' || col ELSE '' END
    || ', unnest(tsvector_to_array(to_tsvector(''simple'', coalesce(n.' || col || ', '''')))) AS w'
    || ' WHERE NOT EXISTS (SELECT 1 FROM search_word x WHERE x.source = ' || src || ' AND x.word = w)';
  RETURN NULL;
END
$$"""


def pg_vocabulary_triggers() -> list[str]:
    """Statement triggers adding the words of inserted and changed keys (transition tables)."""
    statements = []
    for source, table, key in PG_VOCABULARY_SOURCES:
        call = f"FOR EACH STATEMENT EXECUTE FUNCTION search_word_add('{source}', '{key}')"
        statements += [
            f"CREATE TRIGGER search_word_{table}_ai AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows {call}",
            f"CREATE TRIGGER search_word_{table}_au AFTER UPDATE ON {table} "
            f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {call}",
        ]
    return statements


def pg_vocabulary_fill() -> list[str]:
    """The words of every row, once (after creating the table, or after emptying it)."""
    return [
        f"INSERT INTO search_word (source, word) SELECT DISTINCT '{source}', w FROM {table} n, "
        f"unnest(tsvector_to_array(to_tsvector('simple', coalesce(n.{key}, '')))) AS w"
        for source, table, key in PG_VOCABULARY_SOURCES
    ]


_PG_VOCABULARY_TRIGGERS = [(s.split()[2], s.split()[6]) for s in pg_vocabulary_triggers()]  # (name, table)


def _index_name(statement: str) -> str:
    return statement.split()[2]


def _is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def search_index_ready(conn: Connection) -> bool:
    """Whether the word index is maintained (not suspended for an import)."""
    if _is_sqlite(conn):
        names = {f"{fts}_{s}" for fts, _, _, _ in SQLITE_INDEXES for s in _TRIGGER_SUFFIXES}
        found = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        return names <= set(found)
    names = [_index_name(s) for s in PG_WORD_INDEXES]
    found = conn.execute(
        text("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY(:names)"),
        {"names": names},
    ).scalar_one()
    return found == len(names) and _pg_vocabulary_maintained(conn)


_PG_TRIGGERS_IN_PLACE = (
    "(SELECT count(*) FROM pg_trigger WHERE tgname = ANY(:trigger_names) AND tgenabled <> 'D'"
    " AND tgrelid IN (to_regclass('citizen'), to_regclass('case_file'), to_regclass('petition')))"
)


def _pg_vocabulary_maintained(conn: Connection) -> bool:
    """PostgreSQL: whether the word lists' triggers are in place (not suspended)."""
    found = conn.execute(text(f"SELECT {_PG_TRIGGERS_IN_PLACE}"),
                         {"trigger_names": [name for name, _ in _PG_VOCABULARY_TRIGGERS]}).scalar_one()
    return found == len(_PG_VOCABULARY_TRIGGERS)


def suspend_search_index(conn: Connection) -> None:
    """Stop maintaining the word index, for a huge bulk import; call rebuild_search_index after.

    SQLite: drops the triggers (the FTS5 tables stay, stale until the rebuild). PostgreSQL: drops
    the GIN indexes, which also locks the tables until the transaction ends. Both are DDL inside
    the caller's transaction, so a rolled-back import restores the index as it was. While
    suspended, search stays correct (it scans) but slow.
    """
    if _is_sqlite(conn):
        begin_sqlite_transaction(conn)
        for fts, _, _, _ in SQLITE_INDEXES:
            for suffix in _TRIGGER_SUFFIXES:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        return
    for statement in PG_WORD_INDEXES:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {_index_name(statement)}")
    for name, table in _PG_VOCABULARY_TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")


def rebuild_search_index(conn: Connection) -> None:
    """Re-index every row from the base tables and resume maintenance (idempotent)."""
    if _is_sqlite(conn):
        begin_sqlite_transaction(conn)
        existing = set(
            conn.execute(text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")).scalars()
        )
        for statement, (fts, _, _, _) in zip(sqlite_table_statements(), SQLITE_INDEXES, strict=True):
            if fts not in existing:
                conn.exec_driver_sql(statement)
        for fts, _, _, _ in SQLITE_INDEXES:
            for suffix in _TRIGGER_SUFFIXES:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        for fts, base, columns, _ in SQLITE_INDEXES:
            names = ", ".join(name for name, _ in columns)
            values = ", ".join(expr.format(row=base) for _, expr in columns)
            conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")
            conn.exec_driver_sql(f"INSERT INTO {fts}(rowid, {names}) SELECT {base}.rowid, {values} FROM {base}")
            conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
        for statement in sqlite_trigger_statements():
            conn.exec_driver_sql(statement)
        return
    for statement in PG_WORD_INDEXES + PG_ORDER_INDEXES:
        conn.exec_driver_sql(statement.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
    # The word lists, afresh (~10 s at a million petitions: every key is split into words once).
    for statement in PG_VOCABULARY_TABLE:
        conn.exec_driver_sql(statement.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1)
                             .replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
    conn.exec_driver_sql(PG_VOCABULARY_FUNCTION)
    for name, table in _PG_VOCABULARY_TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    conn.exec_driver_sql("TRUNCATE search_word")
    for statement in pg_vocabulary_fill() + pg_vocabulary_triggers():
        conn.exec_driver_sql(statement)
    # Fresh word statistics for the rows just imported (the search sizes its plans from them;
    # autovacuum would get there only minutes later). ANALYZE is transactional, unlike VACUUM.
    conn.exec_driver_sql("ANALYZE citizen, case_file, petition, search_word")
    forget_word_stats(conn.engine)


def search_sources() -> dict[str, list[str]]:
    """SQLite: per base table, the columns its word index reads (what build_search_index_file takes
    after the rowid)."""
    return {base: list(watched) for _, base, _, watched in SQLITE_INDEXES}


def build_search_index_file(path: str, rows: Callable[[str], Iterator[list[Sequence[Any]]]]) -> None:
    """SQLite: build the word tables, exactly as rebuild_search_index would, in a new database file.

    ``rows(base)`` yields batches of the values of search_sources()[base] for the rows of the base
    table in rowid order, rowids 1, 2, 3… (the caller checks the base table holds exactly those).
    The values go through the same SQL expressions as the triggers (SQLite's own lower() and
    replace(), not Python's), so adopt_search_index can take the finished tables as they are. Meant
    for a separate process while the import inserts the base rows: the tokenizer with its seven
    prefix indexes is the costly part of a rebuild. The file is scratch (removed by the caller):
    no rollback journal.
    """
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA cache_size=-200000")
        db.execute("BEGIN")
        for statement in sqlite_table_statements():
            db.execute(statement)
        for fts, base, columns, watched in SQLITE_INDEXES:
            # The rows go to a plain table (in the scratch file, its cache bounded) first and into the FTS5 table in one statement, as
            # in rebuild_search_index: FTS5 writes its pending terms out at the end of every
            # statement, so a row per statement would make a segment per row.
            # No merging while the rows go in: 'optimize' below merges everything once (a third
            # less CPU than merging as it goes). Reset before the tables are adopted, since the
            # setting is kept in the index's config table and the triggers rely on merging.
            db.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('automerge', 0)")
            db.execute(f"CREATE TABLE v (rid INTEGER PRIMARY KEY, {', '.join(watched)})")
            # rid: 1, 2, 3… in insertion order (an empty table), the rowids of the base rows
            insert = f"INSERT INTO v ({', '.join(watched)}) VALUES ({', '.join('?' * len(watched))})"
            for batch in rows(base):
                db.executemany(insert, batch)
            names = ", ".join(name for name, _ in columns)
            values = ", ".join(expr.format(row="v") for _, expr in columns)
            db.execute(f"INSERT INTO {fts}(rowid, {names}) SELECT v.rid, {values} FROM v ORDER BY v.rid")
            db.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
            db.execute(f"DELETE FROM {fts}_config WHERE k = 'automerge'")  # back to the default
            db.execute("DROP TABLE v")
        db.execute("COMMIT")
    finally:
        db.close()


def _shadow_tables(db: sqlite3.Connection, fts: str) -> dict[str, str]:
    """The FTS5 table's definition and its shadow tables' (name -> CREATE statement)."""
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND (name = ? OR name LIKE ? ESCAPE '!')",
        (fts, fts.replace("_", "!_") + "!_%"),
    ).fetchall()
    return {name: sql for name, sql in rows}


def adopt_search_index(conn: Connection, path: str) -> bool:
    """SQLite: take the word tables built by build_search_index_file in ``path`` and resume
    maintenance, in the caller's transaction; False (nothing changed) when a table there is not
    defined exactly as here, the caller then runs rebuild_search_index.

    The shadow tables of each contentless FTS5 table (its whole index: segments, structure,
    averages, config) are replaced by the built ones, which FTS5 reads like its own. FTS5 caches
    the index structure per connection and only notices changes made by *other* connections: each
    table is dropped and created again first, so this connection reads the new index too (closing
    it after the commit, as the importer does, is a second safeguard).
    """
    begin_sqlite_transaction(conn)
    existing = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
    for statement, (fts, _, _, _) in zip(sqlite_table_statements(), SQLITE_INDEXES, strict=True):
        if fts not in existing:
            conn.exec_driver_sql(statement)
    raw: sqlite3.Connection = conn.connection.dbapi_connection  # type: ignore[assignment]
    source = sqlite3.connect(path)
    try:
        plans = []
        for fts, _, _, _ in SQLITE_INDEXES:
            built = _shadow_tables(source, fts)
            if not built or built != _shadow_tables(raw, fts):
                return False
            plans.append((built[fts], [name for name in sorted(built) if name != fts]))
        for fts, _, _, _ in SQLITE_INDEXES:
            for suffix in _TRIGGER_SUFFIXES:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        for (fts, _, _, _), (definition, shadows) in zip(SQLITE_INDEXES, plans, strict=True):
            # a new table object: this connection forgets any index structure it had cached
            conn.exec_driver_sql(f'DROP TABLE "{fts}"')
            conn.exec_driver_sql(definition)
            for name in shadows:
                columns = [row[1] for row in source.execute(f'PRAGMA table_info("{name}")')]
                names = ", ".join(f'"{c}"' for c in columns)
                conn.exec_driver_sql(f'DELETE FROM "{name}"')
                cursor = source.execute(f'SELECT {names} FROM "{name}"')
                raw.executemany(
                    f'INSERT INTO "{name}" ({names}) VALUES ({", ".join("?" * len(columns))})', iter(cursor))
    finally:
        source.close()
    for statement in sqlite_trigger_statements():
        conn.exec_driver_sql(statement)
    return True


# --- queries ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchTerms:
    """A query, folded and split by services.search."""

    phrase: str  # the whole folded query, single spaces
    words: tuple[str, ...]  # its words: runs of letters and digits
    # The query compacted (lower case, no spaces . - ( )) when it looks like an id number or phone.
    contact: str | None = None


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _as_typed(words: Sequence[str]) -> list[tuple[str, bool]]:
    """(word, is_prefix): whole words, except the last one, which may still be being typed."""
    return [(w, i == len(words) - 1) for i, w in enumerate(words)]


def _begins_word(column: ColumnElement, word: str) -> ColumnElement[bool]:
    """SQLite, row by row: ``word`` begins a word of ``column`` (the twin of the FTS5 ``"w"*``).

    Words are made of letters and digits only, so they need no escaping in GLOB.
    """
    return or_(column.op("GLOB")(f"{word}*"), column.op("GLOB")(f"*[^a-z0-9]{word}*"))


def _has_word(column: ColumnElement, word: str) -> ColumnElement[bool]:
    """SQLite, row by row: ``word`` is a whole word of ``column`` (the twin of the FTS5 ``"w"``)."""
    glob = column.op("GLOB")
    return or_(glob(word), glob(f"{word}[^a-z0-9]*"), glob(f"*[^a-z0-9]{word}"), glob(f"*[^a-z0-9]{word}[^a-z0-9]*"))


def _starts_with(conn: Connection, column: ColumnElement, prefix: str) -> ColumnElement[bool]:
    """Index-friendly prefix test: a byte-order range on SQLite, LIKE on a "C" b-tree on PostgreSQL."""
    if _is_sqlite(conn):
        last = ord(prefix[-1])
        if last >= 0x10FFFF:
            return column.like(f"{_escape_like(prefix)}%", escape="\\")
        return and_(column >= prefix, column < prefix[:-1] + chr(last + 1))
    return column.collate("C").like(f"{_escape_like(prefix)}%", escape="\\")


def _ordered(conn: Connection, column: ColumnElement) -> ColumnElement:
    """The key in byte order on both databases (SQLite's BINARY is byte order already)."""
    return column if _is_sqlite(conn) else column.collate("C")


def _pg_words_match(document: str, words: Sequence[str], last_prefix: bool = True) -> ColumnElement[bool]:
    """PostgreSQL: the expression of a GIN index @@ the words (the last one as a prefix, unless not
    ``last_prefix``)."""
    query = " & ".join(f"{w}:*" if prefix and last_prefix else w for w, prefix in _as_typed(words))
    return literal_column(document).op("@@")(func.to_tsquery(literal_column("'simple'"), query))


def _pg_word_match(column: ColumnElement, word: str, prefix: bool) -> ColumnElement[bool]:
    """PostgreSQL, row by row: the cheap twin of the tsvector match for one word."""
    return column.op("~")(f"(^|[^[:alnum:]]){word}" + ("" if prefix else "($|[^[:alnum:]])"))


def _fts_candidates(conn: Connection, fts: str, column: str | None, words: Sequence[str]) -> Select | None:
    """SQLite: the rowids the FTS5 table gives for every word as a prefix (None when suspended)."""
    if not words or not search_index_ready(conn):
        return None
    query = " AND ".join(f'"{w}"*' if prefix else f'"{w}"' for w, prefix in _as_typed(words))
    if column:
        query = f"{column} : ({query})"
    return select(literal_column("rowid")).select_from(text(fts)).where(_fts_match(fts, query))


def _fts_match(fts: str, query: str) -> ColumnElement[bool]:
    return text(f"{fts} MATCH :fts_query").bindparams(fts_query=query)  # type: ignore[return-value]


RowMatch = Callable[[FromClause], ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class _Plan:
    """One search over one table: what to return, in which order, and how rows match."""

    table: Table
    columns: Sequence[ColumnElement]
    order_by: Sequence[ColumnElement]
    row_match: RowMatch  # the rule row by row, over the table or a subquery of it
    candidates: Select | None = None  # SQLite: FTS5 rowids of the matches
    pg_index_match: ColumnElement[bool] | None = None  # PostgreSQL: the GIN-indexed condition
    extra: ColumnElement[bool] | None = None
    # SQLite: order_by is "newest row first" (rowid descending), which FTS5 itself can stream.
    fts_table: str | None = None
    # PostgreSQL: matches are expected to be few (an id number, a phone): skip the b-tree walk.
    sparse: bool = False
    # PostgreSQL, word searches: the GIN index (for its statistics), its document expression, the
    # key column and the query's words, so that the plan can be chosen from word frequencies.
    pg_index: str | None = None
    pg_document: str | None = None
    key_name: str | None = None
    words: Sequence[str] = ()
    # The words are about independent of each other, as in people's names (surname, middle and
    # given name): their share together is about the product of their shares.
    independent_words: bool = False


def _fetch(conn: Connection, plan: _Plan, limit: int) -> list[Row]:
    """The first ``limit`` matching rows in the plan's order."""
    if limit <= 0:
        return []
    if _is_sqlite(conn):
        return _fetch_sqlite(conn, plan, limit)
    return _fetch_pg(conn, plan, limit)


def _select(plan: _Plan, condition: ColumnElement[bool], limit: int) -> Select:
    if plan.extra is not None:
        condition = and_(condition, plan.extra)
    return select(*plan.columns).where(condition).order_by(*plan.order_by).limit(limit)


def _fetch_sqlite(conn: Connection, plan: _Plan, limit: int) -> list[Row]:
    if plan.candidates is None:  # index suspended: correct, slow
        return list(conn.execute(_select(plan, plan.row_match(plan.table), limit)))
    if plan.fts_table:
        # Newest first is the FTS5 table's own order: it streams matches from the highest rowid
        # and stops at ``limit``, however common the words are.
        fts = table_clause(plan.fts_table, column("rowid"))
        stmt = (
            select(*plan.columns)
            .select_from(fts.join(plan.table, literal_column(f"{plan.table.name}.rowid") == fts.c.rowid))
            .where(plan.candidates.whereclause, *([plan.extra] if plan.extra is not None else []))
            .order_by(fts.c.rowid.desc())
            .limit(limit)
        )
        return list(conn.execute(stmt))
    rowid = literal_column(f"{plan.table.name}.rowid")
    rowids = conn.execute(plan.candidates.limit(SPARSE_MAX + 1)).scalars().all()
    if not rowids:
        return []
    if len(rowids) <= SPARSE_MAX:
        # Few matches: read and sort them (one JSON parameter instead of thousands of values).
        listed = select(literal_column("value")).select_from(func.json_each(json.dumps(rowids)))
        return list(conn.execute(_select(plan, rowid.in_(listed), limit)))
    counted = select(func.count()).select_from(plan.candidates.limit(WALK_FROM + 1).subquery())
    if conn.execute(counted).scalar_one() <= WALK_FROM:
        # Many: walk the order's b-tree testing membership in the match set (the unary + keeps
        # SQLite from driving the query by the set, which would sort all of it).
        membership = literal_column(f"+{plan.table.name}.rowid").in_(plan.candidates)
        return list(conn.execute(_select(plan, membership, limit)))
    # Very many (dense): walk the b-tree testing each key; the first ``limit`` come quickly.
    return list(conn.execute(_select(plan, plan.row_match(plan.table), limit)))


def _fetch_pg(conn: Connection, plan: _Plan, limit: int) -> list[Row]:
    # The planner misjudges prefix tsqueries (both ways, by orders of magnitude), so the plan is
    # chosen here: walk the order's b-tree testing each row, or read every match through the GIN
    # index (bitmap scan) and sort them — from the words' frequencies when the table has statistics.
    # The word lists (search_word) tell at once when a word is in no key, and which words the
    # prefix of the last one stands for: the GIN query then names whole words only.
    index_match = plan.pg_index_match
    completions: tuple[str, ...] | None = None
    if plan.pg_index and plan.words and plan.pg_document:
        words = _pg_vocabulary(conn, plan.words)
        if words is not None:
            listed = words[_PG_SOURCE_OF_INDEX[plan.pg_index]]
            if not listed.possible:
                return []
            if len(listed.completions) <= PG_EXPAND_MAX:
                completions = listed.completions
                index_match = _pg_exact_match(plan.pg_document, plan.words[:-1], completions)
    if plan.sparse and index_match is not None:
        return _pg_bitmap(conn, plan, index_match, limit)
    stats = _word_stats(conn, plan.pg_index) if plan.pg_index and plan.words else None
    if stats is None:
        # No statistics (never analysed): a bounded walk, enough for a common term, then the index.
        rows = _pg_walk(conn, plan, PG_WALK, limit)
        if len(rows) >= limit or index_match is None:
            return rows
        return _pg_bitmap(conn, plan, index_match, limit)
    typed = _as_typed(plan.words)
    whole = [w for w, prefix in typed if not prefix]
    last = typed[-1][0]
    last_share = stats.prefix(last) if completions is None else min(1.0, sum(map(stats.word, completions)))
    # The share of matching rows lies between the product of the words' shares (independent
    # words, as in names) and the smallest one (words that come together, as in the phrases of
    # summaries: "giấy chứng nhận" is 50 times more common than the product says). A first walk
    # sized for the upper bound (at most PG_PROBE rows) is cheap, and what it finds measures the
    # share; finding nothing means the words are rare together, and the GIN index answers. When
    # even the upper bound is too rare for a walk, the GIN index answers at once.
    shares = [stats.word(w) for w in whole] + [last_share]
    upper = min(shares)
    sized = max(PG_WALK_MIN, math.ceil(PG_WALK_MARGIN * limit / upper))
    if plan.independent_words and PG_WALK_MARGIN * limit / max(math.prod(shares), 1e-12) > PG_WALK_MAX:
        # Names: words that are each common ("trần", "hữu", "quý") are rare together, and a walk
        # would find next to nothing (a 1,000-row probe cost 2–3 ms for nothing).
        sized = PG_WALK_MAX + 1
    if sized <= PG_WALK_MAX:  # else even words that always come together would be too rare
        window = min(PG_PROBE, sized)
        rows = _pg_walk(conn, plan, window, limit)
        if len(rows) >= limit:
            return rows
        share = len(rows) / window
        needed = math.ceil(PG_WALK_MARGIN * limit / share) if share > 0 else PG_WALK_MAX + 1
        # Walk further only if the page should fit in PG_WALK_MAX rows, and if reading them costs
        # less than reading every match from the heap.
        if window < needed <= min(PG_WALK_MAX, PG_WALK_PER_HEAP_READ * stats.rows * share):
            rows = _pg_walk(conn, plan, needed, limit)
            if len(rows) >= limit:
                return rows
    # Rarer: every match from the GIN index. Whole words cost little there (the index skips
    # through their posting lists), but a short prefix must merge the lists of every word it
    # begins; when that costs more than reading the rows the whole words leave (at most as many
    # as the rarest of them holds: again, words may come together), the prefix is tested on those
    # rows instead (the same rule, row by row).
    if completions is None and whole and PG_UNION_COST * last_share > min(stats.word(w) for w in whole):
        assert plan.pg_document is not None and plan.key_name is not None
        condition = and_(_pg_words_match(plan.pg_document, whole, last_prefix=False),
                         _pg_word_match(plan.table.c[plan.key_name], last, True))
    else:
        assert index_match is not None
        condition = index_match
    return _pg_bitmap(conn, plan, condition, limit)


def _used_columns(plan: _Plan, only: Sequence[ColumnElement] | None = None) -> list[ColumnElement]:
    """The table's columns a subquery of ``plan`` must carry: those shown, ordered by and tested
    (or those ``only`` names).

    Not the whole row: the server reads and materialises less, and adapting the outer query to a
    subquery of a few columns is several times cheaper in SQLAlchemy than to one of every column
    (a third of a search's time went there).
    """
    used: set[str] = set()
    clauses = only if only is not None else [*plan.columns, *plan.order_by, plan.row_match(plan.table), plan.extra]
    for clause in clauses:
        if clause is not None:
            used.update(e.key for e in iterate(clause) if isinstance(e, Column) and e.table is plan.table)
    return [c for c in plan.table.c if c.key in used]


def _pg_walk(conn: Connection, plan: _Plan, window_rows: int, limit: int) -> list[Row]:
    """The first ``limit`` matches among the first ``window_rows`` rows of the order's b-tree."""
    window = select(*_used_columns(plan)).order_by(*plan.order_by).limit(window_rows)
    if plan.extra is not None:
        window = window.where(plan.extra)
    inner = window.subquery("walk")
    adapt = ClauseAdapter(inner).traverse
    walk = (
        select(*(adapt(c) for c in plan.columns))
        .where(plan.row_match(inner))
        .order_by(*(adapt(o) for o in plan.order_by))
        .limit(limit)
    )
    return list(conn.execute(walk))


def _pg_bitmap(conn: Connection, plan: _Plan, condition: ColumnElement[bool], limit: int) -> list[Row]:
    """All the rows the GIN index gives for ``condition`` (bitmap scan), sorted, the first ``limit``.

    The matches are a materialised CTE, sorted outside it: with ORDER BY … LIMIT next to the
    condition, the planner would often walk the order's b-tree filtering every row instead, its
    estimate of a text-search match being far off. Inside, with sequential scans off for the
    search (begin_search), only the GIN index is left. The CTE keeps only the sort key and the id
    of each match, and the shown columns are read for the first ``limit`` alone: with thousands of
    matches, materialising whole rows took two thirds of the time.
    """
    if plan.extra is not None:
        condition = and_(condition, plan.extra)
    key = plan.table.c.id
    matches = (select(*_used_columns(plan, only=[key, *plan.order_by])).where(condition)
               .cte("matches").prefix_with("MATERIALIZED"))
    in_matches = ClauseAdapter(matches).traverse
    first = (select(*matches.c).order_by(*(in_matches(o) for o in plan.order_by)).limit(limit)
             .subquery("first"))
    in_first = ClauseAdapter(first).traverse
    stmt = (select(*plan.columns).select_from(first.join(plan.table, key == first.c[key.key]))
            .order_by(*(in_first(o) for o in plan.order_by)))
    return list(conn.execute(stmt))


# --- PostgreSQL word lists --------------------------------------------------------------------------

_PLAIN_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class _Listed:
    """What the word list of one document says about a query."""

    possible: bool  # every whole word is listed and some word begins with the last one
    completions: tuple[str, ...]  # the listed words beginning with the last one (PG_EXPAND_MAX + 1 at most)


_vocabulary_cache: weakref.WeakKeyDictionary[Connection, tuple[Any, Sequence[str], dict[str, _Listed] | None]] = (
    weakref.WeakKeyDictionary())
_LOOKUP = text(
    "SELECT s.source,"
    " ARRAY(SELECT DISTINCT w.word FROM search_word w WHERE w.source = s.source"
    "  AND w.word = ANY(CAST(:whole AS text[]))) AS whole,"
    " ARRAY(SELECT DISTINCT w.word FROM search_word w WHERE w.source = s.source"
    "  AND w.word >= :low AND w.word < :high ORDER BY 1 LIMIT :most) AS completions"
    " FROM unnest(CAST(:sources AS text[])) AS s(source)"
    f" WHERE {_PG_TRIGGERS_IN_PLACE} = :trigger_count"
)


def _pg_vocabulary(conn: Connection, words: Sequence[str]) -> dict[str, _Listed] | None:
    """Per document source, what its word list says about ``words`` (the last one a prefix).

    None when the lists cannot be trusted or used: suspended for an import (their triggers are
    gone: checked in the same statement), missing (a database before revision 0004), or a word
    that is not plain a-z/0-9 (the text-search parser might split it otherwise than the query).
    One statement for the three documents, kept for the rest of the caller's transaction.
    """
    if not words or not all(_PLAIN_WORD.fullmatch(w) for w in words) or not _pg_info(conn).vocabulary:
        return None
    transaction = conn.get_transaction()
    cached = _vocabulary_cache.get(conn)
    if cached is not None and transaction is not None and cached[0] is transaction and cached[1] == words:
        return cached[2]
    last = words[-1]
    # Words are a-z/0-9 only, so the words beginning with ``last`` are a byte range ("C" order).
    high = last[:-1] + chr(ord(last[-1]) + 1)
    rows = conn.execute(_LOOKUP, {
        "whole": list(words[:-1]), "low": last, "high": high, "most": PG_EXPAND_MAX + 1,
        "sources": [source for source, _, _ in PG_VOCABULARY_SOURCES],
        "trigger_names": [name for name, _ in _PG_VOCABULARY_TRIGGERS],
        "trigger_count": len(_PG_VOCABULARY_TRIGGERS),
    }).all()
    found: dict[str, _Listed] | None = None
    if rows:
        need = set(words[:-1])
        found = {source: _Listed(need <= set(whole) and bool(completions), tuple(completions))
                 for source, whole, completions in rows}
    if transaction is not None:
        _vocabulary_cache[conn] = (transaction, tuple(words), found)
    return found


def _tsquery_word(word: str) -> str:
    """A lexeme quoted for tsquery input (no parsing: compound lexemes like "qd-ubnd" stay whole)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _pg_exact_match(document: str, whole: Sequence[str], completions: Sequence[str]) -> ColumnElement[bool]:
    """PostgreSQL: the GIN expression @@ every whole word and one of the completions of the last."""
    either = " | ".join(map(_tsquery_word, completions))
    query = " & ".join([*map(_tsquery_word, whole), f"( {either} )"])
    return literal_column(document).op("@@")(cast(literal(query), TSQUERY))


# --- PostgreSQL word statistics ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _WordStats:
    """How common words are in one GIN-indexed document, from ANALYZE (pg_stats of the index).

    For a tsvector, ANALYZE keeps the most common lexemes with the share of rows holding each one;
    a word it does not list is rarer than the least common one listed.
    """

    rows: float  # rows in the table
    shares: dict[str, float]  # word → share of the rows holding it
    floor: float  # assumed share of a word not listed

    def word(self, word: str) -> float:
        return self.shares.get(word, self.floor)

    def prefix(self, prefix: str) -> float:
        """Share of rows holding a word that begins with ``prefix`` (at most 1)."""
        listed = sum(share for word, share in self.shares.items() if word.startswith(prefix))
        return min(1.0, listed + self.floor)


_PG_STATS_INDEXES = ("search_citizen_name_words", "search_case_title_words", "search_petition_summary_words")


@dataclass(frozen=True, slots=True)
class _PgInfo:
    stats: dict[str, _WordStats]  # per GIN index name
    vocabulary: bool  # the search_word table exists (revision 0004)


_stats_cache: weakref.WeakKeyDictionary[Engine, tuple[float, _PgInfo]] = weakref.WeakKeyDictionary()
_stats_lock = threading.Lock()


def _pg_info(conn: Connection) -> _PgInfo:
    """Word statistics and whether the word lists exist, cached per engine for PG_STATS_TTL seconds."""
    now = time.monotonic()
    with _stats_lock:
        cached = _stats_cache.get(conn.engine)
    if cached is None or now - cached[0] > PG_STATS_TTL:
        vocabulary = conn.execute(text("SELECT to_regclass('search_word') IS NOT NULL")).scalar_one()
        cached = (now, _PgInfo(_load_word_stats(conn), bool(vocabulary)))
        with _stats_lock:
            _stats_cache[conn.engine] = cached
    return cached[1]


def _word_stats(conn: Connection, index: str) -> _WordStats | None:
    """The word statistics of a search index (cached, see _pg_info).

    None when the table was never analysed (run ANALYZE after a bulk import: rebuild_search_index
    does), and the caller then falls back to a plan that needs no estimate.
    """
    return _pg_info(conn).stats.get(index)


def _load_word_stats(conn: Connection) -> dict[str, _WordStats]:
    # Expression indexes have their own statistics row in pg_stats, under the index's name; the
    # elements array is anyarray, hence the cast through text.
    rows = conn.execute(
        text(
            "SELECT s.tablename, s.most_common_elems::text::text[] AS words, s.most_common_elem_freqs AS shares,"
            " c.reltuples AS total FROM pg_stats s"
            " JOIN pg_namespace n ON n.nspname = s.schemaname"
            " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename"
            " WHERE s.schemaname = current_schema() AND s.tablename = ANY(:names)"
        ),
        {"names": list(_PG_STATS_INDEXES)},
    )
    found: dict[str, _WordStats] = {}
    for name, words, shares, total in rows:
        # shares: one per word, then the least and the greatest of them.
        if not words or not shares or len(shares) < len(words) + 2 or not total or total <= 0:
            continue
        found[name] = _WordStats(float(total), dict(zip(words, map(float, shares), strict=False)),
                                 float(shares[len(words)]) / 2)
    return found


def forget_word_stats(engine: Engine) -> None:
    """Drop the cached word statistics of ``engine`` (after ANALYZE, a migration, or in tests)."""
    with _stats_lock:
        _stats_cache.pop(engine, None)


# the settings of a search transaction (begin_search): one constant statement, no parameters
_PG_SEARCH_SETTINGS = "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL enable_seqscan = off"


def begin_search(conn: Connection) -> None:
    """Settings for the transaction a search reads in; call it first. PostgreSQL only.

    JIT off: the planner's wild estimates for prefix text-search queries can pass jit_above_cost,
    and compiling alone takes tens of milliseconds, longer than any search. No parallel workers:
    starting them costs more than the few thousand rows a search reads, on a busy desk machine.
    No sequential scans: every search statement has an index (the GIN index for the matches, see
    _pg_bitmap), which a wild estimate must not make the planner give up for a scan of the table.
    """
    if _is_sqlite(conn):
        return
    # one constant statement for the driver (no parameters): about half a millisecond less than
    # building and binding the same set_config() select for every search
    conn.exec_driver_sql(_PG_SEARCH_SETTINGS)



def _words_match(conn: Connection, key_name: str, words: Sequence[str]) -> RowMatch:
    """Row by row: the words are words of the key column ``key_name`` (the last one as a prefix)."""
    if _is_sqlite(conn):
        return lambda source: and_(
            *((_begins_word if prefix else _has_word)(source.c[key_name], w) for w, prefix in _as_typed(words))
        )
    return lambda source: and_(*(_pg_word_match(source.c[key_name], w, p) for w, p in _as_typed(words)))


def find_citizens(conn: Connection, terms: SearchTerms, limit: int) -> list[Row]:
    """Citizens by name (prefix matches first), or by id number / phone when terms.contact is set."""
    c = _citizen
    columns = [c.c.id, c.c.external_id, c.c.full_name, c.c.id_type, c.c.id_number, c.c.phone, c.c.address]
    order = [_ordered(conn, c.c.name_key), c.c.id]
    if terms.contact:
        contact = terms.contact
        sqlite = _is_sqlite(conn)

        def compact(source: FromClause) -> ColumnElement:
            parts = []
            for name in ("id_number", "phone"):
                expr = func.lower(func.coalesce(source.c[name], ""))
                if sqlite:
                    for sep in (" ", ".", "-", "(", ")", "+"):
                        expr = func.replace(expr, sep, "")
                else:
                    expr = func.translate(expr, " .-()+", "")
                parts.append(expr)
            return parts[0].concat(" ").concat(parts[1])

        def row_match(source: FromClause) -> ColumnElement[bool]:
            if sqlite:
                return _begins_word(compact(source), contact)
            return _pg_word_match(compact(source), contact, True)

        plan = _Plan(
            c, columns, order, row_match,
            candidates=_fts_candidates(conn, "search_citizen", "contact", [contact]) if sqlite else None,
            pg_index_match=None if sqlite else _pg_words_match(_PG_CONTACT_WORDS, [contact]),
            # An id number (CCCD/CMND: province code 001–096) and a phone begin with 0: a prefix
            # that does not, or a long one, matches few rows, which the GIN index finds at once; a
            # short one beginning with 0 matches most rows, and the first ones come from the walk.
            sparse=len(contact) >= 4 or not contact.startswith("0"),
        )
        return _fetch(conn, plan, limit)
    return _prefix_then_words(conn, c, "name_key", _PG_NAME_WORDS, "search_citizen_name_words", columns, order,
                              terms, limit,
                              "search_citizen", "name", independent_words=True)


def begins_word(conn: Connection, column: ColumnElement, word: str) -> ColumnElement[bool]:
    """Row by row: a word of the folded ``column`` begins with ``word`` (letters and digits only),
    the rule of the word indexes."""
    if _is_sqlite(conn):
        return _begins_word(column, word)
    return _pg_word_match(column, word, True)


def words_row_match(conn: Connection, column: ColumnElement, words: Sequence[str]) -> ColumnElement[bool]:
    """Row by row, the rule of key_words_match on the folded ``column``: every word is a word of
    it, the last one as a prefix (cheap when most rows match and the first few are wanted)."""
    if _is_sqlite(conn):
        return and_(*((_begins_word if prefix else _has_word)(column, w) for w, prefix in _as_typed(words)))
    return and_(*(_pg_word_match(column, w, prefix) for w, prefix in _as_typed(words)))


def key_words_match(conn: Connection, source: str, words: Sequence[str]) -> ColumnElement[bool]:
    """A condition on the rows of citizen (``source`` "citizen": by name), case_file ("case": by
    title) or petition ("petition": by summary): every word is a word of the key, the last one as a
    prefix. Through the word index (SQLite: the row's rowid among the FTS5 matches, no table read;
    PostgreSQL: the GIN expression), row by row while the index is suspended for an import.
    For the lists' filters (services.listing): a set, not an order.
    """
    table, key_name, fts, fts_column, document = {
        "citizen": (_citizen, "name_key", "search_citizen", "name", _PG_NAME_WORDS),
        "case": (_case, "title_key", "search_case", None, _PG_TITLE_WORDS),
        "petition": (_petition, "summary_key", "search_petition", None, _PG_SUMMARY_WORDS),
    }[source]
    if not _is_sqlite(conn):
        return _pg_words_match(document, words)
    if not search_index_ready(conn):
        return _words_match(conn, key_name, words)(table)
    query = " AND ".join(f'"{w}"*' if prefix else f'"{w}"' for w, prefix in _as_typed(words))
    if fts_column:
        query = f"{fts_column} : ({query})"
    # an anonymous parameter: several of these may sit in one statement
    rowids = select(literal_column("rowid")).select_from(text(fts)).where(
        literal_column(fts).op("MATCH")(literal(query)))
    return literal_column(f"{table.name}.rowid").in_(rowids)


def _has_long_number(words: Sequence[str]) -> bool:
    """A word with 6+ digits (an id, a phone, a document number) is rare: ask the index first."""
    return any(sum(ch.isdigit() for ch in w) >= 6 for w in words)


def find_cases(conn: Connection, terms: SearchTerms, limit: int) -> list[Row]:
    """Cases by title (prefix matches first)."""
    k = _case
    columns = [k.c.id, k.c.external_id, k.c.title, k.c.kind, k.c.status, k.c.field, k.c.place]
    order = [_ordered(conn, k.c.title_key), k.c.id]
    return _prefix_then_words(conn, k, "title_key", _PG_TITLE_WORDS, "search_case_title_words", columns, order,
                              terms, limit,
                              "search_case", None)


def find_petitions(conn: Connection, terms: SearchTerms, limit: int) -> list[Row]:
    """Petitions by summary, newest first.

    Only date, kind and summary are read: never the signers, whom a denunciation must keep secret
    (services.visibility), nor are petitions matched by their signers' names.
    """
    p = _petition
    if not terms.words:
        return []
    sqlite = _is_sqlite(conn)
    plan = _Plan(
        p,
        [p.c.id, p.c.external_id, p.c.received_on, p.c.kind, p.c.summary],
        [p.c.received_on.desc(), p.c.id.desc()],
        _words_match(conn, "summary_key", terms.words),
        candidates=_fts_candidates(conn, "search_petition", None, terms.words) if sqlite else None,
        pg_index_match=None if sqlite else _pg_words_match(_PG_SUMMARY_WORDS, terms.words),
        sparse=_has_long_number(terms.words),
        pg_index="search_petition_summary_words",
        pg_document=_PG_SUMMARY_WORDS,
        key_name="summary_key",
        words=terms.words,
    )
    return _fetch(conn, plan, limit)


def _prefix_then_words(
    conn: Connection,
    table: Table,
    key_name: str,
    pg_document: str,
    pg_index: str,
    columns: Sequence[ColumnElement],
    order: Sequence[ColumnElement],
    terms: SearchTerms,
    limit: int,
    fts: str,
    fts_column: str | None,
    *,
    independent_words: bool = False,
) -> list[Row]:
    """Rows whose key starts with the whole query, then (if room is left) the other word matches."""
    prefix = _starts_with(conn, table.c[key_name], terms.phrase)
    rows = list(conn.execute(select(*columns).where(prefix).order_by(*order).limit(limit))) if limit > 0 else []
    if len(rows) >= limit or not terms.words:
        return rows
    # The other matches, newest first: an order the word index can serve however common the words
    # (alphabetical order would mean sorting all of them, or walking past long runs of titles that
    # all begin alike — "Khiếu nại…", "Tố cáo…" — before reaching the matches).
    sqlite = _is_sqlite(conn)
    recent = (
        [literal_column(f"{table.name}.rowid").desc()]
        if sqlite
        else [table.c.created_at.desc(), table.c.id.desc()]
    )
    plan = _Plan(
        table, columns, recent, _words_match(conn, key_name, terms.words),
        candidates=_fts_candidates(conn, fts, fts_column, terms.words) if sqlite else None,
        pg_index_match=None if sqlite else _pg_words_match(pg_document, terms.words),
        extra=not_(prefix),
        fts_table=fts if sqlite else None,
        sparse=_has_long_number(terms.words),
        pg_index=pg_index,
        pg_document=pg_document,
        key_name=key_name,
        words=terms.words,
        independent_words=independent_words,
    )
    return rows + _fetch(conn, plan, limit - len(rows))


__all__ = [
    "PG_WALK",
    "SPARSE_MAX",
    "WALK_FROM",
    "FTS_PREFIX",
    "PG_WALK_MAX",
    "PG_WALK_MIN",
    "SearchTerms",
    "begin_search",
    "find_cases",
    "find_citizens",
    "find_petitions",
    "key_words_match",
    "words_row_match",
    "begins_word",
    "forget_word_stats",
    "adopt_search_index",
    "build_search_index_file",
    "rebuild_search_index",
    "search_sources",
    "search_index_ready",
    "suspend_search_index",
]
