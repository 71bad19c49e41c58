"""covering indexes for the statistics

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_visit_stats", "visit",
                    ["visit_date", "case_id", "reception_mode", "is_delegation", "persons"])
    op.create_index("ix_case_file_stats", "case_file", ["id", "kind", "first_visit_on", "first_visit_id"])


def downgrade() -> None:
    op.drop_index("ix_case_file_stats", table_name="case_file")
    op.drop_index("ix_visit_stats", table_name="visit")
