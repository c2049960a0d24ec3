"""``edgeplane hub serve``: run the hub API (granian by default, uvicorn as a fallback)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from edgeplane.hub import bootstrap
from edgeplane.hub.settings import HubSettings
from edgeplane.hub.store import db

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
    """Serve the hub API until interrupted. The first start prints the bootstrap admin token once."""
    os.environ["EDGEPLANE_DATA_DIR"] = str(data_dir.resolve())
    if database_url:
        os.environ["EDGEPLANE_STORE__DATABASE_URL"] = database_url
    if artifacts is not None:
        os.environ["EDGEPLANE_ARTIFACTS__ROOT"] = str(artifacts.resolve())
    settings = HubSettings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = db.connect(settings)
    db.migrate(database)
    token = bootstrap.bootstrap(settings, database)
    database.engine.dispose()
    if token:
        typer.echo(f"created org 'default'; admin token (also in {settings.data_dir / 'admin-token'}):\n{token}")
    typer.echo(f"hub listening on http://{host}:{port} (data in {settings.data_dir})")
    if server == "uvicorn":
        _uvicorn(settings, host, port)
    else:
        _granian(host, port, workers)


def _granian(host: str, port: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "edgeplane.hub.app:create_app_from_env",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        factory=True,
        workers=workers,
        log_level="warning",
    ).serve()  # type: ignore[arg-type]


def _uvicorn(settings: HubSettings, host: str, port: int) -> None:
    import uvicorn

    from edgeplane.hub.app import create_app

    logging.basicConfig(level=logging.INFO)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
