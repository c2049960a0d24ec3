"""The CLI against the real hub app, in-process: ``cli`` yields a CliRunner and the hub's TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from edgeplane.cli import context
from edgeplane.cli.main import _register
from edgeplane.client.hub import HubClient
from edgeplane.hub.app import create_app
from edgeplane.hub.settings import HubSettings

_register()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[CliRunner, TestClient]]:
    settings = HubSettings(data_dir=tmp_path / "hub")
    with TestClient(create_app(settings)) as api:
        token = (settings.data_dir / "admin-token").read_text().strip()
        api.headers["Authorization"] = f"Bearer {token}"
        monkeypatch.setenv("EDGEPLANE_TOKEN", token)
        monkeypatch.setattr(context, "client",
                            lambda s: HubClient("http://testserver", s.token, transport=api._transport))
        yield CliRunner(), api
