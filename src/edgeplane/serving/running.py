"""Run the inference server app under an ASGI server: uvicorn (default) or granian.

uvicorn runs with httptools and uvloop (the serve extra pins both): the request is parsed, routed and, for a
cheap model, answered on one thread, with no cross-thread wake-up. granian needs an import string, so it
builds the app in its worker from ``EDGEPLANE_SERVING_*`` env vars (``from_env``); the caller exports the
settings first. One worker process either way: the model table and the thread pool live in it, and ONNX
Runtime releases the GIL, so the pool's threads scale across cores.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette

from edgeplane._kit.errors import InvalidInput
from edgeplane.serving import app, settings


def from_env() -> Starlette:
    """Factory for granian: settings from the environment."""
    return app.create_app(settings.ServingSettings())


def export(settings_: settings.ServingSettings) -> None:
    """Put ``settings_`` into the environment so a ``from_env`` worker sees the same values."""
    for name, value in settings_.model_dump(exclude_none=True).items():
        os.environ[f"EDGEPLANE_SERVING_{name.upper()}"] = str(value)


def run(settings_: settings.ServingSettings) -> None:
    """Serve until interrupted."""
    if settings_.server == "uvicorn":
        import uvicorn

        uvicorn.run(
            app.create_app(settings_),
            host=settings_.host,
            port=settings_.port,
            log_level="warning",
            access_log=False,
            http="httptools",
            loop="uvloop",
        )
        return
    try:
        from granian import Granian
        from granian.constants import Interfaces
    except ImportError as e:
        raise InvalidInput(
            "granian is not installed", field="--server", hint="use --server uvicorn, or pip install 'edgeplane[hub]'"
        ) from e

    export(settings_)
    Granian(
        "edgeplane.serving.running:from_env",
        address=settings_.host,
        port=settings_.port,
        interface=Interfaces.ASGI,
        factory=True,
        workers=1,
        log_level="warning",  # type: ignore[arg-type]
    ).serve()
