"""citizen satisfaction survey: answers (one per dossier receipt number) and scores;
the CSV columns an objective's values are imported from

Revision ID: 0014_surveys
Revises: 0013_declarations
Create Date: 2026-11-26 15:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0014_surveys'
down_revision: Union[str, Sequence[str], None] = '0013_declarations'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('receipt', sa.String(length=40), nullable=False),
    sa.Column('tthc_code', sa.String(length=16), nullable=True),
    sa.Column('comment_kind', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('lowest', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_survey_response_agency_id_agency')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_survey_response_finding_id_finding')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('agency_id', 'receipt', name='uq_survey_receipt'),
    sa.UniqueConstraint('agency_id', 'year', 'seq', name='uq_survey_number')
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_tthc_code'), ['tthc_code'], unique=False)

    op.create_table('survey_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['survey_response.id'], name=op.f('fk_survey_score_response_id_survey_response')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_score')),
    sa.UniqueConstraint('response_id', 'question', name='uq_survey_score')
    )
    with op.batch_alter_table('survey_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_score_response_id'), ['response_id'], unique=False)

    with op.batch_alter_table('quality_objective', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_period_column', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('import_value_column', sa.String(length=100), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('quality_objective', schema=None) as batch_op:
        batch_op.drop_column('import_value_column')
        batch_op.drop_column('import_period_column')
    with op.batch_alter_table('survey_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_score_response_id'))
    op.drop_table('survey_score')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_tthc_code'))
        batch_op.drop_index(batch_op.f('ix_survey_response_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_survey_response_agency_id'))
    op.drop_table('survey_response')
