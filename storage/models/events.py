"""Tables of the events cog: events, RSVPs (one per person per occurrence) and calendar feeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class EventRow(Base):
    """A meetup, party, conference or advocacy outing; a repeating series is one row with an
    RRULE expanded in its own time zone."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("community_id", "code"),
        Index("ix_events_community_starts", "community_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(8))  # the short id people type, unique per community
    platform: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(64))
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    creator_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="meetup")
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    location: Mapped[str | None] = mapped_column(String(500), nullable=True)
    script: Mapped[str | None] = mapped_column(Text, nullable=True)  # advocacy talking points
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)  # first occurrence, UTC
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120)
    timezone: Mapped[str] = mapped_column(String(64))  # IANA zone the event happens in
    rrule: Mapped[str | None] = mapped_column(String(300), nullable=True)
    repeat_text: Mapped[str | None] = mapped_column(String(200), nullable=True)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminder_minutes: Mapped[list[int]] = mapped_column(JSON, default=list)
    reminders_in: Mapped[str] = mapped_column(String(16), default="dm")  # "dm" or "channel"
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # or "cancelled"
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Dates of a series cancelled one at a time (epoch seconds, UTC); the series goes on.
    skipped_dates: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RsvpRow(Base):
    """One person's answer for one occurrence. `seq` orders answers by arrival: the waitlist
    is served in `seq` order and the latest yeses are the first to lose a seat."""

    __tablename__ = "event_rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "occurrence", "person_id"),
        Index("ix_event_rsvps_person", "person_id"),
        # A date's answers by status in arrival order: counts read only this index, and the
        # next waiting party is its first entry (0006_rsvp_line).
        Index("ix_event_rsvps_line", "event_id", "occurrence", "status", "seq", "guests"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    occurrence: Mapped[datetime] = mapped_column(UTCDateTime)  # this occurrence's start, UTC
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))  # going | maybe | waitlist | no
    guests: Mapped[int] = mapped_column(Integer, default=0)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventFeedRow(Base):
    """The secret in a community's calendar feed address (/calendar/<secret>.ics)."""

    __tablename__ = "event_feeds"

    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
