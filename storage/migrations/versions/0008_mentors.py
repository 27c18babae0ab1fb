"""Mentors: profiles, avoid lists, rounds, matches, feedback, schedules

Revision ID: 0008_mentors
Revises: 0007_events
Create Date: 2026-11-29 21:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008_mentors'
down_revision = '0007_events'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mentor_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('every_seconds', sa.Integer(), nullable=False),
    sa.Column('every_text', sa.String(length=100), nullable=False),
    sa.Column('next_run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('channel_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_mentor_schedules_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_schedules')),
    sa.UniqueConstraint('community_id', 'kind', name=op.f('uq_mentor_schedules_community_id'))
    )
    with op.batch_alter_table('mentor_schedules', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_schedules_due', ['next_run_at'], unique=False)

    op.create_table('mentor_avoid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('avoided_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['avoided_id'], ['people.id'], name=op.f('fk_mentor_avoid_avoided_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_mentor_avoid_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_mentor_avoid_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_avoid')),
    sa.UniqueConstraint('person_id', 'avoided_id', name=op.f('uq_mentor_avoid_person_id'))
    )
    op.create_table('mentor_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('topics_text', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('organization', sa.String(length=200), nullable=True),
    sa.Column('library_type', sa.String(length=16), nullable=True),
    sa.Column('career_stage', sa.String(length=16), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('paused', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waited_rounds', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_mentor_profiles_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_mentor_profiles_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_profiles')),
    sa.UniqueConstraint('community_id', 'person_id', name=op.f('uq_mentor_profiles_community_id'))
    )
    op.create_table('mentor_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('round_on', sa.Date(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('total_points', sa.Integer(), nullable=False),
    sa.Column('unmatched', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=True),
    sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_mentor_rounds_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['schedule_id'], ['mentor_schedules.id'], name=op.f('fk_mentor_rounds_schedule_id_mentor_schedules'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_rounds'))
    )
    with op.batch_alter_table('mentor_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_rounds_community', ['community_id', 'kind', 'id'], unique=False)

    op.create_table('mentor_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_mentor_pairs_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['mentor_rounds.id'], name=op.f('fk_mentor_pairs_round_id_mentor_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_pairs'))
    )
    op.create_table('mentor_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=16), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pair_id'], ['mentor_pairs.id'], name=op.f('fk_mentor_feedback_pair_id_mentor_pairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_mentor_feedback_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_feedback')),
    sa.UniqueConstraint('pair_id', 'person_id', name=op.f('uq_mentor_feedback_pair_id'))
    )
    op.create_table('mentor_pair_members',
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pair_id'], ['mentor_pairs.id'], name=op.f('fk_mentor_pair_members_pair_id_mentor_pairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_mentor_pair_members_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pair_id', 'person_id', name=op.f('pk_mentor_pair_members'))
    )
    with op.batch_alter_table('mentor_pair_members', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_pair_members_person', ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mentor_pair_members', schema=None) as batch_op:
        batch_op.drop_index('ix_mentor_pair_members_person')

    op.drop_table('mentor_pair_members')
    op.drop_table('mentor_feedback')
    op.drop_table('mentor_pairs')
    with op.batch_alter_table('mentor_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_mentor_rounds_community')

    op.drop_table('mentor_rounds')
    op.drop_table('mentor_profiles')
    op.drop_table('mentor_avoid')
    with op.batch_alter_table('mentor_schedules', schema=None) as batch_op:
        batch_op.drop_index('ix_mentor_schedules_due')

    op.drop_table('mentor_schedules')
