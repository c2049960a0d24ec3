"""What the GitOps renderer takes: one :class:`ClusterInput` per cluster node, and :class:`RenderOptions`.

``labels`` are the node's Kubernetes-style labels (they become the Placement / Application / Flux
selectors and labels); ``properties`` are its policy properties, of which ``openhorizon.kubernetesNamespace``
(the agent's namespace, default ``edgeplane``) and ``openhorizon.arch`` are used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import Field, field_validator

from edgeplane.gitops import labels, manifests
from edgeplane.schemas.common import Wire
from edgeplane.schemas.desired import DesiredState
from edgeplane.schemas.policy import Property


class ClusterInput(Wire):
    """One cluster node: its desired state, labels and properties; ``name`` is its Argo CD / ACM cluster name
    (default: the node id)."""

    desired: DesiredState
    labels: dict[str, str] = Field(default_factory=dict)
    properties: list[Property] = Field(default_factory=list)
    name: str | None = Field(default=None, pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: dict[str, str]) -> dict[str, str]:
        for key, value in v.items():
            if not labels.KEY.match(key) or not labels.VALUE.match(value):
                raise ValueError(f"{key}={value!r} is not a valid Kubernetes label")
        return v

    @property
    def cluster(self) -> str:
        return self.name or manifests.dns_label(self.desired.node_id, limit=63)

    def prop(self, name: str, default: str) -> str:
        for p in self.properties:
            if p.name == name:
                return str(p.value)
        return default


@dataclass(frozen=True)
class RenderOptions:
    """Where clusters pull from and how the hub-side objects are named. ``digests`` maps an image reference as
    written in a workload's manifests (``ghcr.io/acme/det:1.2``) to its digest (``sha256:<hex>``)."""

    repo_url: str = "https://git.example.com/edgeplane/fleet.git"
    revision: str = "main"
    digests: dict[str, str] = field(default_factory=dict)
    argocd_namespace: str = "openshift-gitops"
    cluster_set: str = "default"
    flux_namespace: str = "flux-system"
    default_namespace: str = "edgeplane"
    sync_interval: str = "5m"
