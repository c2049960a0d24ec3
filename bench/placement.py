"""Placement engine benchmark: synthetic fleets, full placement, one-node and one-policy changes, and the
ratio to a naive loop over every (node, policy) pair with the same compiled predicates.

Run: ``.venv/bin/python bench/placement.py [--quick]``. Prints a table per size and ``TARGET`` lines.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

from edgeplane import schemas
from edgeplane.hub.placement import engine, inputs
from edgeplane.policy import matching

NOW = datetime(2024, 1, 1, tzinfo=UTC)
SHA = "b" * 64
ARCHES = ["amd64"] * 6 + ["arm64"] * 3 + ["arm"]
SITES = [f"site{i}" for i in range(50)]
LINES = [f"line{i}" for i in range(12)]
MEM = [1024, 2048, 4096, 8192, 16384, 32768]
LABELS = ["camera", "plc", "scanner", "kiosk", "robot", "gateway", "sensor", "display"]


def node(rng: random.Random, i: int) -> inputs.Node:
    site = rng.choice(SITES)
    props: list[dict[str, Any]] = [
        {"name": "site", "value": site},
        {"name": "line", "value": rng.choice(LINES)},
        {"name": "gpu", "value": rng.random() < 0.2},
        {"name": "labels", "value": ",".join(rng.sample(LABELS, rng.randint(1, 3))), "type": "list of strings"},
        {"name": "tier", "value": rng.choice(["gold", "silver", "bronze"])},
        {"name": "region", "value": f"r{SITES.index(site) // 10}"},
    ]
    constraints = ["purpose != test"] if rng.random() < 0.1 else []
    builtin = [
        {"name": "openhorizon.arch", "value": rng.choice(ARCHES)},
        {"name": "openhorizon.memory", "value": rng.choice(MEM)},
        {"name": "openhorizon.cpu", "value": rng.choice([2, 4, 8])},
    ]
    return inputs.Node(id=f"node-{i:06d}", org="acme", policy=schemas.NodePolicy(properties=props,
                       constraints=constraints), builtin=builtin)  # type: ignore[arg-type]


def constraint(rng: random.Random) -> list[str]:
    shapes = [
        lambda: [f"site == {rng.choice(SITES)}"],
        lambda: [f"site == {rng.choice(SITES)} && line in \"{rng.choice(LINES)},{rng.choice(LINES)}\""],
        lambda: [f"region == r{rng.randint(0, 4)}", f"openhorizon.memory >= {rng.choice(MEM)}"],
        lambda: [f"gpu == true AND labels in \"{rng.choice(LABELS)}\" AND region == r{rng.randint(0, 4)}"],
        lambda: [f"(site == {rng.choice(SITES)} || site == {rng.choice(SITES)}) && tier != bronze"],
        lambda: [f"labels in \"{rng.choice(LABELS)},{rng.choice(LABELS)}\" && openhorizon.cpu > 2",
                 f"line == {rng.choice(LINES)}"],
    ]
    return rng.choice(shapes)()


def world(n_nodes: int, n_policies: int, seed: int = 7) -> inputs.Snapshot:
    rng = random.Random(seed)
    n_workloads = max(5, n_policies // 4)
    workloads = [
        schemas.Workload(org="acme", name=f"app{w}", version=f"1.{v}.0", created_at=NOW, device={"command": ["x"]},
                         constraints=["openhorizon.memory >= 2048"] if w % 7 == 0 else [])
        for w in range(n_workloads) for v in range(3)
    ]
    models = [
        schemas.ModelVersion(org="acme", model=f"m{m}", version=str(v), framework="onnx", task="", labels={},
                             metrics={}, files=[{"path": "m.onnx", "size": 1, "sha256": SHA}], state="ready",
                             size=1, created_at=NOW)  # type: ignore[list-item]
        for m in range(max(3, n_policies // 10)) for v in (1, 2)
    ]
    deploys, routes = [], []
    for p in range(n_policies):
        lo = rng.randint(0, 2)
        deploys.append(schemas.DeploymentPolicy(
            name=f"dp{p}", org="acme", workload={"name": f"app{rng.randrange(n_workloads)}",  # type: ignore[arg-type]
                                                "version": f"[1.0.0,1.{lo + 1}.0)"},
            constraints=constraint(rng), properties=[{"name": "purpose", "value": "prod"}],  # type: ignore[list-item]
        ))
    for p in range(max(1, n_policies // 5)):
        routes.append(schemas.ModelPolicy(
            name=f"mp{p}", org="acme", model=f"m{rng.randrange(len(models) // 2)}", version=str(rng.choice([1, 2])),
            services=[{"name": f"app{rng.randrange(n_workloads)}"}], constraints=constraint(rng),  # type: ignore[list-item]
        ))
    nodes = [node(rng, i) for i in range(n_nodes)]
    return inputs.Snapshot(nodes=nodes, workloads=workloads, deployment_policies=deploys, model_versions=models,
                           model_policies=routes)


def naive(snapshot: inputs.Snapshot, sample: int | None) -> tuple[float, bool]:
    """Evaluate every (node, policy) pair with the same compiled predicates; sample nodes if asked and
    extrapolate. Returns (seconds for the whole fleet, extrapolated?)."""
    sides = [matching.node_side(n.id, n.policy, n.builtin) for n in snapshot.nodes]
    pols = [
        matching.side(p.name, p.properties, p.constraints)
        for p in [*snapshot.deployment_policies, *snapshot.model_policies]
    ]
    preds = [(s.constraints, s.properties) for s in pols]
    chosen = sides if sample is None or sample >= len(sides) else sides[:sample]
    t0 = time.perf_counter()
    hits = 0
    for s in chosen:
        for pred, props in preds:
            if pred.evaluate(s.properties) and s.constraints.evaluate(props):
                hits += 1
    took = time.perf_counter() - t0
    return took * len(sides) / len(chosen), len(chosen) < len(sides)


def run(n_nodes: int, n_policies: int, changes: int) -> dict[str, float]:
    snap = world(n_nodes, n_policies)
    e = engine.Engine()
    t0 = time.perf_counter()
    e.load(snap)
    ingest_and_place = time.perf_counter() - t0
    t0 = time.perf_counter()
    docs = e.recompute()
    full = time.perf_counter() - t0
    t0 = time.perf_counter()
    gc.collect()  # what the GC pause during placement left for later, shown separately, out of the timings
    gc_after = time.perf_counter() - t0
    rng = random.Random(1)
    lat = []
    for _ in range(changes):
        victim = snap.nodes[rng.randrange(n_nodes)]
        changed = node(rng, int(victim.id.split("-")[1]))
        t = time.perf_counter()
        e.upsert_node(changed)
        lat.append(time.perf_counter() - t)
    lat.sort()
    pol = snap.deployment_policies[0]
    t = time.perf_counter()
    e.upsert_policy(pol.model_copy(update={"constraints": constraint(random.Random(5))}))
    one_policy = time.perf_counter() - t
    sample = None if n_nodes * n_policies <= 2_000_000 else max(1000, 2_000_000 // n_policies)
    naive_s, extrapolated = naive(snap, sample)
    doc = docs[snap.nodes[0].id]
    ratio = naive_s / full
    print(f"{n_nodes:>7} nodes x {n_policies:>4} policies: load (ingest+place) {ingest_and_place:6.2f} s | "
          f"full placement {full:6.3f} s | node change p50 "
          f"{statistics.median(lat) * 1e3:6.2f} ms p99 {lat[int(len(lat) * 0.99) - 1] * 1e3:6.2f} ms | "
          f"policy change {one_policy * 1e3:7.1f} ms | naive {naive_s:8.2f} s"
          f"{' (sampled ' + str(sample) + ' nodes, extrapolated)' if extrapolated else ''} | "
          f"ratio {ratio:6.1f}x | node0 workloads {len(doc.workloads)} | gc.collect() after full {gc_after:5.2f} s")
    return {"full": full, "p99": lat[int(len(lat) * 0.99) - 1], "ratio": ratio, "load": ingest_and_place}


def main() -> None:
    quick = "--quick" in sys.argv
    sizes = [(1_000, 10), (10_000, 100), (100_000, 1000)] if not quick else [(1_000, 10), (10_000, 100)]
    results = {}
    for n, p in sizes:
        results[(n, p)] = run(n, p, changes=1000)
    big = results[sizes[-1]]
    label = f"{sizes[-1][0]}x{sizes[-1][1]}"
    print(f"load incl. ingest {label}: {big['load']:.2f} s (not a target)")
    print("full placement = Engine.recompute(): every policy compiled and evaluated over the indexed fleet, every "
          "node decided and its content hash computed (documents are built when read, as before); cyclic GC is "
          "paused inside it, and the full gc.collect() right after is timed separately above; load = the same "
          "plus ingesting (parsing, indexing) every node")
    print("naive = every (node, policy) pair with the same compiled predicates, both directions; ratio = naive / "
          "full placement; where marked, the naive loop ran on a sample of nodes and was extrapolated")
    for name, measured, target, ok in [
        (f"full placement {label}", f"{big['full']:.2f} s", "5 s", big["full"] <= 5),
        (f"node change p99 {label}", f"{big['p99'] * 1e3:.2f} ms", "5 ms", big["p99"] <= 0.005),
        (f"speedup vs naive {label}", f"{big['ratio']:.1f}x", "10x", big["ratio"] >= 10),
    ]:
        print(f"TARGET {name}: {measured} vs {target} {'MET' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
