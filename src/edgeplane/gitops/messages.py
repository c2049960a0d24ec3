"""Commit messages that say what changed and why, computed from the clusters' summaries before and after.

A summary (see :func:`edgeplane.gitops.kustomize.summary`) lists per cluster its workloads with version and
deployment policy, and their models with version and model policy; comparing two gives lines like
``edge-2: acme/detector 1.0.0 -> 1.1.0 (policy det-rollout)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Summary = dict[str, Any]


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in rows}


def _model_name(key: str) -> tuple[str, str]:
    name, _, version = key.partition("@")
    return name, version


def _policy(row: Mapping[str, Any]) -> str:
    return f" (policy {row['policy']})" if row.get("policy") else ""


def _models(cluster: str, wname: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    before = {_model_name(m["key"])[0]: m for m in old}
    after = {_model_name(m["key"])[0]: m for m in new}
    lines = []
    for name in sorted(before.keys() | after.keys()):
        a, b = before.get(name), after.get(name)
        if a is None and b is not None:
            lines.append(f"{cluster}: model {b['key']} added to {wname}{_policy(b)}")
        elif b is None and a is not None:
            lines.append(f"{cluster}: model {a['key']} removed from {wname}{_policy(a)}")
        elif a is not None and b is not None and a != b:
            v0, v1 = _model_name(a["key"])[1], _model_name(b["key"])[1]
            what = f"{v0} -> {v1}" if v0 != v1 else "files changed"
            lines.append(f"{cluster}: model {name} {what} for {wname}{_policy(b)}")
    return lines


def cluster_changes(cluster: str, old: Summary | None, new: Summary | None) -> list[str]:
    if old is None and new is not None:
        names = ", ".join(f"{w['org']}/{w['name']}@{w['version']}" for w in new["workloads"]) or "no workloads"
        return [f"{cluster}: new cluster ({names})"]
    if new is None:
        return [f"{cluster}: cluster removed"]
    assert old is not None
    lines = []
    if old.get("labels") != new.get("labels"):
        lines.append(f"{cluster}: labels now {new.get('labels')}")
    before = _by(old["workloads"], "name")
    after = _by(new["workloads"], "name")
    for name in sorted(before.keys() | after.keys()):
        a, b = before.get(name), after.get(name)
        full = f"{(b or a or {}).get('org')}/{name}"
        if a is None and b is not None:
            lines.append(f"{cluster}: deploy {full} {b['version']}{_policy(b)}")
        elif b is None and a is not None:
            lines.append(f"{cluster}: undeploy {full} {a['version']}{_policy(a)}")
        elif a is not None and b is not None:
            if a["version"] != b["version"] or a["policy"] != b["policy"]:
                lines.append(f"{cluster}: {full} {a['version']} -> {b['version']}{_policy(b)}")
            lines.extend(_models(cluster, full, a["models"], b["models"]))
    return lines


def compose(old: Mapping[str, Summary], new: Mapping[str, Summary], *, files_changed: int) -> str:
    """The commit message for going from ``old`` to ``new`` summaries (keyed by cluster name)."""
    lines = []
    for cluster in sorted(old.keys() | new.keys()):
        lines.extend(cluster_changes(cluster, old.get(cluster), new.get(cluster)))
    touched = sorted({line.split(":", 1)[0] for line in lines})
    if not lines:
        title = "edgeplane: re-render (layout, options or image digests changed)"
    elif len(lines) == 1:
        title = f"edgeplane: {lines[0]}"
    else:
        title = f"edgeplane: update {len(touched)} cluster(s): {', '.join(touched)}"
    return "\n".join([title, "", *lines, "", f"{files_changed} file(s) changed."]).strip() + "\n"
