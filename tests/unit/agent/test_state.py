"""Local state survives a reopen; acks are per workload; status comes out as deltas."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgeplane.agent.state import credentials, desired, routes, status
from edgeplane.agent.state import db as statedb
from edgeplane.schemas.desired import DesiredState


def test_desired_and_acks_survive_reopen(tmp_path: Path) -> None:
    db = statedb.StateDb(tmp_path / "agent.db")
    desired.save(db, DesiredState(org="acme", node_id="n", generation=7))
    token = credentials.ensure(db, "acme/cam", "1.0.0")
    routes.sync(db, "acme/cam", {("model", "det"): ("acme/det@1", "1")})
    routes.ack(db, "acme/cam", "model", "det", "consumed")
    db.close()
    db = statedb.StateDb(tmp_path / "agent.db")
    assert desired.generation(db) == 7
    assert credentials.ensure(db, "acme/cam", "1.0.0") == token and len(token) == 64
    assert credentials.check(db, "acme/cam", token) and not credentials.check(db, "acme/cam", "0" * 64)
    assert routes.listing(db, "acme/cam", "model", include_received=True) == []


def test_new_version_or_deletion_resets_the_ack_of_that_workload_only(tmp_path: Path) -> None:
    db = statedb.StateDb(tmp_path / "agent.db")
    for wl in ("acme/a", "acme/b"):
        routes.sync(db, wl, {("model", "det"): ("acme/det@1", "1")})
    routes.ack(db, "acme/a", "model", "det", "received")
    assert routes.listing(db, "acme/a", "model", include_received=False) == []
    assert len(routes.listing(db, "acme/b", "model", include_received=False)) == 1
    assert routes.sync(db, "acme/a", {("model", "det"): ("acme/det@2", "2")}) == {"model"}
    [shown] = routes.listing(db, "acme/a", "model", include_received=False)
    assert shown.version == "2"
    routes.sync(db, "acme/a", {})
    [gone] = routes.listing(db, "acme/a", "model", include_received=False)
    assert gone.deleted
    with pytest.raises(ValueError):
        routes.ack(db, "acme/a", "model", "det", "consumed")
    routes.ack(db, "acme/a", "model", "det", "deleted")
    assert routes.get(db, "acme/a", "model", "det") is None
    assert routes.referenced_keys(db) == {"acme/det@1"}  # b still sees version 1


def test_status_deltas(tmp_path: Path) -> None:
    db = statedb.StateDb(tmp_path / "agent.db")
    status.put(db, "model", "acme/det@1", "downloading", bytes_done=10)
    status.put(db, "model", "acme/det@1", "downloading", bytes_done=10)  # unchanged: no delta
    status.put(db, "workload", "acme/cam@1", "running")
    entries, cursor = status.pending(db)
    assert [(e.kind, e.state) for e in entries] == [("model", "downloading"), ("workload", "running")]
    status.mark_reported(db, cursor)
    assert status.pending(db)[0] == []
    status.put(db, "model", "acme/det@1", "active")
    assert [e.state for e in status.pending(db)[0]] == ["active"]
