"""Reading policy/workload/endpoint documents from JSON or YAML files (one or many per file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from edgeplane._kit.errors import InvalidInput

KINDS = {
    "DeploymentPolicy": "deployment-policies",
    "ModelPolicy": "model-policies",
    "Endpoint": "endpoints",
    "Workload": "workloads",
}


def load(path: Path) -> list[dict[str, Any]]:
    """Every document in ``path`` (``-`` is not supported: give a file). JSON or YAML, multi-doc allowed."""
    try:
        text = path.read_text()
    except OSError as e:
        raise InvalidInput(f"cannot read {path}: {e.strerror}", field="-f", hint="give an existing file") from e
    try:
        docs = [json.loads(text)] if path.suffix == ".json" else list(yaml.safe_load_all(text))
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        raise InvalidInput(f"{path} is not valid JSON/YAML: {e}", field="-f", hint="check the file's syntax") from e
    out: list[dict[str, Any]] = []
    for doc in docs:
        if doc is None:
            continue
        items = doc if isinstance(doc, list) else [doc]
        for item in items:
            if not isinstance(item, dict):
                raise InvalidInput(f"{path}: each document must be an object", field="-f")
            out.append(item)
    if not out:
        raise InvalidInput(f"{path} holds no documents", field="-f")
    return out


def classify(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(API collection, body) for a document: an explicit ``kind``, or recognised by its fields (OH JSON as is)."""
    body = dict(doc)
    kind = body.pop("kind", None)
    if kind is not None:
        if kind not in KINDS:
            raise InvalidInput(f"unknown kind {kind!r}", field="kind", hint=f"use one of {', '.join(KINDS)}")
        return KINDS[kind], body
    if "destinationPolicy" in body or ("model" in body and "services" in body):
        return "model-policies", body
    if "traffic" in body:
        return "endpoints", body
    if "service" in body or "workload" in body:
        return "deployment-policies", body
    if "device" in body or "cluster" in body:
        return "workloads", body
    raise InvalidInput(
        "cannot tell what this document is",
        field="kind",
        hint="add `kind: DeploymentPolicy|ModelPolicy|Endpoint|Workload`",
    )
