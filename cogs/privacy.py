"""/privacy: see everything Potluck stores about you, or have it deleted."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete

from bot.app import Potluck
from bot.core.commands import Cog, action, command
from bot.core.errors import UserError
from bot.core.messages import Attachment, Button, Message, rich
from bot.core.types import Invocation
from storage.models import OutboxRow
from storage.repositories.pacing import forget_dm_channel


class PrivacyCog(Cog):
    name = "privacy"
    description = "Your data: export it or delete it."

    def __init__(self, bot: Potluck) -> None:
        self.bot = bot

    async def collect(self, inv: Invocation) -> dict[str, Any]:
        data: dict[str, Any] = {
            "community": {"platform": inv.community.platform, "name": inv.community.name},
            "person": await self.bot.identity.export_person(inv.person.id),
        }
        for cog in self.bot.registry.cogs.values():
            exported = await cog.export_person(inv.community.id, inv.person.id)
            if exported:
                data[cog.name] = exported
        return data

    @command(
        "privacy export",
        "Get a file with everything Potluck stores about you.",
        examples=["/privacy export"],
    )
    async def export(self, inv: Invocation) -> Message:
        data = await self.collect(inv)
        body = json.dumps(data, indent=2, default=str, ensure_ascii=False).encode()
        return Message(
            text=rich("Here is everything Potluck stores about you in this community."),
            files=[
                Attachment(
                    filename="potluck-my-data.json", content=body, content_type="application/json"
                )
            ],
            ephemeral=True,
        )

    @command(
        "privacy forget",
        "Delete everything Potluck stores about you (asks first).",
        examples=["/privacy forget"],
    )
    async def forget(self, inv: Invocation) -> Message:
        return Message(
            title="Delete your data?",
            text=rich(
                "This deletes your RSVPs, settings and everything else Potluck stores "
                "about you in this community. It cannot be undone."
            ),
            buttons=[
                Button(
                    label="Yes, delete everything",
                    action="privacy-forget",
                    value=str(inv.person.id),
                    style="danger",
                ),
                Button(label="Keep my data", action="privacy-keep", value=str(inv.person.id)),
            ],
            ephemeral=True,
            accent="warning",
        )

    @action("privacy-forget")
    async def confirm_forget(self, inv: Invocation, value: str) -> Message:
        if value != str(inv.person.id):
            raise UserError(
                "This button belongs to someone else's request.",
                hint="Type /privacy forget to delete your own data.",
            )
        for cog in self.bot.registry.cogs.values():
            await cog.forget_person(inv.community.id, inv.person.id)
        async with self.bot.db.transaction() as session:
            await session.execute(
                delete(OutboxRow).where(
                    OutboxRow.community_id == inv.community.id,
                    OutboxRow.destination_kind == "person",
                    OutboxRow.destination_id == inv.person.external_id,
                    OutboxRow.status == "pending",
                )
            )
            await forget_dm_channel(session, inv.community.platform, inv.person.external_id)
        self.bot.outbox.direct_messages.forget_cached(
            inv.community.platform, inv.person.external_id
        )
        await self.bot.identity.forget_person(inv.person.id)
        return Message(
            text=["Done: everything Potluck stored about you here is deleted."],
            ephemeral=True,
            replace_original=True,
            accent="success",
        )

    @action("privacy-keep")
    async def keep(self, inv: Invocation, value: str) -> Message:
        return Message(text=["Nothing was deleted."], ephemeral=True, replace_original=True)


async def setup(bot: Potluck) -> None:
    bot.add_cog(PrivacyCog(bot))
