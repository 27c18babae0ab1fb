"""People: the level (member, organizer, moderator) a person last acted with.

Levels come from the platform (Discord roles, Slack admins, the console's config) with each
command. Moderators looking at someone else's invitation limits (`/limits show person:`,
`/limits set person:`) need the level those limits are decided with; NULL means member.

Revision ID: 0014_person_level
Revises: 0013_outbox_collapse_due
Create Date: 2026-11-30 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_person_level"
down_revision = "0013_outbox_collapse_due"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("level", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("level")
