"""Hot swap under load: 20 config changes while clients hammer the server; not one request may fail."""

from __future__ import annotations

import asyncio
import math
import threading
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from tests.integration.serving.live_server import LiveServer
from tests.unit.serving import serving_models

from edgeplane.serving import config

BODY = {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]}]}


async def _load(url: str, stop: threading.Event, clients: int) -> tuple[Counter[str], list[str]]:
    versions: Counter[str] = Counter()
    failures: list[str] = []

    async def one(session: aiohttp.ClientSession) -> None:
        while not stop.is_set():
            try:
                async with session.post(f"http://{url}/v2/models/m/infer", json=BODY) as r:
                    doc = await r.json()
                    if r.status != 200:
                        failures.append(f"{r.status} {doc}")
                    else:
                        versions[doc["model_version"]] += 1
            except Exception as e:
                failures.append(repr(e))

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(one(session) for _ in range(clients)))
    return versions, failures


def test_twenty_swaps_under_load_lose_no_request(live: LiveServer, tmp_path: Path) -> None:
    dirs = {}
    for i in range(1, 5):
        dirs[str(i)] = serving_models.mlp_onnx(tmp_path / str(i) / "model.onnx", seed=i).parent
    assert live.apply(config.ServingConfig(endpoints=[serving_models.endpoint("m", {"1": dirs["1"]})])).ok

    stop = threading.Event()
    outcome: list[tuple[Counter[str], list[str]]] = []
    loader = threading.Thread(target=lambda: outcome.append(asyncio.run(_load(live.url, stop, 8))))
    loader.start()
    try:
        steps = []
        for step in range(20):
            # cycle through: load a new version, shift weights, remove the old one, pin one
            new, old = str(step % 4 + 1), str((step + 3) % 4 + 1)
            if step % 3 == 0:
                paths, traffic = {new: dirs[new], old: dirs[old]}, {new: 50, old: 50}
            elif step % 3 == 1:
                paths, traffic = {new: dirs[new], old: dirs[old]}, {new: 90, old: 10}
            else:
                paths, traffic = {new: dirs[new]}, {new: 100}
            result = live.apply(config.ServingConfig(endpoints=[serving_models.endpoint("m", paths, traffic=traffic)]))
            assert result.ok, result.failures()
            steps.append(result)
            threading.Event().wait(0.1)
    finally:
        stop.set()
        loader.join(timeout=30)
    versions, failures = outcome[0]
    assert failures == []
    assert sum(versions.values()) > 200
    assert set(versions) == {"1", "2", "3", "4"}
    assert len(steps) == 20


def test_observed_split_over_http_is_within_bounds(live: LiveServer, tmp_path: Path) -> None:
    dirs = {v: serving_models.mlp_onnx(tmp_path / v / "model.onnx", seed=int(v)).parent for v in ("1", "2")}
    cfg = serving_models.endpoint("m", dirs, traffic={"1": 90, "2": 10})
    assert live.apply(config.ServingConfig(endpoints=[cfg])).ok

    async def run() -> Counter[str]:
        seen: Counter[str] = Counter()
        async with aiohttp.ClientSession() as session:
            for _ in range(1000):
                async with session.post(f"http://{live.url}/v2/models/m/infer", json=BODY) as r:
                    seen[(await r.json())["model_version"]] += 1
        return seen

    seen = asyncio.run(run())
    n, p = 1000, 0.1
    assert abs(seen["2"] - n * p) <= 5 * math.sqrt(n * p * (1 - p)), seen
    stats = live.server.stats()["m"]
    assert stats["1"].requests + stats["2"].requests == 1000


@pytest.mark.parametrize("header", ["x-user"])
def test_sticky_header_pins_a_caller_to_one_version(live: LiveServer, tmp_path: Path, header: str) -> None:
    dirs = {v: serving_models.mlp_onnx(tmp_path / v / "model.onnx", seed=int(v)).parent for v in ("1", "2")}
    cfg = serving_models.endpoint("m", dirs, traffic={"1": 50, "2": 50}, sticky_header=header)
    assert live.apply(config.ServingConfig(endpoints=[cfg])).ok

    async def run() -> dict[str, set[str]]:
        seen: dict[str, set[str]] = {}
        async with aiohttp.ClientSession() as session:
            for i in range(200):
                user = f"u{i % 20}"
                async with session.post(f"http://{live.url}/v2/models/m/infer", json=BODY, headers={header: user}) as r:
                    seen.setdefault(user, set()).add((await r.json())["model_version"])
        return seen

    seen = asyncio.run(run())
    assert all(len(v) == 1 for v in seen.values())
    assert {next(iter(v)) for v in seen.values()} == {"1", "2"}
