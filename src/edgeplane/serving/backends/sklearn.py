"""scikit-learn backend: one estimator from joblib or pickle, exposed as V2 tensors.

Input ``input`` is a 2-D numeric matrix ``[-1, n_features]`` (any numeric datatype is cast to FP64).
Outputs: ``label`` from ``predict`` and, for classifiers with ``predict_proba``, ``probabilities``. Only
files the agent verified by digest reach this loader: unpickling runs code by design.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from edgeplane.serving import datatypes, errors
from edgeplane.serving.backends import base

INPUT = "input"


class SklearnBackend:
    platform = "sklearn"

    def __init__(self, path: Path) -> None:
        try:
            if path.suffix == ".joblib":
                self._model: Any = joblib.load(path)
            else:
                with path.open("rb") as f:
                    self._model = pickle.load(f)  # noqa: S301 -- digest-verified artifact
        except Exception as e:
            raise errors.LoadFailed(f"cannot unpickle {path.name}: {e}") from e
        if not hasattr(self._model, "predict"):
            raise errors.LoadFailed(f"{path.name} holds a {type(self._model).__name__}, not an estimator")
        width = int(getattr(self._model, "n_features_in_", -1))
        self._inputs = [base.TensorSpec(INPUT, "FP64", (-1, width))]
        self._outputs = [base.TensorSpec("label", self._label_type(), (-1,))]
        if hasattr(self._model, "predict_proba"):
            classes = len(getattr(self._model, "classes_", [])) or -1
            self._outputs.append(base.TensorSpec("probabilities", "FP64", (-1, classes)))

    def _label_type(self) -> str:
        classes = getattr(self._model, "classes_", None)
        if classes is None:
            return "FP64"
        return datatypes.of_array(np.asarray(classes))

    @property
    def inputs(self) -> list[base.TensorSpec]:
        return self._inputs

    @property
    def outputs(self) -> list[base.TensorSpec]:
        return self._outputs

    def run(self, inputs: dict[str, base.Array], outputs: Sequence[str] | None) -> dict[str, base.Array]:
        x = inputs.get(INPUT)
        if x is None or len(inputs) != 1:
            raise errors.BadRequest(f"sklearn models take exactly one input named {INPUT!r}")
        if x.dtype.kind not in "biuf" or x.ndim != 2:
            raise errors.BadRequest(f"input {INPUT!r} must be a 2-D numeric tensor, got {x.dtype} {x.shape}")
        names = list(outputs) if outputs is not None else [s.name for s in self._outputs]
        try:
            x = x.astype(np.float64, copy=False)
            result = {}
            for name in names:
                if name == "label":
                    result[name] = np.asarray(self._model.predict(x))
                elif name == "probabilities" and hasattr(self._model, "predict_proba"):
                    result[name] = np.asarray(self._model.predict_proba(x), dtype=np.float64)
                else:
                    raise errors.BadRequest(f"unknown output {name!r}")
        except ValueError as e:
            raise errors.BadRequest(f"sklearn: {e}") from e
        return result

    def close(self) -> None:
        self._model = None
