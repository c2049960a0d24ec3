"""Response encoding: JSON data, binary outputs on request, and tritonclient's binary_data_output."""

from __future__ import annotations

import json
import struct

import numpy as np

from edgeplane.serving import responses, tensors

OUTS = {"y": np.array([[1.5, 2.5]], dtype=np.float32), "s": np.array([b"ab", b"c"], dtype=object)}


def test_json_outputs_are_flat_with_id_and_version() -> None:
    req = tensors.InferRequest(inputs={}, id="7")
    enc = responses.encode(model="m", version="2", outputs=OUTS, request=req)
    assert enc.header_length is None
    doc = json.loads(enc.body)
    assert doc == {
        "model_name": "m",
        "model_version": "2",
        "id": "7",
        "outputs": [
            {"name": "y", "datatype": "FP32", "shape": [1, 2], "data": [1.5, 2.5]},
            {"name": "s", "datatype": "BYTES", "shape": [2], "data": ["ab", "c"]},
        ],
    }


def test_binary_data_output_puts_every_output_after_the_header() -> None:
    req = tensors.InferRequest(inputs={}, binary_output=True)
    enc = responses.encode(model="m", version="1", outputs=OUTS, request=req)
    assert enc.header_length is not None
    head = json.loads(enc.body[: enc.header_length])
    blob = enc.body[enc.header_length :]
    sizes = [o["parameters"]["binary_data_size"] for o in head["outputs"]]
    assert sizes == [8, 4 + 2 + 4 + 1]
    assert np.frombuffer(blob[:8], "<f4").tolist() == [1.5, 2.5]
    assert blob[8:] == struct.pack("<I", 2) + b"ab" + struct.pack("<I", 1) + b"c"


def test_per_output_binary_flag_wins() -> None:
    req = tensors.InferRequest(inputs={}, outputs=[tensors.RequestedOutput("y", False)], binary_output=True)
    enc = responses.encode(model="m", version="1", outputs={"y": OUTS["y"]}, request=req)
    assert enc.header_length is None
