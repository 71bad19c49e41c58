"""search word lists: every word of the searched keys, for PostgreSQL's prefix queries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

PostgreSQL only (SQLite's FTS5 tables have prefix indexes of their own): ``search_word(source,
word)`` lists the words the GIN indexes of revision 0002 hold — "n" citizen names, "t" case titles,
"s" petition summaries — so that the search replaces the prefix of the last word by the few words
it begins (GIN merges every posting list of a prefix before intersecting, but skips through the
lists of whole words). Statement triggers with transition tables add the words of new and changed
keys; words are never removed.

This file is frozen like 0002: it does not import the application; storage.search_queries holds
the same statements for rebuilding the lists after a huge import, and tests/test_search.py checks
that both stay identical.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SOURCES = (("n", "citizen", "name_key"), ("t", "case_file", "title_key"), ("s", "petition", "summary_key"))
TABLE = [
    'CREATE TABLE search_word (source text NOT NULL, word text COLLATE "C" NOT NULL)',
    "CREATE INDEX search_word_source_word ON search_word (source, word)",
]
FUNCTION = r"""CREATE OR REPLACE FUNCTION search_word_add() RETURNS trigger
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


def triggers() -> list[str]:
    statements = []
    for source, table, key in SOURCES:
        call = f"FOR EACH STATEMENT EXECUTE FUNCTION search_word_add('{source}', '{key}')"
        statements += [
            f"CREATE TRIGGER search_word_{table}_ai AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows {call}",
            f"CREATE TRIGGER search_word_{table}_au AFTER UPDATE ON {table} "
            f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {call}",
        ]
    return statements


def fill() -> list[str]:
    return [
        f"INSERT INTO search_word (source, word) SELECT DISTINCT '{source}', w FROM {table} n, "
        f"unnest(tsvector_to_array(to_tsvector('simple', coalesce(n.{key}, '')))) AS w"
        for source, table, key in SOURCES
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in [*TABLE, FUNCTION, *fill(), *triggers()]:
        op.get_bind().exec_driver_sql(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for _, table, _ in SOURCES:
        for suffix in ("ai", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS search_word_{table}_{suffix} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS search_word_add()")
    op.execute("DROP TABLE IF EXISTS search_word")
