"""Nodes: registration tokens, agent registration, listing, heartbeats, node policy."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status
from starlette.responses import Response

from edgeplane._kit.errors import Unauthorized
from edgeplane.hub import deps, placing
from edgeplane.hub.auth import Principal, principal
from edgeplane.hub.store import nodes, orgs, tokens
from edgeplane.schemas import nodes as wire
from edgeplane.schemas.policy import NodePolicy

router = APIRouter(prefix="/api/v1/orgs/{org}", tags=["nodes"])


@router.post("/registration-tokens", status_code=status.HTTP_201_CREATED)
def create_registration_token(
    org: str,
    body: wire.RegistrationTokenCreate,
    who: Principal = Depends(principal),
    hub: deps.Hub = Depends(deps.hub),
) -> wire.RegistrationTokenCreated:
    who.require(org, "admin")
    with hub.db.begin() as s:
        issued = nodes.create_registration_token(s, orgs.get(s, org), body)
        assert issued.row.expires_at is not None and issued.row.uses_left is not None
        return wire.RegistrationTokenCreated(
            id=issued.row.id, org=org, token=issued.secret, uses=issued.row.uses_left, expires_at=issued.row.expires_at
        )


@router.post("/nodes/register", status_code=status.HTTP_201_CREATED)
def register(org: str, body: wire.NodeRegister, hub: deps.Hub = Depends(deps.hub)) -> wire.NodeRegistered:
    """An agent registers with a registration token and receives its own node credential."""
    with hub.placement.writing() as w:
        s = w.session
        o = orgs.get(s, org)
        reg = tokens.resolve(s, body.registration_token)
        if reg is None or reg.kind != "registration" or reg.org_id != o.id:
            raise Unauthorized(
                "unknown, used-up or expired registration token",
                field="registration_token",
                hint="ask an admin for a new one: `edgeplane node token`",
            )
        row, credential = nodes.register(s, o, reg, body)
        w.apply(lambda e: e.upsert_node(placing.node_input(row, org)))
        return wire.NodeRegistered(node_id=row.id, org=org, name=row.name, credential=credential)


@router.get("/nodes")
def list_nodes(org: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)) -> list[wire.NodeInfo]:
    who.require(org, "viewer")
    with hub.db.begin() as s:
        o = orgs.get(s, org)
        return [nodes.to_wire(n, o) for n in nodes.list_nodes(s, o)]


@router.get("/nodes/{node}")
def show_node(
    org: str, node: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> wire.NodeInfo:
    with hub.db.begin() as s:
        o = orgs.get(s, org)
        row = nodes.get(s, o, node)
        who.require_node_or(org, row.id, "viewer")
        return nodes.to_wire(row, o)


@router.post("/nodes/{node}/heartbeat", status_code=status.HTTP_204_NO_CONTENT)
def heartbeat(
    org: str, node: str, body: wire.Heartbeat, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> Response:
    who.require_node(org, node)
    if body.builtin is None:
        with hub.db.begin() as s:
            nodes.heartbeat(s, nodes.get(s, orgs.get(s, org), node), body)
        return Response(status_code=204)
    with hub.placement.writing() as w:  # built-in properties can change placement
        row = nodes.get(w.session, orgs.get(w.session, org), node)
        before = row.builtin
        nodes.heartbeat(w.session, row, body)
        if row.builtin != before:
            w.apply(lambda e: e.upsert_node(placing.node_input(row, org)))
    return Response(status_code=204)


@router.put("/nodes/{node}/policy")
def set_policy(
    org: str, node: str, body: NodePolicy, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> wire.NodeInfo:
    """Replace the node's policy (properties/constraints). The node itself or an org admin may."""
    with hub.placement.writing() as w:
        o = orgs.get(w.session, org)
        row = nodes.get(w.session, o, node)
        who.require_node_or(org, row.id, "admin")
        nodes.set_policy(w.session, row, body)
        w.apply(lambda e: e.upsert_node(placing.node_input(row, org)))
        return nodes.to_wire(row, o)


@router.delete("/nodes/{node}", status_code=status.HTTP_204_NO_CONTENT)
def delete_node(
    org: str, node: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> Response:
    with hub.placement.writing() as w:
        o = orgs.get(w.session, org)
        row = nodes.get(w.session, o, node)
        who.require_node_or(org, row.id, "admin")
        node_id = row.id
        nodes.delete(w.session, row)
        w.apply(lambda e: e.remove_node(node_id))
    hub.tokens.clear()
    hub.docs.drop([node_id])
    return Response(status_code=204)
