"""Policies compiled into match rules: "nodes with these facts get this".

A deployment policy yields one rule per workload version it allows (version range, pinned versions, arch),
its constraints ANDed with that version's; a model policy yields one rule for its model version; an endpoint
one rule. Every rule has the same matching shape (org, node kind, arch, forward predicate on the node, side
properties for the node's own constraints), so ``engine`` matches them all the same way. Policies that yield
no rule say why in ``Compiled.problems``. Raises only ``edgeplane.policy.errors.PolicyError``.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from edgeplane import schemas
from edgeplane.policy import compiler, matching, syntax, versions

PolicyKey = tuple[str, str, str]
"""(kind, org, name) with kind one of deployment, model, endpoint."""


@dataclasses.dataclass(frozen=True, slots=True)
class Deploy:
    workload: schemas.Workload
    version: versions.Version


@dataclasses.dataclass(frozen=True, slots=True)
class Route:
    model: schemas.ModelVersion
    object_type: str
    services: tuple[tuple[str, str, str, versions.VersionRange], ...]

    def serves(self, w: schemas.Workload, v: versions.Version) -> bool:
        return any(
            org == w.org and name == w.name and (not arch or not w.arch or arch == w.arch) and v in rng
            for org, name, arch, rng in self.services
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Serve:
    endpoint: schemas.Endpoint
    models: tuple[schemas.ModelVersion, ...]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Rule:
    id: int
    key: PolicyKey
    org: str
    node_kind: str | None
    arch: str
    forward: compiler.Predicate
    side: matching.Side
    target: Deploy | Route | Serve
    rank: tuple[Any, ...] = ()
    """Sort key among rivals: deployments newest version first, then policy name, then arch; model routes
    by model, newest version first, then policy name."""


@dataclasses.dataclass(frozen=True, slots=True)
class Compiled:
    key: PolicyKey
    rules: tuple[Rule, ...]
    problems: tuple[str, ...] = ()


class Compiler:
    """Turns policies into rules with engine-unique ids; caches parsed workload sides."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._workload_sides: dict[tuple[str, str, str], matching.Side] = {}
        self._terms: dict[syntax.Term, syntax.Term] = {}

    def intern(self, pred: compiler.Predicate) -> compiler.Predicate:
        """The same predicate with equal terms shared across policies, so a node's evaluation can memoise
        term results by identity."""
        return compiler.Predicate(expr=self._intern(pred.expr), sources=pred.sources)

    def _intern(self, expr: syntax.Expr) -> syntax.Expr:
        if isinstance(expr, syntax.Term):
            return self._terms.setdefault(expr, expr)
        items = tuple(self._intern(e) for e in expr.items)
        return syntax.AllOf(items) if isinstance(expr, syntax.AllOf) else syntax.AnyOf(items)

    def workload_side(self, w: schemas.Workload) -> matching.Side:
        key = (w.org, w.name, w.version)
        side = self._workload_sides.get(key)
        if side is None:
            side = matching.side(f"workload {w.name}@{w.version}", w.properties, w.constraints)
            self._workload_sides[key] = side
        return side

    def forget_workload(self, w: schemas.Workload) -> None:
        self._workload_sides.pop((w.org, w.name, w.version), None)

    def deployment(
        self, p: schemas.DeploymentPolicy, workloads: Mapping[tuple[str, str], Sequence[schemas.Workload]]
    ) -> Compiled:
        key: PolicyKey = ("deployment", p.org, p.name)
        own = matching.side(f"deployment policy {p.name}", p.properties, p.constraints)
        rng = versions.parse_range(p.workload.version)
        ref_org = p.workload.org or p.org
        arch = "" if p.workload.arch in ("", "*") else p.workload.arch
        out, problems = [], []
        for w in workloads.get((ref_org, p.workload.name), ()):
            v = versions.parse_version(w.version)
            if v is None or v not in rng or (p.workload.pinned and w.version not in p.workload.pinned):
                continue
            if arch and w.arch and w.arch != arch:
                continue
            side = matching.merge(own.name, self.workload_side(w), own)
            out.append(Rule(
                id=next(self._ids), key=key, org=p.org, node_kind=w.kind, arch=w.arch or arch,
                forward=self.intern(side.constraints), side=side, target=Deploy(workload=w, version=v),
                rank=((-v[0], -v[1], -v[2]), p.name, w.arch or arch),
            ))
        if not out:
            problems.append(
                f"no version of workload {ref_org}/{p.workload.name} fits version {rng}"
                f"{' pinned ' + ','.join(p.workload.pinned) if p.workload.pinned else ''}"
                f"{' arch ' + arch if arch else ''}"
            )
        return Compiled(key=key, rules=tuple(out), problems=tuple(problems))

    def model(self, p: schemas.ModelPolicy, models: Mapping[tuple[str, str, str], schemas.ModelVersion]) -> Compiled:
        key: PolicyKey = ("model", p.org, p.name)
        side = matching.side(f"model policy {p.name}", p.properties, p.constraints)
        services = tuple(
            (s.org or p.org, s.name, "" if s.arch == "*" else s.arch, versions.parse_range(s.version))
            for s in p.services
        )
        mv = models.get((p.org, p.model, p.version))
        if mv is None or mv.state != "ready":
            return Compiled(key=key, rules=(), problems=(f"model version {p.org}/{p.model}@{p.version} is not ready",))
        rule = Rule(
            id=next(self._ids), key=key, org=p.org, node_kind=None, arch="",
            forward=self.intern(side.constraints), side=side,
            target=Route(model=mv, object_type=p.object_type, services=services),
            rank=(mv.org, mv.model, _descending(mv.version), p.name),
        )
        return Compiled(key=key, rules=(rule,))

    def endpoint(self, e: schemas.Endpoint, models: Mapping[tuple[str, str, str], schemas.ModelVersion]) -> Compiled:
        key: PolicyKey = ("endpoint", e.org, e.name)
        side = matching.side(f"endpoint {e.name}", e.properties, e.constraints)
        wanted = sorted({*e.traffic, *([e.shadow.version] if e.shadow else [])})
        found = [models.get((e.org, e.model, v)) for v in wanted]
        missing = [v for v, m in zip(wanted, found, strict=True) if m is None or m.state != "ready"]
        if missing:
            return Compiled(key=key, rules=(), problems=(f"model {e.model} versions not ready: {', '.join(missing)}",))
        ready = tuple(m for m in found if m is not None)
        rule = Rule(
            id=next(self._ids), key=key, org=e.org, node_kind=None, arch="",
            forward=self.intern(side.constraints), side=side,
            target=Serve(endpoint=e, models=ready),
        )
        return Compiled(key=key, rules=(rule,))


def _descending(version: str) -> tuple[int, int, int]:
    v = versions.parse_version(version) or (0, 0, 0)
    return (-v[0], -v[1], -v[2])
