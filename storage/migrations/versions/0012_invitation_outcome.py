"""Invitations: an index on the outbox row that carries each one, and their outcomes so far.

An invitation is marked delivered (or failed) in the transaction that settles its outbox row,
found by that row's key; the index makes that one lookup. Invitations already sent before
this revision take their outcome from their outbox row here.

Revision ID: 0012_invitation_outcome
Revises: 0011_mentor_topics
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0012_invitation_outcome"
down_revision = "0011_mentor_topics"
branch_labels = None
depends_on = None

OUTCOMES = (("sent", "delivered"), ("failed", "failed"))


def upgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index("ix_invitations_outbox_key", ["outbox_key"], unique=False)
    for outbox_status, status in OUTCOMES:
        op.execute(
            f"UPDATE invitations SET status = '{status}' WHERE status = 'queued' AND EXISTS "
            "(SELECT 1 FROM outbox WHERE outbox.dedupe_key = invitations.outbox_key "
            f"AND outbox.status = '{outbox_status}')"
        )


def downgrade() -> None:
    op.execute("UPDATE invitations SET status = 'queued' WHERE status IN ('delivered', 'failed')")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_outbox_key")
