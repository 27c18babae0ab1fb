"""Events: dates of a repeating series cancelled one at a time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server default fills existing rows on SQLite and PostgreSQL alike: no date skipped.
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skipped_dates', sa.JSON(), nullable=False,
                                      server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('skipped_dates')
