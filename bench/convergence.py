"""Fleet convergence: one hub process and N simulated agents speaking the real protocol.

Each simulated agent is a lightweight asyncio client: it registers with a registration token, long-polls
its desired state (``wait=55`` like the real agent's default), downloads every model file it is assigned
(verifying the sha256), and reports the model ``active`` as a status delta. The script publishes a new
model version for the whole fleet and prints when 50%, 99% and 100% of the agents report it active, then
the hub's request rate and CPU while the fleet idles on its long-polls.

Usage: ``python bench/convergence.py [--sizes 100 1000 5000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).parent))
import _common

ORG = "/api/v1/orgs/default"
WAIT = 55


def publish_model(hub: httpx.Client, version: str, data: bytes) -> None:
    digest = hashlib.sha256(data).hexdigest()
    body = {"version": version, "framework": "onnx", "files": [{"path": "model.onnx", "size": len(data),
                                                                "sha256": digest}]}
    hub.post(f"{ORG}/models/detector/versions", json=body).raise_for_status()
    hub.put(f"{ORG}/blobs/{digest}", content=data).raise_for_status()
    hub.post(f"{ORG}/models/detector/versions/{version}/commit").raise_for_status()


class Agent:
    def __init__(self, session: aiohttp.ClientSession, url: str, name: str, reg: str,
                 active: dict[str, dict[str, float]]) -> None:
        self.s, self.url, self.name, self.reg, self.active = session, url, name, reg, active
        self.node_id, self.headers, self.gen, self.have = "", {}, -1, set()  # type: ignore[var-annotated]

    async def register(self) -> None:
        body = {"registration_token": self.reg, "name": self.name,
                "policy": {"properties": [{"name": "site", "value": f"site-{hash(self.name) % 20}"}]}}
        async with self.s.post(f"{self.url}{ORG}/nodes/register", json=body) as r:
            r.raise_for_status()
            doc = await r.json()
        self.node_id, self.headers = doc["node_id"], {"Authorization": f"Bearer {doc['credential']}"}

    async def run(self) -> None:
        """Like the real agent: on any failure, back off (full jitter, capped) and poll again."""
        failures = 0
        while True:
            try:
                await self.poll()
                failures = 0
            except (aiohttp.ClientError, TimeoutError):
                failures += 1
                await asyncio.sleep(random.uniform(0, min(30.0, 0.5 * 2**failures)))

    async def poll(self) -> None:
        url = f"{self.url}{ORG}/nodes/{self.node_id}/desired?after={self.gen}&wait={WAIT}"
        async with self.s.get(url, headers=self.headers) as r:
            if r.status == 304:
                return
            r.raise_for_status()
            doc = await r.json()
        self.gen = doc["generation"]
        await self.converge(doc)

    async def converge(self, doc: dict) -> None:  # type: ignore[type-arg]
        entries = []
        for w in doc["workloads"]:
            for m in w["models"]:
                key = f"{m['org']}/{m['name']}@{m['version']}"
                if key in self.have:
                    continue
                for f in m["files"]:
                    h = hashlib.sha256()
                    async with self.s.get(f"{self.url}{ORG}/blobs/{f['sha256']}", headers=self.headers) as r:
                        r.raise_for_status()
                        async for chunk in r.content.iter_chunked(65536):
                            h.update(chunk)
                    assert h.hexdigest() == f["sha256"]
                self.have.add(key)
                entries.append((m["version"], {"kind": "model", "key": key, "state": "active"}))
        if entries:
            url = f"{self.url}{ORG}/nodes/{self.node_id}/status"
            body = {"generation": self.gen, "entries": [e for _, e in entries]}
            async with self.s.post(url, json=body, headers=self.headers) as r:
                r.raise_for_status()
            for version, _ in entries:  # reported: the hub now knows it is active here
                self.active.setdefault(version, {})[self.name] = time.time()


def hub_totals(url: str, pids: list[int]) -> tuple[float, float]:
    """(requests served so far, CPU seconds used by the hub's processes)."""
    text = httpx.get(f"{url}/metrics").text
    reqs = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("edgeplane_hub_requests_total{"))
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return reqs, ticks / os.sysconf("SC_CLK_TCK")


def pct(times: list[float], q: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, max(0, round(q * len(times)) - 1))]


async def fleet(url: str, admin: httpx.Client, n: int, pids: list[int]) -> dict[str, float]:
    reg = admin.post(f"{ORG}/registration-tokens", json={"uses": n + 10}).json()["token"]
    active: dict[str, dict[str, float]] = {}
    conn = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=WAIT + 30)
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as session:
        agents = [Agent(session, url, f"sim-{n}-{i}", reg, active) for i in range(n)]
        t = time.perf_counter()
        sem = asyncio.Semaphore(32)

        async def reg_one(a: Agent) -> None:
            async with sem:
                await a.register()

        await asyncio.gather(*(reg_one(a) for a in agents))
        reg_s = time.perf_counter() - t
        tasks = [asyncio.create_task(a.run()) for a in agents]
        await _until(lambda: len(active.get("1", {})) >= n, 120)
        await asyncio.sleep(2)  # everyone parked on a long-poll
        r0, c0 = hub_totals(url, pids)
        await asyncio.sleep(10)
        r1, c1 = hub_totals(url, pids)
        idle_rps, idle_cpu = (r1 - r0 - 1) / 10, (c1 - c0) / 10 * 100
        await asyncio.to_thread(publish_model, admin, "2", os.urandom(256 * 1024))
        t0 = time.time()
        r = await asyncio.to_thread(admin.put, f"{ORG}/model-policies/detector-all", json={
            "model": "detector", "version": "2", "services": [{"name": "inspector"}]})
        r.raise_for_status()
        ok = await _until(lambda: len(active.get("2", {})) >= n, 120)
        times = [ts - t0 for ts in active.get("2", {}).values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {"n": n, "register_s": reg_s, "p50": pct(times, 0.5), "p99": pct(times, 0.99),
            "p100": max(times) if ok else float("inf"), "reached": len(times), "idle_rps": idle_rps,
            "idle_cpu_pct": idle_cpu}


async def _until(cond, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        await asyncio.sleep(0.02)
    return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    args = ap.parse_args()
    results = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="ep-conv-") as tmp, ExitStack() as stack:
            url, proc = _common.start_hub(stack, Path(tmp))
            token = (Path(tmp) / "hub" / "admin-token").read_text().strip()
            admin = stack.enter_context(httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                                                     timeout=120))
            admin.post(f"{ORG}/workloads", json={"name": "inspector", "version": "1.0.0",
                                                 "device": {"command": ["sleep", "1"]}}).raise_for_status()
            publish_model(admin, "1", os.urandom(256 * 1024))
            admin.post(f"{ORG}/deployment-policies", json={"name": "all", "workload": {"name": "inspector"}}
                       ).raise_for_status()
            admin.post(f"{ORG}/model-policies", json={"name": "detector-all", "model": "detector", "version": "1",
                                                       "services": [{"name": "inspector"}]}).raise_for_status()
            pids = _common.tree_pids(proc.pid)
            res = asyncio.run(fleet(url, admin, n, pids))
            results.append(res)
            print(f"N={n:5d}: registered in {res['register_s']:.1f} s; new version active on 50% in "
                  f"{res['p50']:.2f} s, 99% in {res['p99']:.2f} s, 100% in {res['p100']:.2f} s "
                  f"({res['reached']}/{n}); idle hub {res['idle_rps']:.1f} req/s, CPU {res['idle_cpu_pct']:.1f}%",
                  flush=True)
    print("peers: Argo CD polls git every 180 s by default; Open Horizon agents poll every 10-120 s")
    thousand = next((r for r in results if r["n"] == 1000), results[-1])
    print(_common.target(f"converge_100pct_{thousand['n']}_agents_s", thousand["p100"], 10, " s",
                         higher_is_better=False))
    print(_common.target(f"idle_hub_cpu_{thousand['n']}_agents_pct", thousand["idle_cpu_pct"], 5, "%",
                         higher_is_better=False))


if __name__ == "__main__":
    main()
