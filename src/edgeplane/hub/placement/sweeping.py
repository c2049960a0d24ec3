"""Every node's content at once (or every node of a mask), column by column, without per-node rule lists.

A column is a workload (or an endpoint). Per workload the rules are walked in rank order with set algebra
over their node masks: each takes the nodes it matches that no higher-ranked rule took; among a winner's
nodes, each model is routed the same way, and nodes that got the same routes share one piece. That leaves,
per column, arrays of (node slot, piece index); a stable sort by slot gives each node its pieces in column
order, exactly the order ``deciding.Decider.decide`` produces for one node (property-tested). Nodes with
the same row of pieces share one ``deciding.Result``; its hash is computed once from the pieces' hashes and
its documents are only built when read. Called by ``engine`` for load, recompute and policy changes.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from edgeplane.hub.placement import bits, deciding, rules

Ints = npt.NDArray[np.int64]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic GC while a full placement allocates (it finds nothing to free there and costs ~25%)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class _Table:
    """The pieces of one sweep, indexed: the shared table every result of the sweep points into."""

    def __init__(self, decider: deciding.Decider, by_id: Mapping[int, rules.Rule]) -> None:
        self.decider = decider
        self.by_id = by_id
        self.pieces: list[deciding.Piece] = []
        self.hashes: list[bytes] = []
        self._index: dict[object, int] = {}

    def workload(self, best: rules.Rule, routed: tuple[int, ...]) -> int:
        key = (best.id, routed)
        at = self._index.get(key)
        if at is None:
            self._index[key] = at = self._add(self.decider.workload(best, [self.by_id[r] for r in routed]))
        return at

    def endpoint(self, rule: rules.Rule) -> int:
        key = ("endpoint", rule.id)
        at = self._index.get(key)
        if at is None:
            self._index[key] = at = self._add(self.decider.endpoint(rule))
        return at

    def _add(self, piece: tuple[deciding.Piece, str]) -> int:
        self.pieces.append(piece[0])
        self.hashes.append(piece[1].encode() + b"\n")
        return len(self.pieces) - 1


def sweep(
    by_id: Mapping[int, rules.Rule], masks: bits.Masks, only: int, decider: deciding.Decider
) -> dict[int, deciding.Result]:
    """The content of every node in ``only`` (a mask of live slots), keyed by slot."""
    table = _Table(decider, by_id)
    cols: list[tuple[npt.NDArray[np.intp], Ints]] = []
    deploys: dict[tuple[str, str], list[rules.Rule]] = {}
    for r in by_id.values():
        if isinstance(r.target, rules.Deploy):
            deploys.setdefault((r.target.workload.org, r.target.workload.name), []).append(r)
    routes = deciding.routes_by_workload(r for r in by_id.values() if isinstance(r.target, rules.Route))
    for wkey in sorted(deploys):
        remaining = only
        for rule in sorted(deploys[wkey], key=lambda r: r.rank):
            win = masks[rule.id] & remaining
            if win:
                remaining ^= win
                cols.append(_winner(rule, win, routes.get(wkey, ()), masks, table))
    for rule in sorted((r for r in by_id.values() if isinstance(r.target, rules.Serve)), key=lambda r: r.key):
        won = bits.slots(masks[rule.id] & only)
        if len(won):
            cols.append((won, np.full(len(won), table.endpoint(rule), dtype=np.int64)))
    return _rows(cols, bits.slots(only), table)


def _winner(
    rule: rules.Rule, win: int, routes: Sequence[rules.Rule], masks: bits.Masks, table: _Table
) -> tuple[npt.NDArray[np.intp], Ints]:
    """The winner's nodes and, per node, the piece (the workload with the models routed to it there)."""
    assert isinstance(rule.target, rules.Deploy)
    by_model: dict[tuple[str, str], list[rules.Rule]] = {}
    for r in routes:
        assert isinstance(r.target, rules.Route)
        if r.target.serves(rule.target.workload, rule.target.version):
            by_model.setdefault((r.target.model.org, r.target.model.model), []).append(r)
    won = bits.slots(win)
    codes: Ints = np.zeros(len(won), dtype=np.int64)
    combos: list[tuple[int, ...]] = [()]
    for mkey in sorted(by_model):
        ranked = by_model[mkey]
        choice: Ints = np.zeros(len(won), dtype=np.int64)
        rest = win
        for j, r in enumerate(ranked, 1):
            got = masks[r.id] & rest
            if got:
                rest ^= got
                choice[np.searchsorted(won, bits.slots(got))] = j
        radix = len(ranked) + 1
        uniq, inverse = np.unique(codes * radix + choice, return_inverse=True)
        codes = inverse.reshape(-1).astype(np.int64)
        combos = [combos[c // radix] + ((ranked[c % radix - 1].id,) if c % radix else ()) for c in uniq.tolist()]
    pieces = np.array([table.workload(rule, combo) for combo in combos], dtype=np.int64)
    return won, pieces[codes]


def _rows(
    cols: list[tuple[npt.NDArray[np.intp], Ints]], targets: npt.NDArray[np.intp], table: _Table
) -> dict[int, deciding.Result]:
    """Each target node's row of pieces (column order), one result per distinct row."""
    if not len(targets):
        return {}
    if not cols:
        return dict.fromkeys(targets.tolist(), deciding.EMPTY)
    counts = np.bincount(np.concatenate([s for s, _ in cols]), minlength=int(targets[-1]) + 1)
    ends = np.cumsum(counts)
    cursor = ends - counts
    data = np.empty(int(ends[-1]), dtype=np.int32)
    for slots, pieces in cols:  # a counting sort: each column holds a slot at most once
        data[cursor[slots]] = pieces
        cursor[slots] += 1
    raw = data.tobytes()
    starts, stops = (ends - counts).tolist(), ends.tolist()
    order = targets.tolist()
    firsts: dict[bytes, int] = {b"": -1}
    first_of = [firsts.setdefault(raw[starts[s] * 4:stops[s] * 4], s) for s in order]
    distinct = np.array([s for s, f in zip(order, first_of, strict=True) if s == f], dtype=np.intp)
    results = _hash_rows(data, counts, ends, distinct, table)
    results[-1] = deciding.EMPTY
    return {s: results[f] for s, f in zip(order, first_of, strict=True)}


def _hash_rows(
    data: npt.NDArray[np.int32], counts: Ints, ends: Ints, rows: npt.NDArray[np.intp], table: _Table,
    chunk: int = 4096,
) -> dict[int, deciding.Result]:
    """One result per row (node slot) of ``rows``: sha256 of its pieces' hashes joined by newlines, the
    same text ``Decider.assemble`` hashes. Gathered a chunk of rows at a time, hashed row by row."""
    hashes = np.frombuffer(b"".join(table.hashes), dtype=np.uint8).reshape(len(table.hashes), -1)
    width = hashes.shape[1]
    out: dict[int, deciding.Result] = {}
    for at in range(0, len(rows), chunk):
        part = rows[at:at + chunk]
        n = counts[part]
        starts = ends[part] - n
        picks = np.repeat(starts - np.concatenate(([0], np.cumsum(n)[:-1])), n) + np.arange(int(n.sum()))
        ids = data[picks]
        text = memoryview(hashes[ids].tobytes())
        offsets = np.concatenate(([0], np.cumsum(n))).tolist()
        for i, slot in enumerate(part.tolist()):
            a, b = offsets[i] * width, offsets[i + 1] * width
            row = ids[offsets[i]:offsets[i + 1]].tobytes()
            digest = hashlib.sha256(text[a:b - 1]).hexdigest()
            out[slot] = deciding.Result(digest, row=row, table=table.pieces)
    return out
