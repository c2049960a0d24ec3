"""V2 protocol conformance through the ASGI app: every endpoint, datatypes, outputs, errors, keys, metrics."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest
from pydantic import SecretStr
from tests.unit.serving import serving_models
from tests.unit.serving.test_tensors import SAMPLES

from edgeplane.serving import config, server

pytestmark = pytest.mark.anyio


@pytest.fixture
async def loaded(srv: server.InferenceServer, tmp_path: Path) -> server.InferenceServer:
    serving_models.mlp_onnx(tmp_path / "mlp1" / "model.onnx", seed=1)
    serving_models.mlp_onnx(tmp_path / "mlp2" / "model.onnx", seed=2)
    serving_models.identity_onnx(tmp_path / "id" / "model.onnx")
    serving_models.iris_sklearn(tmp_path / "iris" / "model.joblib")
    serving_models.iris_onnx(tmp_path / "iris-onnx" / "model.onnx")
    result = await srv.apply(
        config.ServingConfig(
            endpoints=[
                serving_models.endpoint(
                    "mlp", {"1": tmp_path / "mlp1", "2": tmp_path / "mlp2"}, traffic={"1": 100, "2": 0}
                ),
                serving_models.endpoint("ident", {"1": tmp_path / "id"}),
                serving_models.endpoint("iris", {"1": tmp_path / "iris"}),
                serving_models.endpoint("iris-onnx", {"1": tmp_path / "iris-onnx"}),
                serving_models.endpoint(
                    "secret", {"1": tmp_path / "mlp1"}, api_keys=[SecretStr("k1"), SecretStr("k2")]
                ),
            ]
        )
    )
    assert result.ok, result.failures()
    return srv


def x_input(rows: int = 2) -> dict[str, object]:
    return {"name": "x", "datatype": "FP32", "shape": [rows, 4], "data": list(range(rows * 4))}


async def test_server_endpoints(client: httpx.AsyncClient, loaded: server.InferenceServer) -> None:
    meta = (await client.get("/v2")).json()
    assert meta["name"] == "edgeplane" and "binary_tensor_data" in meta["extensions"]
    assert (await client.get("/v2/health/live")).status_code == 200
    assert (await client.get("/v2/health/ready")).status_code == 200


async def test_model_metadata_and_readiness(client: httpx.AsyncClient, loaded: server.InferenceServer) -> None:
    r = await client.get("/v2/models/mlp")
    assert r.status_code == 200
    assert r.json() == {
        "name": "mlp",
        "versions": ["1", "2"],
        "platform": "onnxruntime_onnx",
        "inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 4]}],
        "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 3]}],
    }
    assert (await client.get("/v2/models/mlp/versions/2")).json()["versions"] == ["2"]
    assert (await client.get("/v2/models/mlp/ready")).json() == {"name": "mlp", "ready": True}
    assert (await client.get("/v2/models/mlp/versions/2/ready")).status_code == 200
    iris = (await client.get("/v2/models/iris")).json()
    assert iris["platform"] == "sklearn"
    assert [o["name"] for o in iris["outputs"]] == ["label", "probabilities"]


async def test_infer_answers_with_version_and_id(client: httpx.AsyncClient, loaded: server.InferenceServer) -> None:
    r = await client.post("/v2/models/mlp/infer", json={"id": "abc", "inputs": [x_input()]})
    assert r.status_code == 200
    doc = r.json()
    assert doc["model_name"] == "mlp" and doc["model_version"] == "1" and doc["id"] == "abc"
    assert doc["outputs"][0]["shape"] == [2, 3] and len(doc["outputs"][0]["data"]) == 6
    pinned = (await client.post("/v2/models/mlp/versions/2/infer", json={"inputs": [x_input()]})).json()
    assert pinned["model_version"] == "2"
    assert pinned["outputs"][0]["data"] != doc["outputs"][0]["data"]


@pytest.mark.parametrize("datatype", sorted(SAMPLES))
async def test_every_datatype_round_trips(
    client: httpx.AsyncClient, loaded: server.InferenceServer, datatype: str
) -> None:
    data = SAMPLES[datatype]
    r = await client.post(
        "/v2/models/ident/infer",
        json={
            "inputs": [{"name": f"in_{t}", "datatype": t, "shape": [2, 2], "data": SAMPLES[t]} for t in SAMPLES],
            "outputs": [{"name": f"out_{datatype}"}],
        },
    )
    assert r.status_code == 200, r.text
    (out,) = r.json()["outputs"]
    assert out["name"] == f"out_{datatype}" and out["datatype"] == datatype and out["shape"] == [2, 2]
    if datatype.startswith("FP"):
        assert np.allclose(out["data"], np.array(data, dtype=np.float64).astype(datatype.replace("FP", "float")))
    else:
        assert out["data"] == data


async def test_sklearn_joblib_and_skl2onnx_models(client: httpx.AsyncClient, loaded: server.InferenceServer) -> None:
    row = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]
    r = await client.post(
        "/v2/models/iris/infer",
        json={
            "inputs": [{"name": "input", "datatype": "FP64", "shape": [2, 4], "data": row}],
            "outputs": [{"name": "label"}],
        },
    )
    assert r.json()["outputs"] == [
        {"name": "label", "datatype": "BYTES", "shape": [2], "data": ["setosa", "virginica"]}
    ]
    r = await client.post(
        "/v2/models/iris-onnx/infer", json={"inputs": [{"name": "X", "datatype": "FP32", "shape": [2, 4], "data": row}]}
    )
    outs = {o["name"]: o for o in r.json()["outputs"]}
    assert outs["label"]["data"] == [0, 2] and outs["probabilities"]["shape"] == [2, 3]


async def test_parameters_pass_through(client: httpx.AsyncClient, loaded: server.InferenceServer) -> None:
    r = await client.post("/v2/models/mlp/infer", json={"inputs": [x_input(1)], "parameters": {"content_type": "np"}})
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("path", "payload", "status", "message"),
    [
        ("/v2/models/nope/infer", {"inputs": [x_input()]}, 404, "unknown model"),
        ("/v2/models/mlp/versions/9/infer", {"inputs": [x_input()]}, 404, "no version '9'"),
        ("/v2/models/mlp/infer", {"inputs": []}, 400, "do not match"),
        ("/v2/models/mlp/infer", {"inputs": [x_input() | {"name": "q"}]}, 400, "do not match"),
        ("/v2/models/mlp/infer", {"inputs": [x_input() | {"shape": [4, 2]}]}, 400, "does not fit"),
        ("/v2/models/mlp/infer", {"inputs": [x_input() | {"datatype": "FP64"}]}, 400, "double"),
        ("/v2/models/mlp/infer", {"inputs": [x_input()], "outputs": [{"name": "zz"}]}, 400, "zz"),
        ("/v2/models/iris/infer", {"inputs": [x_input()]}, 400, "do not match"),
    ],
)
async def test_errors_are_v2_error_bodies(
    client: httpx.AsyncClient, loaded: server.InferenceServer, path: str, payload: object, status: int, message: str
) -> None:
    r = await client.post(path, json=payload)
    assert r.status_code == status, r.text
    assert set(r.json()) == {"error"} and message in r.json()["error"]


async def test_unknown_model_metadata_and_route(client: httpx.AsyncClient, loaded: server.InferenceServer) -> None:
    for path in ("/v2/models/nope", "/v2/models/nope/ready", "/v2/models/mlp/versions/7", "/v2/nothing"):
        r = await client.get(path)
        assert r.status_code == 404 and "error" in r.json()
    r = await client.post("/v2/models/mlp/infer", content=b"{oops")
    assert r.status_code == 400 and "JSON" in r.json()["error"]


async def test_model_without_a_loadable_version_is_503(
    srv: server.InferenceServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.onnx").write_bytes(b"garbage")
    result = await srv.apply(config.ServingConfig(endpoints=[serving_models.endpoint("b", {"1": tmp_path / "broken"})]))
    assert not result.ok and "cannot load" in (result.failures()[0].error or "")
    for r in (
        await client.get("/v2/models/b/ready"),
        await client.post("/v2/models/b/infer", json={"inputs": []}),
        await client.get("/v2/health/ready"),
    ):
        assert r.status_code == 503 and "error" in r.json()


async def test_api_keys(client: httpx.AsyncClient, loaded: server.InferenceServer) -> None:
    body = {"inputs": [x_input()]}
    assert (await client.post("/v2/models/secret/infer", json=body)).status_code == 401
    assert (await client.post("/v2/models/secret/infer", json=body, headers={"x-api-key": "bad"})).status_code == 401
    assert (await client.get("/v2/models/secret")).status_code == 401
    ok = await client.post("/v2/models/secret/infer", json=body, headers={"X-API-Key": "k2"})
    assert ok.status_code == 200
    assert (await client.post("/v2/models/mlp/infer", json=body)).status_code == 200  # other endpoints open


async def test_prometheus_metrics(client: httpx.AsyncClient, loaded: server.InferenceServer) -> None:
    for _ in range(3):
        await client.post("/v2/models/mlp/infer", json={"inputs": [x_input()]})
    await client.post("/v2/models/mlp/infer", json={"inputs": []})
    text = (await client.get("/metrics")).text
    assert 'edgeplane_inference_requests_total{model="mlp",version="1"} 4.0' in text
    assert 'edgeplane_inference_errors_total{model="mlp",version="1"} 1.0' in text
    assert 'edgeplane_inference_latency_seconds_count{model="mlp",version="1"} 4.0' in text


async def test_gzip_request_body(client: httpx.AsyncClient, loaded: server.InferenceServer) -> None:
    import gzip
    import json

    raw = gzip.compress(json.dumps({"inputs": [x_input()]}).encode())
    r = await client.post("/v2/models/mlp/infer", content=raw, headers={"content-encoding": "gzip"})
    assert r.status_code == 200
