"""The [invitations] section of the config file: the community's default limits, recipients'
defaults and the complaint thresholds. Moderators override limits live with /limits."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cogs.invitations.limits import Limits, Reputation


class InvitationsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)

    # Limits (a count each; 0 stops that kind of invitation). Windows slide: the last hour,
    # the last 24 hours, the last 7 days.
    per_inviter_hour: int = Field(default=10, ge=0, le=10_000)
    per_inviter_day: int = Field(default=30, ge=0, le=100_000)
    per_recipient_week: int = Field(default=5, ge=0, le=1_000)
    per_event: int = Field(default=200, ge=0, le=1_000_000)
    role_posts_day: int = Field(default=3, ge=0, le=1_000)
    # Reputation: pause an inviter when their last `complaint_window` invitations drew at
    # least `complaints_to_pause` complaints that are also `complaint_rate` of them.
    complaints_to_pause: int = Field(default=3, ge=1, le=1_000)
    complaint_rate: float = Field(default=0.10, gt=0, le=1)
    complaint_window: int = Field(default=30, ge=1, le=1_000)
    pause_hours: float = Field(default=24.0, gt=0, le=24 * 365)
    # Recipients' defaults: digest hour (their zone) and quiet hours ("22:00", "08:00").
    digest_hour: int = Field(default=9, ge=0, le=23)
    quiet_from: str | None = None
    quiet_to: str | None = None
    # How many people one /invite may name.
    people_per_command: int = Field(default=25, ge=1, le=100)

    @field_validator("quiet_from", "quiet_to")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from cogs.invitations.timing import clock_text, parse_clock

        return clock_text(parse_clock(value, "quiet"))

    def limits(self) -> Limits:
        return Limits(
            per_inviter_hour=self.per_inviter_hour,
            per_inviter_day=self.per_inviter_day,
            per_recipient_week=self.per_recipient_week,
            per_event=self.per_event,
            role_posts_day=self.role_posts_day,
        )

    def reputation(self) -> Reputation:
        from datetime import timedelta

        return Reputation(
            complaints=self.complaints_to_pause,
            rate=self.complaint_rate,
            window=self.complaint_window,
            pause=timedelta(hours=self.pause_hours),
        )
