"""Tables of the foundation: communities, people, the outbox and handled platform requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class CommunityRow(Base):
    """A Discord guild, a Slack workspace, or the console."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PersonRow(Base):
    """A person as known in one community."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("community_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The level they last acted with ("organizer", "moderator"; NULL: member), as the
    # platform said with that command (0014).
    level: Mapped[str | None] = mapped_column(String(16), nullable=True)


class OutboxRow(Base):
    """Everything the bot sends unprompted, written first and claimed before it is sent.

    status: pending -> claimed -> sent | failed | dropped. A claim carries a lease; a claim
    whose lease ran out (its process died) is pending again. `maybe_sent` is set just before
    each platform call and put back only when the platform surely did not take the message,
    so a row whose process died mid-send, or whose answer was lost, is checked on the
    platform before it is sent again (see bot/core/delivery.py).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "due_at"),
        # A community's waiting invitation DMs, counted by every /invite (0010).
        Index(
            "ix_outbox_invitations_waiting",
            "community_id",
            "status",
            "due_at",
            sqlite_where=text("kind = 'invitation'"),
            postgresql_where=text("kind = 'invitation'"),
        ),
        # A later row with the same collapse key (storage/repositories/outbox.py) (0013).
        Index("ix_outbox_collapse_due", "collapse_key", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), nullable=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32), default="message")
    destination_kind: Mapped[str] = mapped_column(String(16))  # "channel" or "person"
    destination_id: Mapped[str] = mapped_column(String(64))
    fallback_channel_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payload: Mapped[str] = mapped_column(Text)  # a neutral Message as JSON
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    coalesce_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    # Rows sharing a collapse key stand for one another: of those due together, only the
    # latest is sent (two reminders of one date after an outage become one).
    collapse_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    edit_of: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sent_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    maybe_sent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class HandledRequest(Base):
    """Platform requests already acted on, so a retried delivery never runs twice."""

    __tablename__ = "handled_requests"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
