"""``edgeplane agent run``: wire the agent's parts in one anyio task group and run until SIGTERM/SIGINT.

Start-up order: lock the data dir, load the node credential (or register, retrying while the hub is
unreachable), then start the ESS server, the converger (which at once resumes the last desired state
kept locally, with or without a hub) and the three sync loops. Shutdown, on a signal: stop the loops,
then the workloads (SIGTERM, then SIGKILL), then the ESS, then close the hub client. A kill -9 skips all
of that and is fine too: the next start resumes from local state and reaps orphaned workloads.
"""

from __future__ import annotations

import functools
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
import anyio.abc

from edgeplane._kit.errors import Error
from edgeplane.agent import (
    backoff,
    clustering,
    converging,
    delivery,
    identity,
    inferencing,
    locking,
    properties,
    syncing,
    throttling,
)
from edgeplane.agent import layout as paths
from edgeplane.agent.ess import app as essapp
from edgeplane.agent.ess import certs, objects, serving, webhooks
from edgeplane.agent.settings import AgentSettings
from edgeplane.agent.state import db as statedb
from edgeplane.agent.state import status
from edgeplane.agent.workloads import env, process
from edgeplane.artifacts import fs
from edgeplane.client import node as hubnode
from edgeplane.schemas.policy import NodePolicy, Property

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Started:
    """What a running agent is made of (handed to ``on_started``, e.g. for tests and logs)."""

    settings: AgentSettings
    identity: identity.Identity
    converger: converging.Converger
    runner: process.ProcessRunner


async def run(settings: AgentSettings, *, stop: anyio.Event | None = None,
              on_started: Callable[[Started], None] | None = None) -> None:
    """Run the agent until SIGTERM/SIGINT (or ``stop`` is set)."""
    settings = clustering.configure(settings)  # kind=cluster: namespace, ESS over TCP, service SANs
    lay = paths.Layout(settings.data_dir)
    lay.make()
    stop = stop or anyio.Event()
    with locking.hold(settings.data_dir):
        async with anyio.create_task_group() as signals:
            signals.start_soon(_on_signal, stop)
            await _run_locked(settings, lay, stop, on_started)
            signals.cancel_scope.cancel()


async def _on_signal(stop: anyio.Event) -> None:
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as received:
        async for signum in received:
            log.info("received %s: shutting down", signal.Signals(signum).name)
            stop.set()
            return


async def _run_locked(settings: AgentSettings, lay: paths.Layout, stop: anyio.Event,
                      on_started: Callable[[Started], None] | None) -> None:
    builtin = properties.builtin(settings.data_dir, arch=settings.arch)
    if settings.kind == "cluster":
        builtin = await clustering.builtin(settings, clustering.connect(settings))
    policy = properties.load_policy(settings.properties_file)
    known = identity.load(settings.data_dir)
    hub_url = settings.hub_url or (known.hub_url if known else "")
    if not hub_url:
        raise Error("no hub URL", hint="give --hub URL (or EDGEPLANE_HUB_URL)")
    async with hubnode.NodeClient(hub_url, org=known.org if known else settings.org,
                                  timeout_s=settings.sync.request_timeout_s) as client:
        if known is not None:
            client.authenticate(known.node_id, known.credential)
        else:
            known = await _until(stop, functools.partial(_register, settings, client, policy, builtin))
            if known is None:
                return
        log.info("node %s (%s) in org %s, hub %s", known.name, known.node_id, known.org, hub_url)
        s = settings.model_copy(update={"org": known.org, "node_id": known.node_id,
                                        "arch": settings.arch or env.detect_arch()})
        await _serve(s, lay, known, client, policy, builtin, stop, on_started)


async def _register(settings: AgentSettings, client: hubnode.NodeClient, policy: NodePolicy,
                    builtin: list[Property]) -> identity.Identity:
    """Register, retrying while the hub is unreachable or busy; a refused token is final."""
    delays = backoff.for_sync(settings.sync)
    while True:
        try:
            return await identity.register(settings, client, policy, builtin)
        except Error as e:
            if not hubnode.temporary(e):
                raise
            delay = delays.next_delay(e)
            log.warning("registration failed (%s); next try in %.1fs", e, delay)
            await anyio.sleep(delay)


async def _until(stop: anyio.Event, work: Callable[[], Awaitable[T]]) -> T | None:
    """``work()``'s result, or None if ``stop`` is set first (work is then cancelled)."""
    result: list[T] = []

    async def do(scope: anyio.CancelScope) -> None:
        result.append(await work())
        scope.cancel()

    async with anyio.create_task_group() as tg:
        tg.start_soon(do, tg.cancel_scope)
        await stop.wait()
        tg.cancel_scope.cancel()
    return result[0] if result else None


async def _serve(s: AgentSettings, lay: paths.Layout, ident: identity.Identity, client: hubnode.NodeClient,
                 policy: NodePolicy, builtin: list[Property], stop: anyio.Event,
                 on_started: Callable[[Started], None] | None) -> None:
    db = statedb.StateDb(lay.db)
    source = throttling.Throttled(client, s.fetch.max_bytes_per_s)
    deps = delivery.DeliveryDeps(layout=lay, store=fs.FsBlobStore(lay.blobs), db=db, source=source, fetch=s.fetch)
    woken: list[converging.Converger] = []  # the converger is built below, with the ESS deps it needs
    ess_deps = objects.EssDeps(db=db, layout=lay, org=s.org, node_id=s.node_id, arch=s.arch,
                               on_deleted_ack=lambda: woken[0].wake() if woken else None)
    tls = certs.ensure(lay.ess, s.ess.cert_sans, days=s.ess.cert_days)
    socket_path = s.ess.socket_path or lay.default_socket
    server = serving.build(essapp.create_app(s, deps=ess_deps), s.ess, tls, socket_path=socket_path)
    served = anyio.Event()
    try:
        async with anyio.create_task_group() as tg:
            node = env.NodeEnv(s.org, s.node_id, s.arch, socket_path, tls.ca_cert)
            runner = process.ProcessRunner(layout=lay, settings=s.runner, node=node, task_group=tg,
                                           on_state=functools.partial(status.put, db, "workload"))
            cluster = clustering.start(s, db, tls.ca_cert, tg) if s.kind == "cluster" else None
            inference = inferencing.Inferencing(s.serving, lay, db)  # serves only once endpoints arrive
            notifier = webhooks.Notifier(ess_deps, timeout_s=s.ess.webhook_timeout_s, task_group=tg)
            conv = converging.Converger(converging.Parts(settings=s, delivery=deps, runner=runner,
                                                         notifier=notifier, cluster=cluster,
                                                         inference=inference))
            woken.append(conv)
            tg.start_soon(_serve_ess, server, served)
            sync = syncing.Sync(hub=client, local=conv, settings=s.sync, policy=policy, builtin=builtin)
            async with anyio.create_task_group() as loops:
                for loop in (conv.run, inference.run, functools.partial(syncing.poll, sync),
                             functools.partial(syncing.report, sync), functools.partial(syncing.heartbeat, sync)):
                    loops.start_soon(loop)
                if on_started is not None:
                    on_started(Started(s, ident, conv, runner))
                await stop.wait()
                loops.cancel_scope.cancel()
            await _shutdown(runner, server, served, notifier)
            tg.cancel_scope.cancel()
    finally:
        db.close()


async def _serve_ess(server: serving.EmbeddedServer, served: anyio.Event) -> None:
    try:
        await server.serve()
    finally:
        served.set()


async def _shutdown(runner: process.ProcessRunner, server: serving.EmbeddedServer, served: anyio.Event,
                    notifier: webhooks.Notifier) -> None:
    with anyio.CancelScope(shield=True):
        await runner.aclose()
        server.stop()
        with anyio.move_on_after(5):
            await served.wait()
        await notifier.aclose()
    log.info("agent stopped")
