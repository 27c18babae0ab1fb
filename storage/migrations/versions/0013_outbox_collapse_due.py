"""Outbox: rows that stand for one another are found by collapse key and due time together.

Every claim first drops the rows a later one with the same collapse key supersedes; for each
pending row it looks for a later one by key and due time. With the key alone indexed,
PostgreSQL, before it has statistics on a freshly filled outbox, looked by status and due
time instead and read every due row for each one (seconds per claim with a few thousand
reminders queued). This index answers both conditions.

Revision ID: 0013_outbox_collapse_due
Revises: 0012_invitation_outcome
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0013_outbox_collapse_due"
down_revision = "0012_invitation_outcome"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_collapse_due", ["collapse_key", "due_at"], unique=False)
        batch_op.drop_index("ix_outbox_collapse_key")


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_collapse_key", ["collapse_key"], unique=False)
        batch_op.drop_index("ix_outbox_collapse_due")
