"""The V2 REST ASGI app: ``create_app(settings, *, deps=None)``.

Routes parse the body once (``tensors.decode``), hand it to ``server.InferenceServer.infer`` and encode
the answer (``responses.encode``). Every error is ``{"error": "<message>"}`` with the status its class
carries. Without ``deps`` the app builds its own server in the lifespan and, when ``settings.model_repo`` is
set, loads that repository; with ``deps`` the caller (the agent) owns the server and drives ``apply``.
"""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import edgeplane
from edgeplane.serving import errors, repository, responses, server, settings, tensors

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServingDeps:
    """Long-lived collaborators the caller owns; the app neither builds nor closes them."""

    server: server.InferenceServer


def _server(request: Request) -> server.InferenceServer:
    deps: ServingDeps = request.app.state.deps
    return deps.server


def _json(doc: Any, status: int = 200) -> Response:
    return Response(json.dumps(doc, separators=(",", ":")), status, media_type="application/json")


def _error(err: errors.ServingError | Exception) -> Response:
    if isinstance(err, errors.ServingError):
        return _json({"error": err.detail}, err.status)
    log.exception("unhandled error", exc_info=err)
    return _json({"error": f"internal error: {type(err).__name__}"}, 500)


async def server_metadata(request: Request) -> Response:
    version = getattr(edgeplane, "__version__", "0.1.0")
    return _json({"name": "edgeplane", "version": version, "extensions": ["binary_tensor_data"]})


async def live(request: Request) -> Response:
    return _json({"live": True})


async def ready(request: Request) -> Response:
    ok = _server(request).ready
    return _json({"ready": True} if ok else {"ready": False, "error": "not every model is ready"}, 200 if ok else 503)


def _model_version(request: Request) -> tuple[str, str | None]:
    params = request.path_params
    return params["model"], params.get("version")


async def model_metadata(request: Request) -> Response:
    srv = _server(request)
    model, version = _model_version(request)
    route = srv.route(model)
    route.authorize(request.headers.get(srv.settings.api_key_header))
    chosen = route.version(version) if version is not None else route.primary
    if chosen is None:
        raise errors.ModelUnavailable(f"model {model!r} has no version in service")
    doc = chosen.metadata()
    if version is None:
        doc["versions"] = sorted(route.versions)
    return _json(doc)


async def model_ready(request: Request) -> Response:
    srv = _server(request)
    model, version = _model_version(request)
    route = srv.route(model)
    ok = route.version(version) is not None if version is not None else route.ready
    doc = {"name": model, "ready": ok}
    return _json(doc if ok else doc | {"error": f"model {model!r} is not ready"}, 200 if ok else 503)


async def infer(request: Request) -> Response:
    srv = _server(request)
    model, version = _model_version(request)
    body = await _body(request, srv.settings.max_body_bytes)
    raw_len = request.headers.get(tensors.HEADER_LENGTH)
    try:
        header_length = None if raw_len is None else int(raw_len)
    except ValueError:
        raise errors.BadRequest(f"{tensors.HEADER_LENGTH} must be an integer") from None
    decoded = tensors.decode(body, header_length)
    chosen, outputs = await srv.infer(model, version, decoded, request.headers)
    encoded = responses.encode(model=model, version=chosen.version, outputs=outputs, request=decoded)
    if encoded.header_length is None:
        return Response(encoded.body, media_type="application/json")
    return Response(
        encoded.body,
        media_type="application/octet-stream",
        headers={"Inference-Header-Content-Length": str(encoded.header_length)},
    )


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise errors.BadRequest(f"request body of {declared} bytes exceeds the {limit}-byte limit")
    body = await request.body()
    encoding = request.headers.get("content-encoding", "").lower()
    try:
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
    except (OSError, zlib.error) as e:
        raise errors.BadRequest(f"cannot decode {encoding} body: {e}") from e
    return body


async def prometheus(request: Request) -> Response:
    return Response(generate_latest(_server(request).metrics.registry), media_type=CONTENT_TYPE_LATEST)


async def _on_error(request: Request, exc: Exception) -> Response:
    return _error(exc)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _json({"error": f"no route {request.method} {request.url.path}"}, getattr(exc, "status_code", 404))


def create_app(settings_: settings.ServingSettings, *, deps: ServingDeps | None = None) -> Starlette:
    """The V2 REST app. Pass ``deps`` to drive the server yourself (``deps.server.apply(...)``)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if deps is not None:
            yield
            return
        own = server.InferenceServer(settings_)
        app.state.deps = ServingDeps(server=own)
        if settings_.model_repo is not None:
            result = await own.apply(repository.scan(settings_.model_repo))
            for f in result.failures():
                log.error("%s@%s failed to load: %s", f.endpoint, f.version, f.error)
        try:
            yield
        finally:
            await own.aclose()

    m, mv = "/v2/models/{model}", "/v2/models/{model}/versions/{version}"
    routes = [
        Route("/v2", server_metadata),
        Route("/v2/health/live", live),
        Route("/v2/health/ready", ready),
        Route(m, model_metadata),
        Route(mv, model_metadata),
        Route(m + "/ready", model_ready),
        Route(mv + "/ready", model_ready),
        Route(m + "/infer", infer, methods=["POST"]),
        Route(mv + "/infer", infer, methods=["POST"]),
        Route("/metrics", prometheus),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={errors.ServingError: _on_error, Exception: _on_error, 404: _not_found, 405: _not_found},
    )
    if deps is not None:
        app.state.deps = deps
    return app
