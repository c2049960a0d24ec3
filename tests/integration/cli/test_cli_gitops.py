"""``edgeplane gitops render|watch|sync`` against the real hub app (in-process, no socket).

Render reads three cluster nodes (different labels) from the hub; a policy change re-renders as a minimal diff;
``sync`` applies a directory of YAML to the hub and round-trips edits and deletions, touching only what it marks.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml
from dulwich import diff_tree
from dulwich.repo import Repo
from fastapi.testclient import TestClient
from tests.integration.cli.running import run
from tests.integration.hub.helpers import ORG, declare, upload
from typer.testing import CliRunner

DIGEST = "sha256:" + "ab" * 32
CLUSTERS = {"store-a": {"region": "eu", "tier": "gold"}, "store-b": {"region": "us", "tier": "gold"},
            "store-c": {"region": "eu", "tier": "silver"}}


def ok(api: TestClient, method: str, url: str, body: object = None) -> dict:
    r = api.request(method, f"{ORG}{url}", json=body)
    assert r.status_code < 300, r.text
    return r.json() if r.content else {}


def register_cluster(api: TestClient, name: str, labels: dict[str, str]) -> None:
    reg = ok(api, "POST", "/registration-tokens", {})["token"]
    ok(api, "POST", "/nodes/register", {
        "registration_token": reg, "name": name, "kind": "cluster",
        "policy": {"properties": [{"name": k, "value": v} for k, v in labels.items()]},
        "builtin": [{"name": "openhorizon.kubernetesNamespace", "value": "edge"},
                    {"name": "openhorizon.arch", "value": "amd64"}]})


def model(api: TestClient, version: str) -> str:
    data = f"weights {version}".encode() * 100
    declare(api, "det", version, {"model.onnx": data}, framework="onnx")
    upload(api, data)
    ok(api, "POST", f"/models/det/versions/{version}/commit")
    return hashlib.sha256(data).hexdigest()


def fleet(api: TestClient) -> str:
    for name, labels in CLUSTERS.items():
        register_cluster(api, name, labels)
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "detector"},
                  "spec": {"selector": {"matchLabels": {"app": "det"}}, "template": {
                      "metadata": {"labels": {"app": "det"}},
                      "spec": {"containers": [{"name": "det", "image": "ghcr.io/acme/detector:1.0.0",
                                               "envFrom": [{"configMapRef": {"name": "ess-env-detector"}}]}]}}}}
    ok(api, "POST", "/workloads", {"name": "detector", "version": "1.0.0", "kind": "cluster",
                                   "cluster": {"manifests": [deployment]}})
    ok(api, "POST", "/deployment-policies", {"name": "det-dp", "workload": {"name": "detector"},
                                             "constraints": ["tier == gold"]})
    sha = model(api, "1.0.0")
    ok(api, "POST", "/model-policies", {"name": "det-mp", "model": "det", "version": "1.0.0",
                                        "services": [{"name": "detector"}]})
    return sha


def files(repo: Path) -> set[str]:
    return {p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}


def test_render_from_the_hub_pins_digests_and_rerenders_minimally(cli: tuple[CliRunner, TestClient],
                                                                  tmp_path: Path) -> None:
    runner, api = cli
    sha = fleet(api)
    repo, digests = tmp_path / "fleet", tmp_path / "digests.json"
    digests.write_text(json.dumps({"ghcr.io/acme/detector:1.0.0": DIGEST}))
    code, out = run(runner, "gitops", "render", "--repo", str(repo), "--commit", "--digests", str(digests))
    assert code == 0, out
    tree = files(repo)
    assert {f"clusters/{c}/kustomization.yaml" for c in CLUSTERS} <= tree
    assert {p.split("/")[1] for p in tree if p.startswith("clusters/") and p.count("/") > 2} == {"store-a", "store-b"}
    base = [p for p in tree if p.startswith("base/default/detector/1.0.0/")]
    pinned = "".join((repo / p).read_text() for p in base)
    assert f"ghcr.io/acme/detector@{DIGEST}" in pinned and "detector:1.0.0" not in pinned
    edge = (repo / "clusters/store-a/detector/edge.yaml").read_text()
    assert sha in edge and "kind: Secret" not in edge
    placement = yaml.safe_load((repo / "hub/ocm/placement.yaml").read_text())
    assert "region" in json.dumps(placement) and "gold" in json.dumps(placement)
    message = Repo(str(repo))[b"HEAD"].message.decode()
    assert message.startswith("edgeplane: update 3 cluster(s): store-a, store-b, store-c")
    assert "store-a: new cluster (default/detector@1.0.0)" in message

    model(api, "2.0.0")  # the model policy moves to 2.0.0: only the two gold overlays change
    ok(api, "PUT", "/model-policies/det-mp", {"name": "det-mp", "model": "det", "version": "2.0.0",
                                              "services": [{"name": "detector"}]})
    head = Repo(str(repo)).head()
    code, out = run(runner, "gitops", "render", "--repo", str(repo), "--commit", "--digests", str(digests))
    assert code == 0, out
    r = Repo(str(repo))
    changes = {c.new.path.decode() for c in diff_tree.tree_changes(r.object_store, r[head].tree, r[r.head()].tree)}
    assert changes == {f"clusters/{c}/{f}" for c in ("store-a", "store-b")
                       for f in ("detector/edge.yaml", "summary.json")}
    assert "det" in r[r.head()].message.decode() and "2.0.0" in r[r.head()].message.decode()

    code, out = run(runner, "gitops", "watch", "--repo", str(repo), "--count", "2", "--interval", "0",
                    "--digests", str(digests))
    assert code == 0 and out.strip() == "" and Repo(str(repo)).head() == r.head()


POLICIES = {
    "workload.yaml": "kind: Workload\nname: cam\nversion: 1.0.0\ndevice:\n  command: [sleep, '100']\n",
    "dp.yaml": "kind: DeploymentPolicy\nname: cam-dp\nworkload: {name: cam}\nconstraints: ['site == north']\n",
    "mp.yaml": "name: cam-mp\nmodel: det\nversion: 1.0.0\nservices: [{name: cam}]\n",
    "ep.yaml": "kind: Endpoint\nname: det\nmodel: det\ntraffic: {'1.0.0': 100}\n",
}


def test_sync_round_trips_and_touches_only_what_it_manages(cli: tuple[CliRunner, TestClient], tmp_path: Path) -> None:
    runner, api = cli
    model(api, "1.0.0")
    repo = tmp_path / "repo"
    (repo / "policies").mkdir(parents=True)
    for name, text in POLICIES.items():
        (repo / "policies" / name).write_text(text)
    code, out = run(runner, "gitops", "sync", "--repo", str(repo), "--path", "policies/")
    assert code == 0, out
    assert out.splitlines() == ["created workloads/cam@1.0.0", "created deployment-policies/cam-dp",
                                "created model-policies/cam-mp", "created endpoints/det", "0 unchanged"]
    ok(api, "POST", "/deployment-policies", {"name": "by-hand", "workload": {"name": "cam"}})

    (repo / "policies" / "dp.yaml").write_text(POLICIES["dp.yaml"].replace("north", "south"))
    (repo / "policies" / "ep.yaml").unlink()
    code, out = run(runner, "gitops", "sync", "--repo", str(repo), "--path", "policies/")
    assert code == 0, out
    assert out.splitlines() == ["updated deployment-policies/cam-dp", "deleted endpoints/det", "2 unchanged"]
    assert ok(api, "GET", "/deployment-policies/cam-dp")["constraints"] == ["site == south"]
    assert api.get(f"{ORG}/endpoints/det").status_code == 404
    assert {p["name"] for p in ok(api, "GET", "/deployment-policies")} == {"cam-dp", "by-hand"}

    code, out = run(runner, "gitops", "sync", "--repo", str(repo), "--path", "policies/")
    assert code == 0 and out.splitlines() == ["3 unchanged"]
    (repo / "policies" / "workload.yaml").write_text(POLICIES["workload.yaml"].replace("'100'", "'5'"))
    code, out = run(runner, "gitops", "sync", "--repo", str(repo), "--path", "policies/")
    assert code != 0 and "differs from the one at the hub" in out
