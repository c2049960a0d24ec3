"""Agent settings: one pydantic-settings object per agent process, built at the entry point, passed down.

Every field has a default, a unit in its name or description, and a one-line reason. Groups mirror the
agent's parts: ``sync`` (hub long-poll), ``fetch`` (model downloads), ``ess`` (local object API) and
``runner`` (device workload processes). Environment variables use the prefix ``EDGEPLANE_AGENT_`` and
``__`` between a group and its field, e.g. ``EDGEPLANE_AGENT_FETCH__CHUNK_BYTES=4194304``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SyncSettings(BaseModel):
    """How the agent talks to the hub (used by the sync loop)."""

    wait_s: float = Field(default=55.0, gt=0, description="seconds a long-poll may be held by the hub; "
                          "below common proxy idle timeouts (60 s)")
    backoff_initial_s: float = Field(default=1.0, gt=0, description="seconds before the first reconnect; "
                                     "a blip recovers fast")
    backoff_max_s: float = Field(default=300.0, gt=0, description="seconds cap of the reconnect backoff; "
                                 "a dead hub costs at most one try per 5 minutes")
    heartbeat_s: float = Field(default=60.0, gt=0, description="seconds between heartbeats when idle; "
                               "lets the hub mark a node stale")
    status_batch_max: int = Field(default=500, ge=1, description="status entries per report; keeps one "
                                  "report well under the hub's request limit")


class FetchSettings(BaseModel):
    """Model downloads."""

    chunk_bytes: int = Field(default=1024 * 1024, ge=4096, description="bytes buffered, written and "
                             "fsynced at a time; bounds what a kill -9 or power cut makes us re-fetch")
    parallel_files: int = Field(default=2, ge=1, description="files downloaded at once per model; more "
                                "helps high-latency links, costs memory (chunk_bytes each)")
    retry_initial_s: float = Field(default=1.0, gt=0, description="seconds before retrying a cut download")
    retry_max_s: float = Field(default=300.0, gt=0, description="seconds cap of the download retry backoff")


class EssSettings(BaseModel):
    """The Open Horizon ESS-compatible object API served to workloads."""

    socket_path: Path | None = Field(default=None, description="unix socket path (default "
                                     "<data_dir>/ess.sock; must be < 108 bytes, a kernel limit)")
    host: str | None = Field(default=None, description="serve TLS over TCP on this host instead of a "
                             "unix socket (cluster agents)")
    port: int = Field(default=8443, ge=0, le=65535, description="TCP port when host is set; 8443 is what "
                      "cluster workloads are told")
    cert_sans: list[str] = Field(default_factory=lambda: ["localhost"], description="DNS names in the "
                                 "server certificate; clients verify the hostname against them")
    cert_days: int = Field(default=3650, ge=1, description="days the generated CA and server cert are valid;"
                           " devices may stay offline for long")
    webhook_timeout_s: float = Field(default=5.0, gt=0, description="seconds a webhook call may take; a "
                                     "stuck workload must not stall notifications to others")
    read_chunk_bytes: int = Field(default=256 * 1024, ge=4096, description="bytes per chunk when "
                                  "streaming object data")


class RunnerSettings(BaseModel):
    """Supervision of device workload processes."""

    backoff_initial_s: float = Field(default=1.0, ge=0, description="seconds before restarting a workload"
                                     " that exited")
    backoff_max_s: float = Field(default=60.0, ge=0, description="seconds cap of the restart backoff; a "
                                 "crash-looping workload costs one start a minute")
    backoff_reset_s: float = Field(default=60.0, ge=0, description="seconds a workload must stay up for its"
                                   " backoff to reset")
    stop_grace_s: float = Field(default=10.0, ge=0, description="seconds between SIGTERM and SIGKILL on stop")
    log_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="bytes per workload log file"
                               " before it rotates")
    log_backups: int = Field(default=3, ge=0, description="rotated log files kept per workload")


class AgentSettings(BaseSettings):
    """Everything an agent process is configured with."""

    model_config = SettingsConfigDict(env_prefix="EDGEPLANE_AGENT_", env_nested_delimiter="__",
                                      extra="ignore")

    data_dir: Path = Field(default=Path("/var/lib/edgeplane-agent"), description="all local state: "
                           "database, blobs, models, workload dirs, logs, ESS keys")
    org: str = Field(default="", description="the node's org (set at registration)")
    node_id: str = Field(default="", description="the node's id (set at registration)")
    arch: str = Field(default="", description="HZN_ARCH given to workloads; empty: detect (amd64, arm64..)")
    sync: SyncSettings = Field(default_factory=SyncSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    ess: EssSettings = Field(default_factory=EssSettings)
    runner: RunnerSettings = Field(default_factory=RunnerSettings)
