"""A small in-process Starlette fake of the node side of docs/protocol.md, for client and loop tests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

CREDENTIAL = "node-secret-credential"
TOKEN = "reg-token-123"


@dataclass
class FakeHub:
    """Records requests; ``answers`` queues (status, headers) overrides for the next requests."""

    generation: int = 0
    blobs: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    policy: dict[str, Any] = field(default_factory=dict)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def add_blob(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return digest

    def app(self) -> Starlette:
        base = "/api/v1/orgs/{org}"
        return Starlette(routes=[
            Route(base + "/nodes/register", self.register, methods=["POST"]),
            Route(base + "/nodes/{node}/heartbeat", self.heartbeat, methods=["POST"]),
            Route(base + "/nodes/{node}/policy", self.set_policy, methods=["PUT"]),
            Route(base + "/nodes/{node}/desired", self.desired, methods=["GET"]),
            Route(base + "/nodes/{node}/status", self.status, methods=["POST"]),
            Route(base + "/nodes/{node}", self.delete, methods=["DELETE"]),
            Route(base + "/blobs/{digest}", self.blob, methods=["GET"]),
        ])

    def _pre(self, request: Request, *, auth: bool = True) -> Response | None:
        self.requests.append((request.method, request.url.path + ("?" + request.url.query if request.url.query
                                                                    else ""), dict(request.headers)))
        if self.answers:
            code, headers = self.answers.pop(0)
            return JSONResponse({"error": "overloaded", "detail": f"HTTP {code}"}, status_code=code, headers=headers)
        if auth and request.headers.get("authorization") != f"Bearer {CREDENTIAL}":
            return JSONResponse({"error": "unauthorized", "detail": "bad credential"}, status_code=401)
        return None

    async def register(self, request: Request) -> Response:
        if (early := self._pre(request, auth=False)) is not None:
            return early
        body = json.loads(await request.body())
        if body["registration_token"] != TOKEN:
            return JSONResponse({"error": "unauthorized", "detail": "unknown token"}, status_code=401)
        self.policy = body["policy"]
        return JSONResponse({"node_id": "n-1", "org": request.path_params["org"], "name": body["name"],
                             "credential": CREDENTIAL}, status_code=201)

    async def heartbeat(self, request: Request) -> Response:
        return self._pre(request) or Response(status_code=204)

    async def set_policy(self, request: Request) -> Response:
        if (early := self._pre(request)) is not None:
            return early
        self.policy = json.loads(await request.body())
        return JSONResponse({"id": "n-1", "org": "acme", "name": "cam", "kind": "device", "policy": self.policy,
                             "builtin": [], "agent_version": "", "registered_at": "2025-01-01T00:00:00Z",
                             "last_seen": None})

    async def desired(self, request: Request) -> Response:
        if (early := self._pre(request)) is not None:
            return early
        if int(request.query_params.get("after", "-1")) >= self.generation:
            return Response(status_code=304)
        return JSONResponse({"org": "acme", "node_id": "n-1", "generation": self.generation})

    async def status(self, request: Request) -> Response:
        if (early := self._pre(request)) is not None:
            return early
        self.reports.append(json.loads(await request.body()))
        return Response(status_code=204)

    async def delete(self, request: Request) -> Response:
        return self._pre(request) or Response(status_code=204)

    async def blob(self, request: Request) -> Response:
        if (early := self._pre(request)) is not None:
            return early
        data = self.blobs.get(request.path_params["digest"])
        if data is None:
            return JSONResponse({"error": "not-found", "detail": "no such blob"}, status_code=404)
        rng = request.headers.get("range")
        if rng is None:
            return Response(data, media_type="application/octet-stream")
        start = int(rng.removeprefix("bytes=").rstrip("-"))
        if start >= len(data):
            return JSONResponse({"error": "range-not-satisfiable", "detail": "bad range"}, status_code=416)
        return Response(data[start:], status_code=206, media_type="application/octet-stream",
                        headers={"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"})
