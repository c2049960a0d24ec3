"""Map every error to the one JSON shape ``{"error", "detail", "field", "hint"}`` and count requests."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edgeplane._kit.errors import Error
from edgeplane.hub.metrics import HubMetrics

log = logging.getLogger("edgeplane.hub")


def _body(code: str, detail: str, field: str | None = None, hint: str | None = None) -> dict[str, str]:
    body = {"error": code, "detail": detail}
    if field:
        body["field"] = field
    if hint:
        body["hint"] = hint
    return body


async def on_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Error)
    return JSONResponse(exc.to_dict(), status_code=exc.status)


async def on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body",)]
    field = ".".join(loc) or "body"
    msg = str(first.get("msg", "invalid"))
    if first.get("type") == "json_invalid" or (first.get("type") == "missing" and not loc):
        return JSONResponse(
            _body(
                "malformed-body",
                f"the request body is not valid JSON: {msg}",
                "body",
                "send a JSON object as described in /openapi.json",
            ),
            status_code=400,
        )
    hint = "see the schema in /openapi.json"
    return JSONResponse(_body("invalid-input", f"{field}: {msg}", field, hint), status_code=422)


async def on_model_error(request: Request, exc: Exception) -> Response:
    """A pydantic model built inside a handler (not the request body) refused its input."""
    assert isinstance(exc, ValidationError)
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or None
    return JSONResponse(
        _body("invalid-input", f"{field}: {first.get('msg')}", field, "see /openapi.json"), status_code=422
    )


async def on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    return JSONResponse(_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(
        _body("internal-error", "the hub failed to handle this request", hint="see the hub log; retry later"),
        status_code=500,
    )


def install(app: FastAPI, metrics: HubMetrics) -> None:
    app.add_exception_handler(Error, on_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ValidationError, on_model_error)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
    app.add_middleware(RequestMetrics, metrics=metrics)


class RequestMetrics:
    """Pure ASGI middleware (no body buffering, so multi-GB streams and ``pathsend`` pass through)."""

    def __init__(self, app: ASGIApp, metrics: HubMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.requests.labels(scope["method"], path, str(status)).inc()
            self.metrics.latency.labels(path).observe(time.perf_counter() - start)
