"""The cluster applier against an in-memory Kubernetes API that the official client talks to over HTTP."""

from __future__ import annotations

import base64
import json

from tests.unit.agent.kubernetes.conftest import Cluster
from tests.unit.agent.kubernetes.kube_workloads import CTX, deployment, workload

from edgeplane.agent.workloads import kubernetes, kubernetes_client
from edgeplane.agent.workloads import kubernetes_manifests as km
from edgeplane.schemas.desired import DesiredWorkload
from edgeplane.schemas.workloads import StorageSpec


def credentials(w: DesiredWorkload) -> km.EssCredential:
    auth = {"id": f"{w.org}/{w.name}", "token": "cd" * 32, "version": w.version}
    return km.EssCredential(auth_json=json.dumps(auth), ca_pem="CA-PEM")


def applier(api: kubernetes_client.DynamicKubeApi) -> kubernetes.ClusterApplier:
    return kubernetes.ClusterApplier(api, CTX, credentials)


def ours(cluster: Cluster) -> set[tuple[str, str, str]]:
    return {k for k, v in cluster.live().items()
            if (v["metadata"].get("labels") or {}).get("app.kubernetes.io/managed-by") == "edgeplane"}


def test_first_reconcile_creates_every_object(cluster: Cluster, api: kubernetes_client.DynamicKubeApi) -> None:
    result = applier(api).reconcile([workload()])

    assert ours(cluster) == {
        ("Secret", "vision", "ess-auth-detector"), ("Secret", "vision", "ess-cert-detector"),
        ("ConfigMap", "vision", "ess-env-detector"), ("PersistentVolumeClaim", "vision", "models-detector"),
        ("Deployment", "vision", "detector"), ("Service", "vision", "detector"),
        ("ConfigMap", "edgeplane", "edgeplane-inventory-detector"),
    }
    live = cluster.live()
    auth = live["Secret", "vision", "ess-auth-detector"]["data"]["auth.json"]
    assert json.loads(base64.b64decode(auth))["id"] == "acme/detector"
    assert live["ConfigMap", "vision", "ess-env-detector"]["data"]["HZN_ESS_AUTH"] == "ess-auth-detector"
    assert live["PersistentVolumeClaim", "vision", "models-detector"]["spec"]["resources"] == {
        "requests": {"storage": "1Gi"}}
    assert len(result.applied) == 6 and result.pruned == []
    [status] = result.statuses
    assert status.key == "acme/detector@1.0.0" and status.state == "pending"  # no ready replicas yet
    assert status.detail == "detector 0/2 ready"


def test_applies_use_server_side_apply_with_a_field_manager(
    cluster: Cluster, api: kubernetes_client.DynamicKubeApi
) -> None:
    applier(api).reconcile([workload()])
    patches = [r for r in cluster.emulator._requests if r.method == "PATCH"]
    assert patches and all(r.headers["Content-Type"] == "application/apply-patch+yaml" for r in patches)
    assert all(r.params["fieldManager"] == "edgeplane-agent" and r.params["force"].lower() == "true" for r in patches)


def test_update_reapplies_changed_objects(cluster: Cluster, api: kubernetes_client.DynamicKubeApi) -> None:
    ap = applier(api)
    ap.reconcile([workload()])
    ap.reconcile([workload(version="1.1.0", image="ghcr.io/acme/detector:1.1.0")])

    live = cluster.live()
    container = live["Deployment", "vision", "detector"]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/acme/detector:1.1.0"
    inv = live["ConfigMap", "edgeplane", "edgeplane-inventory-detector"]
    assert inv["metadata"]["annotations"]["edgeplane.io/key"] == "acme/detector@1.1.0"


def test_object_dropped_from_a_new_version_is_pruned(
    cluster: Cluster, api: kubernetes_client.DynamicKubeApi
) -> None:
    ap = applier(api)
    ap.reconcile([workload()])
    result = ap.reconcile([workload(version="2.0.0", with_service=False)])

    assert ("Service", "vision", "detector") not in cluster.live()
    assert ("Deployment", "vision", "detector") in cluster.live()
    assert [(r.kind, r.name) for r in result.pruned] == [("Service", "detector")]


def test_undeploy_deletes_exactly_what_it_created_and_nothing_else(
    cluster: Cluster, api: kubernetes_client.DynamicKubeApi
) -> None:
    cluster.put("v1/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                  "metadata": {"name": "user-config", "namespace": "vision"}, "data": {"a": "b"}})
    cluster.put("apps/v1/deployments", deployment("someone-elses", "nginx") | {
        "metadata": {"name": "someone-elses", "namespace": "vision", "labels": {"edgeplane.io/workload": "x"}}})
    ap = applier(api)
    ap.reconcile([workload(), workload(name="counter", namespace="vision")])
    before = set(cluster.live())

    result = ap.reconcile([workload(name="counter", namespace="vision")])

    gone = before - set(cluster.live())
    assert gone == {
        ("Secret", "vision", "ess-auth-detector"), ("Secret", "vision", "ess-cert-detector"),
        ("ConfigMap", "vision", "ess-env-detector"), ("PersistentVolumeClaim", "vision", "models-detector"),
        ("Deployment", "vision", "detector"), ("Service", "vision", "detector"),
        ("ConfigMap", "edgeplane", "edgeplane-inventory-detector"),
    }
    assert ("ConfigMap", "vision", "user-config") in cluster.live()
    assert ("Deployment", "vision", "someone-elses") in cluster.live()
    assert ("Deployment", "vision", "counter") in cluster.live()
    assert {(s.key, s.state) for s in result.statuses} >= {("acme/detector@1.0.0", "removed")}


def test_prune_skips_an_object_that_lost_our_labels(
    cluster: Cluster, api: kubernetes_client.DynamicKubeApi
) -> None:
    ap = applier(api)
    ap.reconcile([workload()])
    # Someone took the Service over (relabelled it): it is no longer ours to delete.
    svc = cluster.live()["Service", "vision", "detector"]
    cluster.put("v1/services", svc | {"metadata": {"name": "detector", "namespace": "vision", "labels": {}}})

    ap.reconcile([])

    assert ("Service", "vision", "detector") in cluster.live()
    assert ("Deployment", "vision", "detector") not in cluster.live()


def test_a_restarted_agent_prunes_from_the_inventory(
    cluster: Cluster, api: kubernetes_client.DynamicKubeApi
) -> None:
    applier(api).reconcile([workload()])
    applier(api).reconcile([])  # a new applier: no memory but the cluster's inventory
    assert ours(cluster) == set()


def test_status_reads_ready_replicas_back(cluster: Cluster, api: kubernetes_client.DynamicKubeApi) -> None:
    ap = applier(api)
    ap.reconcile([workload()])
    dep = cluster.live()["Deployment", "vision", "detector"]
    cluster.put("apps/v1/deployments", dep | {"status": {"replicas": 2, "readyReplicas": 2, "updatedReplicas": 2}})

    [status] = ap.status([workload()])

    assert status.state == "running" and status.detail == ""
    entry = status.to_entry()
    assert entry.key == "acme/detector@1.0.0" and entry.metrics == {"ready_replicas": 2.0, "replicas": 2.0}


def test_unreachable_api_is_a_temporary_failure(tmp_path) -> None:
    from kubernetes import client as kclient

    cfg = kclient.Configuration()
    cfg.host = "http://127.0.0.1:9"  # discard port: nothing listens
    cfg.retries = 0
    api = kubernetes_client.DynamicKubeApi(kclient.ApiClient(cfg), discovery_cache=tmp_path / "d.json")
    [status] = kubernetes.ClusterApplier(api, CTX, credentials).status([workload()])
    assert status.state == "failed" and status.temporary


def test_storage_default_is_configurable(cluster: Cluster, api: kubernetes_client.DynamicKubeApi) -> None:
    ap = kubernetes.ClusterApplier(api, CTX, credentials, default_storage=StorageSpec(size="7Gi"))
    ap.reconcile([workload()])
    pvc = cluster.live()["PersistentVolumeClaim", "vision", "models-detector"]
    assert pvc["spec"]["resources"]["requests"]["storage"] == "7Gi"
