"""Invitations: what moderators decided about a person outlives their /privacy forget.

A pause is kept by the inviter's platform id (invitation_pauses.external_id instead of
person_id), a person's own limits by their platform id (invitation_limits.subject of scope
"person" holds it instead of the people-row id), and the invitations a forgotten inviter
sent leave a tally (invitation_tallies: when, which event, a complaint or not) that their
limits, their reputation and the event's count go on counting. A moderator's decision about
a person is not that person's data to erase, and it keeps limits from being evaded.

Revision ID: 0016_moderation_outlives_forget
Revises: 0015_opt_outs_outlive_forget
Create Date: 2026-11-30 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_moderation_outlives_forget"
down_revision = "0015_opt_outs_outlive_forget"
branch_labels = None
depends_on = None

_UNIQUE = "uq_invitation_pauses_community_id"
_PERSON_FK = "fk_invitation_pauses_person_id_people"


def upgrade() -> None:
    op.create_table(
        "invitation_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("complaint", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_invitation_tallies_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_invitation_tallies_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_tallies")),
    )
    op.create_index(
        "ix_invitation_tallies_inviter",
        "invitation_tallies",
        ["community_id", "external_id"],
        unique=False,
    )
    with op.batch_alter_table("invitation_pauses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE invitation_pauses SET external_id = "
        "(SELECT p.external_id FROM people p WHERE p.id = invitation_pauses.person_id)"
    )
    with op.batch_alter_table("invitation_pauses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_UNIQUE), type_="unique")
        batch_op.drop_constraint(op.f(_PERSON_FK), type_="foreignkey")
        batch_op.drop_column("person_id")
        batch_op.alter_column("external_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(op.f(_UNIQUE), ["community_id", "external_id"])
    op.execute(
        "UPDATE invitation_limits SET subject = (SELECT p.external_id FROM people p "
        "WHERE CAST(p.id AS VARCHAR(64)) = invitation_limits.subject "
        "AND p.community_id = invitation_limits.community_id) "
        "WHERE scope = 'person'"
    )


def downgrade() -> None:
    # Limits and pauses of people still known go back to their people rows; those of
    # forgotten people, and the tallies, can't.
    op.execute(
        "DELETE FROM invitation_limits WHERE scope = 'person' AND NOT EXISTS "
        "(SELECT 1 FROM people p WHERE p.external_id = invitation_limits.subject "
        "AND p.community_id = invitation_limits.community_id)"
    )
    op.execute(
        "UPDATE invitation_limits SET subject = (SELECT CAST(p.id AS VARCHAR(64)) FROM people p "
        "WHERE p.external_id = invitation_limits.subject "
        "AND p.community_id = invitation_limits.community_id) "
        "WHERE scope = 'person'"
    )
    with op.batch_alter_table("invitation_pauses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE invitation_pauses SET person_id = (SELECT p.id FROM people p "
        "WHERE p.external_id = invitation_pauses.external_id "
        "AND p.community_id = invitation_pauses.community_id)"
    )
    op.execute("DELETE FROM invitation_pauses WHERE person_id IS NULL")
    with op.batch_alter_table("invitation_pauses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_UNIQUE), type_="unique")
        batch_op.drop_column("external_id")
        batch_op.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            op.f(_PERSON_FK), "people", ["person_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_unique_constraint(op.f(_UNIQUE), ["community_id", "person_id"])
    op.drop_index("ix_invitation_tallies_inviter", table_name="invitation_tallies")
    op.drop_table("invitation_tallies")
