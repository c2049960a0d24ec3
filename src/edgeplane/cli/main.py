"""The ``edgeplane`` command: one sub-app per noun, each in its own module."""

from __future__ import annotations

import sys
from typing import Any

import typer
from pydantic import ValidationError
from typer.core import TyperGroup

from edgeplane._kit.errors import Error
from edgeplane.cli import errors


class _Root(TyperGroup):
    """Turns every edgeplane error into one printed line, a hint and the error's exit code."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors click; its Context type is private
        try:
            return super().invoke(ctx)
        except Error as err:
            ctx.exit(errors.report(err))
        except ValidationError as exc:
            ctx.exit(errors.report(errors.from_validation(exc)))


app = typer.Typer(
    cls=_Root,
    name="edgeplane",
    help="Deliver AI/ML models and their workloads to edge fleets, and serve them there.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register(only: str | None = None) -> None:
    """Attach the nouns' sub-apps: just the invoked one when known (a long-running `hub serve` or
    `agent run` then imports nothing it does not use), else all of them (for help)."""
    from edgeplane.cli import registry

    for name, sub in registry.subcommands(only):
        app.add_typer(sub, name=name)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    try:
        _register(args[0] if args and not args[0].startswith("-") else None)
    except Error as err:
        sys.exit(errors.report(err))
    app(args=argv, standalone_mode=True)


if __name__ == "__main__":
    main()
