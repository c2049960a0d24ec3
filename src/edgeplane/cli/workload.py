"""``edgeplane workload publish|list``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edgeplane.cli import context, documents, output
from edgeplane.schemas import workloads

app = typer.Typer(help="Publish and list workloads (what runs at the edge).", no_args_is_help=True)


@app.command()
def publish(
    file: Annotated[Path, typer.Option("-f", "--file", help="workload JSON or YAML")],
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Publish workload version(s) from FILE."""
    settings = context.load()
    docs = [documents.classify(d)[1] for d in documents.load(file)]
    bodies = [workloads.WorkloadCreate.model_validate(d) for d in docs]
    with context.client(settings) as hub:
        out = [hub.publish_workload(settings.org, b) for b in bodies]
    if json_out:
        output.as_json(out)
        return
    for w in out:
        output.console().print(f"published workload {w.name}@{w.version} ({w.kind})")


@app.command("list")
def list_(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List workload versions."""
    settings = context.load()
    with context.client(settings) as hub:
        items = hub.list_workloads(settings.org)
    if json_out:
        output.as_json(items)
        return
    output.table(
        f"workloads in {settings.org}",
        ["name", "version", "kind", "arch"],
        [(w.name, w.version, w.kind, w.arch or "*") for w in items],
    )
