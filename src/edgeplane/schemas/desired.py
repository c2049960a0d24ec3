"""Desired state: the per-node document the hub derives and the agent converges to."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from edgeplane.schemas.common import Wire
from edgeplane.schemas.models import FileEntry
from edgeplane.schemas.nodes import NodeKind
from edgeplane.schemas.workloads import ClusterSpec, DeviceSpec


class DesiredModel(Wire):
    """One model version routed to a workload (or an endpoint) on this node."""

    org: str
    name: str
    version: str
    framework: str
    object_type: str = Field(default="model", description="ESS objectType the workload sees")
    files: list[FileEntry]
    policy: str = Field(default="", description="model policy that routed it")

    @property
    def key(self) -> str:
        return f"{self.org}/{self.name}@{self.version}"


class DesiredWorkload(Wire):
    org: str
    name: str
    version: str
    kind: NodeKind
    arch: str = ""
    device: DeviceSpec | None = None
    cluster: ClusterSpec | None = None
    models: list[DesiredModel] = Field(default_factory=list)
    policy: str = Field(default="", description="deployment policy that placed it")


class Shadow(Wire):
    version: str
    percent: float = Field(ge=0, le=100)


class DesiredEndpoint(Wire):
    """An inference endpoint: a model name served with a traffic split and an optional shadow."""

    name: str
    model: str
    traffic: dict[str, int]
    shadow: Shadow | None = None
    versions: list[DesiredModel]


class DesiredState(Wire):
    org: str
    node_id: str
    generation: int = Field(ge=0)
    workloads: list[DesiredWorkload] = Field(default_factory=list)
    endpoints: list[DesiredEndpoint] = Field(default_factory=list)
    computed_at: datetime | None = None


ObjectState = Literal["pending", "downloading", "verified", "active", "failed", "removed", "running", "stopped"]


class StatusEntry(Wire):
    """What a node reports for one object: ``kind`` workload|model|endpoint, ``key`` e.g. ``org/name@ver``."""

    kind: Literal["workload", "model", "endpoint"]
    key: str = Field(min_length=1, max_length=512)
    state: ObjectState
    detail: str = Field(default="", max_length=2048)
    bytes_done: int | None = Field(default=None, ge=0)
    metrics: dict[str, float] = Field(default_factory=dict)


class StatusReport(Wire):
    """A delta: only entries that changed since the last report."""

    generation: int = Field(ge=0)
    entries: list[StatusEntry] = Field(default_factory=list, max_length=10_000)
