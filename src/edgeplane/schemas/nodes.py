"""Nodes (devices and clusters), their registration and heartbeats."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from edgeplane.schemas.common import Name, Wire
from edgeplane.schemas.policy import NodePolicy, Property

NodeKind = Literal["device", "cluster"]


class RegistrationTokenCreate(Wire):
    description: str = Field(default="", max_length=256)
    uses: int = Field(default=1000, ge=1, le=1_000_000, description="how many nodes may register with it")
    ttl_hours: float = Field(default=24 * 7, gt=0, le=24 * 365)


class RegistrationTokenCreated(Wire):
    id: str
    org: str
    token: str
    uses: int
    expires_at: datetime


class NodeRegister(Wire):
    registration_token: str = Field(min_length=8, max_length=256)
    name: Name
    kind: NodeKind = "device"
    policy: NodePolicy = Field(default_factory=NodePolicy)
    builtin: list[Property] = Field(default_factory=list, description="openhorizon.* properties it detected")
    agent_version: str = Field(default="", max_length=64)


class NodeRegistered(Wire):
    node_id: str
    org: str
    name: str
    credential: str = Field(description="the node's own secret; shown only once")


class Heartbeat(Wire):
    agent_version: str = Field(default="", max_length=64)
    builtin: list[Property] | None = None


class NodeInfo(Wire):
    id: str
    org: str
    name: str
    kind: NodeKind
    policy: NodePolicy
    builtin: list[Property]
    agent_version: str
    registered_at: datetime
    last_seen: datetime | None
