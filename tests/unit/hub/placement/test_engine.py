"""Placement engine through its public API: versions, bidirectional matching, model routing, explain."""

from __future__ import annotations

import pytest
from tests.unit.hub.placement import helpers as h

from edgeplane import schemas
from edgeplane.hub.placement import engine, inputs
from edgeplane.policy import errors


def _world(**kw: object) -> inputs.Snapshot:
    base: dict[str, object] = {
        "nodes": [h.node("n1", {"site": "a", "purpose": "ml"}), h.node("n2", {"site": "b"}, ["tier == gold"])],
        "workloads": [h.workload("det", "1.0.0"), h.workload("det", "1.5.0"), h.workload("det", "2.0.0")],
        "model_versions": [h.model("yolo", "1"), h.model("yolo", "2"), h.model("ocr", "1")],
    }
    base.update(kw)
    return inputs.Snapshot(**base)  # type: ignore[arg-type]


def _versions(doc: schemas.DesiredState | None) -> list[tuple[str, str]]:
    assert doc is not None
    return [(w.name, w.version) for w in doc.workloads]


def test_highest_version_allowed_by_matching_policies_wins() -> None:
    e = engine.Engine()
    docs = e.load(_world(deployment_policies=[
        h.deploy("old", "det", "[1.0.0,2.0.0)", ["site == a"]),
        h.deploy("new", "det", "2.0.0", ["site == z"]),
    ]))
    assert _versions(docs["n1"]) == [("det", "1.5.0")]
    assert docs["n1"].workloads[0].policy == "old"
    assert _versions(docs["n2"]) == []
    changed = e.upsert_policy(h.deploy("new", "det", "2.0.0", ["site == a"]))
    assert changed == {"n1"}
    assert _versions(e.desired("n1")) == [("det", "2.0.0")]
    outcomes = {(d.policy[2], d.outcome) for d in e.decisions("n1")}
    assert outcomes == {("new", "placed"), ("old", "superseded")}


def test_matching_is_bidirectional() -> None:
    e = engine.Engine()
    e.load(_world(deployment_policies=[h.deploy("all", "det", "[1.0.0,1.0.0]")]))
    assert _versions(e.desired("n1")) == [("det", "1.0.0")]
    assert _versions(e.desired("n2")) == []  # n2 requires tier == gold of the policy
    assert e.upsert_policy(h.deploy("all", "det", "[1.0.0,1.0.0]", props={"tier": "gold"})) == {"n2"}
    assert _versions(e.desired("n2")) == [("det", "1.0.0")]


def test_workload_constraints_and_arch_apply() -> None:
    e = engine.Engine()
    e.load(inputs.Snapshot(
        nodes=[h.node("x", arch="amd64"), h.node("y", arch="arm64"), h.node("c", kind="cluster")],
        workloads=[h.workload("det", "1.0.0", arch="arm64"), h.workload("det", "1.1.0", arch="amd64",
                                                                        constraints=["gpu == true"])],
        deployment_policies=[h.deploy("p", "det")],
    ))
    assert _versions(e.desired("y")) == [("det", "1.0.0")]
    assert _versions(e.desired("x")) == []
    assert _versions(e.desired("c")) == []
    assert e.upsert_node(h.node("x", {"gpu": True})) == {"x"}
    assert _versions(e.desired("x")) == [("det", "1.1.0")]


def test_models_are_routed_per_workload_independently() -> None:
    e = engine.Engine()
    e.load(_world(
        workloads=[h.workload("det", "1.0.0"), h.workload("cam", "1.0.0")],
        deployment_policies=[h.deploy("d", "det"), h.deploy("c", "cam")],
        model_policies=[
            h.route("y1", "yolo", "1", [{"name": "det"}]),
            h.route("y2", "yolo", "2", [{"name": "det", "version": "[1.0.0,2.0.0)"}], ["site == a"]),
            h.route("o", "ocr", "1", [{"name": "cam"}, {"name": "det", "version": "9.0"}]),
            h.route("never", "ocr", "1", [{"name": "cam"}], ["nope == 1"]),
        ],
    ))
    doc = e.desired("n1")
    assert doc is not None
    got = {w.name: [(m.name, m.version, m.policy) for m in w.models] for w in doc.workloads}
    assert got == {"cam": [("ocr", "1", "o")], "det": [("yolo", "2", "y2")]}
    doc2 = e.desired("n2")
    assert doc2 is not None
    assert doc2.workloads == []  # n2's constraint excludes every policy


def test_missing_model_version_blocks_only_that_model() -> None:
    e = engine.Engine()
    e.load(_world(
        deployment_policies=[h.deploy("d", "det")],
        model_policies=[h.route("y", "yolo", "9", [{"name": "det"}]), h.route("o", "ocr", "1", [{"name": "det"}])],
    ))
    doc = e.desired("n1")
    assert doc is not None and [m.name for m in doc.workloads[0].models] == ["ocr"]
    assert e.upsert_model_version(h.model("yolo", "9")) == {"n1"}
    doc = e.desired("n1")
    assert doc is not None and [m.name for m in doc.workloads[0].models] == ["ocr", "yolo"]


def test_endpoints_are_placed_with_their_versions() -> None:
    e = engine.Engine()
    ep = schemas.Endpoint(name="det-ep", org="acme", model="yolo", traffic={"1": 90, "2": 10},
                          shadow={"version": "2", "percent": 5}, constraints=["site == a"])
    e.load(_world(endpoints=[ep]))
    doc = e.desired("n1")
    assert doc is not None and doc.endpoints[0].traffic == {"1": 90, "2": 10}
    assert [v.version for v in doc.endpoints[0].versions] == ["1", "2"]
    assert e.desired("n2") is not None and e.desired("n2").endpoints == []  # type: ignore[union-attr]


def test_content_hash_is_stable_and_tracks_changes() -> None:
    a, b = engine.Engine(), engine.Engine()
    world = _world(deployment_policies=[h.deploy("d", "det")])
    a.load(world)
    b.load(world)
    assert a.content_hash("n1") == b.content_hash("n1")
    before = a.content_hash("n1")
    assert a.upsert_node(h.node("n1", {"site": "a", "purpose": "ml", "extra": 1})) == set()
    assert a.content_hash("n1") == before
    assert a.remove_workload("acme", "det", "2.0.0") == {"n1"}
    assert a.content_hash("n1") != before


def test_bad_policy_raises_and_changes_nothing() -> None:
    e = engine.Engine()
    e.load(_world(deployment_policies=[h.deploy("d", "det")]))
    before = e.content_hash("n1")
    with pytest.raises(errors.PolicyError) as info:
        e.upsert_policy(h.deploy("d", "det", constraints=["site =="]))
    assert info.value.field == "constraints[0]"
    with pytest.raises(errors.PolicyError):
        e.upsert_policy(h.deploy("d", "det", version="[2.0,1.0)"))
    assert e.content_hash("n1") == before and e.policies() == [("deployment", "acme", "d")]


def test_explain_both_directions_and_agrees_with_placement() -> None:
    e = engine.Engine()
    e.load(_world(deployment_policies=[h.deploy("d", "det", "[1.0.0,1.0.0]", ["site == a"])]))
    yes = e.explain("n1", "d")
    assert yes.placed and yes.rules[0].matched
    no = e.explain("n2", "d")
    assert not no.placed and not no.rules[0].matched
    text = "\n".join(no.lines())
    assert "site == a: site is 'b' (untyped string)" in text
    assert "tier == gold: property 'tier' is missing" in text
    assert e.explain("n1", "ghost").lines() == ["no policy 'ghost' in the node's org"]
    assert e.explain("zz", "d").lines() == ["no node 'zz'"]


def test_explain_reports_policy_problems() -> None:
    e = engine.Engine()
    e.load(_world(deployment_policies=[h.deploy("d", "det", "[5.0,6.0)")]))
    assert "no version of workload acme/det fits version [5.0.0,6.0.0)" in e.explain("n1", "d").problems[0]


def test_check_is_a_dry_run() -> None:
    e = engine.Engine()
    e.load(_world())
    assert e.check(h.deploy("d", "det", constraints=["site in \"a,b\""], props={"tier": "gold"})) == ["n1", "n2"]
    assert e.policies() == []


def test_other_orgs_are_never_placed() -> None:
    e = engine.Engine()
    e.load(_world(nodes=[h.node("n9", org="other")], deployment_policies=[h.deploy("d", "det")]))
    assert _versions(e.desired("n9")) == []


def test_remove_node_and_oh_deployment_policy_json() -> None:
    e = engine.Engine()
    oh = schemas.DeploymentPolicy.model_validate({
        "name": "oh", "org": "acme", "label": "x",
        "service": {"name": "det", "org": "acme", "arch": "*", "serviceVersions": [{"version": "1.5.0"}]},
        "properties": [], "constraints": ["site == a"],
    })
    e.load(_world(deployment_policies=[oh]))
    assert _versions(e.desired("n1")) == [("det", "1.5.0")]
    assert e.remove_node("n1") == {"n1"}
    assert e.desired("n1") is None and e.remove_node("n1") == set()


def test_recompute_reaches_the_same_state_as_load() -> None:
    e = engine.Engine()
    e.load(_world(deployment_policies=[h.deploy("d", "det", constraints=["site == a"])]))
    before = {n: e.content_hash(n) for n in e.node_ids()}
    docs = e.recompute()
    assert {n: e.content_hash(n) for n in e.node_ids()} == before
    assert sorted(docs) == ["n1", "n2"] and _versions(docs["n1"]) == [("det", "2.0.0")]


def test_explain_accounts_agree_with_matching_for_every_pair() -> None:
    e = engine.Engine()
    e.load(_world(
        nodes=[h.node("n1", {"site": "a"}), h.node("n2", {"site": "b", "gpu": True}, ["tier == gold"]),
               h.node("n3", {"site": "a"}, arch="arm64")],
        deployment_policies=[h.deploy("d1", "det", constraints=["site == a"]),
                             h.deploy("d2", "det", "[1.0.0,1.0.0]", ["gpu == true"], {"tier": "gold"})],
        model_policies=[h.route("y", "yolo", "1", [{"name": "det"}], ["site == a"])],
    ))
    for node_id in ["n1", "n2", "n3"]:
        for policy in ["d1", "d2", "y"]:
            for account in e.explain(node_id, policy).rules:
                assert account.forward is not None and account.backward is not None
                held = account.forward.held and account.backward.held and all(
                    c.startswith("held") for c in account.checks)
                assert account.matched == held, (node_id, policy, account.lines())
