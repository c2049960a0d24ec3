"""tritonclient.http, unchanged and with its defaults (binary tensors), against a real server."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tritonclient.http as httpclient
from tests.integration.serving.live_server import LiveServer
from tests.unit.serving import serving_models
from tritonclient.utils import InferenceServerException, np_to_triton_dtype

from edgeplane.serving import config

VALUES: dict[str, np.ndarray] = {
    "BOOL": np.array([[True, False], [False, True]]),
    "UINT8": np.array([[0, 255], [1, 2]], dtype=np.uint8),
    "UINT16": np.array([[0, 65535], [1, 2]], dtype=np.uint16),
    "UINT32": np.array([[0, 2**32 - 1], [1, 2]], dtype=np.uint32),
    "UINT64": np.array([[0, 2**64 - 1], [1, 2]], dtype=np.uint64),
    "INT8": np.array([[-128, 127], [0, 1]], dtype=np.int8),
    "INT16": np.array([[-32768, 32767], [0, 1]], dtype=np.int16),
    "INT32": np.array([[-(2**31), 2**31 - 1], [0, 1]], dtype=np.int32),
    "INT64": np.array([[-(2**63), 2**63 - 1], [0, 1]], dtype=np.int64),
    "FP16": np.array([[0.5, -2.0], [65504, 0]], dtype=np.float16),
    "FP32": np.array([[0.25, -1.5], [1e30, 0]], dtype=np.float32),
    "FP64": np.array([[0.1, -1e300], [1e-300, 0]], dtype=np.float64),
    "BYTES": np.array([[b"a", b""], ["héllo".encode(), b"\x00z"]], dtype=object),
}


@pytest.fixture
def served(live: LiveServer, tmp_path: Path) -> httpclient.InferenceServerClient:
    serving_models.identity_onnx(tmp_path / "id" / "model.onnx")
    serving_models.mlp_onnx(tmp_path / "m1" / "model.onnx", seed=1)
    serving_models.mlp_onnx(tmp_path / "m2" / "model.onnx", seed=2)
    assert live.apply(
        config.ServingConfig(
            endpoints=[
                serving_models.endpoint("ident", {"1": tmp_path / "id"}),
                serving_models.endpoint("mlp", {"1": tmp_path / "m1", "2": tmp_path / "m2"}, traffic={"1": 1}),
            ]
        )
    ).ok
    client = httpclient.InferenceServerClient(live.url)
    yield client
    client.close()


def inputs(binary: bool) -> list[httpclient.InferInput]:
    out = []
    for name, arr in VALUES.items():
        i = httpclient.InferInput(
            f"in_{name}", list(arr.shape), np_to_triton_dtype(arr.dtype) if name != "BYTES" else "BYTES"
        )
        i.set_data_from_numpy(arr, binary_data=binary)
        out.append(i)
    return out


def test_health_and_metadata(served: httpclient.InferenceServerClient) -> None:
    assert served.is_server_live() and served.is_server_ready()
    assert served.get_server_metadata()["name"] == "edgeplane"
    assert served.is_model_ready("mlp") and served.is_model_ready("mlp", "2")
    meta = served.get_model_metadata("mlp")
    assert meta["inputs"] == [{"name": "x", "datatype": "FP32", "shape": [-1, 4]}]
    assert served.get_model_metadata("mlp", "2")["versions"] == ["2"]


@pytest.mark.parametrize("binary_in", [True, False])
@pytest.mark.parametrize("binary_out", [True, False, None])
def test_every_datatype_binary_and_json(
    served: httpclient.InferenceServerClient, binary_in: bool, binary_out: bool | None
) -> None:
    outputs = (
        None
        if binary_out is None
        else [httpclient.InferRequestedOutput(f"out_{n}", binary_data=binary_out) for n in VALUES]
    )
    result = served.infer("ident", inputs(binary_in), outputs=outputs, request_id="r-1")
    assert result.get_response()["id"] == "r-1"
    assert result.get_response()["model_version"] == "1"
    for name, arr in VALUES.items():
        got = result.as_numpy(f"out_{name}")
        assert got is not None and got.shape == arr.shape, name
        if name == "BYTES":
            want = arr if binary_out is not False else np.vectorize(lambda b: b.decode(errors="replace"))(arr)
            assert [bytes(x) if isinstance(x, bytes) else x for x in got.reshape(-1)] == list(want.reshape(-1)), name
        else:
            assert np.array_equal(got.astype(arr.dtype), arr), name


def test_output_selection_and_pinned_version(served: httpclient.InferenceServerClient) -> None:
    x = httpclient.InferInput("x", [3, 4], "FP32")
    x.set_data_from_numpy(np.arange(12, dtype=np.float32).reshape(3, 4))
    r1 = served.infer("mlp", [x], outputs=[httpclient.InferRequestedOutput("y")])
    r2 = served.infer("mlp", [x], model_version="2")
    assert r1.get_response()["model_version"] == "1" and r2.get_response()["model_version"] == "2"
    assert r1.as_numpy("y").shape == (3, 3) and not np.allclose(r1.as_numpy("y"), r2.as_numpy("y"))


@pytest.mark.parametrize(
    ("call", "status"),
    [
        (lambda c: c.infer("nope", []), "404"),
        (lambda c: c.get_model_metadata("nope"), "404"),
        (lambda c: c.infer("mlp", [], model_version="9"), "404"),
        (lambda c: c.infer("mlp", []), "400"),
    ],
)
def test_errors_reach_the_client(served: httpclient.InferenceServerClient, call: object, status: str) -> None:
    with pytest.raises(InferenceServerException) as info:
        call(served)  # type: ignore[operator]
    assert info.value.status() == status and info.value.message()
