"""Call the webhooks workloads registered, on every change of their objects of that type.

Each registered URL gets a ``POST`` with the JSON list of the workload's pending objects of that type
(what ``GET /objects/{type}`` would answer, possibly empty). Calls run in the background with a timeout;
a failing or slow webhook is logged and never holds up the agent or other workloads.
"""

from __future__ import annotations

import logging

import anyio
import httpx

from edgeplane.agent.ess import objects
from edgeplane.agent.state import webhooks

log = logging.getLogger(__name__)


class Notifier:
    """Owns the HTTP client used for webhooks. ``notify`` is fire-and-forget inside ``task_group``."""

    def __init__(self, deps: objects.EssDeps, *, timeout_s: float, task_group: anyio.abc.TaskGroup,
                 client: httpx.AsyncClient | None = None) -> None:
        self._deps = deps
        self._tg = task_group
        self._client = client or httpx.AsyncClient(timeout=timeout_s)

    def notify(self, workload: str, object_types: set[str]) -> None:
        for otype in sorted(object_types):
            for url in webhooks.urls(self._deps.db, workload, otype):
                self._tg.start_soon(self._call, workload, otype, url)

    async def _call(self, workload: str, object_type: str, url: str) -> None:
        try:
            body = await objects.listing(self._deps, workload, object_type, include_received=True)
            response = await self._client.post(url, json=body)
            if response.status_code >= 400:
                log.warning("webhook %s of %s answered %s", url, workload, response.status_code)
        except (httpx.HTTPError, OSError, LookupError) as e:
            log.warning("webhook %s of %s failed: %r", url, workload, e)

    async def aclose(self) -> None:
        await self._client.aclose()
