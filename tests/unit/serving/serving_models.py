"""Models the serving tests train and export themselves, and a model repository builder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from edgeplane.serving import config

IN, OUT = 4, 3
ALL_TYPES = {
    "BOOL": TensorProto.BOOL,
    "UINT8": TensorProto.UINT8,
    "UINT16": TensorProto.UINT16,
    "UINT32": TensorProto.UINT32,
    "UINT64": TensorProto.UINT64,
    "INT8": TensorProto.INT8,
    "INT16": TensorProto.INT16,
    "INT32": TensorProto.INT32,
    "INT64": TensorProto.INT64,
    "FP16": TensorProto.FLOAT16,
    "FP32": TensorProto.FLOAT,
    "FP64": TensorProto.DOUBLE,
    "BYTES": TensorProto.STRING,
}


def mlp_onnx(path: Path, *, seed: int = 0, in_dim: int = IN, hidden: int = 16, out_dim: int = OUT) -> Path:
    """A 3-layer MLP x[N,in] -> y[N,out] with random weights; different seeds give different answers."""
    rng = np.random.default_rng(seed)
    dims = [in_dim, hidden, hidden, out_dim]
    inits, nodes, prev = [], [], "x"
    for i in range(3):
        w = numpy_helper.from_array(rng.standard_normal((dims[i], dims[i + 1])).astype(np.float32), f"w{i}")
        b = numpy_helper.from_array(rng.standard_normal(dims[i + 1]).astype(np.float32), f"b{i}")
        inits += [w, b]
        nodes.append(helper.make_node("MatMul", [prev, f"w{i}"], [f"m{i}"]))
        last = "y" if i == 2 else f"a{i}"
        nodes.append(helper.make_node("Add", [f"m{i}", f"b{i}"], [last]))
        if i < 2:
            nodes.append(helper.make_node("Relu", [last], [f"r{i}"]))
            prev = f"r{i}"
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", in_dim])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", out_dim])],
        inits,
    )
    return _save(graph, path)


def identity_onnx(path: Path) -> Path:
    """One Identity per V2 datatype: input ``in_<T>`` -> output ``out_<T>``, shape [N, 2]."""
    nodes, ins, outs = [], [], []
    for name, t in ALL_TYPES.items():
        nodes.append(helper.make_node("Identity", [f"in_{name}"], [f"out_{name}"]))
        ins.append(helper.make_tensor_value_info(f"in_{name}", t, ["N", 2]))
        outs.append(helper.make_tensor_value_info(f"out_{name}", t, ["N", 2]))
    return _save(helper.make_graph(nodes, "identity", ins, outs), path)


def _save(graph: onnx.GraphProto, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def iris_sklearn(path: Path, *, c: float = 1.0) -> Path:
    """A LogisticRegression on iris, saved with joblib (string class labels, so label is BYTES)."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    data = load_iris()
    y = np.array(data.target_names)[data.target]
    model = LogisticRegression(C=c, max_iter=500).fit(data.data, y)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    return path


def iris_onnx(path: Path) -> Path:
    """A sklearn RandomForest exported with skl2onnx (no ZipMap: probabilities stay a tensor)."""
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier

    data = load_iris()
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(data.data, data.target)
    onx = to_onnx(model, data.data[:1].astype(np.float32), options={id(model): {"zipmap": False}}, target_opset=17)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(onx.SerializeToString())
    return path


def repo(root: Path, versions: dict[str, int], *, endpoint: dict[str, object] | None = None) -> Path:
    """root/mlp/<version>/model.onnx for each version (value = seed) plus an optional endpoint.json."""
    for version, seed in versions.items():
        mlp_onnx(root / "mlp" / version / "model.onnx", seed=seed)
    if endpoint is not None:
        (root / "mlp" / "endpoint.json").write_text(json.dumps(endpoint))
    return root


def endpoint(name: str, paths: dict[str, Path], **kw: Any) -> config.EndpointConfig:
    """An EndpointConfig whose versions are the given directories (framework detected)."""
    return config.EndpointConfig(name=name, versions={v: config.VersionSource(path=p) for v, p in paths.items()}, **kw)
