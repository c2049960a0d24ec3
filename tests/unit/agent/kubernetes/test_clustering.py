"""The cluster agent's glue: settings defaults, built-in properties, status with rollout, and that the install
manifests start the agent the way :mod:`edgeplane.agent.clustering` expects."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from tests.unit.agent.kubernetes.conftest import Cluster
from tests.unit.agent.kubernetes.kube_workloads import workload as cluster_workload

from edgeplane.agent import clustering, install
from edgeplane.agent.settings import AgentSettings
from edgeplane.agent.state import db as statedb
from edgeplane.agent.state import status
from edgeplane.agent.workloads import kubernetes_client


def test_configure_defaults_ess_to_tcp_with_the_service_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGEPLANE_NAMESPACE", "edge")
    s = clustering.configure(AgentSettings(kind="cluster", data_dir=tmp_path))
    assert (s.namespace, s.ess.host, s.ess.port) == ("edge", "0.0.0.0", 8443)
    assert {"agent-service", "agent-service.edge.svc", "agent-service.edge.svc.cluster.local"} <= set(s.ess.cert_sans)
    assert clustering.configure(s) == s  # idempotent
    device = AgentSettings(data_dir=tmp_path)
    assert clustering.configure(device) == device


def test_namespace_falls_back_to_the_service_account_file(tmp_path: Path) -> None:
    (tmp_path / "ns").write_text("edge-2\n")
    s = clustering.configure(AgentSettings(kind="cluster", data_dir=tmp_path), sa_namespace=tmp_path / "ns")
    assert s.namespace == "edge-2"


def test_builtin_reads_the_server_version(api: kubernetes_client.DynamicKubeApi, tmp_path: Path) -> None:
    s = AgentSettings(kind="cluster", namespace="edge", arch="arm64", data_dir=tmp_path)
    props = {p.name: p.value for p in anyio.run(clustering.builtin, s, api)}
    assert props == {"openhorizon.arch": "arm64", "openhorizon.kubernetesVersion": "v1.26.4+k3s1",
                     "openhorizon.kubernetesNamespace": "edge"}


def test_runner_applies_and_reports_rollout(cluster: Cluster, api: kubernetes_client.DynamicKubeApi,
                                            tmp_path: Path) -> None:
    s = AgentSettings(kind="cluster", namespace="edge", node_id="n1", org="acme", data_dir=tmp_path)
    db = statedb.StateDb(tmp_path / "agent.db")
    (tmp_path / "ca.pem").write_text("PEM")

    async def go() -> None:
        async with anyio.create_task_group() as tg:
            runner = clustering.start(s, db, tmp_path / "ca.pem", tg, api=api)
            await runner.reconcile([cluster_workload()])
            tg.cancel_scope.cancel()

    try:
        anyio.run(go)
        entries, _ = status.pending(db)
        [entry] = [e for e in entries if e.kind == "workload"]
        assert entry.state == "pending" and entry.detail.endswith("0/2 ready")
        assert any(kind == "Secret" for kind, _, _ in cluster.live())
    finally:
        db.close()


def test_install_manifests_start_the_agent_as_clustering_expects(monkeypatch: pytest.MonkeyPatch) -> None:
    deploy = install.deployment(install.InstallOptions(namespace="edge", hub_url="https://hub"))
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["agent", "run", "--kind", "cluster"]
    for e in container["env"]:
        monkeypatch.setenv(e["name"], e.get("value", "edge" if "fieldRef" in str(e) else "x"))
    s = clustering.configure(AgentSettings(kind="cluster"))
    assert (s.hub_url, s.namespace, str(s.data_dir)) == ("https://hub", "edge", install.DATA_DIR)
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert s.data_dir.parent.as_posix() in mounts and s.data_dir.as_posix() not in mounts  # the agent chmods it
    assert container["ports"] == [{"name": "ess", "containerPort": s.ess.port}]
    assert container["readinessProbe"]["tcpSocket"]["port"] == "ess" and s.ess.host == "0.0.0.0"
    service = install.service(install.InstallOptions(namespace="edge"))
    assert service["metadata"]["name"] == "agent-service" and service["spec"]["ports"][0]["port"] == s.ess.port
