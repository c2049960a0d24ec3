"""``edgeplane model push|list|show|pull|delete``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edgeplane._kit.errors import InvalidInput
from edgeplane.cli import context, output
from edgeplane.cli.progress import Bar
from edgeplane.client import transfer

app = typer.Typer(help="Publish, inspect and fetch model versions.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def _pairs(values: list[str], field: str, *, numeric: bool = False) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, val = item.partition("=")
        if not sep or not key:
            raise InvalidInput(f"{item!r} is not key=value", field=field, hint=f"write {field} name=value")
        if numeric:
            try:
                float(val)
            except ValueError:
                raise InvalidInput(
                    f"metric {key!r} has non-numeric value {val!r}",
                    field=field,
                    hint="metrics are numbers, e.g. --metric accuracy=0.93",
                ) from None
        out[key] = val
    return out


@app.command()
def push(
    path: Annotated[Path, typer.Argument(help="model file or directory")],
    name: Annotated[str, typer.Option("--name", help="model name")],
    version: Annotated[str, typer.Option("--version", help="new, immutable version")],
    framework: Annotated[str, typer.Option(help="onnx, sklearn, ...")] = "other",
    task: Annotated[str, typer.Option(help="e.g. classification")] = "",
    metric: Annotated[list[str] | None, typer.Option("--metric", help="name=number (repeatable)")] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="key=value (repeatable)")] = None,
    limit_rate: Annotated[float, typer.Option(help="cap the upload at this many MB/s (0: no cap)")] = 0.0,
    json_out: JsonOpt = False,
) -> None:
    """Upload a model version; run it again to resume an interrupted upload."""
    settings = context.load()
    metrics = {k: float(v) for k, v in _pairs(metric or [], "--metric", numeric=True).items()}
    opts = transfer.PushOptions(
        framework=framework,
        task=task,
        labels=_pairs(label or [], "--label"),
        metrics=metrics,
        rate_limit=limit_rate * 1e6,
    )
    with context.client(settings) as hub, Bar(enabled=not json_out) as bar:
        v = transfer.push(hub, settings.org, name, version, path, opts, bar)
    if json_out:
        output.as_json(v)
    else:
        output.console().print(f"pushed {v.model}:{v.version} ({len(v.files)} files, {output.human_size(v.size)})")


@app.command("list")
def list_(json_out: JsonOpt = False) -> None:
    """List models and their versions."""
    settings = context.load()
    with context.client(settings) as hub:
        items = hub.list_models(settings.org)
    if json_out:
        output.as_json(items)
        return
    output.table(
        f"models in {settings.org}",
        ["name", "versions", "created"],
        [(m.name, ", ".join(m.versions) or "-", m.created_at.strftime("%Y-%m-%d %H:%M")) for m in items],
    )


@app.command()
def show(name: str, version: Annotated[str | None, typer.Argument()] = None, json_out: JsonOpt = False) -> None:
    """Show a model (its versions) or one version (files, metrics, labels)."""
    settings = context.load()
    with context.client(settings) as hub:
        if version is None:
            versions = hub.list_versions(settings.org, name)
        else:
            versions = [hub.show_version(settings.org, name, version)]
    if json_out:
        output.as_json(versions[0] if version else versions)
        return
    rows = [
        (
            v.version,
            v.framework,
            output.human_size(v.size),
            len(v.files),
            " ".join(f"{k}={val:g}" for k, val in v.metrics.items()) or "-",
        )
        for v in versions
    ]
    output.table(f"{name}", ["version", "framework", "size", "files", "metrics"], rows)
    if version:
        output.table(
            "files",
            ["path", "size", "sha256"],
            [(f.path, output.human_size(f.size), f.sha256) for f in versions[0].files],
        )


@app.command()
def pull(
    name: str,
    version: str,
    dest: Annotated[Path, typer.Option("--dest", "-o", help="directory to write into")] = Path(),
    fsync: Annotated[
        bool, typer.Option("--fsync/--no-fsync", help="fsync each file before renaming it into place")
    ] = True,
) -> None:
    """Download a version's files into DEST, verifying every sha256; resumes partial files."""
    settings = context.load()
    with context.client(settings) as hub, Bar() as bar:
        v = transfer.pull(hub, settings.org, name, version, dest, bar, durable=fsync)
    output.console().print(f"pulled {name}:{version} into {dest} ({len(v.files)} files verified)")


@app.command()
def delete(name: str, version: Annotated[str | None, typer.Argument()] = None) -> None:
    """Delete one version, or the whole model when no version is given."""
    settings = context.load()
    with context.client(settings) as hub:
        if version is None:
            hub.delete_model(settings.org, name)
        else:
            hub.delete_version(settings.org, name, version)
    output.console().print(f"deleted {name}{':' + version if version else ''}")
