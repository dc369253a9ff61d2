"""quality objectives and their monthly measurements; risks and opportunities register

Revision ID: 0007_objectives
Revises: 0006_tthc
Create Date: 2026-11-26 13:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007_objectives'
down_revision: Union[str, Sequence[str], None] = '0006_tthc'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('quality_objective',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('measure', sa.String(length=300), nullable=False),
    sa.Column('comparison', sa.String(length=2), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('data_source', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_quality_objective_agency_id_agency')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_quality_objective_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_quality_objective_owner_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_objective')),
    sa.UniqueConstraint('agency_id', 'year', 'seq', name='uq_objective_number')
    )
    with op.batch_alter_table('quality_objective', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_objective_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_objective_year'), ['year'], unique=False)

    op.create_table('objective_measurement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('corrections', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_objective_measurement_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_objective_measurement_finding_id_finding')),
    sa.ForeignKeyConstraint(['objective_id'], ['quality_objective.id'], name=op.f('fk_objective_measurement_objective_id_quality_objective')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objective_measurement')),
    sa.UniqueConstraint('objective_id', 'month', name='uq_measurement_period')
    )
    with op.batch_alter_table('objective_measurement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objective_measurement_objective_id'), ['objective_id'], unique=False)


    op.create_table('risk_scale',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('likelihood_max', sa.Integer(), nullable=False),
    sa.Column('impact_max', sa.Integer(), nullable=False),
    sa.Column('medium_from', sa.Integer(), nullable=False),
    sa.Column('high_from', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_risk_scale_agency_id_agency')),
    sa.PrimaryKeyConstraint('agency_id', name=op.f('pk_risk_scale'))
    )
    op.create_table('risk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('process', sa.String(length=300), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('likelihood', sa.Integer(), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_risk_agency_id_agency')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_risk_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_risk_document_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk')),
    sa.UniqueConstraint('agency_id', 'kind', 'seq', name='uq_risk_number')
    )
    with op.batch_alter_table('risk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_agency_id'), ['agency_id'], unique=False)
    op.create_table('risk_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_risk_action_owner_id_user_account')),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_risk_action_risk_id_risk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_action'))
    )
    with op.batch_alter_table('risk_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_action_risk_id'), ['risk_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('risk_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_action_risk_id'))
    op.drop_table('risk_action')
    with op.batch_alter_table('risk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_agency_id'))
    op.drop_table('risk')
    op.drop_table('risk_scale')
    with op.batch_alter_table('objective_measurement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objective_measurement_objective_id'))
    op.drop_table('objective_measurement')
    with op.batch_alter_table('quality_objective', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_objective_year'))
        batch_op.drop_index(batch_op.f('ix_quality_objective_agency_id'))
    op.drop_table('quality_objective')
