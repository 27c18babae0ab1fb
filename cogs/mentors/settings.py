"""The `[mentors]` section of the config file: the numbers every community's rounds start from."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cogs.mentors.scoring import ScoringRules


class MentorsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Calendar months after a match during which the same two people are never matched again.
    cool_down_months: int = Field(6, ge=0, le=120)
    # After the cool-down a repeat pair loses points that halve every this many days.
    repeat_half_life_days: int = Field(180, ge=1, le=3650)
    # Days after an intro when people who have not pressed a button are asked how it went.
    check_in_days: int = Field(14, ge=1, le=365)
    # How often due scheduled rounds are looked for (seconds); the database decides what is due.
    schedule_poll_seconds: float = Field(60.0, ge=1.0, le=3600.0)
    # Topics and synonyms added to the shipped list (cogs/mentors/topics.toml) for every
    # community (each community's moderators add their own with /mentor topics add):
    #   topics = { "makerspaces" = ["maker space", "makerspace"] }
    topics: dict[str, list[str]] = Field(default_factory=dict)
    # The first step every intro suggests.
    first_step: str = Field(
        "Reply here and suggest two times for a 30-minute video call this week.",
        min_length=1,
        max_length=300,
    )

    def rules(self) -> ScoringRules:
        """The scorer's rules with this section's cool-down and half-life."""
        return ScoringRules(
            cool_down_months=self.cool_down_months,
            repeat_half_life_days=self.repeat_half_life_days,
        )
