"""The ``edgeplane`` command: one sub-app per noun, each in its own module."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError

from edgeplane._kit.errors import Error
from edgeplane.cli import errors

app = typer.Typer(
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
    try:
        app(args=argv, standalone_mode=True)
    except Error as err:
        sys.exit(errors.report(err))
    except ValidationError as exc:
        sys.exit(errors.report(errors.from_validation(exc)))


if __name__ == "__main__":
    main()
