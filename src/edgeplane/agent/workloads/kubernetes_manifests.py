"""Everything the cluster agent applies for one workload, as plain dicts (pure, no I/O).

The shared objects (``ess-env-<id>`` ConfigMap, ``models-<id>`` PVC, the workload's own manifests) come from
:mod:`edgeplane.gitops.manifests` so GitOps renders the same thing; this module adds what only the agent
may hold: the two ESS Secrets with their values, and the inventory ConfigMap that records what was applied
so that a restart can still prune exactly what the agent created.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from edgeplane.gitops import manifests
from edgeplane.schemas.desired import DesiredWorkload
from edgeplane.schemas.workloads import StorageSpec

Manifest = manifests.Manifest
INVENTORY_KEY = "objects.json"
INVENTORY_LABEL = "edgeplane.io/inventory"
KEY_ANNOTATION = "edgeplane.io/key"


@dataclass(frozen=True)
class EssCredential:
    """What a workload needs to call the ESS: its auth file (JSON text) and the CA it trusts (PEM)."""

    auth_json: str
    ca_pem: str


@dataclass(frozen=True, order=True)
class ObjectRef:
    """Identifies one applied object; ``namespace`` is ``""`` for cluster-scoped kinds."""

    api_version: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, manifest: Manifest) -> ObjectRef:
        meta = manifest.get("metadata", {})
        return cls(manifest["apiVersion"], manifest["kind"], meta.get("namespace", ""), meta["name"])

    def to_dict(self) -> dict[str, str]:
        return {"apiVersion": self.api_version, "kind": self.kind, "namespace": self.namespace, "name": self.name}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def ess_secrets(
    workload: DesiredWorkload, ctx: manifests.ClusterContext, wid: str, cred: EssCredential
) -> list[Manifest]:
    """``ess-auth-<id>`` (key ``auth.json``) and ``ess-cert-<id>`` (key ``cert.pem``)."""
    ns = manifests.workload_namespace(workload, ctx)
    owner = manifests.owner_of(workload, ctx)
    out = []
    for name, key, value in zip(
        manifests.secret_names(wid), (manifests.AUTH_KEY, manifests.CERT_KEY), (cred.auth_json, cred.ca_pem),
        strict=True,
    ):
        meta = manifests.metadata(name, ns, ctx, wid, owner)
        out.append({"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque",
                    "data": {key: _b64(value)}})
    return out


def workload_objects(
    workload: DesiredWorkload,
    ctx: manifests.ClusterContext,
    cred: EssCredential,
    *,
    default_storage: StorageSpec | None,
) -> list[Manifest]:
    """In apply order: Secrets, ConfigMap, PVC (if any), then the workload's own manifests."""
    wid = manifests.workload_id(workload, home_org=ctx.org)
    objs = ess_secrets(workload, ctx, wid, cred)
    objs.append(manifests.env_configmap(workload, ctx, wid))
    storage = manifests.effective_storage(workload, default_storage)
    if storage is not None:
        objs.append(manifests.storage_pvc(workload, ctx, wid, storage))
    objs.extend(manifests.own_manifests(workload, ctx, wid))
    return objs


def inventory_name(wid: str) -> str:
    return f"edgeplane-inventory-{wid}"


def inventory(
    workload: DesiredWorkload, ctx: manifests.ClusterContext, wid: str, refs: list[ObjectRef]
) -> Manifest:
    """The record of what was applied for ``wid``: lives in the agent's namespace, read back to prune."""
    meta = manifests.metadata(inventory_name(wid), ctx.namespace, ctx, wid, manifests.owner_of(workload, ctx))
    meta["labels"][INVENTORY_LABEL] = "true"
    meta["annotations"][KEY_ANNOTATION] = f"{workload.org}/{workload.name}@{workload.version}"
    body = json.dumps([r.to_dict() for r in sorted(set(refs))], sort_keys=True)
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {INVENTORY_KEY: body}}


@dataclass(frozen=True)
class Inventory:
    workload_id: str
    key: str
    refs: list[ObjectRef]


def read_inventory(obj: Manifest) -> Inventory | None:
    """An inventory ConfigMap read back; ``None`` if it is not one. A damaged list lists nothing (so we
    prune nothing rather than guess)."""
    meta = obj.get("metadata") or {}
    wid = (meta.get("labels") or {}).get(manifests.WORKLOAD_LABEL)
    if not wid or meta.get("name") != inventory_name(wid):
        return None
    key = (meta.get("annotations") or {}).get(KEY_ANNOTATION, wid)
    try:
        rows: Any = json.loads((obj.get("data") or {}).get(INVENTORY_KEY, "[]"))
        refs = [ObjectRef(r["apiVersion"], r["kind"], r["namespace"], r["name"]) for r in rows]
    except (ValueError, KeyError, TypeError):
        refs = []
    return Inventory(wid, key, refs)


def inventory_selector(ctx: manifests.ClusterContext) -> str:
    return f"{manifests.node_selector(ctx)},{INVENTORY_LABEL}=true"
