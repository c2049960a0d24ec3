"""The device agent stays light: running it imports none of the hub's, serving's or Kubernetes' heavy deps."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "sqlalchemy", "fastapi", "kubernetes", "onnxruntime", "sklearn", "granian", "dulwich")


def test_agent_cli_imports_nothing_heavy() -> None:
    code = (
        "import sys, edgeplane.cli.agent, edgeplane.agent.running\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
