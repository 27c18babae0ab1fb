"""/privacy: see everything Potluck stores about you, or have it deleted."""

from __future__ import annotations

import json
from typing import Any

from bot.app import Potluck
from bot.core.commands import Cog, action, command
from bot.core.errors import UserError
from bot.core.messages import Attachment, Button, Message, rich
from bot.core.types import Invocation
from storage.repositories import audit
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
        async with self.bot.db.sessions() as session:
            logged = await audit.export_person(session, inv.community.id, inv.person.id)
        if logged:
            data["audit_log"] = logged
        return data

    async def forget_everything(
        self, community_id: int, person_id: int, external_id: str, *, platform: str
    ) -> None:
        """In one transaction: every cog forgets the person (see `Cog.forget_person`), then
        the outbox deletes everything addressed to or mentioning them (sent or not), the audit
        log keeps its entries but no longer names them, the bot's DM channel with them is
        forgotten, and the identity store deletes the person. Either all of it happens or none."""
        async with self.bot.db.transaction() as session:
            for cog in self.bot.registry.cogs.values():
                await cog.forget_person(session, community_id, person_id)
            await session.flush()
            await self.bot.outbox.forget_person(
                session, community_id=community_id, person_id=external_id
            )
            await forget_dm_channel(session, platform, external_id)
            await audit.forget_person(session, community_id, person_id)
            await self.bot.identity.forget_person(session, person_id)
        self.bot.outbox.direct_messages.forget_cached(platform, external_id)
        self.bot.outbox.kick()

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
        await self.forget_everything(
            inv.community.id, inv.person.id, inv.person.external_id, platform=inv.platform
        )
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
