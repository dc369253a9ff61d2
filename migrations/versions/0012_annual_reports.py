"""annual QMS reports and the Sở's deadline per year; successors' adoptions of their
predecessors' documents

Revision ID: 0012_annual_reports
Revises: 0011_mgmt_review
Create Date: 2026-11-26 15:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0012_annual_reports'
down_revision: Union[str, Sequence[str], None] = '0011_mgmt_review'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('report_deadline',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_report_deadline_set_by_id_user_account')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_report_deadline'))
    )
    op.create_table('annual_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.Column('figures_at', sa.DateTime(), nullable=False),
    sa.Column('assessment', sa.Text(), nullable=False),
    sa.Column('declarations', sa.Text(), nullable=False),
    sa.Column('training', sa.Text(), nullable=False),
    sa.Column('difficulties', sa.Text(), nullable=False),
    sa.Column('proposals', sa.Text(), nullable=False),
    sa.Column('next_year', sa.Text(), nullable=False),
    sa.Column('leader_comment', sa.Text(), nullable=False),
    sa.Column('prepared_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_annual_report_agency_id_agency')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_annual_report_approved_by_id_user_account')),
    sa.ForeignKeyConstraint(['prepared_by_id'], ['user_account.id'], name=op.f('fk_annual_report_prepared_by_id_user_account')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_annual_report_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_report')),
    sa.UniqueConstraint('agency_id', 'year', name='uq_annual_report_year')
    )
    with op.batch_alter_table('annual_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annual_report_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annual_report_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_annual_report_year'), ['year'], unique=False)
    op.create_table('annual_report_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.String(length=24), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=False),
    sa.Column('to_state', sa.String(length=24), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_annual_report_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['report_id'], ['annual_report.id'], name=op.f('fk_annual_report_event_report_id_annual_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_report_event'))
    )
    with op.batch_alter_table('annual_report_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annual_report_event_report_id'), ['report_id'], unique=False)
    op.create_table('inherited_adoption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('source_document_id', sa.Integer(), nullable=False),
    sa.Column('source_number', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('adopted_by_id', sa.Integer(), nullable=True),
    sa.Column('adopted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['adopted_by_id'], ['user_account.id'], name=op.f('fk_inherited_adoption_adopted_by_id_user_account')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_inherited_adoption_agency_id_agency')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_inherited_adoption_document_id_document')),
    sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], name=op.f('fk_inherited_adoption_revision_id_revision')),
    sa.ForeignKeyConstraint(['source_document_id'], ['document.id'], name=op.f('fk_inherited_adoption_source_document_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inherited_adoption'))
    )
    with op.batch_alter_table('inherited_adoption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inherited_adoption_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inherited_adoption_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inherited_adoption_source_document_id'), ['source_document_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inherited_adoption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inherited_adoption_source_document_id'))
        batch_op.drop_index(batch_op.f('ix_inherited_adoption_document_id'))
        batch_op.drop_index(batch_op.f('ix_inherited_adoption_agency_id'))
    op.drop_table('inherited_adoption')
    with op.batch_alter_table('annual_report_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annual_report_event_report_id'))
    op.drop_table('annual_report_event')
    with op.batch_alter_table('annual_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annual_report_year'))
        batch_op.drop_index(batch_op.f('ix_annual_report_state'))
        batch_op.drop_index(batch_op.f('ix_annual_report_agency_id'))
    op.drop_table('annual_report')
    op.drop_table('report_deadline')
