"""docx import: the content hash of every imported or uploaded Word file, so that
importing the same folder again changes nothing

Revision ID: 0006_docx_import
Revises: 0006_mail
Create Date: 2026-11-26

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006_docx_import'
down_revision: Union[str, Sequence[str], None] = '0006_mail'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'docx_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('imported_by_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'],
                                name=op.f('fk_docx_import_agency_id_agency')),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_docx_import_document_id_document')),
        sa.ForeignKeyConstraint(['revision_id'], ['revision.id'],
                                name=op.f('fk_docx_import_revision_id_revision')),
        sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'],
                                name=op.f('fk_docx_import_imported_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_docx_import')),
        sa.UniqueConstraint('agency_id', 'sha256', name='uq_docx_import_agency_sha256'),
    )
    op.create_index(op.f('ix_docx_import_document_id'), 'docx_import', ['document_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_docx_import_document_id'), table_name='docx_import')
    op.drop_table('docx_import')
