"""``render(repo_dir, clusters, commit=...)``: write the fleet's GitOps tree and, if asked, commit it.

The renderer owns three directories of the repository -- ``base/``, ``clusters/`` and ``hub/`` -- and makes
them hold exactly the rendered files: changed files are rewritten, stale ones deleted, identical ones left
alone, so a re-render after a small change is a small diff. The commit message is computed from the
clusters' summaries before and after (:mod:`edgeplane.gitops.messages`). Everything else in the repository
is left untouched. Called by ``edgeplane gitops render`` and, later, by the hub.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgeplane._kit.errors import InvalidInput
from edgeplane.gitops import argo, flux, gitrepo, inputs, kustomize, messages, ocm, yamlio

MANAGED_ROOTS = ("base", "clusters", "hub")
UNCOMMITTED = "edgeplane: commit the tree rendered earlier without --commit\n"


@dataclass(frozen=True)
class RenderResult:
    files: list[str]
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    message: str = ""
    commit: str | None = None

    @property
    def changed(self) -> list[str]:
        return sorted(self.written + self.removed)


def hub_files(clusters: Sequence[inputs.ClusterInput], opts: inputs.RenderOptions) -> kustomize.Files:
    files = {
        "hub/argocd/applicationset.yaml": yamlio.dump(argo.application_set(opts)),
        "hub/ocm/placement.yaml": yamlio.dump(ocm.placement(clusters, opts)),
        "hub/ocm/managedclustersetbinding.yaml": yamlio.dump(ocm.cluster_set_binding(opts)),
        "hub/ocm/gitopscluster.yaml": yamlio.dump(ocm.gitops_cluster(opts)),
        "hub/ocm/acm-placement-configmap.yaml": yamlio.dump(ocm.decision_configmap(opts)),
    }
    for c in clusters:
        files[f"hub/argocd/applications/{c.cluster}.yaml"] = yamlio.dump(argo.application(c, opts))
        files[f"hub/flux/{c.cluster}.yaml"] = yamlio.dump_all(flux.objects(c, opts))
    return files


def files_for(clusters: Sequence[inputs.ClusterInput], opts: inputs.RenderOptions) -> kustomize.Files:
    """Every managed file, by relative path (pure)."""
    names = [c.cluster for c in clusters]
    if len(set(names)) != len(names):
        raise InvalidInput("two clusters render to the same name", field="clusters",
                           hint="give each cluster a distinct 'name'")
    files: kustomize.Files = {}
    for c in clusters:
        files.update(kustomize.cluster_files(c, opts))
    files.update(hub_files(clusters, opts))
    return dict(sorted(files.items()))


def _existing(repo: Path) -> set[str]:
    found: set[str] = set()
    for root in MANAGED_ROOTS:
        if (repo / root).is_dir():
            found.update(p.relative_to(repo).as_posix() for p in (repo / root).rglob("*") if p.is_file())
    return found


def _summaries(repo: Path, paths: set[str] | dict[str, str]) -> dict[str, Any]:
    out = {}
    for path in paths:
        parts = path.split("/")
        if len(parts) == 3 and parts[0] == "clusters" and parts[2] == "summary.json":
            text = paths[path] if isinstance(paths, dict) else (repo / path).read_text()
            try:
                out[parts[1]] = json.loads(text)
            except ValueError:
                continue
    return out


def render(
    repo_dir: Path,
    clusters: Sequence[inputs.ClusterInput],
    *,
    commit: bool,
    options: inputs.RenderOptions | None = None,
) -> RenderResult:
    """Make ``base/``, ``clusters/`` and ``hub/`` under ``repo_dir`` hold exactly the rendered tree; with
    ``commit``, commit the change (creating the repository if needed). Nothing changed: no commit."""
    opts = options or inputs.RenderOptions()
    files = files_for(clusters, opts)
    existing = _existing(repo_dir)
    before = _summaries(repo_dir, existing)
    written = []
    for path, text in files.items():
        target = repo_dir / path
        if path in existing and target.read_text() == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        written.append(path)
    removed = sorted(existing - files.keys())
    for path in removed:
        (repo_dir / path).unlink()
    _prune_empty_dirs(repo_dir)
    changed = len(written) + len(removed)
    message = messages.compose(before, _summaries(repo_dir, files), files_changed=changed) if changed else ""
    sha = None
    if commit:  # stage the whole managed tree: an earlier render may have run without --commit
        sha = gitrepo.commit(repo_dir, [*files, *removed], message or UNCOMMITTED)
    return RenderResult(files=list(files), written=written, removed=removed, message=message, commit=sha)


def _prune_empty_dirs(repo: Path) -> None:
    for root in MANAGED_ROOTS:
        base = repo / root
        if not base.is_dir():
            continue
        dirs = [base, *(p for p in base.rglob("*") if p.is_dir())]
        for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
            if not any(d.iterdir()):
                d.rmdir()
