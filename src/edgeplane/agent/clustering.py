"""The cluster agent's glue: what ``edgeplane agent run --kind cluster`` does differently from a device.

Who calls it: the CLI (:func:`configure`, once, before settings are passed down) and
:mod:`edgeplane.agent.running` (:func:`builtin` at registration, :func:`start` for the runner the converger
uses for cluster workloads). A cluster agent

- serves the ESS over TLS on TCP (``0.0.0.0:8443`` unless set), with the certificate's SANs covering the
  Service ``agent-service`` in its namespace (plus ``localhost``/``127.0.0.1`` for port-forwards and tests);
- reports ``openhorizon.kubernetesVersion`` (read from the API server), ``openhorizon.arch`` and
  ``openhorizon.kubernetesNamespace``;
- applies its cluster workloads with :class:`~edgeplane.agent.workloads.kubernetes.ClusterApplier`, giving
  each the ESS credential and CA as Secrets, and re-applies every ``cluster.resync_s`` (drift, API errors and
  Deployment rollout are all handled by the same level-triggered pass).

Models stay in the data dir (on the PVC the install manifests mount) and are served by the ESS as on a
device. Kubernetes is only reached through :class:`~edgeplane.agent.workloads.kubernetes_api.KubeApi`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import anyio
import anyio.abc
import anyio.to_thread

from edgeplane.agent.settings import AgentSettings
from edgeplane.agent.state import credentials, status
from edgeplane.agent.state import db as statedb
from edgeplane.agent.workloads import env, kubernetes
from edgeplane.agent.workloads import kubernetes_api as kapi
from edgeplane.agent.workloads import kubernetes_manifests as km
from edgeplane.gitops import manifests
from edgeplane.schemas.desired import DesiredWorkload
from edgeplane.schemas.policy import Property
from edgeplane.schemas.workloads import StorageSpec

log = logging.getLogger(__name__)
SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
DEFAULT_HOST = "0.0.0.0"  # the Service in front of the pod must reach it


def cert_sans(namespace: str) -> list[str]:
    """The DNS names (and loopback address) the ESS certificate must cover in ``namespace``."""
    svc = manifests.ESS_SERVICE
    return [svc, f"{svc}.{namespace}.svc", f"{svc}.{namespace}.svc.cluster.local", "localhost", "127.0.0.1"]


def configure(settings: AgentSettings, *, sa_namespace: Path = SERVICE_ACCOUNT_NAMESPACE) -> AgentSettings:
    """Cluster defaults for a ``kind=cluster`` agent (other kinds are returned unchanged): the namespace
    (setting, else the pod's service account namespace, else ``default``), ESS over TCP, the SANs."""
    if settings.kind != "cluster":
        return settings
    namespace = settings.namespace or _read(sa_namespace) or "default"
    sans = [*settings.ess.cert_sans, *(s for s in cert_sans(namespace) if s not in settings.ess.cert_sans)]
    ess = settings.ess.model_copy(update={"host": settings.ess.host or DEFAULT_HOST, "cert_sans": sans})
    return settings.model_copy(update={"namespace": namespace, "ess": ess})


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def connect(settings: AgentSettings) -> kapi.KubeApi:
    """The Kubernetes API of this cluster (in-cluster service account, or ``cluster.kubeconfig``)."""
    # Imported here: the official client (the k8s extra) is only needed by cluster agents; a device's
    # light install must be able to import this module.
    from edgeplane.agent.workloads import kubernetes_client

    return kubernetes_client.connect(
        kubeconfig=settings.cluster.kubeconfig,
        context=settings.cluster.context,
        discovery_cache=settings.data_dir / "kube-discovery.json",
    )


async def builtin(settings: AgentSettings, api: kapi.KubeApi) -> list[Property]:
    """A cluster node's ``openhorizon.*`` properties; the version is read from the API server's /version."""
    version = await anyio.to_thread.run_sync(api.server_version)
    return [
        Property(name="openhorizon.arch", value=settings.arch or env.detect_arch(), type="string"),
        Property(name="openhorizon.kubernetesVersion", value=version, type="string"),
        Property(name="openhorizon.kubernetesNamespace", value=settings.namespace, type="string"),
    ]


class ClusterRunner:
    """Keeps the cluster holding exactly the desired cluster workloads; reports their status."""

    def __init__(self, applier: kubernetes.ClusterApplier, db: statedb.StateDb, resync_s: float) -> None:
        self._applier, self._db, self._resync_s = applier, db, resync_s
        self._wanted: list[DesiredWorkload] | None = None
        self._lock = anyio.Lock()

    async def reconcile(self, workloads: Sequence[DesiredWorkload]) -> None:
        """Apply ``workloads`` (non-cluster ones are ignored), prune the rest, record each status."""
        self._wanted = [w for w in workloads if w.kind == "cluster"]
        await self._pass(self._wanted)

    async def run(self) -> None:
        """Re-apply the last desired workloads every ``resync_s`` (level-triggered; idempotent)."""
        while True:
            await anyio.sleep(self._resync_s)
            if self._wanted is not None:
                await self._pass(self._wanted)

    async def _pass(self, wanted: list[DesiredWorkload]) -> None:
        async with self._lock:
            try:
                result = await anyio.to_thread.run_sync(self._applier.reconcile, wanted)
            except kapi.KubeError as e:
                log.warning("cannot read the cluster's inventories (%s); retrying in %.0fs", e, self._resync_s)
                return
        for st in result.statuses:
            status.put(self._db, "workload", st.key, st.state, detail(st))
        if result.applied or result.pruned:
            log.debug("applied %d, pruned %d objects", len(result.applied), len(result.pruned))


def detail(st: kubernetes.WorkloadStatus) -> str:
    """The status detail the hub sees: the error, else each Deployment's ``name ready/wanted ready``."""
    rollout = "; ".join(f"{d.name} {d.ready_replicas}/{d.replicas} ready" for d in st.deployments)
    if st.state == "failed":
        return f"{st.detail} ({'will retry' if st.temporary else 'permanent'})"
    return rollout or st.detail


def credential_of(db: statedb.StateDb, ca_cert: Path) -> Callable[[DesiredWorkload], km.EssCredential]:
    """What the applier puts in a workload's Secrets: its auth.json (the per-workload ESS token) and CA."""

    def of(w: DesiredWorkload) -> km.EssCredential:
        wid = f"{w.org}/{w.name}"
        token = credentials.ensure(db, wid, w.version)
        auth = json.dumps({"id": wid, "token": token, "version": w.version})
        return km.EssCredential(auth_json=auth, ca_pem=ca_cert.read_text())

    return of


def start(
    settings: AgentSettings,
    db: statedb.StateDb,
    ca_cert: Path,
    task_group: anyio.abc.TaskGroup,
    api: kapi.KubeApi | None = None,
) -> ClusterRunner:
    """Build the runner for this cluster node and start its resync loop in ``task_group``."""
    ctx = manifests.ClusterContext(
        node_id=settings.node_id, org=settings.org, namespace=settings.namespace, arch=settings.arch
    )
    storage = StorageSpec(size=settings.cluster.storage_size, storage_class=settings.cluster.storage_class)
    applier = kubernetes.ClusterApplier(
        api or connect(settings), ctx, credential_of(db, ca_cert), default_storage=storage
    )
    runner = ClusterRunner(applier, db, settings.cluster.resync_s)
    task_group.start_soon(runner.run)
    return runner
