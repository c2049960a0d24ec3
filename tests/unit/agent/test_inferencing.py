"""The converger serves desired endpoints through the in-process inference server and reports each version.

Asserted through what the hub would see (status deltas) and what a caller sees (HTTP answers, files).
"""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import httpx
import pytest
from tests.unit.agent.agent_fakes import FakeSource, make_model

from edgeplane.agent import converging, delivery, inferencing
from edgeplane.agent.settings import AgentSettings, ServingSettings
from edgeplane.cli.demo import samples
from edgeplane.schemas.desired import DesiredEndpoint, DesiredModel, DesiredState

pytestmark = pytest.mark.anyio


def sklearn_model(source: FakeSource, tmp_path: Path, version: str) -> DesiredModel:
    samples.train_classifier(tmp_path / version, seed=int(version))
    model = make_model(source, {"model.joblib": (tmp_path / version / "model.joblib").read_bytes()},
                       name="scorer", version=version)
    return model.model_copy(update={"framework": "sklearn"})


def state(generation: int, versions: list[DesiredModel], traffic: dict[str, int]) -> DesiredState:
    ep = DesiredEndpoint(name="scorer", model="scorer", traffic=traffic, versions=versions)
    return DesiredState(org="acme", node_id="n", generation=generation, endpoints=[ep] if versions else [])


def endpoint_entries(conv: converging.Converger) -> dict[str, tuple[str, str, dict[str, float]]]:
    entries, cursor = conv.pending_status()
    conv.mark_reported(cursor)
    return {e.key: (e.state, e.detail, e.metrics) for e in entries if e.kind == "endpoint"}


async def test_serves_reports_and_unloads(tmp_path: Path, deps: delivery.DeliveryDeps, source: FakeSource) -> None:
    serving = ServingSettings(port=0, threads=1)
    inference = inferencing.Inferencing(serving, deps.layout, deps.db)
    conv = converging.Converger(converging.Parts(settings=AgentSettings(data_dir=tmp_path, serving=serving),
                                                 delivery=deps, inference=inference))
    good = sklearn_model(source, tmp_path, "1")
    broken = make_model(source, {"model.joblib": b"not a pickle"}, name="scorer", version="2")
    async with anyio.create_task_group() as tg:
        tg.start_soon(inference.run)
        conv.apply(state(1, [good, broken], {"1": 90, "2": 10}))
        await conv.converge()
        seen = endpoint_entries(conv)
        assert seen["scorer@1"][0] == "active" and seen["scorer@1"][2]["loaded"] == 1
        assert seen["scorer@2"][0] == "failed" and seen["scorer@2"][1]
        url = _url(inference)
        async with httpx.AsyncClient(base_url=url) as client:
            body = {"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}
            r = await client.post("/v2/models/scorer/infer", json=body)
            assert r.status_code == 200 and r.json()["model_version"] == "1"
            inference.publish()
            assert endpoint_entries(conv)["scorer@1"][2]["requests"] == 1

            conv.apply(state(2, [], {}))
            await conv.converge()
            assert {k: v[0] for k, v in endpoint_entries(conv).items()} == {"scorer@1": "removed",
                                                                          "scorer@2": "removed"}
            assert (await client.get("/v2/models/scorer/ready")).status_code == 404
        assert not deps.layout.model_dir("acme", "scorer").exists()
        tg.cancel_scope.cancel()


async def test_without_the_serve_extra_versions_fail_with_the_reason(
    tmp_path: Path, deps: delivery.DeliveryDeps, source: FakeSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "edgeplane.serving", None)
    inference = inferencing.Inferencing(ServingSettings(port=0), deps.layout, deps.db)
    conv = converging.Converger(converging.Parts(settings=AgentSettings(data_dir=tmp_path), delivery=deps,
                                                 inference=inference))
    conv.apply(state(1, [make_model(source, {"model.joblib": b"x"}, name="scorer", version="1")], {"1": 1}))
    await conv.converge()
    assert endpoint_entries(conv) == {"scorer@1": ("failed", inferencing.NO_EXTRA, {})}


def _url(inference: inferencing.Inferencing) -> str:
    """Port 0 in the settings: the server says which port it got."""
    assert inference.address is not None
    host, port = inference.address
    return f"http://{host}:{port}"
