"""Mentor matching and peer chats across libraries.

The pure core: value types (`participants`), topic normalisation (`topics`), working hours
across time zones (`hours`), the score of a pair (`scoring`, with its bulk twin `matrix`), the
optimal round (`solver`) and the words that explain it (`explain`). Around it: each
community's topic list (`vocabulary`), profiles (`profiles`), rounds with their intros and
check-ins (`rounds`), rounds on a cadence (`schedules`), numbers for moderators (`stats`),
export and forget (`privacy`) and the thin `/mentor` commands (`commands`, with
`/mentor topics` in `topic_commands`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Potluck


async def setup(bot: Potluck) -> None:
    # Imported here, so the pure core (and bench/matching.py) loads without the bot.
    from cogs.mentors.commands import MentorsCog
    from cogs.mentors.settings import MentorsSettings

    bot.add_cog(MentorsCog(bot, bot.cog_settings(MentorsSettings, "mentors")))
