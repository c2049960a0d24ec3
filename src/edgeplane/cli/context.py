"""What every hub-talking command needs: the hub URL, the token and the org (EDGEPLANE_* env)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from edgeplane._kit.errors import InvalidInput
from edgeplane.client.hub import HubClient


class CliSettings(BaseSettings):
    """Built once per CLI invocation from the environment."""

    model_config = SettingsConfigDict(env_prefix="EDGEPLANE_", extra="ignore")

    hub: str = Field(default="http://127.0.0.1:8480", description="hub base URL (EDGEPLANE_HUB)")
    token: str = Field(default="", description="API token (EDGEPLANE_TOKEN)")
    org: str = Field(default="default", description="org to act in (EDGEPLANE_ORG)")
    timeout: float = Field(default=30.0, gt=0, description="seconds per HTTP request")


def client(settings: CliSettings) -> HubClient:
    if not settings.token:
        raise InvalidInput(
            "no API token", field="EDGEPLANE_TOKEN", hint="export EDGEPLANE_TOKEN=$(cat <hub data dir>/admin-token)"
        )
    return HubClient(settings.hub, settings.token, timeout=settings.timeout)


def load() -> CliSettings:
    return CliSettings()
