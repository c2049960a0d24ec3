"""The hub keeping a GitOps repository current (``EDGEPLANE_GITOPS__REPO``).

For users who deliver to edge clusters through Argo CD / ACM / Flux instead of the cluster agent's
applier: whenever the placement epoch moves, the hub renders every cluster node's desired state into the
repository (one kustomize overlay per cluster, hub-side Argo CD / OCM / Flux objects) and commits with a
message saying what changed and why. The renderer makes an unchanged fleet a no-op, so a restart or a
change that touches no cluster commits nothing. It does not push: point the GitOps controller at the
repository (or push from a hook).
"""

from __future__ import annotations

import asyncio
import logging

from edgeplane.gitops import inputs, labels, manifests, render
from edgeplane.hub.settings import HubSettings
from edgeplane.hub.store import desired, nodes, orgs
from edgeplane.hub.store.db import Database
from edgeplane.schemas import desired as desired_wire

log = logging.getLogger(__name__)


def clusters(db: Database, org: str) -> list[inputs.ClusterInput]:
    """One renderer input per cluster node of ``org``, from the store."""
    out = []
    with db.begin() as s:
        o = orgs.get(s, org)
        for row in nodes.list_nodes(s, o):
            if row.kind != "cluster":
                continue
            info = nodes.to_wire(row, o)
            doc = desired.get(s, row.id)
            state = desired.to_wire(doc) if doc else desired_wire.DesiredState(org=org, node_id=row.id, generation=0)
            out.append(
                inputs.ClusterInput(
                    desired=state,
                    labels=labels.from_properties(info.policy.properties),
                    properties=[*info.builtin, *info.policy.properties],
                    name=manifests.dns_label(info.name, limit=63),
                )
            )
    return sorted(out, key=lambda c: c.cluster)


def render_once(db: Database, settings: HubSettings) -> render.RenderResult:
    g = settings.gitops
    assert g.repo is not None
    opts = inputs.RenderOptions(repo_url=g.repo_url or g.repo.resolve().as_uri(), revision=g.revision)
    return render.render(g.repo, clusters(db, g.org), commit=True, options=opts)


async def keep_current(db: Database, settings: HubSettings) -> None:
    """Render after every placement change (checked every ``interval_s``); log each commit."""
    seen = -1
    while True:
        try:
            epoch = await asyncio.to_thread(_epoch, db)
            if epoch != seen:
                result = await asyncio.to_thread(render_once, db, settings)
                seen = epoch
                if result.commit is not None:
                    log.info(
                        "gitops: committed %s to %s: %s",
                        result.commit[:12],
                        settings.gitops.repo,
                        result.message.splitlines()[0],
                    )
        except Exception:  # keep the hub serving; try again next tick
            log.exception("gitops: rendering %s failed", settings.gitops.repo)
        await asyncio.sleep(settings.gitops.interval_s)


def _epoch(db: Database) -> int:
    with db.begin() as s:
        return desired.epoch(s)
