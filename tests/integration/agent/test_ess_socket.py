"""The ESS API over a real unix socket with TLS, driven by curl (as OH services do) and httpx."""

from __future__ import annotations

import os
import stat

import pytest
from tests.integration.agent.ess_support import Ess
from tests.unit.agent.agent_fakes import make_model

from edgeplane.schemas.desired import DesiredModel, DesiredState, DesiredWorkload
from edgeplane.schemas.workloads import DeviceSpec

pytestmark = pytest.mark.anyio

V1 = os.urandom(50_000)
V2 = os.urandom(60_000)


def workload(name: str, *models: DesiredModel) -> DesiredWorkload:
    return DesiredWorkload(org="acme", name=name, version="1.0.0", kind="device",
                           device=DeviceSpec(command=["true"]), models=list(models))


async def converge(ess: Ess, generation: int, *workloads: DesiredWorkload) -> None:
    ess.converger.apply(DesiredState(org="acme", node_id="node-1", generation=generation,
                                     workloads=list(workloads)))
    assert await ess.converger.converge()


async def test_model_lifecycle_with_curl(ess: Ess) -> None:
    det1 = make_model(ess.source, {"model.onnx": V1})
    await converge(ess, 1, workload("cam", det1))

    code, body = await ess.curl("acme/cam", "/objects/model")
    assert code == 200
    [meta] = ess.json(body)
    assert (meta["objectID"], meta["objectType"], meta["version"], meta["deleted"]) == \
        ("det", "model", "1.0.0", False)
    assert meta["objectSize"] == len(V1) and meta["destinationOrgID"] == "acme"
    code, body = await ess.curl("acme/cam", "/objects/model/det/data")
    assert (code, body) == (200, V1)
    code, body = await ess.curl("acme/cam", "/objects/model/det/data", "-H", "Range: bytes=10-19")
    assert (code, body) == (206, V1[10:20])

    assert (await ess.curl("acme/cam", "/objects/model/det/received", "-X", "PUT"))[0] == 204
    assert (await ess.curl("acme/cam", "/objects/model"))[0] == 404
    code, body = await ess.curl("acme/cam", "/objects/model?received=true")
    assert code == 200 and ess.json(body)[0]["objectID"] == "det"
    assert (await ess.curl("acme/cam", "/objects/model/det/consumed", "-X", "PUT"))[0] == 204
    assert (await ess.curl("acme/cam", "/objects/model?received=true"))[0] == 404

    # an update reappears with the new version; the old version leaves the disk
    det2 = make_model(ess.source, {"model.onnx": V2}, version="2.0.0")
    await converge(ess, 2, workload("cam", det2))
    code, body = await ess.curl("acme/cam", "/objects/model")
    assert code == 200 and ess.json(body)[0]["version"] == "2.0.0"
    assert (await ess.curl("acme/cam", "/objects/model/det/data"))[1] == V2
    model_dir = ess.layout.models / "acme" / "det"
    assert sorted(p.name for p in model_dir.iterdir()) == ["2.0.0", "current"]
    assert (await ess.curl("acme/cam", "/objects/model/det/consumed", "-X", "PUT"))[0] == 204

    # undeploy: shown deleted until acked, kept on disk until then
    await converge(ess, 3, workload("cam"))
    code, body = await ess.curl("acme/cam", "/objects/model")
    assert code == 200 and ess.json(body)[0]["deleted"] is True
    assert (await ess.curl("acme/cam", "/objects/model/det/data"))[0] == 404
    assert (model_dir / "2.0.0" / "model.onnx").read_bytes() == V2
    assert (await ess.curl("acme/cam", "/objects/model/det/deleted", "-X", "PUT"))[0] == 204
    assert (await ess.curl("acme/cam", "/objects/model"))[0] == 404
    await converge(ess, 4, workload("cam"))
    assert not model_dir.exists()
    assert list(ess.layout.blobs.glob("sha256/*/*")) == []


async def test_bad_credentials_get_403_unauthorized(ess: Ess) -> None:
    await converge(ess, 1, workload("cam", make_model(ess.source, {"m": b"x"})))
    async with ess.client("acme/cam", token="0" * 64) as client:
        response = await client.get("/objects/model")
    assert (response.status_code, response.text) == (403, "Unauthorized")
    async with ess.client() as anonymous:
        response = await anonymous.get("/objects/model")
    assert (response.status_code, response.text) == (403, "Unauthorized")


async def test_a_workload_cannot_see_or_ack_anothers_objects(ess: Ess) -> None:
    await converge(ess, 1, workload("cam", make_model(ess.source, {"m": b"secret"}, name="det")),
                   workload("other", make_model(ess.source, {"m": b"mine"}, name="ocr")))
    async with ess.client("acme/other") as other:
        listed = (await other.get("/objects/model")).json()
        assert [m["objectID"] for m in listed] == ["ocr"]
        assert (await other.get("/objects/model/det")).status_code == 404
        assert (await other.get("/objects/model/det/data")).status_code == 404
        assert (await other.put("/objects/model/det/received")).status_code == 404
        assert (await other.put("/objects/model/det/consumed")).status_code == 404
    async with ess.client("acme/cam") as cam:
        assert [m["objectID"] for m in (await cam.get("/objects/model")).json()] == ["det"]


async def test_acks_are_per_workload(ess: Ess) -> None:
    shared = make_model(ess.source, {"m": b"shared"}, name="shared")
    await converge(ess, 1, workload("a", shared), workload("b", shared))
    async with ess.client("acme/a") as a, ess.client("acme/b") as b:
        assert (await a.put("/objects/model/shared/consumed")).status_code == 204
        assert (await a.get("/objects/model")).status_code == 404
        assert [m["objectID"] for m in (await b.get("/objects/model")).json()] == ["shared"]


async def test_multi_file_model_data_is_a_tar(ess: Ess) -> None:
    import io
    import tarfile

    await converge(ess, 1, workload("cam", make_model(ess.source, {"a.bin": b"A" * 10, "d/b.txt": b"B"})))
    async with ess.client("acme/cam") as cam:
        meta = (await cam.get("/objects/model/det")).json()
        data = (await cam.get("/objects/model/det/data")).content
    assert meta["objectSize"] == len(data)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        assert sorted(tar.getnames()) == ["a.bin", "d/b.txt"]
        assert tar.extractfile("d/b.txt").read() == b"B"  # type: ignore[union-attr]


async def test_webhooks_are_called_on_change(ess: Ess) -> None:
    await converge(ess, 1, workload("cam"))
    async with ess.client("acme/cam") as cam:
        response = await cam.put("/objects/model", json={"action": "register", "url": "http://127.0.0.1:9/hook"})
        assert response.status_code == 204
        assert (await cam.put("/objects/model", json={"action": "nope", "url": "x"})).status_code == 400
    await converge(ess, 2, workload("cam", make_model(ess.source, {"m": b"x"})))
    for _ in range(100):
        if ess.hook_calls:
            break
        import anyio
        await anyio.sleep(0.01)
    url, body = ess.hook_calls[0]
    assert url == "http://127.0.0.1:9/hook" and body[0]["objectID"] == "det"


async def test_server_key_stays_private(ess: Ess) -> None:
    for name in ("server-key.pem", "ca-key.pem"):
        mode = stat.S_IMODE((ess.layout.ess / name).stat().st_mode)
        assert mode == 0o600
