"""Fixtures for the agent's unit tests: a data dir, a fake blob source, delivery deps."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.agent.agent_fakes import FakeSource

from edgeplane.agent import delivery
from edgeplane.agent import layout as paths
from edgeplane.agent.settings import FetchSettings
from edgeplane.agent.state import db as statedb
from edgeplane.artifacts import fs


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def source() -> FakeSource:
    return FakeSource()


@pytest.fixture
def deps(tmp_path: Path, source: FakeSource) -> delivery.DeliveryDeps:
    lay = paths.Layout(tmp_path / "data")
    lay.make()
    return delivery.DeliveryDeps(layout=lay, store=fs.FsBlobStore(lay.blobs), db=statedb.StateDb(lay.db),
                                 source=source, fetch=FetchSettings(chunk_bytes=16384, parallel_files=2))
