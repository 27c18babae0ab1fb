"""Mentors: each community's own topics and synonyms, added by its moderators.

One row per way of writing a topic; one folded phrase means one topic per community.

Revision ID: 0011_mentor_topics
Revises: 0010_outbox_invitations
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_mentor_topics"
down_revision = "0010_outbox_invitations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mentor_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("phrase", sa.String(length=60), nullable=False),
        sa.Column("folded", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_mentor_topics_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_topics")),
        sa.UniqueConstraint("community_id", "folded", name=op.f("uq_mentor_topics_community_id")),
    )


def downgrade() -> None:
    op.drop_table("mentor_topics")
