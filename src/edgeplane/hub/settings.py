"""Hub settings: one pydantic-settings object per hub process, built at the entry point, passed down.

Environment variables use the prefix ``EDGEPLANE_`` and ``__`` between group and field, e.g.
``EDGEPLANE_STORE__DATABASE_URL``. ``EDGEPLANE_DATA_DIR`` sets the data dir.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseModel):
    host: str = Field(default="127.0.0.1", description="address to bind; loopback unless told otherwise")
    port: int = Field(default=8480, ge=0, le=65535, description="TCP port of the hub API")
    workers: int = Field(default=1, ge=1, le=64, description="server worker processes")
    public_url: str = Field(default="", description="URL agents use to reach this hub; empty: derived")


class StoreSettings(BaseModel):
    database_url: str = Field(default="", description="SQLAlchemy URL; empty: SQLite (WAL) at <data_dir>/hub.db")
    pool_size: int = Field(default=10, ge=1, le=200, description="connections per process (PostgreSQL)")
    echo: bool = Field(default=False, description="log every SQL statement (debugging)")


class ArtifactSettings(BaseModel):
    root: Path | None = Field(default=None, description="blob directory; empty: <data_dir>/artifacts")
    write_buffer: int = Field(
        default=4 * 1024 * 1024, ge=64 * 1024, description="bytes: upload data is hashed+written in these steps"
    )


class PlacementSettings(BaseModel):
    watch_interval: float = Field(
        default=0.5, gt=0, le=60, description="seconds between checks for desired-state changes other replicas made"
    )
    max_wait: float = Field(default=300, gt=0, le=3600, description="seconds a desired-state long-poll may be held")


class AuthSettings(BaseModel):
    bootstrap: bool = Field(default=True, description="on first start, create org 'default' and an admin token")
    cache_seconds: float = Field(
        default=30.0,
        ge=0,
        le=3600,
        description="seconds a resolved token is trusted without a database lookup (revocation takes up to this)",
    )


class GitopsSettings(BaseModel):
    repo: Path | None = Field(default=None, description="git repository the hub keeps rendered; empty: off")
    org: str = Field(default="default", description="org whose cluster nodes are rendered")
    repo_url: str = Field(default="", description="URL the GitOps controllers clone; empty: the repo's path")
    revision: str = Field(default="HEAD", description="branch or tag the controllers follow")
    interval_s: float = Field(default=5.0, gt=0, description="seconds between checks for placement changes")


class HubSettings(BaseSettings):
    """Everything one hub process needs to know."""

    model_config = SettingsConfigDict(env_prefix="EDGEPLANE_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(default=Path("./edgeplane-data"), description="SQLite db, artifacts, admin token")
    server: ServerSettings = Field(default_factory=ServerSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    artifacts: ArtifactSettings = Field(default_factory=ArtifactSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    placement: PlacementSettings = Field(default_factory=PlacementSettings)
    gitops: GitopsSettings = Field(default_factory=GitopsSettings)

    def database_url(self) -> str:
        return self.store.database_url or f"sqlite:///{(self.data_dir / 'hub.db').resolve()}"

    def artifact_root(self) -> Path:
        return self.artifacts.root or self.data_dir / "artifacts"
