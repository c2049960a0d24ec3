"""The hub ASGI app, built by :func:`create_app` from one settings object.

Long-lived resources (database engine, blob store, metrics) are created here, or passed in by tests
through ``deps``; the app holds them on ``app.state.hub``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from edgeplane import __version__
from edgeplane.artifacts.fs import FsBlobStore
from edgeplane.hub import bootstrap, errors, gitopsing, waiting
from edgeplane.hub.api import blobs, desired, health, models, nodes, orgs, policies, workloads
from edgeplane.hub.auth import TokenCache
from edgeplane.hub.deps import Hub
from edgeplane.hub.docs import DocCache
from edgeplane.hub.metrics import HubMetrics
from edgeplane.hub.placing import Placement
from edgeplane.hub.settings import HubSettings
from edgeplane.hub.store import db
from edgeplane.hub.waiting import Waiters

log = logging.getLogger("edgeplane.hub")


def build_deps(settings: HubSettings) -> Hub:
    database = db.connect(settings)
    waiters, docs = Waiters(), DocCache()
    return Hub(
        settings=settings,
        db=database,
        blobs=FsBlobStore(settings.artifact_root()),
        metrics=HubMetrics(),
        placement=Placement(database, waiters, docs),
        waiters=waiters,
        docs=docs,
        tokens=TokenCache(settings.auth.cache_seconds),
    )


def create_app(settings: HubSettings, *, deps: Hub | None = None) -> FastAPI:
    hub = deps or build_deps(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db.migrate(hub.db)
        if settings.auth.bootstrap:
            token = bootstrap.bootstrap(settings, hub.db)
            if token:  # shown once, on the console that started the hub
                path = settings.data_dir / "admin-token"
                print(f"created org 'default'; admin token (also in {path}):\n{token}", flush=True)
        hub.waiters.bind(asyncio.get_running_loop())
        placed = await asyncio.to_thread(hub.placement.recompute)
        log.info("placement: %d node(s) placed", placed)
        watcher = asyncio.create_task(
            waiting.watch_store(hub.db, hub.waiters, hub.docs, settings.placement.watch_interval)
        )
        tasks = [watcher]
        if settings.gitops.repo is not None:
            tasks.append(asyncio.create_task(gitopsing.keep_current(hub.db, settings)))
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if deps is None:
            hub.db.engine.dispose()

    app = FastAPI(title="edgeplane hub", version=__version__, lifespan=lifespan)
    app.state.hub = hub
    errors.install(app, hub.metrics)
    for module in (health, orgs, models, blobs, nodes, desired, workloads, policies):
        app.include_router(module.router)
    return app


def create_app_from_env() -> FastAPI:
    """Entry point for ASGI servers started by ``edgeplane hub serve`` (settings from EDGEPLANE_* env)."""
    return create_app(HubSettings())
