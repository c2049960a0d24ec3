"""``edgeplane gitops render --repo DIR --from-file DESIRED.json [--commit]``."""

from __future__ import annotations

import json
from pathlib import Path

from dulwich.repo import Repo
from tests.unit.gitops.gitops_fleet import DETECTOR_DIGEST, fleet
from typer.testing import CliRunner

from edgeplane.cli import gitops

runner = CliRunner()


def write_input(tmp_path: Path) -> Path:
    path = tmp_path / "desired.json"
    path.write_text(json.dumps([c.model_dump(mode="json") for c in fleet()]))
    return path


def test_render_and_commit(tmp_path: Path) -> None:
    digests = tmp_path / "digests.json"
    digests.write_text(json.dumps({"ghcr.io/acme/detector:1.0.0": DETECTOR_DIGEST}))
    repo = tmp_path / "repo"
    args = ["render", "--repo", str(repo), "--from-file", str(write_input(tmp_path)), "--commit",
            "--digests", str(digests), "--repo-url", "https://git.example.com/fleet.git"]
    result = runner.invoke(gitops.app, args)

    assert result.exit_code == 0, result.output
    assert "store-a: new cluster" in result.output and "committed" in result.output
    assert DETECTOR_DIGEST in (repo / "base/acme/detector/1.0.0/manifests.yaml").read_text()
    assert Repo(str(repo))[b"HEAD"].message.decode().startswith("edgeplane: update 3 cluster(s)")
    again = runner.invoke(gitops.app, args)
    assert again.exit_code == 0 and again.output.strip() == "no change"


def test_bad_input_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"desired": {"org": "acme"}}]))
    result = runner.invoke(gitops.app, ["render", "--repo", str(tmp_path / "r"), "--from-file", str(bad)])
    assert result.exit_code != 0
