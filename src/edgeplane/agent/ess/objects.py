"""What a workload sees through the ESS: its routes joined with the model versions they serve."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread

from edgeplane.agent import layout as paths
from edgeplane.agent.ess import bundles, metadata
from edgeplane.agent.state import credentials, routes, versions
from edgeplane.agent.state import db as statedb


@dataclass(frozen=True)
class EssDeps:
    """What the ESS app reads: local state and the node's identity."""

    db: statedb.StateDb
    layout: paths.Layout
    org: str
    node_id: str
    arch: str
    on_deleted_ack: Callable[[], None] | None = None
    """Called after a workload acked a deletion (the agent wakes its converger to remove the files)."""


async def describe(deps: EssDeps, route: routes.Route) -> dict[str, Any]:
    row = versions.get(deps.db, route.model_key)
    if row is None:  # the version row outlives every route that points at it; be defensive anyway
        raise LookupError(route.model_key)
    model = row.model
    version_dir = deps.layout.version_dir(model.org, model.name, model.version)
    size = 0
    if not route.deleted:
        size = (await data_file(deps, route)).stat().st_size
    return metadata.render(route, model, org=deps.org, node_id=deps.node_id, arch=deps.arch,
                           workload_version=credentials.version(deps.db, route.workload),
                           size=size, version_dir=version_dir)


async def data_file(deps: EssDeps, route: routes.Route) -> Path:
    row = versions.get(deps.db, route.model_key)
    if row is None:
        raise LookupError(route.model_key)
    return await anyio.to_thread.run_sync(bundles.data_path, deps.layout, row.model)


async def listing(deps: EssDeps, workload: str, object_type: str, *,
                  include_received: bool) -> list[dict[str, Any]]:
    found = routes.listing(deps.db, workload, object_type, include_received=include_received)
    return [await describe(deps, r) for r in found]
