"""Tables of invitations and their moderation: invitations, role posts, limit overrides,
inviter pauses, recipients' settings and blocks, and the opt-out suppression list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class InvitationRow(Base):
    """One person invited to one event by another, at most once per event (ever).

    status: queued (an outbox row waits) -> delivered | failed (never deliverable), set in
    the transaction that settles the outbox row (cogs/invitations/status.py); withdrawn,
    answered and declined come from the recipient's buttons. `complaint` is set by
    "No more from" and "No invitations at all". `outbox_key` names the outbox row that
    carries it when that is not its own direct message (named after its id, see
    cogs/invitations/keys.py): a digest's. Times are UTC."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient_id"),
        Index("ix_invitations_inviter", "inviter_id", "created_at"),
        Index("ix_invitations_recipient", "recipient_id", "created_at"),
        Index("ix_invitations_community", "community_id", "created_at"),
        Index("ix_invitations_outbox_key", "outbox_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    inviter_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # None once the recipient is forgotten (/privacy forget): the invitation still counts
    # against the inviter's limits and the event's, naming nobody.
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    delivery: Mapped[str] = mapped_column(String(16), default="now")  # now | quiet | digest
    complaint: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    outbox_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RolePostRow(Base):
    """One channel post inviting a whole role (or Slack user group) to an event."""

    __tablename__ = "invitation_role_posts"
    __table_args__ = (Index("ix_invitation_role_posts_community", "community_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    inviter_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    role_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LimitOverrideRow(Base):
    """Moderators' limits: for the whole community (`scope` "community", subject ""), for a
    level ("role", subject "member" | "organizer" | "moderator") or for one person ("person",
    subject their platform id, so a person's limits outlive their /privacy forget, 0016).
    A None value falls back to the wider setting."""

    __tablename__ = "invitation_limits"
    __table_args__ = (UniqueConstraint("community_id", "scope", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64), default="")
    per_inviter_hour: Mapped[int | None] = mapped_column(Integer, nullable=True)
    per_inviter_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    per_recipient_week: Mapped[int | None] = mapped_column(Integer, nullable=True)
    per_event: Mapped[int | None] = mapped_column(Integer, nullable=True)
    role_posts_day: Mapped[int | None] = mapped_column(Integer, nullable=True)


class InviterPauseRow(Base):
    """An inviter (platform id `external_id`) whose invitations are paused until `until`
    (UTC), by a moderator (`by_id`) or by Potluck itself (`by_id` None, after complaints).
    Kept by platform id, so a pause outlives the inviter's /privacy forget (0016): a
    moderator's decision about a person is not that person's data to erase."""

    __tablename__ = "invitation_pauses"
    __table_args__ = (UniqueConstraint("community_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )


class RecipientPreferenceRow(Base):
    """How a person takes invitations: `mode` "on" or "digest" (daily | weekly at
    `digest_hour`, their zone); quiet hours "HH:MM" to "HH:MM" in their zone. Turning
    invitations off is a `SuppressionRow`, which outlives /privacy forget."""

    __tablename__ = "invitation_preferences"
    __table_args__ = (UniqueConstraint("community_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(16), default="on")
    digest_every: Mapped[str] = mapped_column(String(16), default="daily")
    digest_hour: Mapped[int] = mapped_column(Integer, default=9)
    quiet_from: Mapped[str | None] = mapped_column(String(5), nullable=True)
    quiet_to: Mapped[str | None] = mapped_column(String(5), nullable=True)


class BlockRow(Base):
    """A recipient (platform id `external_id`) who takes no invitations from another person
    (platform id `blocked_external_id`): "No more from" and /invites block. Kept by platform
    ids, like `SuppressionRow`, so the block survives /privacy forget of either of them (the
    people rows go); nothing else about them is kept."""

    __tablename__ = "invitation_blocklist"
    __table_args__ = (UniqueConstraint("community_id", "external_id", "blocked_external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    blocked_external_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SuppressionRow(Base):
    """A person who takes no invitations at all, by their platform id, so the opt-out
    survives /privacy forget (deleting the people row), the way e-mail suppression lists
    work. Nothing else about them is kept."""

    __tablename__ = "invitation_suppressions"
    __table_args__ = (UniqueConstraint("community_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SentTallyRow(Base):
    """One invitation sent by an inviter who has since used /privacy forget: only when
    (UTC), to which event, whether it drew a complaint, and the inviter's platform id. The
    invitation itself is deleted with them; the tally keeps their limits, their reputation
    and the event's count where they were (0016), so forgetting gives no quota back."""

    __tablename__ = "invitation_tallies"
    __table_args__ = (Index("ix_invitation_tallies_inviter", "community_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    complaint: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
