"""Tables of the mentors cog: profiles, avoid lists, rounds, matches, feedback, schedules and
the community's own topics.

A match of two people (or a trio of peers) is one `mentor_pairs` row with one
`mentor_pair_members` row per person, so forgetting a person deletes their matches whole and
the other person's history no longer lists them at all (never as a blank).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class MentorProfileRow(Base):
    """One person's mentoring profile in one community (one role per person).

    `paused` with `paused_until` None means paused until they resume; with a time (UTC), the
    pause ends by itself then. `left_at` set means they left: kept so a later join is a
    rejoin, never matched. `waited_rounds` counts the rounds in a row they were left out."""

    __tablename__ = "mentor_profiles"
    __table_args__ = (UniqueConstraint("community_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # mentor | mentee | peer
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)  # normalised topic names
    topics_text: Mapped[str] = mapped_column(Text, default="")  # as typed
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    organization: Mapped[str | None] = mapped_column(String(200), nullable=True)
    library_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    career_stage: Mapped[str | None] = mapped_column(String(16), nullable=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    waited_rounds: Mapped[int] = mapped_column(Integer, default=0)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MentorAvoidRow(Base):
    """Someone on a person's private do-not-pair list (blocks the pair both ways)."""

    __tablename__ = "mentor_avoid"
    __table_args__ = (UniqueConstraint("person_id", "avoided_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    avoided_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MentorRoundRow(Base):
    """A round that was run for real (dry runs write nothing). `round_on` is the community's
    local date of the round; `seed` reproduces its tie-breaks."""

    __tablename__ = "mentor_rounds"
    __table_args__ = (Index("ix_mentor_rounds_community", "community_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # mentoring | peers
    round_on: Mapped[date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(Integer)
    total_points: Mapped[int] = mapped_column(Integer, default=0)
    unmatched: Mapped[int] = mapped_column(Integer, default=0)
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentor_schedules.id", ondelete="SET NULL"), nullable=True
    )
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MentorPairRow(Base):
    """One match of a round: a mentor and a mentee, two peers, or a trio of peers.

    `reasons` is JSON-ready: {"why": the intro's sentence, "lines": the dry-run lines}."""

    __tablename__ = "mentor_pairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("mentor_rounds.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # mentoring | pair | trio
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MentorPairMemberRow(Base):
    """A person in a match; `position` 0 is the mentor in a mentoring match."""

    __tablename__ = "mentor_pair_members"
    __table_args__ = (Index("ix_mentor_pair_members_person", "person_id"),)

    pair_id: Mapped[int] = mapped_column(
        ForeignKey("mentor_pairs.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class MentorFeedbackRow(Base):
    """A person's latest answer about a match: met | not_yet | not_a_good_fit."""

    __tablename__ = "mentor_feedback"
    __table_args__ = (UniqueConstraint("pair_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("mentor_pairs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MentorScheduleRow(Base):
    """Rounds on a cadence. `next_run_at` (UTC) is claimed with a conditional update, so a
    round is run by exactly one process, once, even across restarts."""

    __tablename__ = "mentor_schedules"
    __table_args__ = (
        UniqueConstraint("community_id", "kind"),
        Index("ix_mentor_schedules_due", "next_run_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    every_seconds: Mapped[int] = mapped_column(Integer)
    every_text: Mapped[str] = mapped_column(String(100))
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    platform: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(64))  # where undeliverable intros fall back
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MentorTopicRow(Base):
    """A community's own addition to the topic vocabulary: one way of writing a topic.

    `topic` is the topic's name (lowercase, single spaces); `phrase` is this way of writing it,
    as the moderator wrote it, and `folded` its matching key (`cogs.mentors.topics.fold`). A
    row whose `folded` is the fold of its `topic` adds the topic itself; the others add
    synonyms, of a community topic or of one on the shipped list. One folded phrase means one
    topic per community (the unique constraint). All three are at most 60 characters."""

    __tablename__ = "mentor_topics"
    __table_args__ = (UniqueConstraint("community_id", "folded"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(60))
    phrase: Mapped[str] = mapped_column(String(60))
    folded: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
