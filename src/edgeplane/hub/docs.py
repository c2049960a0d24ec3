"""A per-process cache of each node's desired document, ready to send: JSON bytes plus the digests the
node may download. Agents' hot paths (long-poll answers, blob permission checks) read it without a
database round-trip or a thread hop.

Filled after a placement commit by the process that wrote it, or on a miss from the store; entries of
nodes another replica changed are dropped by the store watcher (``waiting.watch_store``), so the next
read goes back to the store.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Doc:
    generation: int
    body: bytes
    digests: frozenset[str]


def make(doc: dict[str, Any]) -> Doc:
    digests = {
        f["sha256"]
        for group in (doc.get("workloads", []), doc.get("endpoints", []))
        for item in group
        for m in item.get("models", item.get("versions", []))
        for f in m.get("files", [])
    }
    body = json.dumps(doc, separators=(",", ":")).encode()
    return Doc(generation=int(doc.get("generation", 0)), body=body, digests=frozenset(digests))


class DocCache:
    def __init__(self) -> None:
        self._docs: dict[str, Doc] = {}
        self._lock = threading.Lock()

    def get(self, node_id: str) -> Doc | None:
        return self._docs.get(node_id)

    def put(self, node_id: str, doc: Doc) -> None:
        with self._lock:
            old = self._docs.get(node_id)
            if old is None or doc.generation >= old.generation:
                self._docs[node_id] = doc

    def drop(self, node_ids: list[str] | set[str]) -> None:
        with self._lock:
            for node_id in node_ids:
                self._docs.pop(node_id, None)
