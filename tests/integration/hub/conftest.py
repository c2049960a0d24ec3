"""In-process hub fixtures: the real ASGI app over a real database, driven through the typed client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from edgeplane.client.hub import HubClient
from edgeplane.hub.app import create_app
from edgeplane.hub.settings import HubSettings, StoreSettings


@pytest.fixture
def hub_settings(tmp_path: Path, database_url: str) -> HubSettings:
    return HubSettings(data_dir=tmp_path / "hub", store=StoreSettings(database_url=database_url))


@pytest.fixture
def api(hub_settings: HubSettings) -> Iterator[TestClient]:
    """A TestClient authenticated as the bootstrap admin of org 'default'."""
    with TestClient(create_app(hub_settings)) as client:
        token = (hub_settings.data_dir / "admin-token").read_text().strip()
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.fixture
def admin_token(hub_settings: HubSettings, api: TestClient) -> str:
    return (hub_settings.data_dir / "admin-token").read_text().strip()


@pytest.fixture
def hub_client(api: TestClient, admin_token: str) -> Iterator[HubClient]:
    """The typed client, in-process (no socket), as the bootstrap admin."""
    with HubClient("http://testserver", admin_token, transport=api._transport) as client:
        yield client


def client_for(api: TestClient, token: str) -> HubClient:
    return HubClient("http://testserver", token, transport=api._transport)
