"""The hot-path JSON keeps the stdlib's leniency: NaN literals and huge integers in, NaN out."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from edgeplane.serving import jsonio, responses, tensors


def test_plain_documents_round_trip_like_the_stdlib() -> None:
    doc = {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [0.1, -2.5e-7, 3]}], "id": "é"}
    assert jsonio.loads(json.dumps(doc).encode()) == doc
    assert json.loads(jsonio.dumps(doc)) == doc


def test_nan_literals_and_big_integers_still_parse() -> None:
    doc = jsonio.loads(b'{"a": [NaN, Infinity, -Infinity], "b": 123456789012345678901234567890}')
    assert math.isnan(doc["a"][0]) and doc["a"][1:] == [math.inf, -math.inf]
    assert doc["b"] == 123456789012345678901234567890


def test_invalid_json_raises_value_error() -> None:
    with pytest.raises(ValueError):
        jsonio.loads(b'{"inputs": [')


def test_a_nan_output_is_written_as_nan_not_null() -> None:
    req = tensors.decode(b'{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [NaN]}]}', None)
    assert math.isnan(float(req.inputs["x"][0]))
    out = {"y": np.array([[1.0, np.nan, np.inf]], dtype=np.float32)}
    body = responses.encode(model="m", version="1", outputs=out, request=req).body
    assert b"NaN" in body and b"Infinity" in body and b"null" not in body
    finite = responses.encode(model="m", version="1", outputs={"y": np.array([1.5], np.float32)}, request=req).body
    assert json.loads(finite)["outputs"][0]["data"] == [1.5]
