"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agency',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_key', sa.String(length=300), nullable=False),
    sa.Column('short_code', sa.String(length=30), nullable=True),
    sa.Column('level', sa.String(length=20), nullable=True),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['agency.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_name_key'), ['name_key'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=True),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=True),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_entity_id'), ['entity_id'], unique=False)

    op.create_table('calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_day_off', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('case_file',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('title_key', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=True),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('remote_area', sa.Boolean(), nullable=False),
    sa.Column('first_visit_id', sa.Uuid(), nullable=True),
    sa.Column('first_visit_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_file_first_visit_on'), ['first_visit_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_title_key'), ['title_key'], unique=False)

    op.create_table('citizen',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('id_number', sa.String(length=40), nullable=True),
    sa.Column('id_type', sa.String(length=20), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citizen_id_number'), ['id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_citizen_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_citizen_phone'), ['phone'], unique=False)

    op.create_table('deadline_rule',
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('applies_to', sa.String(length=60), nullable=True),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('day_type', sa.String(length=20), nullable=False),
    sa.Column('basis', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('document_number',
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('series', 'year')
    )
    op.create_table('reception_session',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reception_mode', sa.String(length=30), nullable=False),
    sa.Column('leader', sa.String(length=200), nullable=False),
    sa.Column('leader_position', sa.String(length=200), nullable=True),
    sa.Column('authorised_by', sa.String(length=200), nullable=True),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('reception_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_session_held_on'), ['held_on'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key'),
    sa.UniqueConstraint('key')
    )
    op.create_table('petition',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('summary_key', sa.Text(), nullable=True),
    sa.Column('duplicate_of_id', sa.Uuid(), nullable=True),
    sa.Column('handling', sa.String(length=20), nullable=True),
    sa.Column('eligible', sa.Boolean(), nullable=True),
    sa.Column('ineligible_reason', sa.String(length=300), nullable=True),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('dated_on', sa.Date(), nullable=True),
    sa.Column('source_agency_id', sa.Uuid(), nullable=True),
    sa.Column('incoming_number', sa.String(length=60), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['petition.id'], ),
    sa.ForeignKeyConstraint(['source_agency_id'], ['agency.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('petition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petition_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petition_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index('ix_petition_kind_received', ['kind', 'received_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_petition_received_on'), ['received_on'], unique=False)

    op.create_table('session_agency',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['reception_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'agency_id')
    )
    op.create_table('session_case',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['reception_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'case_id')
    )
    op.create_table('visit',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('visit_time', sa.Time(), nullable=True),
    sa.Column('reception_mode', sa.String(length=30), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=True),
    sa.Column('host', sa.String(length=200), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('is_delegation', sa.Boolean(), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('content_key', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=300), nullable=True),
    sa.Column('refusal_ground', sa.String(length=10), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['reception_session.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index('ix_visit_case_date', ['case_id', 'visit_date'], unique=False)
        batch_op.create_index('ix_visit_mode_date', ['reception_mode', 'visit_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_visit_date'), ['visit_date'], unique=False)

    op.create_table('directive',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=True),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('petition_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['petition_id'], ['petition.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directive_issued_on'), ['issued_on'], unique=False)

    op.create_table('petition_signer',
    sa.Column('petition_id', sa.Uuid(), nullable=False),
    sa.Column('citizen_id', sa.Uuid(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], ),
    sa.ForeignKeyConstraint(['petition_id'], ['petition.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('petition_id', 'citizen_id')
    )
    with op.batch_alter_table('petition_signer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petition_signer_citizen_id'), ['citizen_id'], unique=False)

    op.create_table('transfer',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('answer_number', sa.String(length=60), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['petition_id'], ['petition.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_petition_id'), ['petition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_sent_on'), ['sent_on'], unique=False)

    op.create_table('visit_citizen',
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.Column('citizen_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'citizen_id', 'role')
    )
    with op.batch_alter_table('visit_citizen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_citizen_citizen_id'), ['citizen_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('visit_citizen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_citizen_citizen_id'))

    op.drop_table('visit_citizen')
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_sent_on'))
        batch_op.drop_index(batch_op.f('ix_transfer_petition_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_due_on'))
        batch_op.drop_index(batch_op.f('ix_transfer_agency_id'))

    op.drop_table('transfer')
    with op.batch_alter_table('petition_signer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petition_signer_citizen_id'))

    op.drop_table('petition_signer')
    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directive_issued_on'))

    op.drop_table('directive')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_visit_date'))
        batch_op.drop_index(batch_op.f('ix_visit_session_id'))
        batch_op.drop_index('ix_visit_mode_date')
        batch_op.drop_index('ix_visit_case_date')

    op.drop_table('visit')
    op.drop_table('session_case')
    op.drop_table('session_agency')
    with op.batch_alter_table('petition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petition_received_on'))
        batch_op.drop_index('ix_petition_kind_received')
        batch_op.drop_index(batch_op.f('ix_petition_duplicate_of_id'))
        batch_op.drop_index(batch_op.f('ix_petition_case_id'))

    op.drop_table('petition')
    op.drop_table('setting')
    with op.batch_alter_table('reception_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_session_held_on'))

    op.drop_table('reception_session')
    op.drop_table('document_number')
    op.drop_table('deadline_rule')
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citizen_phone'))
        batch_op.drop_index(batch_op.f('ix_citizen_name_key'))
        batch_op.drop_index(batch_op.f('ix_citizen_id_number'))

    op.drop_table('citizen')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_file_title_key'))
        batch_op.drop_index(batch_op.f('ix_case_file_kind'))
        batch_op.drop_index(batch_op.f('ix_case_file_first_visit_on'))

    op.drop_table('case_file')
    op.drop_table('calendar_day')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_entity_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_name_key'))

    op.drop_table('agency')
