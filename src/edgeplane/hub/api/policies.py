"""Deployment policies, model policies and inference endpoints: CRUD, dry-run ``check``.

Each write is validated three ways before anything is stored: the body's shape (pydantic), what it
names (the workload or model version must exist), and its constraint language (the placement engine
compiles it; a bad expression is a 422 naming the field and position). Then placement re-decides the
nodes it touches, in the same transaction.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, status
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from edgeplane._kit.errors import InvalidInput
from edgeplane.hub import deps
from edgeplane.hub.auth import Principal, principal
from edgeplane.hub.placement import engine as placement_engine
from edgeplane.hub.store import errors, models, nodes, orgs, policies, workloads
from edgeplane.hub.store.tables import OrgRow
from edgeplane.schemas import policies as wire

router = APIRouter(prefix="/api/v1/orgs/{org}", tags=["policies"])
PATHS = {"deployment": "deployment-policies", "model": "model-policies", "endpoint": "endpoints"}


def _parse(kind: str, org: str, body: dict[str, Any], name: str | None = None) -> policies.AnyPolicy:
    doc = {**body, "org": org}
    if name is not None:
        doc.setdefault("name", name)
    return policies.TYPES[kind].model_validate(doc)


def _check_refs(s: Session, o: OrgRow, p: policies.AnyPolicy) -> None:
    """A policy must name things that exist (in its own org; other orgs' workloads are not checked here)."""
    if isinstance(p, wire.DeploymentPolicy):
        ref = p.workload
        if ref.org in ("", o.name) and not workloads.versions(s, o, ref.name):
            raise InvalidInput(
                f"workload {ref.name!r} does not exist",
                field="workload.name",
                hint="publish it first with `edgeplane workload publish`",
            )
        return
    if isinstance(p, wire.ModelPolicy):
        for i, svc in enumerate(p.services):
            if svc.org in ("", o.name) and not workloads.versions(s, o, svc.name):
                raise InvalidInput(
                    f"workload {svc.name!r} does not exist",
                    field=f"services.{i}.name",
                    hint="publish the workload before routing models to it",
                )
        versions = {p.version}
    else:
        versions = set(p.traffic) | ({p.shadow.version} if p.shadow else set())
    model = models.find(s, o, p.model)
    ready = set(models.ready_versions(s, model)) if model else set()
    for v in sorted(versions - ready):
        raise InvalidInput(
            f"model {p.model}:{v} does not exist (or is not committed)",
            field="version",
            hint="push it first with `edgeplane model push`",
        )


def _put(hub: deps.Hub, kind: str, org: str, p: policies.AnyPolicy, *, create_only: bool) -> Response:
    with hub.placement.writing() as w:
        o = orgs.get(w.session, org)
        if create_only and policies.find(w.session, o, kind, p.name) is not None:
            raise errors.AlreadyExists(
                f"{kind} policy {p.name!r} already exists",
                field="name",
                hint="use PUT (`edgeplane policy apply`) to replace it",
            )
        _check_refs(w.session, o, p)
        _, created = policies.put(w.session, o, p)
        nodes_changed = w.apply(lambda e: e.upsert_policy(p))
    body = {
        "policy": p.model_dump(mode="json", exclude_none=True),
        "created": created,
        "nodes_changed": len(nodes_changed),
    }
    return JSONResponse(body, status_code=201 if created else 200)


def _routes(kind: str) -> None:
    base = f"/{PATHS[kind]}"

    @router.post(base, status_code=status.HTTP_201_CREATED, name=f"create_{kind}")
    def create(
        org: str,
        body: Annotated[dict[str, Any], Body()],
        who: Principal = Depends(principal),
        hub: deps.Hub = Depends(deps.hub),
    ) -> Response:
        who.require(org, "admin")
        return _put(hub, kind, org, _parse(kind, org, body), create_only=True)

    @router.put(base + "/{name}", name=f"put_{kind}")
    def put(
        org: str,
        name: str,
        body: Annotated[dict[str, Any], Body()],
        who: Principal = Depends(principal),
        hub: deps.Hub = Depends(deps.hub),
    ) -> Response:
        who.require(org, "admin")
        p = _parse(kind, org, body, name)
        if p.name != name:
            raise InvalidInput(f"body name {p.name!r} differs from URL name {name!r}", field="name")
        return _put(hub, kind, org, p, create_only=False)

    @router.get(base, name=f"list_{kind}")
    def list_(org: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)) -> list[dict[str, Any]]:
        who.require(org, "viewer")
        with hub.db.begin() as s:
            return [r.doc for r in policies.list_all(s, orgs.get(s, org), kind)]

    @router.get(base + "/{name}", name=f"show_{kind}")
    def show(
        org: str, name: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
    ) -> dict[str, Any]:
        who.require(org, "viewer")
        with hub.db.begin() as s:
            return policies.get(s, orgs.get(s, org), kind, name).doc

    @router.delete(base + "/{name}", status_code=status.HTTP_204_NO_CONTENT, name=f"delete_{kind}")
    def delete(org: str, name: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)) -> Response:
        who.require(org, "admin")
        with hub.placement.writing() as w:
            policies.delete(w.session, policies.get(w.session, orgs.get(w.session, org), kind, name))
            w.apply(lambda e: e.remove_policy(kind, org, name))
        return Response(status_code=204)

    @router.post(base + "/check", name=f"check_{kind}")
    def check(
        org: str,
        body: Annotated[dict[str, Any], Body()],
        who: Principal = Depends(principal),
        hub: deps.Hub = Depends(deps.hub),
    ) -> dict[str, Any]:
        """Dry run: which nodes the policy would match. Nothing is stored."""
        who.require(org, "viewer")
        p = _parse(kind, org, body)
        with hub.placement.reading() as engine:
            ids = engine.check(p)
        return {"policy": p.name, "count": len(ids), "nodes": _names(hub, org, ids, engine)}


def _names(hub: deps.Hub, org: str, ids: list[str], engine: placement_engine.Engine) -> list[str]:
    with hub.db.begin() as s:
        o = orgs.get(s, org)
        by_id = {n.id: n.name for n in nodes.list_nodes(s, o)}
    return [by_id.get(i, i) for i in ids]


for _kind in PATHS:
    _routes(_kind)
