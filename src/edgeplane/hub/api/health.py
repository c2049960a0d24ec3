"""``/healthz`` (database reachable) and ``/metrics`` (Prometheus text format)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.responses import JSONResponse, Response

from edgeplane import __version__
from edgeplane.hub import deps

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(hub: deps.Hub = Depends(deps.hub)) -> Response:
    try:
        with hub.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # report, don't crash: this is what a probe wants to see
        return JSONResponse({"status": "unhealthy", "detail": f"database: {type(e).__name__}"}, status_code=503)
    return JSONResponse({"status": "ok", "version": __version__, "database": hub.db.engine.dialect.name})


@router.get("/metrics")
def metrics(hub: deps.Hub = Depends(deps.hub)) -> Response:
    return Response(generate_latest(hub.metrics.registry), media_type=CONTENT_TYPE_LATEST)
