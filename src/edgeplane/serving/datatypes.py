"""V2 tensor datatypes and their numpy equivalents.

BYTES tensors are numpy object arrays of ``bytes``; every other datatype maps to a fixed-size dtype.
BF16 is a Triton extension with no numpy dtype and is rejected.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from edgeplane.serving import errors

TO_NUMPY: dict[str, np.dtype[Any]] = {
    "BOOL": np.dtype(np.bool_),
    "UINT8": np.dtype(np.uint8),
    "UINT16": np.dtype(np.uint16),
    "UINT32": np.dtype(np.uint32),
    "UINT64": np.dtype(np.uint64),
    "INT8": np.dtype(np.int8),
    "INT16": np.dtype(np.int16),
    "INT32": np.dtype(np.int32),
    "INT64": np.dtype(np.int64),
    "FP16": np.dtype(np.float16),
    "FP32": np.dtype(np.float32),
    "FP64": np.dtype(np.float64),
    "BYTES": np.dtype(np.object_),
}

_FROM_NUMPY: dict[np.dtype[Any], str] = {dt: name for name, dt in TO_NUMPY.items()}

# Binary wire dtypes are little-endian per the binary tensor extension.
WIRE: dict[str, np.dtype[Any]] = {name: dt.newbyteorder("<") for name, dt in TO_NUMPY.items() if name != "BYTES"}

ALL = tuple(TO_NUMPY)


def numpy_dtype(datatype: str) -> np.dtype[Any]:
    try:
        return TO_NUMPY[datatype]
    except KeyError:
        raise errors.BadRequest(f"unsupported datatype {datatype!r}; expected one of {', '.join(ALL)}") from None


def of_array(arr: np.ndarray[Any, Any]) -> str:
    """The V2 datatype of a numpy array; strings and bytes of any kind are BYTES."""
    kind = arr.dtype.kind
    if kind in "OUS":
        return "BYTES"
    try:
        return _FROM_NUMPY[arr.dtype.newbyteorder("=")]
    except KeyError:
        raise errors.InferenceFailed(f"model produced an unsupported dtype {arr.dtype}") from None
