"""``edgeplane gitops render|watch|sync``: deliver to edge clusters through git, and manage the hub from git.

``render`` writes the cluster nodes' desired state (read from the hub, or ``--from-file``) into a GitOps
repository; ``watch`` keeps one current; ``sync`` applies policies declared in a repository to the hub.
The hub-reading and sync logic live in :mod:`edgeplane.cli.gitops_hub` and :mod:`edgeplane.cli.gitops_sync`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pydantic
import typer

from edgeplane.cli import context, gitops_hub, gitops_sync, output
from edgeplane.cli.errors import UsageError
from edgeplane.gitops import inputs, render

app = typer.Typer(help="Deliver to edge clusters through git (Argo CD, ACM, Flux).", no_args_is_help=True)

# Options shared by ``render`` and ``watch`` (one declaration, so their flags and help cannot drift apart).
RepoOpt = Annotated[Path, typer.Option(help="git repository (created if missing)")]
DigestsOpt = Annotated[Path | None, typer.Option(help="JSON object: image -> sha256 digest")]
RepoUrlOpt = Annotated[str | None, typer.Option(help="URL clusters pull the repository from")]
RevisionOpt = Annotated[str, typer.Option(help="branch clusters follow")]
ArgocdNamespaceOpt = Annotated[str, typer.Option(help="namespace of Argo CD on the hub")]


@app.callback()
def _group() -> None:
    """Gitops delivery (a group, so commands keep their names when mounted)."""


def _read_json(path: Path, what: str) -> object:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot read {what} {path}: {e}", field=what) from e


@app.command("render")
def render_cmd(
    repo: RepoOpt,
    from_file: Annotated[Path | None, typer.Option("--from-file", help="JSON list of {desired, labels, "
                                                   "properties} (default: the cluster nodes at the hub)")] = None,
    commit: Annotated[bool, typer.Option("--commit", help="commit the change")] = False,
    digests: DigestsOpt = None,
    repo_url: RepoUrlOpt = None,
    revision: RevisionOpt = "main",
    argocd_namespace: ArgocdNamespaceOpt = "openshift-gitops",
) -> None:
    """Write base/, clusters/<cluster>/ and hub/ (Argo CD, OCM, Flux objects) into REPO."""
    opts = _options(digests, repo_url, revision, argocd_namespace)
    if from_file is not None:
        try:
            clusters = pydantic.TypeAdapter(list[inputs.ClusterInput]).validate_python(
                _read_json(from_file, "--from-file"))
        except pydantic.ValidationError as e:
            raise UsageError(f"invalid input: {e.errors()[0]['msg']} at {e.errors()[0]['loc']}") from e
    else:
        settings = context.load()
        with context.client(settings) as hub:
            clusters = gitops_hub.cluster_inputs(hub, settings.org)
    result = render.render(repo, clusters, commit=commit, options=opts)
    _print(result)


def _options(digests: Path | None, repo_url: str | None, revision: str, argocd_namespace: str) -> inputs.RenderOptions:
    try:
        pins = pydantic.TypeAdapter(dict[str, str]).validate_python(_read_json(digests, "--digests")) if digests else {}
    except pydantic.ValidationError as e:
        raise UsageError(f"invalid --digests: {e.errors()[0]['msg']} at {e.errors()[0]['loc']}") from e
    defaults = inputs.RenderOptions()
    return inputs.RenderOptions(repo_url=repo_url or defaults.repo_url, revision=revision, digests=pins,
                                argocd_namespace=argocd_namespace)


def _print(result: render.RenderResult) -> None:
    if not result.changed and result.commit is None:
        typer.echo("no change")
        return
    typer.echo(result.message.rstrip() if result.message else f"{len(result.changed)} file(s) changed")
    if result.commit:
        typer.echo(f"committed {result.commit[:12]}")


@app.command("watch")
def watch_cmd(
    repo: RepoOpt,
    interval: Annotated[float, typer.Option(help="seconds between renders")] = 30.0,
    count: Annotated[int, typer.Option(help="renders to do before exiting (0: run until stopped)")] = 0,
    digests: DigestsOpt = None,
    repo_url: RepoUrlOpt = None,
    revision: RevisionOpt = "main",
    argocd_namespace: ArgocdNamespaceOpt = "openshift-gitops",
) -> None:
    """Keep REPO current: render the hub's cluster nodes every INTERVAL and commit when anything changed."""
    opts = _options(digests, repo_url, revision, argocd_namespace)
    settings = context.load()
    with context.client(settings) as hub:
        gitops_hub.watch(hub, settings.org, repo, opts, interval_s=interval, count=count, on_commit=_print)


@app.command("sync")
def sync_cmd(
    repo: Annotated[Path, typer.Option(help="checked-out git repository")],
    path: Annotated[str, typer.Option(help="directory (or file) in REPO with the YAML/JSON documents")] = ".",
    source: Annotated[str | None, typer.Option(help="marker for what this sync manages (default: PATH)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show what would change, change nothing")] = False,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Make the hub's workloads, policies and endpoints match the documents under REPO/PATH."""
    target = repo / path
    if not target.exists():
        raise UsageError(f"{target} does not exist", field="--path")
    marker = source or Path(path).as_posix().strip("/") or "."
    settings = context.load()
    with context.client(settings) as hub:
        report = gitops_sync.sync(hub, settings.org, target, marker, dry_run=dry_run)
    if json_out:
        output.as_json(report.__dict__)
        return
    for verb in ("created", "updated", "deleted", "kept"):
        for ref in getattr(report, verb):
            typer.echo(f"{verb} {ref}")
    typer.echo(f"{len(report.unchanged)} unchanged" + (" (dry run)" if dry_run else ""))
