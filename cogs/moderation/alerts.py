"""Alerts to a community's moderators: a post in `[moderation] alerts_channel` when it is
set, else a direct message to each moderator Potluck knows. Written in the caller's
transaction, through the outbox, like everything the bot sends."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.delivery import Destination
from bot.core.messages import Message, Text
from bot.outbox import Outbox
from bot.outbox_keys import KeyScope, OutboxKey, Part
from cogs.moderation.settings import ModerationSettings
from storage.models import PersonRow

ALERTS = KeyScope.of("mod-alert")
SEEN_AS_MODERATOR = "moderator"  # the people-row setting set when a moderator uses Potluck


def alert_key(tag: str, *parts: Part) -> OutboxKey:
    """One alert per cause (`tag` and its parts), however often the cause is seen."""
    return ALERTS.key(tag, *parts)


class ModeratorAlerts:
    def __init__(self, outbox: Outbox, bot_settings: Settings, settings: ModerationSettings):
        self.outbox = outbox
        self.bot_settings = bot_settings
        self.settings = settings

    def configured_moderators(self, platform: str) -> list[str]:
        if platform == "console":
            return list(self.bot_settings.console.moderators)
        if platform == "slack":
            return list(self.bot_settings.slack.moderator_ids)
        return []

    async def moderators(
        self, session: AsyncSession, community_id: int, platform: str
    ) -> list[str]:
        """Platform ids of the moderators to DM: configured ones and those seen acting."""
        found = self.configured_moderators(platform)
        rows = await session.scalars(
            select(PersonRow).where(PersonRow.community_id == community_id)
        )
        for row in rows:
            if (row.settings or {}).get(SEEN_AS_MODERATOR) and row.external_id not in found:
                found.append(row.external_id)
        return found

    async def send(
        self,
        session: AsyncSession,
        *,
        community_id: int | None,
        platform: str,
        title: str,
        text: Text,
        key: OutboxKey,
    ) -> int:
        """Enqueue the alert; returns how many messages (1 for the channel post)."""
        message = Message(title=title, text=text, accent="warning")
        if self.settings.alerts_channel:
            await self.outbox.enqueue(
                session,
                platform=platform,
                destination=Destination.channel(self.settings.alerts_channel),
                message=message,
                community_id=community_id,
                kind="mod-alert",
                dedupe_key=key,
            )
            return 1
        if community_id is None:
            return 0
        people = await self.moderators(session, community_id, platform)
        for who in people:
            await self.outbox.enqueue(
                session,
                platform=platform,
                destination=Destination.person(who),
                message=message,
                community_id=community_id,
                kind="mod-alert",
                dedupe_key=ALERTS.key(*key.parts[1:], who),
            )
        return len(people)
