"""The agent's conversation with the hub: desired-state long-poll, heartbeats, status deltas.

Who calls it: :mod:`edgeplane.agent.running`, which starts :func:`poll`, :func:`heartbeat` and
:func:`report` side by side. Each loop is level-triggered and forgiving: a failure never stops it, it
waits (backoff with full jitter, or the hub's ``Retry-After``) and tries again, forever. While the hub is
away the converger keeps the last good state running; the first answer after it returns converges the
node. What lives elsewhere: applying desired state (``converging``), delays (``backoff``).
"""

from __future__ import annotations

import itertools
import logging
import math
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import anyio

import edgeplane
from edgeplane.agent import backoff as delays
from edgeplane.agent.settings import SyncSettings
from edgeplane.schemas.desired import DesiredState, StatusEntry, StatusReport
from edgeplane.schemas.nodes import Heartbeat, NodeInfo
from edgeplane.schemas.policy import NodePolicy, Property

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]


class Hub(Protocol):
    """The part of :class:`edgeplane.client.node.NodeClient` the loops use (tests pass fakes)."""

    async def desired(self, after: int = -1, wait: float = 0) -> DesiredState | None: ...
    async def report_status(self, report: StatusReport) -> None: ...
    async def heartbeat(self, body: Heartbeat) -> None: ...
    async def set_policy(self, policy: NodePolicy) -> NodeInfo: ...


class Local(Protocol):
    """The part of :class:`edgeplane.agent.converging.Converger` the loops use."""

    def generation(self) -> int: ...
    def apply(self, state: DesiredState) -> None: ...
    def pending_status(self, limit: int = 500) -> tuple[list[StatusEntry], int]: ...
    def mark_reported(self, cursor: int) -> None: ...


@dataclass(frozen=True)
class Sync:
    """What the loops share. ``sleep`` and ``draw`` are parameters so tests run on fake time."""

    hub: Hub
    local: Local
    settings: SyncSettings
    policy: NodePolicy = field(default_factory=NodePolicy)
    builtin: list[Property] = field(default_factory=list)
    sleep: Sleep = anyio.sleep
    draw: delays.Draw = random.uniform


class _Retrying:
    """One loop's failure handling: back off, and log when the hub goes away and comes back, not every
    failed try. ``cap_s`` bounds a delay (the heartbeat never waits longer than one beat)."""

    def __init__(self, sync: Sync, what: str, *, cap_s: float = math.inf) -> None:
        self.what, self.failing = what, False
        self._backoff, self._sleep, self._cap_s = delays.for_sync(sync.settings, sync.draw), sync.sleep, cap_s

    async def failed(self, e: BaseException) -> None:
        """Log the failure (loudly only the first of a streak) and wait before the next try."""
        delay = min(self._backoff.next_delay(e), self._cap_s)
        level = logging.DEBUG if self.failing else logging.WARNING
        log.log(level, "%s failed (%s); next try in %.1fs", self.what, e, delay)
        self.failing = True
        await self._sleep(delay)

    def ok(self) -> None:
        self._backoff.reset()
        if self.failing:
            log.warning("%s works again", self.what)
        self.failing = False


def _rounds(rounds: int | None) -> Iterable[int]:
    """Forever, or ``rounds`` times (tests)."""
    return itertools.count() if rounds is None else range(rounds)


async def poll(sync: Sync, *, rounds: int | None = None) -> None:
    """Long-poll the desired state and apply every newer generation. ``rounds`` bounds it (tests)."""
    tries = _Retrying(sync, "desired-state poll")
    for _ in _rounds(rounds):
        try:
            state = await sync.hub.desired(after=sync.local.generation(), wait=sync.settings.wait_s)
        except Exception as e:  # the loop must outlive any one failure
            await tries.failed(e)
            continue
        tries.ok()
        if state is not None:
            log.info("desired state generation %d: %d workloads, %d endpoints", state.generation,
                     len(state.workloads), len(state.endpoints))
            sync.local.apply(state)


async def report(sync: Sync, *, rounds: int | None = None) -> None:
    """Send status deltas as they appear; a failed report is sent again (nothing is lost)."""
    tries = _Retrying(sync, "status report")
    for _ in _rounds(rounds):
        entries, cursor = sync.local.pending_status(limit=sync.settings.status_batch_max)
        if not entries:
            await sync.sleep(sync.settings.status_interval_s)
            continue
        body = StatusReport(generation=max(0, sync.local.generation()), entries=entries)
        try:
            await sync.hub.report_status(body)
        except Exception as e:  # the loop must outlive any one failure
            await tries.failed(e)
            continue
        tries.ok()
        sync.local.mark_reported(cursor)


async def heartbeat(sync: Sync, *, rounds: int | None = None) -> None:
    """Send the node policy once per start, then heartbeat every ``heartbeat_s`` (+-10% jitter)."""
    tries = _Retrying(sync, "heartbeat", cap_s=sync.settings.heartbeat_s)
    policy_sent = False
    for _ in _rounds(rounds):
        try:
            if not policy_sent:
                await sync.hub.set_policy(sync.policy)
            await sync.hub.heartbeat(Heartbeat(agent_version=edgeplane.__version__,
                                               builtin=None if policy_sent else sync.builtin))
        except Exception as e:  # the loop must outlive any one failure
            await tries.failed(e)
            continue
        tries.ok()
        policy_sent = True
        await sync.sleep(sync.settings.heartbeat_s * sync.draw(0.9, 1.1))
