"""FsBlobStore: content addressing, resumable writes, verification, exclusivity."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from edgeplane._kit.ids import Digest
from edgeplane.artifacts.errors import BlobNotFound, DigestMismatch, SizeMismatch, UploadBusy
from edgeplane.artifacts.fs import FsBlobStore

DATA = bytes(range(256)) * 1000
DIGEST = Digest(hashlib.sha256(DATA).hexdigest())


def test_write_commit_read(tmp_path: Path) -> None:
    store = FsBlobStore(tmp_path)
    with store.writer(DIGEST, len(DATA)) as w:
        w.write(DATA)
        w.commit()
    assert store.has(DIGEST)
    assert b"".join(store.read(DIGEST)) == DATA
    assert b"".join(store.read(DIGEST, 10, 20)) == DATA[10:20]
    assert (tmp_path / "sha256" / DIGEST[:2] / DIGEST).read_bytes() == DATA
    assert not (tmp_path / "partial" / DIGEST).exists()


def test_resume_from_partial_written_by_another_writer(tmp_path: Path) -> None:
    store = FsBlobStore(tmp_path)
    with store.writer(DIGEST, len(DATA)) as w:
        w.write(DATA[:1000])
    assert store.received(DIGEST) == 1000
    assert not store.has(DIGEST)
    with store.writer(DIGEST, len(DATA)) as w:
        assert w.offset == 1000
        w.write(DATA[1000:])
        w.commit()
    assert b"".join(store.read(DIGEST)) == DATA


def test_wrong_bytes_are_discarded_and_never_published(tmp_path: Path) -> None:
    store = FsBlobStore(tmp_path)
    bad = b"x" * len(DATA)
    with store.writer(DIGEST, len(DATA)) as w:
        w.write(bad)
        with pytest.raises(DigestMismatch) as err:
            w.commit()
    assert err.value.field == "sha256"
    assert not store.has(DIGEST)
    assert store.received(DIGEST) == 0
    with pytest.raises(BlobNotFound):
        store.size(DIGEST)


def test_write_past_declared_size_is_refused(tmp_path: Path) -> None:
    store = FsBlobStore(tmp_path)
    with store.writer(DIGEST, 10) as w, pytest.raises(SizeMismatch):
        w.write(b"0123456789A")


def test_commit_before_all_bytes_is_refused(tmp_path: Path) -> None:
    store = FsBlobStore(tmp_path)
    with store.writer(DIGEST, len(DATA)) as w:
        w.write(DATA[:5])
        with pytest.raises(SizeMismatch):
            w.commit()
    assert not store.has(DIGEST)


def test_second_writer_of_same_blob_is_busy(tmp_path: Path) -> None:
    store = FsBlobStore(tmp_path)
    other = FsBlobStore(tmp_path)  # e.g. a second hub replica on the same directory
    with store.writer(DIGEST, len(DATA)) as w:
        w.write(DATA[:10])
        with pytest.raises(UploadBusy), other.writer(DIGEST, len(DATA)):
            pass


def test_committed_blob_writer_is_a_no_op(tmp_path: Path) -> None:
    store = FsBlobStore(tmp_path)
    with store.writer(DIGEST, len(DATA)) as w:
        w.write(DATA)
        w.commit()
    with store.writer(DIGEST, len(DATA)) as w:
        assert w.offset == len(DATA)
        w.commit()
    assert store.has(DIGEST)


def test_delete_removes_blob_and_partial(tmp_path: Path) -> None:
    store = FsBlobStore(tmp_path)
    with store.writer(DIGEST, len(DATA)) as w:
        w.write(DATA[:3])
    store.delete(DIGEST)
    assert store.received(DIGEST) == 0


def test_large_writes_hashed_on_the_worker_thread_verify_and_resume(tmp_path: Path) -> None:
    big = os.urandom(3 * 1024 * 1024 + 5)
    digest = Digest(hashlib.sha256(big).hexdigest())
    store = FsBlobStore(tmp_path)
    with store.writer(digest, len(big)) as w:
        w.write(big[: 1024 * 1024])
        w.write(big[1024 * 1024 : 2 * 1024 * 1024])
    with store.writer(digest, len(big)) as w:  # resumes: the running hash is rebuilt from the partial file
        w.write(big[2 * 1024 * 1024 :])
        w.commit()
    assert b"".join(store.read(digest)) == big


def test_large_corrupt_write_is_refused_and_discarded(tmp_path: Path) -> None:
    big = bytearray(os.urandom(2 * 1024 * 1024))
    digest = Digest(hashlib.sha256(big).hexdigest())
    big[1_500_000] ^= 1
    store = FsBlobStore(tmp_path)
    with store.writer(digest, len(big)) as w:
        w.write(bytes(big))
        with pytest.raises(DigestMismatch):
            w.commit()
    assert store.received(digest) == 0
    assert not store.has(digest)


def test_write_parts_appends_every_part_in_order_even_past_iov_max(tmp_path: Path) -> None:
    parts = [os.urandom(n) for n in [300_000, 0, 5, 1_000_000] + [7] * 1500]  # > IOV_MAX buffers in one call
    data = b"".join(parts)
    digest = Digest(hashlib.sha256(data).hexdigest())
    store = FsBlobStore(tmp_path)
    with store.writer(digest, len(data)) as w:
        w.write_parts(parts[:3])
        w.write_parts(parts[3:])
        w.commit()
    assert b"".join(store.read(digest)) == data


def test_write_parts_past_the_size_is_refused_before_writing(tmp_path: Path) -> None:
    store = FsBlobStore(tmp_path)
    with store.writer(DIGEST, len(DATA)) as w, pytest.raises(SizeMismatch):
        w.write_parts([DATA, b"x"])
    assert store.received(DIGEST) == 0
