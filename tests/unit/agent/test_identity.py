"""Registration stores the credential 0600 and atomically; built-in properties are detected and stable."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest
from tests.unit.client.fake_hub import CREDENTIAL, TOKEN, FakeHub

from edgeplane._kit.errors import InvalidInput
from edgeplane.agent import identity, properties
from edgeplane.agent.settings import AgentSettings
from edgeplane.client import node as hubnode
from edgeplane.schemas.nodes import Heartbeat
from edgeplane.schemas.policy import NodePolicy

pytestmark = pytest.mark.anyio


async def test_register_writes_the_credential_0600(tmp_path: Path) -> None:
    hub = FakeHub()
    settings = AgentSettings(data_dir=tmp_path / "agent", registration_token=TOKEN, node_name="cam-1", org="acme")
    async with hubnode.NodeClient("http://hub.test", org="acme", transport=httpx.ASGITransport(app=hub.app())) as c:
        ident = await identity.register(settings, c, NodePolicy(), [])
        await c.heartbeat(Heartbeat())
    path = tmp_path / "agent" / "node.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["credential"] == CREDENTIAL
    assert identity.load(tmp_path / "agent") == ident
    assert CREDENTIAL not in repr(ident)
    assert hub.requests[-1][2]["authorization"] == f"Bearer {CREDENTIAL}"  # the client uses it at once
    assert not list((tmp_path / "agent").glob("*.tmp"))




async def test_no_token_no_registration(tmp_path: Path) -> None:
    async with hubnode.NodeClient("http://hub.test", org="acme") as c:
        with pytest.raises(InvalidInput):
            await identity.register(AgentSettings(data_dir=tmp_path), c, NodePolicy(), [])


def test_load_before_registration_is_none(tmp_path: Path) -> None:
    assert identity.load(tmp_path) is None


def test_host_name_becomes_a_valid_node_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("platform.node", lambda: "Cam 01.Factory.Local")
    assert identity.node_name(AgentSettings()) == "cam-01.factory.local"
    assert identity.node_name(AgentSettings(node_name="given")) == "given"


def test_builtin_properties(tmp_path: Path) -> None:
    machine_id = tmp_path / "machine-id"
    machine_id.write_text("0123456789abcdef\n")
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:        8048576 kB\nMemFree: 1 kB\n")
    found = {p.name: p.value for p in properties.builtin(tmp_path, arch="arm64", machine_id_files=(machine_id,),
                                                         meminfo=meminfo)}
    assert found["openhorizon.arch"] == "arm64"
    assert found["openhorizon.memory"] == 7859
    assert found["openhorizon.hardwareId"] == "0123456789abcdef"
    assert found["openhorizon.operatingSystem"] == "linux"
    assert isinstance(found["openhorizon.cpu"], int) and found["openhorizon.cpu"] >= 1


def test_detected_arch_is_go_style() -> None:
    found = {p.name: p.value for p in properties.builtin(Path("/nonexistent"), machine_id_files=())}
    assert found["openhorizon.arch"] in ("amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64")


def test_hardware_id_without_machine_id_is_generated_once(tmp_path: Path) -> None:
    first = properties.hardware_id(tmp_path, machine_id_files=(tmp_path / "missing",))
    again = properties.hardware_id(tmp_path, machine_id_files=(tmp_path / "missing",))
    assert first == again and len(first) == 32


def test_policy_file(tmp_path: Path) -> None:
    f = tmp_path / "node.policy.json"
    f.write_text(json.dumps({"properties": [{"name": "camera", "value": True}], "constraints": ["purpose == x"],
                             "deployment": {"properties": [{"name": "zone", "value": "a"}]}}))
    policy = properties.load_policy(f)
    assert policy.properties[0].name == "camera" and policy.deployment is not None
    f.write_text('{"properties": 3}')
    with pytest.raises(InvalidInput):
        properties.load_policy(f)
    assert properties.load_policy(None) == NodePolicy()
