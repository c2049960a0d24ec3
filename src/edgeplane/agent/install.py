"""The manifests that install a cluster agent (pure): what ``edgeplane agent install-manifests`` prints.

Namespace, ServiceAccount, a namespaced Role/RoleBinding with only the verbs the applier uses (get, list,
create, patch, delete) on only the kinds it applies (Secrets, ConfigMaps, PVCs, Services, ServiceAccounts,
Deployments, StatefulSets, Jobs), the model-storage PVC (unless the owner names an existing one), the agent
Deployment (mounting that PVC; hub URL and registration token from the Secret ``edgeplane-agent-bootstrap``)
and the Service ``agent-service`` on 8443 in front of the ESS API. Workloads that need other kinds, or other
namespaces, need the owner to grant more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import edgeplane
from edgeplane.gitops import manifests

Manifest = dict[str, Any]
NAME = "edgeplane-agent"
BOOTSTRAP_SECRET = "edgeplane-agent-bootstrap"  # noqa: S105 -- a Secret name, not a value
MOUNT = "/var/lib/edgeplane"
DATA_DIR = f"{MOUNT}/agent"  # a subdirectory: the agent chmods its data dir 0700, a volume root it cannot
UID = 10001  # the agent's non-root user; fsGroup makes the PVC writable for it
VERBS = ["create", "delete", "get", "list", "patch"]
RULES = [
    ("", ["configmaps", "persistentvolumeclaims", "secrets", "serviceaccounts", "services"]),
    ("apps", ["deployments", "statefulsets"]),
    ("batch", ["jobs"]),
]
ENV_HUB_URL = "EDGEPLANE_HUB_URL"
ENV_TOKEN = "EDGEPLANE_REGISTRATION_TOKEN"  # noqa: S105 -- an env var name


@dataclass(frozen=True)
class InstallOptions:
    namespace: str
    pvc: str | None = None
    storage_size: str = "20Gi"
    storage_class: str | None = None
    image: str = f"ghcr.io/edgeplane/edgeplane:{edgeplane.__version__}"
    hub_url: str | None = None


def _meta(name: str, namespace: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {manifests.MANAGED_BY: manifests.MANAGER,
                                                      "app.kubernetes.io/name": NAME}}
    if namespace is not None:
        meta["namespace"] = namespace
    return meta


def rbac(opts: InstallOptions) -> list[Manifest]:
    ns = opts.namespace
    rules = [{"apiGroups": [g], "resources": r, "verbs": VERBS} for g, r in RULES]
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(NAME, ns)},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": _meta(NAME, ns), "rules": rules},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": _meta(NAME, ns),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": NAME},
         "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": ns}]},
    ]


def storage(opts: InstallOptions) -> list[Manifest]:
    if opts.pvc is not None:
        return []
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": opts.storage_size}}}
    if opts.storage_class is not None:
        spec["storageClassName"] = opts.storage_class
    return [{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": _meta(f"{NAME}-data", opts.namespace),
             "spec": spec}]


def _env(opts: InstallOptions) -> list[dict[str, Any]]:
    def secret(key: str) -> dict[str, Any]:
        return {"secretKeyRef": {"name": BOOTSTRAP_SECRET, "key": key}}

    hub: dict[str, Any] = {"value": opts.hub_url} if opts.hub_url else {"valueFrom": secret("hub-url")}
    return [
        {"name": ENV_HUB_URL, **hub},
        {"name": ENV_TOKEN, "valueFrom": secret("registration-token")},
        {"name": "EDGEPLANE_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "EDGEPLANE_DATA_DIR", "value": DATA_DIR},
    ]


def deployment(opts: InstallOptions) -> Manifest:
    selector = {"app.kubernetes.io/name": NAME}
    container = {
        "name": "agent", "image": opts.image,
        "args": ["agent", "run", "--kind", "cluster"],
        "env": _env(opts),
        "ports": [{"name": "ess", "containerPort": manifests.ESS_PORT}],
        "readinessProbe": {"tcpSocket": {"port": "ess"}, "periodSeconds": 10},
        "volumeMounts": [{"name": "data", "mountPath": MOUNT}, {"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
    }
    pod = {
        "serviceAccountName": NAME,
        "securityContext": {"runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID, "fsGroup": UID,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container],
        "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": opts.pvc or f"{NAME}-data"}},
                    {"name": "tmp", "emptyDir": {}}],
    }
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta(NAME, opts.namespace),
            "spec": {"replicas": 1, "strategy": {"type": "Recreate"}, "selector": {"matchLabels": selector},
                     "template": {"metadata": {"labels": dict(selector)}, "spec": pod}}}


def service(opts: InstallOptions) -> Manifest:
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(manifests.ESS_SERVICE, opts.namespace),
            "spec": {"selector": {"app.kubernetes.io/name": NAME},
                     "ports": [{"name": "ess", "port": manifests.ESS_PORT, "targetPort": "ess"}]}}


def install_manifests(opts: InstallOptions) -> dict[str, list[Manifest]]:
    """``{file name: documents}`` in apply order; the file names are what ``--out DIR`` writes."""
    files = {
        "namespace.yaml": [{"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(opts.namespace, None)}],
        "rbac.yaml": rbac(opts),
        "storage.yaml": storage(opts),
        "deployment.yaml": [deployment(opts)],
        "service.yaml": [service(opts)],
    }
    return {name: docs for name, docs in files.items() if docs}


def kustomization(files: dict[str, list[Manifest]]) -> Manifest:
    return {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": list(files)}
