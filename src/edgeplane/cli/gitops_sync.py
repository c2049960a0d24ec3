"""``edgeplane gitops sync``: make the hub hold the workloads, policies and endpoints declared in a directory.

Who calls it: :mod:`edgeplane.cli.gitops`. Every ``*.yaml``/``*.yml``/``*.json`` file under the path is read
with :mod:`edgeplane.cli.documents` (one or many documents per file, ``kind`` or recognised by fields).

How it knows what it manages: every deployment policy, model policy and endpoint it applies carries the policy
property ``edgeplane.gitops.source = <source>`` (``--source``, default the path as given, e.g.
``policies``). A sync deletes a policy or endpoint of the org only when it carries that exact marker and is no
longer declared, so objects made by hand or by another source are never touched. (A property, because it is
the one field all three kinds share; nodes' constraints never name it, so it changes no placement.)

Workloads are create-only at the hub (a version is immutable and there is no delete): a declared version
that is missing is published, an identical one is left alone, a different one with the same version is an
error (bump the version), and a workload removed from git stays at the hub (reported as kept). Workloads
carry the same marker property.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgeplane._kit.errors import InvalidInput
from edgeplane.cli import documents
from edgeplane.client.hub import HubClient
from edgeplane.schemas import workloads

MARKER = "edgeplane.gitops.source"
COLLECTIONS = ("deployment-policies", "model-policies", "endpoints")  # apply order; deletes go in reverse
SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Report:
    """What a sync did, as ``"<collection>/<name>"`` strings."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # workloads no longer declared (the hub cannot delete them)


def declared(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """``{collection: {name: body}}`` of every document under ``path`` (a file or a directory)."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    out: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in ("workloads", *COLLECTIONS)}
    for file in files:
        for doc in documents.load(file):
            collection, body = documents.classify(doc)
            name = str(body.get("name") or body.get("label") or "")
            if collection == "workloads":
                name = f"{name}@{body.get('version', '')}"
            if not name:
                raise InvalidInput(f"{file}: a {collection[:-1]} without a name", field="name")
            if name in out[collection]:
                raise InvalidInput(f"{file}: {collection}/{name} is declared twice", field="name")
            out[collection][name] = body
    return out


def marked(body: dict[str, Any], source: str) -> dict[str, Any]:
    """``body`` with the source marker as its last property (replacing any marker it had)."""
    props = [p for p in body.get("properties") or [] if not (isinstance(p, dict) and p.get("name") == MARKER)]
    return {**body, "properties": [*props, {"name": MARKER, "value": source}]}


def source_of(doc: dict[str, Any]) -> str | None:
    for p in doc.get("properties") or []:
        if isinstance(p, dict) and p.get("name") == MARKER:
            return str(p.get("value"))
    return None


def sync(hub: HubClient, org: str, path: Path, source: str, *, dry_run: bool = False) -> Report:
    """Create, update and delete so that the hub matches ``path`` for objects marked with ``source``."""
    want = declared(path)
    report = Report()
    _sync_workloads(hub, org, want["workloads"], source, report, dry_run)
    for collection in COLLECTIONS:
        current = {str(d["name"]): d for d in hub.list_policies(org, collection)}
        for name, body in sorted(want[collection].items()):
            _apply(hub, org, collection, name, marked(body, source), current.get(name), report, dry_run)
    for collection in reversed(COLLECTIONS):
        for doc in hub.list_policies(org, collection):
            name = str(doc["name"])
            if source_of(doc) == source and name not in want[collection]:
                if not dry_run:
                    hub.delete_policy(org, collection, name)
                report.deleted.append(f"{collection}/{name}")
    return report


def _apply(hub: HubClient, org: str, collection: str, name: str, body: dict[str, Any],
           before: dict[str, Any] | None, report: Report, dry_run: bool) -> None:
    ref = f"{collection}/{name}"
    if dry_run:
        (report.created if before is None else report.updated).append(ref)
        return
    after = hub.put_policy(org, collection, {**body, "name": name})["policy"]
    if before is None:
        report.created.append(ref)
    else:
        (report.unchanged if after == before else report.updated).append(ref)


def _sync_workloads(hub: HubClient, org: str, want: dict[str, dict[str, Any]], source: str, report: Report,
                    dry_run: bool) -> None:
    have = {f"{w.name}@{w.version}": w for w in hub.list_workloads(org)}
    for key, body in sorted(want.items()):
        spec = workloads.WorkloadCreate.model_validate(marked(body, source))
        if key not in have:
            if not dry_run:
                hub.publish_workload(org, spec)
            report.created.append(f"workloads/{key}")
        elif workloads.WorkloadCreate.model_validate(have[key].model_dump(exclude={"org", "created_at"})) == spec:
            report.unchanged.append(f"workloads/{key}")
        else:
            raise InvalidInput(f"workload {key} differs from the one at the hub", field="version",
                               hint="a published version is immutable: give the change a new version")
    for key, w in sorted(have.items()):
        props = [p.model_dump() for p in w.properties]
        if key not in want and source_of({"properties": props}) == source:
            report.kept.append(f"workloads/{key}")
