"""The demo's steps. Each prints one clear line; the end is a summary table.

1. a hub on 127.0.0.1 (SQLite + local files), a model it trains, pushed, pulled back and verified;
2. three agents with different properties; a device workload (an Open Horizon-style ESS consumer) and a
   policy that matches two of them; the model reaches exactly those two, then an update rolls to them;
3. ``explain`` for the third; a summary table;
4. an endpoint with a 90/10 split between two versions, called through a north agent's inference server.
"""

from __future__ import annotations

import shutil
import time
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console
from rich.table import Table

from edgeplane.artifacts.digests import sha256_file
from edgeplane.cli.demo import fleet, inference, procs, samples
from edgeplane.client import transfer
from edgeplane.client.hub import HubClient
from edgeplane.schemas import nodes, workloads

ORG = "default"
SERVING_ENV = {"EDGEPLANE_AGENT_SERVING__STATS_INTERVAL_S": "2"}  # endpoint metrics reach the hub quickly
FLEET: dict[str, dict[str, object]] = {
    "cam-north-1": {"site": "north", "line": "1", "gpu": True},
    "cam-north-2": {"site": "north", "line": "2", "gpu": True},
    "cam-south-1": {"site": "south", "line": "1", "gpu": False},
}


def run(workdir: Path, console: Console) -> None:
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    with ExitStack() as stack:
        hub, url = start_hub(stack, workdir, console)
        publish_and_verify(hub, workdir, console, "1.0.0", seed=1)
        serving = {name: procs.free_port() for name in FLEET}  # each agent's inference server port
        agents = start_fleet(stack, hub, url, workdir, console, serving)
        deploy(hub, console)
        started = time.monotonic()
        rolled = wait_rollout(hub, agents, "1.0.0", console, started)
        publish_and_verify(hub, workdir, console, "1.1.0", seed=2, pull=False)
        hub.put_policy(ORG, "model-policies", model_policy("1.1.0"))
        console.print("[cyan]update[/] model policy classifier-north now routes classifier 1.1.0")
        rolled = wait_rollout(hub, agents, "1.1.0", console, time.monotonic())
        explain(hub, agents, console)
        summary(hub, agents, rolled, console)
        north = {n: f"http://127.0.0.1:{serving[n]}" for n, props in FLEET.items() if props["site"] == "north"}
        inference.run_inference(hub, north, workdir, console, constraints=["site == north"])


def start_hub(stack: ExitStack, workdir: Path, console: Console) -> tuple[HubClient, str]:
    port = procs.free_port()
    data = workdir / "hub"
    log = workdir / "logs" / "hub.log"
    proc = procs.spawn(stack, ["hub", "serve", "--port", str(port), "--data-dir", str(data)], log)
    url = f"http://127.0.0.1:{port}"
    procs.wait_http(f"{url}/healthz", proc, log)
    token = (data / "admin-token").read_text().strip()
    console.print(f"[green]hub[/] up at {url} (SQLite + artifacts in {data}); admin token in {data / 'admin-token'}")
    return stack.enter_context(HubClient(url, token)), url


def publish_and_verify(
    hub: HubClient, workdir: Path, console: Console, version: str, *, seed: int, pull: bool = True
) -> None:
    src = workdir / "models" / f"classifier-{version}"
    acc = samples.train_classifier(src, seed=seed)
    opts = transfer.PushOptions(
        framework="sklearn", task="classification", metrics={"accuracy": round(acc, 4)}, labels={"team": "demo"}
    )
    v = transfer.push(hub, ORG, "classifier", version, src, opts)
    console.print(f"[green]pushed[/] classifier {v.version} ({v.framework}, accuracy {acc:.3f}, {v.size} bytes)")
    if not pull:
        return
    dest = workdir / "pulled" / version
    transfer.pull(hub, ORG, "classifier", version, dest)
    same = sha256_file(dest / "model.joblib") == sha256_file(src / "model.joblib")
    console.print(f"[green]pulled[/] it back into {dest}: sha256 {'matches' if same else 'DIFFERS'}")
    if not same:
        raise procs.DemoError("pulled model differs from the pushed one")


def start_fleet(stack: ExitStack, hub: HubClient, url: str, workdir: Path, console: Console,
                serving: dict[str, int]) -> list[fleet.Agent]:
    reg = hub.create_registration_token(ORG, nodes.RegistrationTokenCreate(uses=len(FLEET))).token
    agents = []
    for name, props in FLEET.items():
        agents.append(fleet.start(stack, workdir, url, reg, name, props, env=SERVING_ENV,
                                  extra=["--serving-port", str(serving[name])]))
        shown = ", ".join(f"{k}={v}" for k, v in props.items())
        console.print(f"[green]agent[/] {name} registered ({shown})")
    return agents


def model_policy(version: str) -> dict[str, object]:
    return {
        "name": "classifier-north",
        "model": "classifier",
        "version": version,
        "services": [{"name": "inspector"}],
        "constraints": ["gpu == true"],
    }


def deploy(hub: HubClient, console: Console) -> None:
    script = (Path(__file__).parent / "ess_consumer.py").read_text()
    hub.publish_workload(
        ORG,
        workloads.WorkloadCreate(
            name="inspector",
            version="1.0.0",
            description="an Open Horizon-style ESS consumer",
            device=workloads.DeviceSpec(command=["python3", "consumer.py"], files={"consumer.py": script}),
        ),
    )
    hub.put_policy(
        ORG,
        "deployment-policies",
        {"name": "inspect-north", "workload": {"name": "inspector"}, "constraints": ["site == north"]},
    )
    hub.put_policy(ORG, "model-policies", model_policy("1.0.0"))
    console.print(
        "[cyan]deploy[/] workload inspector 1.0.0 where 'site == north'; model classifier 1.0.0 to it "
        "where 'gpu == true'"
    )


def wait_rollout(
    hub: HubClient, agents: list[fleet.Agent], version: str, console: Console, started: float
) -> dict[str, float]:
    key = f"{ORG}/classifier@{version}"
    targets = [a for a in agents if a.properties["site"] == "north"]
    took: dict[str, float] = {}
    for a in targets:
        fleet.wait(
            lambda a=a: (
                fleet.model_state(hub, a, key) == "active"  # type: ignore[misc]
                and any(f"classifier {version}" in e for e in fleet.events(a, "inspector"))
            ),
            f"classifier {version} on {a.name}",
            90,
        )
        took[a.name] = time.monotonic() - started
        console.print(
            f"[green]rollout[/] classifier {version} active on {a.name} and received by its workload "
            f"through the ESS ({took[a.name]:.1f} s)"
        )
    r = hub.version_rollout(ORG, "classifier", version)
    console.print(
        f"[green]rollout[/] classifier {version}: active on {r['active_on']} of {r['desired_on']} "
        f"node(s) it is meant for; {len(agents) - len(targets)} node(s) correctly left out"
    )
    return took


def explain(hub: HubClient, agents: list[fleet.Agent], console: Console) -> None:
    south = next(a for a in agents if a.properties["site"] == "south")
    console.print(f"[cyan]explain[/] why {south.name} does not get inspect-north:")
    for line in hub.explain(ORG, south.name, "inspect-north")["lines"]:
        console.print(f"    {line}", markup=False)


def summary(hub: HubClient, agents: list[fleet.Agent], took: dict[str, float], console: Console) -> None:
    table = Table(title="fleet after the update", title_justify="left")
    for col in ("node", "site", "gpu", "workload", "model", "state", "rolled in", "workload's last ESS event"):
        table.add_column(col)
    for a in agents:
        desired = hub.node_desired(ORG, a.node_id)
        wl = ", ".join(f"{w.name} {w.version}" for w in desired.workloads) or "-"
        models = [m for w in desired.workloads for m in w.models]
        model = ", ".join(f"{m.name} {m.version}" for m in models) or "-"
        state = fleet.model_state(hub, a, models[0].key) if models else "-"
        seen = [" ".join(e.split()[:3]) for e in fleet.events(a, "inspector")]
        table.add_row(
            a.name,
            str(a.properties["site"]),
            str(a.properties["gpu"]),
            wl,
            model,
            state,
            f"{took[a.name]:.1f} s" if a.name in took else "-",
            seen[-1] if seen else "-",
        )
    console.print(table)
