"""A loaded model version: backend + hooks + metadata, the per-request pipeline, and warm-up.

``load`` runs in a worker thread (it may take seconds) and raises ``errors.LoadFailed`` when the model does
not load or its warm-up inference fails, so a broken version never enters service.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from edgeplane.serving import config, datatypes, errors, tensors
from edgeplane.serving.backends import base, hooks, loading

WARMUP_FILE = "warmup.json"
TIMED_RUNS = 5
SLOW_FACTOR, SLOW_STREAK = 8.0, 3


@dataclass(eq=False)  # mutable, shared by identity: a Version (frozen, hashable) holds one
class RunCost:
    """What a warm-up run took (median of a few, after the first) and how many input elements it had.

    Inline runs report back: a model whose real inputs cost far more than the warm-up's (data-dependent
    work, say) is moved to the pool after ``SLOW_STREAK`` such runs in a row; a lone slow run (a GC
    pause, a busy host) is forgiven."""

    seconds: float
    elements: int
    slow_streak: int = 0

    def estimate(self, inputs: dict[str, base.Array]) -> float:
        """Seconds a run on ``inputs`` should take, scaling with their size (never below the warm-up's)."""
        return self.seconds * self._scale(inputs)

    def allows(self, inputs: dict[str, base.Array], budget_s: float) -> bool:
        """Cheaper to run ``inputs`` on the caller's thread than to hand them to a worker?"""
        return self.estimate(inputs) <= budget_s

    def observe(self, took: float, inputs: dict[str, base.Array]) -> None:
        scale = self._scale(inputs)
        if took <= SLOW_FACTOR * self.seconds * scale:
            self.slow_streak = 0
            return
        self.slow_streak += 1
        if self.slow_streak >= SLOW_STREAK:
            self.seconds, self.slow_streak = took / scale, 0

    def _scale(self, inputs: dict[str, base.Array]) -> float:
        return max(1.0, _elements(inputs) / max(1, self.elements))


def _elements(inputs: dict[str, base.Array]) -> int:
    return sum(int(a.size) for a in inputs.values())


@dataclass(frozen=True)
class Version:
    endpoint: str
    version: str
    source: config.VersionSource
    backend: base.Backend
    hooks: hooks.Hooks
    cost: RunCost | None = None  # measured at warm-up for cheap hook-free versions; None: always use the pool

    @property
    def output_names(self) -> list[str]:
        return [s.name for s in self.backend.outputs]

    def metadata(self) -> dict[str, Any]:
        return {
            "name": self.endpoint,
            "versions": [self.version],
            "platform": self.backend.platform,
            "inputs": [s.to_dict() for s in self.backend.inputs],
            "outputs": [s.to_dict() for s in self.backend.outputs],
        }

    def run(self, inputs: dict[str, base.Array], outputs: Sequence[str] | None) -> dict[str, base.Array]:
        """preprocess -> backend -> postprocess -> output selection. Usually called in a worker thread."""
        pre, post = self.hooks.preprocess, self.hooks.postprocess
        if pre is not None:
            inputs = _call_hook(pre, inputs, "preprocess")
        else:
            self._check_inputs(inputs)
        result = self.backend.run(inputs, None if post is not None else outputs)
        if post is not None:
            result = _call_hook(post, result, "postprocess")
            result = {k: np.asarray(v) for k, v in result.items()}
        if outputs is None:
            return result
        missing = [n for n in outputs if n not in result]
        if missing:
            raise errors.BadRequest(f"unknown output(s) {missing}; the model has {sorted(result)}")
        return {n: result[n] for n in outputs}

    def _check_inputs(self, inputs: dict[str, base.Array]) -> None:
        expected = {s.name: s for s in self.backend.inputs}
        if set(inputs) != set(expected):
            raise errors.BadRequest(f"inputs {sorted(inputs)} do not match the model's {sorted(expected)}")
        for name, arr in inputs.items():
            spec = expected[name]
            if len(spec.shape) != arr.ndim or any(
                want not in (-1, got) for want, got in zip(spec.shape, arr.shape, strict=True)
            ):
                raise errors.BadRequest(f"input {name!r}: shape {list(arr.shape)} does not fit {list(spec.shape)}")

    def close(self) -> None:
        self.backend.close()


def _call_hook(fn: hooks.Hook, tensors_: dict[str, Any], what: str) -> dict[str, Any]:
    try:
        out = fn(tensors_)
    except errors.ServingError:
        raise
    except Exception as e:
        raise errors.BadRequest(f"{what} failed: {e!r}") from e
    if not isinstance(out, dict):
        raise errors.InferenceFailed(f"{what} returned {type(out).__name__}, not a dict of tensors")
    return out


def load(
    endpoint: str,
    version: str,
    source: config.VersionSource,
    *,
    intra_op_threads: int,
    warmup: bool,
    inline_budget_s: float = 0.0,
) -> Version:
    """Open, hook up and (optionally) warm up one version. Blocking: call it from a thread.
    ``inline_budget_s`` > 0 times a cheap hook-free version so it may run inline (see ``RunCost``)."""
    directory = Path(source.path)
    backend = loading.open_backend(directory, source.framework, intra_op_threads=intra_op_threads)
    try:
        loaded = Version(endpoint, version, source, backend, hooks.load(directory))
        if warmup:
            loaded = _warm_up(loaded, directory, inline_budget_s)
    except errors.ServingError:
        backend.close()
        raise
    except Exception as e:
        backend.close()
        raise errors.LoadFailed(f"{endpoint}@{version}: {e!r}") from e
    return loaded


def _warm_up(v: Version, directory: Path, inline_budget_s: float) -> Version:
    """One inference: the shipped ``warmup.json`` V2 request, else zeros shaped like the inputs. A hook-free
    version whose first run could be within reach of the inline budget is then timed on the same inputs;
    others (and every version when the budget is 0) load with no extra runs."""
    sample = directory / WARMUP_FILE
    try:
        if sample.is_file():
            inputs = tensors.decode(sample.read_bytes(), None).inputs
            first = _timed(v.run, inputs)
        elif v.hooks.preprocess is None:
            inputs = synthetic_inputs(v.backend.inputs)
            first = _timed(v.backend.run, inputs)
        else:
            return v
        hooked = v.hooks.preprocess is not None or v.hooks.postprocess is not None
        if hooked or first > SLOW_FACTOR * inline_budget_s:
            return v
        took = [_timed(v.run, inputs) for _ in range(TIMED_RUNS)]
        return replace(v, cost=RunCost(statistics.median(took), _elements(inputs)))
    except Exception as e:
        raise errors.LoadFailed(f"warm-up inference of {v.endpoint}@{v.version} failed: {e}") from e


def _timed(run: Callable[[dict[str, base.Array], None], object], inputs: dict[str, base.Array]) -> float:
    start = time.perf_counter()
    run(inputs, None)
    return time.perf_counter() - start


def synthetic_inputs(specs: Sequence[base.TensorSpec]) -> dict[str, base.Array]:
    """One row of zeros (empty strings for BYTES) per input; dynamic dims become 1."""
    out: dict[str, base.Array] = {}
    for s in specs:
        shape = tuple(1 if d < 0 else d for d in s.shape)
        if s.datatype == "BYTES":
            out[s.name] = np.full(shape, b"", dtype=object)
        else:
            out[s.name] = np.zeros(shape, dtype=datatypes.numpy_dtype(s.datatype))
    return out
