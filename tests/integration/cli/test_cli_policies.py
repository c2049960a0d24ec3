"""The policy/workload/endpoint/explain CLI against the real hub app (in-process, no socket)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from tests.integration.cli.running import run
from tests.integration.hub.helpers import ORG, declare, upload
from typer.testing import CliRunner


def register(api: TestClient, name: str, site: str) -> None:
    reg = api.post(f"{ORG}/registration-tokens", json={}).json()["token"]
    r = api.post(f"{ORG}/nodes/register", json={"registration_token": reg, "name": name, "policy": {
        "properties": [{"name": "site", "value": site}]}})
    assert r.status_code == 201


def test_workload_policy_explain_endpoint_round_trip(cli: tuple[CliRunner, TestClient], tmp_path: Path) -> None:
    runner, api = cli
    for n, site in (("a", "north"), ("b", "north"), ("c", "south")):
        register(api, n, site)
    wl = tmp_path / "wl.yaml"
    wl.write_text("kind: Workload\nname: cam\nversion: 1.0.0\ndevice:\n  command: [sleep, '100']\n")
    code, out = run(runner, "workload", "publish", "-f", str(wl))
    assert code == 0 and "published workload cam@1.0.0" in out
    oh = tmp_path / "oh.json"  # an Open Horizon deployment policy file, unchanged
    oh.write_text(json.dumps({"label": "north", "service": {"name": "cam", "org": "default", "arch": "*",
                              "serviceVersions": [{"version": "1.0.0"}]}, "constraints": ["site == north"]}))
    code, out = run(runner, "policy", "check", "-f", str(oh), "--name", "north")
    assert code == 0 and "matches 2 node(s)" in out
    code, out = run(runner, "policy", "apply", "-f", str(oh), "--name", "north")
    assert code == 0 and "created deployment-policie" in out and "2 node(s) changed" in out
    code, out = run(runner, "policy", "list", "--json")
    assert code == 0 and json.loads(out)["policies"][0]["name"] == "north"
    code, out = run(runner, "explain", "--node", "c", "--policy", "north")
    assert code == 0 and "does not get" in out and "site" in out
    for v in ("1", "2"):
        declare(api, "clf", v, {"m.bin": v.encode() * 10})
        upload(api, v.encode() * 10)
        api.post(f"{ORG}/models/clf/versions/{v}/commit")
    ep = tmp_path / "ep.yaml"
    ep.write_text("name: clf\nmodel: clf\ntraffic: {'1': 90, '2': 10}\nconstraints: ['site == north']\n")
    code, out = run(runner, "endpoint", "apply", "-f", str(ep))
    assert code == 0 and "created endpoint clf" in out
    code, out = run(runner, "endpoint", "set-traffic", "clf", "1=50", "2=50")
    assert code == 0 and "1=50 2=50" in out
    assert api.get(f"{ORG}/endpoints/clf").json()["traffic"] == {"1": 50, "2": 50}
    code, out = run(runner, "endpoint", "set-traffic", "clf", "1=x")
    assert code == 2 and "version=weight" in out


def test_bad_policy_file_gives_one_line_and_exit_2(cli: tuple[CliRunner, TestClient], tmp_path: Path) -> None:
    runner, _ = cli
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Nonsense\nname: x\n")
    code, out = run(runner, "policy", "apply", "-f", str(bad))
    assert code == 2 and "unknown kind" in out
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, out = run(runner, "policy", "apply", "-f", str(broken))
    assert code == 2 and "not valid JSON/YAML" in out
