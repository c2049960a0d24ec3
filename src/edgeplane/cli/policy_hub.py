"""The hub-backed ``edgeplane policy`` commands: apply, list, show, delete, check.

Attached to the ``policy`` app (which also has the offline ``eval``) by :func:`attach`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from edgeplane._kit.errors import InvalidInput
from edgeplane.cli import context, documents, output

COLLECTIONS = {"deployment": "deployment-policies", "model": "model-policies", "endpoint": "endpoints"}
FileOpt = Annotated[Path, typer.Option("-f", "--file", help="policy JSON or YAML (Open Horizon JSON accepted)")]
KindOpt = Annotated[str | None, typer.Option(help="deployment, model or endpoint (default: all)")]
OneKindOpt = Annotated[str, typer.Option(help="deployment, model or endpoint")]
JsonOpt = Annotated[bool, typer.Option("--json")]


def _collection(kind: str) -> str:
    if kind not in COLLECTIONS:
        raise InvalidInput(f"unknown policy kind {kind!r}", field="--kind", hint="deployment, model or endpoint")
    return COLLECTIONS[kind]


def _policy_docs(file: Path, name: str | None) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for doc in documents.load(file):
        collection, body = documents.classify(doc)
        if collection == "workloads":
            raise InvalidInput(f"{file} holds a workload", field="-f", hint="use `edgeplane workload publish`")
        if name is not None:
            body["name"] = name
        out.append((collection, body))
    return out


def apply(
    file: FileOpt,
    name: Annotated[str | None, typer.Option(help="name (OH policy files carry none)")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Create or replace the policies in FILE."""
    settings = context.load()
    with context.client(settings) as hub:
        results = [(c, hub.put_policy(settings.org, c, body)) for c, body in _policy_docs(file, name)]
    if json_out:
        output.as_json({"applied": [r for _, r in results]})
        return
    for c, r in results:
        verb = "created" if r["created"] else "updated"
        output.console().print(
            f"{verb} {c[:-1] if c.endswith('s') else c} {r['policy']['name']}: {r['nodes_changed']} node(s) changed"
        )


def list_(kind: KindOpt = None, json_out: JsonOpt = False) -> None:
    """List policies."""
    settings = context.load()
    kinds = [kind] if kind else list(COLLECTIONS)
    with context.client(settings) as hub:
        items = [(k, p) for k in kinds for p in hub.list_policies(settings.org, _collection(k))]
    if json_out:
        output.as_json({"policies": [{"kind": k, **p} for k, p in items]})
        return
    output.table(
        f"policies in {settings.org}",
        ["kind", "name", "what", "constraints"],
        [(k, p["name"], _what(k, p), " && ".join(p.get("constraints", [])) or "-") for k, p in items],
    )


def _what(kind: str, p: dict[str, Any]) -> str:
    if kind == "deployment":
        return f"workload {p['workload']['name']} {p['workload'].get('version', '')}"
    if kind == "model":
        return f"model {p['model']}@{p['version']} -> " + ", ".join(s["name"] for s in p["services"])
    return f"model {p['model']} " + " ".join(f"{v}={w}" for v, w in p["traffic"].items())


def show(name: str, kind: OneKindOpt = "deployment") -> None:
    """Show one policy as JSON."""
    settings = context.load()
    with context.client(settings) as hub:
        print(json.dumps(hub.show_policy(settings.org, _collection(kind), name), indent=2, sort_keys=True))


def delete(name: str, kind: OneKindOpt = "deployment") -> None:
    """Delete one policy; nodes it placed things on converge without them."""
    settings = context.load()
    with context.client(settings) as hub:
        hub.delete_policy(settings.org, _collection(kind), name)
    output.console().print(f"deleted {kind} policy {name}")


def check(
    file: FileOpt,
    name: Annotated[str | None, typer.Option(help="name for OH files")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Dry run: which nodes the policies in FILE would match, and how many. Nothing is stored."""
    settings = context.load()
    with context.client(settings) as hub:
        results = [
            hub.check_policy(settings.org, c, {"name": "dry-run", **body}) for c, body in _policy_docs(file, name)
        ]
    if json_out:
        output.as_json({"results": results})
        return
    for r in results:
        nodes = ", ".join(r["nodes"][:20]) + (" ..." if len(r["nodes"]) > 20 else "")
        output.console().print(f"{r['policy']}: matches {r['count']} node(s){': ' + nodes if nodes else ''}")


def attach(app: typer.Typer) -> None:
    app.command()(apply)
    app.command("list")(list_)
    app.command()(show)
    app.command()(delete)
    app.command()(check)
