"""The standalone model repository layout read by ``edgeplane serve --model-repo DIR``.

    DIR/<model>/<version>/model.onnx | model.joblib | model.pkl   (+ processing.py, warmup.json)
    DIR/<model>/endpoint.yaml | endpoint.yml | endpoint.json        (optional)

``endpoint.*`` holds the ``EndpointConfig`` fields other than ``name`` and ``versions``: ``traffic``,
``shadow``, ``sticky_header``, ``api_keys``, plus ``frameworks: {version: onnx|sklearn}``. Without it the
latest version (numeric-aware order) takes all traffic and the others answer only on ``/versions/{v}``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from edgeplane._kit import errors as kit_errors
from edgeplane._kit import ids
from edgeplane.serving import config

ENDPOINT_FILES = ("endpoint.yaml", "endpoint.yml", "endpoint.json")
_VERSION = re.compile(ids.VERSION_PATTERN)
_NAME = re.compile(ids.NAME_PATTERN)


def scan(root: Path) -> config.ServingConfig:
    """Every model directory under ``root`` as an endpoint; raises ``InvalidInput`` on a bad layout."""
    if not root.is_dir():
        raise kit_errors.InvalidInput(f"model repository {root} is not a directory", field="model_repo")
    endpoints = [_endpoint(d) for d in sorted(root.iterdir()) if d.is_dir() and _NAME.match(d.name)]
    return config.ServingConfig(endpoints=[e for e in endpoints if e is not None])


def version_key(version: str) -> tuple[Any, ...]:
    """Numeric-aware ordering: ``2 < 10``, ``1.2 < 1.10``."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[._+-]", version))


def _endpoint(model_dir: Path) -> config.EndpointConfig | None:
    found = sorted((d.name for d in model_dir.iterdir() if d.is_dir() and _VERSION.match(d.name)), key=version_key)
    if not found:
        return None
    doc = _read_endpoint_file(model_dir)
    frameworks = doc.pop("frameworks", {}) or {}
    doc.setdefault("traffic", {found[-1]: 100})
    try:
        return config.EndpointConfig(
            name=model_dir.name,
            versions={v: config.VersionSource(path=model_dir / v, framework=frameworks.get(v, "auto")) for v in found},
            **doc,
        )
    except ValidationError as e:
        raise kit_errors.InvalidInput(
            f"{model_dir.name}: invalid endpoint settings: {e.errors()[0]['msg']}", field=str(model_dir)
        ) from e


def _read_endpoint_file(model_dir: Path) -> dict[str, Any]:
    for name in ENDPOINT_FILES:
        path = model_dir / name
        if not path.is_file():
            continue
        text = path.read_text()
        try:
            doc = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as e:
            raise kit_errors.InvalidInput(f"{path} is not valid: {e}", field=str(path)) from e
        if doc is None:
            return {}
        if not isinstance(doc, dict):
            raise kit_errors.InvalidInput(f"{path} must hold a mapping", field=str(path))
        return doc
    return {}
