"""issued documents: a folded search key for the register

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23

``issued_document.search_key``: the symbol, recipient and subject folded like every other search
key (lower case, no diacritics, đ → d; domain.text.fold), so the register's text filter finds
"Sở Tài nguyên" from "so tai nguyen" as the rest of the program does. Existing rows are filled
here. A denouncer's name never reaches it: the recipient of a letter addressed to a denouncer is
stored masked.
"""

import sqlalchemy as sa
from alembic import op

from reception_desk.domain.text import fold

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("issued_document", sa.Column("search_key", sa.Text(), nullable=True))
    documents = sa.table("issued_document", sa.column("id", sa.Uuid()), sa.column("symbol", sa.String()),
                         sa.column("recipient", sa.Text()), sa.column("subject", sa.Text()),
                         sa.column("search_key", sa.Text()))
    conn = op.get_bind()
    rows = conn.execute(sa.select(documents.c.id, documents.c.symbol, documents.c.recipient,
                                  documents.c.subject)).all()
    if rows:
        conn.execute(
            documents.update().where(documents.c.id == sa.bindparam("doc_id"))
            .values(search_key=sa.bindparam("key")),
            [{"doc_id": r.id, "key": fold(" ".join(p for p in (r.symbol, r.recipient, r.subject) if p))}
             for r in rows])


def downgrade() -> None:
    with op.batch_alter_table("issued_document") as batch:
        batch.drop_column("search_key")
