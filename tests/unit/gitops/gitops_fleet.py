"""A three-cluster fleet for the GitOps tests."""

from __future__ import annotations

from typing import Any

from edgeplane.gitops import inputs
from edgeplane.schemas.desired import DesiredModel, DesiredState, DesiredWorkload
from edgeplane.schemas.models import FileEntry
from edgeplane.schemas.policy import Property
from edgeplane.schemas.workloads import ClusterSpec, StorageSpec

DETECTOR_DIGEST = "sha256:" + "a1" * 32
DIGESTS = {"ghcr.io/acme/detector:1.0.0": DETECTOR_DIGEST}
OPTIONS = inputs.RenderOptions(repo_url="https://git.example.com/acme/fleet.git", digests=DIGESTS)


def deployment(name: str, image: str) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "ignored"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {
                         "initContainers": [{"name": "init", "image": image}],
                         "containers": [{"name": name, "image": image,
                                         "envFrom": [{"configMapRef": {"name": f"ess-env-{name}"}}]}]}}}}


def model(version: str = "1", policy: str = "yolo-policy") -> DesiredModel:
    return DesiredModel(org="acme", name="yolo", version=version, framework="onnx", policy=policy,
                        files=[FileEntry(path="model.onnx", size=10, sha256=str(version)[0] * 64 if version.isdigit()
                                         else "f" * 64)])


def detector(version: str = "1.0.0", model_version: str = "1") -> DesiredWorkload:
    image = f"ghcr.io/acme/detector:{version}"
    return DesiredWorkload(org="acme", name="detector", version=version, kind="cluster", policy="det-policy",
                           cluster=ClusterSpec(manifests=[deployment("detector", image)], namespace="vision",
                                               storage=StorageSpec(size="5Gi", storage_class="local-path")),
                           models=[model(model_version)])


def counter() -> DesiredWorkload:
    return DesiredWorkload(org="acme", name="counter", version="2.1.0", kind="cluster", policy="count-policy",
                           cluster=ClusterSpec(manifests=[deployment("counter", "ghcr.io/acme/counter:2.1.0")]))


def cluster(node: str, labels: dict[str, str], workloads: list[DesiredWorkload], gen: int = 1) -> inputs.ClusterInput:
    return inputs.ClusterInput(
        desired=DesiredState(org="acme", node_id=node, generation=gen, workloads=workloads),
        labels=labels,
        properties=[Property(name="openhorizon.kubernetesNamespace", value="edge-agent"),
                    Property(name="openhorizon.arch", value="arm64")],
    )


def fleet(model_on_c: str = "1") -> list[inputs.ClusterInput]:
    return [
        cluster("store-a", {"region": "eu", "tier": "gold"}, [detector(), counter()]),
        cluster("store-b", {"region": "us"}, [detector()]),
        cluster("store-c", {"region": "eu", "gpu": "true"}, [detector(model_version=model_on_c)]),
    ]
