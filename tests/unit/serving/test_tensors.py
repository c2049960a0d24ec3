"""Request decoding: JSON (nested and flat) and binary tensors, every datatype, malformed bodies."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from edgeplane.serving import datatypes, errors, tensors

SAMPLES = {
    "BOOL": [True, False, True, True],
    "UINT8": [0, 1, 254, 255],
    "UINT16": [0, 1, 2, 65535],
    "UINT32": [0, 1, 2, 2**32 - 1],
    "UINT64": [0, 1, 2, 2**64 - 1],
    "INT8": [-128, -1, 0, 127],
    "INT16": [-32768, -1, 0, 32767],
    "INT32": [-(2**31), -1, 0, 2**31 - 1],
    "INT64": [-(2**63), -1, 0, 2**63 - 1],
    "FP16": [0.5, -1.0, 2.0, 65504.0],
    "FP32": [0.25, -1.5, 3.0, 1e30],
    "FP64": [0.1, -1e300, 3.0, 1e-300],
    "BYTES": ["a", "", "héllo", "x" * 300],
}


def body(*inputs: dict[str, object], **extra: object) -> bytes:
    return json.dumps({"inputs": list(inputs), **extra}).encode()


@pytest.mark.parametrize("datatype", sorted(SAMPLES))
def test_json_flat_and_nested_give_the_same_tensor(datatype: str) -> None:
    flat = SAMPLES[datatype]
    nested = [flat[:2], flat[2:]]
    a = tensors.decode(body({"name": "t", "datatype": datatype, "shape": [2, 2], "data": flat}), None)
    b = tensors.decode(body({"name": "t", "datatype": datatype, "shape": [2, 2], "data": nested}), None)
    assert a.inputs["t"].shape == (2, 2)
    assert a.inputs["t"].tolist() == b.inputs["t"].tolist()
    if datatype == "BYTES":
        assert a.inputs["t"].reshape(-1).tolist() == [s.encode() for s in flat]
    else:
        assert a.inputs["t"].dtype == datatypes.TO_NUMPY[datatype]
        assert a.inputs["t"].reshape(-1).tolist() == np.array(flat, dtype=datatypes.TO_NUMPY[datatype]).tolist()


@pytest.mark.parametrize("datatype", sorted(SAMPLES))
def test_binary_tensor_matches_json(datatype: str) -> None:
    values = SAMPLES[datatype]
    if datatype == "BYTES":
        raw = b"".join(struct.pack("<I", len(s.encode())) + s.encode() for s in values)
    else:
        raw = np.array(values, dtype=datatypes.WIRE[datatype]).tobytes()
    head = json.dumps(
        {"inputs": [{"name": "t", "datatype": datatype, "shape": [4], "parameters": {"binary_data_size": len(raw)}}]}
    ).encode()
    got = tensors.decode(head + raw, len(head)).inputs["t"]
    want = tensors.decode(body({"name": "t", "datatype": datatype, "shape": [4], "data": values}), None).inputs["t"]
    assert got.tolist() == want.tolist()


def test_mixed_binary_and_json_inputs_and_request_fields() -> None:
    raw = np.arange(3, dtype="<f4").tobytes()
    head = json.dumps(
        {
            "id": "req-1",
            "parameters": {"binary_data_output": True, "custom": 5},
            "inputs": [
                {"name": "a", "datatype": "FP32", "shape": [3], "parameters": {"binary_data_size": 12}},
                {"name": "b", "datatype": "INT32", "shape": [1], "data": [7]},
            ],
            "outputs": [{"name": "y", "parameters": {"binary_data": True}}, {"name": "z"}],
        }
    ).encode()
    req = tensors.decode(head + raw, len(head))
    assert req.id == "req-1" and req.binary_output and req.parameters["custom"] == 5
    assert req.inputs["a"].tolist() == [0.0, 1.0, 2.0] and req.inputs["b"].tolist() == [7]
    assert [(o.name, o.binary) for o in req.outputs or []] == [("y", True), ("z", False)]


@pytest.mark.parametrize(
    ("raw", "header_length", "message"),
    [
        (b"not json", None, "not valid JSON"),
        (b"[]", None, "'inputs' list"),
        (body({"name": "t", "datatype": "FP32", "shape": [3], "data": [1, 2]}), None, "do not fill shape"),
        (body({"name": "t", "datatype": "FP99", "shape": [1], "data": [1]}), None, "unsupported datatype"),
        (body({"name": "t", "datatype": "INT8", "shape": [1], "data": ["x"]}), None, "does not fit"),
        (body({"name": "t", "datatype": "FP32", "shape": [1]}), None, "neither 'data'"),
        (body({"name": "t", "datatype": "FP32", "shape": "1", "data": [1]}), None, "shape"),
        (
            body(
                {"name": "t", "datatype": "FP32", "shape": [1], "data": [1]},
                {"name": "t", "datatype": "FP32", "shape": [1], "data": [1]},
            ),
            None,
            "given twice",
        ),
        (b'{"inputs": []}', 999, "outside the body"),
        (b'{"inputs": []}xyz', 14, "not claimed"),
        (
            b'{"inputs":[{"name":"t","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":8}}]}',
            None,
            "exceeds the binary data",
        ),
    ],
)
def test_malformed_requests_are_bad_requests(raw: bytes, header_length: int | None, message: str) -> None:
    with pytest.raises(errors.BadRequest, match=message):
        tensors.decode(raw, header_length)
