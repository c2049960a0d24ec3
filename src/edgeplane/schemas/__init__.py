"""Wire types shared by hub, agent, client and CLI (pydantic).

Usage: ``from edgeplane.schemas import VersionCreate``.
"""

from edgeplane.schemas.auth import (
    ROLE_RANK,
    Org,
    OrgCreate,
    Role,
    TokenCreate,
    TokenCreated,
    TokenInfo,
    User,
    UserCreate,
    WhoAmI,
)
from edgeplane.schemas.common import ErrorBody, Name, Sha256, Version, Wire
from edgeplane.schemas.desired import (
    DesiredEndpoint,
    DesiredModel,
    DesiredState,
    DesiredWorkload,
    ObjectState,
    Shadow,
    StatusEntry,
    StatusReport,
)
from edgeplane.schemas.models import (
    FileEntry,
    MissingBlob,
    Model,
    ModelCreate,
    ModelVersion,
    UploadStatus,
    VersionCreate,
    VersionUploadPlan,
)
from edgeplane.schemas.nodes import (
    Heartbeat,
    NodeInfo,
    NodeKind,
    NodeRegister,
    NodeRegistered,
    RegistrationTokenCreate,
    RegistrationTokenCreated,
)
from edgeplane.schemas.policy import NodePolicy, PolicySection, Property, PropertyType
from edgeplane.schemas.workloads import ClusterSpec, DeviceSpec, StorageSpec, Workload, WorkloadCreate

__all__ = [
    "ROLE_RANK",
    "ClusterSpec",
    "DesiredEndpoint",
    "DesiredModel",
    "DesiredState",
    "DesiredWorkload",
    "DeviceSpec",
    "ErrorBody",
    "FileEntry",
    "Heartbeat",
    "MissingBlob",
    "Model",
    "ModelCreate",
    "ModelVersion",
    "Name",
    "NodeInfo",
    "NodeKind",
    "NodePolicy",
    "NodeRegister",
    "NodeRegistered",
    "ObjectState",
    "Org",
    "OrgCreate",
    "PolicySection",
    "Property",
    "PropertyType",
    "RegistrationTokenCreate",
    "RegistrationTokenCreated",
    "Role",
    "Sha256",
    "Shadow",
    "StatusEntry",
    "StatusReport",
    "StorageSpec",
    "TokenCreate",
    "TokenCreated",
    "TokenInfo",
    "UploadStatus",
    "User",
    "UserCreate",
    "Version",
    "VersionCreate",
    "VersionUploadPlan",
    "WhoAmI",
    "Wire",
    "Workload",
    "WorkloadCreate",
]
