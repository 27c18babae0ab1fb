"""Invitations: blocks and the inviter's counts outlive /privacy forget.

A block ("No more from", /invites block) is kept by the two platform ids, like the
suppression list, so it survives /privacy forget of either person. An invitation whose
recipient is forgotten stays, naming nobody (recipient_id NULL), so it still counts against
the inviter's limits.

Revision ID: 0015_opt_outs_outlive_forget
Revises: 0014_person_level
Create Date: 2026-11-30 06:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_opt_outs_outlive_forget"
down_revision = "0014_person_level"
branch_labels = None
depends_on = None

_RECIPIENT_FK = "fk_invitations_recipient_id_people"


def _recipient(nullable: bool, ondelete: str) -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_RECIPIENT_FK), type_="foreignkey")
        batch_op.alter_column("recipient_id", existing_type=sa.Integer(), nullable=nullable)
        batch_op.create_foreign_key(
            op.f(_RECIPIENT_FK), "people", ["recipient_id"], ["id"], ondelete=ondelete
        )


def upgrade() -> None:
    op.create_table(
        "invitation_blocklist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("blocked_external_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_invitation_blocklist_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_blocklist")),
        sa.UniqueConstraint(
            "community_id",
            "external_id",
            "blocked_external_id",
            name=op.f("uq_invitation_blocklist_community_id"),
        ),
    )
    op.execute(
        "INSERT INTO invitation_blocklist "
        "(community_id, external_id, blocked_external_id, created_at) "
        "SELECT b.community_id, p.external_id, q.external_id, b.created_at "
        "FROM invitation_blocks b "
        "JOIN people p ON p.id = b.person_id JOIN people q ON q.id = b.blocked_id"
    )
    op.drop_table("invitation_blocks")
    _recipient(True, "SET NULL")


def downgrade() -> None:
    op.execute("DELETE FROM invitations WHERE recipient_id IS NULL")
    _recipient(False, "CASCADE")
    op.create_table(
        "invitation_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_invitation_blocks_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_invitation_blocks_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocked_id"],
            ["people.id"],
            name=op.f("fk_invitation_blocks_blocked_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_blocks")),
        sa.UniqueConstraint("person_id", "blocked_id", name=op.f("uq_invitation_blocks_person_id")),
    )
    # Blocks of people still known come back; those of forgotten people can't.
    op.execute(
        "INSERT INTO invitation_blocks (community_id, person_id, blocked_id, created_at) "
        "SELECT b.community_id, p.id, q.id, b.created_at FROM invitation_blocklist b "
        "JOIN people p ON p.community_id = b.community_id AND p.external_id = b.external_id "
        "JOIN people q ON q.community_id = b.community_id "
        "AND q.external_id = b.blocked_external_id"
    )
    op.drop_table("invitation_blocklist")
