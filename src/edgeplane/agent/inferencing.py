"""The node's inference server: serve the desired endpoints from delivered model versions, report each.

Who calls it: the converger calls :meth:`Inferencing.apply` after every delivery pass and before garbage
collection (so a removed version is unloaded before its files go); ``running`` starts
:meth:`Inferencing.run` beside the sync loops, which serves HTTP once the first endpoint arrived and
refreshes the endpoint metrics every ``serving.stats_interval_s``. ``apply`` hands the server one
declarative config (``InferenceServer.apply``: unchanged versions are reused, new ones load and warm up
before one atomic swap), so a new split, version or removal never fails a request in flight.

Status per endpoint version (kind ``endpoint``, key ``name@version``): ``active`` (loaded, in service),
``pending`` (its model is on its way), ``failed`` (the reason), ``removed``; metrics ``loaded``, ``weight``,
``requests``/``errors`` since load, ``requests_1m``/``errors_1m`` and ``p50_ms``/``p99_ms`` over the last
minute. Entries are written only when they change, so an idle endpoint sends nothing.

``edgeplane.serving`` (numpy, ONNX Runtime, scikit-learn: the ``serve`` extra) is imported the first time
a node has endpoints; a node without any stays light, and an install without the extra reports why.
Left out: TLS (the server binds loopback by default; put a proxy in front to expose it).
"""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING

import anyio
import uvicorn

from edgeplane.agent import endpoints
from edgeplane.agent import layout as paths
from edgeplane.agent.ess import serving as embedded
from edgeplane.agent.settings import ServingSettings
from edgeplane.agent.state import db as statedb
from edgeplane.agent.state import status
from edgeplane.schemas.desired import DesiredState, ObjectState

if TYPE_CHECKING:
    from edgeplane.serving import config as serving_config
    from edgeplane.serving import server as serving_server

log = logging.getLogger(__name__)
NO_EXTRA = "the inference server needs the 'serve' extra: pip install 'edgeplane[serve]'"


class Inferencing:
    def __init__(self, settings: ServingSettings, layout: paths.Layout, db: statedb.StateDb) -> None:
        self.settings, self._layout, self._db = settings, layout, db
        self._server: serving_server.InferenceServer | None = None
        self._web: embedded.EmbeddedServer | None = None
        self._sock: socket.socket | None = None
        self._address: tuple[str, int] | None = None
        self._started = anyio.Event()
        self._entries: dict[str, tuple[ObjectState, str]] = {}

    @property
    def address(self) -> tuple[str, int] | None:
        """(host, port) the server listens on once it was started (the real port when configured as 0)."""
        return self._address

    async def apply(self, state: DesiredState) -> None:
        """Serve what can be served of ``state.endpoints`` now; record every endpoint version's status."""
        todo = endpoints.plan(state, self._layout, self._db)
        entries = dict(todo.waiting)
        servable = {endpoints.key(s.endpoint.name, v) for s in todo.servable for v in s.dirs}
        problem = self._ensure_server() if servable else None
        if problem is not None:
            entries |= dict.fromkeys(servable, ("failed", problem))
        elif self._server is not None:
            result = await self._server.apply(self._config(todo))
            for v in result.versions:
                entries[endpoints.key(v.endpoint, v.version)] = ("active", "") if v.ok else ("failed", v.error or "")
        for gone, last in status.states(self._db, endpoints.KIND).items():
            if gone not in entries and last != "removed":
                status.put(self._db, endpoints.KIND, gone, "removed")
        self._entries = entries
        self.publish()

    def _config(self, todo: endpoints.Plan) -> serving_config.ServingConfig:
        from edgeplane.serving import config

        s = self.settings
        return config.ServingConfig(endpoints=[
            config.endpoint_from_desired(e.endpoint, e.dirs, sticky_header=s.sticky_header, api_keys=s.api_keys)
            for e in todo.servable])

    def publish(self) -> None:
        """Write each endpoint version's status with fresh metrics (a no-op for unchanged entries)."""
        stats = self._server.stats() if self._server is not None else {}
        for k, (state, detail) in self._entries.items():
            name, _, version = k.rpartition("@")
            found = stats.get(name, {}).get(version)
            metrics = _metrics(found) if found is not None and found.loaded else None
            status.put(self._db, endpoints.KIND, k, state, detail, metrics=metrics)

    def _ensure_server(self) -> str | None:
        """Build the server and bind its port on first use; the reason it cannot serve, or None."""
        if self._server is not None:
            return None
        if not self.settings.enabled:
            return "serving is disabled on this node (EDGEPLANE_AGENT_SERVING__ENABLED=false)"
        try:
            from edgeplane.serving import app, server, settings
        except ImportError as e:
            log.error("%s (%s)", NO_EXTRA, e)
            return NO_EXTRA
        s = self.settings
        try:
            self._sock = _bind(s.host, s.port)
        except OSError as e:
            return f"cannot listen on {s.host}:{s.port}: {e.strerror or e}"
        conf = settings.ServingSettings(host=s.host, port=s.port, threads=s.threads, api_key_header=s.api_key_header)
        self._server = server.InferenceServer(conf)
        asgi = app.create_app(conf, deps=app.ServingDeps(server=self._server))
        self._web = embedded.EmbeddedServer(uvicorn.Config(
            asgi, log_level="warning", access_log=False, lifespan="off", server_header=False,
            timeout_graceful_shutdown=max(1, round(s.stop_grace_s))))
        self._started.set()
        self._address = (s.host, int(self._sock.getsockname()[1]))
        log.info("inference server listening on http://%s:%d", *self._address)
        return None

    async def run(self) -> None:
        """Serve HTTP once there is a server, refresh metrics periodically; cancel to stop (gracefully)."""
        try:
            await self._started.wait()
            assert self._web is not None and self._sock is not None
            done = anyio.Event()
            async with anyio.create_task_group() as tg:
                tg.start_soon(_serve, self._web, self._sock, done)
                try:
                    while True:
                        await anyio.sleep(self.settings.stats_interval_s)
                        self.publish()
                finally:
                    self._web.stop()
                    with anyio.CancelScope(shield=True):
                        await done.wait()
        finally:
            with anyio.CancelScope(shield=True):
                if self._server is not None:
                    await self._server.aclose()


async def _serve(web: embedded.EmbeddedServer, sock: socket.socket, done: anyio.Event) -> None:
    try:
        with anyio.CancelScope(shield=True):  # ends when told to (should_exit), after requests in flight
            await web.serve(sockets=[sock])
    finally:
        sock.close()
        done.set()


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # uvicorn doesn't on sockets it is given
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def _metrics(v: serving_config.VersionStats) -> dict[str, float]:
    out = v.as_metrics() | {"weight": float(v.weight), "requests_1m": float(v.requests_window),
                            "errors_1m": float(v.errors_window)}
    return {k: round(x, 2) for k, x in out.items()}
