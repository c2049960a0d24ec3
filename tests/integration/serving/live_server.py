"""A real inference server on 127.0.0.1 (uvicorn in a thread) for tests whose clients need a socket."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from edgeplane.serving import app, config, server, settings

T = TypeVar("T")


class LiveServer:
    """The app on a free port; ``call`` runs a coroutine (e.g. ``server.apply``) on the server's loop."""

    def __init__(self, settings_: settings.ServingSettings) -> None:
        self.server = server.InferenceServer(settings_)
        asgi = app.create_app(settings_, deps=app.ServingDeps(server=self.server))
        self._sock = socket.socket()
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"127.0.0.1:{self.port}"
        self._uvicorn = uvicorn.Server(uvicorn.Config(asgi, log_level="warning", lifespan="off"))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._uvicorn.serve(sockets=[self._sock]))
        self._loop.run_until_complete(self.server.aclose())

    def start(self) -> None:
        self._thread.start()
        for _ in range(200):
            if self._uvicorn.started:
                return
            threading.Event().wait(0.02)
        raise RuntimeError("server did not start")

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=60)

    def apply(self, cfg: config.ServingConfig) -> config.ApplyResult:
        return self.call(self.server.apply(cfg))

    def stop(self) -> None:
        self._uvicorn.should_exit = True
        self._thread.join(timeout=10)
        self._loop.close()
        self._sock.close()


def endpoint(name: str, paths: dict[str, Path], **kw: Any) -> config.EndpointConfig:
    return config.EndpointConfig(name=name, versions={v: config.VersionSource(path=p) for v, p in paths.items()}, **kw)
