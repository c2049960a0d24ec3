"""``edgeplane hub serve``: run the hub API (granian by default, uvicorn as a fallback)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer
from granian import Granian  # the hub extra: a missing one is reported by the CLI registry
from granian.constants import Interfaces, Loops
from granian.log import LogLevels

from edgeplane.hub.settings import HubSettings

app = typer.Typer(help="Run the hub.", no_args_is_help=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8480,
    data_dir: Annotated[Path, typer.Option(help="SQLite db, artifacts, admin token")] = Path("./edgeplane-data"),
    database_url: Annotated[str, typer.Option(help="PostgreSQL URL (default: SQLite in the data dir)")] = "",
    artifacts: Annotated[Path | None, typer.Option(help="artifact directory (default: <data-dir>/artifacts)")] = None,
    workers: Annotated[int, typer.Option(help="server worker processes")] = 1,
    server: Annotated[str, typer.Option(help="granian or uvicorn")] = "granian",
) -> None:
    """Serve the hub API until interrupted. The first start prints the bootstrap admin token once.

    Migrations and the first-start bootstrap run in the server process's lifespan, so this supervising
    process stays small (it imports no database code)."""
    os.environ["EDGEPLANE_DATA_DIR"] = str(data_dir.resolve())
    if database_url:
        os.environ["EDGEPLANE_STORE__DATABASE_URL"] = database_url
    if artifacts is not None:
        os.environ["EDGEPLANE_ARTIFACTS__ROOT"] = str(artifacts.resolve())
    settings = HubSettings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    typer.echo(f"hub listening on http://{host}:{port} (data in {settings.data_dir})")
    if server == "uvicorn":
        _uvicorn(settings, host, port)
    else:
        _granian(host, port, workers)


def _granian(host: str, port: int, workers: int) -> None:
    Granian(
        "edgeplane.hub.app:create_app_from_env",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        factory=True,
        workers=workers,
        # The stdlib loop, pinned: "auto" would pick uvloop whenever the serve extra happens to be installed,
        # so a hub-only install and the test venv would run different loops.
        loop=Loops.asyncio,
        log_level=LogLevels.warning,
        workers_kill_timeout=5,  # long-polls would otherwise hold a graceful stop for up to their wait
        # Each connected agent parks one long-poll: allow many in flight (granian's default caps it at 1024).
        backlog=4096,
        backpressure=100_000,
    ).serve()


def _uvicorn(settings: HubSettings, host: str, port: int) -> None:
    import uvicorn

    from edgeplane.hub.app import create_app

    logging.basicConfig(level=logging.INFO)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", loop="asyncio")
