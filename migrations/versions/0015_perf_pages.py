"""data_version: one row whose value every writing transaction replaces (page cache)

Revision ID: 0015_perf_pages
Revises: 0014_surveys
Create Date: 2026-11-26 15:20:00

"""
import secrets
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0015_perf_pages'
down_revision: Union[str, Sequence[str], None] = '0014_surveys'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    table = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.bulk_insert(table, [{'id': 1, 'token': secrets.token_hex(16)}])


def downgrade() -> None:
    op.drop_table('data_version')
