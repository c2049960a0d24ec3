"""``edgeplane agent install-manifests``: the set is complete, least-privilege, and schema-valid."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate import utils as kv_utils
from typer.testing import CliRunner

from edgeplane.agent import install
from edgeplane.cli import agent_install

VERSIONS = ["1.27.0", kv_utils.latest_version()]
runner = CliRunner()


def run(*args: str) -> tuple[int, list[dict]]:
    result = runner.invoke(agent_install.app, ["install-manifests", *args])
    docs = [d for d in yaml.safe_load_all(result.stdout) if d] if result.exit_code == 0 else []
    return result.exit_code, docs


def by_kind(docs: list[dict]) -> dict[str, dict]:
    return {d["kind"]: d for d in docs}


def test_prints_the_whole_set_in_apply_order() -> None:
    code, docs = run("--namespace", "edge")
    assert code == 0
    assert [d["kind"] for d in docs] == ["Namespace", "ServiceAccount", "Role", "RoleBinding",
                                         "PersistentVolumeClaim", "Deployment", "Service"]
    kinds = by_kind(docs)
    assert kinds["Service"]["metadata"]["name"] == "agent-service"
    assert kinds["Service"]["spec"]["ports"] == [{"name": "ess", "port": 8443, "targetPort": "ess"}]
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == "edgeplane-agent-data"
    env = {e["name"]: e for e in pod["containers"][0]["env"]}
    assert env["EDGEPLANE_REGISTRATION_TOKEN"]["valueFrom"]["secretKeyRef"]["name"] == "edgeplane-agent-bootstrap"
    assert env["EDGEPLANE_HUB_URL"]["valueFrom"]["secretKeyRef"]["key"] == "hub-url"
    assert kinds["PersistentVolumeClaim"]["spec"]["resources"]["requests"]["storage"] == "20Gi"


def test_existing_pvc_is_mounted_not_created() -> None:
    code, docs = run("--namespace", "edge", "--pvc", "models")
    assert code == 0 and "PersistentVolumeClaim" not in by_kind(docs)
    pod = by_kind(docs)["Deployment"]["spec"]["template"]["spec"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == "models"


def test_storage_size_and_class() -> None:
    _, docs = run("--namespace", "edge", "--storage-size", "50Gi", "--storage-class", "fast", "--image", "r/a:1")
    pvc = by_kind(docs)["PersistentVolumeClaim"]["spec"]
    assert pvc["resources"]["requests"]["storage"] == "50Gi" and pvc["storageClassName"] == "fast"
    assert by_kind(docs)["Deployment"]["spec"]["template"]["spec"]["containers"][0]["image"] == "r/a:1"


@pytest.mark.parametrize("args", [
    ["--namespace", "Bad_NS"],
    ["--namespace", "edge", "--pvc", "x", "--storage-size", "1Gi"],
    ["--namespace", "edge", "--storage-size", "lots"],
])
def test_bad_options_are_usage_errors(args: list[str]) -> None:
    result = runner.invoke(agent_install.app, ["install-manifests", *args])
    assert result.exit_code != 0


def test_rbac_is_namespaced_and_least_privilege() -> None:
    _, docs = run("--namespace", "edge")
    role = by_kind(docs)["Role"]
    assert role["metadata"]["namespace"] == "edge"
    assert "ClusterRole" not in by_kind(docs)
    for rule in role["rules"]:
        assert rule["verbs"] == ["create", "delete", "get", "list", "patch"]
        assert "*" not in rule["resources"] and "*" not in rule["apiGroups"]
    granted = {(g, r) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"]}
    # What the applier itself creates must be covered.
    assert {("", "secrets"), ("", "configmaps"), ("", "persistentvolumeclaims"), ("apps", "deployments")} <= granted


def test_out_dir_is_kustomize_ready(tmp_path: Path) -> None:
    result = runner.invoke(agent_install.app, ["install-manifests", "--namespace", "edge", "--out", str(tmp_path)])
    assert result.exit_code == 0
    kustomization = yaml.safe_load((tmp_path / "kustomization.yaml").read_text())
    assert kustomization["resources"] == ["namespace.yaml", "rbac.yaml", "storage.yaml", "deployment.yaml",
                                          "service.yaml"]
    assert all((tmp_path / f).is_file() for f in kustomization["resources"])


@pytest.mark.parametrize("version", VERSIONS)
def test_every_manifest_validates_strictly(version: str) -> None:
    for opts in (install.InstallOptions(namespace="edge", storage_class="fast", hub_url="https://hub"),
                 install.InstallOptions(namespace="edge", pvc="models")):
        for docs in install.install_manifests(opts).values():
            for doc in docs:
                kubernetes_validate.validate(doc, version, strict=True)
