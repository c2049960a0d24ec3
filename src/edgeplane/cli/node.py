"""``edgeplane node list|show|token|delete``."""

from __future__ import annotations

from typing import Annotated

import typer

from edgeplane.cli import context, output
from edgeplane.schemas import nodes

app = typer.Typer(help="Inspect nodes and create registration tokens.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


@app.command("list")
def list_(json_out: JsonOpt = False) -> None:
    """List the org's nodes."""
    settings = context.load()
    with context.client(settings) as hub:
        items = hub.list_nodes(settings.org)
    if json_out:
        output.as_json(items)
        return
    rows = [
        (
            n.name,
            n.id,
            n.kind,
            n.agent_version or "-",
            n.last_seen.strftime("%Y-%m-%d %H:%M:%S") if n.last_seen else "never",
        )
        for n in items
    ]
    output.table(f"nodes in {settings.org}", ["name", "id", "kind", "agent", "last seen"], rows)


@app.command()
def show(node: Annotated[str, typer.Argument(help="node name or id")], json_out: JsonOpt = False) -> None:
    """Show a node: kind, properties, constraints, built-in properties, last heartbeat, and the latest
    status it reported per workload, model and endpoint version (with endpoint metrics)."""
    settings = context.load()
    with context.client(settings) as hub:
        n = hub.show_node(settings.org, node)
        entries = [] if json_out else hub.node_status(settings.org, n.id)
    if json_out:
        output.as_json(n)
        return
    out = output.console()
    out.print(f"node {n.name} ({n.id}), {n.kind}, agent {n.agent_version or '-'}, last seen {n.last_seen}")
    props = [(p.name, p.value, p.type or "") for p in n.policy.properties + n.builtin]
    output.table("properties", ["name", "value", "type"], props)
    for c in n.policy.constraints:
        out.print(f"constraint: {c}")
    rows = [(e.kind, e.key, e.state, e.detail or "", _metrics(e.metrics)) for e in entries]
    output.table("status", ["kind", "key", "state", "detail", "metrics"], rows)


def _metrics(m: dict[str, float]) -> str:
    """Endpoint metrics in one cell: ``requests=412 errors=0 p50=1.2ms p99=3.4ms``; others as name=value."""
    shown = [f"{k}={m[k]:g}" for k in ("requests", "errors") if k in m]
    shown += [f"{k.removesuffix('_ms')}={m[k]:.1f}ms" for k in ("p50_ms", "p99_ms") if k in m]
    rest = sorted(set(m) - {"requests", "errors", "p50_ms", "p99_ms", "loaded"})
    return " ".join(shown + [f"{k}={m[k]:g}" for k in rest])


@app.command()
def token(
    uses: Annotated[int, typer.Option(help="how many nodes may register with it")] = 1000,
    ttl_hours: Annotated[float, typer.Option(help="hours until it expires")] = 168.0,
    json_out: JsonOpt = False,
) -> None:
    """Create a registration token for agents (`edgeplane agent run --registration-token ...`)."""
    settings = context.load()
    with context.client(settings) as hub:
        t = hub.create_registration_token(settings.org, nodes.RegistrationTokenCreate(uses=uses, ttl_hours=ttl_hours))
    if json_out:
        output.as_json(t)
    else:
        print(t.token)


@app.command()
def delete(node: Annotated[str, typer.Argument(help="node name or id")]) -> None:
    """Remove a node and revoke its credential."""
    settings = context.load()
    with context.client(settings) as hub:
        hub.delete_node(settings.org, node)
    output.console().print(f"deleted node {node}")
