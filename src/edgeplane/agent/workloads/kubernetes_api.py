"""The one small interface through which the cluster agent talks to Kubernetes.

:class:`KubeApi` is what the applier needs and nothing more: server-side apply, list by label, delete,
read a Deployment's rollout, the server's version. :mod:`edgeplane.agent.workloads.kubernetes_client`
implements it on the official ``kubernetes`` client; tests point that same implementation at an in-memory API emulator.
Failures are :class:`KubeError` with ``temporary`` saying whether a retry later may succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from edgeplane._kit.errors import Error
from edgeplane.agent.workloads import kubernetes_manifests as km


class KubeError(Error):
    """A Kubernetes API call failed. ``temporary``: retry after a delay; otherwise report and stop."""

    code: ClassVar[str] = "kubernetes-error"
    status: ClassVar[int] = 502

    def __init__(self, detail: str, *, temporary: bool, hint: str | None = None) -> None:
        super().__init__(detail, hint=hint)
        self.temporary = temporary


@dataclass(frozen=True)
class DeploymentStatus:
    name: str
    namespace: str
    replicas: int
    ready_replicas: int
    updated_replicas: int

    @property
    def ready(self) -> bool:
        return self.ready_replicas >= self.replicas and self.updated_replicas >= self.replicas


class KubeApi(Protocol):
    def apply(self, manifest: km.Manifest, *, field_manager: str) -> km.Manifest:
        """Server-side apply (forcing conflicts: the agent owns what it applies); returns the live object."""
        ...

    def list(self, api_version: str, kind: str, *, namespace: str | None, selector: str) -> list[km.Manifest]:
        """Objects of a kind whose labels match ``selector`` (``a=b,c=d``); ``namespace=None``: all."""
        ...

    def delete(self, ref: km.ObjectRef) -> bool:
        """Delete one object; ``False`` if it was already gone."""
        ...

    def deployment_status(self, namespace: str, name: str) -> DeploymentStatus | None:
        """The rollout state of a Deployment, ``None`` if it does not exist."""
        ...

    def server_version(self) -> str:
        """The API server's ``gitVersion`` from ``/version`` (e.g. ``v1.30.2+k3s1``)."""
        ...
