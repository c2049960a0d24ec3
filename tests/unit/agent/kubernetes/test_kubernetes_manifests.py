"""The objects a cluster workload gets, checked field by field and against the Kubernetes API schemas."""

from __future__ import annotations

import base64
import json

import kubernetes_validate
import pytest
from kubernetes_validate import utils as kv_utils
from tests.unit.agent.kubernetes.kube_workloads import CTX, workload

from edgeplane.agent.workloads import kubernetes_manifests as km
from edgeplane.gitops import manifests
from edgeplane.schemas.workloads import StorageSpec

VERSIONS = ["1.27.0", kv_utils.latest_version()]
CRED = km.EssCredential(auth_json=json.dumps({"id": "acme/detector", "token": "ab" * 32, "version": "1.0.0"}),
                        ca_pem="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")


def by_kind(objs: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for o in objs:
        out.setdefault(o["kind"], []).append(o)
    return out


def test_workload_gets_secrets_env_storage_and_its_manifests_in_order() -> None:
    objs = km.workload_objects(workload(), CTX, CRED, default_storage=StorageSpec())
    assert [(o["kind"], o["metadata"]["name"]) for o in objs] == [
        ("Secret", "ess-auth-detector"), ("Secret", "ess-cert-detector"), ("ConfigMap", "ess-env-detector"),
        ("PersistentVolumeClaim", "models-detector"), ("Deployment", "detector"), ("Service", "detector"),
    ]
    assert {o["metadata"]["namespace"] for o in objs} == {"vision"}
    for o in objs:
        assert o["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "edgeplane"
        assert o["metadata"]["labels"]["edgeplane.io/node"] == "edge-1"
        assert o["metadata"]["labels"]["edgeplane.io/workload"] == "detector"
        assert o["metadata"]["annotations"]["edgeplane.io/owner"] == "edge-1/acme/detector"


def test_secrets_hold_auth_and_cert_under_their_keys() -> None:
    auth, cert = km.ess_secrets(workload(), CTX, "detector", CRED)
    assert json.loads(base64.b64decode(auth["data"]["auth.json"]))["id"] == "acme/detector"
    assert base64.b64decode(cert["data"]["cert.pem"]).decode() == CRED.ca_pem


def test_env_configmap_names_the_secrets_and_the_agent_service() -> None:
    cm = manifests.env_configmap(workload(), CTX, "detector")
    assert cm["data"] == {
        "HZN_ARCH": "amd64",
        "HZN_ESS_API_ADDRESS": "agent-service.edgeplane.svc.cluster.local",
        "HZN_ESS_API_PORT": "8443",
        "HZN_ESS_API_PROTOCOL": "secure",
        "HZN_ESS_AUTH": "ess-auth-detector",
        "HZN_ESS_CERT": "ess-cert-detector",
        "HZN_NODE_ID": "edge-1",
        "HZN_ORGANIZATION": "acme",
    }


def test_storage_spec_sets_size_class_and_access_mode() -> None:
    spec = StorageSpec(size="20Gi", storage_class="fast", access_mode="ReadWriteMany")
    pvc = by_kind(km.workload_objects(workload(storage=spec), CTX, CRED, default_storage=None))
    assert pvc["PersistentVolumeClaim"][0]["spec"] == {
        "accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "20Gi"}}, "storageClassName": "fast",
    }


def test_no_storage_when_neither_workload_nor_default_asks_for_it() -> None:
    objs = km.workload_objects(workload(), CTX, CRED, default_storage=None)
    assert "PersistentVolumeClaim" not in by_kind(objs)


def test_namespace_defaults_to_the_agents() -> None:
    objs = km.workload_objects(workload(namespace=None), CTX, CRED, default_storage=None)
    assert {o["metadata"]["namespace"] for o in objs} == {"edgeplane"}


@pytest.mark.parametrize(("name", "org", "expected"), [
    ("detector", "acme", "detector"),
    ("my_detector.v2", "acme", None),
    ("detector", "other", None),
])
def test_workload_id_is_a_dns_label_and_unique_when_lossy(name: str, org: str, expected: str | None) -> None:
    wid = manifests.workload_id(workload(name=name, org=org), home_org="acme")
    assert len(wid) <= 40 and wid.replace("-", "").isalnum() and wid == wid.lower()
    if expected is not None:
        assert wid == expected
    else:
        assert wid != manifests.workload_id(workload(name="detector", org="acme"), home_org="acme")


def test_inventory_round_trips() -> None:
    refs = [km.ObjectRef("v1", "Secret", "vision", "b"), km.ObjectRef("apps/v1", "Deployment", "vision", "a")]
    inv = km.read_inventory(km.inventory(workload(), CTX, "detector", refs + refs))
    assert inv is not None and inv.workload_id == "detector" and inv.key == "acme/detector@1.0.0"
    assert inv.refs == sorted(refs)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_object_validates_strictly(version: str) -> None:
    spec = StorageSpec(size="5Gi", storage_class="fast")
    objs = km.workload_objects(workload(storage=spec), CTX, CRED, default_storage=None)
    objs.append(km.inventory(workload(), CTX, "detector", [km.ObjectRef.of(o) for o in objs]))
    for obj in objs:
        kubernetes_validate.validate(obj, version, strict=True)
