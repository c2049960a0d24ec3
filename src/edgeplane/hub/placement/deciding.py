"""One node's desired content from the rules it matches, with a decision (and reason) for every rule.

Per workload the highest allowed version wins (ties: policy name, then arch); the others are recorded as
superseded. For each placed workload, each model is routed independently: the highest version among the
model policies that name that workload, so one non-matching model never blocks another. Endpoints are
placed as they match. Pieces (a workload with its models, an endpoint) are built and hashed once and
shared by every node that gets them. Called by ``engine`` for one node at a time and for explanations;
``sweeping`` reaches the same content for the whole fleet at once from the same pieces.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np

from edgeplane import schemas
from edgeplane.hub.placement import rules

Outcome = Literal["placed", "superseded", "unrouted"]


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    policy: rules.PolicyKey
    rule: int
    outcome: Outcome
    detail: str


Piece = schemas.DesiredWorkload | schemas.DesiredEndpoint


class Result:
    """A node's content (workloads, then endpoints) and the hash over exactly that content.

    Either holds its pieces, or (from ``sweeping``) a row of indexes into a piece table shared by every
    node of that sweep, decoded only when a document is read: the hash is all a full placement needs."""

    __slots__ = ("_pieces", "_row", "_table", "hash")

    def __init__(self, hash: str, pieces: Sequence[Piece] = (), *, row: bytes = b"",
                 table: Sequence[Piece] = ()) -> None:
        self.hash = hash
        self._pieces = tuple(pieces)
        self._row = row
        self._table = table

    @property
    def pieces(self) -> tuple[Piece, ...]:
        if self._row:
            return tuple(self._table[i] for i in np.frombuffer(self._row, dtype=np.int32).tolist())
        return self._pieces

    @property
    def workloads(self) -> tuple[schemas.DesiredWorkload, ...]:
        return tuple(p for p in self.pieces if isinstance(p, schemas.DesiredWorkload))

    @property
    def endpoints(self) -> tuple[schemas.DesiredEndpoint, ...]:
        return tuple(p for p in self.pieces if isinstance(p, schemas.DesiredEndpoint))


PieceKey = tuple[int, tuple[int, ...]]
"""(winning deployment rule id, ids of the model rules routed to it, one per model)."""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


EMPTY = Result(digest(""))


def _desired_model(route: rules.Route, policy: str) -> schemas.DesiredModel:
    m = route.model
    return schemas.DesiredModel(
        org=m.org, name=m.model, version=m.version, framework=m.framework, object_type=route.object_type,
        files=m.files, policy=policy,
    )


def routes_by_workload(routes: Iterable[rules.Rule]) -> dict[tuple[str, str], list[rules.Rule]]:
    """Model rules indexed by the workloads they name, each list in rank order (model, newest first)."""
    out: dict[tuple[str, str], list[rules.Rule]] = {}
    for r in routes:
        assert isinstance(r.target, rules.Route)
        for org, name in dict.fromkeys((org, name) for org, name, _, _ in r.target.services):
            out.setdefault((org, name), []).append(r)
    for lst in out.values():
        lst.sort(key=lambda r: r.rank)
    return out


class Decider:
    """Holds the shared pieces; ``clear()`` when rules change."""

    def __init__(self) -> None:
        self._workloads: dict[PieceKey, tuple[schemas.DesiredWorkload, str]] = {}
        self._endpoints: dict[int, tuple[schemas.DesiredEndpoint, str]] = {}

    def clear(self) -> None:
        self._workloads.clear()
        self._endpoints.clear()

    def assemble(self, pieces: Iterable[PieceKey], ends: Iterable[int], by_id: Mapping[int, rules.Rule]) -> Result:
        """The node's content from its pieces (in order); the hash covers exactly this content: the pieces'
        hashes joined by newlines (``sweeping`` computes the same from its piece table)."""
        built: list[tuple[Piece, str]] = [
            self.workload(by_id[best], [by_id[r] for r in routed]) for best, routed in pieces]
        built += [self.endpoint(by_id[e]) for e in ends]
        return Result(digest("\n".join(h for _, h in built)), [p for p, _ in built])

    def decide(self, matched: Iterable[rules.Rule], *, explain: bool = False) -> tuple[Result, tuple[Decision, ...]]:
        """One node: pick the winners among the rules it matched; with ``explain``, say why for every rule."""
        by_id: dict[int, rules.Rule] = {}
        deploys: dict[tuple[str, str], list[rules.Rule]] = {}
        for r in matched:
            by_id[r.id] = r
            if isinstance(r.target, rules.Deploy):
                deploys.setdefault((r.target.workload.org, r.target.workload.name), []).append(r)
        routes = routes_by_workload(r for r in by_id.values() if isinstance(r.target, rules.Route))
        serves = sorted((r for r in by_id.values() if isinstance(r.target, rules.Serve)), key=lambda r: r.key)
        notes: list[Decision] | None = [] if explain else None
        pieces: list[PieceKey] = []
        for wkey in sorted(deploys):
            ranked = sorted(deploys[wkey], key=lambda r: r.rank)
            best = ranked[0]
            chosen = self._route(best, routes.get(wkey, ()), notes)
            pieces.append((best.id, tuple(r.id for r in chosen)))
            if notes is not None:
                notes.append(Decision(best.key, best.id, "placed", f"workload {_label(best)} placed"))
                notes.extend(
                    Decision(r.key, r.id, "superseded", f"{_label(r)} superseded by {_label(best)}")
                    for r in ranked[1:]
                )
        if notes is not None:
            seen = {d.rule for d in notes}
            notes.extend(
                Decision(r.key, r.id, "unrouted", "no workload it names is placed on this node")
                for r in by_id.values() if isinstance(r.target, rules.Route) and r.id not in seen
            )
            notes.extend(Decision(r.key, r.id, "placed", "endpoint placed") for r in serves)
        result = self.assemble(pieces, [r.id for r in serves], by_id)
        return result, tuple(notes or ())

    def _route(
        self, best: rules.Rule, routes: Iterable[rules.Rule], notes: list[Decision] | None
    ) -> list[rules.Rule]:
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
            if notes is not None:
                outcome: Outcome = "placed" if held is None else "superseded"
                notes.append(Decision(r.key, r.id, outcome, f"model {m.model}@{m.version} for {_label(best)}"))
        return [chosen[k] for k in sorted(chosen)]

    def workload(self, best: rules.Rule, chosen: list[rules.Rule]) -> tuple[schemas.DesiredWorkload, str]:
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

    def endpoint(self, rule: rules.Rule) -> tuple[schemas.DesiredEndpoint, str]:
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


