"""Decode V2 infer requests and encode responses: JSON tensors (nested or flat) and binary tensor data.

The body is parsed exactly once: the JSON header with ``jsonio.loads`` and binary tensors as zero-copy
``np.frombuffer`` views. Nothing here knows about models or routing; the server validates against model
metadata afterwards.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from edgeplane.serving import datatypes, errors, jsonio

Array = np.ndarray[Any, Any]
HEADER_LENGTH = "inference-header-content-length"


@dataclass(frozen=True)
class RequestedOutput:
    name: str
    binary: bool


@dataclass(frozen=True)
class InferRequest:
    """A decoded infer request: inputs as numpy arrays, the outputs asked for (None means all)."""

    inputs: dict[str, Array]
    outputs: list[RequestedOutput] | None = None
    id: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    binary_output: bool = False


def decode(body: bytes, header_length: int | None) -> InferRequest:
    """Parse a request body; ``header_length`` comes from ``Inference-Header-Content-Length``."""
    if header_length is not None and not 0 <= header_length <= len(body):
        raise errors.BadRequest(f"{HEADER_LENGTH} {header_length} is outside the body of {len(body)} bytes")
    head = body if header_length is None else body[:header_length]
    try:
        doc = jsonio.loads(head)
    except (ValueError, UnicodeDecodeError) as e:
        raise errors.BadRequest(f"request body is not valid JSON: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("inputs"), list):
        raise errors.BadRequest("request must be a JSON object with an 'inputs' list")
    blob = memoryview(body)[len(head) :] if header_length is not None else memoryview(b"")
    inputs, used = _inputs(doc["inputs"], blob)
    if used != len(blob):
        raise errors.BadRequest(f"binary data has {len(blob) - used} bytes not claimed by any input")
    params = _dict(doc.get("parameters"), "parameters")
    req_id = doc.get("id")
    return InferRequest(
        inputs=inputs,
        outputs=_outputs(doc.get("outputs")),
        id=None if req_id is None else str(req_id),
        parameters=params,
        binary_output=bool(params.get("binary_data_output", False)),
    )


def _dict(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise errors.BadRequest(f"'{what}' must be a JSON object")
    return value


def _inputs(items: list[Any], blob: memoryview) -> tuple[dict[str, Array], int]:
    inputs: dict[str, Array] = {}
    offset = 0
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise errors.BadRequest("each input must be an object with a 'name'")
        name: str = item["name"]
        if name in inputs:
            raise errors.BadRequest(f"input {name!r} is given twice")
        shape = _shape(item.get("shape"), name)
        datatype = item.get("datatype")
        if not isinstance(datatype, str):
            raise errors.BadRequest(f"input {name!r} has no 'datatype'")
        size = _dict(item.get("parameters"), f"{name}.parameters").get("binary_data_size")
        if size is not None:
            if not isinstance(size, int) or size < 0 or offset + size > len(blob):
                raise errors.BadRequest(f"input {name!r}: binary_data_size {size!r} exceeds the binary data")
            inputs[name] = from_binary(blob[offset : offset + size], datatype, shape, name)
            offset += size
        elif "data" in item:
            inputs[name] = from_json(item["data"], datatype, shape, name)
        else:
            raise errors.BadRequest(f"input {name!r} has neither 'data' nor binary_data_size")
    return inputs, offset


def _shape(value: Any, name: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(d, int) and d >= 0 for d in value):
        raise errors.BadRequest(f"input {name!r}: 'shape' must be a list of non-negative integers")
    return tuple(value)


def _outputs(value: Any) -> list[RequestedOutput] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise errors.BadRequest("'outputs' must be a list")
    out = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise errors.BadRequest("each requested output must be an object with a 'name'")
        binary = _dict(item.get("parameters"), "outputs.parameters").get("binary_data", False)
        out.append(RequestedOutput(item["name"], bool(binary)))
    return out


def from_json(data: Any, datatype: str, shape: tuple[int, ...], name: str) -> Array:
    """A JSON ``data`` field (nested or flat) as an array of ``shape``."""
    dtype = datatypes.numpy_dtype(datatype)
    try:
        if datatype == "BYTES":
            arr = np.array([_to_bytes(v) for v in _flatten(data)] or [], dtype=object)
        else:
            arr = np.asarray(data, dtype=dtype).reshape(-1)
    except (ValueError, TypeError, OverflowError) as e:
        raise errors.BadRequest(f"input {name!r}: data does not fit {datatype}: {e}") from e
    return _reshape(arr, shape, name)


def from_binary(raw: memoryview, datatype: str, shape: tuple[int, ...], name: str) -> Array:
    """Binary tensor data (little-endian; BYTES as 4-byte length-prefixed elements) as an array."""
    if datatype == "BYTES":
        return _reshape(np.array(_split_bytes(raw, name), dtype=object), shape, name)
    dtype = datatypes.WIRE.get(datatype)
    if dtype is None:
        datatypes.numpy_dtype(datatype)  # raises the unsupported-datatype error
        raise AssertionError
    if len(raw) % dtype.itemsize:
        raise errors.BadRequest(f"input {name!r}: {len(raw)} bytes is not a whole number of {datatype}")
    return _reshape(np.frombuffer(raw, dtype=dtype), shape, name)


def _reshape(arr: Array, shape: tuple[int, ...], name: str) -> Array:
    if arr.size != math.prod(shape):
        raise errors.BadRequest(f"input {name!r}: {arr.size} elements do not fill shape {list(shape)}")
    return arr.reshape(shape)


def _flatten(data: Any) -> list[Any]:
    if not isinstance(data, list):
        return [data]
    out: list[Any] = []
    for v in data:
        out.extend(_flatten(v) if isinstance(v, list) else (v,))
    return out


def _to_bytes(v: Any) -> bytes:
    if isinstance(v, str):
        return v.encode()
    if isinstance(v, bytes):
        return v
    raise TypeError(f"BYTES elements must be strings, got {type(v).__name__}")


def _split_bytes(raw: memoryview, name: str) -> list[bytes]:
    items, i, n = [], 0, len(raw)
    while i < n:
        if i + 4 > n:
            raise errors.BadRequest(f"input {name!r}: truncated BYTES length prefix")
        (length,) = struct.unpack_from("<I", raw, i)
        if i + 4 + length > n:
            raise errors.BadRequest(f"input {name!r}: BYTES element overruns the binary data")
        items.append(bytes(raw[i + 4 : i + 4 + length]))
        i += 4 + length
    return items
