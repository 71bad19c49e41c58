"""issued documents: the register of letters the desk issues (văn bản đi)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

One row per issued letter (phiếu chuyển đơn, thông báo, hướng dẫn, trả lại đơn, đôn đốc, giấy biên
nhận): its series, year and gap-free number (unique together), the printed symbol, the issue date,
its status (issued / void, with the reason, time and user of the cancellation), what it is about
(transfer, petition, visit, agency, citizen), who it is addressed to, and a JSON snapshot of the
printed text so a reprint is identical after the settings or the templates change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issued_document',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('symbol', sa.String(length=60), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('void_reason', sa.String(length=500), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_by', sa.String(length=100), nullable=True),
    sa.Column('transfer_id', sa.Uuid(), nullable=True),
    sa.Column('petition_id', sa.Uuid(), nullable=True),
    sa.Column('visit_id', sa.Uuid(), nullable=True),
    sa.Column('agency_id', sa.Uuid(), nullable=True),
    sa.Column('citizen_id', sa.Uuid(), nullable=True),
    sa.Column('recipient', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('issued_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], ),
    sa.ForeignKeyConstraint(['petition_id'], ['petition.id'], ),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfer.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id'),
    sa.UniqueConstraint('series', 'year', 'number', name='uq_issued_document_number')
    )
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.create_index('ix_issued_document_kind_issued', ['kind', 'issued_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_document_issued_on'), ['issued_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_document_transfer_id'), ['transfer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_document_petition_id'), ['petition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_document_visit_id'), ['visit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_document_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_document_citizen_id'), ['citizen_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_document_citizen_id'))
        batch_op.drop_index(batch_op.f('ix_issued_document_agency_id'))
        batch_op.drop_index(batch_op.f('ix_issued_document_visit_id'))
        batch_op.drop_index(batch_op.f('ix_issued_document_petition_id'))
        batch_op.drop_index(batch_op.f('ix_issued_document_transfer_id'))
        batch_op.drop_index(batch_op.f('ix_issued_document_issued_on'))
        batch_op.drop_index('ix_issued_document_kind_issued')
    op.drop_table('issued_document')
