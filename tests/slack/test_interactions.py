"""Buttons (block_actions), modals (views.open + view_submission) and files on Slack."""

from __future__ import annotations

import json

from bot.app import Potluck
from bot.core.commands import Cog, Option, command
from bot.core.messages import Form, FormField, Message, rich
from bot.core.types import Invocation
from tests.fakes.slack_server import FakeSlack
from tests.slack.conftest import ANA, GENERAL, SAM, SlackDriver, shown


async def test_buttons_carry_their_action_and_replace_the_original(slack: SlackDriver) -> None:
    ask = await slack.command("/privacy", "forget", user=SAM)
    elements = [
        e for b in ask.json_param("blocks") if b["type"] == "actions" for e in b["elements"]
    ]
    assert len({e["action_id"] for e in elements}) == len(elements) == 2
    assert elements[0]["style"] == "danger"

    kept = await slack.press(ask, "Keep my data", user=SAM)

    assert kept.params["replace_original"] is True
    assert "Nothing was deleted." in shown(kept)


async def test_confirming_a_button_runs_the_action_for_the_presser(
    slack: SlackDriver, bot: Potluck
) -> None:
    await slack.command("/timezone", "set zone:Asia/Tokyo", user=SAM)
    ask = await slack.command("/privacy", "forget", user=SAM)

    # Someone else pressing Sam's button is refused, only to them.
    refused = await slack.press(ask, "Yes, delete", user=ANA)
    assert refused.params["replace_original"] is False
    assert refused.params["response_type"] == "ephemeral"
    assert "belongs to someone else" in shown(refused)

    done = await slack.press(ask, "Yes, delete", user=SAM)
    assert done.params["replace_original"] is True
    assert "everything else Potluck stored about you here are deleted" in shown(done)
    bot.identity._people.clear()
    answer = await slack.command("/timezone", "show", user=SAM)
    assert "Asia/Tokyo" not in shown(answer)  # the zone Sam set is gone


async def test_files_of_an_only_to_you_reply_go_to_the_persons_dm(
    slack: SlackDriver, fake: FakeSlack
) -> None:
    await slack.command("/timezone", "set zone:Asia/Tokyo", user=SAM)
    answer = await slack.command("/privacy", "export", user=SAM)

    assert answer.params["response_type"] == "ephemeral"
    assert "potluck-my-data.json" in shown(answer) and "direct message" in shown(answer)
    opened = fake.calls("conversations.open")[-1]
    assert opened.params["users"] == SAM
    completed = await fake.wait_for_call("files.completeUploadExternal")
    assert completed.params["channel_id"] == fake.dm_channels[SAM]
    file_id = completed.json_param("files")[0]["id"]
    data = json.loads(fake.uploads[file_id])
    assert data["person"]["timezone"] == "Asia/Tokyo"


class FormCog(Cog):
    """A small cog that asks with a form, like event creation can."""

    name = "formtest"
    description = "Forms on Slack."

    @command(
        "suggest",
        "Suggest a book.",
        options=[Option("title", "The book"), Option("why", "Why", long=True)],
    )
    async def suggest(
        self, inv: Invocation, title: str | None = None, why: str | None = None
    ) -> Message:
        if title is None:
            return Message(
                form=Form(
                    title="Suggest a book",
                    command="suggest",
                    fields=[
                        FormField(option="title", label="Title", required=True),
                        FormField(option="why", label="Why this one?", long=True),
                    ],
                )
            )
        return Message(text=rich(f"{inv.person.display_name} suggests {title}: {why or '-'}"))

    @command(
        "suggest-private", "Only you see it.", options=[Option("title", "The book", required=True)]
    )
    async def private(self, inv: Invocation, title: str) -> Message:
        return Message(text=rich(f"Noted {title}"), ephemeral=True)


async def test_a_form_opens_a_modal_and_its_submission_runs_the_command(
    bot: Potluck, fake: FakeSlack
) -> None:
    from bot.adapters.slack import SlackAdapter
    from tests.slack.conftest import SlackDriver

    bot.add_cog(FormCog())
    adapter = SlackAdapter(bot)
    port = (await bot.web.start([("127.0.0.1", 0)]))[0]
    slack = SlackDriver(fake=fake, adapter=adapter, url=f"http://127.0.0.1:{port}/slack/events")
    try:
        body = fake.slash_command_body(
            "/suggest", "", user_id=ANA, channel_id=GENERAL, trigger_id="111.222.abc"
        )
        assert await slack.post(body) == 200
        opened = await fake.wait_for_call("views.open")
        assert opened.params["trigger_id"] == "111.222.abc"
        view = opened.json_param("view")
        assert view["callback_id"] == "potluck-form:suggest"
        assert [b["block_id"] for b in view["blocks"]] == ["title", "why"]
        assert view["blocks"][1]["element"]["multiline"] is True
        assert view["blocks"][1]["optional"] is True

        submit = fake.view_submission_body(
            view["callback_id"],
            {"title": "Middlemarch <!channel>", "why": "Because"},
            user_id=ANA,
            private_metadata=view["private_metadata"],
        )
        assert await slack.post(submit) == 200
        posted = await fake.wait_for_call("chat.postMessage")
        assert posted.params["channel"] == GENERAL
        assert "Middlemarch &lt;!channel&gt;: Because" in shown(posted)

        # An only-to-you result of a form is an ephemeral message for the submitter.
        submit = fake.view_submission_body(
            "potluck-form:suggest-private",
            {"title": "Emma"},
            user_id=ANA,
            private_metadata=view["private_metadata"],
        )
        assert await slack.post(submit) == 200
        ephemeral = await fake.wait_for_call("chat.postEphemeral")
        assert ephemeral.params["user"] == ANA
        assert "Noted Emma" in shown(ephemeral)
    finally:
        await adapter.drain()
        await adapter.stop()
