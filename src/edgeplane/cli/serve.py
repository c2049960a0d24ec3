"""``edgeplane serve``: the V2 inference server over a model repository directory (standalone mode).

The agent runs the same server in-process and drives it through ``serving.server.InferenceServer``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from edgeplane.serving import repository, running, settings

app = typer.Typer(help="Serve models over the Open Inference Protocol (V2 REST).", no_args_is_help=False)


@app.callback(invoke_without_command=True)
def serve(
    model_repo: Path = typer.Option(..., "--model-repo", help="DIR/<model>/<version>/model.onnx|model.joblib"),
    port: int = typer.Option(8600, "--port", help="TCP port"),
    host: str = typer.Option("127.0.0.1", "--host", help="bind address"),
    server: str = typer.Option("uvicorn", "--server", help="uvicorn or granian"),
    threads: int = typer.Option(0, "--threads", help="inference threads; 0 = one per core"),
    seed: int | None = typer.Option(None, "--seed", help="seed of the traffic splitter"),
) -> None:
    """Load every model under --model-repo and serve it on http://HOST:PORT/v2."""
    repository.scan(model_repo)  # fail fast on a bad layout, before the server starts
    built = settings.ServingSettings(
        model_repo=model_repo.resolve(), port=port, host=host, server=server, threads=threads, seed=seed
    )
    typer.echo(f"serving {model_repo} on http://{host}:{port}/v2 ({server})")
    running.run(built)
