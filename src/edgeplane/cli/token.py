"""``edgeplane token create|list``."""

from __future__ import annotations

from typing import Annotated

import typer

from edgeplane.cli import context, output
from edgeplane.schemas import auth

app = typer.Typer(help="Create and list API tokens.", no_args_is_help=True)


@app.command()
def create(
    role: Annotated[str, typer.Option(help="admin, publisher or viewer")],
    user: Annotated[str | None, typer.Option(help="user it acts for (default: you)")] = None,
    description: Annotated[str, typer.Option(help="what it is for")] = "",
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an API token; the secret is printed once."""
    settings = context.load()
    body = auth.TokenCreate.model_validate({"role": role, "user": user, "description": description})
    with context.client(settings) as hub:
        t = hub.create_token(settings.org, body)
    if json_out:
        output.as_json(t)
    else:
        print(t.token)


@app.command("list")
def list_(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the org's API tokens (never their secrets)."""
    settings = context.load()
    with context.client(settings) as hub:
        items = hub.list_tokens(settings.org)
    if json_out:
        output.as_json(items)
        return
    output.table(
        f"tokens in {settings.org}",
        ["id", "role", "description", "created"],
        [(t.id, t.role, t.description, t.created_at.strftime("%Y-%m-%d %H:%M")) for t in items],
    )
