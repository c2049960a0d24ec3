"""Which CLI nouns exist. A noun whose optional dependencies are not installed is skipped."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import typer

from edgeplane.cli import errors

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


# Which extra brings a noun's dependencies (for the error when one is missing).
EXTRAS = {"hub": "hub", "model": "hub", "serve": "serve", "gitops": "k8s", "demo": "hub,serve,k8s", "agent": "k8s"}


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
            if name == only:  # the user asked for exactly this: say what is missing
                raise errors.UsageError(
                    f"`edgeplane {name}` needs the Python package {e.name!r}, which is not installed",
                    field=name,
                    hint=f"install the extra it belongs to, e.g. pip install 'edgeplane[{EXTRAS.get(name, 'hub')}]'",
                ) from e
            continue  # an optional extra is not installed: leave the noun out of --help
        yield name, mod.app
