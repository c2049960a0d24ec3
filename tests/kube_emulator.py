"""An in-memory Kubernetes API (kmock) on 127.0.0.1, run in its own thread so that the synchronous official
client (the applier's tests) or another process (the cluster agent in e2e tests) can talk to it over HTTP.

Shared by tests/unit/agent/kubernetes (applier) and tests/e2e (cluster agent end to end).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import kmock
import yaml

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

    def __init__(self, emulator: Emulator, url: str, loop: asyncio.AbstractEventLoop) -> None:
        self.emulator = emulator
        self.url = url
        self._loop = loop

    def live(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        """``{(kind, namespace, name): object}`` of every object not deleted."""
        async def snapshot() -> dict[tuple[str, str, str], dict[str, Any]]:
            out = {}
            for (res, ns, name), obj in list(self.emulator.objects.items()):
                if not obj.deleted:
                    plural = f"{res.group + '/' if res.group else ''}{res.version}/{res.plural}"
                    out[(RESOURCES[plural], ns or "", name)] = dict(obj.raw)
            return out

        return self._on_loop(snapshot())

    def put(self, plural: str, manifest: dict[str, Any]) -> None:
        """Create or replace an object directly in the emulator (as another tool or a controller would)."""
        meta = manifest["metadata"]

        async def put() -> None:
            self.emulator.objects[kmock.resource(plural), meta.get("namespace"), meta["name"]] = manifest

        self._on_loop(put())

    def _on_loop(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def kubeconfig(self, path: Path) -> Path:
        """Write a kubeconfig that points at the emulator (plain HTTP, no auth) and return its path."""
        cfg = {"apiVersion": "v1", "kind": "Config", "current-context": "emu",
               "clusters": [{"name": "emu", "cluster": {"server": self.url}}],
               "users": [{"name": "emu", "user": {}}],
               "contexts": [{"name": "emu", "context": {"cluster": "emu", "user": "emu"}}]}
        path.write_text(yaml.safe_dump(cfg))
        return path


@contextmanager
def running() -> Iterator[Cluster]:
    """Start the emulator in a daemon thread; stop it on exit."""
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
        yield Cluster(box["emu"], box["url"], box["loop"])
    finally:
        box["loop"].call_soon_threadsafe(box["stop"].set)
        thread.join(10)
