"""CLI error reporting: one line, a hint, and the exit code the error class carries."""

from __future__ import annotations

import sys

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from edgeplane._kit.errors import Error, InvalidInput


class UsageError(InvalidInput):
    code = "usage"
    exit_code = 2


def report(err: Error, console: Console | None = None) -> int:
    """Print ``err`` as one line (plus its hint) to stderr and return its exit code."""
    out = console or Console(stderr=True, highlight=False, soft_wrap=True)
    where = f" ({err.field})" if err.field else ""
    out.print(f"[bold red]error[/]: {escape(err.detail + where)}", markup=True)
    if err.hint:
        out.print(f"[dim]hint[/]: {escape(err.hint)}", markup=True)
    return err.exit_code


def fail(err: Error) -> None:
    sys.exit(report(err))


def from_validation(exc: ValidationError) -> UsageError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or None
    return UsageError(
        f"{field}: {first.get('msg')}" if field else str(first.get("msg")),
        field=field,
        hint="see --help for the accepted values",
    )
