"""Fixtures for the serving unit tests: an in-process server driven through its ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from edgeplane.serving import app, server, settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def serving_settings() -> settings.ServingSettings:
    return settings.ServingSettings(seed=1234, threads=2)


@pytest.fixture
async def srv(serving_settings: settings.ServingSettings) -> AsyncIterator[server.InferenceServer]:
    s = server.InferenceServer(serving_settings)
    yield s
    await s.aclose()


@pytest.fixture
async def client(
    srv: server.InferenceServer, serving_settings: settings.ServingSettings
) -> AsyncIterator[httpx.AsyncClient]:
    asgi = app.create_app(serving_settings, deps=app.ServingDeps(server=srv))
    transport = httpx.ASGITransport(app=asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c
