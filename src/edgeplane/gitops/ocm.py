"""Open Cluster Management (ACM) objects: which managed clusters the ApplicationSet targets (pure).

One ``Placement`` with one predicate per cluster (predicates are ORed): the cluster's ``name`` label plus the
node's labels, so a cluster whose labels drift away from what the hub knows stops receiving its overlay. A
``ManagedClusterSetBinding`` makes the cluster set visible in the Argo CD namespace, ``GitOpsCluster``
registers the placed clusters with Argo CD, and the ``acm-placement`` ConfigMap tells the ApplicationSet's
``clusterDecisionResource`` generator how to read PlacementDecisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edgeplane.gitops import inputs, manifests

PLACEMENT_NAME = "edgeplane-clusters"
DECISION_CONFIGMAP = "acm-placement"
_LABELS = {manifests.MANAGED_BY: manifests.MANAGER}


def placement(clusters: Sequence[inputs.ClusterInput], opts: inputs.RenderOptions) -> dict[str, Any]:
    predicates = [
        {"requiredClusterSelector": {"labelSelector": {"matchLabels": {**c.labels, "name": c.cluster}}}}
        for c in sorted(clusters, key=lambda c: c.cluster)
    ]
    return {"apiVersion": "cluster.open-cluster-management.io/v1beta1", "kind": "Placement",
            "metadata": {"name": PLACEMENT_NAME, "namespace": opts.argocd_namespace, "labels": _LABELS},
            "spec": {"clusterSets": [opts.cluster_set], "predicates": predicates}}


def cluster_set_binding(opts: inputs.RenderOptions) -> dict[str, Any]:
    return {"apiVersion": "cluster.open-cluster-management.io/v1beta2", "kind": "ManagedClusterSetBinding",
            "metadata": {"name": opts.cluster_set, "namespace": opts.argocd_namespace, "labels": _LABELS},
            "spec": {"clusterSet": opts.cluster_set}}


def gitops_cluster(opts: inputs.RenderOptions) -> dict[str, Any]:
    return {"apiVersion": "apps.open-cluster-management.io/v1beta1", "kind": "GitOpsCluster",
            "metadata": {"name": "edgeplane-argo", "namespace": opts.argocd_namespace, "labels": _LABELS},
            "spec": {
                "argoServer": {"cluster": "local-cluster", "argoNamespace": opts.argocd_namespace},
                "placementRef": {"kind": "Placement", "apiVersion": "cluster.open-cluster-management.io/v1beta1",
                                 "name": PLACEMENT_NAME},
            }}


def decision_configmap(opts: inputs.RenderOptions) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": DECISION_CONFIGMAP, "namespace": opts.argocd_namespace, "labels": _LABELS},
            "data": {"apiVersion": "cluster.open-cluster-management.io/v1beta1", "kind": "placementdecisions",
                     "statusListKey": "decisions", "matchKey": "clusterName"}}
