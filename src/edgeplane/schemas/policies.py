"""Deployment policies, model policies and inference endpoints: what the placement engine places.

Shapes only: constraint strings and version ranges are parsed by ``edgeplane.policy`` when the hub
compiles a policy (a bad one is a 422 naming the field). Open Horizon JSON is accepted as is:
``DeploymentPolicy.model_validate(oh_doc | {"name": ...})`` understands OH's ``service`` block and
``ModelPolicy.model_validate(oh_object_metadata)`` OH's ``destinationPolicy``; ``from_oh`` does the same
explicitly. Our own field names are snake_case.

Usage: ``DeploymentPolicy(name="cam", workload=WorkloadRef(name="detector", version="[1.0.0,2.0.0)"))``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from edgeplane.schemas.common import Name, Open, Version, Wire
from edgeplane.schemas.policy import Property

ANY_VERSION = "[0.0.0,INFINITY)"


class WorkloadRef(Wire):
    """Which workload a deployment policy places: ``org`` empty means the policy's own org; ``arch`` empty or
    ``*`` means any; ``version`` is an OSGi range (a bare version: that or later); ``pinned``, when given,
    further limits to exactly those versions (OH's ``serviceVersions``)."""

    org: str = Field(default="", max_length=128)
    name: Name
    arch: str = Field(default="", max_length=32)
    version: str = Field(default=ANY_VERSION, min_length=1, max_length=128)
    pinned: list[Version] = Field(default_factory=list)


class RolloutSettings(Open):
    """Placeholder for the rollouts issue (waves, gates, windows). Unknown fields are kept."""


class DeploymentPolicy(Wire):
    name: Name
    org: str = Field(default="", max_length=128)
    description: str = Field(default="", max_length=4096)
    workload: WorkloadRef
    properties: list[Property] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    rollout: RolloutSettings = Field(default_factory=RolloutSettings)

    @model_validator(mode="before")
    @classmethod
    def _accept_oh(cls, data: Any) -> Any:
        if isinstance(data, dict) and "service" in data and "workload" not in data:
            return deployment_from_oh(data)
        return data


class ServiceRef(Wire):
    """A workload a model policy routes to (OH ``services[]``); ``version`` is a range."""

    org: str = Field(default="", max_length=128)
    name: Name
    arch: str = Field(default="", max_length=32)
    version: str = Field(default=ANY_VERSION, min_length=1, max_length=128)


class ModelPolicy(Wire):
    """Routes one model version to the workloads named in ``services`` on nodes that match."""

    name: Name
    org: str = Field(default="", max_length=128)
    model: Name
    version: Version
    object_type: str = Field(default="model", min_length=1, max_length=128)
    services: list[ServiceRef] = Field(min_length=1)
    properties: list[Property] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _accept_oh(cls, data: Any) -> Any:
        if isinstance(data, dict) and "destinationPolicy" in data:
            return model_policy_from_oh(data)
        return data


class ShadowSpec(Wire):
    version: Version
    percent: float = Field(ge=0, le=100)


class Endpoint(Wire):
    """An inference endpoint: ``model`` served as ``traffic`` {version: weight} plus an optional shadow,
    on nodes that match its properties/constraints."""

    name: Name
    org: str = Field(default="", max_length=128)
    model: Name
    traffic: dict[Version, int] = Field(min_length=1)
    shadow: ShadowSpec | None = None
    properties: list[Property] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)

    @field_validator("traffic")
    @classmethod
    def _weights(cls, v: dict[str, int]) -> dict[str, int]:
        if any(w < 0 for w in v.values()) or sum(v.values()) <= 0:
            raise ValueError("weights must be >= 0 and add up to more than 0")
        return v


def _oh_version_range(v: str) -> str:
    return v if v else ANY_VERSION


def deployment_from_oh(doc: dict[str, Any], *, name: str | None = None) -> dict[str, Any]:
    """OH deployment policy JSON -> our DeploymentPolicy fields (still to be validated).

    OH keeps the policy's name in the URL, so pass ``name`` unless the document has one.
    """
    service = doc.get("service") or {}
    if not isinstance(service, dict):
        raise ValueError("'service' must be an object")
    versions = [v.get("version") for v in service.get("serviceVersions") or [] if isinstance(v, dict)]
    arch = service.get("arch") or ""
    out: dict[str, Any] = {
        "name": name or doc.get("name") or doc.get("label"),
        "description": doc.get("description", ""),
        "workload": {
            "org": service.get("org", ""), "name": service.get("name"), "arch": "" if arch == "*" else arch,
            "pinned": [v for v in versions if v is not None],
        },
        "properties": doc.get("properties") or [],
        "constraints": doc.get("constraints") or [],
    }
    if "org" in doc:
        out["org"] = doc["org"]
    return out


def model_policy_from_oh(doc: dict[str, Any], *, name: str | None = None) -> dict[str, Any]:
    """OH object (model) metadata with ``destinationPolicy`` -> our ModelPolicy fields."""
    dest = doc.get("destinationPolicy") or {}
    if not isinstance(dest, dict):
        raise ValueError("'destinationPolicy' must be an object")
    services = [
        {"org": s.get("orgID", ""), "name": s.get("serviceName"), "arch": "" if s.get("arch") in (None, "*") else
         s["arch"], "version": _oh_version_range(s.get("version") or "")}
        for s in dest.get("services") or [] if isinstance(s, dict)
    ]
    out: dict[str, Any] = {
        "name": name or doc.get("name") or doc.get("objectID"),
        "model": doc.get("objectID"),
        "version": doc.get("version"),
        "object_type": doc.get("objectType") or "model",
        "services": services,
        "properties": dest.get("properties") or [],
        "constraints": dest.get("constraints") or [],
    }
    if "destOrgID" in doc:
        out["org"] = doc["destOrgID"]
    return out


def from_oh(doc: dict[str, Any], *, name: str | None = None) -> DeploymentPolicy | ModelPolicy:
    """Any OH policy document we understand -> our wire type (raises pydantic ``ValidationError``)."""
    if "destinationPolicy" in doc:
        return ModelPolicy.model_validate(model_policy_from_oh(doc, name=name))
    return DeploymentPolicy.model_validate(deployment_from_oh(doc, name=name))
