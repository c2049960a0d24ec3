"""The level-triggered heart of the agent below the sync loop: desired state in, local effects out.

The sync loop (built elsewhere) calls :meth:`Converger.apply` with each new ``DesiredState`` and sends
:meth:`Converger.pending_status` deltas up, then :meth:`Converger.mark_reported`. :meth:`Converger.run`
converges in the background: on every change, and again with backoff while something temporary (a cut
download, a full disk) is pending. One pass (:meth:`Converger.converge`) compares desired with what is
on disk and in local state and acts on the difference, so a restart reaches the same answer:

1. deliver every desired model version (fetch, verify, install, activate; the previous stays active);
2. route active versions to their workloads as ESS objects (a removed model becomes ``deleted``);
3. run the device workloads (credentials, files, env) and stop the ones no longer desired; on a cluster
   agent, apply the cluster workloads through the Kubernetes API and prune the rest;
4. serve the endpoints from active versions (the inference server, when the node has any);
5. remove versions no workload can see any more, then the blobs nothing references.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import anyio

from edgeplane.agent import clustering, delivery, inferencing, materialising
from edgeplane.agent.ess import bundles, webhooks
from edgeplane.agent.settings import AgentSettings
from edgeplane.agent.state import credentials, desired, routes, status, versions
from edgeplane.agent.state import webhooks as hooks
from edgeplane.agent.workloads import process
from edgeplane.schemas.desired import DesiredModel, DesiredState, DesiredWorkload, StatusEntry


@dataclass(frozen=True)
class Parts:
    """Long-lived collaborators of one agent process (built by the entry point)."""

    settings: AgentSettings
    delivery: delivery.DeliveryDeps
    runner: process.ProcessRunner | None = None
    notifier: webhooks.Notifier | None = None
    cluster: clustering.ClusterRunner | None = None  # cluster agents: applies kind=cluster workloads
    inference: inferencing.Inferencing | None = None  # the node's inference server (endpoints)


class Converger:
    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self._db = parts.delivery.db
        self._wake = anyio.Event()
        self._retry_permanent = False
        materialising.clean(parts.delivery.layout)

    # --- the sync loop's side -------------------------------------------------------------------

    def generation(self) -> int:
        """Generation of the desired state applied last (-1: none); the long-poll's ``after``."""
        return desired.generation(self._db)

    def apply(self, state: DesiredState) -> None:
        """Accept a new desired state (persisted first, so a crash right after still converges to it)."""
        desired.save(self._db, state)
        self._retry_permanent = True  # a new document may fix what failed for good before
        self._wake.set()

    def wake(self) -> None:
        """Converge again soon (e.g. a workload acked a deletion, so files may go)."""
        self._wake.set()

    def pending_status(self, limit: int = 500) -> tuple[list[StatusEntry], int]:
        """Status entries changed since the last delivered report, and the cursor to acknowledge."""
        return status.pending(self._db, limit)

    def mark_reported(self, cursor: int) -> None:
        status.mark_reported(self._db, cursor)

    # --- converging -----------------------------------------------------------------------------

    async def run(self) -> None:
        """Converge now, on every :meth:`apply`, and with backoff while something temporary is pending."""
        fetch = self.parts.settings.fetch
        backoff = fetch.retry_initial_s
        while True:
            self._wake = anyio.Event()
            settled = await self.converge()
            backoff = fetch.retry_initial_s if settled else min(backoff * 2, fetch.retry_max_s)
            with anyio.move_on_after(None if settled else random.uniform(0, backoff)):
                await self._wake.wait()

    async def converge(self) -> bool:
        """One level-triggered pass; True when nothing is left to retry."""
        state = desired.load(self._db)
        if state is None:
            return True
        retry, self._retry_permanent = self._retry_permanent, False
        settled = await self._deliver(_wanted_models(state), retry_permanent=retry)
        self._route(state)
        await self._run_workloads(state)
        if self.parts.inference is not None:
            await self.parts.inference.apply(state)  # before _collect: unload, then remove the files
        self._collect(state)
        return settled

    async def _deliver(self, models: dict[str, DesiredModel], *, retry_permanent: bool) -> bool:
        results: list[versions.VersionRow] = []
        limiter = anyio.CapacityLimiter(2)

        async def one(model: DesiredModel) -> None:
            async with limiter:
                results.append(await delivery.deliver(model, self.parts.delivery))

        async with anyio.create_task_group() as tg:
            for model in models.values():
                row = versions.ensure(self._db, model)
                if row.state == "failed" and not row.temporary and not retry_permanent:
                    continue
                if row.state == "active" and materialising.is_installed(self.parts.delivery.layout, model):
                    continue
                tg.start_soon(one, model)
        return all(r.state == "active" or (r.state == "failed" and not r.temporary) for r in results)

    def _route(self, state: DesiredState) -> None:
        wanted = {f"{w.org}/{w.name}": w for w in state.workloads}
        for wid, workload in wanted.items():
            credentials.ensure(self._db, wid, workload.version)
            changed = routes.sync(self._db, wid, self._served(wid, workload))
            if changed and self.parts.notifier is not None:
                self.parts.notifier.notify(wid, changed)
        for wid in routes.workloads(self._db) - set(wanted):
            routes.drop_workload(self._db, wid)

    def _served(self, wid: str, workload: DesiredWorkload) -> dict[routes.ObjectRef, tuple[str, str]]:
        """What the workload should see: each model's desired version once active, else the one it had."""
        current = routes.for_workload(self._db, wid)
        served: dict[routes.ObjectRef, tuple[str, str]] = {}
        for model in workload.models:
            ref = (model.object_type, model.name)
            row = versions.get(self._db, model.key)
            if row is not None and row.state == "active":
                served[ref] = (model.key, model.version)
            elif ref in current and not current[ref].deleted:
                served[ref] = (current[ref].model_key, current[ref].version)
        return served

    async def _run_workloads(self, state: DesiredState) -> None:
        runner = self.parts.runner
        wanted = {f"{w.org}/{w.name}" for w in state.workloads}
        if runner is not None:
            runs = [process.WorkloadRun(w, credentials.ensure(self._db, f"{w.org}/{w.name}", w.version))
                    for w in state.workloads if w.kind == "device" and w.device is not None]
            await runner.reconcile(runs)
        if self.parts.cluster is not None:
            await self.parts.cluster.reconcile(state.workloads)
        for wid in credentials.workloads(self._db) - wanted:
            credentials.remove(self._db, wid)
            hooks.drop_workload(self._db, wid)

    def _collect(self, state: DesiredState) -> None:
        """Remove versions nobody wants or sees any more, then unreferenced blobs."""
        keep = set(_wanted_models(state)) | routes.referenced_keys(self._db)
        lay, store = self.parts.delivery.layout, self.parts.delivery.store
        rows = versions.all_rows(self._db)
        for row in rows:
            if row.model.key in keep:
                continue
            m = row.model
            fallback = next((r.model.version for r in rows if r.model.key in keep and r.state == "active"
                             and (r.model.org, r.model.name) == (m.org, m.name)), None)
            materialising.remove(lay, m.org, m.name, m.version, fallback=fallback)
            bundles.remove(lay, m)
            versions.delete(self._db, m.key)
        digests = {f.sha256 for r in versions.all_rows(self._db) for f in r.model.files}
        materialising.collect_garbage(store, digests)


def _wanted_models(state: DesiredState) -> dict[str, DesiredModel]:
    wanted: dict[str, DesiredModel] = {}
    for workload in state.workloads:
        for model in workload.models:
            wanted.setdefault(model.key, model)
    for endpoint in state.endpoints:
        for model in endpoint.versions:
            wanted.setdefault(model.key, model)
    return wanted
