"""Builders for placement tests: small workloads, model versions, nodes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from edgeplane import schemas
from edgeplane.hub.placement import inputs

NOW = datetime(2024, 1, 1, tzinfo=UTC)
SHA = "a" * 64


def workload(name: str, version: str, *, arch: str = "", kind: str = "device", **kw: Any) -> schemas.Workload:
    spec: dict[str, Any] = {"device": {"command": ["run"]}} if kind == "device" else {
        "cluster": {"manifests": [{"kind": "Deployment"}]}}
    return schemas.Workload(org="acme", name=name, version=version, kind=kind, arch=arch, created_at=NOW,
                            **spec, **kw)


def model(name: str, version: str, state: str = "ready") -> schemas.ModelVersion:
    return schemas.ModelVersion(
        org="acme", model=name, version=version, framework="onnx", task="", labels={}, metrics={},
        files=[{"path": "model.onnx", "size": 1, "sha256": SHA}], state=state, size=1, created_at=NOW,
    )


def node(node_id: str, props: dict[str, Any] | None = None, constraints: list[str] | None = None, *,
         arch: str = "amd64", kind: str = "device", org: str = "acme") -> inputs.Node:
    policy = schemas.NodePolicy(
        properties=[{"name": k, "value": v} for k, v in (props or {}).items()], constraints=constraints or [])
    return inputs.Node(id=node_id, org=org, kind=kind, policy=policy,  # type: ignore[arg-type]
                       builtin=[{"name": "openhorizon.arch", "value": arch}])


def deploy(name: str, workload_name: str, version: str = "[0.0.0,INFINITY)", constraints: list[str] | None = None,
           props: dict[str, Any] | None = None) -> schemas.DeploymentPolicy:
    return schemas.DeploymentPolicy(
        name=name, org="acme", workload={"name": workload_name, "version": version},
        constraints=constraints or [], properties=[{"name": k, "value": v} for k, v in (props or {}).items()])


def route(name: str, model_name: str, version: str, services: list[dict[str, Any]],
          constraints: list[str] | None = None) -> schemas.ModelPolicy:
    return schemas.ModelPolicy(name=name, org="acme", model=model_name, version=version, services=services,
                               constraints=constraints or [])
