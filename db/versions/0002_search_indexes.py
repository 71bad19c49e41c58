"""search indexes: trigram indexes over the folded keys of citizens, cases and petitions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

SQLite: contentless FTS5 tables with the ``trigram`` tokenizer, keyed by the base table's rowid and
kept in step by triggers. PostgreSQL: the pg_trgm extension, GIN trigram indexes and
byte-order b-trees (prefix search and a stable order whatever the database collation).

This file is frozen: it must keep creating exactly what revision 0002 created, so it does not import
the application. storage.search_queries holds the same statements for suspending and rebuilding the
index around huge imports; tests/test_search.py checks that both stay identical.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _compact(column: str) -> str:
    """SQLite: the id number / phone without case and separators (PostgreSQL: translate)."""
    expr = f"lower(coalesce({column}, ''))"
    for sep in (" ", ".", "-", "(", ")"):
        expr = f"replace({expr}, '{sep}', '')"
    return expr


# (fts table, base table, [(fts column, expression over the base row as {row}), ...], watched columns)
_SQLITE_INDEXES = [
    (
        "search_citizen",
        "citizen",
        [
            ("name", "' ' || {row}.name_key"),
            ("contact", _compact("{row}.id_number") + " || ' ' || " + _compact("{row}.phone")),
        ],
        ["name_key", "id_number", "phone"],
    ),
    ("search_case", "case_file", [("title", "' ' || {row}.title_key")], ["title_key"]),
    ("search_petition", "petition", [("summary", "' ' || coalesce({row}.summary_key, '')")], ["summary_key"]),
]


def sqlite_statements() -> list[str]:
    statements = []
    for fts, base, columns, watched in _SQLITE_INDEXES:
        names = ", ".join(name for name, _ in columns)
        statements.append(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='', columnsize=0, tokenize='trigram')"
        )
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
    return f"translate(lower(coalesce({column}, '')), ' .-()', '')"


PG_INDEXES = [
    "CREATE INDEX search_citizen_name_trgm ON citizen USING gin (name_key gin_trgm_ops)",
    "CREATE INDEX search_citizen_contact_trgm ON citizen USING gin "
    f"(({_pg_compact('id_number')} || ' ' || {_pg_compact('phone')}) gin_trgm_ops)",
    "CREATE INDEX search_case_title_trgm ON case_file USING gin (title_key gin_trgm_ops)",
    "CREATE INDEX search_petition_summary_trgm ON petition USING gin (summary_key gin_trgm_ops)",
    # Byte-order ("C") b-trees: usable for LIKE 'ab%' and for ORDER BY key COLLATE "C" whatever the
    # database's own collation, and the same order as SQLite's BINARY.
    'CREATE INDEX search_citizen_name_c ON citizen (name_key COLLATE "C", id)',
    'CREATE INDEX search_citizen_id_number_c ON citizen (id_number COLLATE "C")',
    'CREATE INDEX search_citizen_phone_c ON citizen (phone COLLATE "C")',
    'CREATE INDEX search_case_title_c ON case_file (title_key COLLATE "C", id)',
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
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
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
    # The extension may serve other objects (an administrator's own trigram indexes): drop it only
    # when nothing depends on it; RESTRICT refuses otherwise and the savepoint keeps the rest intact.
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("DROP EXTENSION IF EXISTS pg_trgm RESTRICT")
    except sa.exc.DBAPIError:
        pass
