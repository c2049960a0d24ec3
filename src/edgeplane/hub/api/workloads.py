"""Workloads: immutable versions of what runs at the edge."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status
from starlette.responses import Response

from edgeplane.hub import deps
from edgeplane.hub.auth import Principal, principal
from edgeplane.hub.store import orgs, workloads
from edgeplane.schemas import workloads as wire

router = APIRouter(prefix="/api/v1/orgs/{org}/workloads", tags=["workloads"])


@router.post("", status_code=status.HTTP_201_CREATED)
def publish(
    org: str, body: wire.WorkloadCreate, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> wire.Workload:
    who.require(org, "publisher")
    with hub.placement.writing() as w:
        o = orgs.get(w.session, org)
        row = workloads.create(w.session, o, body)
        out = workloads.to_wire(row, org)
        w.apply(lambda e: e.upsert_workload(out))
    return out


@router.get("")
def list_workloads(
    org: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> list[wire.Workload]:
    who.require(org, "viewer")
    with hub.db.begin() as s:
        return [workloads.to_wire(r, org) for r in workloads.list_all(s, orgs.get(s, org))]


@router.get("/{name}/{version}")
def show(
    org: str, name: str, version: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> wire.Workload:
    who.require(org, "viewer")
    with hub.db.begin() as s:
        return workloads.to_wire(workloads.get(s, orgs.get(s, org), name, version), org)


@router.delete("/{name}/{version}", status_code=status.HTTP_204_NO_CONTENT)
def delete(
    org: str, name: str, version: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> Response:
    who.require(org, "publisher")
    with hub.placement.writing() as w:
        row = workloads.get(w.session, orgs.get(w.session, org), name, version)
        w.session.delete(row)
        w.apply(lambda e: e.remove_workload(org, name, version))
    return Response(status_code=204)
