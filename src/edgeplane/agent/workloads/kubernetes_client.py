""":class:`~edgeplane.agent.workloads.kubernetes_api.KubeApi` on the official ``kubernetes`` client.

The only module of the agent that imports ``kubernetes``. It uses the dynamic client, so any kind the
cluster serves (operators' CRDs included) can be applied; discovery tells plural names and scope. Calls are
synchronous (urllib3): an async caller runs them in a worker thread (``anyio.to_thread.run_sync``).
Every failure is translated to :class:`~edgeplane.agent.workloads.kubernetes_api.KubeError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import urllib3.exceptions
from kubernetes import client as kclient
from kubernetes import config as kconfig
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic import exceptions as kexc

from edgeplane.agent.workloads import kubernetes_api as kapi
from edgeplane.agent.workloads import kubernetes_manifests as km

_TEMPORARY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


def connect(*, kubeconfig: Path | None = None, context: str | None = None,
            discovery_cache: Path | None = None) -> DynamicKubeApi:
    """In-cluster config when running in a pod and no ``kubeconfig`` is given, else the kubeconfig.

    ``discovery_cache``: where discovery is cached (default: the temp dir, which a read-only root
    filesystem may not have)."""
    cfg = kclient.Configuration()
    try:
        if kubeconfig is None:
            try:
                kconfig.load_incluster_config(client_configuration=cfg)  # type: ignore[no-untyped-call]
            except kconfig.ConfigException:
                kconfig.load_kube_config(context=context, client_configuration=cfg)  # type: ignore[no-untyped-call]
        else:
            kconfig.load_kube_config(  # type: ignore[no-untyped-call]
                str(kubeconfig), context=context, client_configuration=cfg
            )
    except (kconfig.ConfigException, OSError) as e:
        raise kapi.KubeError(f"cannot load Kubernetes config: {e}", temporary=False,
                             hint="run in a pod with a service account, or pass --kubeconfig") from e
    return DynamicKubeApi(kclient.ApiClient(cfg), discovery_cache=discovery_cache)


@contextmanager
def _translated(what: str) -> Iterator[None]:
    try:
        yield
    except kexc.ResourceNotFoundError as e:
        raise kapi.KubeError(f"{what}: the cluster does not serve this kind ({e})", temporary=True,
                             hint="install the CRD or operator that defines it") from e
    except kclient.ApiException as e:
        temporary = e.status in _TEMPORARY_STATUS
        raise kapi.KubeError(f"{what}: HTTP {e.status} {e.reason}", temporary=temporary) from e
    except (urllib3.exceptions.HTTPError, OSError) as e:
        raise kapi.KubeError(f"{what}: {e}", temporary=True) from e


class DynamicKubeApi:
    """Talks to one API server. Discovery is done lazily on first use and cached in ``discovery_cache``."""

    def __init__(self, api_client: kclient.ApiClient, *, discovery_cache: Path | None = None) -> None:
        self._api_client = api_client
        self._cache = discovery_cache
        self._dynamic: DynamicClient | None = None

    def _client(self) -> DynamicClient:
        if self._dynamic is None:
            cache = str(self._cache) if self._cache is not None else None
            self._dynamic = DynamicClient(self._api_client, cache_file=cache)  # type: ignore[no-untyped-call]
        return self._dynamic

    def _resource(self, api_version: str, kind: str) -> Any:
        return self._client().resources.get(api_version=api_version, kind=kind)

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        with _translated(what):
            return fn()

    def apply(self, manifest: km.Manifest, *, field_manager: str) -> km.Manifest:
        ref = km.ObjectRef.of(manifest)

        def go() -> Any:
            res = self._resource(ref.api_version, ref.kind)
            ns = ref.namespace if res.namespaced else None
            return res.server_side_apply(body=manifest, name=ref.name, namespace=ns,
                                         field_manager=field_manager, force_conflicts=True)

        live: km.Manifest = self._call(f"apply {ref.kind} {ref.namespace}/{ref.name}", go).to_dict()
        return live

    def list(self, api_version: str, kind: str, *, namespace: str | None, selector: str) -> list[km.Manifest]:
        def go() -> Any:
            return self._resource(api_version, kind).get(namespace=namespace, label_selector=selector)

        found = self._call(f"list {kind} {namespace or '*'} {selector}", go).to_dict()
        items: list[km.Manifest] = found.get("items") or []
        return items

    def delete(self, ref: km.ObjectRef) -> bool:
        def go() -> Any:
            res = self._resource(ref.api_version, ref.kind)
            return res.delete(name=ref.name, namespace=ref.namespace if res.namespaced else None,
                              propagation_policy="Background")

        try:
            self._call(f"delete {ref.kind} {ref.namespace}/{ref.name}", go)
        except kapi.KubeError as e:
            if isinstance(e.__cause__, kexc.NotFoundError):
                return False
            raise
        return True

    def deployment_status(self, namespace: str, name: str) -> kapi.DeploymentStatus | None:
        def go() -> Any:
            return self._resource("apps/v1", "Deployment").get(name=name, namespace=namespace)

        try:
            obj: km.Manifest = self._call(f"read Deployment {namespace}/{name}", go).to_dict()
        except kapi.KubeError as e:
            if isinstance(e.__cause__, kexc.NotFoundError):
                return None
            raise
        status = obj.get("status") or {}
        return kapi.DeploymentStatus(
            name=name, namespace=namespace, replicas=int((obj.get("spec") or {}).get("replicas", 1)),
            ready_replicas=int(status.get("readyReplicas", 0)),
            updated_replicas=int(status.get("updatedReplicas", 0)),
        )

    def server_version(self) -> str:
        def go() -> Any:  # read fresh: discovery's cached copy would outlive a cluster upgrade
            return self._client().request("get", "/version", serializer=lambda _client, data: data)

        info = self._call("read /version", go)
        return str(info.get("gitVersion", "")) if isinstance(info, dict) else ""
