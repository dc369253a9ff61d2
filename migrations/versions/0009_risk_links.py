"""risks: links to findings, the date of the last reassessment

Revision ID: 0009_risk_links
Revises: 0008_job_title
Create Date: 2026-11-26 15:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009_risk_links'
down_revision: Union[str, Sequence[str], None] = '0008_job_title'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('risk_finding',
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('risk_id', 'finding_id')
    )
    op.create_index(op.f('ix_risk_finding_finding_id'), 'risk_finding', ['finding_id'],
                    unique=False)
    with op.batch_alter_table('risk') as batch:
        batch.add_column(sa.Column('reviewed_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('risk') as batch:
        batch.drop_column('reviewed_on')
    op.drop_index(op.f('ix_risk_finding_finding_id'), table_name='risk_finding')
    op.drop_table('risk_finding')
