"""Long-poll wake-ups: requests waiting for a node's desired state, woken when it changes.

Writers (sync handlers on worker threads) call :meth:`Waiters.wake`; it hops onto the event loop.
A poller (:func:`watch_store`) wakes waiters for changes other hub replicas wrote, by following the
``seq`` the store stamps on each desired row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Iterator

from edgeplane.hub.docs import DocCache
from edgeplane.hub.store import desired
from edgeplane.hub.store.db import Database

log = logging.getLogger(__name__)


class Waiters:
    def __init__(self) -> None:
        self._events: dict[str, set[asyncio.Event]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    @contextlib.contextmanager
    def subscribe(self, node_id: str) -> Iterator[asyncio.Event]:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        event = asyncio.Event()
        self._events.setdefault(node_id, set()).add(event)
        try:
            yield event
        finally:
            group = self._events.get(node_id)
            if group is not None:
                group.discard(event)
                if not group:
                    del self._events[node_id]

    def wake(self, node_ids: Iterable[str]) -> None:
        """Thread-safe: wake every request waiting on one of ``node_ids``."""
        ids = [n for n in node_ids if n in self._events]
        if ids and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake, ids)

    def _wake(self, ids: list[str]) -> None:
        for node_id in ids:
            for event in self._events.get(node_id, ()):
                event.set()

    @property
    def waiting(self) -> int:
        return sum(len(v) for v in self._events.values())


async def watch_store(db: Database, waiters: Waiters, docs: DocCache, interval: float) -> None:
    """Follow desired-state writes made by any replica: drop stale cached documents and wake the local
    waiters they concern."""
    seq = await asyncio.to_thread(_current_seq, db)
    while True:
        await asyncio.sleep(interval)
        try:
            changed = await asyncio.to_thread(_changed, db, seq)
        except Exception:  # a database blip: try again next tick
            log.warning("desired-state watch failed; retrying", exc_info=True)
            continue
        if changed:
            seq = max(s for _, s, _ in changed)
            stale = [n for n, _, gen in changed if (d := docs.get(n)) is None or d.generation < gen]
            docs.drop(stale)
            waiters.wake(stale)


def _current_seq(db: Database) -> int:
    with db.begin() as s:
        return desired.epoch(s)


def _changed(db: Database, seq: int) -> list[tuple[str, int, int]]:
    with db.begin() as s:
        return desired.changed_since(s, seq)
