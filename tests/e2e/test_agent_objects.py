"""End to end, real processes: hub + agent + an Open Horizon-style shell workload talking to the ESS.

The workload is what an OH example service does: ``curl --unix-socket $HZN_ESS_API_ADDRESS --cacert
$HZN_ESS_CERT -u id:token https://localhost/api/v1/objects/model``, fetch each object's data, ack it
``received`` (or ``deleted``). It receives a model, an update, then the deletion; files on disk are checked
at each step. A second workload's credential cannot read, list or ack the first one's objects.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from tests.e2e import procs

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SERVICE = r"""#!/bin/sh
# An Open Horizon-style ESS consumer: list new model objects, fetch their data, ack them.
id=$(jq -r .id "$HZN_ESS_AUTH"); token=$(jq -r .token "$HZN_ESS_AUTH")
ess() { curl -sS --unix-socket "$HZN_ESS_API_ADDRESS" --cacert "$HZN_ESS_CERT" -u "$id:$token" "$@"; }
base=https://localhost/api/v1/objects/model
mkdir -p out
while true; do
  code=$(ess -o list.json -w '%{http_code}' "$base")
  if [ "$code" = 200 ]; then
    jq -r '.[] | "\(.objectID) \(.version) \(.deleted)"' list.json | while read -r oid ver deleted; do
      if [ "$deleted" = true ]; then
        rm -f "out/$oid" "out/$oid.version"
        ess -X PUT "$base/$oid/deleted" && echo "deleted $oid $ver" >> events.log
      else
        ess -o "out/$oid.part" "$base/$oid/data" && mv "out/$oid.part" "out/$oid" && echo "$ver" > "out/$oid.version"
        ess -X PUT "$base/$oid/received" && echo "received $oid $ver" >> events.log
      fi
    done
  fi
  sleep 0.2
done
"""


def publish_workload(hub: procs.HubProcess, name: str) -> None:
    with procs.admin(hub) as c:
        procs.call(c, "POST", "/workloads", {"name": name, "version": "1.0.0", "kind": "device",
                                             "device": {"command": ["sh", "service.sh"],
                                                        "files": {"service.sh": SERVICE}}})
        procs.call(c, "POST", "/deployment-policies", {"name": f"{name}-dp", "workload": {"name": name}})


def route_model(hub: procs.HubProcess, version: str, *, create: bool) -> None:
    body = {"name": "det-mp", "model": "det", "version": version, "services": [{"name": "detector"}]}
    with procs.admin(hub) as c:
        procs.call(c, "POST" if create else "PUT", "/model-policies" + ("" if create else "/det-mp"), body)


def read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def ess(agent: procs.AgentProcess, workload: str, method: str, tail: str,
        auth: tuple[str, str] | None = None) -> tuple[int, str]:
    """Call the ESS as ``workload`` (with its own auth.json, or ``auth``) through curl; (status, body)."""
    creds = json.loads((agent.workload_dir(workload) / "auth.json").read_text())
    user, token = auth or (creds["id"], creds["token"])
    out = subprocess.run(["curl", "-sS", "--unix-socket", str(agent.data_dir / "ess.sock"), "--cacert",
                          str(agent.data_dir / "ess" / "ca.pem"), "-u", f"{user}:{token}", "-X", method,
                          "-w", "\n%{http_code}", f"https://localhost/api/v1/objects/{tail}"],
                         capture_output=True, text=True, timeout=30, check=True)
    body, _, code = out.stdout.rpartition("\n")
    return int(code), body




def test_workload_receives_a_model_its_update_and_its_deletion(tmp_path: Path) -> None:
    v1, v2 = os.urandom(200_000), os.urandom(300_000)
    (tmp_path / "v1.onnx").write_bytes(v1)
    (tmp_path / "v2.onnx").write_bytes(v2)
    with procs.hub(tmp_path / "hub") as hub:
        publish_workload(hub, "detector")
        procs.push_model(hub, tmp_path / "v1.onnx", "det", "1.0.0")
        route_model(hub, "1.0.0", create=True)
        with procs.agent(tmp_path / "a", hub.url, procs.registration_token(hub), name="cam-1") as agent:
            files = agent.workload_dir("detector") / "files"
            models = agent.data_dir / "models" / "default" / "det"

            procs.wait_for(lambda: read(files / "out" / "det.version") == "1.0.0\n", log=agent.log,
                           what="the workload to receive det 1.0.0")
            assert (files / "out" / "det").read_bytes() == v1
            assert os.readlink(models / "current") == "1.0.0"
            assert (models / "1.0.0" / "v1.onnx").read_bytes() == v1

            procs.push_model(hub, tmp_path / "v2.onnx", "det", "2.0.0")
            route_model(hub, "2.0.0", create=False)
            procs.wait_for(lambda: read(files / "out" / "det.version") == "2.0.0\n", log=agent.log,
                           what="the workload to receive the update det 2.0.0")
            assert (files / "out" / "det").read_bytes() == v2
            assert os.readlink(models / "current") == "2.0.0"
            procs.wait_for(lambda: not (models / "1.0.0").exists(), log=agent.log, what="1.0.0 removed")

            with procs.admin(hub) as c:
                procs.call(c, "DELETE", "/model-policies/det-mp")
            procs.wait_for(lambda: "deleted det 2.0.0" in (read(files / "events.log") or ""), log=agent.log,
                           what="the workload to see the deletion and ack it")
            assert not (files / "out" / "det").exists()
            procs.wait_for(lambda: not models.exists(), log=agent.log, what="the model removed from disk")
            assert (read(files / "events.log") or "").splitlines() == [
                "received det 1.0.0", "received det 2.0.0", "deleted det 2.0.0"]

            def reported() -> dict[str, str]:
                with procs.admin(hub) as c:
                    entries = procs.call(c, "GET", f"/nodes/{agent.node_id}/status")
                return {f"{e['kind']} {e['key']}": e["state"] for e in entries}

            procs.wait_for(lambda: reported().get("model default/det@2.0.0") == "removed", log=agent.log,
                           what="the hub to hear of the removal")
            status = reported()
            assert status["model default/det@1.0.0"] == "removed"
            assert status["workload default/detector@1.0.0"] == "running"


def test_a_workload_cannot_read_list_or_ack_another_workloads_objects(tmp_path: Path) -> None:
    (tmp_path / "m.onnx").write_bytes(os.urandom(50_000))
    with procs.hub(tmp_path / "hub") as hub:
        publish_workload(hub, "detector")
        publish_workload(hub, "other")
        procs.push_model(hub, tmp_path / "m.onnx", "det", "1.0.0")
        route_model(hub, "1.0.0", create=True)
        with procs.agent(tmp_path / "a", hub.url, procs.registration_token(hub), name="cam-1") as agent:
            first = agent.workload_dir("detector") / "files"
            procs.wait_for(lambda: read(first / "out" / "det.version") == "1.0.0\n", log=agent.log,
                           what="the first workload to receive det")
            procs.wait_for(lambda: (agent.workload_dir("other") / "auth.json").exists(), log=agent.log,
                           what="the second workload to start")
            assert ess(agent, "detector", "GET", "model?received=true")[0] == 200

            assert ess(agent, "other", "GET", "model")[0] == 404
            assert ess(agent, "other", "GET", "model?received=true")[0] == 404
            assert ess(agent, "other", "GET", "model/det")[0] == 404
            assert ess(agent, "other", "GET", "model/det/data")[0] == 404
            for ack in ("received", "consumed", "deleted"):
                assert ess(agent, "other", "PUT", f"model/det/{ack}")[0] == 404
            assert (read(agent.workload_dir("other") / "files" / "events.log") or "") == ""

            # Another workload's id with this workload's token, or a made-up token: 403 Unauthorized.
            mine = json.loads((agent.workload_dir("other") / "auth.json").read_text())
            assert ess(agent, "other", "GET", "model", auth=("default/detector", mine["token"])) == (
                403, "Unauthorized")
            assert ess(agent, "other", "GET", "model/det/data", auth=("default/detector", "0" * 64))[0] == 403

            # The first workload's view is untouched by all of that.
            code, body = ess(agent, "detector", "GET", "model?received=true")
            assert code == 200 and json.loads(body)[0]["objectID"] == "det"
