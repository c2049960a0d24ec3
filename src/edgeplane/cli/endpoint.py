"""``edgeplane endpoint apply|list|show|set-traffic``: inference endpoints with A/B splits and shadows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from edgeplane._kit.errors import InvalidInput
from edgeplane.cli import context, documents, output

app = typer.Typer(
    help="Inference endpoints: which model versions serve, with what traffic split.", no_args_is_help=True
)
COLLECTION = "endpoints"


@app.command()
def apply(file: Annotated[Path, typer.Option("-f", "--file", help="endpoint JSON or YAML")]) -> None:
    """Create or replace the endpoint(s) in FILE."""
    settings = context.load()
    with context.client(settings) as hub:
        for doc in documents.load(file):
            _, body = documents.classify({"kind": "Endpoint", **doc} if "kind" not in doc else doc)
            r = hub.put_policy(settings.org, COLLECTION, body)
            output.console().print(
                f"{'created' if r['created'] else 'updated'} endpoint {r['policy']['name']}: "
                f"{r['nodes_changed']} node(s) changed"
            )


@app.command("list")
def list_(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    settings = context.load()
    with context.client(settings) as hub:
        items = hub.list_policies(settings.org, COLLECTION)
    if json_out:
        output.as_json({"endpoints": items})
        return
    output.table(
        f"endpoints in {settings.org}",
        ["name", "model", "traffic", "shadow"],
        [
            (
                e["name"],
                e["model"],
                " ".join(f"{v}={w}" for v, w in e["traffic"].items()),
                f"{e['shadow']['version']} {e['shadow']['percent']}%" if e.get("shadow") else "-",
            )
            for e in items
        ],
    )


@app.command()
def show(name: str) -> None:
    settings = context.load()
    with context.client(settings) as hub:
        print(json.dumps(hub.show_policy(settings.org, COLLECTION, name), indent=2, sort_keys=True))


@app.command("set-traffic")
def set_traffic(name: str, weights: Annotated[list[str], typer.Argument(help="version=weight ...")]) -> None:
    """Change an endpoint's split, e.g. ``set-traffic detect 1.0=90 2.0=10``."""
    traffic: dict[str, int] = {}
    for item in weights:
        version, sep, weight = item.partition("=")
        if not sep or not weight.isdigit():
            raise InvalidInput(f"{item!r} is not version=weight", field="WEIGHTS", hint="e.g. 1.0=90 2.0=10")
        traffic[version] = int(weight)
    settings = context.load()
    with context.client(settings) as hub:
        doc = hub.show_policy(settings.org, COLLECTION, name)
        doc["traffic"] = traffic
        doc.pop("org", None)
        r = hub.put_policy(settings.org, COLLECTION, doc)
    output.console().print(
        f"endpoint {name} traffic now "
        + " ".join(f"{v}={w}" for v, w in traffic.items())
        + f" ({r['nodes_changed']} node(s) changed)"
    )


@app.command()
def delete(name: str) -> None:
    """Delete an endpoint: nodes unload its versions and remove their files."""
    settings = context.load()
    with context.client(settings) as hub:
        hub.delete_policy(settings.org, COLLECTION, name)
    output.console().print(f"deleted endpoint {name}")
