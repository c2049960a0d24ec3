"""Keeps the in-memory placement engine in step with the store, and persists what it decides.

Every write that can change an answer (nodes, workloads, policies, model versions) goes through
:meth:`Placement.writing`: one transaction, the process-wide placement lock and the store's epoch row
lock. If the epoch moved since this process last wrote (another replica, a rolled-back transaction, a
restart) the engine is reloaded from the store first, so every replica computes from the same world.
Changed nodes get their documents saved with a new generation, and their long-polls are woken after
commit. Level-triggered: :meth:`recompute` (run at start-up) rebuilds everything and arrives at the same
documents, so generations only move when content really changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from edgeplane.hub import docs as docs_cache
from edgeplane.hub.docs import DocCache
from edgeplane.hub.placement import engine as placement_engine
from edgeplane.hub.placement import inputs
from edgeplane.hub.store import desired, models, nodes, orgs, policies, workloads
from edgeplane.hub.store.db import Database
from edgeplane.hub.store.tables import NodeRow
from edgeplane.hub.waiting import Waiters
from edgeplane.schemas import policies as policy_docs
from edgeplane.schemas import policy as policy_wire


@dataclass
class Writer:
    """What a handler gets inside :meth:`Placement.writing`."""

    session: Session
    engine: placement_engine.Engine
    changed: set[str] = field(default_factory=set)

    def apply(self, change: Callable[[placement_engine.Engine], set[str]]) -> set[str]:
        ids = change(self.engine)
        self.changed |= ids
        return ids


class Placement:
    def __init__(self, db: Database, waiters: Waiters, docs: DocCache) -> None:
        self.db, self.waiters, self.docs = db, waiters, docs
        self.engine = placement_engine.Engine()
        self._epoch = -1
        self._lock = threading.Lock()

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        with self._lock:
            try:
                with self.db.begin() as s:
                    current = desired.lock_epoch(s)
                    if current != self._epoch:
                        self.engine.load(snapshot(s))
                    w = Writer(session=s, engine=self.engine)
                    yield w
                    seq = desired.bump_epoch(s) if w.changed else current
                    saved = self._save(s, w.changed, seq)
                self._epoch = seq
                for node_id, doc in saved.items():
                    self.docs.put(node_id, docs_cache.make(doc))
            except BaseException:
                self._epoch = -1  # the engine may hold a change the store rolled back: reload next time
                raise
        self.waiters.wake(w.changed)

    def recompute(self) -> int:
        """Rebuild from the store and save every node's document (generations move only on change)."""
        with self.writing() as w:
            w.engine.load(snapshot(w.session))
            w.changed |= set(w.engine.node_ids())
            return len(w.changed)

    def _save(self, s: Session, node_ids: set[str], seq: int) -> dict[str, dict[str, Any]]:
        ordered = sorted(node_ids)
        existing = desired.rows_for(s, ordered)
        saved = {}
        for node_id in ordered:
            digest, row = self.engine.content_hash(node_id), existing.get(node_id)
            if row is not None and row.content_hash == digest:
                saved[node_id] = row.doc  # unchanged (a restart, or a change elsewhere): no document to build
                continue
            doc = self.engine.desired(node_id)
            if doc is not None and digest is not None:
                saved[node_id] = desired.save(s, doc, digest, seq, row)
        s.flush()
        return saved

    @contextmanager
    def reading(self) -> Iterator[placement_engine.Engine]:
        """The engine, up to date with the store, for explain/check (no writes)."""
        with self._lock:
            with self.db.begin() as s:
                current = desired.epoch(s)
                if current != self._epoch:
                    self.engine.load(snapshot(s))
                    self._epoch = current
            yield self.engine


def node_input(row: NodeRow, org: str) -> inputs.Node:
    return inputs.Node(
        id=row.id,
        org=org,
        kind=row.kind,  # type: ignore[arg-type]
        policy=policy_wire.NodePolicy.model_validate(row.policy),
        builtin=tuple(row.builtin),
    )


def snapshot(s: Session) -> inputs.Snapshot:
    """Everything placement depends on, for every org, read from the store."""
    all_orgs = orgs.list_all(s)
    names = {o.id: o.name for o in all_orgs}
    node_list = [node_input(n, o.name) for o in all_orgs for n in nodes.list_nodes(s, o)]
    wl = [workloads.to_wire(r, names[r.org_id]) for r in workloads.list_all(s)]
    versions = [
        models.to_wire(s, o, m, v)
        for o in all_orgs
        for m in models.list_models(s, o)
        for v in models.list_versions(s, m)
    ]
    pol = [_with_org(r.doc, names[r.org_id], r.kind) for r in policies.list_all(s)]
    return inputs.Snapshot(
        nodes=node_list,
        workloads=wl,
        model_versions=versions,
        deployment_policies=[p for p in pol if isinstance(p, policy_docs.DeploymentPolicy)],
        model_policies=[p for p in pol if isinstance(p, policy_docs.ModelPolicy)],
        endpoints=[p for p in pol if isinstance(p, policy_docs.Endpoint)],
    )


def _with_org(doc: dict[str, object], org: str, kind: str) -> policies.AnyPolicy:
    return policies.TYPES[kind].model_validate({**doc, "org": org})
