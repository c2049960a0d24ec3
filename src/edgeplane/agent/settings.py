"""Agent settings: one pydantic-settings object per agent process, built at the entry point, passed down.

Every field has a default, a unit in its name or description, and a one-line reason. Groups mirror the
agent's parts: ``sync`` (hub long-poll), ``fetch`` (model downloads), ``ess`` (local object API),
``runner`` (device workload processes) and ``serving`` (the inference server). Environment variables
use the prefix ``EDGEPLANE_AGENT_`` and ``__`` between a group and its field, e.g.
``EDGEPLANE_AGENT_FETCH__CHUNK_BYTES=4194304``. The few names the cluster install manifests set
(``EDGEPLANE_HUB_URL``, ``EDGEPLANE_REGISTRATION_TOKEN``, ``EDGEPLANE_NAMESPACE``, ``EDGEPLANE_DATA_DIR``)
are accepted as well, as aliases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SyncSettings(BaseModel):
    """How the agent talks to the hub (used by the sync loop)."""

    wait_s: float = Field(default=55.0, gt=0, description="seconds a long-poll may be held by the hub; "
                          "below common proxy idle timeouts (60 s)")
    backoff_initial_s: float = Field(default=1.0, gt=0, description="seconds before the first reconnect; "
                                     "a blip recovers fast")
    backoff_max_s: float = Field(default=60.0, gt=0, description="seconds cap of the reconnect backoff "
                                 "(protocol: 60 s); full jitter spreads a fleet's reconnects over it")
    retry_after_max_s: float = Field(default=600.0, gt=0, description="seconds cap on a hub's Retry-After; "
                                     "a bogus header cannot park the agent for days")
    request_timeout_s: float = Field(default=30.0, gt=0, description="seconds a non-long-poll hub request "
                                     "may take; a stuck hub is noticed and retried")
    heartbeat_s: float = Field(default=60.0, gt=0, description="seconds between heartbeats when idle; "
                               "lets the hub mark a node stale")
    status_batch_max: int = Field(default=500, ge=1, description="status entries per report; keeps one "
                                  "report well under the hub's request limit")
    status_interval_s: float = Field(default=0.5, gt=0, description="seconds between checks for new status "
                                     "deltas (a local SQLite query); bounds how late the hub hears of a change")


class FetchSettings(BaseModel):
    """Model downloads."""

    chunk_bytes: int = Field(default=1024 * 1024, ge=4096, description="bytes buffered, written and "
                             "fsynced at a time; bounds what a kill -9 or power cut makes us re-fetch")
    parallel_files: int = Field(default=2, ge=1, description="files downloaded at once per model; more "
                                "helps high-latency links, costs memory (chunk_bytes each)")
    retry_initial_s: float = Field(default=1.0, gt=0, description="seconds before retrying a cut download")
    retry_max_s: float = Field(default=300.0, gt=0, description="seconds cap of the download retry backoff")
    max_bytes_per_s: int = Field(default=0, ge=0, description="bytes per second a download may use on "
                                 "average (0: no cap); spares a metered or shared edge link")


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


class ClusterSettings(BaseModel):
    """A cluster agent's Kubernetes side (``kind=cluster`` only; see :mod:`edgeplane.agent.clustering`)."""

    kubeconfig: Path | None = Field(default=None, description="kubeconfig file; unset: the pod's in-cluster "
                                    "service account (what the install manifests give it)")
    context: str | None = Field(default=None, description="kubeconfig context; unset: its current one")
    resync_s: float = Field(default=10.0, gt=0, description="seconds between re-applies of the desired "
                            "workloads; heals drift, retries API errors, refreshes Deployment rollout status")
    storage_size: str = Field(default="1Gi", description="size of a workload's model PVC when its spec "
                              "names none")
    storage_class: str | None = Field(default=None, description="storage class of that PVC; unset: the "
                                      "cluster's default class")


class ServingSettings(BaseModel):
    """The node's inference server (V2 REST), run in-process once the desired state has endpoints."""

    enabled: bool = Field(default=True, description="serve the node's endpoints; False: they are reported "
                          "failed (a node that must not open a port)")
    host: str = Field(default="127.0.0.1", description="bind address; loopback unless apps on other hosts "
                      "call this node")
    port: int = Field(default=8490, ge=0, le=65535, description="TCP port of the V2 REST API (next to the "
                      "hub's 8480); bound only when the first endpoint arrives")
    api_keys: list[str] = Field(default_factory=list, description="keys every endpoint on this node requires "
                                "in api_key_header; empty: none (fine on loopback)")
    api_key_header: str = Field(default="x-api-key", description="header carrying the API key")
    sticky_header: str | None = Field(default=None, description="request header whose value pins a caller to"
                                      " one version of a split (same value, same version); None: no stickiness")
    threads: int = Field(default=0, ge=0, description="inference worker threads; 0: one per CPU core")
    stats_interval_s: float = Field(default=15.0, gt=0, description="seconds between endpoint metrics "
                                    "updates in the node status; only changed entries are sent")
    stop_grace_s: float = Field(default=5.0, ge=0, description="seconds requests in flight get to finish "
                                "on shutdown")


def _also(field: str, name: str) -> AliasChoices:
    """Accept ``EDGEPLANE_AGENT_<FIELD>``, the field's own name (init kwargs) and one more env name."""
    return AliasChoices(field, f"EDGEPLANE_AGENT_{field.upper()}", name)


class AgentSettings(BaseSettings):
    """Everything an agent process is configured with."""

    model_config = SettingsConfigDict(env_prefix="EDGEPLANE_AGENT_", env_nested_delimiter="__",
                                      extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("/var/lib/edgeplane-agent"), description="all local state: "
                           "database, blobs, models, workload dirs, logs, ESS keys, node credential",
                           validation_alias=_also("data_dir", "EDGEPLANE_DATA_DIR"))
    hub_url: str = Field(default="", description="base URL of the hub (http[s]://host:port); the agent "
                         "always dials out, the hub never connects to it",
                         validation_alias=_also("hub_url", "EDGEPLANE_HUB_URL"))
    registration_token: str = Field(default="", description="one-time secret used for the first "
                                    "registration only; afterwards the node credential in data_dir is used",
                                    validation_alias=_also("registration_token", "EDGEPLANE_REGISTRATION_TOKEN"))
    org: str = Field(default="default", description="the node's org; the registration token must belong "
                     "to it (the hub's first org is 'default')")
    node_name: str = Field(default="", description="name to register under; empty: the host name")
    kind: Literal["device", "cluster"] = Field(default="device", description="device (runs processes) or "
                                               "cluster (applies Kubernetes objects)")
    namespace: str = Field(default="", description="Kubernetes namespace of a cluster agent (set by its "
                           "manifests); unused on devices",
                           validation_alias=_also("namespace", "EDGEPLANE_NAMESPACE"))
    properties_file: Path | None = Field(default=None, description="OH node policy JSON (properties, "
                                         "constraints, deployment); re-sent on every start")
    node_id: str = Field(default="", description="the node's id (set at registration, read back from the "
                         "credential file)")
    arch: str = Field(default="", description="HZN_ARCH given to workloads; empty: detect (amd64, arm64..)")
    sync: SyncSettings = Field(default_factory=SyncSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    ess: EssSettings = Field(default_factory=EssSettings)
    runner: RunnerSettings = Field(default_factory=RunnerSettings)
    serving: ServingSettings = Field(default_factory=ServingSettings,
                                     description="the inference server for the node's endpoints")
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, v: Path) -> Path:
        """Workloads get paths under it in their env and run in their own directories: keep it absolute."""
        return v.expanduser().resolve()
