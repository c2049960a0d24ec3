"""Which part of each desired endpoint this node can serve now, and what to report for the rest.

Pure planning for :mod:`edgeplane.agent.inferencing`: an endpoint version is servable once its model
version is delivered (``active`` in local state and installed: verified bytes, atomically placed). The
plan keeps the split among servable versions; when only versions with weight 0 are servable (a
``set-traffic`` whose new version is still downloading), they share the traffic equally, because
answering from the old version beats answering 503. A shadow that is not delivered yet is left out.
Imports nothing from ``edgeplane.serving``: the agent stays light until a node really has endpoints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from edgeplane.agent import layout as paths
from edgeplane.agent import materialising
from edgeplane.agent.state import db as statedb
from edgeplane.agent.state import versions
from edgeplane.schemas.desired import DesiredEndpoint, DesiredState, ObjectState

KIND = "endpoint"


def key(endpoint: str, version: str) -> str:
    """The status key of one endpoint version, e.g. ``fraud@2``."""
    return f"{endpoint}@{version}"


@dataclass(frozen=True)
class Servable:
    """One endpoint reduced to its delivered versions, with the version directories to load."""

    endpoint: DesiredEndpoint
    dirs: dict[str, Path]


@dataclass
class Plan:
    servable: list[Servable] = field(default_factory=list)
    waiting: dict[str, tuple[ObjectState, str]] = field(default_factory=dict)
    """Status of versions not servable yet, by status key: ``pending`` (on its way) or ``failed``."""

    def wanted_keys(self) -> set[str]:
        return set(self.waiting) | {key(s.endpoint.name, v) for s in self.servable for v in s.dirs}


def plan(state: DesiredState, lay: paths.Layout, db: statedb.StateDb) -> Plan:
    out = Plan()
    for ep in state.endpoints:
        dirs: dict[str, Path] = {}
        for model in ep.versions:
            row = versions.get(db, model.key)
            if row is not None and row.state == "active" and materialising.is_installed(lay, model):
                dirs[model.version] = lay.version_dir(model.org, model.name, model.version)
            elif row is not None and row.state == "failed":
                out.waiting[key(ep.name, model.version)] = ("failed", f"delivery of {model.key} failed: {row.reason}")
            else:
                now = row.state if row is not None else "pending"
                out.waiting[key(ep.name, model.version)] = ("pending", f"model {model.key} is {now}")
        if dirs:
            out.servable.append(Servable(endpoint=_reduced(ep, set(dirs)), dirs=dirs))
    return out


def _reduced(ep: DesiredEndpoint, ready: set[str]) -> DesiredEndpoint:
    traffic = {v: w for v, w in ep.traffic.items() if v in ready}
    if sum(traffic.values()) <= 0:
        traffic = dict.fromkeys(sorted(traffic) or sorted(ready), 1)
    shadow = ep.shadow if ep.shadow is not None and ep.shadow.version in ready else None
    return ep.model_copy(update={"traffic": traffic, "shadow": shadow,
                                 "versions": [m for m in ep.versions if m.version in ready]})
