"""The Protocol every serving backend implements, and the tensor metadata it reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class TensorSpec:
    """One input or output as V2 metadata shows it; ``-1`` marks a dynamic dimension."""

    name: str
    datatype: str
    shape: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "datatype": self.datatype, "shape": list(self.shape)}


class Backend(Protocol):
    """A loaded model. ``run`` must be thread-safe: the server calls it from a pool of worker threads."""

    platform: str

    @property
    def inputs(self) -> list[TensorSpec]: ...

    @property
    def outputs(self) -> list[TensorSpec]: ...

    def run(self, inputs: dict[str, Array], outputs: Sequence[str] | None) -> dict[str, Array]:
        """Run one inference; ``outputs`` None means all. Raise ``errors.BadRequest`` for bad inputs."""
        ...

    def close(self) -> None: ...
