"""The audit log: every moderator-visible action, append-only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=48), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=200), nullable=True),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('subject_name', sa.String(length=200), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                                name=op.f('fk_audit_log_community_id_communities'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['actor_id'], ['people.id'],
                                name=op.f('fk_audit_log_actor_id_people'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['subject_id'], ['people.id'],
                                name=op.f('fk_audit_log_subject_id_people'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    op.create_index('ix_audit_log_community_id_at', 'audit_log', ['community_id', 'id'])
    op.create_index('ix_audit_log_subject', 'audit_log', ['community_id', 'subject_id'])


def downgrade() -> None:
    op.drop_index('ix_audit_log_subject', table_name='audit_log')
    op.drop_index('ix_audit_log_community_id_at', table_name='audit_log')
    op.drop_table('audit_log')
