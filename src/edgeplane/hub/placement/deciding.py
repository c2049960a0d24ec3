"""One node's desired content from the rules it matches, with a decision (and reason) for every rule.

Per workload the highest allowed version wins (ties: policy name, then arch); the others are recorded as
superseded. For each placed workload, each model is routed independently: the highest version among the
model policies that name that workload, so one non-matching model never blocks another. Endpoints are
placed as they match. Pieces (a workload with its models, an endpoint) are built and hashed once and
shared by every node that gets them, which is what keeps 100k nodes cheap. Called by ``engine``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from typing import Literal

from edgeplane import schemas
from edgeplane.hub.placement import rules
from edgeplane.policy import versions

Outcome = Literal["placed", "superseded", "unrouted"]


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    policy: rules.PolicyKey
    rule: int
    outcome: Outcome
    detail: str


@dataclasses.dataclass(frozen=True, slots=True)
class Result:
    workloads: tuple[schemas.DesiredWorkload, ...]
    endpoints: tuple[schemas.DesiredEndpoint, ...]
    hash: str
    decisions: tuple[Decision, ...]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _desired_model(route: rules.Route, policy: str) -> schemas.DesiredModel:
    m = route.model
    return schemas.DesiredModel(
        org=m.org, name=m.model, version=m.version, framework=m.framework, object_type=route.object_type,
        files=m.files, policy=policy,
    )


class Decider:
    """Holds the shared pieces; ``clear()`` when rules change."""

    def __init__(self) -> None:
        self._workloads: dict[tuple[int, tuple[int, ...]], tuple[schemas.DesiredWorkload, str]] = {}
        self._endpoints: dict[int, tuple[schemas.DesiredEndpoint, str]] = {}

    def clear(self) -> None:
        self._workloads.clear()
        self._endpoints.clear()

    def decide(self, matched: Iterable[rules.Rule]) -> Result:
        deploys: dict[tuple[str, str], list[rules.Rule]] = {}
        routes: list[rules.Rule] = []
        serves: list[rules.Rule] = []
        for r in matched:
            if isinstance(r.target, rules.Deploy):
                deploys.setdefault((r.target.workload.org, r.target.workload.name), []).append(r)
            elif isinstance(r.target, rules.Route):
                routes.append(r)
            else:
                serves.append(r)
        routes.sort(key=_route_order)
        decisions: list[Decision] = []
        pieces: list[tuple[schemas.DesiredWorkload, str]] = []
        routed: set[int] = set()
        for wkey in sorted(deploys):
            ranked = sorted(deploys[wkey], key=_deploy_order)
            best = ranked[0]
            decisions.append(Decision(best.key, best.id, "placed", f"workload {_label(best)} placed"))
            decisions.extend(
                Decision(r.key, r.id, "superseded", f"{_label(r)} superseded by {_label(best)}") for r in ranked[1:]
            )
            chosen = self._route(best, routes, decisions)
            routed.update(r.id for r in chosen)
            pieces.append(self._workload(best, chosen))
        for r in routes:
            if r.id not in routed and not any(d.rule == r.id for d in decisions):
                decisions.append(Decision(r.key, r.id, "unrouted", "no workload it names is placed on this node"))
        ends = [self._endpoint(r) for r in sorted(serves, key=lambda r: r.key)]
        decisions.extend(Decision(r.key, r.id, "placed", "endpoint placed") for r in serves)
        content = digest("\n".join(h for _, h in [*pieces, *ends]))
        return Result(
            workloads=tuple(w for w, _ in pieces), endpoints=tuple(e for e, _ in ends), hash=content,
            decisions=tuple(decisions),
        )

    def _route(self, best: rules.Rule, routes: list[rules.Rule], decisions: list[Decision]) -> list[rules.Rule]:
        assert isinstance(best.target, rules.Deploy)
        chosen: dict[tuple[str, str], rules.Rule] = {}
        for r in routes:
            assert isinstance(r.target, rules.Route)
            if not r.target.serves(best.target.workload, best.target.version):
                continue
            m = r.target.model
            held = chosen.get((m.org, m.model))
            if held is None:
                chosen[(m.org, m.model)] = r
                decisions.append(Decision(r.key, r.id, "placed", f"model {m.model}@{m.version} -> {_label(best)}"))
            else:
                decisions.append(Decision(r.key, r.id, "superseded", f"model {m.model}@{m.version} superseded"))
        return [chosen[k] for k in sorted(chosen)]

    def _workload(self, best: rules.Rule, chosen: list[rules.Rule]) -> tuple[schemas.DesiredWorkload, str]:
        key = (best.id, tuple(r.id for r in chosen))
        piece = self._workloads.get(key)
        if piece is None:
            assert isinstance(best.target, rules.Deploy)
            w = best.target.workload
            models = [_desired_model(r.target, r.key[2]) for r in chosen if isinstance(r.target, rules.Route)]
            dw = schemas.DesiredWorkload(
                org=w.org, name=w.name, version=w.version, kind=w.kind, arch=w.arch or best.arch,
                device=w.device, cluster=w.cluster, models=models, policy=best.key[2],
            )
            piece = (dw, digest(dw.model_dump_json()))
            self._workloads[key] = piece
        return piece

    def _endpoint(self, rule: rules.Rule) -> tuple[schemas.DesiredEndpoint, str]:
        piece = self._endpoints.get(rule.id)
        if piece is None:
            assert isinstance(rule.target, rules.Serve)
            e = rule.target.endpoint
            shadow = schemas.Shadow(version=e.shadow.version, percent=e.shadow.percent) if e.shadow else None
            de = schemas.DesiredEndpoint(
                name=e.name, model=e.model, traffic=dict(sorted(e.traffic.items())), shadow=shadow,
                versions=[
                    schemas.DesiredModel(org=m.org, name=m.model, version=m.version, framework=m.framework,
                                         files=m.files, policy=e.name)
                    for m in rule.target.models
                ],
            )
            piece = (de, digest(de.model_dump_json()))
            self._endpoints[rule.id] = piece
        return piece


def _label(r: rules.Rule) -> str:
    assert isinstance(r.target, rules.Deploy)
    w = r.target.workload
    return f"{w.name}@{w.version} (policy {r.key[2]})"


def _deploy_order(r: rules.Rule) -> tuple[tuple[int, int, int], str, str]:
    assert isinstance(r.target, rules.Deploy)
    v = r.target.version
    return ((-v[0], -v[1], -v[2]), r.key[2], r.arch)


def _route_order(r: rules.Rule) -> tuple[str, str, tuple[int, int, int], str]:
    assert isinstance(r.target, rules.Route)
    m = r.target.model
    v = versions.parse_version(m.version) or (0, 0, 0)
    return (m.org, m.model, (-v[0], -v[1], -v[2]), r.key[2])
