"""An in-memory Kubernetes API (kmock) on 127.0.0.1, run in its own thread so the synchronous official
client can talk to it, plus a :class:`DynamicKubeApi` pointed at it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kmock
import pytest
from kubernetes import client as kclient

from edgeplane.agent.workloads import kubernetes_client

RESOURCES = {
    "v1/configmaps": "ConfigMap",
    "v1/secrets": "Secret",
    "v1/persistentvolumeclaims": "PersistentVolumeClaim",
    "v1/services": "Service",
    "v1/serviceaccounts": "ServiceAccount",
    "apps/v1/deployments": "Deployment",
}


class Emulator(kmock.KubernetesEmulator):
    """kmock plus the two API server behaviours the applier relies on: a server-side apply (PATCH with
    ``application/apply-patch+yaml``) creates a missing object, and ``labelSelector`` filters lists."""

    async def _handle(self, request: Any) -> Any:
        if request.action == kmock.action.UPDATE and request.resource is not None and request.name:
            key = (request.resource, request.namespace, request.name)
            applying = "apply-patch" in request.headers.get("Content-Type", "")
            if applying and (key not in self.objects or self.objects[key].deleted):
                self.objects[key] = request.data
        return await super()._handle(request)

    async def _serve_list(self, request: Any) -> Any:
        out = await super()._serve_list(request)
        terms = [t.split("=", 1) for t in request.params.get("labelSelector", "").split(",") if t]
        out["items"] = [
            o for o in out["items"]
            if all((o.get("metadata", {}).get("labels") or {}).get(k) == v for k, v in terms)
        ]
        out["kind"] = f"{self.resources[request.resource].kind}List"
        out["apiVersion"] = "v1"
        return out


class Cluster:
    """Handle on the running emulator: ``live()`` lists the objects that exist now."""

    def __init__(self, emulator: Emulator, url: str) -> None:
        self.emulator = emulator
        self.url = url

    def live(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        out = {}
        for (res, ns, name), obj in list(self.emulator.objects.items()):
            if not obj.deleted:
                plural = f"{res.group + '/' if res.group else ''}{res.version}/{res.plural}"
                out[(RESOURCES[plural], ns or "", name)] = dict(obj.raw)
        return out

    def put(self, plural: str, manifest: dict[str, Any]) -> None:
        """Create an object directly in the emulator (as another tool or a user would)."""
        meta = manifest["metadata"]
        self.emulator.objects[kmock.resource(plural), meta.get("namespace"), meta["name"]] = manifest


@pytest.fixture()
def cluster() -> Iterator[Cluster]:
    ready = threading.Event()
    box: dict[str, Any] = {}

    async def serve() -> None:
        stop = asyncio.Event()
        async with Emulator() as emu, kmock.Server(emu) as srv:
            for plural, kind in RESOURCES.items():
                emu.resources[plural] = kmock.ResourceInfo(kind=kind, namespaced=True)
            box.update(emu=emu, url=str(srv.url).rstrip("/"), loop=asyncio.get_running_loop(), stop=stop)
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield Cluster(box["emu"], box["url"])
    finally:
        box["loop"].call_soon_threadsafe(box["stop"].set)
        thread.join(10)


@pytest.fixture()
def api(cluster: Cluster, tmp_path: Path) -> kubernetes_client.DynamicKubeApi:
    cfg = kclient.Configuration()
    cfg.host = cluster.url
    return kubernetes_client.DynamicKubeApi(kclient.ApiClient(cfg), discovery_cache=tmp_path / "discovery.json")
