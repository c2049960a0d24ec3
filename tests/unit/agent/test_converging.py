"""The converger is level-triggered: a restart on the same data dir re-fetches nothing, changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.agent.agent_fakes import FakeSource, make_model

from edgeplane.agent import converging, delivery
from edgeplane.agent import layout as paths
from edgeplane.agent.settings import AgentSettings, FetchSettings
from edgeplane.agent.state import db as statedb
from edgeplane.agent.state import routes
from edgeplane.artifacts import fs
from edgeplane.schemas.desired import DesiredState, DesiredWorkload
from edgeplane.schemas.workloads import DeviceSpec

pytestmark = pytest.mark.anyio


def converger(root: Path, source: FakeSource) -> converging.Converger:
    lay = paths.Layout(root)
    lay.make()
    deps = delivery.DeliveryDeps(layout=lay, store=fs.FsBlobStore(lay.blobs), db=statedb.StateDb(lay.db),
                                 source=source, fetch=FetchSettings())
    return converging.Converger(converging.Parts(settings=AgentSettings(data_dir=root), delivery=deps))


async def test_restart_resumes_without_refetching(tmp_path: Path, source: FakeSource) -> None:
    model = make_model(source, {"m.onnx": b"weights" * 1000})
    wl = DesiredWorkload(org="acme", name="cam", version="1", kind="device",
                         device=DeviceSpec(command=["true"]), models=[model])
    first = converger(tmp_path / "d", source)
    first.apply(DesiredState(org="acme", node_id="n", generation=3, workloads=[wl]))
    assert await first.converge()
    opened = len(source.opens)
    entries, cursor = first.pending_status()
    assert ("model", "acme/det@1.0.0", "active") in [(e.kind, e.key, e.state) for e in entries]
    first.mark_reported(cursor)

    again = converger(tmp_path / "d", source)
    assert again.generation() == 3
    assert await again.converge()
    assert len(source.opens) == opened
    assert again.pending_status()[0] == []
    assert list(routes.for_workload(again.parts.delivery.db, "acme/cam")) == [("model", "det")]


async def test_failed_update_keeps_serving_previous_version(tmp_path: Path, source: FakeSource) -> None:
    conv = converger(tmp_path / "d", source)
    v1 = make_model(source, {"m": b"one"})
    wl = DesiredWorkload(org="acme", name="cam", version="1", kind="device", device=DeviceSpec(command=["true"]))
    conv.apply(DesiredState(org="acme", node_id="n", generation=1, workloads=[wl.model_copy(update={"models": [v1]})]))
    await conv.converge()
    v2 = make_model(source, {"m": b"two"}, version="2.0.0")
    source.blobs[v2.files[0].sha256] = b"bad"
    conv.apply(DesiredState(org="acme", node_id="n", generation=2, workloads=[wl.model_copy(update={"models": [v2]})]))
    assert await conv.converge()  # settled: a permanent failure is not retried in a loop
    [route] = routes.for_workload(conv.parts.delivery.db, "acme/cam").values()
    assert route.version == "1.0.0"
    assert (tmp_path / "d" / "models" / "acme" / "det" / "current" / "m").read_bytes() == b"one"
