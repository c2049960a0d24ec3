"""Desired cluster workloads for the tests."""

from __future__ import annotations

from typing import Any

from edgeplane.gitops import manifests
from edgeplane.schemas.desired import DesiredWorkload
from edgeplane.schemas.workloads import ClusterSpec, StorageSpec

CTX = manifests.ClusterContext(node_id="edge-1", org="acme", namespace="edgeplane", arch="amd64")


def deployment(name: str, image: str, replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{
                    "name": name, "image": image,
                    "envFrom": [{"configMapRef": {"name": f"ess-env-{name}"}}],
                }]},
            },
        },
    }


def service(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}}


def workload(
    name: str = "detector",
    version: str = "1.0.0",
    *,
    image: str = "ghcr.io/acme/detector:1.0.0",
    namespace: str | None = "vision",
    storage: StorageSpec | None = None,
    with_service: bool = True,
    org: str = "acme",
) -> DesiredWorkload:
    objs = [deployment(name, image)] + ([service(name)] if with_service else [])
    return DesiredWorkload(org=org, name=name, version=version, kind="cluster",
                           cluster=ClusterSpec(manifests=objs, namespace=namespace, storage=storage),
                           policy="det-policy")
