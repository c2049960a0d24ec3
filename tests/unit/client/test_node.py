"""NodeClient against an in-process fake of the protocol: requests sent, answers typed, errors classified."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from tests.unit.client.fake_hub import CREDENTIAL, TOKEN, FakeHub

from edgeplane._kit.ids import Digest
from edgeplane.agent import errors as agent_errors
from edgeplane.agent import fetching
from edgeplane.artifacts import fs
from edgeplane.client import BlobRejected, HubError, HubUnreachable, NodeClient, RetryLater
from edgeplane.client import node as hubnode
from edgeplane.schemas.desired import StatusEntry, StatusReport
from edgeplane.schemas.models import FileEntry
from edgeplane.schemas.nodes import Heartbeat, NodeRegister
from edgeplane.schemas.policy import NodePolicy, Property

pytestmark = pytest.mark.anyio


def client(hub: FakeHub, *, credential: str = CREDENTIAL) -> NodeClient:
    return NodeClient("http://hub.test", org="acme", node_id="n-1", credential=credential,
                      transport=httpx.ASGITransport(app=hub.app()))


async def test_register_then_authenticated_calls() -> None:
    hub = FakeHub()
    async with NodeClient("http://hub.test", org="acme", transport=httpx.ASGITransport(app=hub.app())) as c:
        policy = NodePolicy(properties=[Property(name="gpu", value=True)])
        done = await c.register(NodeRegister(registration_token=TOKEN, name="cam-1", policy=policy))
        assert (done.node_id, done.credential) == ("n-1", CREDENTIAL)
        c.authenticate(done.node_id, done.credential)
        await c.heartbeat(Heartbeat(agent_version="1"))
        info = await c.set_policy(policy)
    assert info.policy.properties[0].name == "gpu"
    assert [(m, p) for m, p, _ in hub.requests] == [
        ("POST", "/api/v1/orgs/acme/nodes/register"), ("POST", "/api/v1/orgs/acme/nodes/n-1/heartbeat"),
        ("PUT", "/api/v1/orgs/acme/nodes/n-1/policy")]
    assert "authorization" not in hub.requests[0][2]
    assert hub.requests[1][2]["authorization"] == f"Bearer {CREDENTIAL}"


async def test_bad_registration_token_is_permanent() -> None:
    hub = FakeHub()
    async with NodeClient("http://hub.test", org="acme", transport=httpx.ASGITransport(app=hub.app())) as c:
        with pytest.raises(HubError) as err:
            await c.register(NodeRegister(registration_token="wrong-token", name="cam-1"))
    assert err.value.http_status == 401 and not hubnode.temporary(err.value)


async def test_desired_long_poll_answers_state_or_none() -> None:
    hub = FakeHub(generation=3)
    async with client(hub) as c:
        state = await c.desired(after=-1, wait=0)
        unchanged = await c.desired(after=3, wait=20)
    assert state is not None and state.generation == 3
    assert unchanged is None
    assert hub.requests[1][1].endswith("/desired?after=3&wait=20")


async def test_report_status_sends_the_delta() -> None:
    hub = FakeHub()
    async with client(hub) as c:
        entry = StatusEntry(kind="model", key="acme/det@1.0.0", state="downloading", bytes_done=10)
        await c.report_status(StatusReport(generation=2, entries=[entry]))
    assert hub.reports == [{"generation": 2, "entries": [{"kind": "model", "key": "acme/det@1.0.0",
                                                          "state": "downloading", "detail": "",
                                                          "bytes_done": 10, "metrics": {}}]}]


@pytest.mark.parametrize(("code", "header", "expected"), [(429, "7", 7.0), (503, "2", 2.0), (503, None, None)])
async def test_overload_carries_retry_after(code: int, header: str | None, expected: float | None) -> None:
    hub = FakeHub()
    hub.answers.append((code, {"Retry-After": header} if header else {}))
    async with client(hub) as c:
        with pytest.raises(RetryLater) as err:
            await c.desired(after=0, wait=0)
    assert err.value.retry_after == expected and hubnode.temporary(err.value)


def test_retry_after_http_date() -> None:
    assert hubnode.parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert hubnode.parse_retry_after("soon") is None


async def test_unreachable_hub_is_temporary() -> None:
    async with NodeClient("http://127.0.0.1:9", org="acme", node_id="n", credential="x") as c:
        with pytest.raises(HubUnreachable) as err:
            await c.heartbeat(Heartbeat())
    assert hubnode.temporary(err.value)


async def test_blob_source_streams_from_an_offset() -> None:
    hub = FakeHub()
    data = os.urandom(300_000)
    digest = hub.add_blob(data)
    async with client(hub) as c:
        whole = b"".join([chunk async for chunk in c.open(Digest(digest), 0)])
        tail = b"".join([chunk async for chunk in c.open(Digest(digest), 123_456)])
    assert whole == data and tail == data[123_456:]
    assert "range" not in hub.requests[0][2] and hub.requests[1][2]["range"] == "bytes=123456-"


@pytest.mark.parametrize(("code", "permanent"), [(401, True), (403, True), (404, True), (416, True), (422, True),
                                                  (500, False), (502, False), (429, False)])
async def test_blob_errors_are_classified_as_fetching_expects(code: int, permanent: bool) -> None:
    hub = FakeHub()
    digest = hub.add_blob(b"x" * 10)
    hub.answers.append((code, {}))
    async with client(hub) as c:
        stream = c.open(Digest(digest), 0)
        with pytest.raises(HubError) as err:
            await anext(stream)
    assert isinstance(err.value, BlobRejected) == permanent
    assert (err.value.status in {401, 403, 404, 410, 416, 422}) == permanent  # what fetching.py reads


async def test_fetching_through_the_client_rejects_a_missing_blob_for_good(tmp_path: Path) -> None:
    hub = FakeHub()
    store = fs.FsBlobStore(tmp_path / "blobs")
    entry = FileEntry(path="m.onnx", size=5, sha256="0" * 64)
    async with client(hub) as c:
        with pytest.raises(agent_errors.SourceRejectedError):
            await fetching.fetch_file(entry, store=store, source=c, chunk_bytes=4096, progress=lambda n: None)
