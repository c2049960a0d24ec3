"""A whole-fleet placement gives every node the content one-node placement gives it (property-based)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.hub.placement import helpers as h
from tests.unit.hub.placement import test_incremental as inc

from edgeplane import schemas
from edgeplane.hub.placement import engine, inputs

endpoints = st.builds(
    lambda i, c, v: schemas.Endpoint(name=f"e{i}", org="acme", model="yolo", traffic={v: 100},
                                     constraints=[c] if c else []),
    st.integers(0, 2), st.sampled_from(inc.CONSTRAINTS), st.sampled_from(["1", "2"]),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(inc.nodes, max_size=8), st.lists(inc.policies, max_size=6), st.lists(endpoints, max_size=2))
def test_full_placement_equals_one_node_placement(
    nodes: list[inputs.Node], policies: list[object], eps: list[schemas.Endpoint]
) -> None:
    unique = list({n.id: n for n in nodes}.values())
    by_key = {engine.policy_key(p): p for p in [*policies, *eps]}  # type: ignore[arg-type]
    world = inputs.Snapshot(
        nodes=unique, workloads=inc.WORKLOADS, model_versions=inc.MODELS,
        deployment_policies=[p for p in by_key.values() if isinstance(p, schemas.DeploymentPolicy)],
        model_policies=[p for p in by_key.values() if isinstance(p, schemas.ModelPolicy)],
        endpoints=[p for p in by_key.values() if isinstance(p, schemas.Endpoint)],
    )
    e = engine.Engine()
    docs = e.load(world)
    full = {n: (e.content_hash(n), docs[n]) for n in docs}
    one_by_one = engine.Engine()
    one_by_one.load(inputs.Snapshot(workloads=world.workloads, model_versions=world.model_versions,
                                    deployment_policies=world.deployment_policies,
                                    model_policies=world.model_policies, endpoints=world.endpoints))
    for n in unique:
        assert e.upsert_node(n) == set()  # the same node again: one-node placement agrees, nothing changed
        assert one_by_one.upsert_node(n) == {n.id}
    for n, (digest, doc) in full.items():
        assert e.content_hash(n) == digest and e.desired(n) == doc
        assert one_by_one.content_hash(n) == digest and one_by_one.desired(n) == doc
    again = e.recompute()
    assert {n: (e.content_hash(n), again[n]) for n in again} == full


def test_nodes_with_the_same_content_share_a_hash_and_differ_from_empty() -> None:
    e = engine.Engine()
    e.load(inputs.Snapshot(
        nodes=[h.node("a", {"site": "a"}), h.node("b", {"site": "a"}), h.node("c", {"site": "b"}),
               h.node("d", {"site": "b"})],
        workloads=inc.WORKLOADS, deployment_policies=[h.deploy("d", "det", constraints=["site == a"])],
    ))
    assert e.content_hash("a") == e.content_hash("b") != e.content_hash("c") == e.content_hash("d")
    assert [w.version for w in e.desired("a").workloads] == ["2.0.0"]  # type: ignore[union-attr]
    assert e.desired("c").workloads == []  # type: ignore[union-attr]
