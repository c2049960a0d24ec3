"""Shadow traffic: run a copy of a request on the shadow version, compare, record, drop the answer.

Shadow work never touches the caller: it starts after the primary answered, its failures are only
counted, and when too many shadow calls are in flight new copies are skipped rather than queued, so a
slow shadow cannot starve the versions in service.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from edgeplane.serving import metrics, settings, versions

log = logging.getLogger(__name__)


class ShadowRunner:
    def __init__(
        self, pool: Executor, metrics_: metrics.ServingMetrics, settings_: settings.ServingSettings, *, limit: int
    ) -> None:
        self._pool = pool
        self._metrics = metrics_
        self._rtol, self._atol = settings_.shadow_rtol, settings_.shadow_atol
        self._limit = limit
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(
        self,
        shadow: versions.Version,
        inputs: dict[str, Any],
        names: Sequence[str] | None,
        primary: dict[str, Any],
    ) -> None:
        if len(self._tasks) >= self._limit:
            return
        task = asyncio.get_running_loop().create_task(self._run(shadow, inputs, names, primary))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(
        self, shadow: versions.Version, inputs: dict[str, Any], names: Sequence[str] | None, primary: dict[str, Any]
    ) -> None:
        labels = (shadow.endpoint, shadow.version)
        self._metrics.shadow_requests.labels(*labels).inc()
        try:
            out = await asyncio.get_running_loop().run_in_executor(self._pool, shadow.run, inputs, names)
        except Exception as e:  # a shadow failure is a metric, never the caller's problem
            log.debug("shadow %s@%s failed: %r", *labels, e)
            self._metrics.shadow_errors.labels(*labels).inc()
            return
        if not self.agrees(primary, out):
            self._metrics.shadow_disagreements.labels(*labels).inc()

    def agrees(self, primary: dict[str, Any], shadow: dict[str, Any]) -> bool:
        """Same output names, shapes and values (floats within tolerance)."""
        if set(primary) != set(shadow):
            return False
        for name, a in primary.items():
            a, b = np.asarray(a), np.asarray(shadow[name])
            if a.shape != b.shape:
                return False
            if a.dtype.kind in "fc" and b.dtype.kind in "fc":
                if not np.allclose(a, b, rtol=self._rtol, atol=self._atol, equal_nan=True):
                    return False
            elif not np.array_equal(a, b):
                return False
        return True

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
