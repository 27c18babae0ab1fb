"""/privacy: see everything Potluck stores about you, or have it deleted."""

from __future__ import annotations

import json
from typing import Any

from bot import confirmations
from bot.app import Potluck
from bot.core.commands import Cog, action, command
from bot.core.errors import UserError
from bot.core.messages import Attachment, Button, Message, rich
from bot.core.types import Invocation
from storage.repositories import audit
from storage.repositories.pacing import forget_dm_channel

ASK = "/privacy forget"
# What forget keeps (README, "What /privacy forget keeps"): said in the question and the answer
# so nobody is told that everything is gone.
KEPT = (
    "Kept by your platform id only: your invitation opt-outs and blocks (so nobody invites "
    "you again by mistake), a moderator's pause or limits on your invitations, and when you "
    "sent invitations (not to whom). `/privacy export` shows them."
)


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
        self,
        community_id: int,
        person_id: int,
        external_id: str,
        *,
        platform: str,
        confirmation: str | None = None,
    ) -> None:
        """In one transaction: every cog forgets the person (see `Cog.forget_person`), then
        the outbox deletes everything addressed to or mentioning them (sent or not), the audit
        log keeps its entries but no longer names them, the bot's DM channel with them is
        forgotten, and the identity store deletes the person. Either all of it happens or none.
        With `confirmation` (the token of the question's buttons), the question is settled in
        that transaction; raises confirmations.AlreadyAnswered, deleting nothing, when it was
        settled before."""
        async with self.bot.db.transaction() as session:
            if confirmation is not None:
                now = self.bot.clock.now()
                await confirmations.settle(session, confirmation, now, ask_again=ASK)
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
        async with self.bot.db.transaction() as session:
            await confirmations.asked(session, inv.now)
        value = f"{inv.person.id}:{confirmations.new_token()}"
        return Message(
            title="Delete your data?",
            text=rich(
                "This deletes your RSVPs, settings and everything else Potluck stores "
                "about you in this community. It cannot be undone. "
                f"{KEPT}"
            ),
            buttons=[
                Button(
                    label="Yes, delete my data",
                    action="privacy-forget",
                    value=value,
                    style="danger",
                ),
                Button(label="Keep my data", action="privacy-keep", value=value),
            ],
            ephemeral=True,
            accent="warning",
        )

    async def _question(self, inv: Invocation, value: str) -> str:
        """The token of the question a button belongs to. Raises UserError for a button of a
        question already answered, of someone else's question, or from before questions had
        tokens."""
        owner, _, token = value.partition(":")
        if not token:
            raise UserError("That button no longer works.", hint=f"Type {ASK} to be asked again.")
        if owner != str(inv.person.id):
            async with self.bot.db.sessions() as session:
                if await confirmations.settled(session, token):
                    raise confirmations.AlreadyAnswered(ASK)
            raise UserError(
                "This button belongs to someone else's request.",
                hint=f"Type {ASK} to delete your own data.",
            )
        return token

    @action("privacy-forget")
    async def confirm_forget(self, inv: Invocation, value: str) -> Message:
        token = await self._question(inv, value)
        await self.forget_everything(
            inv.community.id,
            inv.person.id,
            inv.person.external_id,
            platform=inv.platform,
            confirmation=token,
        )
        return Message(
            text=[
                "Done: your RSVPs, settings and everything else Potluck stored about you "
                f"here are deleted. {KEPT}"
            ],
            ephemeral=True,
            replace_original=True,
            accent="success",
        )

    @action("privacy-keep")
    async def keep(self, inv: Invocation, value: str) -> Message:
        token = await self._question(inv, value)
        async with self.bot.db.transaction() as session:
            await confirmations.settle(session, token, inv.now, ask_again=ASK)
        return Message(text=["Nothing was deleted."], ephemeral=True, replace_original=True)


async def setup(bot: Potluck) -> None:
    bot.add_cog(PrivacyCog(bot))
