"""search indexes: word indexes over the folded keys of citizens, cases and petitions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

SQLite: contentless FTS5 tables (unicode61 words, prefix indexes for 1–7 letters, no positions),
keyed by the base table's rowid and kept in step by triggers. PostgreSQL: GIN indexes over
``to_tsvector('simple', key)`` and byte-order ("C") b-trees for the name/title order and prefixes.

Why words rather than trigrams: Vietnamese syllables are short and few, so every trigram of a name
("ngu", "inh", "ong"…) occurs in a large part of the rows and a rare combination of common names
costs a scan of huge trigram lists (measured at 1M petitions: p95 49 ms on SQLite FTS5 trigram,
140 ms with max 1.3 s on pg_trgm). Word lists intersect in a few milliseconds.

This file is frozen: it must keep creating exactly what revision 0002 created, so it does not import
the application. storage.search_queries holds the same statements for suspending and rebuilding the
index around huge imports; tests/test_search.py checks that both stay identical.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _compact(column: str) -> str:
    """SQLite: the id number / phone without case and separators (PostgreSQL: translate)."""
    expr = f"lower(coalesce({column}, ''))"
    for sep in (" ", ".", "-", "(", ")", "+"):
        expr = f"replace({expr}, '{sep}', '')"
    return expr


# (fts table, base table, [(fts column, expression over the row named {row})], watched columns)
_SQLITE_INDEXES = [
    (
        "search_citizen",
        "citizen",
        [
            ("name", "{row}.name_key"),
            ("contact", _compact("{row}.id_number") + " || ' ' || " + _compact("{row}.phone")),
        ],
        ["name_key", "id_number", "phone"],
    ),
    ("search_case", "case_file", [("title", "{row}.title_key")], ["title_key"]),
    ("search_petition", "petition", [("summary", "coalesce({row}.summary_key, '')")], ["summary_key"]),
]
# No positions are needed (no phrase queries); the citizen table keeps column lists so a query can
# name the column (name or contact), which detail=none does not allow.
_FTS_OPTIONS = "content='', columnsize=0, detail={detail}, tokenize='unicode61', prefix='1 2 3 4 5 6 7'"


def sqlite_statements() -> list[str]:
    statements = []
    for fts, base, columns, watched in _SQLITE_INDEXES:
        names = ", ".join(name for name, _ in columns)
        options = _FTS_OPTIONS.format(detail="column" if len(columns) > 1 else "none")
        statements.append(f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, {options})")
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


def _pg_compact(column: str) -> str:
    return f"translate(lower(coalesce({column}, '')), ' .-()+', '')"


PG_INDEXES = [
    "CREATE INDEX search_citizen_name_words ON citizen USING gin (to_tsvector('simple', name_key))",
    "CREATE INDEX search_citizen_contact_words ON citizen USING gin "
    f"(to_tsvector('simple', {_pg_compact('id_number')} || ' ' || {_pg_compact('phone')}))",
    "CREATE INDEX search_case_title_words ON case_file USING gin (to_tsvector('simple', title_key))",
    "CREATE INDEX search_petition_summary_words ON petition USING gin "
    "(to_tsvector('simple', coalesce(summary_key, '')))",
    # Byte-order ("C") b-trees: LIKE 'ab%' and ORDER BY key COLLATE "C" whatever the database's own
    # collation, the same order as SQLite's BINARY.
    'CREATE INDEX search_citizen_name_c ON citizen (name_key COLLATE "C", id)',
    'CREATE INDEX search_case_title_c ON case_file (title_key COLLATE "C", id)',
    # Newest first, for the matches that do not begin with the query (SQLite uses the rowid).
    "CREATE INDEX search_citizen_recent ON citizen (created_at, id)",
    "CREATE INDEX search_case_recent ON case_file (created_at, id)",
]


def _index_name(statement: str) -> str:
    return statement.split()[2]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in sqlite_statements():
            op.execute(statement)
        # Index what is already there (the triggers only see rows written from now on).
        for fts, base, columns, _ in _SQLITE_INDEXES:
            names = ", ".join(name for name, _ in columns)
            values = ", ".join(expr.format(row=base) for _, expr in columns)
            op.execute(f"INSERT INTO {fts}(rowid, {names}) SELECT {base}.rowid, {values} FROM {base}")
        return
    for statement in PG_INDEXES:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for fts, _, _, _ in _SQLITE_INDEXES:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")  # also drops the FTS5 shadow tables
        return
    for statement in PG_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {_index_name(statement)}")
