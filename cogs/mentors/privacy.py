"""Export and forget for the mentors cog (the `Cog.export_person` / `forget_person` contract).

Forgetting deletes a person's profile, avoid entries (theirs, and others' entries naming
them), answers, and every match they were in, whole: the other person's history then simply
has no such match, rather than a match with a blank.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import MentorFeedbackRow
from storage.repositories import mentors as repo


class MentorData:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def export(self, community_id: int, person_id: int) -> dict[str, Any]:
        """The person's profile, avoid list, matches (date, kind, with whom, score, why) and
        answers, as JSON-ready data; {} when there is nothing."""
        async with self.db.sessions() as session:
            out: dict[str, Any] = {}
            row = await repo.profile(session, community_id, person_id)
            if row is not None:
                out["profile"] = {
                    "role": row.role,
                    "topics": list(row.topics),
                    "topics_as_typed": row.topics_text,
                    "capacity": row.capacity,
                    "organization": row.organization,
                    "library_type": row.library_type,
                    "career_stage": row.career_stage,
                    "languages": list(row.languages),
                    "paused": row.paused,
                    "paused_until": row.paused_until.isoformat() if row.paused_until else None,
                    "left_at": row.left_at.isoformat() if row.left_at else None,
                    "rounds_left_out_in_a_row": row.waited_rounds,
                }
            avoided = await repo.avoided_by(session, person_id)
            if avoided:
                out["never_matched_with"] = [p.display_name or p.external_id for p in avoided]
            matches = await repo.past_matches(session, community_id, person_id=person_id)
            people = await repo.names(session, (p for m in matches for p in m.people))
            rows = await session.execute(
                select(MentorFeedbackRow.pair_id, MentorFeedbackRow.answer).where(
                    MentorFeedbackRow.person_id == person_id
                )
            )
            answers = {pair_id: answer for pair_id, answer in rows.all()}
            if matches:
                out["matches"] = []
            for match in matches:
                found = await repo.pair(session, match.pair_id)
                out["matches"].append(
                    {
                        "round_on": match.round_on.isoformat(),
                        "kind": match.kind,
                        "with": [
                            people[p].display_name or people[p].external_id
                            for p in match.people
                            if p != person_id and p in people
                        ],
                        "score": found[0].score if found else None,
                        "why": (found[0].reasons or {}).get("why") if found else None,
                        "your_answer": answers.get(match.pair_id),
                    }
                )
            return out

    async def forget(self, session: AsyncSession, community_id: int, person_id: int) -> None:
        """Delete everything above in the caller's transaction (never commits)."""
        await repo.forget_person(session, community_id, person_id)
