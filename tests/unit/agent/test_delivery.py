"""Fetch, verify, install and activate model versions; resume, corruption, full disk."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from tests.unit.agent.agent_fakes import FakeSource, make_model

from edgeplane.agent import delivery, materialising
from edgeplane.agent.state import status

pytestmark = pytest.mark.anyio

BIG = os.urandom(200_000)


def version_dir(deps: delivery.DeliveryDeps, version: str) -> Path:
    return deps.layout.models / "acme" / "det" / version


async def test_delivers_and_activates(deps: delivery.DeliveryDeps, source: FakeSource) -> None:
    model = make_model(source, {"model.onnx": BIG, "labels/names.txt": b"cat\ndog\n"})
    row = await delivery.deliver(model, deps)
    assert row.state == "active"
    assert (version_dir(deps, "1.0.0") / "model.onnx").read_bytes() == BIG
    assert (version_dir(deps, "1.0.0") / "labels" / "names.txt").read_bytes() == b"cat\ndog\n"
    assert (deps.layout.models / "acme" / "det" / "current" / "model.onnx").read_bytes() == BIG
    entries, _ = status.pending(deps.db)
    assert [(e.key, e.state) for e in entries] == [("acme/det@1.0.0", "active")]


async def test_shared_file_is_fetched_once(deps: delivery.DeliveryDeps, source: FakeSource) -> None:
    await delivery.deliver(make_model(source, {"model.onnx": BIG}), deps)
    sent = source.sent
    row = await delivery.deliver(make_model(source, {"model.onnx": BIG, "x": b"x"}, version="2.0.0"), deps)
    assert row.state == "active"
    assert source.sent - sent == 1
    assert materialising.current_version(deps.layout, "acme", "det") == "2.0.0"


async def test_cut_download_resumes_refetching_at_most_one_chunk(deps: delivery.DeliveryDeps,
                                                                  source: FakeSource) -> None:
    model = make_model(source, {"model.onnx": BIG})
    source.break_after = 100_000
    row = await delivery.deliver(model, deps)
    assert row.state == "downloading" and row.temporary and "network cut" in row.reason
    assert not version_dir(deps, "1.0.0").exists()
    assert not (deps.layout.models / "acme" / "det" / "current").exists()
    sent_before_cut = source.sent
    row = await delivery.deliver(model, deps)
    assert row.state == "active"
    resumed_at = source.opens[-1][1]
    assert sent_before_cut - deps.fetch.chunk_bytes <= resumed_at <= sent_before_cut
    assert source.sent - len(BIG) <= deps.fetch.chunk_bytes
    assert (version_dir(deps, "1.0.0") / "model.onnx").read_bytes() == BIG


async def test_digest_mismatch_fails_and_keeps_previous(deps: delivery.DeliveryDeps,
                                                        source: FakeSource) -> None:
    await delivery.deliver(make_model(source, {"model.onnx": b"v1 bytes"}), deps)
    bad = make_model(source, {"model.onnx": BIG}, version="2.0.0")
    source.blobs[bad.files[0].sha256] = BIG[:-1] + b"\x00"  # corrupted in transit
    row = await delivery.deliver(bad, deps)
    assert row.state == "failed" and not row.temporary and "corrupt-download" in row.reason
    assert not version_dir(deps, "2.0.0").exists()
    assert materialising.current_version(deps.layout, "acme", "det") == "1.0.0"
    assert (deps.layout.models / "acme" / "det" / "current" / "model.onnx").read_bytes() == b"v1 bytes"
    assert deps.store.received(bad.files[0].sha256) == 0  # bad bytes are not kept


async def test_too_many_bytes_is_corrupt(deps: delivery.DeliveryDeps, source: FakeSource) -> None:
    model = make_model(source, {"model.onnx": b"12345"})
    source.blobs[model.files[0].sha256] = b"123456789"
    row = await delivery.deliver(model, deps)
    assert row.state == "failed" and "more than" in row.reason


async def test_disk_full_fails_and_keeps_previous(deps: delivery.DeliveryDeps, source: FakeSource,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    await delivery.deliver(make_model(source, {"model.onnx": b"v1 bytes"}), deps)
    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:  # the blob writer appends with writev
        m.setattr(os, "write", full)
        m.setattr(os, "writev", full)
        row = await delivery.deliver(make_model(source, {"model.onnx": BIG}, version="2.0.0"), deps)
    assert row.state == "failed" and row.temporary and "no space left" in row.reason
    assert materialising.current_version(deps.layout, "acme", "det") == "1.0.0"
    assert not version_dir(deps, "2.0.0").exists()
    row = await delivery.deliver(make_model(source, {"model.onnx": BIG}, version="2.0.0"), deps)
    assert row.state == "active"


async def test_disk_full_while_installing_keeps_previous(deps: delivery.DeliveryDeps, source: FakeSource,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    await delivery.deliver(make_model(source, {"model.onnx": b"v1 bytes"}), deps)

    def full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "link", full)
    row = await delivery.deliver(make_model(source, {"a": b"a", "b": b"b"}, version="2.0.0"), deps)
    assert row.state == "failed" and "disk-full" in row.reason
    assert sorted(p.name for p in (deps.layout.models / "acme" / "det").iterdir()) == ["1.0.0", "current"]


async def test_restart_does_not_refetch_verified_bytes(deps: delivery.DeliveryDeps, source: FakeSource) -> None:
    model = make_model(source, {"a.bin": BIG, "b.bin": b"small"})
    source.break_after = len(BIG) + 10  # a.bin complete, b.bin cut
    deps = delivery.DeliveryDeps(layout=deps.layout, store=deps.store, db=deps.db, source=source,
                                 fetch=deps.fetch.model_copy(update={"parallel_files": 1}))
    await delivery.deliver(model, deps)
    sent = source.sent
    row = await delivery.deliver(model, deps)
    assert row.state == "active"
    assert source.sent - sent <= len(b"small")
