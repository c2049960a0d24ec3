"""The hub keeping a GitOps repository current (EDGEPLANE_GITOPS__REPO): each placement change that touches a
cluster becomes one commit; changes that touch none commit nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dulwich.repo import Repo
from fastapi.testclient import TestClient
from tests.integration.cli.test_cli_gitops import fleet, model, ok

from edgeplane.hub.app import create_app
from edgeplane.hub.settings import GitopsSettings, HubSettings


@pytest.fixture
def keeper(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    repo = tmp_path / "fleet-repo"
    settings = HubSettings(data_dir=tmp_path / "hub", gitops=GitopsSettings(repo=repo, interval_s=0.05))
    with TestClient(create_app(settings)) as api:
        api.headers["Authorization"] = "Bearer " + (settings.data_dir / "admin-token").read_text().strip()
        yield api, repo


def commits(repo: Path) -> list[str]:
    if not (repo / ".git").exists():
        return []
    with Repo(str(repo)) as r:
        return [e.commit.message.decode() for e in r.get_walker()]


def wait_for(check, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_hub_commits_each_cluster_change_once(keeper: tuple[TestClient, Path]) -> None:
    api, repo = keeper
    sha = fleet(api)
    wait_for(lambda: any(sha in p.read_text() for p in repo.rglob("*.yaml") if ".git" not in p.parts))
    time.sleep(0.5)  # the keeper renders every placement change; let it catch up with the last one
    before = len(commits(repo))
    assert before >= 1
    assert (repo / "clusters" / "store-a").is_dir() and (repo / "clusters" / "store-c").is_dir()
    # a change no cluster sees (a model nobody routes) commits nothing
    model(api, "9.9.9")
    time.sleep(0.5)
    assert len(commits(repo)) == before
    # routing a new version commits once, saying what changed and why
    sha2 = model(api, "2.0.0")
    ok(api, "PUT", "/model-policies/det-mp", {"model": "det", "version": "2.0.0", "services": [{"name": "detector"}]})
    message = wait_for(lambda: next((m for m in commits(repo) if "2.0.0" in m), None))
    assert "det-mp" in message
    assert any(sha2 in p.read_text() for p in repo.rglob("*.yaml") if ".git" not in p.parts)
