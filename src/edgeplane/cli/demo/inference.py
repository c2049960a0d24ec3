"""The demo's last act: an endpoint with a 90/10 split, called through an agent's inference server.

Who calls it: :func:`edgeplane.cli.demo.run.run`, once its agents run with ``--serving-port``. It trains and
pushes two versions of a small classifier, applies an endpoint that places them on the agents matching
``constraints``, waits until each of those agents serves both versions (delivered, verified, loaded), then
calls one agent ``calls`` times with V2 JSON requests and prints the observed split, a few answers with
the ``model_version`` that gave them, and the endpoint status the hub got from the agent.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx
from rich.console import Console

from edgeplane.cli.demo import fleet, procs, samples
from edgeplane.client import transfer
from edgeplane.client.hub import HubClient
from edgeplane.schemas import desired

ORG = "default"
ENDPOINT = "scorer"
ROWS = [[0.5, -1.0, 0.25, 2.0], [-1.5, 0.5, -0.75, -0.5], [2.0, 1.0, 0.0, -0.25]]


def run_inference(
    hub: HubClient,
    servers: Mapping[str, str],
    workdir: Path,
    console: Console,
    *,
    constraints: Sequence[str] = ("site == north",),
    calls: int = 200,
) -> Counter[str]:
    """``servers``: agent name -> base URL of its inference server (``http://127.0.0.1:<serving port>``),
    for the agents ``constraints`` match. Returns how many of the ``calls`` each version answered."""
    for version, seed in (("1", 11), ("2", 12)):
        src = workdir / "models" / f"{ENDPOINT}-{version}"
        acc = samples.train_classifier(src, seed=seed)
        opts = transfer.PushOptions(framework="sklearn", task="classification", metrics={"accuracy": round(acc, 4)})
        transfer.push(hub, ORG, ENDPOINT, version, src, opts)
        console.print(f"[green]pushed[/] {ENDPOINT}:{version} (sklearn, accuracy {acc:.3f})")
    hub.put_policy(
        ORG,
        "endpoints",
        {"name": ENDPOINT, "model": ENDPOINT, "traffic": {"1": 90, "2": 10}, "constraints": list(constraints)},
    )
    console.print(f"[cyan]endpoint[/] {ENDPOINT}: versions 1=90 2=10 on nodes where {' and '.join(constraints)}")
    with httpx.Client(timeout=10) as client:
        for name, url in servers.items():
            fleet.wait(functools.partial(_serves, client, url), f"{name} to serve {ENDPOINT} 1 and 2", 120)
            console.print(f"[green]serving[/] {name} answers V2 at {url}/v2/models/{ENDPOINT}")
        name, url = next(iter(servers.items()))
        answers = [_infer(client, url, ROWS[i % len(ROWS)]) for i in range(calls)]
    split = Counter(version for version, _ in answers)
    shares = ", ".join(f"v{v}: {n} ({100 * n / calls:.1f}%)" for v, n in sorted(split.items()))
    console.print(f"[green]inference[/] {calls} calls to {name}: {shares} (configured 90/10)")
    for row, (version, label) in list(zip(ROWS * 2, answers, strict=False))[:4]:
        console.print(f"  input {row} -> label {label}, model_version {version}")
    _show_status(hub, name, console)
    return split


def _serves(client: httpx.Client, url: str) -> bool:
    try:
        return all(client.get(f"{url}/v2/models/{ENDPOINT}/versions/{v}/ready").status_code == 200 for v in "12")
    except httpx.TransportError:
        return False


def _infer(client: httpx.Client, url: str, row: list[float]) -> tuple[str, int]:
    body = {
        "inputs": [{"name": "input", "shape": [1, len(row)], "datatype": "FP32", "data": row}],
        "outputs": [{"name": "label"}],
    }
    r = client.post(f"{url}/v2/models/{ENDPOINT}/infer", json=body)
    if r.status_code != 200:
        raise procs.DemoError(f"inference call failed: {r.status_code} {r.text}")
    doc = r.json()
    return str(doc["model_version"]), int(doc["outputs"][0]["data"][0])


def _show_status(hub: HubClient, agent: str, console: Console) -> None:
    """What the agent reported to the hub for the endpoint (every ``serving.stats_interval_s`` when changed;
    the demo's agents use 2 s)."""
    node = next((n for n in hub.list_nodes(ORG) if n.name == agent), None)
    if node is None:
        return

    def reported() -> list[desired.StatusEntry] | None:
        found = [e for e in hub.node_status(ORG, node.id) if e.kind == "endpoint" and e.key.startswith(ENDPOINT)]
        return found if sum(e.metrics.get("requests", 0) for e in found) > 0 else None

    for e in fleet.wait(reported, f"{agent} to report endpoint metrics", 30):
        m = e.metrics
        latency = f", p50 {m['p50_ms']:.1f} ms, p99 {m['p99_ms']:.1f} ms" if "p99_ms" in m else ""
        console.print(
            f"[green]status[/] the hub shows {agent} {e.key}: {e.state}, "
            f"{m.get('requests', 0):g} requests, {m.get('errors', 0):g} errors{latency}"
        )
