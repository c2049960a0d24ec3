"""``edgeplane demo --clusters`` runs end to end: a real hub, three cluster nodes, the rendered GitOps tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.e2e import procs

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


def test_demo_clusters_prints_the_tree_and_a_minimal_second_commit(tmp_path: Path) -> None:
    done = procs.cli(["demo", "--clusters", "--workdir", str(tmp_path / "demo")], dict(os.environ), timeout=150)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for line in ("registered cluster factory-berlin", "clusters/", "applicationset.yaml",
                 "edgeplane: update 3 cluster(s): factory-berlin, factory-lyon, store-austin"):
        assert line in out
    second = out.split("model policy det-mp -> 2.0.0", 1)[1]
    changed = second.split("edgeplane:")[0]
    assert "clusters/factory-berlin/detector/edge.yaml" in changed and "store-austin" not in changed
    assert (tmp_path / "demo" / "fleet" / "clusters" / "factory-lyon" / "summary.json").is_file()
