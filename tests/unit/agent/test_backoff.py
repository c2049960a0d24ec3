"""Backoff: full jitter under an exponential cap, Retry-After honoured, reset after success (exact draws)."""

from __future__ import annotations

from edgeplane.agent import backoff
from edgeplane.client import node as hubnode


def top(a: float, b: float) -> float:
    """A draw that always returns the upper bound: exposes the cap."""
    return b


def test_caps_double_up_to_the_max_and_jitter_is_full() -> None:
    b = backoff.Backoff(initial_s=1.0, max_s=60.0, draw=top)
    assert [b.next_delay() for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    draws: list[tuple[float, float]] = []
    full = backoff.Backoff(initial_s=1.0, max_s=60.0, draw=lambda a, z: draws.append((a, z)) or a)
    assert full.next_delay() == 0.0 and draws == [(0.0, 1.0)]  # from zero: full jitter


def test_reset_starts_over() -> None:
    b = backoff.Backoff(initial_s=1.0, max_s=60.0, draw=top)
    for _ in range(5):
        b.next_delay()
    b.reset()
    assert b.next_delay() == 1.0


def test_retry_after_is_waited_plus_jitter_and_capped() -> None:
    b = backoff.Backoff(initial_s=1.0, max_s=60.0, retry_after_max_s=100.0, draw=lambda a, z: 0.0)
    assert b.next_delay(hubnode.RetryLater(429, {}, 30.0)) == 30.0
    assert b.next_delay(hubnode.RetryLater(503, {}, 10_000.0)) == 100.0
    jittered = backoff.Backoff(initial_s=1.0, draw=top)
    assert jittered.next_delay(hubnode.RetryLater(429, {}, 40.0)) == 50.0  # at most a quarter more
    no_header = backoff.Backoff(initial_s=1.0, draw=top)
    assert no_header.next_delay(hubnode.RetryLater(503, {}, None)) == 1.0  # exponential as usual
