"""Typed, synchronous client of the hub REST API (httpx). Used by the CLI, the agent and the tests.

Usage::

    with HubClient("http://127.0.0.1:8480", token="epa_...") as hub:
        for m in hub.list_models("default"):
            print(m.name, m.versions)

Pass ``transport=`` (e.g. an in-process ASGI transport) to talk to an app without a socket.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from edgeplane.client import bulk, errors
from edgeplane.schemas import auth, desired, models, nodes, workloads
from edgeplane.schemas.policy import NodePolicy

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class HubClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.in_process = transport is not None
        self.http = httpx.Client(
            base_url=self.base_url, headers=headers, transport=transport, timeout=httpx.Timeout(timeout, connect=10.0)
        )

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    # -- plumbing ---------------------------------------------------------------------------------
    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.TransportError as e:
            raise errors.HubUnreachable(self.base_url, e) from e
        errors.raise_for(response)
        return response

    def _get(self, url: str, as_: type[M], **params: Any) -> M:
        return as_.model_validate(self.request("GET", url, params=params).json())

    def _list(self, url: str, item: type[M], **params: Any) -> list[M]:
        return TypeAdapter(list[item]).validate_python(self.request("GET", url, params=params).json())  # type: ignore[valid-type]

    def _post(self, url: str, body: BaseModel | None, as_: type[M]) -> M:
        payload = body.model_dump(mode="json", exclude_none=True) if body is not None else None
        return as_.model_validate(self.request("POST", url, json=payload).json())

    # -- identity, orgs, tokens -------------------------------------------------------------------
    def whoami(self) -> auth.WhoAmI:
        return self._get("/api/v1/whoami", auth.WhoAmI)

    def create_org(self, body: auth.OrgCreate) -> auth.Org:
        return self._post("/api/v1/orgs", body, auth.Org)

    def create_user(self, org: str, body: auth.UserCreate) -> auth.User:
        return self._post(f"/api/v1/orgs/{org}/users", body, auth.User)

    def create_token(self, org: str, body: auth.TokenCreate) -> auth.TokenCreated:
        return self._post(f"/api/v1/orgs/{org}/tokens", body, auth.TokenCreated)

    def list_tokens(self, org: str) -> list[auth.TokenInfo]:
        return self._list(f"/api/v1/orgs/{org}/tokens", auth.TokenInfo)

    # -- models -----------------------------------------------------------------------------------
    def list_models(self, org: str) -> list[models.Model]:
        return self._list(f"/api/v1/orgs/{org}/models", models.Model)

    def show_model(self, org: str, name: str) -> models.Model:
        return self._get(f"/api/v1/orgs/{org}/models/{name}", models.Model)

    def delete_model(self, org: str, name: str) -> None:
        self.request("DELETE", f"/api/v1/orgs/{org}/models/{name}")

    def create_version(self, org: str, name: str, body: models.VersionCreate) -> models.VersionUploadPlan:
        return self._post(f"/api/v1/orgs/{org}/models/{name}/versions", body, models.VersionUploadPlan)

    def list_versions(self, org: str, name: str, *, include_pending: bool = False) -> list[models.ModelVersion]:
        url = f"/api/v1/orgs/{org}/models/{name}/versions"
        return self._list(url, models.ModelVersion, include_pending=include_pending)

    def show_version(self, org: str, name: str, version: str) -> models.ModelVersion:
        return self._get(f"/api/v1/orgs/{org}/models/{name}/versions/{version}", models.ModelVersion)

    def commit_version(self, org: str, name: str, version: str) -> models.ModelVersion:
        return self._post(f"/api/v1/orgs/{org}/models/{name}/versions/{version}/commit", None, models.ModelVersion)

    def delete_version(self, org: str, name: str, version: str) -> None:
        self.request("DELETE", f"/api/v1/orgs/{org}/models/{name}/versions/{version}")

    # -- blobs ------------------------------------------------------------------------------------
    def upload_status(self, org: str, digest: str) -> models.UploadStatus:
        return self._get(f"/api/v1/orgs/{org}/blobs/{digest}/upload", models.UploadStatus)

    def upload_blob(self, org: str, digest: str, size: int, offset: int, body: Iterator[bytes]) -> models.UploadStatus:
        """Send bytes ``[offset, size)`` of a blob as one streamed PUT with a Content-Range."""
        headers = {
            "Content-Range": f"bytes {offset}-{size - 1}/{size}",
            "Content-Length": str(size - offset),
            "Content-Type": "application/octet-stream",
        }
        timeout = httpx.Timeout(60.0, connect=10.0, write=300.0)
        r = self.request("PUT", f"/api/v1/orgs/{org}/blobs/{digest}", content=body, headers=headers, timeout=timeout)
        return models.UploadStatus.model_validate(r.json())

    def upload_file(self, org: str, digest: str, size: int, offset: int, file: Path, *,
                    on_bytes: Callable[[int], None] | None = None,
                    throttle: Callable[[int], None] | None = None) -> models.UploadStatus:
        """Send bytes ``[offset, size)`` of ``file`` as a blob (zero-copy where possible)."""
        if self.in_process:
            return self.upload_blob(org, digest, size, offset, _chunks(file, offset, on_bytes, throttle))
        headers = {k: v for k, v in self.http.headers.items() if k.lower() == "authorization"}
        headers |= {"Content-Range": f"bytes {offset}-{size - 1}/{size}", "Content-Type": "application/octet-stream"}
        answer = bulk.upload(self.base_url, f"/api/v1/orgs/{org}/blobs/{digest}", headers, file, offset, size - offset,
                             timeout=max(self.timeout, 300.0), on_bytes=on_bytes, throttle=throttle)
        return models.UploadStatus.model_validate(answer)

    def download_blob(
        self,
        org: str,
        digest: str,
        out: BinaryIO,
        hasher: bulk.Hasher,
        *,
        offset: int = 0,
        on_bytes: Callable[[int], None] | None = None,
    ) -> int:
        """Stream a blob from ``offset`` into ``out`` at disk speed (see ``client.bulk``)."""
        if self.in_process:  # no socket to read from: stream through the transport instead
            return self._download_via_transport(org, digest, out, hasher, offset, on_bytes)
        headers = {k: v for k, v in self.http.headers.items() if k.lower() == "authorization"}
        return bulk.download(
            self.base_url,
            f"/api/v1/orgs/{org}/blobs/{digest}",
            headers,
            out,
            hasher,
            offset=offset,
            timeout=self.timeout,
            on_bytes=on_bytes,
        )

    def _download_via_transport(
        self,
        org: str,
        digest: str,
        out: BinaryIO,
        hasher: bulk.Hasher,
        offset: int,
        on_bytes: Callable[[int], None] | None,
    ) -> int:
        total = 0
        response = self.open_blob(org, digest, offset)
        try:
            for buf in response.iter_raw(64 * 1024):
                out.write(buf)
                hasher.update(buf)
                total += len(buf)
                if on_bytes is not None:
                    on_bytes(len(buf))
        finally:
            response.close()
        return total

    def open_blob(self, org: str, digest: str, offset: int = 0) -> httpx.Response:
        """A streaming response for the blob from ``offset`` (caller closes it)."""
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        request = self.http.build_request("GET", f"/api/v1/orgs/{org}/blobs/{digest}", headers=headers)
        try:
            response = self.http.send(request, stream=True)
        except httpx.TransportError as e:
            raise errors.HubUnreachable(self.base_url, e) from e
        if not response.is_success:
            response.read()
            response.close()
            errors.raise_for(response)
        return response

    # -- nodes ------------------------------------------------------------------------------------
    def create_registration_token(
        self, org: str, body: nodes.RegistrationTokenCreate
    ) -> nodes.RegistrationTokenCreated:
        return self._post(f"/api/v1/orgs/{org}/registration-tokens", body, nodes.RegistrationTokenCreated)

    def register_node(self, org: str, body: nodes.NodeRegister) -> nodes.NodeRegistered:
        return self._post(f"/api/v1/orgs/{org}/nodes/register", body, nodes.NodeRegistered)

    def list_nodes(self, org: str) -> list[nodes.NodeInfo]:
        return self._list(f"/api/v1/orgs/{org}/nodes", nodes.NodeInfo)

    def show_node(self, org: str, node: str) -> nodes.NodeInfo:
        return self._get(f"/api/v1/orgs/{org}/nodes/{node}", nodes.NodeInfo)

    def heartbeat(self, org: str, node_id: str, body: nodes.Heartbeat) -> None:
        self.request("POST", f"/api/v1/orgs/{org}/nodes/{node_id}/heartbeat", json=body.model_dump(mode="json"))

    def set_node_policy(self, org: str, node: str, policy: NodePolicy) -> nodes.NodeInfo:
        r = self.request(
            "PUT", f"/api/v1/orgs/{org}/nodes/{node}/policy", json=policy.model_dump(mode="json", exclude_none=True)
        )
        return nodes.NodeInfo.model_validate(r.json())

    def delete_node(self, org: str, node: str) -> None:
        self.request("DELETE", f"/api/v1/orgs/{org}/nodes/{node}")

    # -- workloads, policies, endpoints -----------------------------------------------------------
    def publish_workload(self, org: str, body: workloads.WorkloadCreate) -> workloads.Workload:
        return self._post(f"/api/v1/orgs/{org}/workloads", body, workloads.Workload)

    def list_workloads(self, org: str) -> list[workloads.Workload]:
        return self._list(f"/api/v1/orgs/{org}/workloads", workloads.Workload)

    def put_policy(self, org: str, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
        """Create or replace a policy of ``kind`` (deployment-policies, model-policies, endpoints)."""
        name = str(doc.get("name") or doc.get("label") or doc.get("objectID") or "")
        result: dict[str, Any] = self.request("PUT", f"/api/v1/orgs/{org}/{kind}/{name}", json=doc).json()
        return result

    def list_policies(self, org: str, kind: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.request("GET", f"/api/v1/orgs/{org}/{kind}").json()
        return result

    def show_policy(self, org: str, kind: str, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", f"/api/v1/orgs/{org}/{kind}/{name}").json()
        return result

    def delete_policy(self, org: str, kind: str, name: str) -> None:
        self.request("DELETE", f"/api/v1/orgs/{org}/{kind}/{name}")

    def check_policy(self, org: str, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", f"/api/v1/orgs/{org}/{kind}/check", json=doc).json()
        return result

    def explain(self, org: str, node: str, policy: str, kind: str | None = None) -> dict[str, Any]:
        params = {"policy": policy, **({"kind": kind} if kind else {})}
        result: dict[str, Any] = self.request("GET", f"/api/v1/orgs/{org}/nodes/{node}/explain", params=params).json()
        return result

    def node_desired(self, org: str, node: str) -> desired.DesiredState:
        return self._get(f"/api/v1/orgs/{org}/nodes/{node}/desired", desired.DesiredState)

    def node_status(self, org: str, node: str) -> list[desired.StatusEntry]:
        return self._list(f"/api/v1/orgs/{org}/nodes/{node}/status", desired.StatusEntry)

    def version_rollout(self, org: str, name: str, version: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request(
            "GET", f"/api/v1/orgs/{org}/models/{name}/versions/{version}/rollout"
        ).json()
        return result


def _chunks(file: Path, offset: int, on_bytes: Callable[[int], None] | None,
            throttle: Callable[[int], None] | None) -> Iterator[bytes]:
    with file.open("rb") as f:
        f.seek(offset)
        while buf := f.read(1024 * 1024):
            if throttle is not None:
                throttle(len(buf))
            if on_bytes is not None:
                on_bytes(len(buf))
            yield buf
