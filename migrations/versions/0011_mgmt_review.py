"""management reviews with their inputs, attendance and actions; training courses,
attendance and internal-auditor certificates; the lead's note on an uncertified auditor;
where a record is kept

Revision ID: 0011_mgmt_review
Revises: 0010_programme_dashboard
Create Date: 2026-11-26 15:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0011_mgmt_review'
down_revision: Union[str, Sequence[str], None] = '0010_programme_dashboard'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('management_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=False),
    sa.Column('secretary_id', sa.Integer(), nullable=True),
    sa.Column('guests', sa.Text(), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_management_review_agency_id_agency')),
    sa.ForeignKeyConstraint(['chair_id'], ['user_account.id'], name=op.f('fk_management_review_chair_id_user_account')),
    sa.ForeignKeyConstraint(['secretary_id'], ['user_account.id'], name=op.f('fk_management_review_secretary_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_management_review_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_management_review')),
    sa.UniqueConstraint('agency_id', 'year', 'seq', name='uq_management_review_number')
    )
    with op.batch_alter_table('management_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_management_review_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_management_review_held_on'), ['held_on'], unique=False)

    op.create_table('management_review_attendee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['management_review.id'], name=op.f('fk_management_review_attendee_review_id_management_review')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_management_review_attendee_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_management_review_attendee')),
    sa.UniqueConstraint('review_id', 'user_id', name='uq_review_attendee')
    )
    with op.batch_alter_table('management_review_attendee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_management_review_attendee_review_id'), ['review_id'], unique=False)

    op.create_table('management_review_input',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['management_review.id'], name=op.f('fk_management_review_input_review_id_management_review')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_management_review_input')),
    sa.UniqueConstraint('review_id', 'topic', name='uq_review_input')
    )
    with op.batch_alter_table('management_review_input', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_management_review_input_review_id'), ['review_id'], unique=False)

    op.create_table('management_review_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('verification', sa.Text(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('cycles', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['management_review.id'], name=op.f('fk_management_review_action_review_id_management_review')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_management_review_action_owner_id_user_account')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user_account.id'], name=op.f('fk_management_review_action_reported_by_id_user_account')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user_account.id'], name=op.f('fk_management_review_action_verified_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_management_review_action')),
    sa.UniqueConstraint('review_id', 'seq', name='uq_review_action')
    )
    with op.batch_alter_table('management_review_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_management_review_action_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_management_review_action_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_management_review_action_state'), ['state'], unique=False)

    op.create_table('training_course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('provider', sa.String(length=300), nullable=False),
    sa.Column('held_from', sa.Date(), nullable=False),
    sa.Column('held_to', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_training_course_agency_id_agency')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_training_course_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_course'))
    )
    with op.batch_alter_table('training_course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_course_agency_id'), ['agency_id'], unique=False)

    op.create_table('training_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['training_course.id'], name=op.f('fk_training_attendance_course_id_training_course')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_training_attendance_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attendance')),
    sa.UniqueConstraint('course_id', 'user_id', name='uq_training_attendance')
    )
    with op.batch_alter_table('training_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_attendance_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_attendance_user_id'), ['user_id'], unique=False)

    op.create_table('auditor_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_auditor_certificate_agency_id_agency')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_auditor_certificate_user_id_user_account')),
    sa.ForeignKeyConstraint(['course_id'], ['training_course.id'], name=op.f('fk_auditor_certificate_course_id_training_course')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_auditor_certificate_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auditor_certificate'))
    )
    with op.batch_alter_table('auditor_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditor_certificate_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditor_certificate_user_id'), ['user_id'], unique=False)

    op.create_table('record_place',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=300), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_record_place_agency_id_agency')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_record_place_document_id_document')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_record_place_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_place')),
    sa.UniqueConstraint('document_id', 'item', name='uq_record_place')
    )
    with op.batch_alter_table('record_place', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_place_agency_id'), ['agency_id'], unique=False)

    with op.batch_alter_table('audit_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_note', sa.Text(), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('audit_member', schema=None) as batch_op:
        batch_op.drop_column('certificate_note')
    for table, indexes in (
            ('record_place', ('agency_id',)),
            ('auditor_certificate', ('agency_id', 'user_id')),
            ('training_attendance', ('course_id', 'user_id')),
            ('training_course', ('agency_id',)),
            ('management_review_action', ('review_id', 'owner_id', 'state')),
            ('management_review_input', ('review_id',)),
            ('management_review_attendee', ('review_id',)),
            ('management_review', ('agency_id', 'held_on'))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
