"""The audit log: an append-only record of every moderator-visible action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class AuditRow(Base):
    """Who did what, to whom, why and when, in one community.

    `actor_id` is None for automatic actions (the bot pausing an inviter, a round of
    matching). Names are copied at the time of the action, so the log reads the same later;
    `/privacy forget` replaces a forgotten person's ids and names, never the entry itself.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_community_id_at", "community_id", "id"),
        Index("ix_audit_log_subject", "community_id", "subject_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(48))  # e.g. "limits.set", "invitation.blocked"
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    actor_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    subject_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
