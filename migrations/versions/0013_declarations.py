"""conformity declarations, inspections, consultants

Revision ID: 0013_declarations
Revises: 0012_annual_reports
Create Date: 2026-11-26 15:01:15.335549

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0013_declarations'
down_revision: Union[str, Sequence[str], None] = '0012_annual_reports'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('consultant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('contact', sa.String(length=255), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultant')),
    sa.UniqueConstraint('name', name=op.f('uq_consultant_name'))
    )
    op.create_table('consultant_engagement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultant_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_consultant_engagement_agency_id_agency')),
    sa.ForeignKeyConstraint(['consultant_id'], ['consultant.id'], name=op.f('fk_consultant_engagement_consultant_id_consultant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultant_engagement')),
    sa.UniqueConstraint('consultant_id', 'agency_id', 'year', name='uq_engagement_year')
    )
    with op.batch_alter_table('consultant_engagement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultant_engagement_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultant_engagement_consultant_id'), ['consultant_id'], unique=False)

    op.create_table('declaration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('decision_no', sa.String(length=60), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=True),
    sa.Column('signer', sa.String(length=120), nullable=False),
    sa.Column('signer_title', sa.String(length=120), nullable=False),
    sa.Column('standard', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_declaration_agency_id_agency')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_declaration_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['signer_id'], ['user_account.id'], name=op.f('fk_declaration_signer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration')),
    sa.UniqueConstraint('agency_id', 'decision_no', name='uq_declaration_decision')
    )
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declaration_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declaration_decided_on'), ['decided_on'], unique=False)

    op.create_table('inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('inspected_on', sa.Date(), nullable=False),
    sa.Column('team', sa.Text(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('concluded_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_inspection_agency_id_agency')),
    sa.ForeignKeyConstraint(['lead_id'], ['user_account.id'], name=op.f('fk_inspection_lead_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection')),
    sa.UniqueConstraint('year', 'seq', name='uq_inspection_number')
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_year'), ['year'], unique=False)

    op.create_table('declaration_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=48), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_declaration_document_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_declaration_document_document_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_document'))
    )
    with op.batch_alter_table('declaration_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declaration_document_declaration_id'), ['declaration_id'], unique=False)

    op.create_table('declaration_tthc',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('tthc_code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('covered', sa.Boolean(), nullable=False),
    sa.Column('document_code', sa.String(length=48), nullable=True),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_declaration_tthc_declaration_id_declaration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_tthc'))
    )
    with op.batch_alter_table('declaration_tthc', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declaration_tthc_declaration_id'), ['declaration_id'], unique=False)

    op.create_table('supervision_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['consultant_engagement.id'], name=op.f('fk_supervision_visit_engagement_id_consultant_engagement')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_supervision_visit_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_visit'))
    )
    with op.batch_alter_table('supervision_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_visit_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('finding_consultant',
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['consultant_engagement.id'], name=op.f('fk_finding_consultant_engagement_id_consultant_engagement')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_consultant_finding_id_finding')),
    sa.PrimaryKeyConstraint('finding_id', name=op.f('pk_finding_consultant'))
    )
    with op.batch_alter_table('finding_consultant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_consultant_engagement_id'), ['engagement_id'], unique=False)

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inspection_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_finding_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_finding_inspection_id_inspection'), 'inspection', ['inspection_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_finding_inspection_id_inspection'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_finding_inspection_id'))
        batch_op.drop_column('inspection_id')

    with op.batch_alter_table('finding_consultant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_consultant_engagement_id'))

    op.drop_table('finding_consultant')
    with op.batch_alter_table('supervision_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_visit_engagement_id'))

    op.drop_table('supervision_visit')
    with op.batch_alter_table('declaration_tthc', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declaration_tthc_declaration_id'))

    op.drop_table('declaration_tthc')
    with op.batch_alter_table('declaration_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declaration_document_declaration_id'))

    op.drop_table('declaration_document')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_year'))
        batch_op.drop_index(batch_op.f('ix_inspection_agency_id'))

    op.drop_table('inspection')
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declaration_decided_on'))
        batch_op.drop_index(batch_op.f('ix_declaration_agency_id'))

    op.drop_table('declaration')
    with op.batch_alter_table('consultant_engagement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultant_engagement_consultant_id'))
        batch_op.drop_index(batch_op.f('ix_consultant_engagement_agency_id'))

    op.drop_table('consultant_engagement')
    op.drop_table('consultant')
