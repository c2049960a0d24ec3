"""The optional pre/post-processing module shipped inside a model version directory.

``<version dir>/processing.py`` may define ``preprocess(inputs) -> inputs`` and/or
``postprocess(outputs) -> outputs``, both over ``dict[str, numpy.ndarray]``. The module is imported from
its file path under a unique name, so two versions' hooks never collide. Like pickles, it runs code: only
digest-verified artifacts are loaded.
"""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edgeplane.serving import errors

FILENAME = "processing.py"
Tensors = dict[str, Any]
Hook = Callable[[Tensors], Tensors]

_counter = itertools.count()


@dataclass(frozen=True)
class Hooks:
    preprocess: Hook | None = None
    postprocess: Hook | None = None


def load(directory: Path) -> Hooks:
    path = directory / FILENAME
    if not path.is_file():
        return Hooks()
    name = f"edgeplane_serving_hooks_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise errors.LoadFailed(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        raise errors.LoadFailed(f"{FILENAME} failed to import: {e!r}") from e
    pre, post = getattr(module, "preprocess", None), getattr(module, "postprocess", None)
    for fn, what in ((pre, "preprocess"), (post, "postprocess")):
        if fn is not None and not callable(fn):
            raise errors.LoadFailed(f"{FILENAME}: {what} is not callable")
    return Hooks(pre, post)
