"""Statements compiled once and sent straight to SQLite (storage/prepared.py): they read what
the session reads, their writes keep the order given, go with the COMMIT in its trip, and a
failed transaction keeps none of them. Both databases, unless a test says otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import CommunityRow, OutboxRow
from storage.prepared import Prepared, rows_together, sqlite_driver
from storage.repositories import outbox_later as outbox_repo

COMMUNITIES: Table = CommunityRow.__table__  # type: ignore[assignment]
WHEN = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

BY_IDS = Prepared(
    select(COMMUNITIES.c.id, COMMUNITIES.c.external_id, COMMUNITIES.c.settings)
    .add_columns(COMMUNITIES.c.created_at)
    .where(COMMUNITIES.c.external_id.in_(bindparam("ids", expanding=True)))
    .order_by(COMMUNITIES.c.id)
)
NAME_OF = Prepared(select(COMMUNITIES.c.name).where(COMMUNITIES.c.external_id == bindparam("x")))
RENAME = Prepared(
    update(COMMUNITIES)
    .where(COMMUNITIES.c.external_id == bindparam("x"))
    .values(name=bindparam("n"))
)
ADD = insert(COMMUNITIES)


def community(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "platform": "console",
        "external_id": f"c{n}",
        "name": f"Community {n}",
        "settings": {"n": n, "tz": "Europe/Oslo"},
        "created_at": WHEN + timedelta(minutes=n),
        **extra,
    }


async def names(database: Database) -> dict[str, str]:
    async with database.transaction() as session:
        rows = (await session.execute(select(CommunityRow.external_id, CommunityRow.name))).all()
    return {x: name for x, name in rows}


async def test_rows_are_what_the_session_reads(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(ADD, [community(n) for n in range(5)])
    async with database.transaction() as session:
        ours = await BY_IDS.rows(session, {"ids": ["c3", "c1", "c9"]})
        theirs = (await session.execute(BY_IDS.statement, {"ids": ["c3", "c1", "c9"]})).all()
        (alone,) = await BY_IDS.rows(session, {"ids": ["c4"]})
    assert [tuple(r) for r in ours] == [tuple(r) for r in theirs]
    assert [r.external_id for r in ours] == ["c1", "c3"]
    assert ours[0].settings == {"n": 1, "tz": "Europe/Oslo"}  # JSON comes back as a dict
    assert ours[0].created_at == WHEN + timedelta(minutes=1)  # aware, in UTC
    assert ours[0].created_at.tzinfo is not None
    assert alone.external_id == "c4"


async def test_writes_sent_later_are_seen_by_the_next_read_and_kept(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(ADD, [community(1), community(2)])
    async with database.transaction() as session:
        await RENAME.send_later(session, {"x": "c1", "n": "Renamed"})
        (row,) = await NAME_OF.rows(session, {"x": "c1"})
        assert row.name == "Renamed"
        await RENAME.send_later(session, {"x": "c1", "n": "Renamed again"})
        read = await session.scalar(select(CommunityRow.name).where(CommunityRow.id == 1))
        assert read == "Renamed again"  # the session's own statements see it too
        await RENAME.send_later(session, {"x": "c2", "n": "Renamed too"})  # goes with the COMMIT
    assert await names(database) == {"c1": "Renamed again", "c2": "Renamed too"}


async def test_rows_given_to_write_later_go_before_writes_sent_after_them(
    database: Database,
) -> None:
    async with database.transaction() as session:
        Database.write_later(session, ADD, community(1))
        await RENAME.send_later(session, {"x": "c1", "n": "Renamed"})  # needs the row first
    assert await names(database) == {"c1": "Renamed"}


async def test_a_failed_transaction_keeps_none_of_its_writes(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(ADD, [community(1)])
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            await RENAME.send_later(session, {"x": "c1", "n": "Renamed"})
            raise RuntimeError("refused after writing")
    async with database.transaction() as session:  # the next one commits without it
        await prepared_insert().send_later(session, community(2))
    assert await names(database) == {"c1": "Community 1", "c2": "Community 2"}
    # A write sent later that fails fails the commit, and the one before it is not kept.
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            await RENAME.send_later(session, {"x": "c1", "n": "Renamed"})
            await prepared_insert().send_later(session, community(1))  # c1 exists already
    assert await names(database) == {"c1": "Community 1", "c2": "Community 2"}
    async with database.transaction() as session:  # the connection is still usable
        assert [r.name for r in await NAME_OF.rows(session, {"x": "c1"})] == ["Community 1"]


def prepared_insert() -> Prepared:
    return Prepared(insert(COMMUNITIES))


async def test_on_sqlite_reads_together_are_one_trip_and_the_writes_go_with_the_commit(
    database: Database,
) -> None:
    if not database.is_sqlite:
        pytest.skip("trips to aiosqlite's thread are SQLite's")
    async with database.transaction() as session:
        await session.execute(ADD, [community(1), community(2)])
    async with database.transaction() as session:
        driver = await sqlite_driver(session)
        assert driver is not None
        trips = driver.trips
        first, second = await rows_together(
            session, (NAME_OF, {"x": "c1"}), (BY_IDS, {"ids": ["c2"]})
        )
        await RENAME.send_later(session, {"x": "c1", "n": "Renamed"})
        await RENAME.send_later(session, {"x": "c2", "n": "Renamed too"})
    # BEGIN IMMEDIATE and both reads, then both UPDATEs and the COMMIT.
    assert driver.trips - trips == 2
    assert first[0].name == "Community 1" and second[0].external_id == "c2"
    assert await names(database) == {"c1": "Renamed", "c2": "Renamed too"}


async def test_the_newest_pending_edit_wins_and_a_sent_one_is_not_overwritten(
    database: Database,
) -> None:
    def edit(text: str) -> dict[str, Any]:
        return {
            "platform": "console",
            "community_id": None,
            "kind": "card-edit",
            "destination_kind": "channel",
            "destination_id": "general",
            "fallback_channel_id": None,
            "timezone": None,
            "payload": text,
            "due_at": WHEN,
            "expires_at": None,
            "dedupe_key": None,
            "coalesce_key": "event:1:edit",
            "collapse_key": None,
            "edit_of": "event:1:card",
            "status": "pending",
            "attempts": 0,
            "created_at": WHEN,
            "maybe_sent": False,
        }

    for text in ("v1", "v2", "v3"):
        async with database.transaction() as session:
            await outbox_repo.replace_or_insert(session, edit(text))
    async with database.transaction() as session:
        await session.execute(update(OutboxRow).values(status="sent"))
        await outbox_repo.replace_or_insert(session, edit("v4"))
        await outbox_repo.replace_or_insert(session, edit("v5"))
    async with database.transaction() as session:
        rows = (await session.execute(select(OutboxRow.payload, OutboxRow.status))).all()
    assert sorted(rows) == [("v3", "sent"), ("v5", "pending")]
