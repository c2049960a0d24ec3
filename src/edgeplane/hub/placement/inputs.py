"""What the placement engine is fed: nodes and a full snapshot of everything placement depends on.

Workloads, model versions and policies are the shared wire types from ``edgeplane.schemas``; a node is
reduced to what placement reads. Built by the hub store integration (or tests, or the bench).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from edgeplane import schemas


@dataclasses.dataclass(frozen=True)
class Node:
    """``policy`` is the OH node policy (its ``deployment`` section is honoured); ``builtin`` are the
    ``openhorizon.*`` properties the agent reported."""

    id: str
    org: str
    kind: schemas.NodeKind = "device"
    policy: schemas.NodePolicy = dataclasses.field(default_factory=schemas.NodePolicy)
    builtin: Sequence[schemas.Property | dict[str, Any]] = ()

    @classmethod
    def from_info(cls, info: schemas.NodeInfo) -> Node:
        return cls(id=info.id, org=info.org, kind=info.kind, policy=info.policy, builtin=tuple(info.builtin))


@dataclasses.dataclass(frozen=True)
class Snapshot:
    nodes: Sequence[Node] = ()
    workloads: Sequence[schemas.Workload] = ()
    deployment_policies: Sequence[schemas.DeploymentPolicy] = ()
    model_versions: Sequence[schemas.ModelVersion] = ()
    model_policies: Sequence[schemas.ModelPolicy] = ()
    endpoints: Sequence[schemas.Endpoint] = ()
