"""A BlobSource wrapper that logs where each download (re)starts and caps the download rate.

Who calls it: :mod:`edgeplane.agent.running`, around the hub client. The cap (``fetch.max_bytes_per_s``)
protects a metered or shared edge link; the log line ("fetching blob X from byte N") is how an operator,
or an end-to-end test, sees that a cut download resumed where its durable bytes end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import anyio

from edgeplane._kit.ids import Digest
from edgeplane.agent import fetching

log = logging.getLogger(__name__)


class Throttled:
    """Bytes from ``source``, at most ``bytes_per_s`` per second on average (0: no cap)."""

    def __init__(self, source: fetching.BlobSource, bytes_per_s: int = 0) -> None:
        self._source, self._rate = source, bytes_per_s

    async def open(self, digest: Digest, offset: int) -> AsyncIterator[bytes]:
        log.info("fetching blob %s from byte %d", digest, offset)
        started, sent = time.monotonic(), 0
        async for piece in self._source.open(digest, offset):
            yield piece
            sent += len(piece)
            if self._rate > 0:
                ahead = sent / self._rate - (time.monotonic() - started)
                if ahead > 0:
                    await anyio.sleep(ahead)
