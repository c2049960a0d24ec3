"""Helpers for the agent integration tests: a handle on a running ESS with curl and httpx clients."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import httpx
from tests.unit.agent.agent_fakes import FakeSource

from edgeplane.agent import converging
from edgeplane.agent import layout as paths
from edgeplane.agent.state import db as statedb


@dataclass
class Ess:
    """A running agent ESS: converger, socket, CA, and a recorder of webhook calls."""

    converger: converging.Converger
    source: FakeSource
    socket: Path
    ca: Path
    db: statedb.StateDb
    layout: paths.Layout
    hook_calls: list[tuple[str, list[dict[str, object]]]] = field(default_factory=list)

    def creds(self, workload: str) -> tuple[str, str]:
        rows = self.db.query("SELECT token FROM credentials WHERE workload = ?", (workload,))
        return workload, str(rows[0]["token"])

    def client(self, workload: str | None = None, *, token: str | None = None) -> httpx.AsyncClient:
        context = ssl.create_default_context(cafile=str(self.ca))
        transport = httpx.AsyncHTTPTransport(uds=str(self.socket), verify=context)
        auth = None
        if workload is not None:
            user, real = self.creds(workload)
            auth = httpx.BasicAuth(user, token or real)
        return httpx.AsyncClient(transport=transport, base_url="https://localhost/api/v1", auth=auth)

    async def curl(self, workload: str, path: str, *extra: str) -> tuple[int, bytes]:
        """``curl --unix-socket`` exactly as an Open Horizon example service calls its ESS."""
        user, token = self.creds(workload)
        result = await anyio.run_process(
            ["curl", "-sS", "--unix-socket", str(self.socket), "--cacert", str(self.ca), "-u", f"{user}:{token}",
             "-o", "-", "-w", "\n%{http_code}", *extra, f"https://localhost/api/v1{path}"], check=False)
        body, _, code = result.stdout.rpartition(b"\n")
        return int(code), body

    def json(self, body: bytes) -> list[dict[str, object]]:
        parsed: list[dict[str, object]] = json.loads(body)
        return parsed
