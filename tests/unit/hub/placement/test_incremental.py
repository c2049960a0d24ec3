"""Incremental updates reach exactly the state a full recompute reaches (property-based)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.hub.placement import helpers as h

from edgeplane.hub.placement import engine, inputs

SITES = ["a", "b", "c"]
CONSTRAINTS = ["", "site == a", "site in \"a,b\"", "gpu == true", "mem >= 4 || site == c", "zone != x"]
WORKLOADS = [h.workload("det", v) for v in ("1.0.0", "1.1.0", "2.0.0")] + [h.workload("cam", "1.0.0")]
MODELS = [h.model("yolo", "1"), h.model("yolo", "2"), h.model("ocr", "1")]

nodes = st.builds(
    lambda i, site, gpu, mem, c: h.node(f"n{i}", {"site": site, "gpu": gpu, "mem": mem},
                                        [c] if c and c != "zone != x" else []),
    st.integers(0, 7), st.sampled_from(SITES), st.booleans(), st.integers(1, 8),
    st.sampled_from(["", "tier == gold", "zone != x"]),
)
policies = st.one_of(
    st.builds(lambda i, w, v, c, t: h.deploy(f"d{i}", w, v, [c] if c else [], {"tier": t}),
              st.integers(0, 3), st.sampled_from(["det", "cam"]),
              st.sampled_from(["[0.0.0,INFINITY)", "[1.0.0,2.0.0)", "2.0.0", "[1.1.0,1.1.0]"]),
              st.sampled_from(CONSTRAINTS), st.sampled_from(["gold", "tin"])),
    st.builds(lambda i, m, v, w, c: h.route(f"m{i}", m, v, [{"name": w}], [c] if c else []),
              st.integers(0, 3), st.sampled_from(["yolo", "ocr"]), st.sampled_from(["1", "2"]),
              st.sampled_from(["det", "cam"]), st.sampled_from(CONSTRAINTS)),
)
ops = st.lists(st.one_of(
    st.tuples(st.just("node"), nodes),
    st.tuples(st.just("rm-node"), st.integers(0, 7)),
    st.tuples(st.just("policy"), policies),
    st.tuples(st.just("rm-policy"), st.integers(0, 3)),
    st.tuples(st.just("rm-workload"), st.sampled_from(WORKLOADS)),
    st.tuples(st.just("workload"), st.sampled_from(WORKLOADS)),
), max_size=25)


def _state(e: engine.Engine) -> dict[str, str | None]:
    return {n: e.content_hash(n) for n in sorted(e.node_ids())}


@settings(max_examples=150, deadline=None)
@given(st.lists(nodes, max_size=6), st.lists(policies, max_size=4), ops)
def test_incremental_equals_full_recompute(start_nodes: list[inputs.Node], start_policies: list[object],
                                           steps: list[tuple[str, object]]) -> None:
    live = engine.Engine()
    world = {"nodes": {n.id: n for n in start_nodes}, "policies": {}, "workloads": {}}
    for p in start_policies:
        world["policies"][engine.policy_key(p)] = p  # type: ignore[arg-type]
    for w in WORKLOADS:
        world["workloads"][(w.name, w.version)] = w
    live.load(_snapshot(world))
    for kind, arg in steps:
        before = _state(live)
        if kind == "node":
            world["nodes"][arg.id] = arg  # type: ignore[attr-defined]
            changed = live.upsert_node(arg)  # type: ignore[arg-type]
        elif kind == "rm-node":
            world["nodes"].pop(f"n{arg}", None)
            changed = live.remove_node(f"n{arg}")
        elif kind == "policy":
            world["policies"][engine.policy_key(arg)] = arg  # type: ignore[arg-type]
            changed = live.upsert_policy(arg)  # type: ignore[arg-type]
        elif kind == "rm-policy":
            key = next((k for k in sorted(world["policies"]) if k[2].endswith(str(arg))), None)
            changed = set()
            if key is not None:
                del world["policies"][key]
                changed = live.remove_policy(*key)
        elif kind == "workload":
            world["workloads"][(arg.name, arg.version)] = arg  # type: ignore[attr-defined]
            changed = live.upsert_workload(arg)  # type: ignore[arg-type]
        else:
            world["workloads"].pop((arg.name, arg.version), None)  # type: ignore[attr-defined]
            changed = live.remove_workload("acme", arg.name, arg.version)  # type: ignore[attr-defined]
        after = _state(live)
        moved = {n for n in set(before) | set(after) if before.get(n) != after.get(n)}
        assert moved <= changed
        fresh = engine.Engine()
        fresh.load(_snapshot(world))
        assert after == _state(fresh)
        for n in after:
            assert live.desired(n) == fresh.desired(n)


def _snapshot(world: dict[str, dict[object, object]]) -> inputs.Snapshot:
    from edgeplane import schemas

    ps = list(world["policies"].values())
    return inputs.Snapshot(
        nodes=list(world["nodes"].values()),  # type: ignore[arg-type]
        workloads=list(world["workloads"].values()),  # type: ignore[arg-type]
        deployment_policies=[p for p in ps if isinstance(p, schemas.DeploymentPolicy)],
        model_policies=[p for p in ps if isinstance(p, schemas.ModelPolicy)],
        model_versions=MODELS,
    )
