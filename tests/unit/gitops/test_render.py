"""GitOps rendering: tree, pins, no secrets, commit messages, minimal diffs, schema validity."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from dulwich.repo import Repo
from kubernetes_validate import utils as kv_utils
from tests.unit.gitops.gitops_fleet import DETECTOR_DIGEST, OPTIONS, cluster, counter, detector, fleet

from edgeplane._kit.errors import InvalidInput
from edgeplane.gitops import render, yamlio

VERSIONS = ["1.27.0", kv_utils.latest_version()]
KUSTOMIZE_KINDS = {"Kustomization"}


def tree(repo: Path) -> set[str]:
    return {p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}


def docs(repo: Path, path: str) -> list[dict]:
    return yamlio.load_all((repo / path).read_text())


def test_tree_has_a_shared_base_and_one_overlay_per_cluster(tmp_path: Path) -> None:
    result = render.render(tmp_path, fleet(), commit=False, options=OPTIONS)

    assert tree(tmp_path) == set(result.files)
    assert {p for p in result.files if p.startswith("base/")} == {
        "base/acme/detector/1.0.0/kustomization.yaml", "base/acme/detector/1.0.0/manifests.yaml",
        "base/acme/counter/2.1.0/kustomization.yaml", "base/acme/counter/2.1.0/manifests.yaml",
    }
    assert {p for p in result.files if p.startswith("clusters/store-a/")} == {
        "clusters/store-a/kustomization.yaml", "clusters/store-a/summary.json",
        "clusters/store-a/detector/kustomization.yaml", "clusters/store-a/detector/edge.yaml",
        "clusters/store-a/counter/kustomization.yaml", "clusters/store-a/counter/edge.yaml",
    }
    top = yaml.safe_load((tmp_path / "clusters/store-a/kustomization.yaml").read_text())
    assert top["resources"] == ["counter", "detector"]
    overlay = yaml.safe_load((tmp_path / "clusters/store-b/detector/kustomization.yaml").read_text())
    assert overlay["resources"] == ["../../../base/acme/detector/1.0.0", "edge.yaml"]
    assert overlay["namespace"] == "vision"
    assert overlay["labels"] == [{"includeSelectors": False, "pairs": {"edgeplane.io/node": "store-b"}}]
    # Workloads without a namespace land in the agent's namespace (node property).
    assert yaml.safe_load((tmp_path / "clusters/store-a/counter/kustomization.yaml").read_text())[
        "namespace"] == "edge-agent"


def test_images_are_pinned_by_digest_where_known(tmp_path: Path) -> None:
    render.render(tmp_path, fleet(), commit=False, options=OPTIONS)
    [dep] = docs(tmp_path, "base/acme/detector/1.0.0/manifests.yaml")
    pod = dep["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == f"ghcr.io/acme/detector@{DETECTOR_DIGEST}"
    assert pod["initContainers"][0]["image"] == f"ghcr.io/acme/detector@{DETECTOR_DIGEST}"
    assert "namespace" not in dep["metadata"]
    [other] = docs(tmp_path, "base/acme/counter/2.1.0/manifests.yaml")
    assert other["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/counter:2.1.0"


def test_models_are_pinned_by_sha256_and_no_secret_is_written(tmp_path: Path) -> None:
    render.render(tmp_path, fleet(model_on_c="2"), commit=False, options=OPTIONS)
    edge = {d["kind"] + "/" + d["metadata"]["name"]: d for d in docs(tmp_path, "clusters/store-c/detector/edge.yaml")}
    models = json.loads(edge["ConfigMap/ess-models-detector"]["data"]["models.json"])
    assert models == [{"files": [{"path": "model.onnx", "sha256": "2" * 64, "size": 10}], "framework": "onnx",
                       "name": "yolo", "objectType": "model", "org": "acme", "policy": "yolo-policy",
                       "version": "2"}]
    env = edge["ConfigMap/ess-env-detector"]["data"]
    assert env["HZN_ESS_AUTH"] == "ess-auth-detector" and env["HZN_ESS_API_ADDRESS"].startswith(
        "agent-service.edge-agent.svc")
    assert edge["PersistentVolumeClaim/models-detector"]["spec"]["storageClassName"] == "local-path"
    for path in tree(tmp_path):
        text = (tmp_path / path).read_text()
        assert "kind: Secret" not in text and "token" not in text


def test_render_is_deterministic(tmp_path: Path) -> None:
    render.render(tmp_path / "one", fleet(), commit=False, options=OPTIONS)
    render.render(tmp_path / "two", list(reversed(fleet())), commit=False, options=OPTIONS)
    again = render.render(tmp_path / "one", fleet(), commit=False, options=OPTIONS)
    assert again.changed == [] and again.message == ""
    for path in tree(tmp_path / "one"):
        assert (tmp_path / "one" / path).read_bytes() == (tmp_path / "two" / path).read_bytes()


def test_first_commit_says_which_clusters_and_workloads(tmp_path: Path) -> None:
    result = render.render(tmp_path, fleet(), commit=True, options=OPTIONS)

    assert result.commit is not None
    head = Repo(str(tmp_path))[b"HEAD"]
    assert head.id.decode() == result.commit
    message = head.message.decode()
    assert message.startswith("edgeplane: update 3 cluster(s): store-a, store-b, store-c")
    assert "store-a: new cluster (acme/counter@2.1.0, acme/detector@1.0.0)" in message


def test_a_model_policy_change_touches_only_that_overlay(tmp_path: Path) -> None:
    render.render(tmp_path, fleet(), commit=True, options=OPTIONS)
    result = render.render(tmp_path, fleet(model_on_c="2"), commit=True, options=OPTIONS)

    assert result.changed == ["clusters/store-c/detector/edge.yaml", "clusters/store-c/summary.json"]
    assert result.message.splitlines()[0] == (
        "edgeplane: store-c: model acme/yolo 1 -> 2 for acme/detector (policy yolo-policy)")
    repo = Repo(str(tmp_path))
    assert repo[b"HEAD"].message.decode() == result.message
    assert len(repo[b"HEAD"].parents) == 1


def test_a_workload_upgrade_on_one_cluster_adds_a_base_and_changes_one_overlay(tmp_path: Path) -> None:
    clusters = fleet()
    render.render(tmp_path, clusters, commit=True, options=OPTIONS)
    clusters[1] = cluster("store-b", {"region": "us"}, [detector(version="1.1.0")])
    result = render.render(tmp_path, clusters, commit=True, options=OPTIONS)

    assert result.written == [
        "base/acme/detector/1.1.0/kustomization.yaml", "base/acme/detector/1.1.0/manifests.yaml",
        "clusters/store-b/detector/edge.yaml", "clusters/store-b/detector/kustomization.yaml",
        "clusters/store-b/summary.json",
    ]
    assert result.removed == []
    assert "store-b: acme/detector 1.0.0 -> 1.1.0 (policy det-policy)" in result.message


def test_undeploy_and_cluster_removal_delete_stale_files(tmp_path: Path) -> None:
    render.render(tmp_path, fleet(), commit=True, options=OPTIONS)
    clusters = [cluster("store-a", {"region": "eu", "tier": "gold"}, [counter()])]
    result = render.render(tmp_path, clusters, commit=True, options=OPTIONS)

    assert not any(p.startswith(("clusters/store-b", "clusters/store-c", "base/acme/detector")) for p in tree(tmp_path))
    assert "clusters/store-a/detector/edge.yaml" in result.removed
    assert "store-a: undeploy acme/detector 1.0.0 (policy det-policy)" in result.message
    assert "store-b: cluster removed" in result.message
    status = subprocess.run(["git", "-C", str(tmp_path), "status", "--porcelain"], capture_output=True, text=True)
    assert status.returncode != 0 or status.stdout == ""


def test_files_outside_the_managed_roots_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("ours\n")
    render.render(tmp_path, fleet(), commit=True, options=OPTIONS)
    render.render(tmp_path, [], commit=True, options=OPTIONS)
    assert (tmp_path / "README.md").read_text() == "ours\n"
    assert not (tmp_path / "clusters").exists()


def test_nothing_changed_means_no_commit(tmp_path: Path) -> None:
    first = render.render(tmp_path, fleet(), commit=True, options=OPTIONS)
    second = render.render(tmp_path, fleet(), commit=True, options=OPTIONS)
    assert second.commit is None and Repo(str(tmp_path))[b"HEAD"].id.decode() == first.commit


def test_duplicate_cluster_names_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        render.render(tmp_path, [fleet()[0], fleet()[0]], commit=False, options=OPTIONS)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_kubernetes_manifest_validates_strictly(tmp_path: Path, version: str) -> None:
    result = render.render(tmp_path, fleet(), commit=False, options=OPTIONS)
    checked = 0
    for path in result.files:
        if not path.endswith(".yaml") or (path.startswith("hub/") and "configmap" not in path):
            continue
        for doc in docs(tmp_path, path):
            if doc["kind"] in KUSTOMIZE_KINDS:
                continue
            kubernetes_validate.validate(doc, version, strict=True)
            checked += 1
    assert checked >= 3 + 3 * 3 + 1
