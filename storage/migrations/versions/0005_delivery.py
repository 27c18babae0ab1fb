"""Delivery: shared pacing keys, direct-message channels, and outbox attempt tracking.

Revision ID: 0005_delivery
Revises: 0004
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0005_delivery"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pacing",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("tat", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_pacing")),
    )
    op.create_table(
        "dm_channels",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_dm_channels_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("platform", "user_id", name=op.f("pk_dm_channels")),
    )
    op.create_index(
        "ix_dm_channels_queue", "dm_channels", ["platform", "community_id", "queued_at"]
    )
    # Existing rows were never attempted under the new rule: nothing may have been sent.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("maybe_sent", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("maybe_sent")
        batch_op.drop_column("first_attempt_at")
    op.drop_index("ix_dm_channels_queue", table_name="dm_channels")
    op.drop_table("dm_channels")
    op.drop_table("pacing")
