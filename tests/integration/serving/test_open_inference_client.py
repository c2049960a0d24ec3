"""open-inference-openapi (the client generated from the Open Inference Protocol's OpenAPI spec), unchanged.

Notes on the client itself, not on our server:

* Its docstrings say ``from open_inference.client import OpenInferenceClient``; the wheel only ships
  ``open_inference.openapi.client``, which is what we import.
* It maps only the statuses its OpenAPI document lists per path to typed errors: model ready gets
  ``NotFoundError`` on 404, infer gets ``BadRequestError`` on 400, but a 404 from metadata or infer
  (unknown model or version, which the protocol says is an error) comes back as the base ``ApiError``
  with ``status_code == 404``. So those cases assert the status code, not the subclass.
* Its pydantic-v1 models declare ``Optional[...]`` fields without defaults, so a type checker with the
  pydantic plugin wants ``parameters=`` on every constructor; at runtime they default to None (mypy
  does not check tests here).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from open_inference.openapi import BadRequestError, InferenceRequest, NotFoundError, RequestInput, RequestOutput
from open_inference.openapi.client import OpenInferenceClient
from open_inference.openapi.core.api_error import ApiError
from tests.integration.serving.live_server import LiveServer
from tests.unit.serving import serving_models

from edgeplane.serving import config

X = np.arange(12, dtype=np.float32).reshape(3, 4) / 4 - 1


@pytest.fixture
def models(tmp_path: Path) -> dict[str, Path]:
    return {v: serving_models.mlp_onnx(tmp_path / v / "model.onnx", seed=int(v)) for v in ("1", "2")}


@pytest.fixture
def client(live: LiveServer, models: dict[str, Path]) -> Iterator[OpenInferenceClient]:
    ep = serving_models.endpoint("mlp", {v: p.parent for v, p in models.items()}, traffic={"1": 1})
    assert live.apply(config.ServingConfig(endpoints=[ep])).ok
    c = OpenInferenceClient(base_url=f"http://{live.url}", timeout=30)
    yield c
    c._client_wrapper.httpx_client.close()


def expected(model: Path) -> np.ndarray:
    """The model's answer from onnxruntime directly, independent of the server."""
    return ort.InferenceSession(str(model), providers=["CPUExecutionProvider"]).run(["y"], {"x": X})[0]  # type: ignore[no-any-return]


def request(request_id: str, *, input_name: str = "x") -> InferenceRequest:
    return InferenceRequest(
        id=request_id,
        inputs=[RequestInput(name=input_name, shape=list(X.shape), datatype="FP32", data=X.reshape(-1).tolist())],
        outputs=[RequestOutput(name="y")],
    )


def test_health_and_metadata(client: OpenInferenceClient) -> None:
    client.check_server_liveness()  # each raises on a non-2xx answer
    client.check_server_readiness()
    client.check_model_readiness("mlp")
    client.check_model_version_readiness("mlp", "2")

    server = client.read_server_metadata()
    assert server.name == "edgeplane" and server.version and "binary_tensor_data" in server.extensions

    meta = client.read_model_metadata("mlp")
    assert meta.name == "mlp" and meta.platform and meta.versions == ["1", "2"]
    assert [(t.name, t.datatype, t.shape) for t in meta.inputs or []] == [("x", "FP32", [-1, 4])]
    assert [(t.name, t.datatype, t.shape) for t in meta.outputs or []] == [("y", "FP32", [-1, 3])]
    assert client.read_model_version_metadata("mlp", "2").versions == ["2"]


def test_infer_default_and_pinned_version(client: OpenInferenceClient, models: dict[str, Path]) -> None:
    default = client.model_infer("mlp", request=request("r-default"))
    pinned = client.model_version_infer("mlp", "2", request=request("r-pinned"))

    for resp, version, req_id in ((default, "1", "r-default"), (pinned, "2", "r-pinned")):
        assert resp.model_name == "mlp" and resp.model_version == version and resp.id == req_id
        [out] = resp.outputs
        assert (out.name, out.datatype, out.shape) == ("y", "FP32", [3, 3])
        got = np.array(out.data.__root__, dtype=np.float32).reshape(out.shape)
        np.testing.assert_allclose(got, expected(models[version]), rtol=1e-5, atol=1e-6)
    assert not np.allclose(expected(models["1"]), expected(models["2"]))


def test_errors_reach_the_client(client: OpenInferenceClient) -> None:
    # model ready: 404 is in the client's spec for this path, so it is the typed NotFoundError
    with pytest.raises(NotFoundError) as nf:
        client.check_model_readiness("nope")
    assert nf.value.status_code == 404 and nf.value.body["error"]
    with pytest.raises(NotFoundError):
        client.check_model_version_readiness("mlp", "9")

    # metadata / infer: the client's spec lists only 400 here, so a 404 arrives as the base ApiError
    for call in (
        lambda: client.read_model_metadata("nope"),
        lambda: client.read_model_version_metadata("mlp", "9"),
        lambda: client.model_infer("nope", request=request("r")),
        lambda: client.model_version_infer("mlp", "9", request=request("r")),
    ):
        with pytest.raises(ApiError) as err:
            call()
        assert err.value.status_code == 404 and err.value.body["error"]

    with pytest.raises(BadRequestError) as bad:
        client.model_infer("mlp", request=request("r", input_name="wrong"))
    assert bad.value.status_code == 400 and bad.value.body["error"]
