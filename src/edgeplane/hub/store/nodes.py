"""Nodes: registration (with a registration token), policy, built-in properties, heartbeats."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from edgeplane._kit.clock import utcnow
from edgeplane.hub.store import errors, tokens
from edgeplane.hub.store.tables import NodeRow, OrgRow, TokenRow
from edgeplane.schemas import nodes as wire
from edgeplane.schemas.policy import NodePolicy, Property


def create_registration_token(session: Session, org: OrgRow, body: wire.RegistrationTokenCreate) -> tokens.Issued:
    return tokens.issue(
        session,
        org_id=org.id,
        kind="registration",
        description=body.description,
        uses_left=body.uses,
        expires_at=utcnow() + timedelta(hours=body.ttl_hours),
    )


def register(session: Session, org: OrgRow, reg: TokenRow, body: wire.NodeRegister) -> tuple[NodeRow, str]:
    """Create the node and its credential; consumes one use of the registration token."""
    if session.scalar(select(NodeRow).where(NodeRow.org_id == org.id, NodeRow.name == body.name)):
        raise errors.AlreadyExists(
            f"node {body.name!r} already exists in org {org.name!r}",
            field="name",
            hint="pick another --name, or unregister the old node first",
        )
    if reg.uses_left is not None:
        reg.uses_left -= 1
        if reg.uses_left <= 0:
            session.delete(reg)
    now = utcnow()
    row = NodeRow(
        id=secrets.token_hex(8),
        org_id=org.id,
        name=body.name,
        kind=body.kind,
        policy=body.policy.model_dump(mode="json", exclude_none=True),
        builtin=[p.model_dump(mode="json", exclude_none=True) for p in body.builtin],
        agent_version=body.agent_version,
        registered_at=now,
        last_seen=now,
    )
    session.add(row)
    session.flush()
    issued = tokens.issue(session, org_id=org.id, kind="node", node_id=row.id, description=f"node {body.name}")
    return row, issued.secret


def get(session: Session, org: OrgRow, ref: str) -> NodeRow:
    """A node by id or by name."""
    row = session.scalar(select(NodeRow).where(NodeRow.org_id == org.id, NodeRow.id == ref))
    row = row or session.scalar(select(NodeRow).where(NodeRow.org_id == org.id, NodeRow.name == ref))
    if row is None:
        raise errors.NodeNotFound(f"node {ref!r} does not exist in org {org.name!r}", field="node")
    return row


def list_nodes(session: Session, org: OrgRow) -> list[NodeRow]:
    return list(session.scalars(select(NodeRow).where(NodeRow.org_id == org.id).order_by(NodeRow.name)))


def heartbeat(session: Session, node: NodeRow, body: wire.Heartbeat) -> None:
    node.last_seen = utcnow()
    if body.agent_version:
        node.agent_version = body.agent_version
    if body.builtin is not None:
        node.builtin = [p.model_dump(mode="json", exclude_none=True) for p in body.builtin]


def set_policy(session: Session, node: NodeRow, policy: NodePolicy) -> None:
    node.policy = policy.model_dump(mode="json", exclude_none=True)


def delete(session: Session, node: NodeRow) -> None:
    tokens.revoke_node(session, node.id)
    session.delete(node)


def to_wire(row: NodeRow, org: OrgRow) -> wire.NodeInfo:
    return wire.NodeInfo(
        id=row.id,
        org=org.name,
        name=row.name,
        kind=row.kind,
        policy=NodePolicy.model_validate(row.policy),
        builtin=[Property.model_validate(p) for p in row.builtin],
        agent_version=row.agent_version,
        registered_at=row.registered_at,
        last_seen=row.last_seen,
    )
