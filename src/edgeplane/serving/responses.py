"""Encode V2 infer responses: JSON ``data`` or, per output, the binary tensor data extension.

An output goes binary when its request entry says ``binary_data: true``, or when no outputs were named and
the request parameters say ``binary_data_output: true`` (what tritonclient sends by default).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from edgeplane.serving import datatypes, jsonio, tensors

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Encoded:
    body: bytes
    header_length: int | None  # set when binary tensors follow the JSON header


def encode(
    *,
    model: str,
    version: str,
    outputs: dict[str, Array],
    request: tensors.InferRequest,
    parameters: dict[str, Any] | None = None,
) -> Encoded:
    """The response body for ``outputs`` (already narrowed to what the request asked for)."""
    binary_names = _binary_names(request, outputs)
    entries: list[dict[str, Any]] = []
    blobs: list[bytes] = []
    finite = True
    for name, arr in outputs.items():
        datatype = datatypes.of_array(arr)
        entry: dict[str, Any] = {"name": name, "datatype": datatype, "shape": list(arr.shape)}
        if name in binary_names:
            raw = to_binary(arr, datatype)
            entry["parameters"] = {"binary_data_size": len(raw)}
            blobs.append(raw)
        else:
            entry["data"] = to_json(arr, datatype)
            finite = finite and (arr.dtype.kind != "f" or bool(np.isfinite(arr).all()))
        entries.append(entry)
    doc: dict[str, Any] = {"model_name": model, "model_version": version, "outputs": entries}
    if request.id is not None:
        doc["id"] = request.id
    if parameters:
        doc["parameters"] = parameters
    head = jsonio.dumps(doc, finite=finite)
    if not blobs:
        return Encoded(head, None)
    return Encoded(b"".join([head, *blobs]), len(head))


def _binary_names(request: tensors.InferRequest, outputs: dict[str, Array]) -> set[str]:
    if request.outputs is None:
        return set(outputs) if request.binary_output else set()
    return {o.name for o in request.outputs if o.binary}


def to_json(arr: Array, datatype: str) -> list[Any]:
    """Flat row-major JSON data; BYTES elements become UTF-8 strings."""
    flat = arr.reshape(-1)
    if datatype != "BYTES":
        return flat.tolist()
    return [v.decode(errors="replace") if isinstance(v, bytes) else str(v) for v in flat]


def to_binary(arr: Array, datatype: str) -> bytes:
    if datatype != "BYTES":
        return np.ascontiguousarray(arr, dtype=datatypes.WIRE[datatype]).tobytes()
    parts = []
    for v in arr.reshape(-1):
        b = v if isinstance(v, bytes) else str(v).encode()
        parts.append(struct.pack("<I", len(b)))
        parts.append(b)
    return b"".join(parts)
