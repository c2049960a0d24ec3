"""A download killed with SIGKILL in a real subprocess resumes, re-fetching at most one chunk."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from tests.unit.agent.agent_fakes import FakeSource

from edgeplane.agent import delivery
from edgeplane.agent import layout as paths
from edgeplane.agent.settings import FetchSettings
from edgeplane.agent.state import db as statedb
from edgeplane.artifacts import fs

pytestmark = pytest.mark.anyio

CHUNK = 64 * 1024
SIZE = 3 * 1024 * 1024

CHILD = """
import random, sys, time
from pathlib import Path
import anyio
from edgeplane.agent import delivery, layout
from edgeplane.agent.settings import FetchSettings
from edgeplane.agent.state import db
from edgeplane.artifacts import fs
from edgeplane.schemas.desired import DesiredModel

root, manifest = Path(sys.argv[1]), sys.argv[2]
data = random.Random(7).randbytes(int(sys.argv[3]))
sent, tmp = root / "sent", root / "sent.tmp"

class SlowSource:
    async def open(self, digest, offset):
        pos = offset
        while pos < len(data):
            piece = data[pos:pos + 4096]
            pos += len(piece)
            tmp.write_text(str(pos))  # handed to the fetcher up to here (atomic: kill -9 may come now)
            tmp.replace(sent)
            await anyio.sleep(0.0005)
            yield piece

lay = layout.Layout(root / "data")
lay.make()
deps = delivery.DeliveryDeps(layout=lay, store=fs.FsBlobStore(lay.blobs), db=db.StateDb(lay.db),
                             source=SlowSource(), fetch=FetchSettings(chunk_bytes=int(sys.argv[4])))
anyio.run(delivery.deliver, DesiredModel.model_validate_json(manifest), deps)
"""


async def test_sigkill_mid_download_resumes_within_one_chunk(tmp_path: Path) -> None:
    data = random.Random(7).randbytes(SIZE)
    source = FakeSource(piece=4096)
    from tests.unit.agent.agent_fakes import make_model

    model = make_model(source, {"weights/model.onnx": data})
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path), model.model_dump_json(), str(SIZE),
                              str(CHUNK)])
    partial = tmp_path / "data" / "blobs" / "partial" / model.files[0].sha256
    try:
        while not (partial.exists() and partial.stat().st_size >= SIZE // 3):
            assert child.poll() is None, "the child finished before it could be killed"
            await anyio.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    sent_at_kill = int((tmp_path / "sent").read_text())

    lay = paths.Layout(tmp_path / "data")
    assert not lay.version_dir("acme", "det", "1.0.0").exists()  # never visible half-written
    assert not (lay.model_dir("acme", "det") / "current").exists()
    deps = delivery.DeliveryDeps(layout=lay, store=fs.FsBlobStore(lay.blobs), db=statedb.StateDb(lay.db),
                                 source=source, fetch=FetchSettings(chunk_bytes=CHUNK))
    row = await delivery.deliver(model, deps)
    assert row.state == "active"
    [(_, resumed_at)] = source.opens
    assert sent_at_kill - resumed_at <= CHUNK
    installed = lay.version_dir("acme", "det", "1.0.0") / "weights" / "model.onnx"
    assert hashlib.sha256(installed.read_bytes()).hexdigest() == model.files[0].sha256
