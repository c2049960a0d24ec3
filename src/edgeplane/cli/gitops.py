"""``edgeplane gitops render``: render cluster desired state into a GitOps repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pydantic
import typer

from edgeplane.cli.errors import UsageError
from edgeplane.gitops import inputs, render

app = typer.Typer(help="Deliver to edge clusters through git (Argo CD, ACM, Flux).", no_args_is_help=True)


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
    repo: Annotated[Path, typer.Option(help="git repository (created if missing)")],
    from_file: Annotated[Path, typer.Option("--from-file", help="JSON list of {desired, labels, properties}")],
    commit: Annotated[bool, typer.Option("--commit", help="commit the change")] = False,
    digests: Annotated[Path | None, typer.Option(help="JSON object: image -> sha256 digest")] = None,
    repo_url: Annotated[str | None, typer.Option(help="URL clusters pull the repository from")] = None,
    revision: Annotated[str, typer.Option(help="branch clusters follow")] = "main",
    argocd_namespace: Annotated[str, typer.Option(help="namespace of Argo CD on the hub")] = "openshift-gitops",
) -> None:
    """Write base/, clusters/<cluster>/ and hub/ (Argo CD, OCM, Flux objects) into REPO."""
    raw = _read_json(from_file, "--from-file")
    try:
        clusters = pydantic.TypeAdapter(list[inputs.ClusterInput]).validate_python(raw)
        pins = pydantic.TypeAdapter(dict[str, str]).validate_python(_read_json(digests, "--digests")) if digests else {}
    except pydantic.ValidationError as e:
        raise UsageError(f"invalid input: {e.errors()[0]['msg']} at {e.errors()[0]['loc']}") from e
    defaults = inputs.RenderOptions()
    opts = inputs.RenderOptions(repo_url=repo_url or defaults.repo_url, revision=revision, digests=pins,
                                argocd_namespace=argocd_namespace)
    result = render.render(repo, clusters, commit=commit, options=opts)
    if not result.changed and result.commit is None:
        typer.echo("no change")
        return
    typer.echo(result.message.rstrip() if result.message else f"{len(result.changed)} file(s) changed")
    if result.commit:
        typer.echo(f"committed {result.commit[:12]}")
