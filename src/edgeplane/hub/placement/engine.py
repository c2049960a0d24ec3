"""The placement engine's API: feed it the world, get each node's desired content and why.

``Engine.load(snapshot)`` recomputes everything; ``upsert_*``/``remove_*`` apply one change and return the
ids of the nodes whose desired content changed. ``desired(node_id)`` builds the node's document
(generation 0: the store assigns generations), ``content_hash(node_id)`` is a stable sha256 of its
content, ``explain`` and ``check`` answer "why" and "what if". A node change re-evaluates only that node,
rule by rule; a policy change evaluates only that policy, over the fleet index (``fleet``), and re-decides
only the nodes it matched before or matches now. Whole-fleet deciding is column-wise (``sweeping``); no
per-node list of matched rules is kept: one node's is re-derived by matching it (``_match_node``) when a
change, ``decisions`` or ``explain`` needs it. Not thread-safe: the caller serialises changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from edgeplane import schemas
from edgeplane.hub.placement import bits, deciding, explaining, fleet, inputs, probing, rules, sweeping
from edgeplane.policy import compiler, matching, syntax

Policy = schemas.DeploymentPolicy | schemas.ModelPolicy | schemas.Endpoint
EMPTY = deciding.EMPTY


def policy_key(p: Policy) -> rules.PolicyKey:
    kind = "deployment" if isinstance(p, schemas.DeploymentPolicy) else (
        "model" if isinstance(p, schemas.ModelPolicy) else "endpoint")
    return (kind, p.org, p.name)


class Docs(Mapping[str, schemas.DesiredState]):
    """Every node's document, built on access (100k pydantic documents are not free)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __getitem__(self, node_id: str) -> schemas.DesiredState:
        doc = self._engine.desired(node_id)
        if doc is None:
            raise KeyError(node_id)
        return doc

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._engine.node_ids()))

    def __len__(self) -> int:
        return len(self._engine.node_ids())


class Engine:
    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._fleet = fleet.Fleet()
        self._compiler = rules.Compiler()
        self._decider = deciding.Decider()
        self._workloads: dict[tuple[str, str], dict[str, schemas.Workload]] = {}
        self._models: dict[tuple[str, str, str], schemas.ModelVersion] = {}
        self._policies: dict[rules.PolicyKey, Policy] = {}
        self._compiled: dict[rules.PolicyKey, rules.Compiled] = {}
        self._rules: dict[int, rules.Rule] = {}
        self._anchor_of: dict[int, syntax.Expr | None] = {}
        self._probe: probing.Probe | None = None
        self._masks = bits.Masks()
        self._workload_lists: dict[tuple[str, str], list[schemas.Workload]] | None = None
        self._results: dict[int, deciding.Result] = {}
        self._memo: dict[frozenset[int], deciding.Result] = {}
        self._backward: dict[syntax.Expr, dict[int, bool]] = {}

    # ----- reading -------------------------------------------------------------------------------------------
    def node_ids(self) -> list[str]:
        return list(self._fleet.slot_of)

    def _result(self, node_id: str) -> deciding.Result | None:
        slot = self._fleet.slot_of.get(node_id)
        return None if slot is None else self._results.get(slot, EMPTY)

    def content_hash(self, node_id: str) -> str | None:
        """sha256 of the node's workloads and endpoints (not of org, node id or generation)."""
        result = self._result(node_id)
        return None if result is None else result.hash

    def decisions(self, node_id: str) -> tuple[deciding.Decision, ...]:
        """What placement decided for each rule the node matched, and why (placed, superseded, unrouted)."""
        slot = self._fleet.slot_of.get(node_id)
        if slot is None:
            return ()
        entry = self._fleet.entries[slot]
        assert entry is not None
        matched = [self._rules[r] for r in sorted(self._match_node(entry))]
        return self._decider.decide(matched, explain=True)[1]

    def desired(self, node_id: str) -> schemas.DesiredState | None:
        entry = self._fleet.get(node_id)
        result = self._result(node_id)
        if entry is None or result is None:
            return None
        return schemas.DesiredState(
            org=entry.org, node_id=entry.id, generation=0, workloads=list(result.workloads),
            endpoints=list(result.endpoints),
        )

    def policies(self) -> list[rules.PolicyKey]:
        return sorted(self._policies)

    # ----- whole world ---------------------------------------------------------------------------------------
    def load(self, snapshot: inputs.Snapshot) -> Docs:
        """Forget everything and place ``snapshot`` from scratch. Raises ``PolicyError`` on a bad policy
        (then the engine is empty)."""
        self._reset()
        with sweeping.paused_gc():
            self._load(snapshot)
        return Docs(self)

    def _load(self, snapshot: inputs.Snapshot) -> None:
        for w in snapshot.workloads:
            self._workloads.setdefault((w.org, w.name), {})[w.version] = w
        for m in snapshot.model_versions:
            self._models[(m.org, m.model, m.version)] = m
        for node in snapshot.nodes:
            self._fleet.put(_entry(node))
        everything: list[Policy] = [*snapshot.deployment_policies, *snapshot.model_policies, *snapshot.endpoints]
        for p in everything:
            self._policies[policy_key(p)] = p
        for key in sorted(self._policies):
            self._install(self._compile(self._policies[key]))
        self._place_all()

    def recompute(self) -> Docs:
        """Re-place every node from the fleet already in memory: every policy recompiled and evaluated over
        the index, every node re-decided. Same answer as ``load`` of the same world, minus ingesting nodes."""
        self._compiled, self._rules, self._masks, self._anchor_of = {}, {}, bits.Masks(), {}
        self._backward, self._memo, self._probe = {}, {}, None
        self._decider.clear()
        with sweeping.paused_gc():
            for key in sorted(self._policies):
                self._install(self._compile(self._policies[key]))
            self._place_all()
        return Docs(self)

    # ----- nodes ---------------------------------------------------------------------------------------------
    def upsert_node(self, node: inputs.Node) -> set[str]:
        entry = _entry(node)
        before = self._fleet.get(entry.id)
        old = self._match_node(before) if before is not None else set()
        slot, _ = self._fleet.put(entry)
        new = self._match_node(entry)
        for rid in old - new:
            self._masks.flip(rid, slot, False)
        for rid in new - old:
            self._masks.flip(rid, slot, True)
        key = frozenset(new)
        result = self._memo.get(key)
        if result is None:
            result = self._decider.decide(self._rules[r] for r in sorted(key))[0] if key else EMPTY
            self._memo[key] = result
        previous = self._results.get(slot) if before is not None else None
        self._results[slot] = result
        return {entry.id} if previous is None or previous.hash != result.hash else set()

    def remove_node(self, node_id: str) -> set[str]:
        dropped = self._fleet.drop(node_id)
        if dropped is None:
            return set()
        slot, old = dropped
        for rid in self._match_node(old):
            self._masks.flip(rid, slot, False)
        self._results.pop(slot, None)
        return {node_id}

    def _match_node(self, entry: fleet.Entry) -> set[int]:
        """The rules one node matches: forward predicates through ``probing`` (rebuilt after rules change),
        then org, kind, arch and the node's own constraints rule by rule."""
        probe = self._probe
        if probe is None:
            probe = self._probe = probing.Probe(self._rules.values(), self._anchor_of)
        arch = entry.props.get(fleet.ARCH)
        arch_text = arch.text if arch is not None else None
        mine = entry.side.constraints
        out = set()
        for rule in probe.candidates(entry.org, entry.props):
            if (rule.node_kind and rule.node_kind != entry.kind) or (rule.arch and rule.arch != arch_text):
                continue
            if self._backward_ok(mine, rule):
                out.add(rule.id)
        return out

    def _anchor(self, rule: rules.Rule) -> syntax.Expr | None:
        """The most selective part every node matching ``rule`` must satisfy (a top-level AND item, judged by
        how many nodes hold it now), or ``None``. Only a speed-up for ``_match_node``: any required item is
        correct."""
        expr = rule.forward.expr
        items = expr.items if isinstance(expr, syntax.AllOf) else (expr,)
        if not items:
            return None
        return min(items, key=lambda e: self._fleet.expr_mask(e).bit_count())

    def _backward_ok(self, pred: compiler.Predicate, rule: rules.Rule) -> bool:
        if pred.always:
            return True
        row = self._backward.setdefault(pred.expr, {})
        ok = row.get(rule.id)
        if ok is None:
            ok = row[rule.id] = pred.evaluate(rule.side.properties)
        return ok

    # ----- policies, workloads, models -----------------------------------------------------------------------
    def upsert_policy(self, policy: Policy) -> set[str]:
        """Add or replace a deployment policy, model policy or endpoint. Raises ``PolicyError`` (and
        changes nothing) when its constraints or version ranges do not parse."""
        compiled = self._compile(policy)
        key = policy_key(policy)
        self._policies[key] = policy
        return self._redecide(self._swap(key, compiled))

    def remove_policy(self, kind: str, org: str, name: str) -> set[str]:
        key = (kind, org, name)
        if self._policies.pop(key, None) is None:
            return set()
        return self._redecide(self._swap(key, None))

    def upsert_workload(self, workload: schemas.Workload) -> set[str]:
        self._compiler.forget_workload(workload)
        self._workload_lists = None
        self._workloads.setdefault((workload.org, workload.name), {})[workload.version] = workload
        return self._recompile(lambda p: isinstance(p, schemas.DeploymentPolicy))

    def remove_workload(self, org: str, name: str, version: str) -> set[str]:
        removed = self._workloads.get((org, name), {}).pop(version, None)
        if removed is None:
            return set()
        self._compiler.forget_workload(removed)
        self._workload_lists = None
        return self._recompile(lambda p: isinstance(p, schemas.DeploymentPolicy))

    def upsert_model_version(self, model: schemas.ModelVersion) -> set[str]:
        self._models[(model.org, model.model, model.version)] = model
        return self._recompile(lambda p: isinstance(p, schemas.ModelPolicy | schemas.Endpoint))

    def remove_model_version(self, org: str, model: str, version: str) -> set[str]:
        if self._models.pop((org, model, version), None) is None:
            return set()
        return self._recompile(lambda p: isinstance(p, schemas.ModelPolicy | schemas.Endpoint))

    def _recompile(self, which: object) -> set[str]:
        assert callable(which)
        touched = 0
        for key in sorted(k for k, p in self._policies.items() if which(p)):
            touched |= self._swap(key, self._compile(self._policies[key]))
        return self._redecide(touched)

    def _compile(self, p: Policy) -> rules.Compiled:
        if isinstance(p, schemas.DeploymentPolicy):
            if self._workload_lists is None:
                self._workload_lists = {k: list(v.values()) for k, v in self._workloads.items()}
            return self._compiler.deployment(p, self._workload_lists)
        if isinstance(p, schemas.ModelPolicy):
            return self._compiler.model(p, self._models)
        return self._compiler.endpoint(p, self._models)

    def _swap(self, key: rules.PolicyKey, compiled: rules.Compiled | None) -> int:
        """Replace a policy's rules; returns the mask of the nodes whose matched rules may have changed."""
        touched = 0
        old = self._compiled.pop(key, None)
        self._probe = None
        for rule in old.rules if old else ():
            mask = self._masks.pop(rule.id)
            del self._rules[rule.id]
            del self._anchor_of[rule.id]
            touched |= mask
        if compiled is not None:
            touched |= self._install(compiled)
        self._decider.clear()
        self._memo.clear()
        return touched

    def _install(self, compiled: rules.Compiled) -> int:
        self._compiled[compiled.key] = compiled
        self._probe = None
        touched = 0
        for rule in compiled.rules:
            self._rules[rule.id] = rule
            self._anchor_of[rule.id] = self._anchor(rule)
            mask = self._masks[rule.id] = self._rule_mask(rule)
            touched |= mask
        return touched

    def _rule_mask(self, rule: rules.Rule) -> int:
        f = self._fleet
        mask = f.tag("org", rule.org)
        if mask and rule.node_kind:
            mask &= f.tag("kind", rule.node_kind)
        if mask and rule.arch:
            mask &= f.term_mask(fleet.arch_term(rule.arch))
        if mask:
            mask &= f.expr_mask(rule.forward.expr)
        if mask:
            mask &= f.groups_where(lambda pred: self._backward_ok(pred, rule))
        return mask

    def _place_all(self) -> None:
        """Decide every node at once (``sweeping``); the same content ``Decider.decide`` gives node by node."""
        self._results = sweeping.sweep(self._rules, self._masks, self._fleet.alive, self._decider)

    def _redecide(self, touched: int) -> set[str]:
        """Re-decide the nodes of ``touched``; returns the ids of those whose content changed."""
        fresh = sweeping.sweep(self._rules, self._masks, touched & self._fleet.alive, self._decider)
        entries, results = self._fleet.entries, self._results
        changed: set[str] = set()
        for slot, result in fresh.items():
            old = results.get(slot)
            if old is None or old.hash != result.hash:
                entry = entries[slot]
                assert entry is not None
                changed.add(entry.id)
            results[slot] = result
        return changed

    # ----- why and what if -----------------------------------------------------------------------------------
    def explain(self, node_id: str, policy_name: str, kind: str | None = None) -> explaining.Explanation:
        """Why node ``node_id`` does or does not get what policy ``policy_name`` places, term by term."""
        entry = self._fleet.get(node_id)
        if entry is None:
            return explaining.unknown_node(node_id, policy_name)
        keys = [k for k in self._policies if k[2] == policy_name and k[1] == entry.org and kind in (None, k[0])]
        if not keys:
            return explaining.unknown_policy(node_id, policy_name)
        compiled = self._compiled[sorted(keys)[0]]
        matched = self._match_node(entry)
        return explaining.explain(entry, compiled, matched, self.decisions(node_id))

    def check(self, policy: Policy) -> list[str]:
        """Dry run: ids of the nodes the policy would match (before version selection), sorted."""
        compiled = self._compile(policy)
        mask = 0
        for rule in compiled.rules:
            mask |= self._rule_mask(rule)
        entries = self._fleet.entries
        return sorted(e.id for s in bits.slots(mask).tolist() if (e := entries[s]) is not None)


def _entry(node: inputs.Node) -> fleet.Entry:
    side = matching.node_side(f"node {node.id}", node.policy, node.builtin)
    return fleet.Entry(id=node.id, org=node.org, kind=node.kind, side=side)

