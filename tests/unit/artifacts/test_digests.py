"""BackgroundHash: the digest equals hashlib's for any mix of sizes and order of calls."""

from __future__ import annotations

import hashlib
import os
import threading

from edgeplane.artifacts.digests import INLINE, BackgroundHash

SMALL, LARGE = os.urandom(1000), os.urandom(INLINE * 3 + 7)


def test_mixed_sizes_hash_in_order() -> None:
    parts = [SMALL, LARGE, SMALL, LARGE[:INLINE], SMALL[:1]] * 3
    h = BackgroundHash(depth=2)
    for p in parts:
        h.update(p)
    assert h.hexdigest() == hashlib.sha256(b"".join(parts)).hexdigest()


def test_continues_a_running_hash_and_after_hexdigest() -> None:
    prefix = hashlib.sha256(SMALL)
    h = BackgroundHash(prefix)
    h.update(LARGE)
    assert h.hexdigest() == hashlib.sha256(SMALL + LARGE).hexdigest()
    h.update(LARGE)  # a new worker thread picks up where the last one stopped
    assert h.hexdigest() == hashlib.sha256(SMALL + LARGE + LARGE).hexdigest()


def test_small_inputs_start_no_thread_and_close_stops_it() -> None:
    before = threading.active_count()
    h = BackgroundHash()
    h.update(SMALL)
    assert threading.active_count() == before
    h.update(LARGE)
    assert any(t.name == "sha256" for t in threading.enumerate())
    h.close()
    assert not any(t.name == "sha256" for t in threading.enumerate())


def test_update_parts_is_one_ordered_entry() -> None:
    parts = [LARGE, SMALL, b"", LARGE[:10]]
    h = BackgroundHash()
    h.update_parts(parts)
    h.update_parts([SMALL])
    assert h.hexdigest() == hashlib.sha256(b"".join(parts) + SMALL).hexdigest()
