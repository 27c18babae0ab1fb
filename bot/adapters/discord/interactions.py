"""Interactions (slash commands, buttons, modal submits, autocomplete) -> the dispatcher -> replies.

Buttons are routed by their custom id ("action:value") in `on_interaction`, with no view kept
in memory, so buttons on messages from before a restart keep working. Every answer starts
within Discord's 3-second window: a handler slower than `defer_after_seconds` is deferred
first and its reply edited in afterwards.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import InteractionType, app_commands

from bot.adapters.discord.commands import form_values, invoked
from bot.adapters.discord.render import FORM_PREFIX, modal_for, render
from bot.config import DiscordSettings
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Message
from bot.core.types import Actor, ChannelRef, Level

log = logging.getLogger("potluck.discord")


def level_of(
    member: discord.Member | discord.User,
    permissions: discord.Permissions,
    settings: DiscordSettings,
) -> Level:
    """Configured role names first, then Discord's own permissions (Manage Server: moderator,
    Manage Events: organizer)."""
    if permissions.administrator or permissions.manage_guild:
        return Level.MODERATOR
    names = {r.name.lower() for r in getattr(member, "roles", ())}
    if names & {n.lower() for n in settings.moderator_roles}:
        return Level.MODERATOR
    if permissions.manage_events or names & {n.lower() for n in settings.organizer_roles}:
        return Level.ORGANIZER
    return Level.MEMBER


def actor_for(interaction: discord.Interaction[Any], settings: DiscordSettings) -> Actor:
    user = interaction.user
    channel_id = str(interaction.channel_id or "")
    channel = interaction.channel
    channel_name = getattr(channel, "name", None) or ""
    if interaction.guild_id is None:
        return Actor(
            platform="discord",
            community_id=f"dm:{user.id}",
            community_name=f"Direct messages with {user.display_name}",
            user_id=str(user.id),
            display_name=user.display_name,
            channel=ChannelRef(external_id=channel_id, name="direct message", is_direct=True),
            level=Level.MEMBER,
            locale=_locale(interaction),
        )
    guild, guild_id = interaction.guild, interaction.guild_id
    return Actor(
        platform="discord",
        community_id=str(interaction.guild_id),
        community_name=guild.name if guild is not None and guild.name else str(guild_id),
        user_id=str(user.id),
        display_name=user.display_name,
        channel=ChannelRef(external_id=channel_id, name=channel_name),
        level=level_of(user, interaction.permissions, settings),
        locale=_locale(interaction),
    )


def _locale(interaction: discord.Interaction[Any]) -> str | None:
    """The person's client language ("en-US", "de"), which Discord sends with every
    interaction: it decides whether 4/12 is April or December."""
    locale = getattr(interaction, "locale", None)
    return str(getattr(locale, "value", locale)) if locale else None


class InteractionRouter:
    """Turns each interaction into one dispatcher call and one answer."""

    def __init__(self, dispatcher: Dispatcher, settings: DiscordSettings) -> None:
        self.dispatcher = dispatcher
        self.settings = settings
        self.defer_after = settings.defer_after_seconds

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        try:
            kind = interaction.type
            if kind is InteractionType.application_command:
                await self._command(interaction)
            elif kind is InteractionType.component:
                await self._button(interaction)
            elif kind is InteractionType.modal_submit:
                await self._form(interaction)
            elif kind is InteractionType.autocomplete:
                await self._autocomplete(interaction)
        except Exception:
            log.exception(
                "interaction %s (%s) could not be answered", interaction.id, interaction.type
            )

    # -- kinds -----------------------------------------------------------------------------

    async def _command(self, interaction: discord.Interaction[Any]) -> None:
        path, values, _ = invoked(interaction.data or {})
        spec = self.dispatcher.registry.commands.get(path)
        actor = actor_for(interaction, self.settings)
        await self._answer(
            interaction,
            lambda: self.dispatcher.run_command(
                actor, spec or " ".join(path), values, raw=interaction
            ),
            component=False,
        )

    async def _button(self, interaction: discord.Interaction[Any]) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        message = interaction.message
        ref = f"{interaction.channel_id}:{message.id}" if message is not None else None
        actor = actor_for(interaction, self.settings)
        await self._answer(
            interaction,
            lambda: self.dispatcher.press(actor, custom_id, message_ref=ref, raw=interaction),
            component=True,
        )

    async def _form(self, interaction: discord.Interaction[Any]) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        actor = actor_for(interaction, self.settings)
        values = {k: v for k, v in form_values(data.get("components") or []).items() if v.strip()}
        if not custom_id.startswith(FORM_PREFIX):
            await self._answer(interaction, _expired_form, component=False)
            return
        command = custom_id[len(FORM_PREFIX) :]
        await self._answer(
            interaction,
            lambda: self.dispatcher.run_command(actor, command, values, raw=interaction),
            component=False,
        )

    async def _autocomplete(self, interaction: discord.Interaction[Any]) -> None:
        path, values, focused = invoked(interaction.data or {})
        if focused is None:
            await interaction.response.autocomplete([])
            return
        actor = actor_for(interaction, self.settings)
        partial = str(values.get(focused) or "")
        found = await self.dispatcher.suggest(actor, " ".join(path), focused, partial)
        spec = self.dispatcher.registry.commands.get(path)
        opt = spec.option(focused) if spec is not None else None
        choices: list[app_commands.Choice[Any]] = []
        for label, value in found[:25]:
            typed: str | int = value
            if opt is not None and opt.kind.value == "integer":
                try:
                    typed = int(value)
                except ValueError:
                    continue
            choices.append(app_commands.Choice(name=(label or str(value))[:100], value=typed))
        await interaction.response.autocomplete(choices)

    # -- answering -------------------------------------------------------------------------

    async def _answer(
        self,
        interaction: discord.Interaction[Any],
        work: Callable[[], Awaitable[Message]],
        *,
        component: bool,
    ) -> None:
        task = asyncio.ensure_future(work())
        done: set[Any] = set()
        if self.defer_after > 0:
            done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if task in done:
            await self._respond(interaction, task.result(), component=component)
            return
        # Too slow for the 3-second window: acknowledge now, answer when ready.
        if component:
            await interaction.response.defer()  # the clicked message stays as it is meanwhile
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await task
        await self._respond_late(interaction, reply, component=component)

    async def _respond(
        self, interaction: discord.Interaction[Any], reply: Message, *, component: bool
    ) -> None:
        response = interaction.response
        if reply.form is not None and interaction.type is not InteractionType.modal_submit:
            await response.send_modal(modal_for(reply.form))
            return
        rendered = render(reply)
        if component and reply.replace_original:
            await response.edit_message(**rendered.edit_kwargs())
        else:
            await response.send_message(ephemeral=rendered.ephemeral, **rendered.send_kwargs())

    async def _respond_late(
        self, interaction: discord.Interaction[Any], reply: Message, *, component: bool
    ) -> None:
        rendered = render(reply)
        if component:
            if reply.replace_original:
                await interaction.edit_original_response(**rendered.edit_kwargs())
            else:
                await interaction.followup.send(
                    ephemeral=rendered.ephemeral, **rendered.send_kwargs()
                )
            return
        if rendered.ephemeral:
            await interaction.edit_original_response(**rendered.edit_kwargs())
            return
        # The placeholder was private; a public reply replaces it as a new message.
        await interaction.delete_original_response()
        await interaction.followup.send(**rendered.send_kwargs())


async def _expired_form() -> Message:
    return Message(
        text=["That form no longer works. Please run the command again."],
        ephemeral=True,
        accent="danger",
    )
