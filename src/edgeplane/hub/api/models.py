"""Model registry: models, versions (pending until committed), and file downloads by path."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, status
from starlette.responses import JSONResponse, Response

from edgeplane._kit.ids import check_digest, check_name
from edgeplane.hub import deps
from edgeplane.hub.api import blobs as blob_api
from edgeplane.hub.auth import Principal, principal
from edgeplane.hub.store import desired, errors, models, orgs
from edgeplane.hub.store import status as node_status
from edgeplane.schemas import models as wire

router = APIRouter(prefix="/api/v1/orgs/{org}/models", tags=["models"])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_model(
    org: str, body: wire.ModelCreate, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> wire.Model:
    who.require(org, "publisher")
    with hub.db.begin() as s:
        o = orgs.get(s, org)
        return models.model_to_wire(s, o, models.create(s, o, body))


@router.get("")
def list_models(org: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)) -> list[wire.Model]:
    who.require(org, "viewer")
    with hub.db.begin() as s:
        o = orgs.get(s, org)
        return [models.model_to_wire(s, o, m) for m in models.list_models(s, o)]


@router.get("/{model}")
def show_model(
    org: str, model: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> wire.Model:
    who.require(org, "viewer")
    with hub.db.begin() as s:
        o = orgs.get(s, org)
        return models.model_to_wire(s, o, models.get(s, o, model))


@router.delete("/{model}", status_code=status.HTTP_204_NO_CONTENT)
def delete_model(
    org: str, model: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> Response:
    who.require(org, "publisher")
    with hub.placement.writing() as w:
        o = orgs.get(w.session, org)
        m = models.get(w.session, o, model)
        versions = models.ready_versions(w.session, m)
        digests = models.delete_model(w.session, m)
        w.apply(lambda e: set().union(*(e.remove_model_version(org, model, v) for v in versions)))
    blob_api.collect_garbage(hub, digests)
    return Response(status_code=204)


@router.post("/{model}/versions", status_code=status.HTTP_201_CREATED, response_model=wire.VersionUploadPlan)
def create_version(
    org: str,
    model: str,
    body: wire.VersionCreate,
    who: Principal = Depends(principal),
    hub: deps.Hub = Depends(deps.hub),
) -> Response:
    """Declare a version and its manifest. Answers which blobs are still missing (and how many bytes of
    each the hub already holds). Re-sending the same manifest of a pending version resumes it."""
    who.require(org, "publisher")
    with hub.db.begin() as s:
        o = orgs.get(s, org)
        m = models.find(s, o, model) or models.create(s, o, wire.ModelCreate(name=check_name(model, field="model")))
        row, created = models.create_version(s, m, body)
        plan = wire.VersionUploadPlan(version=models.to_wire(s, o, m, row), missing=_missing(hub, body.files))
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return JSONResponse(plan.model_dump(mode="json"), status_code=code)


def _missing(hub: deps.Hub, files: list[wire.FileEntry]) -> list[wire.MissingBlob]:
    seen: dict[str, wire.MissingBlob] = {}
    for f in files:
        digest = check_digest(f.sha256)
        if f.sha256 not in seen and not hub.blobs.has(digest):
            seen[f.sha256] = wire.MissingBlob(sha256=f.sha256, size=f.size, received=hub.blobs.received(digest))
    return list(seen.values())


@router.get("/{model}/versions")
def list_versions(
    org: str,
    model: str,
    include_pending: bool = Query(default=False),
    who: Principal = Depends(principal),
    hub: deps.Hub = Depends(deps.hub),
) -> list[wire.ModelVersion]:
    who.require(org, "viewer")
    with hub.db.begin() as s:
        o = orgs.get(s, org)
        m = models.get(s, o, model)
        return [models.to_wire(s, o, m, r) for r in models.list_versions(s, m, include_pending=include_pending)]


@router.get("/{model}/versions/{version}")
def show_version(
    org: str,
    model: str,
    version: str,
    include_pending: bool = Query(default=False),
    who: Principal = Depends(principal),
    hub: deps.Hub = Depends(deps.hub),
) -> wire.ModelVersion:
    who.require(org, "viewer")
    with hub.db.begin() as s:
        o = orgs.get(s, org)
        m = models.get(s, o, model)
        return models.to_wire(s, o, m, models.get_version(s, m, version, include_pending=include_pending))


@router.post("/{model}/versions/{version}/commit")
def commit_version(
    org: str, model: str, version: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> wire.ModelVersion:
    """Make a pending version visible, once every blob is stored and verified. Idempotent."""
    who.require(org, "publisher")
    with hub.placement.writing() as w:
        s = w.session
        o = orgs.get(s, org)
        m = models.get(s, o, model)
        row = models.get_version(s, m, version, include_pending=True)
        if row.state == "ready":
            return models.to_wire(s, o, m, row)
        _require_complete(hub, model, version, models.file_entries(s, row))
        models.commit(s, row)
        hub.metrics.versions_committed.inc()
        out = models.to_wire(s, o, m, row)
        w.apply(lambda e: e.upsert_model_version(out))
        return out


def _require_complete(hub: deps.Hub, model: str, version: str, files: list[wire.FileEntry]) -> None:
    missing = _missing(hub, files)
    if missing:
        raise errors.VersionIncomplete(
            f"{len(missing)} file(s) of {model}:{version} are not uploaded yet "
            f"(first: sha256 {missing[0].sha256}, {missing[0].received}/{missing[0].size} bytes)",
            field="files",
            hint="upload the missing blobs (edgeplane model push resumes), then commit",
        )


@router.delete("/{model}/versions/{version}", status_code=status.HTTP_204_NO_CONTENT)
def delete_version(
    org: str, model: str, version: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> Response:
    who.require(org, "publisher")
    with hub.placement.writing() as w:
        o = orgs.get(w.session, org)
        m = models.get(w.session, o, model)
        digests = models.delete_version(w.session, models.get_version(w.session, m, version, include_pending=True))
        w.apply(lambda e: e.remove_model_version(org, model, version))
    blob_api.collect_garbage(hub, digests)
    return Response(status_code=204)


@router.get("/{model}/versions/{version}/files/{path:path}")
def download_file(
    org: str,
    model: str,
    version: str,
    path: str,
    who: Principal = Depends(principal),
    hub: deps.Hub = Depends(deps.hub),
) -> Response:
    who.require(org, "viewer")
    with hub.db.begin() as s:
        o = orgs.get(s, org)
        m = models.get(s, o, model)
        row = models.get_version(s, m, version)
        match = [f for f in models.files(s, row) if f.path == path]
        if not match:
            raise errors.VersionNotFound(f"{model}:{version} has no file {path!r}", field="path")
    return blob_api.serve(hub, check_digest(match[0].sha256))


@router.get("/{model}/versions/{version}/rollout")
def rollout(
    org: str, model: str, version: str, who: Principal = Depends(principal), hub: deps.Hub = Depends(deps.hub)
) -> dict[str, object]:
    """Where a version is: on how many nodes it is desired, and how many report each state."""
    who.require(org, "viewer")
    key = f"{org}/{model}@{version}"
    with hub.db.begin() as s:
        models.get_version(s, models.get(s, orgs.get(s, org), model), version)
        wanting = desired.nodes_wanting(s, key)
        states = node_status.states_of(s, "model", key, wanting)
    return {
        "model": model,
        "version": version,
        "desired_on": len(wanting),
        "active_on": states.get("active", 0),
        "states": states,
    }
