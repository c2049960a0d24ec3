"""Fixtures for the agent integration tests: an ESS served over a real unix socket with TLS."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from tests.integration.agent.ess_support import Ess
from tests.unit.agent.agent_fakes import FakeSource

from edgeplane.agent import converging, delivery
from edgeplane.agent import layout as paths
from edgeplane.agent.ess import app, certs, objects, serving, webhooks
from edgeplane.agent.settings import AgentSettings, FetchSettings
from edgeplane.agent.state import db as statedb
from edgeplane.artifacts import fs


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A data dir with a short path: unix socket paths must stay under 108 bytes."""
    path = Path(tempfile.mkdtemp(prefix="ep-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def ess(short_dir: Path) -> AsyncIterator[Ess]:
    settings = AgentSettings(data_dir=short_dir, org="acme", node_id="node-1", arch="amd64")
    lay = paths.Layout(short_dir)
    lay.make()
    db = statedb.StateDb(lay.db)
    source = FakeSource()
    deps = delivery.DeliveryDeps(layout=lay, store=fs.FsBlobStore(lay.blobs), db=db, source=source,
                                 fetch=FetchSettings(chunk_bytes=8192))
    tls = certs.ensure(lay.ess, ["localhost"])
    ess_deps = objects.EssDeps(db=db, layout=lay, org="acme", node_id="node-1", arch="amd64")
    calls: list[tuple[str, list[dict[str, object]]]] = []

    def record(request: httpx.Request) -> httpx.Response:
        calls.append((str(request.url), json.loads(request.content)))
        return httpx.Response(200)

    async with anyio.create_task_group() as tg:
        notifier = webhooks.Notifier(ess_deps, timeout_s=5, task_group=tg,
                                     client=httpx.AsyncClient(transport=httpx.MockTransport(record)))
        conv = converging.Converger(converging.Parts(settings=settings, delivery=deps, notifier=notifier))
        server = serving.build(app.create_app(settings, deps=ess_deps), settings.ess, tls,
                               socket_path=lay.default_socket)
        tg.start_soon(server.serve)
        while not server.started:
            await anyio.sleep(0.01)
        yield Ess(conv, source, lay.default_socket, tls.ca_cert, db, lay, calls)
        server.stop()
        await notifier.aclose()
    db.close()
