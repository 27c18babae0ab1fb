from bot.core.messages import plain
from bot.testing import Conversation


async def test_help_answers(chat: Conversation) -> None:
    reply = await chat.say("/help")
    assert reply.ephemeral
    names = " ".join(f.name for f in reply.fields) + plain([s for f in reply.fields for s in f.value])
    assert "/timezone set" in names
    assert "/timezone community" not in names  # moderator-only
