"""Fixtures for serving integration tests: a real server on 127.0.0.1 and the shared test models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.integration.serving import live_server

from edgeplane.serving import settings


@pytest.fixture
def live() -> Iterator[live_server.LiveServer]:
    s = live_server.LiveServer(settings.ServingSettings(seed=99, threads=2))
    s.start()
    yield s
    s.stop()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
