"""Flux objects a cluster applies (once, at bootstrap) to pull its overlay: a ``GitRepository`` and a
``Kustomization`` for ``clusters/<cluster>``, labelled with the node's labels (pure)."""

from __future__ import annotations

from typing import Any

from edgeplane.gitops import inputs, manifests


def objects(c: inputs.ClusterInput, opts: inputs.RenderOptions) -> list[dict[str, Any]]:
    labels = {manifests.MANAGED_BY: manifests.MANAGER, **c.labels}
    repo = {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "edgeplane", "namespace": opts.flux_namespace, "labels": labels},
            "spec": {"url": opts.repo_url, "ref": {"branch": opts.revision}, "interval": "1m"}}
    kustomization = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": f"edgeplane-{c.cluster}", "namespace": opts.flux_namespace, "labels": labels},
        "spec": {"interval": opts.sync_interval, "path": f"./clusters/{c.cluster}", "prune": True, "wait": False,
                 "sourceRef": {"kind": "GitRepository", "name": "edgeplane"}},
    }
    return [repo, kustomization]
