"""ONNX Runtime (CPU) backend. Non-tensor outputs (e.g. skl2onnx's ZipMap) are not exposed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from edgeplane.serving import errors
from edgeplane.serving.backends import base

_TYPES = {
    "tensor(bool)": "BOOL",
    "tensor(uint8)": "UINT8",
    "tensor(uint16)": "UINT16",
    "tensor(uint32)": "UINT32",
    "tensor(uint64)": "UINT64",
    "tensor(int8)": "INT8",
    "tensor(int16)": "INT16",
    "tensor(int32)": "INT32",
    "tensor(int64)": "INT64",
    "tensor(float16)": "FP16",
    "tensor(float)": "FP32",
    "tensor(double)": "FP64",
    "tensor(string)": "BYTES",
}


def _spec(arg: Any) -> base.TensorSpec | None:
    datatype = _TYPES.get(arg.type)
    if datatype is None:
        return None
    shape = tuple(d if isinstance(d, int) and d >= 0 else -1 for d in (arg.shape or []))
    return base.TensorSpec(arg.name, datatype, shape)


class OnnxBackend:
    """One ``InferenceSession``; ORT's ``run`` is thread-safe and releases the GIL."""

    platform = "onnxruntime_onnx"

    def __init__(self, path: Path, *, intra_op_threads: int = 1) -> None:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = intra_op_threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        try:
            self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:
            raise errors.LoadFailed(f"onnxruntime cannot load {path.name}: {e}") from e
        self._inputs = [s for s in map(_spec, self._session.get_inputs()) if s]
        self._outputs = [s for s in map(_spec, self._session.get_outputs()) if s]
        self._output_names = [s.name for s in self._outputs]

    @property
    def inputs(self) -> list[base.TensorSpec]:
        return self._inputs

    @property
    def outputs(self) -> list[base.TensorSpec]:
        return self._outputs

    def run(self, inputs: dict[str, base.Array], outputs: Sequence[str] | None) -> dict[str, base.Array]:
        names = list(outputs) if outputs is not None else self._output_names
        feed = {k: (_strings(v) if v.dtype == object else v) for k, v in inputs.items()}
        try:
            result = self._session.run(names, feed)
        except (ort.capi.onnxruntime_pybind11_state.InvalidArgument, ValueError, TypeError) as e:
            raise errors.BadRequest(str(e)) from e
        except Exception as e:
            raise errors.InferenceFailed(f"onnxruntime: {e}") from e
        return {n: np.asarray(r) for n, r in zip(names, result, strict=True)}

    def close(self) -> None:
        del self._session


def _strings(arr: base.Array) -> base.Array:
    """ORT string tensors hold UTF-8 text (``str``); V2 BYTES arrive as ``bytes``."""
    try:
        flat = [v.decode() if isinstance(v, bytes) else str(v) for v in arr.reshape(-1)]
    except UnicodeDecodeError as e:
        raise errors.BadRequest(f"ONNX string inputs must be UTF-8 text: {e}") from e
    return np.array(flat, dtype=object).reshape(arr.shape)
