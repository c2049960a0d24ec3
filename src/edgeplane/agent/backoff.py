"""Reconnect delays: exponential backoff with full jitter, and the hub's ``Retry-After`` honoured.

Who calls it: the sync loops (:mod:`edgeplane.agent.syncing`) and the first registration. Full jitter
(a uniform draw between 0 and the exponential cap) spreads a fleet's reconnects after a hub restart, so
the hub never sees every agent come back at once. A 429/503 with ``Retry-After`` waits that long plus a
little jitter (never more than ``retry_after_max_s``). The random draw is a parameter so tests are exact.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from edgeplane.agent.settings import SyncSettings
from edgeplane.client import node as hubnode

Draw = Callable[[float, float], float]
"""``uniform(a, b)``: a number between a and b."""


@dataclass
class Backoff:
    initial_s: float = 1.0
    max_s: float = 60.0
    retry_after_max_s: float = 600.0
    draw: Draw = field(default=random.uniform)
    attempt: int = 0

    def cap(self) -> float:
        """The upper bound of the next ordinary delay: ``initial * 2**attempt``, at most ``max_s``."""
        return min(self.max_s, self.initial_s * 2.0 ** min(self.attempt, 62))

    def next_delay(self, error: BaseException | None = None) -> float:
        """Seconds to wait before the next try after ``error``; each call counts one more attempt."""
        retry_after = error.retry_after if isinstance(error, hubnode.RetryLater) else None
        if retry_after is not None:
            wait = min(retry_after, self.retry_after_max_s)
            delay = wait + self.draw(0.0, max(self.initial_s, wait / 4))
        else:
            delay = self.draw(0.0, self.cap())
        self.attempt += 1
        return delay

    def reset(self) -> None:
        """After a success: the next failure starts again from ``initial_s``."""
        self.attempt = 0


def for_sync(settings: SyncSettings, draw: Draw = random.uniform) -> Backoff:
    """The reconnect backoff ``settings`` describe (the sync loops and the first registration)."""
    return Backoff(initial_s=settings.backoff_initial_s, max_s=settings.backoff_max_s,
                   retry_after_max_s=settings.retry_after_max_s, draw=draw)
