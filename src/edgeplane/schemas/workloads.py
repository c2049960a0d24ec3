"""Workloads (Open Horizon "services"): what runs at the edge and consumes models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from edgeplane.schemas.common import Name, Version, Wire
from edgeplane.schemas.models import check_relative_path
from edgeplane.schemas.nodes import NodeKind
from edgeplane.schemas.policy import Property


class DeviceSpec(Wire):
    """A supervised process: ``command`` argv, extra ``env``, and small ``files`` written beside it."""

    command: list[str] = Field(min_length=1)
    env: dict[str, str] = Field(default_factory=dict)
    files: dict[str, str] = Field(default_factory=dict, description="relative path -> text content")

    @field_validator("files")
    @classmethod
    def _paths(cls, v: dict[str, str]) -> dict[str, str]:
        for path in v:
            check_relative_path(path)
        return v


class StorageSpec(Wire):
    """Model storage for a cluster workload (a PVC)."""

    size: str = Field(default="1Gi", pattern=r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
    storage_class: str | None = None
    access_mode: Literal["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod"] = "ReadWriteOnce"


class ClusterSpec(Wire):
    """Kubernetes manifests (typically an operator or a Deployment) applied in ``namespace``."""

    manifests: list[dict[str, Any]] = Field(min_length=1)
    namespace: str | None = Field(default=None, pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    storage: StorageSpec | None = None


class WorkloadCreate(Wire):
    name: Name
    version: Version
    kind: NodeKind = "device"
    arch: str = Field(default="", max_length=32, description="empty: any architecture")
    description: str = Field(default="", max_length=4096)
    properties: list[Property] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    device: DeviceSpec | None = None
    cluster: ClusterSpec | None = None

    @model_validator(mode="after")
    def _spec_matches_kind(self) -> WorkloadCreate:
        if self.kind == "device" and (self.device is None or self.cluster is not None):
            raise ValueError("a device workload needs 'device' (command, env, files) and no 'cluster'")
        if self.kind == "cluster" and (self.cluster is None or self.device is not None):
            raise ValueError("a cluster workload needs 'cluster' (manifests) and no 'device'")
        return self


class Workload(WorkloadCreate):
    org: str
    created_at: datetime
