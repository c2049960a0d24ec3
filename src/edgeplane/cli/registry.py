"""Which CLI nouns exist. A noun whose optional dependencies are not installed is skipped."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import typer

# (command name, module under edgeplane.cli). Each module exposes ``app: typer.Typer``.
NOUNS: list[tuple[str, str]] = [
    ("demo", "demo_cmd"),
    ("endpoint", "endpoint"),
    ("explain", "explain"),
    ("hub", "hub"),
    ("model", "model"),
    ("node", "node"),
    ("policy", "policy"),
    ("token", "token"),
    ("workload", "workload"),
    ("serve", "serve"),
    ("agent", "agent"),
    ("gitops", "gitops"),
]


def subcommands(only: str | None = None) -> Iterator[tuple[str, typer.Typer]]:
    known = {name for name, _ in NOUNS}
    for name, module in NOUNS:
        if only in known and name != only:
            continue
        try:
            mod = importlib.import_module(f"edgeplane.cli.{module}")
        except ModuleNotFoundError as e:
            if e.name and e.name.startswith("edgeplane"):
                raise
            continue  # an optional extra is not installed
        yield name, mod.app
