"""the TTHC catalog: procedures, executing bodies and their mapping to agencies, imports,
model procedures and their adoptions

Revision ID: 0006_tthc
Revises: 0006_nodes
Create Date: 2026-11-26

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006_tthc'
down_revision: Union[str, Sequence[str], None] = '0006_nodes'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'tthc',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('field', sa.String(length=255), nullable=False),
        sa.Column('at_province', sa.Boolean(), nullable=False),
        sa.Column('at_district', sa.Boolean(), nullable=False),
        sa.Column('at_commune', sa.Boolean(), nullable=False),
        sa.Column('executing_body', sa.Text(), nullable=False),
        sa.Column('time_limit', sa.Text(), nullable=False),
        sa.Column('fee', sa.Text(), nullable=False),
        sa.Column('legal_basis', sa.Text(), nullable=False),
        sa.Column('decision_no', sa.String(length=120), nullable=False),
        sa.Column('decision_date', sa.Date(), nullable=True),
        sa.Column('search_key', sa.Text(), nullable=False),
        sa.Column('abolished_on', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=True),
        sa.Column('change_note', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tthc')),
        sa.UniqueConstraint('code', name=op.f('uq_tthc_code')),
    )
    op.create_index(op.f('ix_tthc_field'), 'tthc', ['field'])
    op.create_index(op.f('ix_tthc_changed_at'), 'tthc', ['changed_at'])
    op.create_table(
        'tthc_body_map',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('set_by_id', sa.Integer(), nullable=True),
        sa.Column('set_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'],
                                name=op.f('fk_tthc_body_map_agency_id_agency')),
        sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'],
                                name=op.f('fk_tthc_body_map_set_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tthc_body_map')),
        sa.UniqueConstraint('key', name=op.f('uq_tthc_body_map_key')),
    )
    op.create_index(op.f('ix_tthc_body_map_agency_id'), 'tthc_body_map', ['agency_id'])
    op.create_table(
        'tthc_body',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tthc_id', sa.Integer(), nullable=False),
        sa.Column('map_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tthc_id'], ['tthc.id'], name=op.f('fk_tthc_body_tthc_id_tthc')),
        sa.ForeignKeyConstraint(['map_id'], ['tthc_body_map.id'],
                                name=op.f('fk_tthc_body_map_id_tthc_body_map')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tthc_body')),
    )
    op.create_index(op.f('ix_tthc_body_tthc_id'), 'tthc_body', ['tthc_id'])
    op.create_index(op.f('ix_tthc_body_map_id'), 'tthc_body', ['map_id'])
    op.create_table(
        'tthc_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('encoding', sa.String(length=16), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=False),
        sa.Column('preview', sa.Text(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('staged_by_id', sa.Integer(), nullable=True),
        sa.Column('staged_at', sa.DateTime(), nullable=False),
        sa.Column('applied_by_id', sa.Integer(), nullable=True),
        sa.Column('applied_at', sa.DateTime(), nullable=True),
        sa.Column('decision', sa.Text(), nullable=False),
        sa.Column('added', sa.Integer(), nullable=False),
        sa.Column('changed', sa.Integer(), nullable=False),
        sa.Column('abolished', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['staged_by_id'], ['user_account.id'],
                                name=op.f('fk_tthc_import_staged_by_id_user_account')),
        sa.ForeignKeyConstraint(['applied_by_id'], ['user_account.id'],
                                name=op.f('fk_tthc_import_applied_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tthc_import')),
    )
    op.create_table(
        'tthc_model',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tthc_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['tthc_id'], ['tthc.id'], name=op.f('fk_tthc_model_tthc_id_tthc')),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_tthc_model_document_id_document')),
        sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'],
                                name=op.f('fk_tthc_model_published_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tthc_model')),
        sa.UniqueConstraint('tthc_id', name=op.f('uq_tthc_model_tthc_id')),
    )
    op.create_index(op.f('ix_tthc_model_document_id'), 'tthc_model', ['document_id'])
    op.create_table(
        'tthc_adoption',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('model_number', sa.Integer(), nullable=False),
        sa.Column('adopted_by_id', sa.Integer(), nullable=True),
        sa.Column('adopted_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['model_id'], ['tthc_model.id'],
                                name=op.f('fk_tthc_adoption_model_id_tthc_model')),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'],
                                name=op.f('fk_tthc_adoption_agency_id_agency')),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_tthc_adoption_document_id_document')),
        sa.ForeignKeyConstraint(['revision_id'], ['revision.id'],
                                name=op.f('fk_tthc_adoption_revision_id_revision')),
        sa.ForeignKeyConstraint(['adopted_by_id'], ['user_account.id'],
                                name=op.f('fk_tthc_adoption_adopted_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tthc_adoption')),
    )
    op.create_index(op.f('ix_tthc_adoption_model_id'), 'tthc_adoption', ['model_id'])
    op.create_index(op.f('ix_tthc_adoption_agency_id'), 'tthc_adoption', ['agency_id'])
    op.create_index(op.f('ix_tthc_adoption_document_id'), 'tthc_adoption', ['document_id'])
    # coverage looks revisions up by TTHC code
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_tthc_code'), ['tthc_code'])


def downgrade() -> None:
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revision_tthc_code'))
    op.drop_table('tthc_adoption')
    op.drop_table('tthc_model')
    op.drop_table('tthc_import')
    op.drop_index(op.f('ix_tthc_body_map_id'), table_name='tthc_body')
    op.drop_index(op.f('ix_tthc_body_tthc_id'), table_name='tthc_body')
    op.drop_table('tthc_body')
    op.drop_index(op.f('ix_tthc_body_map_agency_id'), table_name='tthc_body_map')
    op.drop_table('tthc_body_map')
    op.drop_index(op.f('ix_tthc_changed_at'), table_name='tthc')
    op.drop_index(op.f('ix_tthc_field'), table_name='tthc')
    op.drop_table('tthc')
