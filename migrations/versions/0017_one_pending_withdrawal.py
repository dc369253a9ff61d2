"""withdrawal_request: at most one pending request per document (a unique partial index)

Two requests filed at the same moment could both be pending: the header counted the
document for an approver the policy then refused (it reads the first). Requests made
pending twice before this revision keep the oldest pending; the later ones become
"duplicate" (kept, never decided).

Revision ID: 0017_one_pending_withdrawal
Revises: 0016_language
Create Date: 2026-11-27 11:45:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0017_one_pending_withdrawal'
down_revision: Union[str, Sequence[str], None] = '0016_language'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    op.execute(
        "UPDATE withdrawal_request SET state = 'duplicate' WHERE state = 'pending' AND "
        "EXISTS (SELECT 1 FROM withdrawal_request AS earlier WHERE earlier.document_id = "
        "withdrawal_request.document_id AND earlier.state = 'pending' AND "
        "earlier.id < withdrawal_request.id)")
    op.create_index('uq_withdrawal_request_pending', 'withdrawal_request', ['document_id'],
                    unique=True, sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade() -> None:
    # the "duplicate" rows stay so: nothing reads them, and which was first is kept
    op.drop_index('uq_withdrawal_request_pending', table_name='withdrawal_request')
