"""Settings of one inference server process, built at the entry point and passed down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServingSettings(BaseSettings):
    """Every field has a default; env vars ``EDGEPLANE_SERVING_<FIELD>`` override them."""

    model_config = SettingsConfigDict(env_prefix="EDGEPLANE_SERVING_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="bind address; loopback unless asked otherwise")
    port: int = Field(default=8600, ge=0, le=65535, description="TCP port of the V2 REST API")
    server: Literal["granian", "uvicorn"] = Field(
        default="uvicorn",
        description="ASGI server for `edgeplane serve`: uvicorn (httptools, uvloop) answers a small request in about "
        "half the time granian needs here, and keeps up at 32 clients; granian needs the hub extra",
    )
    threads: int = Field(default=0, ge=0, description="inference worker threads; 0 = one per CPU core")
    intra_op_threads: int = Field(
        default=1, ge=1, description="ONNX Runtime threads per call; requests run in parallel instead"
    )
    model_repo: Path | None = Field(default=None, description="directory loaded at start-up (standalone mode)")
    api_key_header: str = Field(default="x-api-key", description="header carrying an endpoint's API key")
    seed: int | None = Field(default=None, description="seed of the traffic splitter; None = random")
    warmup: bool = Field(default=True, description="run one inference before a version enters service")
    inline_max_us: float = Field(
        default=100.0,
        ge=0,
        description="run a request on the event loop when its version's warm-up timing predicts less than this "
        "(microseconds): handing a 15 us call to a thread costs more (0.1-0.4 ms of wake-ups on a VM); 0 = never",
    )
    max_body_bytes: int = Field(default=64 << 20, ge=1024, description="largest infer request body, bytes")
    stats_window_s: float = Field(default=60.0, gt=0, description="latency window of stats(), seconds")
    shadow_rtol: float = Field(default=1e-5, ge=0, description="relative tolerance of shadow comparisons")
    shadow_atol: float = Field(default=1e-6, ge=0, description="absolute tolerance of shadow comparisons")

    def worker_threads(self) -> int:
        return self.threads or os.cpu_count() or 1
