"""The pacing rules as pure functions: GCRA with no burst, queue estimates, the error meter,
and the outbox row's idempotency key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import gcra
from bot.core.delivery import delivery_key
from tests.fakes.ledger import most_in_window

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("tat", "now", "interval", "ok", "new_tat", "ready_at"),
    [
        (None, T0, 6 * S, True, T0 + 6 * S, T0),  # never used
        (T0 - S, T0, 6 * S, True, T0 + 6 * S, T0),  # idle key: no credit saved up
        (T0, T0, 6 * S, True, T0 + 6 * S, T0),  # exactly on time
        (T0 + 2 * S, T0, 6 * S, False, T0 + 2 * S, T0 + 2 * S),  # too soon: come back then
    ],
)
def test_take(
    tat: datetime | None,
    now: datetime,
    interval: timedelta,
    ok: bool,
    new_tat: datetime,
    ready_at: datetime,
) -> None:
    assert gcra.take(tat, now, interval) == gcra.Turn(ok, new_tat, ready_at)


@pytest.mark.parametrize(
    ("count", "per", "interval"),
    [(10, timedelta(minutes=1), 6 * S), (1, timedelta(minutes=1), 60 * S), (120, 60 * S, S / 2)],
)
def test_interval_for(count: int, per: timedelta, interval: timedelta) -> None:
    assert gcra.interval_for(count, per) == interval


def test_a_rate_of_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        gcra.interval_for(0, timedelta(minutes=1))


@pytest.mark.parametrize(
    ("key_tat", "gates", "expected"),
    [
        (None, [], T0),
        (T0 + S, [None], T0 + S),
        (T0 + S, [T0 + 5 * S], T0 + 5 * S),  # a Retry-After hold outlasts the key
        (T0 - S, [T0 - 9 * S], T0),  # never in the past
    ],
)
def test_ready_at_is_the_latest_of_key_and_gates(
    key_tat: datetime | None, gates: list[datetime | None], expected: datetime
) -> None:
    assert gcra.ready_at(T0, key_tat, gates) == expected


def test_a_gate_with_tolerance_opens_earlier() -> None:
    gate = gcra.Gate("invalid:discord", tolerance=600 * S)
    assert gate.ready_at(T0 + 700 * S) == T0 + 100 * S
    assert gate.ready_at(None) is None


@pytest.mark.parametrize(
    ("ready", "position", "expected"),
    [(T0 + 3 * S, 0, 3 * S), (T0 + 3 * S, 4, 3 * S + 4 * 6 * S), (T0 - 3 * S, 2, 12 * S)],
)
def test_queued_waiters_are_spread_one_interval_apart(
    ready: datetime, position: int, expected: timedelta
) -> None:
    assert gcra.queued(ready, T0, position, 6 * S) == expected


def test_the_invalid_request_meter_closes_before_discords_limit() -> None:
    meter = gcra.DISCORD_INVALID_REQUESTS
    tat: datetime | None = None
    now = T0
    allowed = 0
    # A storm of invalid answers, one every 10 ms, while sends go on only when the meter is open.
    for _ in range(20_000):
        if meter.blocked_until(tat, now) is None:
            allowed += 1
            tat = meter.add(tat, now)
        now += S / 100
    # 200 seconds of storm: the meter let through at most its share of 10,000 per 10 minutes.
    assert allowed <= meter.limit * meter.share
    assert meter.blocked_until(tat, now) is not None
    assert meter.blocked_until(tat, tat - meter.tolerance) is None


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    gaps=st.lists(st.integers(min_value=0, max_value=5_000), min_size=1, max_size=200),
    interval_ms=st.integers(min_value=1, max_value=3_000),
    window_ms=st.integers(min_value=1, max_value=60_000),
)
def test_uses_that_conform_never_exceed_the_rate_in_any_window(
    gaps: list[int], interval_ms: int, window_ms: int
) -> None:
    """Whatever the arrival pattern, conforming uses are `interval` apart, so any window of
    w seconds holds at most ceil(w / interval): "N per minute" is never N + 1."""
    interval = timedelta(milliseconds=interval_ms)
    tat: datetime | None = None
    now = T0
    used: list[float] = []
    for gap in gaps:
        now += timedelta(milliseconds=gap)
        turn = gcra.take(tat, now, interval)
        if turn.ok:
            used.append((now - T0).total_seconds())
            tat = turn.tat
        else:
            assert turn.ready_at > now and turn.tat == tat
    ceiling = -(-window_ms // interval_ms)  # ceil
    assert most_in_window(used, window_ms / 1000) <= ceiling


@pytest.mark.parametrize(
    ("row_id", "created_at"),
    [
        (1, T0),
        (2**31 - 1, T0),
        (2**62, datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_delivery_keys_fit_discords_nonce(row_id: int, created_at: datetime) -> None:
    key = delivery_key(row_id, created_at)
    assert len(key) <= 25 and key == delivery_key(row_id, created_at)


def test_a_reused_row_id_gets_a_new_key() -> None:
    """SQLite hands out a deleted row's id again; its message is a different one."""
    assert delivery_key(7, T0) != delivery_key(7, T0 + timedelta(milliseconds=1))
    assert delivery_key(7, T0) != delivery_key(8, T0)


@settings(max_examples=200, derandomize=True)
@given(
    a=st.integers(min_value=0, max_value=2**40),
    b=st.integers(min_value=0, max_value=2**40),
    ms=st.integers(min_value=0, max_value=10**13),
)
def test_distinct_rows_never_share_a_key(a: int, b: int, ms: int) -> None:
    created = datetime.fromtimestamp(ms / 1000, UTC)
    assert (delivery_key(a, created) == delivery_key(b, created)) == (a == b)
