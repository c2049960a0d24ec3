"""Orgs, users, API tokens and ``whoami``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status
from starlette.responses import Response

from edgeplane._kit.errors import InvalidInput, NotFound
from edgeplane.hub import deps
from edgeplane.hub.auth import Principal, principal
from edgeplane.hub.store import orgs, tokens
from edgeplane.schemas import auth
from edgeplane.schemas.auth import ROLE_RANK

router = APIRouter(prefix="/api/v1", tags=["orgs"])
SYSTEM_ORG = "default"


@router.get("/whoami")
def whoami(who: Principal = Depends(principal)) -> auth.WhoAmI:
    return auth.WhoAmI(org=who.org, role=who.role, user=who.user, node=who.node_id)


@router.get("/orgs")
def list_orgs(who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)) -> list[auth.Org]:
    with hub.db.begin() as s:
        rows = orgs.list_all(s) if who.org == SYSTEM_ORG and who.role == "admin" else [orgs.get(s, who.org)]
        return [orgs.to_wire(r) for r in rows]


@router.post("/orgs", status_code=status.HTTP_201_CREATED)
def create_org(
    body: auth.OrgCreate, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> auth.Org:
    who.require(SYSTEM_ORG, "admin")
    with hub.db.begin() as s:
        return orgs.to_wire(orgs.create(s, body))


@router.post("/orgs/{org}/users", status_code=status.HTTP_201_CREATED)
def create_user(
    org: str, body: auth.UserCreate, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> auth.User:
    with hub.db.begin() as s:
        row = orgs.get(s, org)
        who.require(org, "admin")
        return orgs.user_to_wire(orgs.create_user(s, row, body), row)


@router.get("/orgs/{org}/users")
def list_users(org: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)) -> list[auth.User]:
    with hub.db.begin() as s:
        row = orgs.get(s, org)
        who.require(org, "admin")
        return [orgs.user_to_wire(u, row) for u in orgs.list_users(s, row)]


@router.post("/orgs/{org}/tokens", status_code=status.HTTP_201_CREATED)
def create_token(
    org: str, body: auth.TokenCreate, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> auth.TokenCreated:
    with hub.db.begin() as s:
        row = orgs.get(s, org)
        # Anyone may mint a token for themselves up to their own role; admins may mint for any user.
        who.require(org, "admin" if body.user not in (None, who.user) else "viewer")
        if ROLE_RANK[body.role] > ROLE_RANK[who.role or "viewer"]:
            raise InvalidInput(
                f"cannot create a {body.role} token with a {who.role} token", field="role", hint="ask an org admin"
            )
        user = orgs.find_user(s, row, body.user or (who.user or ""))
        if body.user and user is None:
            raise NotFound(f"user {body.user!r} does not exist in org {org!r}", field="user")
        issued = tokens.issue(
            s,
            org_id=row.id,
            kind="api",
            role=body.role,
            user_id=user.id if user else None,
            description=body.description,
        )
        return auth.TokenCreated(
            id=issued.row.id, org=org, role=body.role, user=user.name if user else None, token=issued.secret
        )


@router.get("/orgs/{org}/tokens")
def list_tokens(
    org: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> list[auth.TokenInfo]:
    who.require(org, "admin")
    with hub.db.begin() as s:
        row = orgs.get(s, org)
        return [
            auth.TokenInfo(id=t.id, org=org, role=t.role, user=None, description=t.description, created_at=t.created_at)
            for t in tokens.list_for_org(s, row.id)
        ]


@router.delete("/orgs/{org}/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(
    org: str, token_id: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> Response:
    who.require(org, "admin")
    with hub.db.begin() as s:
        if not tokens.revoke(s, orgs.get(s, org).id, token_id):
            raise NotFound(f"token {token_id!r} does not exist", field="token_id")
    hub.tokens.clear()
    return Response(status_code=204)
