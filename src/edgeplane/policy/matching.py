"""Bidirectional matching of two policy sides, as Open Horizon does it.

A side is a property set plus constraints (a node, a deployment policy with its workload, a model policy,
an endpoint). Two sides match when each one's constraints hold on the other's properties. A node policy's
``deployment`` section is merged into its top level for deployment matching (its properties override
same-named top-level ones; its constraints are ANDed), and the node's built-in ``openhorizon.*`` properties
are added last. Called by the CLI, tests and the placement engine (which uses ``node_side`` and the
predicates, but evaluates them over its index instead of pair by pair).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from edgeplane.policy import compiler, explain, properties


@dataclasses.dataclass(frozen=True, slots=True)
class Side:
    name: str
    properties: Mapping[str, properties.Value]
    constraints: compiler.Predicate


@dataclasses.dataclass(frozen=True, slots=True)
class Match:
    held: bool
    forward: explain.Account
    backward: explain.Account

    def lines(self) -> list[str]:
        verdict = "MATCH" if self.held else "NO MATCH"
        return [verdict, *self.forward.lines(), *self.backward.lines()]


def side(name: str, props: Iterable[Any] = (), constraints: object = None, *, field: str = "") -> Side:
    """Parse OH ``properties`` and ``constraints`` into a side; raises ``errors.PolicyError``."""
    prefix = f"{field}." if field else ""
    return Side(
        name=name,
        properties=properties.parse(props, field=f"{prefix}properties"),
        constraints=compiler.compile_constraints(constraints, field=f"{prefix}constraints"),
    )


def _get(doc: object, key: str) -> Any:
    if isinstance(doc, Mapping):
        return doc.get(key)
    return getattr(doc, key, None)


def node_side(name: str, policy: object, builtin: Iterable[Any] = ()) -> Side:
    """A node's deployment-matching side from its OH node policy (dict or ``schemas.NodePolicy``)."""
    top = side(name, _get(policy, "properties") or (), _get(policy, "constraints"))
    merged = dict(top.properties)
    predicate = top.constraints
    deployment = _get(policy, "deployment")
    if deployment is not None:
        dep = side(name, _get(deployment, "properties") or (), _get(deployment, "constraints"), field="deployment")
        merged.update(dep.properties)
        predicate = compiler.both(predicate, dep.constraints)
    merged.update(properties.parse(builtin, field="builtin"))
    return Side(name=name, properties=merged, constraints=predicate)


def merge(name: str, *sides: Side) -> Side:
    """Several sides acting as one (a deployment policy plus its workload): properties are united, later
    sides winning a name clash; constraints are ANDed."""
    props: dict[str, properties.Value] = {}
    predicate = compiler.ALWAYS
    for s in sides:
        props.update(s.properties)
        predicate = compiler.both(predicate, s.constraints)
    return Side(name=name, properties=props, constraints=predicate)


def matches(a: Side, b: Side) -> bool:
    return a.constraints.evaluate(b.properties) and b.constraints.evaluate(a.properties)


def explain_match(a: Side, b: Side) -> Match:
    forward = explain.explain(a.constraints, b.properties, owner=a.name, subject=b.name)
    backward = explain.explain(b.constraints, a.properties, owner=b.name, subject=a.name)
    return Match(held=forward.held and backward.held, forward=forward, backward=backward)
