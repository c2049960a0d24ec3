"""Deterministic YAML and JSON text: sorted keys, no line wrapping, one trailing newline.

Everything the renderer writes goes through here so that re-rendering unchanged input gives identical bytes
and a small change gives a small diff.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import yaml


def dump(doc: Any) -> str:
    text: str = yaml.safe_dump(doc, sort_keys=True, default_flow_style=False, width=1_000_000, allow_unicode=True)
    return text


def dump_all(docs: Sequence[Any]) -> str:
    """A multi-document YAML stream (``---`` between documents)."""
    return "---\n".join(dump(d) for d in docs)


def dump_json(doc: Any) -> str:
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def load_all(text: str) -> list[Any]:
    return [d for d in yaml.safe_load_all(text) if d is not None]
