"""a person's job title (chức vụ), printed in a procedure's sign-off table

Revision ID: 0008_job_title
Revises: 0007_objectives
Create Date: 2026-11-26 15:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008_job_title'
down_revision: Union[str, Sequence[str], None] = '0007_objectives'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('job_title', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('job_title')
