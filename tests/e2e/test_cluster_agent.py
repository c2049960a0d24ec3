"""End to end, real processes: hub + cluster agent (``--kind cluster``) against an in-memory Kubernetes API.

The emulator (:mod:`tests.kube_emulator`) runs in this test process; the agent reaches it over HTTP through a
kubeconfig the test writes. The cluster workload is a Deployment that names the ``ess-env-<id>`` ConfigMap
(``envFrom``) and the ``ess-auth-<id>`` / ``ess-cert-<id>`` Secrets (volumes), as an OH cluster service does.
No kubelet runs it, so the test acts as the workload: it reads the two Secrets back from the emulator and calls
the ESS over TCP+TLS with them. Deploy, a model update plus a workload update, and an undeploy follow; the
emulator's objects are checked at each step.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests import kube_emulator
from tests.e2e import procs

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

NS = "edge"
OWNER = {"app.kubernetes.io/managed-by": "edgeplane", "edgeplane.io/workload": "detector"}


def deployment(replicas: int) -> dict[str, Any]:
    pod = {"containers": [{"name": "detector", "image": "example/detector:1",
                           "envFrom": [{"configMapRef": {"name": "ess-env-detector"}}],
                           "volumeMounts": [{"name": "auth", "mountPath": "/ess-auth"},
                                            {"name": "cert", "mountPath": "/ess-cert"},
                                            {"name": "models", "mountPath": "/models"}]}],
           "volumes": [{"name": "auth", "secret": {"secretName": "ess-auth-detector"}},
                       {"name": "cert", "secret": {"secretName": "ess-cert-detector"}},
                       {"name": "models", "persistentVolumeClaim": {"claimName": "models-detector"}}]}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "detector"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "detector"}},
                     "template": {"metadata": {"labels": {"app": "detector"}}, "spec": pod}}}


def publish(hub: procs.HubProcess, version: str, manifests: list[dict[str, Any]]) -> None:
    with procs.admin(hub) as c:
        procs.call(c, "POST", "/workloads", {"name": "detector", "version": version, "kind": "cluster",
                                             "cluster": {"manifests": manifests, "namespace": NS}})


def route_model(hub: procs.HubProcess, version: str, *, create: bool) -> None:
    body = {"name": "det-mp", "model": "det", "version": version, "services": [{"name": "detector"}]}
    with procs.admin(hub) as c:
        procs.call(c, "POST" if create else "PUT", "/model-policies" + ("" if create else "/det-mp"), body)


@contextmanager
def cluster_agent(tmp: Path, hub: procs.HubProcess, kubeconfig: Path, port: int) -> Iterator[procs.AgentProcess]:
    data_dir, log = tmp / "agent", tmp / "agent.log"
    args = [*procs.EDGEPLANE, "agent", "run", "--kind", "cluster", "--kubeconfig", str(kubeconfig),
            "--namespace", NS, "--ess-host", "127.0.0.1", "--ess-port", str(port), "--hub", hub.url,
            "--registration-token", procs.registration_token(hub), "--data-dir", str(data_dir), "--name", "k3s-1"]
    fast = {"EDGEPLANE_AGENT_SYNC__BACKOFF_MAX_S": "2", "EDGEPLANE_AGENT_FETCH__RETRY_MAX_S": "2",
            "EDGEPLANE_AGENT_CLUSTER__RESYNC_S": "0.5"}
    with log.open("ab") as out:
        proc = subprocess.Popen(args, env={**os.environ, **fast}, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    agent = procs.AgentProcess(data_dir=data_dir, proc=proc, log=log)
    try:
        procs.wait_for(lambda: (data_dir / "node.json").exists() and _listening(port), proc=proc, log=log,
                       what="cluster agent registered and serving the ESS on TCP")
        yield agent
    finally:
        procs.stop(proc)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def ours(cluster: kube_emulator.Cluster) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Live objects that carry the agent's owner labels for workload ``detector``."""
    return {k: o for k, o in cluster.live().items()
            if OWNER.items() <= ((o.get("metadata") or {}).get("labels") or {}).items()}


def secret(cluster: kube_emulator.Cluster, name: str, key: str) -> str:
    return base64.b64decode(cluster.live()[("Secret", NS, name)]["data"][key]).decode()


class Workload:
    """The test in the role of the workload: credentials from the Secrets, ESS over TCP+TLS."""

    def __init__(self, cluster: kube_emulator.Cluster, port: int) -> None:
        self.auth = json.loads(secret(cluster, "ess-auth-detector", "auth.json"))
        self.ca = secret(cluster, "ess-cert-detector", "cert.pem")
        self.port = port
        self.http = httpx.Client(base_url=f"https://localhost:{port}/api/v1/objects",
                                 verify=ssl.create_default_context(cadata=self.ca),
                                 auth=(self.auth["id"], self.auth["token"]), timeout=30)

    def close(self) -> None:
        self.http.close()

    def updated(self) -> list[dict[str, Any]]:
        r = self.http.get("/model")
        return r.json() if r.status_code == 200 else []

    def receive(self, version: str) -> bytes:
        [meta] = procs.wait_for(lambda: [m for m in self.updated() if m["version"] == version],
                                what=f"the ESS to offer det {version}")
        data = self.http.get(f"/model/{meta['objectID']}/data")
        assert data.status_code == 200
        assert self.http.put(f"/model/{meta['objectID']}/received").status_code == 204
        return data.content

    def hostname_verifies(self, hostname: str) -> bool:
        """TLS handshake as a pod would do it, verifying ``hostname`` against the server certificate."""
        ctx = ssl.create_default_context(cadata=self.ca)
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as raw, \
                ctx.wrap_socket(raw, server_hostname=hostname):
            return True


def workload_status(hub: procs.HubProcess, node_id: str) -> dict[str, tuple[str, str]]:
    with procs.admin(hub) as c:
        entries = procs.call(c, "GET", f"/nodes/{node_id}/status")
    return {e["key"]: (e["state"], e["detail"]) for e in entries if e["kind"] == "workload"}


def test_cluster_workload_gets_its_model_over_tls_then_an_update_then_undeploy(tmp_path: Path) -> None:
    v1, v2 = os.urandom(100_000), os.urandom(150_000)
    (tmp_path / "v1.onnx").write_bytes(v1)
    (tmp_path / "v2.onnx").write_bytes(v2)
    extra = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "detector-config"}, "data": {"a": "1"}}
    port = procs.free_port()
    with kube_emulator.running() as cluster, procs.hub(tmp_path / "hub") as hub:
        # Objects the agent did not create must survive everything below.
        foreign = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "user-config", "namespace": NS}}
        cluster.put("v1/configmaps", foreign)
        publish(hub, "1.0.0", [deployment(1), extra])
        with procs.admin(hub) as c:
            procs.call(c, "POST", "/deployment-policies", {"name": "detector-dp", "workload": {"name": "detector"}})
        procs.push_model(hub, tmp_path / "v1.onnx", "det", "1.0.0")
        route_model(hub, "1.0.0", create=True)

        with cluster_agent(tmp_path, hub, cluster.kubeconfig(tmp_path / "kubeconfig"), port) as agent:
            with procs.admin(hub) as c:
                node = procs.call(c, "GET", f"/nodes/{agent.node_id}")
            assert node["kind"] == "cluster"
            builtin = {p["name"]: p["value"] for p in node["builtin"]}
            assert builtin["openhorizon.kubernetesVersion"] == "v1.26.4+k3s1"  # what the emulator's /version says
            assert builtin["openhorizon.kubernetesNamespace"] == NS and builtin["openhorizon.arch"]

            # Deploy: exactly these objects, all with the owner labels.
            created = {("Secret", NS, "ess-auth-detector"), ("Secret", NS, "ess-cert-detector"),
                       ("ConfigMap", NS, "ess-env-detector"), ("PersistentVolumeClaim", NS, "models-detector"),
                       ("Deployment", NS, "detector"), ("ConfigMap", NS, "detector-config"),
                       ("ConfigMap", NS, "edgeplane-inventory-detector")}
            procs.wait_for(lambda: set(ours(cluster)) == created, log=agent.log, what="the workload's objects")
            env = cluster.live()[("ConfigMap", NS, "ess-env-detector")]["data"]
            assert env["HZN_ESS_API_PROTOCOL"] == "secure" and env["HZN_ESS_API_PORT"] == "8443"
            assert env["HZN_ESS_API_ADDRESS"] == f"agent-service.{NS}.svc.cluster.local"
            assert (env["HZN_ESS_AUTH"], env["HZN_ESS_CERT"]) == ("ess-auth-detector", "ess-cert-detector")
            assert env["HZN_NODE_ID"] == agent.node_id

            with contextlib.closing(Workload(cluster, port)) as workload:
                assert workload.auth["id"] == "default/detector" and workload.auth["version"] == "1.0.0"
                svc = "agent-service"
                for name in ("localhost", svc, f"{svc}.{NS}.svc", f"{svc}.{NS}.svc.cluster.local"):
                    assert workload.hostname_verifies(name)
                assert workload.receive("1.0.0") == v1
                assert workload.http.get("/model", auth=("default/detector", "0" * 64)).status_code == 403

                # Rollout state comes from the Deployment's status (no kubelet here: the test plays the controller).
                procs.wait_for(lambda: workload_status(hub, agent.node_id).get("default/detector@1.0.0")
                               == ("pending", "detector 0/1 ready"), log=agent.log, what="pending rollout reported")
                live = cluster.live()[("Deployment", NS, "detector")]
                cluster.put("apps/v1/deployments", {**live, "status": {"replicas": 1, "readyReplicas": 1,
                                                                       "updatedReplicas": 1}})
                procs.wait_for(lambda: workload_status(hub, agent.node_id).get("default/detector@1.0.0")
                               == ("running", "detector 1/1 ready"), log=agent.log, what="ready rollout reported")

                # Update: a new model version and a new workload version (2 replicas, no extra ConfigMap).
                procs.push_model(hub, tmp_path / "v2.onnx", "det", "2.0.0")
                route_model(hub, "2.0.0", create=False)
                assert workload.receive("2.0.0") == v2
                publish(hub, "1.1.0", [deployment(2)])
                procs.wait_for(lambda: set(ours(cluster)) == created - {("ConfigMap", NS, "detector-config")},
                               log=agent.log, what="the dropped object pruned")
                procs.wait_for(lambda: cluster.live()[("Deployment", NS, "detector")]["spec"]["replicas"] == 2,
                               log=agent.log, what="the Deployment updated")
                assert json.loads(secret(cluster, "ess-auth-detector", "auth.json"))["version"] == "1.1.0"
                assert json.loads(secret(cluster, "ess-auth-detector", "auth.json"))["token"] == workload.auth["token"]

                # Undeploy: everything the agent created goes, nothing else.
                with procs.admin(hub) as c:
                    procs.call(c, "DELETE", "/deployment-policies/detector-dp")
                procs.wait_for(lambda: not ours(cluster), log=agent.log, what="every owned object deleted")
                assert ("ConfigMap", NS, "user-config") in cluster.live()
                procs.wait_for(lambda: workload_status(hub, agent.node_id).get("default/detector@1.1.0", ("",))[0]
                               == "removed", log=agent.log, what="the removal reported")
                assert workload.http.get("/model").status_code == 403  # its credential is gone with it
