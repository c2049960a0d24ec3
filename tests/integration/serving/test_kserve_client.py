"""KServe's Python REST client in v2 mode, unchanged, against a real server.

kserve pins protobuf<7 and more, so it lives in its own venv (``scripts/kserve-venv.sh`` makes
``.venv-kserve``); the client runs there in a subprocess. Without that venv the test is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from tests.integration.serving.live_server import LiveServer
from tests.unit.serving import serving_models

from edgeplane.serving import config

ROOT = Path(__file__).resolve().parents[3]
KSERVE_PYTHON = Path(os.environ.get("EDGEPLANE_KSERVE_VENV", ROOT / ".venv-kserve")) / "bin" / "python"
SCRIPT = Path(__file__).with_name("kserve_client_script.py")

pytestmark = pytest.mark.skipif(
    not KSERVE_PYTHON.exists(), reason=f"{KSERVE_PYTHON} missing: run scripts/kserve-venv.sh to create it"
)


def test_kserve_rest_client_v2(live: LiveServer, tmp_path: Path) -> None:
    d1 = serving_models.mlp_onnx(tmp_path / "1" / "model.onnx", seed=1).parent
    assert live.apply(config.ServingConfig(endpoints=[serving_models.endpoint("mlp", {"1": d1})])).ok
    proc = subprocess.run(
        [str(KSERVE_PYTHON), str(SCRIPT), f"http://{live.url}"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["live"] is True and seen["ready"] is True and seen["model_ready"] is True
    want = live.call(_direct(live, np.arange(8, dtype=np.float32).reshape(2, 4)))
    for binary in ("False", "True"):
        got = seen[f"infer_binary_{binary}"]
        # kserve's InferResponse.from_bytes does not keep model_version; the id and tensors must survive
        assert got["id"] == f"k-{binary}" and got["shape"] == [2, 3]
        assert np.allclose(got["data"], want)
    assert seen["missing_status"] == 404


async def _direct(live: LiveServer, x: np.ndarray) -> list[float]:
    route = live.server.route("mlp")
    return route.version("1").run({"x": x}, None)["y"].reshape(-1).tolist()  # type: ignore[no-any-return]
