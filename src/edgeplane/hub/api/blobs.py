"""Blob upload (chunked, resumable, idempotent) and download (Range, digest headers).

Uploads are only accepted for digests that a version manifest of the org declares, so the hub knows
the size in advance and never stores anonymous bytes. The bytes go through the BlobStore writer,
which holds an exclusive lock and verifies the sha256 before publishing; all upload state lives in the
shared artifact directory, so a second hub replica can resume an upload the first one started.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

from fastapi import APIRouter, Depends, status
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse

from edgeplane._kit.errors import Forbidden, InvalidInput, NotFound
from edgeplane._kit.ids import Digest, check_digest
from edgeplane.artifacts.base import BlobWriter
from edgeplane.artifacts.digests import digest_header
from edgeplane.artifacts.errors import BlobNotFound, OffsetMismatch
from edgeplane.hub import deps
from edgeplane.hub.api import desired as desired_api
from edgeplane.hub.api import ranges
from edgeplane.hub.auth import Principal, principal
from edgeplane.hub.store import models, orgs
from edgeplane.schemas import models as wire

router = APIRouter(prefix="/api/v1/orgs/{org}/blobs", tags=["blobs"])


def _expected_size(hub: deps.Hub, org: str, digest: Digest) -> int:
    with hub.db.begin() as s:
        size = models.expected_size(s, orgs.get(s, org), digest)
    if size is None:
        raise NotFound(
            f"no model version of org {org!r} declares blob {digest}",
            field="digest",
            hint="create the version (POST .../models/{model}/versions) before uploading its files",
        )
    return size


@router.get("/{digest}/upload")
def upload_status(
    org: str, digest: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> wire.UploadStatus:
    """How many bytes of this blob the hub holds: resume the upload from there."""
    who.require(org, "publisher")
    d = check_digest(digest)
    size = _expected_size(hub, org, d)
    return wire.UploadStatus(sha256=d, size=size, received=hub.blobs.received(d), complete=hub.blobs.has(d))


@router.put("/{digest}", responses={201: {"model": wire.UploadStatus}, 202: {"model": wire.UploadStatus}})
async def upload(
    org: str, digest: str, request: Request, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> Response:
    who.require(org, "publisher")
    d = check_digest(digest)
    size = await asyncio.to_thread(_expected_size, hub, org, d)
    rng = ranges.content_range(request.headers.get("content-range"), size)
    writer = hub.blobs.writer(d, size)
    await asyncio.to_thread(writer.__enter__)
    try:
        if writer.offset >= size:  # already complete: idempotent, nothing to write
            return _status(d, size, size, True, status.HTTP_200_OK)
        if rng.start != writer.offset:
            raise OffsetMismatch(
                f"this chunk starts at byte {rng.start} but the hub holds {writer.offset} bytes",
                received=writer.offset,
                field="Content-Range",
            )
        await _receive(request, writer, rng, hub.settings.artifacts.write_buffer, hub)
        if writer.offset == size:
            await asyncio.to_thread(writer.commit)
            return _status(d, size, size, True, status.HTTP_201_CREATED)
        return _status(d, size, writer.offset, False, status.HTTP_202_ACCEPTED)
    finally:
        await asyncio.to_thread(writer.__exit__, None, None, None)


async def _receive(request: Request, writer: BlobWriter, rng: ranges.ByteRange, step: int, hub: deps.Hub) -> None:
    """Stream the body to disk; hashing+writing runs in a thread, overlapping the next network reads.
    On a client disconnect every byte received so far is still written, so the resume point is exact."""
    loop = asyncio.get_running_loop()
    inflight: asyncio.Future[None] | None = None
    parts: list[bytes] = []
    pending, limit, got = 0, rng.length, 0
    try:
        async for chunk in request.stream():
            got += len(chunk)
            if got > limit:
                raise InvalidInput(
                    f"body is longer than the {limit} bytes Content-Range announces",
                    field="Content-Range",
                    hint=ranges.HINT,
                )
            parts.append(chunk)
            pending += len(chunk)
            if pending >= step:
                if inflight is not None:
                    await inflight
                batch, parts, pending = parts, [], 0
                inflight = loop.run_in_executor(None, writer.write_parts, batch)
    except ClientDisconnect:
        pass
    finally:
        if inflight is not None:
            with contextlib.suppress(Exception):
                await inflight
        if parts:
            await asyncio.to_thread(writer.write_parts, parts)
        hub.metrics.bytes_in.inc(got)


def _status(d: str, size: int, received: int, complete: bool, code: int) -> Response:
    body = wire.UploadStatus(sha256=d, size=size, received=received, complete=complete)
    return JSONResponse(body.model_dump(mode="json"), status_code=code)


@router.get("/{digest}")
async def download(
    org: str, digest: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> Response:
    """A committed blob. Honours ``Range`` (206); sends ``ETag`` and ``Digest`` (sha-256). A node may fetch
    only what its desired state names (checked against the cached document: no database round-trip)."""
    who.require_org(org)
    d = check_digest(digest)
    if who.kind == "node":
        doc = await desired_api.current(hub, org, who.node_id or "")
        if d not in doc.digests:
            raise Forbidden(
                f"blob {d} is not in this node's desired state",
                field="digest",
                hint="a node may download only the model files assigned to it",
            )
    else:
        who.require(org, "viewer")
        await asyncio.to_thread(_expected_size, hub, org, d)  # the org must reference it: no probing
    return serve(hub, d)


router.add_api_route("/{digest}", download, methods=["HEAD"], include_in_schema=False)


def serve(hub: deps.Hub, d: Digest) -> Response:
    headers = {
        "ETag": f'"{d}"',
        "Digest": digest_header(d),
        "X-Content-SHA256": d,
        "Cache-Control": "private, max-age=31536000, immutable",
    }
    path = hub.blobs.local_path(d)
    if path is not None:
        hub.metrics.bytes_out.inc(path.stat().st_size)
        return FileResponse(path, media_type="application/octet-stream", headers=headers)
    if not hub.blobs.has(d):
        raise BlobNotFound(f"blob {d} is not uploaded yet", field="digest", hint="finish the upload first")
    return StreamingResponse(hub.blobs.read(d), media_type="application/octet-stream", headers=headers)


def collect_garbage(hub: deps.Hub, digests: Iterable[str]) -> None:
    """Delete blobs that no version of any org references any more."""
    for digest in set(digests):
        with hub.db.begin() as s:
            still = models.referenced(s, digest)
        if not still:
            hub.blobs.delete(Digest(digest))
