"""``edgeplane demo --clusters``: GitOps delivery to three edge clusters, shown as the repository it writes.

Starts a hub on 127.0.0.1 and registers three cluster nodes with different labels through the API (no
Kubernetes runs here: they stand for clusters whose Argo CD / ACM / Flux pull the repo). It publishes a
cluster workload that uses the ``HZN_*`` ConfigMap and ESS Secrets, pushes a model, places both by policy,
renders the GitOps repository and prints its tree and commit message; then moves the model policy to a new
version and shows that the second commit touches only the overlays of the clusters that get it.
"""

from __future__ import annotations

import os
import shutil
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from dulwich import diff_tree
from dulwich.objects import Commit
from dulwich.repo import Repo
from rich.console import Console
from rich.tree import Tree

import edgeplane
from edgeplane.cli import gitops_hub
from edgeplane.cli.demo import procs
from edgeplane.client import transfer
from edgeplane.client.hub import HubClient
from edgeplane.gitops import inputs, render
from edgeplane.schemas import nodes, workloads
from edgeplane.schemas.policy import NodePolicy, Property

ORG = "default"
IMAGE = "ghcr.io/acme/detector:1.0.0"
DIGEST = "sha256:" + "5e" * 32  # what a registry lookup would return; the demo has no registry
CLUSTERS = {"factory-berlin": {"region": "eu", "tier": "gold"}, "factory-lyon": {"region": "eu", "tier": "silver"},
            "store-austin": {"region": "us", "tier": "gold"}}


def run(workdir: Path, console: Console) -> None:
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    with ExitStack() as stack:
        hub = _start_hub(stack, workdir, console)
        for name, labels in CLUSTERS.items():
            _register(hub, name, labels)
            console.print(f"[green]registered[/] cluster {name} {labels}")
        _publish(hub, workdir, "1.0.0")
        console.print("[green]published[/] cluster workload detector@1.0.0 (tier == gold), model det 1.0.0 "
                      "(region == eu)")
        repo, opts = workdir / "fleet", inputs.RenderOptions(digests={IMAGE: DIGEST})
        first = render.render(repo, gitops_hub.cluster_inputs(hub, ORG), commit=True, options=opts)
        console.print(f"\n[bold]GitOps repository[/] {repo} ({len(first.files)} files):")
        console.print(_tree(repo))
        console.print(f"\n[bold]commit[/] {first.commit and first.commit[:12]}:\n{first.message}")
        transfer.push(hub, ORG, "det", "2.0.0", _model_file(workdir, "2.0.0"), transfer.PushOptions(framework="onnx"))
        hub.put_policy(ORG, "model-policies", _model_policy("2.0.0"))
        second = render.render(repo, gitops_hub.cluster_inputs(hub, ORG), commit=True, options=opts)
        console.print(f"[cyan]model policy det-mp -> 2.0.0[/]; commit {second.commit and second.commit[:12]} changes "
                      f"only:\n  " + "\n  ".join(_changed(repo)) + f"\n{second.message}")


def _start_hub(stack: ExitStack, workdir: Path, console: Console) -> HubClient:
    port, data, log = procs.free_port(), workdir / "hub", workdir / "logs" / "hub.log"
    proc = procs.spawn(stack, ["hub", "serve", "--port", str(port), "--data-dir", str(data)], log)
    url = f"http://127.0.0.1:{port}"
    procs.wait_http(f"{url}/healthz", proc, log)
    console.print(f"[green]hub[/] up at {url}")
    return stack.enter_context(HubClient(url, (data / "admin-token").read_text().strip()))


def _register(hub: HubClient, name: str, labels: dict[str, str]) -> None:
    token = hub.create_registration_token(ORG, nodes.RegistrationTokenCreate()).token
    builtin = [Property(name="openhorizon.kubernetesVersion", value="v1.30.2+k3s1", type="string"),
               Property(name="openhorizon.kubernetesNamespace", value="edgeplane", type="string"),
               Property(name="openhorizon.arch", value="amd64", type="string")]
    policy = NodePolicy(properties=[Property(name=k, value=v) for k, v in labels.items()])
    hub.register_node(ORG, nodes.NodeRegister(registration_token=token, name=name, kind="cluster", policy=policy,
                                              builtin=builtin, agent_version=edgeplane.__version__))


def _deployment() -> dict[str, Any]:
    container = {"name": "detector", "image": IMAGE, "envFrom": [{"configMapRef": {"name": "ess-env-detector"}}],
                 "volumeMounts": [{"name": "ess-auth", "mountPath": "/ess/auth"},
                                  {"name": "ess-cert", "mountPath": "/ess/cert"}]}
    pod = {"containers": [container], "volumes": [{"name": "ess-auth", "secret": {"secretName": "ess-auth-detector"}},
                                                  {"name": "ess-cert", "secret": {"secretName": "ess-cert-detector"}}]}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "detector"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "detector"}},
                     "template": {"metadata": {"labels": {"app": "detector"}}, "spec": pod}}}


def _model_file(workdir: Path, version: str) -> Path:
    path = workdir / "models" / version / "model.onnx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(4096))
    return path.parent


def _model_policy(version: str) -> dict[str, Any]:
    return {"name": "det-mp", "model": "det", "version": version, "services": [{"name": "detector"}],
            "constraints": ["region == eu"]}


def _publish(hub: HubClient, workdir: Path, version: str) -> None:
    hub.publish_workload(ORG, workloads.WorkloadCreate(name="detector", version="1.0.0", kind="cluster",
                                                       cluster=workloads.ClusterSpec(manifests=[_deployment()])))
    hub.put_policy(ORG, "deployment-policies", {"name": "detector-dp", "workload": {"name": "detector"},
                                                "constraints": ["tier == gold"]})
    transfer.push(hub, ORG, "det", version, _model_file(workdir, version), transfer.PushOptions(framework="onnx"))
    hub.put_policy(ORG, "model-policies", _model_policy(version))


def _tree(repo: Path) -> Tree:
    root = Tree(f"[bold]{repo.name}/")
    nodes_by_dir: dict[Path, Tree] = {repo: root}
    for path in sorted(p for p in repo.rglob("*") if ".git" not in p.relative_to(repo).parts):
        parent = nodes_by_dir[path.parent]
        nodes_by_dir[path] = parent.add(f"{path.name}/" if path.is_dir() else path.name)
    return root


def _changed(repo: Path) -> list[str]:
    """Paths the last commit changed."""
    r = Repo(str(repo))
    head = r[r.head()]
    assert isinstance(head, Commit)
    parent = r[head.parents[0]]
    assert isinstance(parent, Commit)
    changes = diff_tree.tree_changes(r.object_store, parent.tree, head.tree)
    return sorted({entry.path.decode() for c in changes for entry in (c.new, c.old)
                   if entry is not None and entry.path is not None})
