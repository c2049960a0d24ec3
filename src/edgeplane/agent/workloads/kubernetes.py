"""The cluster applier: makes a cluster hold exactly the objects its desired cluster workloads need.

Called by the cluster agent's sync loop with the node's desired workloads (every pass, level-triggered:
the same input gives the same cluster, a restart included). For each workload it server-side applies the ESS
Secrets, the ``HZN_*`` ConfigMap, the model-storage PVC and the workload's own manifests, then prunes what it
applied before and no longer wants. It prunes only objects listed in its own inventory (a ConfigMap per
workload in the agent's namespace) that still carry its owner labels, so objects it did not create are never
touched. Status per workload comes from its Deployments' ready replicas, read back from the API.

Not here: fetching models, issuing ESS credentials (the caller passes ``credentials``), retry timing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from edgeplane.agent.workloads import kubernetes_api as kapi
from edgeplane.agent.workloads import kubernetes_manifests as km
from edgeplane.gitops import manifests
from edgeplane.schemas.desired import DesiredWorkload, ObjectState, StatusEntry
from edgeplane.schemas.workloads import StorageSpec

FIELD_MANAGER = "edgeplane-agent"


@dataclass(frozen=True)
class WorkloadStatus:
    """How one workload stands: ``running`` (applied, Deployments ready), ``pending``, ``failed``, ``removed``."""

    key: str
    workload_id: str
    state: ObjectState
    detail: str = ""
    temporary: bool = False
    deployments: tuple[kapi.DeploymentStatus, ...] = ()

    def to_entry(self) -> StatusEntry:
        ready = sum(d.ready_replicas for d in self.deployments)
        wanted = sum(d.replicas for d in self.deployments)
        metrics = {"ready_replicas": float(ready), "replicas": float(wanted)} if self.deployments else {}
        return StatusEntry(kind="workload", key=self.key, state=self.state, detail=self.detail[:2048],
                           metrics=metrics)


@dataclass(frozen=True)
class ReconcileResult:
    applied: list[km.ObjectRef] = field(default_factory=list)
    pruned: list[km.ObjectRef] = field(default_factory=list)
    statuses: list[WorkloadStatus] = field(default_factory=list)


def _key(w: DesiredWorkload) -> str:
    return f"{w.org}/{w.name}@{w.version}"


class ClusterApplier:
    """Applies desired cluster workloads through a :class:`~edgeplane.agent.workloads.kubernetes_api.KubeApi`."""

    def __init__(
        self,
        api: kapi.KubeApi,
        ctx: manifests.ClusterContext,
        credentials: Callable[[DesiredWorkload], km.EssCredential],
        *,
        default_storage: StorageSpec | None = None,
        field_manager: str = FIELD_MANAGER,
    ) -> None:
        self._api = api
        self._ctx = ctx
        self._credentials = credentials
        self._default_storage = default_storage if default_storage is not None else StorageSpec()
        self._manager = field_manager

    def reconcile(self, workloads: Sequence[DesiredWorkload]) -> ReconcileResult:
        """Apply every desired cluster workload, prune the rest; one workload's failure does not stop others.

        Raises :class:`~edgeplane.agent.workloads.kubernetes_api.KubeError` only when the inventories cannot
        be read (then nothing was changed)."""
        desired = {manifests.workload_id(w, home_org=self._ctx.org): w for w in workloads if w.kind == "cluster"}
        known = self._inventories()
        result = ReconcileResult()
        for wid, workload in sorted(desired.items()):
            before = known[wid].refs if wid in known else []
            result.statuses.append(self._converge(wid, workload, before, result))
        for wid in sorted(set(known) - set(desired)):
            result.statuses.append(self._undeploy(wid, known[wid], result))
        return result

    def status(self, workloads: Sequence[DesiredWorkload]) -> list[WorkloadStatus]:
        """Read back each cluster workload's Deployments without applying anything."""
        out = []
        for w in workloads:
            if w.kind != "cluster":
                continue
            wid = manifests.workload_id(w, home_org=self._ctx.org)
            refs = [km.ObjectRef.of(m) for m in manifests.own_manifests(w, self._ctx, wid)]
            try:
                out.append(self._rollout(_key(w), wid, refs))
            except kapi.KubeError as e:
                out.append(WorkloadStatus(_key(w), wid, "failed", str(e), temporary=e.temporary))
        return out

    def _inventories(self) -> dict[str, km.Inventory]:
        found = self._api.list("v1", "ConfigMap", namespace=self._ctx.namespace,
                               selector=km.inventory_selector(self._ctx))
        out: dict[str, km.Inventory] = {}
        for obj in found:
            inv = km.read_inventory(obj)
            if inv is not None:
                out[inv.workload_id] = inv
        return out

    def _converge(
        self, wid: str, workload: DesiredWorkload, before: list[km.ObjectRef], result: ReconcileResult
    ) -> WorkloadStatus:
        try:
            objs = km.workload_objects(workload, self._ctx, self._credentials(workload),
                                       default_storage=self._default_storage)
            refs = [km.ObjectRef.of(o) for o in objs]
            # Record the union first: a crash between apply and prune still leaves every object findable.
            self._api.apply(km.inventory(workload, self._ctx, wid, before + refs), field_manager=self._manager)
            for obj in objs:
                self._api.apply(obj, field_manager=self._manager)
            result.applied.extend(refs)
            result.pruned.extend(self._prune(wid, sorted(set(before) - set(refs))))
            self._api.apply(km.inventory(workload, self._ctx, wid, refs), field_manager=self._manager)
            return self._rollout(_key(workload), wid, refs)
        except kapi.KubeError as e:
            return WorkloadStatus(_key(workload), wid, "failed", str(e), temporary=e.temporary)

    def _undeploy(self, wid: str, inv: km.Inventory, result: ReconcileResult) -> WorkloadStatus:
        try:
            result.pruned.extend(self._prune(wid, inv.refs))
            self._api.delete(km.ObjectRef("v1", "ConfigMap", self._ctx.namespace, km.inventory_name(wid)))
            return WorkloadStatus(inv.key, wid, "removed")
        except kapi.KubeError as e:
            return WorkloadStatus(inv.key, wid, "failed", str(e), temporary=e.temporary)

    def _prune(self, wid: str, refs: Sequence[km.ObjectRef]) -> list[km.ObjectRef]:
        """Delete those of ``refs`` that still carry this workload's owner labels, and nothing else."""
        selector = f"{manifests.node_selector(self._ctx)},{manifests.WORKLOAD_LABEL}={wid}"
        deleted = []
        group = lambda r: (r.api_version, r.kind, r.namespace)  # noqa: E731
        for (api_version, kind, ns), batch in itertools.groupby(sorted(refs, key=group), key=group):
            ours = {o["metadata"]["name"] for o in self._api.list(api_version, kind, namespace=ns or None,
                                                                  selector=selector)}
            for ref in batch:
                if ref.name in ours and self._api.delete(ref):
                    deleted.append(ref)
        return deleted

    def _rollout(self, key: str, wid: str, refs: Sequence[km.ObjectRef]) -> WorkloadStatus:
        deployments = []
        for ref in refs:
            if ref.kind == "Deployment" and ref.api_version == "apps/v1":
                st = self._api.deployment_status(ref.namespace, ref.name)
                deployments.append(st or kapi.DeploymentStatus(ref.name, ref.namespace, 1, 0, 0))
        waiting = [f"{d.name} {d.ready_replicas}/{d.replicas} ready" for d in deployments if not d.ready]
        state: ObjectState = "pending" if waiting else "running"
        return WorkloadStatus(key, wid, state, "; ".join(waiting), deployments=tuple(deployments))
