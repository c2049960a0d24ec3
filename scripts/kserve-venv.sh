#!/usr/bin/env bash
# Create .venv-kserve: KServe's Python ModelServer and REST client, kept apart from the main venv because
# kserve pins protobuf<7 and other packages that conflict with ours. Used by tests/integration/serving
# (KServe REST client in v2 mode, via a subprocess) and bench/serving.py (KServe ModelServer as the peer).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="${KSERVE_VENV:-$here/.venv-kserve}"
python="${PYTHON:-python3.11}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "kserve==0.21.0" "onnxruntime==1.31.1" "numpy==2.4.6"
"$venv/bin/python" -c "import kserve, onnxruntime, numpy; print('kserve', kserve.__version__ if hasattr(kserve, '__version__') else '0.21.0', 'ready in $venv')"
