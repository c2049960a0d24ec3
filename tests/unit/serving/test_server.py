"""The programmatic API the agent drives: apply (load, reuse, fail safely), shadow traffic, stats."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from tests.unit.serving import serving_models

from edgeplane.schemas import desired
from edgeplane.serving import config, server

pytestmark = pytest.mark.anyio
BODY = {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]}]}


def one(ep: config.EndpointConfig) -> config.ServingConfig:
    return config.ServingConfig(endpoints=[ep])


def two_versions(tmp_path: Path) -> dict[str, Path]:
    serving_models.mlp_onnx(tmp_path / "v1" / "model.onnx", seed=1)
    serving_models.mlp_onnx(tmp_path / "v2" / "model.onnx", seed=2)
    return {"1": tmp_path / "v1", "2": tmp_path / "v2"}


async def test_apply_reuses_unchanged_versions_and_reports_each(srv: server.InferenceServer, tmp_path: Path) -> None:
    paths = two_versions(tmp_path)
    first = await srv.apply(one(serving_models.endpoint("m", paths, traffic={"1": 100})))
    assert [(v.version, v.ok, v.reused) for v in first.versions] == [("1", True, False), ("2", True, False)]
    second = await srv.apply(one(serving_models.endpoint("m", paths, traffic={"1": 10, "2": 90})))
    assert all(v.reused for v in second.versions)
    assert srv.stats()["m"]["2"].weight == 90
    await srv.apply(config.ServingConfig())
    assert srv.stats() == {} and srv.models() == []


async def test_a_version_failing_warmup_is_not_put_into_service(
    srv: server.InferenceServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    paths = two_versions(tmp_path)
    (paths["2"] / "warmup.json").write_text(
        json.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 5], "data": [1, 2, 3, 4, 5]}]})
    )
    await srv.apply(one(serving_models.endpoint("m", {"1": paths["1"]})))
    result = await srv.apply(one(serving_models.endpoint("m", paths, traffic={"1": 50, "2": 50})))
    (failure,) = result.failures()
    assert failure.version == "2" and "warm-up" in (failure.error or "")
    answered = {(await client.post("/v2/models/m/infer", json=BODY)).json()["model_version"] for _ in range(30)}
    assert answered == {"1"}
    assert srv.stats()["m"]["2"].loaded is False
    assert "edgeplane_model_load_failures_total" in (await client.get("/metrics")).text


async def test_when_no_new_version_loads_the_old_ones_keep_serving(
    srv: server.InferenceServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    paths = two_versions(tmp_path)
    await srv.apply(one(serving_models.endpoint("m", {"1": paths["1"]})))
    missing = tmp_path / "nowhere"
    result = await srv.apply(one(serving_models.endpoint("m", {"3": missing})))
    assert not result.ok
    r = await client.post("/v2/models/m/infer", json=BODY)
    assert r.status_code == 200 and r.json()["model_version"] == "1"


async def test_shadow_copies_are_compared_and_never_affect_the_caller(
    srv: server.InferenceServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    paths = two_versions(tmp_path)
    (paths["2"] / "processing.py").write_text("def preprocess(inputs):\n    raise RuntimeError('shadow broke')\n")
    cfg = serving_models.endpoint("m", paths, traffic={"1": 100}, shadow=desired.Shadow(version="2", percent=100))
    assert (await srv.apply(config.ServingConfig(endpoints=[cfg]))).ok
    for _ in range(10):
        r = await client.post("/v2/models/m/infer", json=BODY)
        assert r.status_code == 200 and r.json()["model_version"] == "1"
        await srv.settle()  # one copy at a time: none is skipped for being over the in-flight limit
    text = (await client.get("/metrics")).text
    assert 'edgeplane_shadow_errors_total{model="m",version="2"} 10.0' in text
    (paths["2"] / "processing.py").unlink()
    paths["3"] = paths["2"]
    cfg = serving_models.endpoint(
        "m", {"1": paths["1"], "3": paths["2"]}, traffic={"1": 100}, shadow=desired.Shadow(version="3", percent=100)
    )
    await srv.apply(config.ServingConfig(endpoints=[cfg]))
    for _ in range(5):
        await client.post("/v2/models/m/infer", json=BODY)
        await srv.settle()
    text = (await client.get("/metrics")).text
    assert 'edgeplane_shadow_disagreements_total{model="m",version="3"} 5.0' in text
    assert srv.stats()["m"]["3"].shadow is True


async def test_hooks_shipped_in_a_version_run_around_the_model(
    srv: server.InferenceServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    paths = two_versions(tmp_path)
    (paths["1"] / "processing.py").write_text(
        "import numpy as np\n"
        "def preprocess(inputs):\n    return {'x': np.asarray(inputs['raw'], dtype=np.float32).reshape(-1, 4)}\n"
        "def postprocess(outputs):\n    return {'best': outputs['y'].argmax(axis=1), 'y': outputs['y']}\n"
    )
    await srv.apply(one(serving_models.endpoint("m", paths, traffic={"1": 1})))
    r = await client.post(
        "/v2/models/m/infer",
        json={
            "inputs": [{"name": "raw", "datatype": "FP64", "shape": [4], "data": [1, 2, 3, 4]}],
            "outputs": [{"name": "best"}],
        },
    )
    assert r.status_code == 200, r.text
    (out,) = r.json()["outputs"]
    plain = (await client.post("/v2/models/m/infer", json=BODY)).json()
    assert out["name"] == "best" and out["datatype"] == "INT64"
    assert "preprocess failed" in plain["error"]  # v1's preprocess wants 'raw', not 'x'


async def test_stats_count_requests_errors_and_latency(
    srv: server.InferenceServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    paths = two_versions(tmp_path)
    await srv.apply(one(serving_models.endpoint("m", paths, traffic={"1": 1, "2": 1})))
    for _ in range(20):
        await client.post("/v2/models/m/versions/1/infer", json=BODY)
    await client.post("/v2/models/m/versions/1/infer", json={"inputs": []})
    s = srv.stats()["m"]
    assert (s["1"].requests, s["1"].errors, s["1"].requests_window) == (21, 1, 21)
    assert s["1"].p50_ms is not None and s["1"].p99_ms is not None and 0 < s["1"].p50_ms <= s["1"].p99_ms
    assert s["2"].requests == 0 and s["2"].p50_ms is None
    assert set(s["1"].as_metrics()) == {"loaded", "requests", "errors", "p50_ms", "p99_ms"}


def test_endpoint_from_desired(tmp_path: Path) -> None:
    ep = desired.DesiredEndpoint(
        name="fraud",
        model="fraud-model",
        traffic={"1": 90, "2": 10},
        shadow=desired.Shadow(version="2", percent=5),
        versions=[
            desired.DesiredModel(org="o", name="fraud-model", version=v, framework="onnx", files=[]) for v in ("1", "2")
        ],
    )
    cfg = config.endpoint_from_desired(ep, {"1": tmp_path / "a", "2": tmp_path / "b"}, api_keys=["k"])
    assert cfg.weights() == {"1": 90, "2": 10} and cfg.versions["2"].framework == "onnx"
    assert cfg.shadow is not None and cfg.shadow.percent == 5


def test_config_rejects_inconsistent_endpoints(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="traffic names versions"):
        serving_models.endpoint("m", {"1": tmp_path}, traffic={"2": 1})
    with pytest.raises(ValueError, match="shadow version"):
        serving_models.endpoint("m", {"1": tmp_path}, shadow=desired.Shadow(version="9", percent=1))
    with pytest.raises(ValueError, match="unique"):
        config.ServingConfig(
            endpoints=[serving_models.endpoint("m", {"1": tmp_path}), serving_models.endpoint("m", {"1": tmp_path})]
        )
