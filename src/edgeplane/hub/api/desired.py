"""The agent side of the protocol: long-polled desired state and status deltas (docs/protocol.md)."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Depends, Query, status
from starlette.responses import JSONResponse, Response

from edgeplane.hub import deps
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


def _read(hub: deps.Hub, org: str, node_id: str) -> wire.DesiredState:
    with hub.db.begin() as s:
        row = desired.get(s, node_id)
        return desired.to_wire(row) if row else wire.DesiredState(org=org, node_id=node_id, generation=0)


@router.get("/desired", responses={200: {"model": wire.DesiredState}, 304: {"description": "no newer generation"}})
async def get_desired(
    org: str,
    node: str,
    after: int = Query(default=-1, ge=-1, description="answer only with a generation newer than this"),
    wait: float = Query(default=0, ge=0, le=3600, description="seconds to hold the request for a change"),
    who: Principal = Depends(principal),
    hub: deps.Hub = Depends(deps.hub),
) -> Response:
    """The node's desired state; long-polls when ``after`` is the current generation."""
    row = await asyncio.to_thread(_node, hub, who, org, node)
    deadline = time.monotonic() + min(wait, hub.settings.placement.max_wait)
    with hub.waiters.subscribe(row.id) as changed:
        while True:
            changed.clear()
            doc = await asyncio.to_thread(_read, hub, org, row.id)
            if doc.generation > after:
                return JSONResponse(doc.model_dump(mode="json"))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return Response(status_code=status.HTTP_304_NOT_MODIFIED)
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                return Response(status_code=status.HTTP_304_NOT_MODIFIED)


@router.post("/status", status_code=status.HTTP_204_NO_CONTENT)
def post_status(
    org: str, node: str, body: wire.StatusReport, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> Response:
    row = _node(hub, who, org, node, write=True)
    with hub.db.begin() as s:
        node_status.apply(s, row.id, body)
    return Response(status_code=204)


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
