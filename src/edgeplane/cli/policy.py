"""``edgeplane policy eval``: evaluate constraints against properties locally, no hub needed.

Exit codes: 0 the constraints hold, 1 they do not, 2 the input is malformed (the message says where).
The hub-backed ``policy apply|list|show|delete|check`` commands belong in this module too (added with the
hub integration); they share ``app``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from edgeplane.cli import errors as cli_errors
from edgeplane.cli import policy_hub
from edgeplane.policy import compiler, errors, explain, properties

app = typer.Typer(help="Write, test and explain placement policies.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Write, test and explain placement policies."""


def _load_json(text: str, *, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise errors.PolicyError(
            f"{what} is not valid JSON: {e.msg}", source=text, position=e.pos, text=text[e.pos : e.pos + 20],
            expected="JSON",
        ).at_field(f"--{what}") from e


def _constraints(text: str) -> compiler.Predicate:
    stripped = text.strip()
    doc = _load_json(text, what="constraints") if stripped[:1] in ("[", '"') else [text]
    return compiler.compile_constraints(doc, field="--constraints")


def _properties(text: str) -> dict[str, properties.Value]:
    doc = _load_json(text, what="properties")
    if isinstance(doc, dict):
        return properties.parse([{"name": k, "value": v} for k, v in doc.items()], field="--properties")
    if isinstance(doc, list):
        return properties.parse(doc, field="--properties")
    raise errors.PolicyError(
        "properties must be a JSON array of {name, value, type?} or an object", expected="an array or an object"
    ).at_field("--properties")


@app.command("eval")
def eval_(
    constraints: Annotated[str, typer.Option(help='JSON array of constraint strings, e.g. \'["gpu == true"]\'')],
    props: Annotated[
        str, typer.Option("--properties", help='JSON array of OH properties, or an object {"name": value}')
    ] = "[]",
    explain_: Annotated[bool, typer.Option("--explain", help="print the term-by-term account")] = False,
) -> None:
    """Print true or false: do CONSTRAINTS hold on PROPERTIES? (exit 0 / 1; 2 on malformed input)."""
    try:
        predicate = _constraints(constraints)
        values = _properties(props)
    except errors.PolicyError as e:
        raise typer.Exit(cli_errors.report(e)) from None
    account = explain.explain(predicate, values, owner="the", subject="the given")
    typer.echo("true" if account.held else "false")
    if explain_:
        for line in account.lines()[1:] or ["  (no constraints)"]:
            typer.echo(line)
    raise typer.Exit(0 if account.held else 1)


policy_hub.attach(app)  # apply, list, show, delete, check: the hub-backed commands
