"""The [moderation] section of the config file."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.config import PlatformId


class ModerationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)

    # Where alerts go (a channel id, or the console channel's name). Unset: a direct message
    # to each moderator Potluck knows (those in [console] moderators and [slack]
    # moderator_ids, and everyone who has used a moderator command here).
    alerts_channel: PlatformId | None = None
    # Entries per /modlog page.
    page_size: int = Field(default=15, ge=1, le=50)
