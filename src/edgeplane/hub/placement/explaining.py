"""``Engine.explain``: why a node does or does not get what one policy places.

Built from the engine's own records: the rules the policy compiled to (with the reasons a policy yields
none), whether the node matched each rule, and the node's decisions (placed, superseded, unrouted). The
term-by-term accounts come from ``edgeplane.policy.explain`` (the same term checks the index uses), in
both directions: the policy's constraints on the node, the node's constraints on the policy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from edgeplane.hub.placement import deciding, fleet, rules
from edgeplane.policy import explain as accounts


@dataclasses.dataclass(frozen=True, slots=True)
class RuleAccount:
    label: str
    matched: bool
    checks: tuple[str, ...]
    forward: accounts.Account | None
    backward: accounts.Account | None
    decision: deciding.Decision | None

    def lines(self) -> list[str]:
        head = f"{self.label}: {'matched' if self.matched else 'not matched'}"
        if self.decision is not None:
            head += f", {self.decision.outcome}: {self.decision.detail}"
        out = [head, *(f"  {c}" for c in self.checks)]
        for acc in (self.forward, self.backward):
            if acc is not None:
                out.extend(f"  {line}" for line in acc.lines())
        return out


@dataclasses.dataclass(frozen=True, slots=True)
class Explanation:
    node_id: str
    policy: str
    found: bool
    placed: bool
    rules: tuple[RuleAccount, ...] = ()
    problems: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        if not self.found:
            return [f"{self.problems[0]}"]
        verdict = "gets" if self.placed else "does not get"
        out = [f"node {self.node_id} {verdict} what policy {self.policy} places"]
        out.extend(f"  problem: {p}" for p in self.problems)
        for r in self.rules:
            out.extend(f"  {line}" for line in r.lines())
        return out


def unknown_node(node_id: str, policy: str) -> Explanation:
    return Explanation(node_id=node_id, policy=policy, found=False, placed=False, problems=(f"no node {node_id!r}",))


def unknown_policy(node_id: str, policy: str) -> Explanation:
    return Explanation(
        node_id=node_id, policy=policy, found=False, placed=False,
        problems=(f"no policy {policy!r} in the node's org",),
    )


def _label(rule: rules.Rule) -> str:
    t = rule.target
    if isinstance(t, rules.Deploy):
        return f"workload {t.workload.org}/{t.workload.name}@{t.workload.version}"
    if isinstance(t, rules.Route):
        return f"model {t.model.org}/{t.model.model}@{t.model.version}"
    return f"endpoint {t.endpoint.name}"


def _checks(entry: fleet.Entry, rule: rules.Rule) -> tuple[list[str], bool]:
    arch = entry.props.get(fleet.ARCH)
    checks = [(entry.org == rule.org, f"org {entry.org} (policy org {rule.org})")]
    if rule.node_kind:
        checks.append((entry.kind == rule.node_kind, f"node kind {entry.kind} (workload kind {rule.node_kind})"))
    if rule.arch:
        have = arch.text if arch else "missing"
        checks.append((arch is not None and arch.text == rule.arch, f"arch {have} (workload arch {rule.arch})"))
    return [f"{'held  ' if ok else 'FAILED'} {text}" for ok, text in checks], all(ok for ok, _ in checks)


def explain(
    entry: fleet.Entry, compiled: rules.Compiled, matched: set[int], decisions: Iterable[deciding.Decision]
) -> Explanation:
    by_rule = {d.rule: d for d in decisions}
    out = []
    for rule in compiled.rules:
        checks, _ = _checks(entry, rule)
        owner = f"{compiled.key[0]} policy {compiled.key[2]}"
        forward = accounts.explain(rule.forward, entry.props, owner=owner, subject=f"node {entry.id}")
        backward = accounts.explain(
            entry.side.constraints, rule.side.properties, owner=f"node {entry.id}", subject=owner
        )
        out.append(RuleAccount(
            label=_label(rule), matched=rule.id in matched, checks=tuple(checks), forward=forward,
            backward=backward, decision=by_rule.get(rule.id),
        ))
    placed = any(r.decision is not None and r.decision.outcome == "placed" for r in out)
    return Explanation(
        node_id=entry.id, policy=compiled.key[2], found=True, placed=placed, rules=tuple(out),
        problems=compiled.problems,
    )
