"""Open the right backend for a version directory: by framework name, or by the files present."""

from __future__ import annotations

from pathlib import Path

from edgeplane.serving import errors
from edgeplane.serving.backends import base, onnx, sklearn

FRAMEWORKS = ("onnx", "sklearn")
_SKLEARN_FILES = ("model.joblib", "model.pkl", "model.pickle")


def detect(directory: Path) -> str:
    """The framework whose model file ``directory`` holds."""
    if (directory / "model.onnx").is_file():
        return "onnx"
    if any((directory / f).is_file() for f in _SKLEARN_FILES):
        return "sklearn"
    raise errors.LoadFailed(f"{directory} holds neither model.onnx nor model.joblib/.pkl")


def model_file(directory: Path, framework: str) -> Path:
    if framework == "onnx":
        candidates = [directory / "model.onnx", *sorted(directory.glob("*.onnx"))]
    elif framework == "sklearn":
        candidates = [directory / f for f in _SKLEARN_FILES]
    else:
        raise errors.LoadFailed(f"unknown framework {framework!r}; expected one of {', '.join(FRAMEWORKS)}")
    for path in candidates:
        if path.is_file():
            return path
    raise errors.LoadFailed(f"no {framework} model file in {directory}")


def open_backend(directory: Path, framework: str | None, *, intra_op_threads: int = 1) -> base.Backend:
    """Load the model in ``directory``; ``framework`` None (or "auto") means detect it."""
    if not directory.is_dir():
        raise errors.LoadFailed(f"model directory {directory} does not exist")
    fw = detect(directory) if framework in (None, "auto") else str(framework)
    path = model_file(directory, fw)
    if fw == "onnx":
        return onnx.OnnxBackend(path, intra_op_threads=intra_op_threads)
    return sklearn.SklearnBackend(path)
