"""Who is who on Slack: levels and time zones for the people behind a request.

Levels come from configured user ids, configured user groups and (optionally) workspace
admins and owners; the time zone from `users.info`, used only when the person has not set
one with /timezone. Lookups are cached so a busy channel costs one `users.info` per person
per cache period, not one per click.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SlackSettings
from bot.core.types import Actor, ChannelRef, Level

log = logging.getLogger("potluck.slack.people")

# Cache sizes: least recently used entries go first past these, so memory stays bounded.
PROFILES_KEPT = 50_000
GROUPS_KEPT = 256


@dataclass(frozen=True, slots=True)
class Profile:
    display_name: str
    timezone: str | None
    is_admin: bool
    locale: str | None = None  # "en-US"; asked for with include_locale


class People:
    def __init__(self, client: AsyncWebClient, settings: SlackSettings) -> None:
        self.client = client
        self.settings = settings
        ttl = settings.people_cache_seconds  # 0 turns the caches off
        self._profiles: TTLCache[str, Profile | None] = TTLCache(PROFILES_KEPT, ttl)
        self._groups: TTLCache[str, frozenset[str]] = TTLCache(GROUPS_KEPT, ttl)

    async def profile(self, user_id: str) -> Profile | None:
        """`users.info`, cached; None when Slack will not say (missing scope, unknown user)."""
        if user_id in self._profiles:
            return self._profiles[user_id]
        found: Profile | None = None
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
            user: dict[str, Any] = response.get("user") or {}
            profile = user.get("profile") or {}
            found = Profile(
                display_name=str(
                    profile.get("display_name")
                    or user.get("real_name")
                    or user.get("name")
                    or user_id
                ),
                timezone=user.get("tz") or None,
                is_admin=bool(user.get("is_admin") or user.get("is_owner")),
                locale=user.get("locale") or None,
            )
        except SlackApiError as exc:
            log.warning("users.info for %s failed: %s", user_id, exc.response.get("error"))
        except Exception:
            log.exception("users.info for %s failed", user_id)
        self._profiles[user_id] = found
        return found

    async def group_members(self, group_id: str) -> frozenset[str]:
        if group_id in self._groups:
            return self._groups[group_id]
        members: frozenset[str] = frozenset()
        try:
            response = await self.client.usergroups_users_list(usergroup=group_id)
            members = frozenset(str(u) for u in response.get("users") or [])
        except SlackApiError as exc:
            log.warning(
                "usergroups.users.list for %s failed: %s", group_id, exc.response.get("error")
            )
        except Exception:
            log.exception("usergroups.users.list for %s failed", group_id)
        self._groups[group_id] = members
        return members

    async def level(self, user_id: str, profile: Profile | None) -> Level:
        s = self.settings
        if user_id in s.moderator_ids:
            return Level.MODERATOR
        if s.admins_are_moderators and profile is not None and profile.is_admin:
            return Level.MODERATOR
        if s.moderator_usergroup and user_id in await self.group_members(s.moderator_usergroup):
            return Level.MODERATOR
        if user_id in s.organizer_ids:
            return Level.ORGANIZER
        if s.organizer_usergroup and user_id in await self.group_members(s.organizer_usergroup):
            return Level.ORGANIZER
        return Level.MEMBER

    async def actor(
        self,
        *,
        team_id: str,
        team_domain: str,
        user_id: str,
        user_name: str,
        channel_id: str,
        channel_name: str,
    ) -> Actor:
        profile = await self.profile(user_id)
        is_direct = channel_id.startswith("D") or channel_name == "directmessage"
        return Actor(
            platform="slack",
            community_id=team_id,
            community_name=team_domain or team_id,
            user_id=user_id,
            display_name=profile.display_name if profile else (user_name or user_id),
            channel=ChannelRef(external_id=channel_id, name=channel_name, is_direct=is_direct),
            level=await self.level(user_id, profile),
            timezone_hint=profile.timezone if profile else None,
            locale=profile.locale if profile else None,
        )


def actor_fields(body: dict[str, Any]) -> dict[str, str]:
    """Team, user and channel of any Slack request body (slash command or interaction)."""
    if "command" in body:  # slash command (flat form fields)
        return {
            "team_id": str(body.get("team_id") or ""),
            "team_domain": str(body.get("team_domain") or ""),
            "user_id": str(body.get("user_id") or ""),
            "user_name": str(body.get("user_name") or ""),
            "channel_id": str(body.get("channel_id") or ""),
            "channel_name": str(body.get("channel_name") or ""),
        }
    team = body.get("team") or {}
    user = body.get("user") or {}
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    return {
        "team_id": str(team.get("id") or user.get("team_id") or ""),
        "team_domain": str(team.get("domain") or ""),
        "user_id": str(user.get("id") or ""),
        "user_name": str(user.get("username") or user.get("name") or ""),
        "channel_id": str(channel.get("id") or container.get("channel_id") or ""),
        "channel_name": str(channel.get("name") or ""),
    }
