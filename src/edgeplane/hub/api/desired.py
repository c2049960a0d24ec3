"""The agent side of the protocol: long-polled desired state and status deltas (docs/protocol.md)."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Depends, Query, status
from starlette.requests import Request
from starlette.responses import Response

from edgeplane.hub import deps
from edgeplane.hub import docs as docs_cache
from edgeplane.hub.auth import Principal, principal
from edgeplane.hub.store import desired, nodes, orgs
from edgeplane.hub.store import status as node_status
from edgeplane.hub.store.tables import NodeRow
from edgeplane.schemas import desired as wire

router = APIRouter(prefix="/api/v1/orgs/{org}/nodes/{node}", tags=["agents"])


def _node(hub: deps.Hub, who: Principal, org: str, node: str, *, write: bool = False) -> NodeRow:
    with hub.db.begin() as s:
        row = nodes.get(s, orgs.get(s, org), node)
    if who.kind == "node" or write:
        who.require_node(org, row.id)
    else:
        who.require(org, "viewer")
    return row


async def node_id_of(hub: deps.Hub, who: Principal, org: str, node: str, *, write: bool = False) -> str:
    """The node's id, authorised. A node asking about itself by id needs no database lookup."""
    if who.kind == "node" and who.node_id == node:
        who.require_node(org, node)
        return node
    row = await asyncio.to_thread(_node, hub, who, org, node, write=write)
    return row.id


async def current(hub: deps.Hub, org: str, node_id: str) -> docs_cache.Doc:
    """The node's desired document, from the process cache or the store."""
    doc = hub.docs.get(node_id)
    if doc is None:
        doc = await asyncio.to_thread(_load, hub, org, node_id)
        hub.docs.put(node_id, doc)
    return doc


def _load(hub: deps.Hub, org: str, node_id: str) -> docs_cache.Doc:
    with hub.db.begin() as s:
        row = desired.get(s, node_id)
        if row is not None:
            return docs_cache.make(row.doc)
    return docs_cache.make(wire.DesiredState(org=org, node_id=node_id, generation=0).model_dump(mode="json"))


@router.get("/desired", responses={200: {"model": wire.DesiredState}, 304: {"description": "no newer generation"}})
async def get_desired(
    org: str,
    node: str,
    after: int = Query(default=-1, ge=-1, description="answer only with a generation newer than this"),
    wait: float = Query(default=0, ge=0, le=3600, description="seconds to hold the request for a change"),
    *,
    request: Request,
    who: Principal = Depends(principal),
    hub: deps.Hub = Depends(deps.hub),
) -> Response:
    """The node's desired state; long-polls when ``after`` is the current generation."""
    node_id = await node_id_of(hub, who, org, node)
    deadline = time.monotonic() + min(wait, hub.settings.placement.max_wait)
    with hub.waiters.subscribe(node_id) as changed:
        while True:
            changed.clear()
            doc = await current(hub, org, node_id)
            if doc.generation > after:
                return Response(doc.body, media_type="application/json")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return Response(status_code=status.HTTP_304_NOT_MODIFIED)
            if not await _woken(changed, request, remaining):
                return Response(status_code=status.HTTP_304_NOT_MODIFIED)


async def _woken(changed: asyncio.Event, request: Request, timeout: float) -> bool:
    """Wait for a change; False on timeout or when the agent went away (its connection closed)."""
    wake = asyncio.ensure_future(changed.wait())
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        done, _ = await asyncio.wait({wake, gone}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (wake, gone):
            task.cancel()
    return wake in done


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


@router.post("/status", status_code=status.HTTP_204_NO_CONTENT)
async def post_status(
    org: str, node: str, body: wire.StatusReport, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> Response:
    node_id = await node_id_of(hub, who, org, node, write=True)
    await asyncio.to_thread(_apply_status, hub, node_id, body)
    return Response(status_code=204)


def _apply_status(hub: deps.Hub, node_id: str, body: wire.StatusReport) -> None:
    with hub.db.begin() as s:
        node_status.apply(s, node_id, body)


@router.get("/status")
def get_status(
    org: str, node: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> list[wire.StatusEntry]:
    row = _node(hub, who, org, node)
    with hub.db.begin() as s:
        return [node_status.to_wire(r) for r in node_status.for_node(s, row.id)]


@router.get("/explain")
def explain(
    org: str,
    node: str,
    policy: str = Query(min_length=1),
    kind: str | None = Query(default=None),
    who: Principal = Depends(principal),
    hub: deps.Hub = Depends(deps.hub),
) -> dict[str, object]:
    """Why the node does (or does not) get what ``policy`` places, term by term, both directions."""
    row = _node(hub, who, org, node)
    with hub.placement.reading() as engine:
        result = engine.explain(row.id, policy, kind)
    return {
        "node": row.name,
        "node_id": row.id,
        "policy": policy,
        "found": result.found,
        "placed": result.placed,
        "lines": result.lines(),
    }
