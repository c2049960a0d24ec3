"""The ESS-compatible object API as a Starlette app (``create_app``), Open Horizon's routes and codes.

Every request proves a workload with HTTP Basic (``<org>/<workload>:<token>``); anything else gets
``403 Unauthorized``. A workload only ever sees, reads and acks its own objects: another workload's
object is simply not found. Served by :mod:`edgeplane.agent.ess.serving` over TLS.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from edgeplane.agent import layout as paths
from edgeplane.agent.ess import auth, objects
from edgeplane.agent.settings import AgentSettings
from edgeplane.agent.state import db as statedb
from edgeplane.agent.state import routes, webhooks

Handler = Callable[[Request, objects.EssDeps, str], Awaitable[Response]]


def create_app(settings: AgentSettings, *, deps: objects.EssDeps | None = None) -> Starlette:
    """The ESS app. Without ``deps`` it opens the agent database in ``settings.data_dir``."""
    if deps is None:
        lay = paths.Layout(settings.data_dir)
        deps = objects.EssDeps(db=statedb.StateDb(lay.db), layout=lay, org=settings.org,
                               node_id=settings.node_id, arch=settings.arch)
    bound = deps

    def authed(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            workload = auth.workload_of(request.headers.get("authorization"), bound.db)
            if workload is None:
                return PlainTextResponse("Unauthorized", status_code=403)
            return await handler(request, bound, workload)
        return endpoint

    base = "/api/v1/objects/{type}"
    return Starlette(routes=[
        Route(base, authed(list_objects), methods=["GET"]),
        Route(base, authed(register_webhook), methods=["PUT"]),
        Route(base + "/{id}", authed(get_object), methods=["GET"]),
        Route(base + "/{id}/data", authed(get_data), methods=["GET"]),
        Route(base + "/{id}/{ack:str}", authed(put_ack), methods=["PUT"]),
    ])


async def list_objects(request: Request, deps: objects.EssDeps, workload: str) -> Response:
    include = request.query_params.get("received", "").lower() == "true"
    found = await objects.listing(deps, workload, request.path_params["type"], include_received=include)
    if not found:
        return Response(status_code=404)
    return JSONResponse(found)


async def get_object(request: Request, deps: objects.EssDeps, workload: str) -> Response:
    route = routes.get(deps.db, workload, request.path_params["type"], request.path_params["id"])
    if route is None:
        return PlainTextResponse("Object not found", status_code=404)
    return JSONResponse(await objects.describe(deps, route))


async def get_data(request: Request, deps: objects.EssDeps, workload: str) -> Response:
    route = routes.get(deps.db, workload, request.path_params["type"], request.path_params["id"])
    if route is None or route.deleted:
        return PlainTextResponse("Object not found", status_code=404)
    path = await objects.data_file(deps, route)
    return FileResponse(path, media_type="application/octet-stream",
                        headers={"X-Object-Version": route.version})


async def put_ack(request: Request, deps: objects.EssDeps, workload: str) -> Response:
    what = request.path_params["ack"]
    if what not in ("received", "consumed", "deleted"):
        return PlainTextResponse("Not found", status_code=404)
    try:
        route = routes.ack(deps.db, workload, request.path_params["type"], request.path_params["id"], what)
    except ValueError as e:
        return PlainTextResponse(f"Cannot mark the object {what}: {e}", status_code=409)
    if route is None:
        return PlainTextResponse("Object not found", status_code=404)
    if what == "deleted" and deps.on_deleted_ack is not None:
        deps.on_deleted_ack()
    return Response(status_code=204)


async def register_webhook(request: Request, deps: objects.EssDeps, workload: str) -> Response:
    try:
        body = json.loads(await request.body())
        action, url = body["action"], body["url"]
    except (ValueError, KeyError, TypeError):
        return PlainTextResponse('Expected {"action": "register"|"delete", "url": ...}', status_code=400)
    if action not in ("register", "delete") or not _http_url(url):
        return PlainTextResponse("Invalid webhook action or URL", status_code=400)
    otype = request.path_params["type"]
    if action == "register":
        webhooks.register(deps.db, workload, otype, url)
    else:
        webhooks.unregister(deps.db, workload, otype, url)
    return Response(status_code=204)


def _http_url(url: object) -> bool:
    if not isinstance(url, str) or len(url) > 2048:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
