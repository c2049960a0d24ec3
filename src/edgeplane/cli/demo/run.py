"""The demo's steps. Each prints one clear line; the end is a summary table."""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console

from edgeplane.artifacts.digests import sha256_file
from edgeplane.cli.demo import procs, samples
from edgeplane.client import transfer
from edgeplane.client.hub import HubClient


def run(workdir: Path, console: Console) -> None:
    if workdir.exists():
        shutil.rmtree(workdir)
    with ExitStack() as stack:
        hub = start_hub(stack, workdir, console)
        publish_and_verify(hub, workdir, console)


def start_hub(stack: ExitStack, workdir: Path, console: Console) -> HubClient:
    port = procs.free_port()
    data = workdir / "hub"
    log = workdir / "logs" / "hub.log"
    proc = procs.spawn(stack, ["hub", "serve", "--port", str(port), "--data-dir", str(data)], log)
    url = f"http://127.0.0.1:{port}"
    procs.wait_http(f"{url}/healthz", proc, log)
    token = (data / "admin-token").read_text().strip()
    console.print(f"[green]hub[/] up at {url} (SQLite + artifacts in {data}); admin token in {data / 'admin-token'}")
    return stack.enter_context(HubClient(url, token))


def publish_and_verify(hub: HubClient, workdir: Path, console: Console) -> None:
    src = workdir / "models" / "classifier-1.0.0"
    acc = samples.train_classifier(src, seed=1)
    opts = transfer.PushOptions(framework="sklearn", task="classification", metrics={"accuracy": round(acc, 4)},
                                labels={"team": "demo"})
    v = transfer.push(hub, "default", "classifier", "1.0.0", src, opts)
    console.print(f"[green]pushed[/] classifier:{v.version} ({v.framework}, accuracy {acc:.3f}, {v.size} bytes)")
    listed = hub.list_models("default")
    console.print("[green]registry[/] lists: " + ", ".join(f"{m.name} {m.versions}" for m in listed))
    dest = workdir / "pulled"
    transfer.pull(hub, "default", "classifier", "1.0.0", dest)
    same = sha256_file(dest / "model.joblib") == sha256_file(src / "model.joblib")
    console.print(f"[green]pulled[/] back into {dest}: sha256 {'matches' if same else 'DIFFERS'}")
    if not same:
        raise procs.DemoError("pulled model differs from the pushed one")
