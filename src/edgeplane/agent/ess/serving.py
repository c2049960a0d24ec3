"""Serve the ESS app with uvicorn, TLS, over a unix socket (devices) or TCP (cluster agents).

uvicorn supports ``uds`` together with ``ssl_*`` (it passes the SSL context to
``loop.create_unix_server``), so no custom transport is needed. The default socket lives in the agent's
0700 data dir, so only the agent's user (its workloads) can reach it; the per-workload credential is
still required on every request.
The server is embedded: it installs no signal handlers; cancel :func:`serve` (or call ``stop``) to end it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from edgeplane.agent.ess import certs
from edgeplane.agent.settings import EssSettings


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves process signals to its host (the agent)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def stop(self) -> None:
        self.should_exit = True


def build(app: ASGIApp, ess: EssSettings, tls: certs.TlsFiles, *, socket_path: Path) -> EmbeddedServer:
    """A server for ``app``: TCP on ``ess.host:ess.port`` when ``ess.host`` is set, else ``socket_path``."""
    common = {"ssl_certfile": str(tls.server_cert), "ssl_keyfile": str(tls.server_key),
              "log_level": "warning", "access_log": False, "lifespan": "off", "server_header": False}
    if ess.host is not None:
        config = uvicorn.Config(app, host=ess.host, port=ess.port, **common)  # type: ignore[arg-type]
    else:
        socket_path.parent.mkdir(parents=True, exist_ok=True)
        socket_path.unlink(missing_ok=True)
        config = uvicorn.Config(app, uds=str(socket_path), **common)  # type: ignore[arg-type]
    return EmbeddedServer(config)
