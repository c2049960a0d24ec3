"""``edgeplane demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from edgeplane.cli.demo import run

app = typer.Typer(help="Run the whole system on this machine and show what it does.")


@app.callback(invoke_without_command=True)
def demo(workdir: Annotated[Path, typer.Option(help="scratch directory (wiped first)")] = Path(".demo")) -> None:
    """Start a hub and three agents on 127.0.0.1; publish, place, roll out, update, explain, serve."""
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:  # logs and CI: do not squeeze the summary table into 80 columns
        console = Console(highlight=False, width=140)
    run.run(workdir, console)
