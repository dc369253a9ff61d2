"""search change log followed by every node's index (replaces the search outbox)

Revision ID: 0006_nodes
Revises: 0006_docx_import
Create Date: 2026-11-26 12:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006_nodes'
down_revision: Union[str, Sequence[str], None] = '0006_docx_import'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LOG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('search_log',
    sa.Column('id', LOG_ID, nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_log')),
    sqlite_autoincrement=True,
    )
    # what the outbox still held becomes the log's first rows; an index without a
    # cursor (every index of the outbox days) is rebuilt once from the database anyway
    op.execute("INSERT INTO search_log (document_id, change, created_at) "
               "SELECT document_id, 'update', created_at FROM search_outbox ORDER BY id")
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_document_id'))
    op.drop_table('search_outbox')
    op.create_table('search_index',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('applied_id', sa.BigInteger(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_search_index'))
    )
    with op.batch_alter_table('search_index', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_index_seen_at'), ['seen_at'], unique=False)
    op.create_table('search_log_horizon',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pruned_through', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_log_horizon'))
    )


def downgrade() -> None:
    op.drop_table('search_log_horizon')
    with op.batch_alter_table('search_index', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_index_seen_at'))
    op.drop_table('search_index')
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_document_id'), ['document_id'],
                              unique=False)
    # every change still in the log goes back to the outbox: the next drain applies it
    op.execute("INSERT INTO search_outbox (document_id, created_at, attempts) "
               "SELECT document_id, created_at, 0 FROM search_log ORDER BY id")
    op.drop_table('search_log')
