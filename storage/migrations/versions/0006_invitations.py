"""Invitations: invitations, role posts, limit overrides, pauses, recipients' settings,
blocks and the opt-out suppression list.

Revision ID: 0006_invitations
Revises: 0005_delivery
Create Date: 2026-11-29 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_invitations"
down_revision = "0005_delivery"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("inviter_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("complaint", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("outbox_key", sa.String(length=200), nullable=True),
        _when("created_at"),
        _when("due_at"),
        _when("answered_at", nullable=True),
        _fk("invitations", "community_id", "communities"),
        _fk("invitations", "event_id", "events"),
        _fk("invitations", "inviter_id", "people"),
        _fk("invitations", "recipient_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("event_id", "recipient_id", name=op.f("uq_invitations_event_id")),
    )
    op.create_index("ix_invitations_inviter", "invitations", ["inviter_id", "created_at"])
    op.create_index("ix_invitations_recipient", "invitations", ["recipient_id", "created_at"])
    op.create_index("ix_invitations_community", "invitations", ["community_id", "created_at"])

    op.create_table(
        "invitation_role_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("inviter_id", sa.Integer(), nullable=True),
        sa.Column("role_id", sa.String(length=64), nullable=False),
        _when("created_at"),
        _fk("invitation_role_posts", "community_id", "communities"),
        _fk("invitation_role_posts", "event_id", "events"),
        _fk("invitation_role_posts", "inviter_id", "people", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_role_posts")),
    )
    op.create_index(
        "ix_invitation_role_posts_community",
        "invitation_role_posts",
        ["community_id", "created_at"],
    )

    op.create_table(
        "invitation_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=True)
            for name in (
                "per_inviter_hour",
                "per_inviter_day",
                "per_recipient_week",
                "per_event",
                "role_posts_day",
            )
        ),
        _fk("invitation_limits", "community_id", "communities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_limits")),
        sa.UniqueConstraint(
            "community_id", "scope", "subject", name=op.f("uq_invitation_limits_community_id")
        ),
    )

    op.create_table(
        "invitation_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        _when("until"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        _fk("invitation_pauses", "community_id", "communities"),
        _fk("invitation_pauses", "person_id", "people"),
        _fk("invitation_pauses", "by_id", "people", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_pauses")),
        sa.UniqueConstraint(
            "community_id", "person_id", name=op.f("uq_invitation_pauses_community_id")
        ),
    )

    op.create_table(
        "invitation_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("digest_every", sa.String(length=16), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("quiet_from", sa.String(length=5), nullable=True),
        sa.Column("quiet_to", sa.String(length=5), nullable=True),
        _fk("invitation_preferences", "community_id", "communities"),
        _fk("invitation_preferences", "person_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_preferences")),
        sa.UniqueConstraint(
            "community_id", "person_id", name=op.f("uq_invitation_preferences_community_id")
        ),
    )

    op.create_table(
        "invitation_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        _when("created_at"),
        _fk("invitation_blocks", "community_id", "communities"),
        _fk("invitation_blocks", "person_id", "people"),
        _fk("invitation_blocks", "blocked_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_blocks")),
        sa.UniqueConstraint("person_id", "blocked_id", name=op.f("uq_invitation_blocks_person_id")),
    )

    op.create_table(
        "invitation_suppressions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        _when("created_at"),
        _fk("invitation_suppressions", "community_id", "communities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_suppressions")),
        sa.UniqueConstraint(
            "community_id", "external_id", name=op.f("uq_invitation_suppressions_community_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("invitation_suppressions")
    op.drop_table("invitation_blocks")
    op.drop_table("invitation_preferences")
    op.drop_table("invitation_pauses")
    op.drop_table("invitation_limits")
    op.drop_index("ix_invitation_role_posts_community", table_name="invitation_role_posts")
    op.drop_table("invitation_role_posts")
    op.drop_index("ix_invitations_community", table_name="invitations")
    op.drop_index("ix_invitations_recipient", table_name="invitations")
    op.drop_index("ix_invitations_inviter", table_name="invitations")
    op.drop_table("invitations")
