"""Invoking the ``edgeplane`` command in-process."""

from __future__ import annotations

from typer.testing import CliRunner

from edgeplane.cli.main import app


def run(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output
