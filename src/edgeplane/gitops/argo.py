"""Argo CD objects that make clusters pull their overlay (pure).

- an ``ApplicationSet`` whose ``clusterDecisionResource`` generator follows the OCM Placement (ACM users);
- a plain ``Application`` per cluster, for bring-your-own Argo CD, labelled with the node's labels.
"""

from __future__ import annotations

from typing import Any

from edgeplane.gitops import inputs, manifests, ocm

APPSET_NAME = "edgeplane-clusters"
_SYNC = {
    "automated": {"prune": True, "selfHeal": True},
    "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
}


def _labels(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {manifests.MANAGED_BY: manifests.MANAGER, **(extra or {})}


def application_set(opts: inputs.RenderOptions) -> dict[str, Any]:
    generator = {"clusterDecisionResource": {
        "configMapRef": ocm.DECISION_CONFIGMAP,
        "labelSelector": {"matchLabels": {"cluster.open-cluster-management.io/placement": ocm.PLACEMENT_NAME}},
        "requeueAfterSeconds": 180,
    }}
    template = {
        "metadata": {"name": "edgeplane-{{name}}", "labels": _labels()},
        "spec": {
            "project": "default",
            "source": {"repoURL": opts.repo_url, "targetRevision": opts.revision, "path": "clusters/{{name}}"},
            "destination": {"server": "{{server}}"},
            "syncPolicy": _SYNC,
        },
    }
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
            "metadata": {"name": APPSET_NAME, "namespace": opts.argocd_namespace, "labels": _labels()},
            "spec": {"generators": [generator], "template": template}}


def application(c: inputs.ClusterInput, opts: inputs.RenderOptions) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": f"edgeplane-{c.cluster}", "namespace": opts.argocd_namespace,
                     "labels": _labels(c.labels)},
        "spec": {
            "project": "default",
            "source": {"repoURL": opts.repo_url, "targetRevision": opts.revision, "path": f"clusters/{c.cluster}"},
            "destination": {"name": c.cluster},
            "syncPolicy": _SYNC,
        },
    }
