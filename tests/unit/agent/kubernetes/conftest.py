"""The in-memory Kubernetes API (:mod:`tests.kube_emulator`) as fixtures, plus a :class:`DynamicKubeApi`
pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client as kclient
from tests import kube_emulator
from tests.kube_emulator import Cluster

from edgeplane.agent.workloads import kubernetes_client

__all__ = ["Cluster"]


@pytest.fixture()
def cluster() -> Iterator[Cluster]:
    with kube_emulator.running() as c:
        yield c


@pytest.fixture()
def api(cluster: Cluster, tmp_path: Path) -> kubernetes_client.DynamicKubeApi:
    cfg = kclient.Configuration()
    cfg.host = cluster.url
    return kubernetes_client.DynamicKubeApi(kclient.ApiClient(cfg), discovery_cache=tmp_path / "discovery.json")
