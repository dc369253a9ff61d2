"""the province's programme: plans, targets per year and kind, scheduled agencies, cost
lines

Revision ID: 0010_programme_dashboard
Revises: 0009_risk_links
Create Date: 2026-11-26 15:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010_programme_dashboard'
down_revision: Union[str, Sequence[str], None] = '0009_risk_links'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('programme_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('first_year', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_programme_plan_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_plan'))
    )
    op.create_table('programme_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['agency.id'], name=op.f('fk_programme_target_district_id_agency')),
    sa.ForeignKeyConstraint(['plan_id'], ['programme_plan.id'], name=op.f('fk_programme_target_plan_id_programme_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_target'))
    )
    with op.batch_alter_table('programme_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_target_plan_id'), ['plan_id'], unique=False)

    op.create_table('programme_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_programme_unit_agency_id_agency')),
    sa.ForeignKeyConstraint(['plan_id'], ['programme_plan.id'], name=op.f('fk_programme_unit_plan_id_programme_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_unit')),
    sa.UniqueConstraint('plan_id', 'agency_id', name='uq_programme_unit')
    )
    with op.batch_alter_table('programme_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_unit_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_unit_plan_id'), ['plan_id'], unique=False)

    op.create_table('programme_cost_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=8), nullable=False),
    sa.Column('section_title', sa.String(length=500), nullable=False),
    sa.Column('group_title', sa.String(length=500), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('basis', sa.String(length=16), nullable=False),
    sa.Column('kinds', sa.String(length=200), nullable=False),
    sa.Column('fixed_quantities', sa.Text(), nullable=False),
    sa.Column('unit_rate', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['programme_plan.id'], name=op.f('fk_programme_cost_line_plan_id_programme_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_cost_line'))
    )
    with op.batch_alter_table('programme_cost_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_cost_line_plan_id'), ['plan_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('programme_cost_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_cost_line_plan_id'))
    op.drop_table('programme_cost_line')
    with op.batch_alter_table('programme_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_unit_plan_id'))
        batch_op.drop_index(batch_op.f('ix_programme_unit_agency_id'))
    op.drop_table('programme_unit')
    with op.batch_alter_table('programme_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_target_plan_id'))
    op.drop_table('programme_target')
    op.drop_table('programme_plan')
