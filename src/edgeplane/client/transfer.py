"""Moving model files between disk and the hub: push (resumable upload) and pull (resumable download).

Both are restartable: ``push`` asks the hub how many bytes of each blob it already holds and sends
only the rest; ``pull`` keeps ``<file>.part`` and continues it with a ``Range`` request. Every file
is verified against its sha256 before it is given its final name.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from edgeplane._kit.errors import InvalidInput
from edgeplane.artifacts.digests import hash_prefix, sha256_file
from edgeplane.client import errors
from edgeplane.client.hub import HubClient
from edgeplane.schemas import models


class Progress(Protocol):
    def start(self, description: str, total: int, done: int = 0) -> None: ...
    def advance(self, n: int) -> None: ...


class NoProgress:
    def start(self, description: str, total: int, done: int = 0) -> None:
        return None

    def advance(self, n: int) -> None:
        return None


@dataclass
class PushOptions:
    framework: str = "other"
    task: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    rate_limit: float = 0.0  # bytes/s; 0: unlimited (metered or shared site links want a cap)


class Throttle:
    """Caps a transfer at ``rate`` bytes/s (0: no cap) by sleeping when it runs ahead."""

    def __init__(self, rate: float) -> None:
        self.rate, self.start, self.sent = rate, time.monotonic(), 0

    def __call__(self, n: int) -> None:
        if self.rate <= 0:
            return
        self.sent += n
        ahead = self.sent / self.rate - (time.monotonic() - self.start)
        if ahead > 0:
            time.sleep(ahead)


def scan(path: Path) -> list[tuple[models.FileEntry, Path]]:
    """The manifest of a file or a directory (recursively; symlinks and special files are refused)."""
    if path.is_file():
        files = [(path.name, path)]
    elif path.is_dir():
        files = sorted((p.relative_to(path).as_posix(), p) for p in path.rglob("*") if p.is_file())
    else:
        raise InvalidInput(f"{path} is not a file or directory", field="PATH", hint="give a model file or directory")
    if not files:
        raise InvalidInput(f"{path} has no files", field="PATH", hint="a model version needs at least one file")
    out = []
    for rel, p in files:
        if p.is_symlink():
            raise InvalidInput(f"{p} is a symlink", field="PATH", hint="copy the real file into the directory")
        out.append((models.FileEntry(path=rel, size=p.stat().st_size, sha256=sha256_file(p)), p))
    return out


def push(
    hub: HubClient,
    org: str,
    name: str,
    version: str,
    path: Path,
    options: PushOptions,
    progress: Progress | None = None,
) -> models.ModelVersion:
    """Create (or resume) a version, upload what the hub lacks, then commit it."""
    progress = progress or NoProgress()
    entries = scan(path)
    body = models.VersionCreate(
        version=version,
        framework=options.framework,
        task=options.task,
        labels=options.labels,
        metrics=options.metrics,
        files=[e for e, _ in entries],
    )
    plan = hub.create_version(org, name, body)
    local = {e.sha256: p for e, p in entries}
    for blob in plan.missing:
        _upload(hub, org, blob, local[blob.sha256], progress, Throttle(options.rate_limit))
    return hub.commit_version(org, name, version)


def _upload(
    hub: HubClient, org: str, blob: models.MissingBlob, path: Path, progress: Progress, throttle: Throttle
) -> None:
    offset = blob.received
    progress.start(path.name, blob.size, offset)
    for _attempt in range(3):
        try:
            status = hub.upload_file(
                org, blob.sha256, blob.size, offset, path, on_bytes=progress.advance, throttle=throttle
            )
        except errors.HubError as e:
            if e.error_code != "upload-offset-mismatch":
                raise
            offset = hub.upload_status(org, blob.sha256).received  # someone else moved it on
            progress.start(path.name, blob.size, offset)
            continue
        if status.complete:
            return
        offset = status.received
    raise errors.ClientError(f"upload of {path} did not complete", hint="run the same command again to resume")


def pull(
    hub: HubClient,
    org: str,
    name: str,
    version: str,
    dest: Path,
    progress: Progress | None = None,
    *,
    durable: bool = True,
) -> models.ModelVersion:
    """Download every file of a version into ``dest``, resuming partial files, verifying each.

    Files already in place are re-verified, not trusted, so a file torn by a power cut is fetched again.
    ``durable`` fsyncs each file before giving it its final name; the download starts writeback every
    16 MiB, so that final fsync waits only for what the disk has not caught up with."""
    progress = progress or NoProgress()
    v = hub.show_version(org, name, version)
    root = dest.resolve()
    for f in v.files:
        target = (root / f.path).resolve()
        if not target.is_relative_to(root):  # never trust paths from the wire
            raise InvalidInput(f"manifest path {f.path!r} leaves {root}", field="path")
        if target.is_file() and target.stat().st_size == f.size and sha256_file(target) == f.sha256:
            continue
        fetch(hub, org, f, target, progress, durable=durable)
    return v


def fetch(
    hub: HubClient, org: str, f: models.FileEntry, target: Path, progress: Progress, *, durable: bool = True
) -> None:
    """One file into ``target`` via ``<target>.part``, resuming it; verified, then renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    if offset > f.size:
        part.unlink()
        offset = 0
    h = hash_prefix(part, offset) if offset else hashlib.sha256()
    progress.start(f.path, f.size, offset)
    if offset < f.size:
        with part.open("ab") as out:
            hub.download_blob(org, f.sha256, out, h, offset=offset, on_bytes=progress.advance)
            out.flush()
            if durable:
                os.fsync(out.fileno())
    got = h.hexdigest()
    if got != f.sha256:
        part.unlink(missing_ok=True)
        raise errors.VerifyFailed(f.path, f.sha256, got)
    os.replace(part, target)
