"""``edgeplane demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from edgeplane.cli.demo import run

app = typer.Typer(help="Run the whole system on this machine and show what it does.")


@app.callback(invoke_without_command=True)
def demo(
    workdir: Annotated[Path, typer.Option(help="scratch directory (wiped first)")] = Path(".demo"),
    clusters_: Annotated[
        bool,
        typer.Option("--clusters", help="instead: three edge clusters delivered through a rendered GitOps repository"),
    ] = False,
) -> None:
    """Start a hub and three agents on 127.0.0.1; publish, place, roll out, update, explain, serve."""
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:  # logs and CI: do not squeeze the summary table into 80 columns
        console = Console(highlight=False, width=140)
    if clusters_:
        from edgeplane.cli.demo import clusters  # needs the k8s extra (dulwich); the main demo does not

        clusters.run(workdir, console)
        return
    run.run(workdir, console)
