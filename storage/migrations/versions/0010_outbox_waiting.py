"""Outbox: an index on a community's rows of one kind by status and due time.

Every /invite counts the community's invitation DMs still waiting (up to an hour of the
new-DM pace) to tell the inviter when theirs will go; with this index that count reads the
index alone instead of every waiting row.

Revision ID: 0010_outbox_waiting
Revises: 0009_rsvp_line
Create Date: 2026-11-30 01:45:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0010_outbox_waiting"
down_revision = "0009_rsvp_line"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_waiting", ["community_id", "kind", "status", "due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_waiting")
