"""``edgeplane explain --node N --policy P``: why a node does or does not get what a policy places."""

from __future__ import annotations

from typing import Annotated

import typer

from edgeplane.cli import context, output

app = typer.Typer(help="Explain placement decisions term by term.")


@app.callback(invoke_without_command=True)
def explain(
    node: Annotated[str, typer.Option(help="node name or id")],
    policy: Annotated[str, typer.Option(help="policy name")],
    kind: Annotated[str | None, typer.Option(help="deployment, model or endpoint")] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    settings = context.load()
    with context.client(settings) as hub:
        result = hub.explain(settings.org, node, policy, kind)
    if json_out:
        output.as_json(result)
        return
    for line in result["lines"]:
        print(line)
