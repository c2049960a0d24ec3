"""The inference server's core: the live routing table, hot swap, the infer pipeline, shadows, stats.

This is the programmatic API the agent drives in-process:

    server = InferenceServer(settings)
    result = await server.apply(config)      # hot-swap; per-version load results
    server.stats()                           # {endpoint: {version: VersionStats}}

The HTTP layer (``app``) only parses, calls ``infer`` and encodes. Routes are immutable snapshots swapped
by one assignment, so a request in flight keeps the version it picked, and a version that failed to load
or warm up never replaces a working one.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from edgeplane.serving import config, errors, metrics, router, settings, shadows, tensors, versions

log = logging.getLogger(__name__)
Outputs = dict[str, Any]


class InferenceServer:
    def __init__(self, settings_: settings.ServingSettings, *, metrics_: metrics.ServingMetrics | None = None) -> None:
        self.settings = settings_
        self.metrics = metrics_ or metrics.ServingMetrics()
        self._pool = ThreadPoolExecutor(settings_.worker_threads(), thread_name_prefix="edgeplane-infer")
        self._routes: dict[str, router.Route] = {}
        self._config = config.ServingConfig()
        self._windows: dict[tuple[str, str], tuple[versions.Version, metrics.Window]] = {}
        self._rng = random.Random(settings_.seed)
        self._lock = asyncio.Lock()
        self._shadows = shadows.ShadowRunner(self._pool, self.metrics, settings_, limit=4 * settings_.worker_threads())
        self.last_result = config.ApplyResult()

    # ---- control -------------------------------------------------------------------------------------
    async def apply(self, cfg: config.ServingConfig) -> config.ApplyResult:
        """Converge to ``cfg``: load what is new, keep what is unchanged, swap atomically, drop the rest."""
        async with self._lock:
            loaded, results = await self._load_all(cfg)
            routes = {ep.name: self._route(ep, loaded) for ep in cfg.endpoints}
            self._routes, self._config = routes, cfg  # the swap: requests from here on see the new table
            live = {(r.name, v.version): v for r in routes.values() for v in r.versions.values()}
            self._windows = {k: w for k, w in self._windows.items() if live.get(k) is w[0]}
            for key, v in live.items():
                if key not in self._windows:
                    self._windows[key] = (v, metrics.Window(self.settings.stats_window_s))
            self.last_result = config.ApplyResult(versions=results)
            for failure in self.last_result.failures():
                log.warning("version %s@%s not in service: %s", failure.endpoint, failure.version, failure.error)
            return self.last_result

    async def _load_all(
        self, cfg: config.ServingConfig
    ) -> tuple[dict[tuple[str, str], versions.Version], list[config.VersionLoad]]:
        current = {(r.name, k): v for r in self._routes.values() for k, v in r.versions.items()}
        loaded: dict[tuple[str, str], versions.Version] = {}
        jobs: dict[tuple[str, str], asyncio.Future[versions.Version]] = {}
        for ep in cfg.endpoints:
            for ver, source in ep.versions.items():
                have = current.get((ep.name, ver))
                if have is not None and have.source == source:
                    loaded[(ep.name, ver)] = have
                else:
                    jobs[(ep.name, ver)] = asyncio.ensure_future(
                        asyncio.to_thread(
                            versions.load,
                            ep.name,
                            ver,
                            source,
                            intra_op_threads=self.settings.intra_op_threads,
                            warmup=self.settings.warmup,
                            inline_budget_s=self.settings.inline_max_us / 1e6,
                        )
                    )
        results = [config.VersionLoad(endpoint=e, version=v, ok=True, reused=True) for e, v in loaded]
        for key, job in jobs.items():
            try:
                loaded[key] = await job
                results.append(config.VersionLoad(endpoint=key[0], version=key[1], ok=True))
            except Exception as e:
                self.metrics.load_failures.labels(*key).inc()
                results.append(config.VersionLoad(endpoint=key[0], version=key[1], ok=False, error=str(e)))
        return loaded, results

    def _route(self, ep: config.EndpointConfig, loaded: Mapping[tuple[str, str], versions.Version]) -> router.Route:
        have = {v: loaded[(ep.name, v)] for v in ep.versions if (ep.name, v) in loaded}
        weights = {v: w for v, w in ep.weights().items() if v in have and w > 0}
        previous = self._routes.get(ep.name)
        if not weights and previous is not None and previous.ready:
            log.warning("endpoint %s: no new version loaded; keeping the versions in service", ep.name)
            return previous
        shadow = have.get(ep.shadow.version) if ep.shadow else None
        return router.Route(
            name=ep.name,
            versions=have,
            weights=weights,
            shadow=shadow,
            shadow_fraction=(ep.shadow.percent / 100.0) if ep.shadow else 0.0,
            sticky_header=ep.sticky_header.lower() if ep.sticky_header else None,
            api_keys=frozenset(k.get_secret_value() for k in ep.api_keys),
        )

    def stats(self) -> dict[str, dict[str, config.VersionStats]]:
        """Per endpoint version: loaded, totals, and request/error counts and p50/p99 over the window."""
        now = time.monotonic()
        out: dict[str, dict[str, config.VersionStats]] = {}
        for ep in self._config.endpoints:
            route = self._routes.get(ep.name)
            per: dict[str, config.VersionStats] = {}
            for ver in ep.versions:
                entry = self._windows.get((ep.name, ver))
                loaded = route is not None and ver in route.versions
                if entry is None or not loaded:
                    per[ver] = config.VersionStats(loaded=loaded)
                    continue
                window = entry[1]
                n, errs, p50, p99 = window.summary(now)
                per[ver] = config.VersionStats(
                    loaded=True,
                    weight=route.weights.get(ver, 0) if route else 0,
                    shadow=route is not None and route.shadow is entry[0],
                    requests=window.requests,
                    errors=window.errors,
                    requests_window=n,
                    errors_window=errs,
                    p50_ms=p50,
                    p99_ms=p99,
                )
            out[ep.name] = per
        return out

    # ---- data path -----------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return all(r.ready for r in self._routes.values())

    def route(self, model: str) -> router.Route:
        found = self._routes.get(model)
        if found is None:
            raise errors.ModelNotFound(f"unknown model {model!r}")
        return found

    def models(self) -> list[str]:
        return sorted(self._routes)

    async def infer(
        self, model: str, version: str | None, request: tensors.InferRequest, headers: Mapping[str, str]
    ) -> tuple[versions.Version, Outputs]:
        """Route, run (in the worker pool unless the version is cheap enough to run here), record metrics,
        and maybe copy to the shadow."""
        route = self.route(model)
        route.authorize(headers.get(self.settings.api_key_header))
        if version is not None:
            chosen = route.version(version)
        else:
            sticky = headers.get(route.sticky_header) if route.sticky_header else None
            chosen = route.pick(self._rng, sticky)
        names = None if request.outputs is None else [o.name for o in request.outputs]
        start = time.monotonic()
        ok = False
        try:
            cost = chosen.cost  # None for hooked or costly versions: those always use the pool
            if cost is not None and cost.allows(request.inputs, self.settings.inline_max_us / 1e6):
                out = chosen.run(request.inputs, names)
                cost.observe(time.monotonic() - start, request.inputs)
            else:
                out = await asyncio.get_running_loop().run_in_executor(self._pool, chosen.run, request.inputs, names)
            ok = True
        except errors.ServingError:
            raise
        except Exception as e:
            log.exception("inference on %s@%s failed", model, chosen.version)
            raise errors.InferenceFailed(f"inference failed: {e!r}") from e
        finally:
            self._observe(chosen, time.monotonic() - start, ok)
        shadow = route.wants_shadow(self._rng) if version is None else None
        if shadow is not None and shadow is not chosen:
            self._shadows.submit(shadow, request.inputs, names, out)
        return chosen, out

    def _observe(self, v: versions.Version, latency_s: float, ok: bool) -> None:
        self.metrics.observe(v.endpoint, v.version, latency_s, ok)
        entry = self._windows.get((v.endpoint, v.version))
        if entry is not None and entry[0] is v:
            entry[1].add(time.monotonic(), latency_s, ok)

    async def settle(self) -> None:
        """Wait until the shadow copies in flight have finished (and been counted)."""
        await self._shadows.drain()

    async def aclose(self) -> None:
        await self._shadows.drain()
        self._routes = {}
        self._pool.shutdown(wait=True, cancel_futures=True)
