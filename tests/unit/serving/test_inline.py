"""Cheap requests run on the event loop (no thread hand-off); big ones, hooked versions and budget 0 use the pool."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from tests.unit.serving import serving_models

from edgeplane.serving import app, config, server, settings, versions

pytestmark = pytest.mark.anyio


def body(rows: int) -> dict[str, object]:
    return {"inputs": [{"name": "x", "datatype": "FP32", "shape": [rows, 4], "data": [0.5] * (rows * 4)}]}


def pool_threads() -> int:
    return sum(t.name.startswith("edgeplane-infer") for t in threading.enumerate())


@pytest.fixture
async def make(tmp_path: Path) -> AsyncIterator[object]:
    servers: list[server.InferenceServer] = []
    serving_models.mlp_onnx(tmp_path / "v1" / "model.onnx", seed=1)

    async def build(budget_us: float, *, hooked: bool = False) -> httpx.AsyncClient:
        if hooked:
            (tmp_path / "v1" / "processing.py").write_text("def preprocess(inputs):\n    return inputs\n")
        s = server.InferenceServer(settings.ServingSettings(seed=1, threads=2, inline_max_us=budget_us))
        servers.append(s)
        result = await s.apply(config.ServingConfig(endpoints=[serving_models.endpoint("m", {"1": tmp_path / "v1"})]))
        assert result.ok, result.failures()
        asgi = app.create_app(s.settings, deps=app.ServingDeps(server=s))
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://test")

    yield build
    for s in servers:
        await s.aclose()


async def test_a_cheap_request_never_starts_a_pool_thread(make) -> None:  # type: ignore[no-untyped-def]
    before = pool_threads()
    async with await make(1e6) as c:
        r = await c.post("/v2/models/m/infer", json=body(1))
        assert r.status_code == 200, r.text
        assert pool_threads() == before
        pooled = await make(0)
        async with pooled:
            same = await pooled.post("/v2/models/m/infer", json=body(1))
        assert same.json()["outputs"] == r.json()["outputs"]  # same answer either way
        assert pool_threads() == before + 1


async def test_a_request_far_bigger_than_the_warm_up_goes_to_the_pool(make) -> None:  # type: ignore[no-untyped-def]
    before = pool_threads()
    async with await make(1e5) as c:  # a 0.1 s budget; the estimate scales with rows: 200000x the warm-up's
        r = await c.post("/v2/models/m/infer", json=body(200_000))
        assert r.status_code == 200
        assert pool_threads() == before + 1


async def test_versions_with_hooks_always_use_the_pool(make) -> None:  # type: ignore[no-untyped-def]
    before = pool_threads()
    async with await make(1e6, hooked=True) as c:
        r = await c.post("/v2/models/m/infer", json=body(1))
        assert r.status_code == 200, r.text
        assert pool_threads() == before + 1


def test_run_cost_moves_a_version_to_the_pool_after_a_streak_of_slow_runs_only() -> None:
    x = {"x": np.zeros((1, 4), np.float32)}
    cost = versions.RunCost(seconds=10e-6, elements=4)
    budget = 100e-6
    for _ in range(5):  # lone spikes between normal runs are forgiven
        cost.observe(5e-3, x)
        cost.observe(12e-6, x)
    assert cost.estimate(x) <= budget
    for _ in range(versions.SLOW_STREAK):  # consistently 100x the warm-up: real inputs cost more
        cost.observe(1e-3, x)
    assert cost.estimate(x) > budget
    big = {"x": np.zeros((1000, 4), np.float32)}
    assert versions.RunCost(seconds=10e-6, elements=4).estimate(big) == pytest.approx(10e-3)
