"""RSVPs: an index on each date's answers by status in arrival order.

The RSVP path counts a date's answers (seats taken, waiting parties, the latest arrival
number) and promotion takes the first waiting parties in arrival order; with this index both
read the index alone instead of every answer's row.

Revision ID: 0009_rsvp_line
Revises: 0008_mentors
Create Date: 2026-11-29 22:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0009_rsvp_line"
down_revision = "0008_mentors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_rsvps_line",
            ["event_id", "occurrence", "status", "seq", "guests"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.drop_index("ix_event_rsvps_line")
