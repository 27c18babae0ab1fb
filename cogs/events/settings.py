"""The `[events]` section of the config file: defaults every community starts from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class EventsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Minutes before the start when people who said yes or maybe are reminded.
    reminder_minutes: list[int] = Field(default_factory=lambda: [1440, 60])
    # Where reminders go: a direct message to each person, or one post in the event's channel.
    reminders: Literal["dm", "channel"] = "dm"
    # Serve /calendar/<secret>.ics on the bot's web server.
    calendar_feed: bool = True
    default_duration_minutes: int = Field(120, ge=1, le=60 * 24 * 14)
    # How far back the calendar feed reaches, so old events do not grow it forever.
    feed_days_back: int = Field(180, ge=0, le=3650)

    @field_validator("reminder_minutes")
    @classmethod
    def _offsets(cls, value: list[int]) -> list[int]:
        if len(value) > 5:
            raise ValueError("at most 5 reminder times")
        if any(m < 1 or m > 60 * 24 * 30 for m in value):
            raise ValueError("each reminder must be between 1 minute and 30 days (43200) before")
        return sorted(set(value), reverse=True)
