"""The cluster variant: the same ESS app over TLS on TCP, with the agent-service SANs."""

from __future__ import annotations

import ssl
from pathlib import Path

import anyio
import httpx
import pytest

from edgeplane.agent import layout as paths
from edgeplane.agent.ess import app, certs, objects, serving
from edgeplane.agent.settings import AgentSettings, EssSettings
from edgeplane.agent.state import credentials
from edgeplane.agent.state import db as statedb

pytestmark = pytest.mark.anyio

SANS = ["agent-service", "agent-service.edge.svc", "agent-service.edge.svc.cluster.local"]


async def test_tls_over_tcp_with_service_sans(tmp_path: Path) -> None:
    lay = paths.Layout(tmp_path / "data")
    lay.make()
    db = statedb.StateDb(lay.db)
    token = credentials.ensure(db, "acme/op", "1")
    tls = certs.ensure(lay.ess, SANS)
    assert certs.ensure(lay.ess, SANS).server_cert.read_bytes() == tls.server_cert.read_bytes()  # reused
    deps = objects.EssDeps(db=db, layout=lay, org="acme", node_id="c1", arch="amd64")
    ess = EssSettings(host="127.0.0.1", port=0, cert_sans=SANS)
    server = serving.build(app.create_app(AgentSettings(data_dir=lay.root), deps=deps), ess, tls,
                           socket_path=lay.default_socket)
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        while not server.started:
            await anyio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        context = ssl.create_default_context(cafile=str(tls.ca_cert))
        async with httpx.AsyncClient(verify=context, auth=("acme/op", token)) as client:
            for name in SANS:
                response = await client.get(f"https://127.0.0.1:{port}/api/v1/objects/model",
                                            extensions={"sni_hostname": name})
                assert response.status_code == 404  # authenticated, nothing routed yet
        async with httpx.AsyncClient(verify=context) as client:  # fresh: no pooled connection
            with pytest.raises(httpx.ConnectError):
                await client.get(f"https://127.0.0.1:{port}/api/v1/objects/model",
                                 extensions={"sni_hostname": "elsewhere"})
        server.stop()
