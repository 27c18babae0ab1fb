"""Events: reminders that one later reminder supersedes (outbox collapse keys).

Revision ID: 0007_events
Revises: 0006_invitations
Create Date: 2026-11-29 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0007_events"
down_revision = "0006_invitations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows have none: each is sent on its own, as before.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("collapse_key", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_outbox_collapse_key", ["collapse_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_collapse_key")
        batch_op.drop_column("collapse_key")
