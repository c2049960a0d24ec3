"""Renders cluster desired state as a kustomize tree (pure: returns ``{relative path: text}``).

Layout::

    base/<org>/<workload>/<version>/kustomization.yaml   shared by every cluster running that version
    base/<org>/<workload>/<version>/manifests.yaml       its manifests, images pinned by digest, no namespace
    clusters/<cluster>/kustomization.yaml               the cluster's overlay: one entry per workload
    clusters/<cluster>/<id>/kustomization.yaml           namespace, node labels, the base, edge.yaml
    clusters/<cluster>/<id>/edge.yaml                    HZN_* ConfigMap, model-storage PVC, model pins
    clusters/<cluster>/summary.json                     what the overlay holds (drives commit messages)

Secret values never appear: ``ess-auth-<id>`` / ``ess-cert-<id>`` are only named by the ConfigMap and are
created at the edge by the cluster agent. Models are pinned by sha256 in ``ess-models-<id>``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from edgeplane._kit import errors, ids
from edgeplane.gitops import inputs, manifests, yamlio
from edgeplane.schemas.desired import DesiredModel, DesiredWorkload

Files = dict[str, str]
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def pin_images(node: Any, digests: dict[str, str]) -> Any:
    """A copy of ``node`` with every container image found in ``digests`` rewritten to ``repo@sha256:...``."""
    if isinstance(node, list):
        return [pin_images(n, digests) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: pin_images(v, digests) for k, v in node.items()}
    for key in _CONTAINER_LISTS:
        for container in out.get(key) or []:
            image = container.get("image") if isinstance(container, dict) else None
            if isinstance(image, str) and image in digests:
                container["image"] = pinned(image, digests[image])
    return out


def pinned(image: str, digest: str) -> str:
    digest = digest if digest.startswith("sha256:") else f"sha256:{digest}"
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:  # drop the tag: the digest is what is pulled
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return f"{name}@{digest}"


def base_dir(w: DesiredWorkload) -> str:
    """``base/<org>/<name>/<version>``; names from the wire are checked before they become paths."""
    ids.check_name(w.org, field="org")
    ids.check_name(w.name, field="workload")
    if not re.match(ids.VERSION_PATTERN, w.version) or w.version in (".", ".."):
        raise errors.InvalidInput(f"{w.version!r} is not a valid version", field="version")
    return f"base/{w.org}/{w.name}/{w.version}"


def base_files(w: DesiredWorkload, wid: str, opts: inputs.RenderOptions) -> Files:
    docs = []
    for m in (w.cluster.manifests if w.cluster is not None else []):
        doc = pin_images(copy.deepcopy(m), opts.digests)
        meta = doc.setdefault("metadata", {})
        meta.pop("namespace", None)
        meta.setdefault("labels", {}).update({manifests.MANAGED_BY: manifests.MANAGER, manifests.WORKLOAD_LABEL: wid})
        docs.append(doc)
    kustomization = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                     "resources": ["manifests.yaml"]}
    d = base_dir(w)
    return {f"{d}/kustomization.yaml": yamlio.dump(kustomization), f"{d}/manifests.yaml": yamlio.dump_all(docs)}


def models_configmap(w: DesiredWorkload, ctx: manifests.ClusterContext, wid: str) -> manifests.Manifest:
    rows = [_model_row(m) for m in sorted(w.models, key=lambda m: m.key)]
    meta = manifests.metadata(f"ess-models-{wid}", manifests.workload_namespace(w, ctx), ctx, wid,
                              manifests.owner_of(w, ctx))
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
            "data": {"models.json": yamlio.dump_json(rows)}}


def _model_row(m: DesiredModel) -> dict[str, Any]:
    files = [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in sorted(m.files, key=lambda f: f.path)]
    return {"org": m.org, "name": m.name, "version": m.version, "framework": m.framework,
            "objectType": m.object_type, "policy": m.policy, "files": files}


def context(c: inputs.ClusterInput, opts: inputs.RenderOptions) -> manifests.ClusterContext:
    return manifests.ClusterContext(
        node_id=c.desired.node_id, org=c.desired.org,
        namespace=c.prop("openhorizon.kubernetesNamespace", opts.default_namespace),
        arch=c.prop("openhorizon.arch", ""),
    )


def workload_dir(c: inputs.ClusterInput, wid: str) -> str:
    return f"clusters/{c.cluster}/{wid}"


def overlay_files(c: inputs.ClusterInput, w: DesiredWorkload, wid: str, opts: inputs.RenderOptions) -> Files:
    ctx = context(c, opts)
    edge: list[manifests.Manifest] = [manifests.env_configmap(w, ctx, wid), models_configmap(w, ctx, wid)]
    storage = manifests.effective_storage(w, None)
    if storage is not None:
        edge.append(manifests.storage_pvc(w, ctx, wid, storage))
    depth = "../" * 3
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "namespace": manifests.workload_namespace(w, ctx),
        "resources": [depth + base_dir(w), "edge.yaml"],
        "labels": [{"includeSelectors": False, "pairs": {manifests.NODE_LABEL: manifests.label_value(ctx.node_id)}}],
        "commonAnnotations": {manifests.OWNER_ANNOTATION: manifests.owner_of(w, ctx),
                              manifests.VERSION_ANNOTATION: w.version},
    }
    d = workload_dir(c, wid)
    return {f"{d}/kustomization.yaml": yamlio.dump(kustomization), f"{d}/edge.yaml": yamlio.dump_all(edge)}


def cluster_files(c: inputs.ClusterInput, opts: inputs.RenderOptions) -> Files:
    """Every file of one cluster: its overlay, and the bases of the workload versions it runs."""
    files: Files = {}
    wids = []
    for w in c.desired.workloads:
        if w.kind != "cluster" or w.cluster is None:
            continue
        wid = manifests.workload_id(w, home_org=c.desired.org)
        wids.append(wid)
        files.update(base_files(w, wid, opts))
        files.update(overlay_files(c, w, wid, opts))
    top = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": sorted(wids)}
    files[f"clusters/{c.cluster}/kustomization.yaml"] = yamlio.dump(top)
    files[f"clusters/{c.cluster}/summary.json"] = yamlio.dump_json(summary(c))
    return files


def summary(c: inputs.ClusterInput) -> dict[str, Any]:
    """The part of a desired doc a reviewer cares about; no generation or timestamps, so no churn."""
    workloads = []
    for w in sorted(c.desired.workloads, key=lambda w: (w.org, w.name)):
        if w.kind != "cluster":
            continue
        models = [{"key": m.key, "policy": m.policy,
                   "sha256": sorted(f.sha256 for f in m.files)} for m in sorted(w.models, key=lambda m: m.key)]
        workloads.append({"org": w.org, "name": w.name, "version": w.version, "policy": w.policy, "models": models})
    return {"node": c.desired.node_id, "org": c.desired.org, "labels": dict(sorted(c.labels.items())),
            "workloads": workloads}
