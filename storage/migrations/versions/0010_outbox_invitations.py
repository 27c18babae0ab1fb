"""Outbox: an index on a community's invitation DMs by status and due time.

Every /invite counts the community's invitation DMs still waiting (up to an hour of the
new-DM pace) to tell the inviter when theirs will go; with this index that count reads the
index alone instead of every waiting row. It holds invitation rows only (a partial index),
so the many other rows (reminders, card edits) cost nothing more to write.

Revision ID: 0010_outbox_invitations
Revises: 0009_rsvp_line
Create Date: 2026-11-30 01:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_outbox_invitations"
down_revision = "0009_rsvp_line"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_invitations_waiting",
            ["community_id", "status", "due_at"],
            unique=False,
            sqlite_where=sa.text("kind = 'invitation'"),
            postgresql_where=sa.text("kind = 'invitation'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_invitations_waiting")
