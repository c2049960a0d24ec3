"""Fixtures for serving integration tests: a real server on 127.0.0.1 and the shared test models."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The model builders live with the unit tests; share them rather than copy them.
_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parents[1] / "unit" / "serving")]

import live_server  # noqa: E402

from edgeplane.serving import settings  # noqa: E402


@pytest.fixture
def live() -> Iterator[live_server.LiveServer]:
    s = live_server.LiveServer(settings.ServingSettings(seed=99, threads=2))
    s.start()
    yield s
    s.stop()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
