"""per-revision metadata: kind, TTHC code, field, ISO clauses, review interval on the
revision; revisions superseded before they took effect

Revision ID: 0005_revision_meta
Revises: 0005_sessions
Create Date: 2026-11-26

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005_revision_meta'
down_revision: Union[str, Sequence[str], None] = '0005_sessions'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add the columns, then give every existing revision its document's values (the
    only values there were)."""
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_before_effect', sa.Boolean(),
                                      nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False,
                                      server_default='internal'))
        batch_op.add_column(sa.Column('tthc_code', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('field', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('iso_clauses', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('review_months', sa.Integer(), nullable=False,
                                      server_default='12'))
    document = sa.table('document', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                        sa.column('tthc_code', sa.String), sa.column('field', sa.String),
                        sa.column('iso_clauses', sa.String),
                        sa.column('review_months', sa.Integer))
    revision_t = sa.table('revision', sa.column('document_id', sa.Integer),
                          sa.column('kind', sa.String), sa.column('tthc_code', sa.String),
                          sa.column('field', sa.String), sa.column('iso_clauses', sa.String),
                          sa.column('review_months', sa.Integer))
    values = {name: sa.select(getattr(document.c, name)).where(
        document.c.id == revision_t.c.document_id).scalar_subquery()
        for name in ('kind', 'tthc_code', 'field', 'iso_clauses', 'review_months')}
    op.execute(revision_t.update().values(**values))
    # the model gives these defaults; the database does not need to
    with op.batch_alter_table('revision', schema=None) as batch_op:
        for name in ('superseded_before_effect', 'kind', 'iso_clauses', 'review_months'):
            batch_op.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('revision', schema=None) as batch_op:
        for name in ('review_months', 'iso_clauses', 'field', 'tthc_code', 'kind',
                     'superseded_before_effect'):
            batch_op.drop_column(name)
