"""Tables shared by every bot process for pacing sends: GCRA keys and direct-message channels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class PaceRow(Base):
    """One pacing key (a destination, a community's new direct messages, a Retry-After hold,
    an error meter) and its GCRA theoretical arrival time: the moment its next use conforms,
    UTC. See bot/core/gcra.py."""

    __tablename__ = "pacing"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tat: Mapped[datetime] = mapped_column(UTCDateTime)


class DirectChannelRow(Base):
    """A person the bot has a direct-message channel with (so messaging them again opens no new
    conversation and spends no new-DM budget), or is waiting to open one with (`channel_id`
    empty, `queued_at` set: their place in the community's queue for new DMs)."""

    __tablename__ = "dm_channels"
    __table_args__ = (Index("ix_dm_channels_queue", "platform", "community_id", "queued_at"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), nullable=True
    )
    channel_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
