"""Read the GitOps renderer's input from the hub, and keep a repository current (``gitops render|watch``).

Who calls it: :mod:`edgeplane.cli.gitops`. Every node of kind ``cluster`` in the org becomes one
:class:`~edgeplane.gitops.inputs.ClusterInput`: its desired state (``GET .../nodes/{id}/desired``), its
properties (built-in ``openhorizon.*`` plus its policy's), and its labels. Labels are the node policy's own
properties whose name and value are valid Kubernetes label key and value (``region=eu``, ``tier=gold``);
``openhorizon.*`` properties are left out. The cluster name is the node name as a DNS-1123 label.

``watch`` is the hub-side option in its simplest form: a loop beside the hub that re-renders every interval
and commits only when the tree changed (the renderer makes an unchanged fleet a no-op).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from edgeplane.client.hub import HubClient
from edgeplane.gitops import inputs, labels, manifests, render


def cluster_inputs(hub: HubClient, org: str) -> list[inputs.ClusterInput]:
    """One renderer input per cluster node of ``org``, sorted by cluster name."""
    clusters = []
    for node in hub.list_nodes(org):
        if node.kind != "cluster":
            continue
        clusters.append(inputs.ClusterInput(
            desired=hub.node_desired(org, node.id), labels=labels.from_properties(node.policy.properties),
            properties=[*node.builtin, *node.policy.properties], name=manifests.dns_label(node.name, limit=63)))
    return sorted(clusters, key=lambda c: c.cluster)


def watch(
    hub: HubClient, org: str, repo: Path, opts: inputs.RenderOptions, *, interval_s: float, count: int = 0,
    on_commit: Callable[[render.RenderResult], None] = lambda _r: None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Render and commit every ``interval_s`` (``count`` passes, 0: forever); returns the commits made."""
    commits, passes = 0, 0
    while True:
        result = render.render(repo, cluster_inputs(hub, org), commit=True, options=opts)
        if result.commit is not None:
            commits += 1
            on_commit(result)
        passes += 1
        if count and passes >= count:
            return commits
        sleep(interval_s)
