"""mail: the outbox, each person's mail preference, reminders already sent

Revision ID: 0006_mail
Revises: 0005_revision_meta
Create Date: 2026-11-26

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006_mail'
down_revision: Union[str, Sequence[str], None] = '0005_revision_meta'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('to_addr', sa.String(length=255), nullable=False),
    sa.Column('to_name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_mail_outbox_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox'))
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_outbox_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_outbox_state'), ['state'], unique=False)

    op.create_table('mail_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_mail_preference_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_mail_preference'))
    )

    op.create_table('mail_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('item', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_mail_reminder_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_reminder')),
    sa.UniqueConstraint('user_id', 'day', 'item', name='uq_mail_reminder')
    )
    with op.batch_alter_table('mail_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_reminder_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_table('mail_reminder')
    op.drop_table('mail_preference')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_outbox_state'))
        batch_op.drop_index(batch_op.f('ix_mail_outbox_user_id'))
    op.drop_table('mail_outbox')
