"""CLI error reporting: one line, a hint, and the exit code the error class carries."""

from __future__ import annotations

import sys

from rich.console import Console

from edgeplane._kit.errors import Error, InvalidInput


class UsageError(InvalidInput):
    code = "usage"
    exit_code = 2


def report(err: Error, console: Console | None = None) -> int:
    """Print ``err`` as one line (plus its hint) to stderr and return its exit code."""
    out = console or Console(stderr=True, highlight=False, soft_wrap=True)
    where = f" [{err.field}]" if err.field else ""
    out.print(f"[bold red]error[/]: {err.detail}{where}", markup=True)
    if err.hint:
        out.print(f"[dim]hint[/]: {err.hint}", markup=True)
    return err.exit_code


def fail(err: Error) -> None:
    sys.exit(report(err))
