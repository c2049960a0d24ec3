"""Policies and placement over the real app and database: desired state, long-poll, status, explain."""

from __future__ import annotations

import hashlib
import threading

import pytest
from fastapi.testclient import TestClient
from tests.integration.hub.helpers import ORG, declare, rows, upload

from edgeplane.hub.settings import HubSettings


def register(api: TestClient, name: str, props: dict[str, object], constraints: list[str] | None = None) -> dict:
    reg = api.post(f"{ORG}/registration-tokens", json={"uses": 10}).json()["token"]
    body = {"registration_token": reg, "name": name, "kind": "device",
            "policy": {"properties": [{"name": k, "value": v} for k, v in props.items()],
                       "constraints": constraints or []},
            "builtin": [{"name": "openhorizon.arch", "value": "amd64"}]}
    r = api.post(f"{ORG}/nodes/register", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def as_node(node: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {node['credential']}"}


def publish_model(api: TestClient, version: str, data: bytes) -> None:
    declare(api, "detector", version, {"model.onnx": data}, framework="onnx")
    upload(api, data)
    assert api.post(f"{ORG}/models/detector/versions/{version}/commit").status_code == 200


@pytest.fixture
def fleet(api: TestClient) -> dict[str, dict]:
    nodes = {
        "cam-1": register(api, "cam-1", {"site": "plant-a", "gpu": True}),
        "cam-2": register(api, "cam-2", {"site": "plant-a", "gpu": False}),
        "cam-3": register(api, "cam-3", {"site": "plant-b", "gpu": True}),
    }
    wl = {"name": "inspector", "version": "1.0.0", "device": {"command": ["sh", "run.sh"]}}
    assert api.post(f"{ORG}/workloads", json=wl).status_code == 201
    publish_model(api, "1", b"weights-v1")
    r = api.post(f"{ORG}/deployment-policies", json={
        "name": "plant-a-inspect", "workload": {"name": "inspector", "version": "[1.0.0,2.0.0)"},
        "constraints": ["site == plant-a"]})
    assert r.status_code == 201, r.text
    r = api.post(f"{ORG}/model-policies", json={
        "name": "detector-gpu", "model": "detector", "version": "1",
        "services": [{"name": "inspector", "version": "[1.0.0,INFINITY)"}], "constraints": ["gpu == true"]})
    assert r.status_code == 201, r.text
    return nodes


def desired(api: TestClient, node: dict, after: int = -1, wait: float = 0):  # type: ignore[no-untyped-def]
    return api.get(f"{ORG}/nodes/{node['node_id']}/desired", params={"after": after, "wait": wait},
                   headers=as_node(node))


def test_desired_state_follows_policies(api: TestClient, fleet: dict[str, dict]) -> None:
    d1 = desired(api, fleet["cam-1"]).json()
    assert [w["name"] for w in d1["workloads"]] == ["inspector"]
    assert [m["version"] for m in d1["workloads"][0]["models"]] == ["1"]
    d2 = desired(api, fleet["cam-2"]).json()
    assert [w["name"] for w in d2["workloads"]] == ["inspector"] and d2["workloads"][0]["models"] == []
    assert desired(api, fleet["cam-3"]).json()["workloads"] == []


def test_long_poll_answers_at_once_holds_then_wakes_on_change(api: TestClient, fleet: dict[str, dict]) -> None:
    node = fleet["cam-1"]
    gen = desired(api, node).json()["generation"]
    assert desired(api, node, after=gen, wait=0.2).status_code == 304
    result: dict[str, object] = {}

    def poll() -> None:
        r = desired(api, node, after=gen, wait=30)
        result["status"], result["body"] = r.status_code, r.json()

    t = threading.Thread(target=poll)
    t.start()
    publish_model(api, "2", b"weights-v2")
    r = api.put(f"{ORG}/model-policies/detector-gpu", json={
        "model": "detector", "version": "2", "services": [{"name": "inspector"}], "constraints": ["gpu == true"]})
    assert r.status_code == 200, r.text
    t.join(timeout=20)
    assert result["status"] == 200
    body = result["body"]
    assert isinstance(body, dict) and body["generation"] > gen
    assert body["workloads"][0]["models"][0]["version"] == "2"


def test_generation_moves_only_on_content_change(api: TestClient, fleet: dict[str, dict]) -> None:
    node = fleet["cam-2"]
    gen = desired(api, node).json()["generation"]
    # a policy change that does not affect cam-2 (gpu false) leaves its generation alone
    publish_model(api, "2", b"weights-v2")
    api.put(f"{ORG}/model-policies/detector-gpu", json={
        "model": "detector", "version": "2", "services": [{"name": "inspector"}], "constraints": ["gpu == true"]})
    assert desired(api, node).json()["generation"] == gen
    # its own property change moves it
    r = api.put(f"{ORG}/nodes/{node['node_id']}/policy", json={"properties": [
        {"name": "site", "value": "plant-a"}, {"name": "gpu", "value": True}]}, headers=as_node(node))
    assert r.status_code == 200
    after = desired(api, node).json()
    assert after["generation"] == gen + 1 and after["workloads"][0]["models"][0]["version"] == "2"


def test_node_sees_only_its_own_state_and_blobs(api: TestClient, fleet: dict[str, dict]) -> None:
    one, three = fleet["cam-1"], fleet["cam-3"]
    digest = hashlib.sha256(b"weights-v1").hexdigest()
    assert api.get(f"{ORG}/blobs/{digest}", headers=as_node(one)).content == b"weights-v1"
    r = api.get(f"{ORG}/blobs/{digest}", headers=as_node(three))
    assert r.status_code == 403 and r.json()["field"] == "digest"
    r = api.get(f"{ORG}/nodes/{one['node_id']}/desired", headers=as_node(three))
    assert r.status_code == 403
    # node credentials cannot use the registry API
    assert api.get(f"{ORG}/models", headers=as_node(one)).status_code == 403


def test_status_deltas_and_rollout_view(api: TestClient, fleet: dict[str, dict], hub_settings: HubSettings) -> None:
    node = fleet["cam-1"]
    report = {"generation": 2, "entries": [
        {"kind": "model", "key": "default/detector@1", "state": "downloading", "bytes_done": 5},
        {"kind": "workload", "key": "default/inspector@1.0.0", "state": "running"}]}
    assert api.post(f"{ORG}/nodes/{node['node_id']}/status", json=report, headers=as_node(node)).status_code == 204
    report = {"generation": 2, "entries": [{"kind": "model", "key": "default/detector@1", "state": "active"}]}
    api.post(f"{ORG}/nodes/{node['node_id']}/status", json=report, headers=as_node(node))
    got = {(e["kind"], e["state"]) for e in api.get(f"{ORG}/nodes/cam-1/status").json()}
    assert got == {("model", "active"), ("workload", "running")}
    assert sorted(rows(hub_settings, "SELECT kind, state FROM node_status")) == [("model", "active"),
                                                                              ("workload", "running")]
    # another node cannot report for cam-1
    r = api.post(f"{ORG}/nodes/{node['node_id']}/status", json=report, headers=as_node(fleet["cam-2"]))
    assert r.status_code == 403


def test_explain_and_check(api: TestClient, fleet: dict[str, dict]) -> None:
    r = api.get(f"{ORG}/nodes/cam-3/explain", params={"policy": "plant-a-inspect"}).json()
    assert r["placed"] is False and any("site" in line for line in r["lines"])
    r = api.get(f"{ORG}/nodes/cam-1/explain", params={"policy": "plant-a-inspect"}).json()
    assert r["placed"] is True
    r = api.post(f"{ORG}/deployment-policies/check", json={
        "name": "dry", "workload": {"name": "inspector"}, "constraints": ["gpu == true"]}).json()
    assert r["count"] == 2 and sorted(r["nodes"]) == ["cam-1", "cam-3"]


def test_bad_policies_are_rejected_whole(api: TestClient, fleet: dict[str, dict], hub_settings: HubSettings) -> None:
    before = rows(hub_settings, "SELECT kind, name FROM policies")
    r = api.post(f"{ORG}/deployment-policies", json={
        "name": "broken", "workload": {"name": "inspector"}, "constraints": ["site == (plant-a"]})
    assert r.status_code == 422 and r.json()["error"] == "invalid-constraint"
    assert "position" in r.json()["detail"]
    r = api.post(f"{ORG}/deployment-policies", json={"name": "ghost", "workload": {"name": "nope"}})
    assert r.status_code == 422 and r.json()["field"] == "workload.name"
    r = api.post(f"{ORG}/model-policies", json={
        "name": "ghost", "model": "detector", "version": "9", "services": [{"name": "inspector"}]})
    assert r.status_code == 422 and r.json()["field"] == "version"
    r = api.post(f"{ORG}/model-policies", json={"name": "x", "model": "detector", "version": "1", "services": []})
    assert r.status_code == 422
    r = api.post(f"{ORG}/deployment-policies", json={"name": "plant-a-inspect", "workload": {"name": "inspector"}})
    assert r.status_code == 409
    assert rows(hub_settings, "SELECT kind, name FROM policies") == before


def test_open_horizon_policy_json_is_accepted_as_is(api: TestClient, fleet: dict[str, dict]) -> None:
    oh = {"label": "oh-style", "description": "from hzn",
          "service": {"name": "inspector", "org": "default", "arch": "*",
                      "serviceVersions": [{"version": "1.0.0", "priority": {}}]},
          "properties": [], "constraints": ["site == plant-b"]}
    r = api.put(f"{ORG}/deployment-policies/oh-style", json=oh)
    assert r.status_code == 201, r.text
    assert [w["name"] for w in desired(api, fleet["cam-3"]).json()["workloads"]] == ["inspector"]


def test_restart_recomputes_the_same_generations(hub_settings: HubSettings, fleet: dict[str, dict],
                                                 api: TestClient) -> None:
    from edgeplane.hub.app import create_app

    before = {n: desired(api, fleet[n]).json()["generation"] for n in fleet}
    with TestClient(create_app(hub_settings)) as again:
        after = {n: again.get(f"{ORG}/nodes/{fleet[n]['node_id']}/desired",
                              headers=as_node(fleet[n])).json()["generation"] for n in fleet}
    assert after == before
