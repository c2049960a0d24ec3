"""Typed async client of the node side of the hub protocol (``docs/protocol.md``), on ``httpx.AsyncClient``.

Who uses it: the agent's sync loops and the convergence benchmark. It registers, heartbeats, sets the
node policy, long-polls the desired state, reports status deltas, and is the agent's ``BlobSource``
(``open(digest, offset)`` streams a blob with ``Range``). It never retries: timing belongs to the
caller, which reads :class:`RetryLater` (429/503 with ``Retry-After``) and ``temporary`` on the errors.

Usage::

    async with NodeClient("http://hub:8480", org="default") as hub:
        reg = await hub.register(NodeRegister(registration_token=t, name="cam-1"))
        hub.authenticate(reg.node_id, reg.credential)
        state = await hub.desired(after=-1, wait=55)
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import httpx

from edgeplane.client import errors
from edgeplane.schemas.desired import DesiredState, StatusReport
from edgeplane.schemas.nodes import Heartbeat, NodeInfo, NodeRegister, NodeRegistered
from edgeplane.schemas.policy import NodePolicy

CHUNK_BYTES = 64 * 1024
MAX_WAIT_S = 300
PERMANENT_STATUS = frozenset({401, 403, 404, 410, 416, 422})


class RetryLater(errors.HubError):
    """The hub asked us to slow down (429/503); ``retry_after`` is in seconds (None: not given)."""

    code = "retry-later"
    status = 503

    def __init__(self, status: int, body: dict[str, Any], retry_after: float | None) -> None:
        super().__init__(status, body)
        self.retry_after = retry_after


class BlobRejected(errors.HubError):
    """The hub refused a blob for good (401/403/404/410/416/422): fetching it again will not help."""

    code = "blob-rejected"
    status = 403


class BlobUnavailable(errors.HubError):
    """The blob could not be served now (5xx, other codes): try again later."""

    code = "blob-unavailable"
    status = 503


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def temporary(e: BaseException) -> bool:
    """Whether retrying the same request later may succeed."""
    if isinstance(e, errors.HubError):
        return e.http_status not in PERMANENT_STATUS
    return isinstance(e, errors.HubUnreachable | httpx.TransportError)


class NodeClient:
    """One node's view of the hub. Call :meth:`authenticate` after registering (or with a stored
    credential) before anything but :meth:`register`."""

    def __init__(
        self,
        base_url: str,
        *,
        org: str,
        node_id: str = "",
        credential: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.org = org
        self.node_id = node_id
        self.timeout_s = timeout_s
        self.http = httpx.AsyncClient(
            base_url=self.base_url, transport=transport, timeout=httpx.Timeout(timeout_s, connect=10.0)
        )
        if credential:
            self.authenticate(node_id, credential)

    async def __aenter__(self) -> NodeClient:
        return self

    async def __aexit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    def authenticate(self, node_id: str, credential: str) -> None:
        self.node_id = node_id
        self.http.headers["Authorization"] = f"Bearer {credential}"

    def _url(self, tail: str) -> str:
        return f"/api/v1/orgs/{self.org}{tail}"

    def _node(self, tail: str = "") -> str:
        return self._url(f"/nodes/{self.node_id}{tail}")

    # -- plumbing ---------------------------------------------------------------------------------
    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self.http.request(method, url, **kwargs)
        except httpx.TransportError as e:
            raise errors.HubUnreachable(self.base_url, e) from e
        _raise_for(response)
        return response

    # -- the protocol -----------------------------------------------------------------------------
    async def register(self, body: NodeRegister) -> NodeRegistered:
        r = await self._request("POST", self._url("/nodes/register"), json=body.model_dump(mode="json"))
        return NodeRegistered.model_validate(r.json())

    async def heartbeat(self, body: Heartbeat) -> None:
        await self._request("POST", self._node("/heartbeat"), json=body.model_dump(mode="json"))

    async def set_policy(self, policy: NodePolicy) -> NodeInfo:
        r = await self._request("PUT", self._node("/policy"), json=policy.model_dump(mode="json", exclude_none=True))
        return NodeInfo.model_validate(r.json())

    async def show(self) -> NodeInfo:
        return NodeInfo.model_validate((await self._request("GET", self._node())).json())

    async def delete(self) -> None:
        await self._request("DELETE", self._node())

    async def desired(self, after: int = -1, wait: float = 0) -> DesiredState | None:
        """The desired state if its generation > ``after``; None when the hub held the poll until
        ``wait`` seconds passed without a change (304)."""
        wait = max(0.0, min(wait, MAX_WAIT_S))
        timeout = httpx.Timeout(self.timeout_s + wait, connect=10.0)
        params = {"after": after, "wait": int(wait) if wait == int(wait) else wait}
        r = await self._request("GET", self._node("/desired"), params=params, timeout=timeout)
        if r.status_code == 304:
            return None
        return DesiredState.model_validate(r.json())

    async def report_status(self, report: StatusReport) -> None:
        await self._request("POST", self._node("/status"), json=report.model_dump(mode="json"))

    # -- BlobSource -------------------------------------------------------------------------------
    async def open(self, digest: str, offset: int) -> AsyncIterator[bytes]:
        """Bytes of blob ``digest`` from ``offset`` to its end (the agent's ``BlobSource``)."""
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        request = self.http.build_request(
            "GET", self._url(f"/blobs/{digest}"), headers=headers, timeout=httpx.Timeout(self.timeout_s, connect=10.0)
        )
        try:
            response = await self.http.send(request, stream=True)
        except httpx.TransportError as e:
            raise errors.HubUnreachable(self.base_url, e) from e
        try:
            await _check_blob(response, offset)
            encoded = response.headers.get("content-encoding", "identity") != "identity"
            chunks = response.aiter_bytes(CHUNK_BYTES) if encoded else response.aiter_raw(CHUNK_BYTES)
            async for chunk in chunks:
                yield chunk
        finally:
            await response.aclose()


async def _check_blob(response: httpx.Response, offset: int) -> None:
    """Refuse an error answer, and a 200 to a ranged request (it would restart at byte 0)."""
    if response.status_code == 206 or (response.status_code == 200 and not offset):
        return
    await response.aread()
    if response.status_code == 200:
        raise BlobUnavailable(200, {"error": "range-ignored", "detail": "the hub ignored Range; sent the whole blob"})
    try:
        _raise_for(response)
    except RetryLater:
        raise
    except errors.HubError as e:
        cls = BlobRejected if e.http_status in PERMANENT_STATUS else BlobUnavailable
        raise cls(e.http_status, e.body) from e


def _raise_for(response: httpx.Response) -> None:
    if response.status_code in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        try:
            errors.raise_for(response)
        except errors.HubError as e:
            raise RetryLater(e.http_status, e.body, retry_after) from e
    if response.status_code == 304:
        return
    errors.raise_for(response)
