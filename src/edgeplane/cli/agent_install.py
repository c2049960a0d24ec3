"""``edgeplane agent install-manifests``: print (or write) the manifests that install a cluster agent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from edgeplane.agent import install
from edgeplane.cli.errors import UsageError
from edgeplane.gitops import yamlio

app = typer.Typer(help="Install a cluster agent with kubectl or kustomize.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Cluster agent installation (a group, so commands keep their names when mounted)."""

_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
_QUANTITY = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$"


@app.command("install-manifests")
def install_manifests(
    namespace: Annotated[str, typer.Option("--namespace", "-n", help="namespace the agent runs in")],
    pvc: Annotated[str | None, typer.Option(help="use this existing PVC for model storage")] = None,
    storage_size: Annotated[str | None, typer.Option(help="size of the PVC created (default 20Gi)")] = None,
    storage_class: Annotated[str | None, typer.Option(help="storage class of the PVC created")] = None,
    image: Annotated[str | None, typer.Option(help="agent image")] = None,
    hub_url: Annotated[str | None, typer.Option(help="hub URL (else read from the bootstrap Secret)")] = None,
    out: Annotated[Path | None, typer.Option(help="write kustomization.yaml and files here")] = None,
) -> None:
    """Namespace, ServiceAccount, least-privilege RBAC, PVC, Deployment and Service agent-service:8443."""
    if not re.match(_DNS_LABEL, namespace):
        raise UsageError(f"{namespace!r} is not a valid namespace", field="--namespace")
    if pvc is not None and (storage_size is not None or storage_class is not None):
        raise UsageError("--pvc names an existing claim; --storage-size/--storage-class create one",
                         field="--pvc", hint="give either --pvc or --storage-size/--storage-class")
    if storage_size is not None and not re.match(_QUANTITY, storage_size):
        raise UsageError(f"{storage_size!r} is not a storage size", field="--storage-size", hint="e.g. 20Gi")
    defaults = install.InstallOptions(namespace=namespace)
    opts = install.InstallOptions(namespace=namespace, pvc=pvc, storage_size=storage_size or defaults.storage_size,
                                  storage_class=storage_class, image=image or defaults.image, hub_url=hub_url)
    files = install.install_manifests(opts)
    if out is None:
        typer.echo(yamlio.dump_all([doc for docs in files.values() for doc in docs]), nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, docs in files.items():
        (out / name).write_text(yamlio.dump_all(docs))
    (out / "kustomization.yaml").write_text(yamlio.dump(install.kustomization(files)))
    typer.echo(f"wrote {len(files) + 1} files to {out}; apply with: kubectl apply -k {out}")
