"""The ``edgeplane`` command: one sub-app per noun, each in its own module."""

from __future__ import annotations

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


def _register() -> None:
    """Attach every noun's sub-app. Imports are local so `edgeplane --help` stays fast and an agent-only
    install does not need the hub's dependencies."""
    from edgeplane.cli import registry

    for name, sub in registry.subcommands():
        app.add_typer(sub, name=name)


def main(argv: list[str] | None = None) -> None:
    _register()
    app(args=argv, standalone_mode=True)


if __name__ == "__main__":
    main()
