"""The Kubernetes objects an edge cluster gets for one workload, as plain dicts (pure, no I/O).

Both delivery paths build from here so they emit the same objects: the cluster agent's applier
(``edgeplane.agent.workloads.kubernetes``, which adds the two ESS Secrets with their values) and the GitOps
renderer (which never writes Secret values to git). It lives in ``gitops`` because that layer sits below
``agent``; nothing here knows about git.

Names: ``<id>`` is the workload name as a DNS-1123 label (:func:`workload_id`); the objects are
``ess-auth-<id>``, ``ess-cert-<id>`` (Secrets), ``ess-env-<id>`` (ConfigMap of ``HZN_*``), ``models-<id>``
(PVC). Every object carries ``app.kubernetes.io/managed-by=edgeplane`` plus ``edgeplane.io/node`` and
``edgeplane.io/workload`` labels; a label value cannot hold ``/``, so the owner ``<node>/<workload>`` is
spelled as those two labels (and kept whole in the ``edgeplane.io/owner`` annotation).
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from edgeplane.schemas.desired import DesiredWorkload
from edgeplane.schemas.workloads import StorageSpec

Manifest = dict[str, Any]

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGER = "edgeplane"
NODE_LABEL = "edgeplane.io/node"
WORKLOAD_LABEL = "edgeplane.io/workload"
OWNER_ANNOTATION = "edgeplane.io/owner"
VERSION_ANNOTATION = "edgeplane.io/version"
ESS_PORT = 8443
ESS_SERVICE = "agent-service"
AUTH_KEY = "auth.json"
CERT_KEY = "cert.pem"

CLUSTER_SCOPED = frozenset({
    "APIService", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "IngressClass",
    "MutatingWebhookConfiguration", "Namespace", "PersistentVolume", "PriorityClass", "RuntimeClass",
    "StorageClass", "ValidatingWebhookConfiguration",
})
"""Kinds we never put a namespace on; everything else lands in the workload's namespace."""

_LABEL_MAX = 63
_ID_MAX = 40  # leaves room for prefixes such as ``edgeplane-inventory-`` within 63 characters


@dataclass(frozen=True)
class ClusterContext:
    """Who the objects are for: the cluster node, its org and arch, and the agent's namespace."""

    node_id: str
    org: str
    namespace: str
    arch: str = ""


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def dns_label(value: str, *, salt: str = "", limit: int = _ID_MAX) -> str:
    """``value`` as a DNS-1123 label; a hash suffix keeps lossy or over-long conversions unique."""
    clean = re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-") or "x"
    if clean == value and len(clean) <= limit and not salt:
        return clean
    suffix = _short_hash(f"{salt}{value}")
    return f"{clean[: limit - 9].rstrip('-')}-{suffix}"


def workload_id(workload: DesiredWorkload, *, home_org: str) -> str:
    """The ``<id>`` of a workload: its name, unless that is not a clean label or it comes from another org."""
    salt = "" if workload.org == home_org else f"{workload.org}/"
    return dns_label(workload.name, salt=salt)


def label_value(value: str) -> str:
    return dns_label(value, limit=_LABEL_MAX) if len(value) > _LABEL_MAX or "/" in value else value


def owner_labels(ctx: ClusterContext, wid: str) -> dict[str, str]:
    return {MANAGED_BY: MANAGER, NODE_LABEL: label_value(ctx.node_id), WORKLOAD_LABEL: wid}


def node_selector(ctx: ClusterContext) -> str:
    """Label selector for everything this agent created on this cluster."""
    return f"{MANAGED_BY}={MANAGER},{NODE_LABEL}={label_value(ctx.node_id)}"


def workload_namespace(workload: DesiredWorkload, ctx: ClusterContext) -> str:
    spec = workload.cluster
    return spec.namespace if spec is not None and spec.namespace else ctx.namespace


def metadata(name: str, namespace: str | None, ctx: ClusterContext, wid: str, owner: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": owner_labels(ctx, wid), "annotations": {OWNER_ANNOTATION: owner}}
    if namespace is not None:
        meta["namespace"] = namespace
    return meta


def owner_of(workload: DesiredWorkload, ctx: ClusterContext) -> str:
    return f"{ctx.node_id}/{workload.org}/{workload.name}"


def secret_names(wid: str) -> tuple[str, str]:
    """``(auth, cert)`` Secret names for workload ``wid``."""
    return f"ess-auth-{wid}", f"ess-cert-{wid}"


def env_name(wid: str) -> str:
    return f"ess-env-{wid}"


def storage_name(wid: str) -> str:
    return f"models-{wid}"


def hzn_env(workload: DesiredWorkload, ctx: ClusterContext, wid: str) -> dict[str, str]:
    auth, cert = secret_names(wid)
    return {
        "HZN_ARCH": workload.arch or ctx.arch,
        "HZN_ESS_API_ADDRESS": f"{ESS_SERVICE}.{ctx.namespace}.svc.cluster.local",
        "HZN_ESS_API_PORT": str(ESS_PORT),
        "HZN_ESS_API_PROTOCOL": "secure",
        "HZN_ESS_AUTH": auth,
        "HZN_ESS_CERT": cert,
        "HZN_NODE_ID": ctx.node_id,
        "HZN_ORGANIZATION": ctx.org,
    }


def env_configmap(workload: DesiredWorkload, ctx: ClusterContext, wid: str) -> Manifest:
    ns = workload_namespace(workload, ctx)
    meta = metadata(env_name(wid), ns, ctx, wid, owner_of(workload, ctx))
    meta["annotations"][VERSION_ANNOTATION] = workload.version
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": hzn_env(workload, ctx, wid)}


def storage_pvc(workload: DesiredWorkload, ctx: ClusterContext, wid: str, storage: StorageSpec) -> Manifest:
    spec: dict[str, Any] = {"accessModes": [storage.access_mode], "resources": {"requests": {"storage": storage.size}}}
    if storage.storage_class is not None:
        spec["storageClassName"] = storage.storage_class
    meta = metadata(storage_name(wid), workload_namespace(workload, ctx), ctx, wid, owner_of(workload, ctx))
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "spec": spec}


def effective_storage(workload: DesiredWorkload, default: StorageSpec | None) -> StorageSpec | None:
    spec = workload.cluster
    return spec.storage if spec is not None and spec.storage is not None else default


def own_manifest(manifest: Manifest, workload: DesiredWorkload, ctx: ClusterContext, wid: str) -> Manifest:
    """A copy of one of the workload's own manifests, put in its namespace and stamped with our labels."""
    out = copy.deepcopy(manifest)
    meta = out.setdefault("metadata", {})
    meta.setdefault("labels", {}).update(owner_labels(ctx, wid))
    meta.setdefault("annotations", {})[OWNER_ANNOTATION] = owner_of(workload, ctx)
    if out.get("kind") in CLUSTER_SCOPED:
        meta.pop("namespace", None)
    else:
        meta["namespace"] = workload_namespace(workload, ctx)
    return out


def own_manifests(workload: DesiredWorkload, ctx: ClusterContext, wid: str) -> list[Manifest]:
    spec = workload.cluster
    return [own_manifest(m, workload, ctx, wid) for m in (spec.manifests if spec is not None else [])]
